// simdkern_bench: Google Benchmark harness over the public C API.
//
// One benchmark per layer of bench/layers.h x layout (NHWC, NCHW) x ISA,
// named "<network>/<layer>/<isa>/<layout>", e.g. "resnet18/conv1_7x7s2/avx2/nhwc".
// ISAs: every one sk_isa_supported() reports, except those above a
// SIMDKERN_ISA cap (SIMDKERN_ISA=scalar benchmarks the scalar path only).
//
// The op is created, and its weights packed, outside the timed loop; one
// untimed run checks the status and warms the caches. Counters (rates):
//   FLOP   2 * MACs per second, MACs over every kernel tap including padding:
//          N * out_h * out_w * C_out * (C_in / groups) * k * k per run;
//          "FLOP=12.3G/s" reads 12.3 GFLOP/s.
//   bytes  pooling: input + output bytes per second ("bytes=4.5G/s" = 4.5 GB/s).
// Rates divide by CPU time, Google Benchmark's default (single-threaded, so
// equal to wall time on a quiet machine; UseRealTime() would rename the
// benchmarks). The label is the kernel that ran (sk_*_kernel_name).
//
// Each benchmark runs for at least 0.1 s unless --benchmark_min_time says
// otherwise (a scalar layer slower than that runs once or twice). The usual
// flags work, e.g.
//   simdkern_bench --benchmark_filter='resnet18/.*/nhwc'
//   simdkern_bench --benchmark_min_time=1 --benchmark_repetitions=5
//   simdkern_bench --benchmark_format=json --benchmark_out=bench.json

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "layers.h"
#include "simdkern.h"

namespace {

// Default for --benchmark_min_time (Google Benchmark >= 1.8 wants a unit).
#if defined(SK_BENCHMARK_VERSION_MAJOR) && \
    (SK_BENCHMARK_VERSION_MAJOR > 1 || (SK_BENCHMARK_VERSION_MAJOR == 1 && SK_BENCHMARK_VERSION_MINOR >= 8))
const char kDefaultMinTime[] = "--benchmark_min_time=0.1s";
#else
const char kDefaultMinTime[] = "--benchmark_min_time=0.1";
#endif

// A created op of either kind; destroyed with the benchmark's scope.
class Op {
 public:
  Op() = default;
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;
  ~Op() {
    sk_conv2d_destroy(conv_);
    sk_pool2d_destroy(pool_);
  }

  sk_status Create(const sk_bench_layer& l, sk_isa isa, sk_layout layout) {
    if (l.op == SK_BENCH_CONV) {
      sk_conv2d_desc d{};
      d.layout = layout;
      d.weights_layout = layout == SK_LAYOUT_NHWC ? SK_WEIGHTS_OHWI : SK_WEIGHTS_OIHW;
      d.in_channels = l.c_in;
      d.out_channels = l.c_out;
      d.groups = l.groups;
      d.kernel_h = d.kernel_w = l.kernel;
      d.stride_h = d.stride_w = l.stride;
      d.dilation_h = d.dilation_w = 1;
      d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = l.pad;
      d.flags = 0;
      d.activation = l.act;
      d.act_min = 0.0f;
      d.act_max = 0.0f;
      d.isa = isa;
      const size_t groups = l.groups ? l.groups : 1;
      const size_t n_weights = size_t{l.c_out} * (l.c_in / groups) * l.kernel * l.kernel;
      std::vector<float> weights(n_weights), bias(l.c_out);
      Fill(weights, -0.1f, 0.1f, 1);
      Fill(bias, -0.1f, 0.1f, 2);
      return sk_conv2d_create(&d, weights.data(), bias.data(), &conv_);  // weights are copied
    }
    sk_pool2d_desc d{};
    d.kind = l.op == SK_BENCH_MAXPOOL ? SK_POOL_MAX : SK_POOL_AVG;
    d.layout = layout;
    d.channels = l.c_in;
    d.kernel_h = d.kernel_w = l.kernel;
    d.stride_h = d.stride_w = l.stride;
    d.dilation_h = d.dilation_w = 0;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = l.pad;
    d.flags = l.op == SK_BENCH_GLOBAL_AVG ? SK_POOL_GLOBAL : 0u;
    d.activation = l.act;
    d.isa = isa;
    return sk_pool2d_create(&d, &pool_);
  }

  sk_status OutputSize(uint32_t h, uint32_t w, uint32_t* oh, uint32_t* ow) const {
    return conv_ ? sk_conv2d_output_size(conv_, h, w, oh, ow) : sk_pool2d_output_size(pool_, h, w, oh, ow);
  }

  sk_status Run(uint32_t n, uint32_t h, uint32_t w, const float* in, float* out) const {
    return conv_ ? sk_conv2d_run(conv_, n, h, w, in, out) : sk_pool2d_run(pool_, n, h, w, in, out);
  }

  const char* KernelName() const { return conv_ ? sk_conv2d_kernel_name(conv_) : sk_pool2d_kernel_name(pool_); }

  static void Fill(std::vector<float>& v, float lo, float hi, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    for (float& x : v) x = dist(gen);
  }

 private:
  sk_conv2d* conv_ = nullptr;
  sk_pool2d* pool_ = nullptr;
};

void Fail(benchmark::State& state, const char* what, sk_status st) {
  const std::string msg = std::string(what) + ": " + sk_status_string(st);
  state.SkipWithError(msg.c_str());
}

void BenchLayer(benchmark::State& state, const sk_bench_layer* l, sk_isa isa, sk_layout layout) {
  Op op;
  sk_status st = op.Create(*l, isa, layout);
  if (st != SK_OK) return Fail(state, "create", st);
  uint32_t oh = 0, ow = 0;
  st = op.OutputSize(l->h, l->w, &oh, &ow);
  if (st != SK_OK) return Fail(state, "output_size", st);

  const size_t in_elems = size_t{l->n} * l->c_in * l->h * l->w;
  const size_t out_elems = size_t{l->n} * l->c_out * oh * ow;
  std::vector<float> input(in_elems), output(out_elems, -1.0f);
  Op::Fill(input, -1.0f, 1.0f, 3);

  st = op.Run(l->n, l->h, l->w, input.data(), output.data());  // untimed: check + warm-up
  if (st != SK_OK) return Fail(state, "run", st);

  for (auto _ : state) {
    st = op.Run(l->n, l->h, l->w, input.data(), output.data());
    if (st != SK_OK) {
      Fail(state, "run", st);
      break;
    }
    benchmark::ClobberMemory();
  }

  state.SetLabel(op.KernelName());
  if (l->op == SK_BENCH_CONV) {
    const double groups = l->groups ? l->groups : 1;
    const double macs = double(l->n) * oh * ow * l->c_out * (l->c_in / groups) * l->kernel * l->kernel;
    state.counters["FLOP"] = benchmark::Counter(2.0 * macs, benchmark::Counter::kIsIterationInvariantRate);
  } else {
    const double bytes = sizeof(float) * double(in_elems + out_elems);
    state.counters["bytes"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate);
  }
}

void RegisterAll() {
  const sk_isa best = sk_isa_best();  // SK_ISA_AUTO's choice, capped by SIMDKERN_ISA
  std::vector<sk_isa> isas;
  for (sk_isa isa : {SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON})
    if (sk_isa_supported(isa) && (isa == SK_ISA_SCALAR || isa == best)) isas.push_back(isa);

  for (const sk_bench_layer& l : sk_bench_layers) {
    for (sk_layout layout : {SK_LAYOUT_NHWC, SK_LAYOUT_NCHW}) {
      for (sk_isa isa : isas) {
        const std::string name = std::string(l.name) + "/" + sk_isa_name(isa) + "/" +
                                 (layout == SK_LAYOUT_NHWC ? "nhwc" : "nchw");
        const sk_bench_layer* layer = &l;
        // No MinTime()/UseRealTime() here: they would append "/min_time:..." to the name.
        benchmark::RegisterBenchmark(name.c_str(),
                                     [layer, isa, layout](benchmark::State& state) {
                                       BenchLayer(state, layer, isa, layout);
                                     })
            ->Unit(l.op == SK_BENCH_CONV ? benchmark::kMillisecond : benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Insert the default min time right after argv[0]; a --benchmark_min_time
  // given on the command line comes later and wins.
  std::vector<char*> args(argv, argv + argc);
  std::string min_time = kDefaultMinTime;
  args.insert(args.begin() + (argc > 0 ? 1 : 0), &min_time[0]);
  args.push_back(nullptr);
  int args_count = static_cast<int>(args.size()) - 1;
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 1;

  benchmark::AddCustomContext("simdkern_version", sk_version());
  benchmark::AddCustomContext("simdkern_isa_best", sk_isa_name(sk_isa_best()));
  const char* cap = std::getenv("SIMDKERN_ISA");
  benchmark::AddCustomContext("SIMDKERN_ISA", cap ? cap : "(unset)");

  RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
