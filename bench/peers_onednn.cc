// oneDNN as a peer: fp32 forward-inference primitives on NHWC activations,
// weights in the primitive's preferred layout (format_tag::any), reordered
// once at creation; one thread (omp_set_num_threads(1): Debian's oneDNN uses
// OpenMP). Its ISA is its own choice, capped by ONEDNN_MAX_CPU_ISA, which
// oneDNN reads once at its first call: scripts/bench.sh runs one process with
// ONEDNN_MAX_CPU_ISA=AVX2 ("onednn_avx2" rows) and one without ("onednn").

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <dnnl.hpp>
#include <mutex>
#include <string>
#include <unordered_map>

#include "peers.h"

namespace skbench {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& Engine() {
  static std::once_flag once;
  static dnnl::engine* engine = nullptr;
  std::call_once(once, [] {
    omp_set_num_threads(1);
    engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);  // lives as long as the process
  });
  return *engine;
}

class OnednnOp : public PeerOp {
 public:
  OnednnOp(dnnl::primitive prim, std::unordered_map<int, memory> args, std::string label)
      : prim_(std::move(prim)),
        args_(std::move(args)),
        stream_(Engine()),
        label_(std::move(label)) {}
  bool Run(std::string* error) override {
    try {
      prim_.execute(stream_, args_);
      stream_.wait();
    } catch (const dnnl::error& e) {
      *error = std::string("oneDNN execute: ") + e.what();
      return false;
    }
    return true;
  }
  std::string Label() const override { return label_; }

 private:
  dnnl::primitive prim_;
  std::unordered_map<int, memory> args_;
  dnnl::stream stream_;
  std::string label_;
};

dnnl::primitive_attr Attr(sk_activation act) {
  dnnl::post_ops ops;
  if (act == SK_ACT_RELU) ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
  if (act == SK_ACT_RELU6) ops.append_eltwise(1.0f, algorithm::eltwise_clip, 0.0f, 6.0f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

}  // namespace

std::string OnednnIsa() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic:
      return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops:
      return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "isa_" + std::to_string(static_cast<int>(dnnl::get_effective_cpu_isa()));
  }
}

std::string OnednnVersion() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

std::unique_ptr<PeerOp> CreateOnednnOp(const Layer& l, const float* weights, const float* bias,
                                       const float* input, float* output, std::string* why) {
  try {
    dnnl::engine& eng = Engine();
    const memory::dim n = l.n, ic = l.c_in, ih = l.h, iw = l.w, oc = l.c_out, oh = l.OutH(),
                      ow = l.OutW();
    const memory::dim k = l.kernel, s = l.stride, p = l.pad;
    const memory::desc src_md({n, ic, ih, iw}, dt::f32, tag::nhwc);
    const memory::desc dst_md({n, oc, oh, ow}, dt::f32, tag::nhwc);
    memory src(src_md, eng, const_cast<float*>(input));  // only read by forward primitives
    memory dst(dst_md, eng, output);
    // Bottom/right padding that reproduces a ceil-mode output size.
    const memory::dim pb = std::max<memory::dim>(p, (oh - 1) * s + k - ih - p);
    const memory::dim pr = std::max<memory::dim>(p, (ow - 1) * s + k - iw - p);

    if (l.op == OpKind::kConv) {
      const memory::dim g = l.groups;
      memory::dims wdims =
          g > 1 ? memory::dims{g, oc / g, ic / g, k, k} : memory::dims{oc, ic, k, k};
      const memory::desc user_w_md(wdims, dt::f32, g > 1 ? tag::goihw : tag::oihw);
      const memory::desc any_w_md(wdims, dt::f32, tag::any);
      const memory::desc bias_md({oc}, dt::f32, tag::x);
      dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                        algorithm::convolution_direct, src_md, any_w_md, bias_md,
                                        dst_md, {s, s}, {p, p}, {p, p});
      dnnl::convolution_forward::primitive_desc pd(d, Attr(l.act), eng);
      if (pd.src_desc() != src_md || pd.dst_desc() != dst_md) {
        *why = "oneDNN changed the activation layout (not NHWC)";
        return nullptr;
      }
      memory user_w(user_w_md, eng, const_cast<float*>(weights));
      memory w(pd.weights_desc(), eng);  // owns its buffer
      dnnl::stream st(eng);
      dnnl::reorder(user_w, w).execute(st, user_w, w);  // once, outside the timed loop
      st.wait();
      memory b(bias_md, eng);
      float* bp = static_cast<float*>(b.get_data_handle());
      for (memory::dim i = 0; i < oc; i++) bp[i] = bias ? bias[i] : 0.0f;
      std::unordered_map<int, memory> args{
          {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, dst}};
      return std::unique_ptr<PeerOp>(
          new OnednnOp(dnnl::convolution_forward(pd), args, pd.impl_info_str()));
    }

    algorithm alg = algorithm::pooling_max;
    memory::dims kernel{k, k}, strides{s, s}, pl{p, p}, pr_dims{pb, pr};
    if (l.op == OpKind::kAvgPool) {
      if (pb != p || pr != p) {
        *why = "ceil-mode average pooling: oneDNN's divisor differs";
        return nullptr;
      }
      alg = l.include_pad ? algorithm::pooling_avg_include_padding
                          : algorithm::pooling_avg_exclude_padding;
    } else if (l.op == OpKind::kGlobalAvgPool) {
      alg = algorithm::pooling_avg_exclude_padding;
      kernel = {ih, iw};
      strides = {1, 1};
      pl = pr_dims = {0, 0};
    }
    if (l.act != SK_ACT_NONE) {
      *why = "fused activation on pooling not wired for oneDNN";
      return nullptr;
    }
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, alg, src_md, dst_md, strides,
                                  kernel, pl, pr_dims);
    dnnl::pooling_forward::primitive_desc pd(d, eng);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    return std::unique_ptr<PeerOp>(
        new OnednnOp(dnnl::pooling_forward(pd), args, pd.impl_info_str()));
  } catch (const dnnl::error& e) {
    *why = std::string("oneDNN: ") + e.what();
    return nullptr;
  }
}

}  // namespace skbench
