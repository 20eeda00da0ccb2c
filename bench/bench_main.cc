// simdkern_bench: Google Benchmark harness over the public C API, with the
// peer libraries (XNNPACK, oneDNN) side by side when CMake found them.
//
// Benchmarks are "<network>/<layer>/<impl>/<layout>", one per row of the
// suites (bench/suites/*.csv) x implementation x layout, e.g.
// "resnet18/conv1_7x7s2_3to64/avx2/nhwc". Implementations: our ISAs (scalar
// and the best one here, capped by SIMDKERN_ISA), then "xnnpack" and
// "onednn" (NHWC only). oneDNN reads ONEDNN_MAX_CPU_ISA once at its first
// call, so a process started with ONEDNN_MAX_CPU_ISA=AVX2 names its rows
// "onednn_avx2" (scripts/bench.sh runs its main process that way and a second
// one for oneDNN's default ISA).
//
// Op creation, weight packing, the peers' setup and a correctness check run
// outside the timed loop: each non-scalar result is compared with our scalar
// path on the same input, weights and bias (conv: |diff| <= 1e-5 * a bound
// of sum|w*x| + |bias|, + 1e-6; max pooling exact), so a wrong configuration
// is reported as an error instead of looking fast. Counters:
//   FLOP      2 * MACs per second, MACs over every kernel tap incl. padding
//             ("FLOP=12.3G/s" reads 12.3 GFLOP/s)
//   bytes     pooling: input + output bytes per second (GB/s)
//   peak%     conv: % of the one-core peak of the ISA that ran, measured again
//             (10 ms) right after the benchmark: the pair sees the same machine
//   peak_gflops  that paired peak (GFLOP/s)
//   x_scalar  speedup over our scalar path on the same layer in this run
// Rates divide by CPU time (Google Benchmark's default). The label is the
// kernel that ran.
//
// Own flags (everything else goes to Google Benchmark, e.g.
// --benchmark_filter, --benchmark_format=json, --benchmark_out=FILE):
//   --network=resnet18,mobilenetv2   --op=conv,pointwise,depthwise,maxpool,
//   avgpool,global_avgpool,pool      --isa=scalar,avx2,neon,xnnpack,onednn,
//   ours,peers                       --layout=nhwc,nchw
//   --suites=DIR (read *.csv instead of the embedded suites)
//   --list (print the layers and exit)  --no_probes  --probe_seconds=S

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "layers.h"
#include "peers.h"
#include "probe.h"
#include "simdkern.h"

namespace skbench {
namespace {

// Default for --benchmark_min_time (Google Benchmark >= 1.8 wants a unit).
#if defined(SK_BENCHMARK_VERSION_MAJOR) && \
    (SK_BENCHMARK_VERSION_MAJOR > 1 ||     \
     (SK_BENCHMARK_VERSION_MAJOR == 1 && SK_BENCHMARK_VERSION_MINOR >= 8))
const char kDefaultMinTime[] = "--benchmark_min_time=0.1s";
#else
const char kDefaultMinTime[] = "--benchmark_min_time=0.1";
#endif

// ---- options -------------------------------------------------------------

struct Options {
  std::set<std::string> networks, ops, isas, layouts;
  std::string suites_dir;
  bool list = false, probes = true;
  double probe_seconds = 0.25;
};

std::set<std::string> SplitList(const std::string& s) {
  std::set<std::string> out;
  std::istringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.insert(item);
  return out;
}

bool Selected(const std::set<std::string>& filter, const std::string& value) {
  return filter.empty() || filter.count(value) != 0;
}

// ---- machine probes --------------------------------------------------------

struct Machine {
  std::string cpu;
  // GFLOP/s. peak_scalar: the baseline ISA's 4-float SIMD (SSE2 on x86-64),
  // the ceiling of our scalar C kernels, which the compiler auto-vectorizes;
  // peak_scalar_1lane: one float per instruction.
  double peak_scalar = 0, peak_scalar_1lane = 0, peak_avx2 = 0, peak_avx512 = 0, peak_neon = 0;
  double bw_l2 = 0, bw_l3 = 0, bw_dram = 0;  // GB/s, read + write
};

std::string CpuModel() {
  std::ifstream f("/proc/cpuinfo");
  std::string line, hw, part;
  while (std::getline(f, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon), value = line.substr(colon + 1);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (key == "model name") return value;
    if (key == "Hardware" && hw.empty()) hw = value;
    if (key == "CPU part" && part.empty()) part = "CPU part " + value;
  }
  return !hw.empty() ? hw : !part.empty() ? part : "unknown CPU";
}

bool CpuHasAvx512f() {
#if (defined(__x86_64__) || defined(__i386__)) && defined(SK_BENCH_PROBE_AVX512)
  return __builtin_cpu_supports("avx512f");  // libgcc checks the OS saves ZMM state
#else
  return false;
#endif
}

double CopyProbe(size_t bytes_each, double seconds, bool avx2) {
  const size_t n = bytes_each / sizeof(float);
  std::vector<float> src(n, 1.0f), dst(n, 0.0f);  // touched: no page faults while timed
#if defined(SK_BENCH_PROBE_AVX2)
  if (avx2) return sk_probe_copy_avx2(dst.data(), src.data(), n, seconds);
#else
  (void)avx2;
#endif
  return sk_probe_copy_portable(dst.data(), src.data(), n, seconds);
}

Machine Probe(const Options& opt) {
  Machine m;
  m.cpu = CpuModel();
  if (!opt.probes) return m;
  const double t = opt.probe_seconds;
  m.peak_scalar_1lane = sk_probe_fma_scalar(t);
  m.peak_scalar = sk_probe_fma_baseline_simd(t);
  const bool avx2 = sk_isa_supported(SK_ISA_AVX2) != 0;  // AVX2 + FMA + OS YMM state
#if defined(SK_BENCH_PROBE_AVX2)
  if (avx2) m.peak_avx2 = sk_probe_fma_avx2(t);
#endif
#if defined(SK_BENCH_PROBE_AVX512)
  if (CpuHasAvx512f()) m.peak_avx512 = sk_probe_fma_avx512(t);
#endif
#if defined(SK_BENCH_PROBE_NEON)
  if (sk_isa_supported(SK_ISA_NEON)) m.peak_neon = sk_probe_fma_neon(t);
#endif
  m.bw_l2 = CopyProbe(size_t{256} << 10, t, avx2);   // 2 x 256 KiB: fits a 1 MiB L2
  m.bw_l3 = CopyProbe(size_t{4} << 20, t, avx2);     // 2 x 4 MiB: past L2, inside a shared L3
  m.bw_dram = CopyProbe(size_t{64} << 20, t, avx2);  // 2 x 64 MiB: past any L3 here
  return m;
}

std::string Fmt(double v, int prec = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

// ---- implementations -------------------------------------------------------

enum class ImplKind { kOurs, kXnnpack, kOnednn };

struct Impl {
  ImplKind kind;
  sk_isa isa;               // ours only
  std::string name;         // "scalar", "avx2", "neon", "xnnpack", "onednn", "onednn_avx2"
  std::string filter_name;  // what --isa matches: as name, "onednn" for every oneDNN row
  double peak;              // GFLOP/s of the ISA it runs, 0 if not measured
  double (*probe)(double);  // that ISA's FMA probe (seconds -> GFLOP/s), nullptr if none
};

std::string OnednnImplName() {
  const char* cap = std::getenv("ONEDNN_MAX_CPU_ISA");
  if (!cap || !*cap) cap = std::getenv("DNNL_MAX_CPU_ISA");  // the older spelling
  if (!cap || !*cap) return "onednn";
  std::string s = "onednn_";
  for (const char* p = cap; *p; p++)
    s += static_cast<char>(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
  return s;
}

// The FMA probe of an ISA (seconds -> GFLOP/s), for the paired peak after each conv benchmark.
using ProbeFn = double (*)(double);

// The peak measured at start and the probe of an ISA as ours, XNNPACK or oneDNN name it:
// {0, nullptr} if unknown here, and no probe if it was not measured at start.
struct IsaPeak {
  double peak;
  ProbeFn probe;
};
IsaPeak PeakOf(const Machine& m, const std::string& isa) {
  IsaPeak r{0.0, nullptr};
  if (isa.compare(0, 6, "avx512") == 0) {
    r.peak = m.peak_avx512;
#if defined(SK_BENCH_PROBE_AVX512)
    r.probe = sk_probe_fma_avx512;
#endif
  } else if (isa == "avx2" || isa == "fma3" || isa == "avx2_vnni") {
    r.peak = m.peak_avx2;
#if defined(SK_BENCH_PROBE_AVX2)
    r.probe = sk_probe_fma_avx2;
#endif
  } else if (isa == "neon") {
    r.peak = m.peak_neon;
#if defined(SK_BENCH_PROBE_NEON)
    r.probe = sk_probe_fma_neon;
#endif
  } else if (isa == "scalar") {
    r.peak = m.peak_scalar;
    r.probe = sk_probe_fma_baseline_simd;
  }
  if (r.peak <= 0) r.probe = nullptr;
  return r;
}

// ---- data ------------------------------------------------------------------

unsigned Seed(const Layer& l, unsigned salt) {
  unsigned h = 2166136261u;
  for (char c : l.FullName()) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h ^ (salt * 0x9e3779b9u);
}

void Fill(std::vector<float>& v, float lo, float hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& x : v) x = dist(gen);
}

// Weights in [-0.1, 0.1] and inputs in [-1, 1] keep the sums small; the
// bias in [-4, 8] pushes outputs below 0 and above 6, so the check also
// catches a wrong fused activation (ReLU, ReLU6) in a peer's configuration.
constexpr float kWeightMax = 0.1f, kInputMax = 1.0f, kBiasMin = -4.0f, kBiasMax = 8.0f;

struct Tensors {
  std::vector<float> weights, bias, input;  // weights OIHW; input in the layout
};

Tensors MakeTensors(const Layer& l, sk_layout layout) {
  Tensors t;
  if (l.IsConv()) {
    t.weights.resize(size_t{l.c_out} * (l.c_in / l.groups) * l.kernel * l.kernel);
    t.bias.resize(l.c_out);
    Fill(t.weights, -kWeightMax, kWeightMax, Seed(l, 1));  // same logical weights in both layouts
    Fill(t.bias, kBiasMin, kBiasMax, Seed(l, 2));
  }
  t.input.resize(l.InElems());
  Fill(t.input, -kInputMax, kInputMax, Seed(l, layout == SK_LAYOUT_NHWC ? 3 : 4));
  return t;
}

// A created simdkern op of either kind.
class OurOp {
 public:
  OurOp() = default;
  OurOp(const OurOp&) = delete;
  OurOp& operator=(const OurOp&) = delete;
  ~OurOp() {
    sk_conv2d_destroy(conv_);
    sk_pool2d_destroy(pool_);
  }

  sk_status Create(const Layer& l, sk_isa isa, sk_layout layout, const Tensors& t) {
    if (l.IsConv()) {
      sk_conv2d_desc d{};
      d.layout = layout;
      d.weights_layout = SK_WEIGHTS_OIHW;
      d.in_channels = l.c_in;
      d.out_channels = l.c_out;
      d.groups = l.groups;
      d.kernel_h = d.kernel_w = l.kernel;
      d.stride_h = d.stride_w = l.stride;
      d.dilation_h = d.dilation_w = 1;
      d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = l.pad;
      d.activation = l.act;
      d.isa = isa;
      return sk_conv2d_create(&d, t.weights.data(), t.bias.data(), &conv_);  // weights are copied
    }
    sk_pool2d_desc d{};
    d.kind = l.op == OpKind::kMaxPool ? SK_POOL_MAX : SK_POOL_AVG;
    d.layout = layout;
    d.channels = l.c_in;
    d.kernel_h = d.kernel_w = l.kernel;
    d.stride_h = d.stride_w = l.stride;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = l.pad;
    d.flags = (l.op == OpKind::kGlobalAvgPool ? SK_POOL_GLOBAL : 0u) |
              (l.ceil_mode ? SK_POOL_CEIL_MODE : 0u) |
              (l.include_pad ? SK_POOL_COUNT_INCLUDE_PAD : 0u);
    d.activation = l.act;
    d.isa = isa;
    return sk_pool2d_create(&d, &pool_);
  }

  sk_status OutputSize(uint32_t h, uint32_t w, uint32_t* oh, uint32_t* ow) const {
    return conv_ ? sk_conv2d_output_size(conv_, h, w, oh, ow)
                 : sk_pool2d_output_size(pool_, h, w, oh, ow);
  }
  sk_status Run(const Layer& l, const float* in, float* out) const {
    return conv_ ? sk_conv2d_run(conv_, l.n, l.h, l.w, in, out)
                 : sk_pool2d_run(pool_, l.n, l.h, l.w, in, out);
  }
  const char* KernelName() const {
    return conv_ ? sk_conv2d_kernel_name(conv_) : sk_pool2d_kernel_name(pool_);
  }

 private:
  sk_conv2d* conv_ = nullptr;
  sk_pool2d* pool_ = nullptr;
};

std::string Status(const char* what, sk_status st) {
  return std::string(what) + ": " + sk_status_string(st);
}

// Our scalar output for (layer, layout): the reference every other
// implementation is checked against. Cached for the current layer only.
struct Reference {
  std::string key;
  std::vector<float> out;
  std::string error;
};
Reference g_ref[2];

const Reference& GetReference(const Layer& l, sk_layout layout) {
  Reference& r = g_ref[layout == SK_LAYOUT_NHWC ? 0 : 1];
  if (r.key == l.FullName()) return r;
  r.key = l.FullName();
  r.error.clear();
  const Tensors t = MakeTensors(l, layout);
  r.out.assign(l.OutElems(), 0.0f);
  OurOp op;
  sk_status st = op.Create(l, SK_ISA_SCALAR, layout, t);
  if (st == SK_OK) st = op.Run(l, t.input.data(), r.out.data());
  if (st != SK_OK) r.error = Status("scalar reference", st);
  return r;
}

// Empty if got matches the reference within the tolerance of DESIGN.md
// section 5 (with sum|w*x| bounded by taps * max|w| * max|x|).
std::string Check(const Layer& l, const std::vector<float>& got, const Reference& ref) {
  if (!ref.error.empty()) return ref.error;
  double tol = 0.0;  // max pooling: exact
  if (l.IsConv())
    tol = 1e-5 * (double(l.c_in / l.groups) * l.kernel * l.kernel * kWeightMax * kInputMax +
                  kBiasMax) +
          1e-6;
  if (l.op == OpKind::kAvgPool || l.op == OpKind::kGlobalAvgPool) tol = 1e-5 * kInputMax + 1e-6;
  for (size_t i = 0; i < got.size(); i++) {
    const double d = std::fabs(double(got[i]) - double(ref.out[i]));
    if (!(d <= tol)) {  // NaN fails too
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "output differs from simdkern scalar at %zu: %.7g vs %.7g (tolerance %.2g)", i,
                    double(got[i]), double(ref.out[i]), tol);
      return buf;
    }
  }
  return "";
}

// One benchmark's state, kept across Google Benchmark's repeated calls of
// the same benchmark (iteration-count estimation) so setup and the check run
// once. Replaced when the next benchmark starts.
struct Case {
  std::string key;
  std::string error;  // set: the benchmark reports this error
  std::string label;
  std::vector<float> input, output;
  OurOp ours;
  std::unique_ptr<PeerOp> peer;
};
std::unique_ptr<Case> g_case;
std::map<std::string, double> g_scalar_seconds;  // "<layer>|<layout>" -> s per run, this process

std::unique_ptr<Case> BuildCase(const std::string& key, const Layer& l, const Impl& impl,
                                sk_layout layout) {
  std::unique_ptr<Case> c(new Case);
  c->key = key;
  const Tensors t = MakeTensors(l, layout);
  c->input = t.input;
  c->output.assign(l.OutElems(), -1.0f);
  if (impl.kind == ImplKind::kOurs) {
    sk_status st = c->ours.Create(l, impl.isa, layout, t);
    uint32_t oh = 0, ow = 0;
    if (st == SK_OK) st = c->ours.OutputSize(l.h, l.w, &oh, &ow);
    if (st != SK_OK) {
      c->error = Status("create", st);
      return c;
    }
    if (oh != l.OutH() || ow != l.OutW()) {
      c->error = "output size differs from the suite's arithmetic";
      return c;
    }
    st = c->ours.Run(l, c->input.data(), c->output.data());  // untimed: check + warm-up
    if (st != SK_OK) {
      c->error = Status("run", st);
      return c;
    }
    c->label = c->ours.KernelName();
    if (impl.isa == SK_ISA_SCALAR) {  // this is the reference
      Reference& r = g_ref[layout == SK_LAYOUT_NHWC ? 0 : 1];
      r.key = l.FullName();
      r.out = c->output;
      r.error.clear();
      return c;
    }
  } else {
    std::string why;
#ifdef SK_BENCH_HAVE_XNNPACK
    if (impl.kind == ImplKind::kXnnpack)
      c->peer = CreateXnnpackOp(l, t.weights.data(), t.bias.data(), c->input.data(),
                                c->output.data(), &why);
#endif
#ifdef SK_BENCH_HAVE_ONEDNN
    if (impl.kind == ImplKind::kOnednn)
      c->peer = CreateOnednnOp(l, t.weights.data(), t.bias.data(), c->input.data(),
                               c->output.data(), &why);
#endif
    if (!c->peer) {
      c->error = "unsupported: " + (why.empty() ? std::string("peer not built") : why);
      return c;
    }
    if (!c->peer->Run(&c->error)) return c;
    c->label = c->peer->Label();
  }
  c->error = Check(l, c->output, GetReference(l, layout));
  return c;
}

void BenchCase(benchmark::State& state, const Layer* l, const Impl* impl, sk_layout layout,
               const std::string& key) {
  if (!g_case || g_case->key != key) {
    g_case.reset();  // free the previous case's buffers first
    g_case = BuildCase(key, *l, *impl, layout);
  }
  Case& c = *g_case;
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    for (auto _ : state) break;  // Google Benchmark < 1.8 wants the loop entered
    return;
  }
  std::string err;
  bool ok = true;
  const double t0 = sk_probe_thread_seconds();
  for (auto _ : state) {
    if (c.peer) {
      ok = c.peer->Run(&err);
    } else {
      const sk_status st = c.ours.Run(*l, c.input.data(), c.output.data());
      if (st != SK_OK) err = Status("run", st), ok = false;
    }
    if (!ok) break;
    benchmark::ClobberMemory();
  }
  const double seconds = sk_probe_thread_seconds() - t0;
  if (!ok) {
    state.SkipWithError(err.c_str());
    return;
  }
  state.SetLabel(c.label);
  const double iters = double(state.iterations());
  const double per_run = iters > 0 ? seconds / iters : 0.0;
  const std::string scalar_key = l->FullName() + (layout == SK_LAYOUT_NHWC ? "|nhwc" : "|nchw");
  if (impl->kind == ImplKind::kOurs && impl->isa == SK_ISA_SCALAR)
    g_scalar_seconds[scalar_key] = per_run;
  if (l->IsConv()) {
    state.counters["FLOP"] =
        benchmark::Counter(l->Flops(), benchmark::Counter::kIsIterationInvariantRate);
    // The machine's speed drifts (a shared VM: +-30% between minutes), so the peak is measured
    // again right after each benchmark (10 ms) and peak% is relative to that paired figure.
    const double peak = impl->probe ? impl->probe(0.01) : impl->peak;
    if (peak > 0 && per_run > 0) {
      state.counters["peak_gflops"] = peak;
      state.counters["peak%"] = 100.0 * l->Flops() / per_run * 1e-9 / peak;
    }
  } else {
    state.counters["bytes"] =
        benchmark::Counter(l->IoBytes(), benchmark::Counter::kIsIterationInvariantRate);
  }
  const auto s = g_scalar_seconds.find(scalar_key);
  if (!(impl->kind == ImplKind::kOurs && impl->isa == SK_ISA_SCALAR) &&
      s != g_scalar_seconds.end() && per_run > 0)
    state.counters["x_scalar"] = s->second / per_run;
}

// ---- main ------------------------------------------------------------------

void PrintUsage() {
  std::printf(
      "simdkern_bench: fp32 CNN layers, simdkern vs peers. Own flags:\n"
      "  --network=A,B   suites (bench/suites/<network>.csv): demo, issue3, mobilenetv1, ...\n"
      "  --op=...        conv, pointwise, depthwise, maxpool, avgpool, global_avgpool, pool\n"
      "  --isa=...       scalar, avx2, neon, xnnpack, onednn, ours, peers\n"
      "  --layout=...    nhwc, nchw\n"
      "  --suites=DIR    read DIR/*.csv instead of the embedded suites\n"
      "  --list          print the selected layers and exit\n"
      "  --no_probes     skip the peak / bandwidth probes;  --probe_seconds=S  (default 0.25)\n"
      "Google Benchmark's flags follow.\n");
}

int ParseOptions(int* argc, char** argv, Options* opt) {
  static const std::set<std::string> kOps = {"conv",    "pointwise",      "depthwise", "maxpool",
                                             "avgpool", "global_avgpool", "pool"};
  static const std::set<std::string> kIsas = {"scalar", "avx2", "neon", "xnnpack",
                                              "onednn", "ours", "peers"};
  static const std::set<std::string> kLayouts = {"nhwc", "nchw"};
  int out = 1;
  for (int i = 1; i < *argc; i++) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      const size_t n = std::char_traits<char>::length(flag);
      return a.compare(0, n, flag) == 0 ? argv[i] + n : nullptr;
    };
    auto check = [&](const std::set<std::string>& got, const std::set<std::string>& known,
                     const char* flag) {
      for (const std::string& v : got)
        if (!known.count(v)) {
          std::fprintf(stderr, "simdkern_bench: unknown value '%s' for %s\n", v.c_str(), flag);
          return false;
        }
      return true;
    };
    const char* v;
    if ((v = value("--network="))) {
      opt->networks = SplitList(v);
    } else if ((v = value("--op="))) {
      opt->ops = SplitList(v);
      if (!check(opt->ops, kOps, "--op")) return 2;
    } else if ((v = value("--isa="))) {
      opt->isas = SplitList(v);
      if (!check(opt->isas, kIsas, "--isa")) return 2;
    } else if ((v = value("--layout="))) {
      opt->layouts = SplitList(v);
      if (!check(opt->layouts, kLayouts, "--layout")) return 2;
    } else if ((v = value("--suites="))) {
      opt->suites_dir = v;
    } else if ((v = value("--probe_seconds="))) {
      opt->probe_seconds = std::atof(v);
    } else if (a == "--no_probes") {
      opt->probes = false;
    } else if (a == "--list") {
      opt->list = true;
    } else {
      if (a == "--help" || a == "-h") PrintUsage();
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  argv[out] = nullptr;
  return 0;
}

bool LayerSelected(const Options& opt, const Layer& l) {
  if (!Selected(opt.networks, l.network)) return false;
  if (opt.ops.empty()) return true;
  const std::string cls = OpClassName(l.Class());
  return opt.ops.count(cls) || (opt.ops.count("pool") && !l.IsConv());
}

bool ImplSelected(const Options& opt, const Impl& impl) {
  if (opt.isas.empty()) return true;
  if (opt.isas.count(impl.filter_name)) return true;
  return opt.isas.count(impl.kind == ImplKind::kOurs ? "ours" : "peers") != 0;
}

void PrintMachine(const Machine& m, const Options& opt) {
  std::printf("CPU: %s\n", m.cpu.c_str());
  if (!opt.probes) {
    std::printf("probes skipped (--no_probes)\n");
    return;
  }
  std::printf(
      "one-core peak (measured): scalar code %s GFLOP/s (1 lane) / %s GFLOP/s (4-float baseline "
      "SIMD)",
      Fmt(m.peak_scalar_1lane).c_str(), Fmt(m.peak_scalar).c_str());
  if (m.peak_avx2 > 0) std::printf(", AVX2+FMA %s GFLOP/s", Fmt(m.peak_avx2).c_str());
  if (m.peak_avx512 > 0) std::printf(", AVX-512F %s GFLOP/s", Fmt(m.peak_avx512).c_str());
  if (m.peak_neon > 0) std::printf(", NEON %s GFLOP/s", Fmt(m.peak_neon).c_str());
  std::printf(
      "\ncopy bandwidth (read+write, measured): L2-sized %s GB/s, L3-sized %s GB/s, DRAM-sized %s "
      "GB/s\n",
      Fmt(m.bw_l2).c_str(), Fmt(m.bw_l3).c_str(), Fmt(m.bw_dram).c_str());
  std::fflush(stdout);
}

std::vector<std::unique_ptr<Layer>> g_layers;  // stable addresses for the lambdas
std::vector<std::unique_ptr<Impl>> g_impls;

int Main(int argc, char** argv) {
  Options opt;
  if (int rc = ParseOptions(&argc, argv, &opt)) return rc;

  std::vector<Layer> layers;
  std::string error;
  if (!LoadSuites(opt.suites_dir, &layers, &error)) {
    std::fprintf(stderr, "simdkern_bench: %s\n", error.c_str());
    return 2;
  }
  for (const Layer& l : layers)
    if (LayerSelected(opt, l)) g_layers.emplace_back(new Layer(l));
  if (!opt.networks.empty() || !opt.ops.empty()) {
    std::set<std::string> known;
    for (const Layer& l : layers) known.insert(l.network);
    for (const std::string& n : opt.networks)
      if (!known.count(n))
        std::fprintf(stderr, "simdkern_bench: warning: no suite named '%s'\n", n.c_str());
  }

  if (opt.list) {
    std::printf("%-50s %-15s %-26s %9s %9s\n", "layer", "op", "shape (NCHW in -> C_out)", "MFLOP",
                "KB in+out");
    for (const auto& l : g_layers) {
      char shape[96];
      std::snprintf(shape, sizeof shape, "%ux%ux%ux%u->%u k%us%up%u", l->n, l->c_in, l->h, l->w,
                    l->c_out, l->kernel, l->stride, l->pad);
      std::printf("%-50s %-15s %-26s %9.1f %9.0f\n", l->FullName().c_str(), OpClassName(l->Class()),
                  shape, l->Flops() * 1e-6, l->IoBytes() / 1024.0);
    }
    return 0;
  }

  // Insert the default min time right after argv[0]; a --benchmark_min_time
  // given on the command line comes later and wins.
  std::vector<char*> args(argv, argv + argc);
  std::string min_time = kDefaultMinTime;
  args.insert(args.begin() + (argc > 0 ? 1 : 0), &min_time[0]);
  args.push_back(nullptr);
  int args_count = static_cast<int>(args.size()) - 1;
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 1;

  const Machine m = Probe(opt);
  PrintMachine(m, opt);

  // Our ISAs: scalar and SK_ISA_AUTO's choice (capped by SIMDKERN_ISA).
  const sk_isa best = sk_isa_best();
  for (sk_isa isa : {SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON}) {
    if (!sk_isa_supported(isa) || (isa != SK_ISA_SCALAR && isa != best)) continue;
    const std::string name = sk_isa_name(isa);
    const IsaPeak pk = PeakOf(m, name);
    g_impls.emplace_back(new Impl{ImplKind::kOurs, isa, name, name, pk.peak, pk.probe});
  }
  std::string onednn_name;
#ifdef SK_BENCH_HAVE_XNNPACK
  const IsaPeak xpk = PeakOf(m, XnnpackIsa(true));
  g_impls.emplace_back(
      new Impl{ImplKind::kXnnpack, SK_ISA_AUTO, "xnnpack", "xnnpack", xpk.peak, xpk.probe});
#endif
#ifdef SK_BENCH_HAVE_ONEDNN
  onednn_name = OnednnImplName();
  g_impls.emplace_back(
      new Impl{ImplKind::kOnednn, SK_ISA_AUTO, onednn_name, "onednn", 0.0, nullptr});
#endif
  std::vector<const Impl*> impls;
  for (const auto& impl : g_impls)
    if (ImplSelected(opt, *impl)) impls.push_back(impl.get());
#ifdef SK_BENCH_HAVE_ONEDNN
  // Only query oneDNN (its first call fixes its ISA) when its rows will run.
  for (const auto& impl : g_impls)
    if (impl->kind == ImplKind::kOnednn && ImplSelected(opt, *impl)) {
      const IsaPeak pk = PeakOf(m, OnednnIsa());
      impl->peak = pk.peak;
      impl->probe = pk.probe;
      benchmark::AddCustomContext("onednn_version", OnednnVersion());
      benchmark::AddCustomContext("onednn_isa", OnednnIsa());
      benchmark::AddCustomContext("onednn_impl", onednn_name);
      std::printf("oneDNN %s, effective ISA %s, rows named '%s'\n", OnednnVersion().c_str(),
                  OnednnIsa().c_str(), onednn_name.c_str());
    }
#endif
#ifdef SK_BENCH_HAVE_XNNPACK
  benchmark::AddCustomContext("xnnpack_isa", XnnpackIsa(true));
  std::printf("XNNPACK (Debian's libxnnpack): conv kernels for %s, pooling kernels for %s\n",
              XnnpackIsa(true).c_str(), XnnpackIsa(false).c_str());
#endif
  std::fflush(stdout);

  benchmark::AddCustomContext("simdkern_version", sk_version());
  benchmark::AddCustomContext("simdkern_isa_best", sk_isa_name(best));
  const char* cap = std::getenv("SIMDKERN_ISA");
  benchmark::AddCustomContext("SIMDKERN_ISA", cap ? cap : "(unset)");
  benchmark::AddCustomContext("cpu_model", m.cpu);
  if (opt.probes) {
    benchmark::AddCustomContext("peak_gflops_scalar", Fmt(m.peak_scalar, 2));
    benchmark::AddCustomContext("peak_gflops_scalar_1lane", Fmt(m.peak_scalar_1lane, 2));
    benchmark::AddCustomContext("peak_gflops_avx2", Fmt(m.peak_avx2, 2));
    benchmark::AddCustomContext("peak_gflops_avx512", Fmt(m.peak_avx512, 2));
    benchmark::AddCustomContext("peak_gflops_neon", Fmt(m.peak_neon, 2));
    benchmark::AddCustomContext("bw_gbs_l2", Fmt(m.bw_l2, 2));
    benchmark::AddCustomContext("bw_gbs_l3", Fmt(m.bw_l3, 2));
    benchmark::AddCustomContext("bw_gbs_dram", Fmt(m.bw_dram, 2));
  }

  for (const auto& lp : g_layers) {
    const Layer* l = lp.get();
    for (sk_layout layout : {SK_LAYOUT_NHWC, SK_LAYOUT_NCHW}) {
      const std::string lname = layout == SK_LAYOUT_NHWC ? "nhwc" : "nchw";
      if (!Selected(opt.layouts, lname)) continue;
      for (const Impl* impl : impls) {
        if (impl->kind != ImplKind::kOurs && layout != SK_LAYOUT_NHWC)
          continue;  // peers: NHWC only
        const std::string name = l->FullName() + "/" + impl->name + "/" + lname;
        // No MinTime()/UseRealTime() here: they would append "/min_time:..." to the name.
        benchmark::RegisterBenchmark(name.c_str(), [l, impl, layout,
                                                    name](benchmark::State& state) {
          BenchCase(state, l, impl, layout, name);
        })->Unit(l->IsConv() ? benchmark::kMillisecond : benchmark::kMicrosecond);
      }
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_case.reset();
  return 0;
}

}  // namespace
}  // namespace skbench

int main(int argc, char** argv) { return skbench::Main(argc, argv); }
