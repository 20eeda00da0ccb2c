// XNNPACK as a peer: fp32 NHWC operators through its operator API
// (xnn_create_* once, xnn_setup_* once to bind the buffers, xnn_run_operator
// timed), NULL threadpool, so everything runs on the calling thread.
// Weights go in as XNNPACK's [groups][out/groups][kh][kw][in/groups] (OHWI).

#include <xnnpack.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "peers.h"

namespace skbench {
namespace {

const char* XnnStatus(xnn_status s) {
  switch (s) {
    case xnn_status_success:
      return "success";
    case xnn_status_uninitialized:
      return "uninitialized";
    case xnn_status_invalid_parameter:
      return "invalid parameter";
    case xnn_status_invalid_state:
      return "invalid state";
    case xnn_status_unsupported_parameter:
      return "unsupported parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported hardware";
    case xnn_status_out_of_memory:
      return "out of memory";
  }
  return "unknown status";
}

class XnnpackOp : public PeerOp {
 public:
  explicit XnnpackOp(xnn_operator_t op) : op_(op) {}
  ~XnnpackOp() override { xnn_delete_operator(op_); }
  bool Run(std::string* error) override {
    const xnn_status s = xnn_run_operator(op_, /*threadpool=*/nullptr);
    if (s != xnn_status_success) *error = std::string("xnn_run_operator: ") + XnnStatus(s);
    return s == xnn_status_success;
  }
  std::string Label() const override { return "xnnpack:" + XnnpackIsa(conv_); }
  bool conv_ = true;

 private:
  xnn_operator_t op_;
};

bool Initialize(std::string* why) {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(/*allocator=*/nullptr); });
  if (status != xnn_status_success) *why = std::string("xnn_initialize: ") + XnnStatus(status);
  return status == xnn_status_success;
}

void ActivationBounds(sk_activation act, float* lo, float* hi) {
  const float inf = std::numeric_limits<float>::infinity();
  *lo = -inf;
  *hi = inf;
  if (act == SK_ACT_RELU || act == SK_ACT_RELU6) *lo = 0.0f;
  if (act == SK_ACT_RELU6) *hi = 6.0f;
}

}  // namespace

std::string XnnpackIsa(bool conv) {
#if defined(__x86_64__) || defined(__i386__)
  // XNNPACK (via cpuinfo) picks its f32 GEMM, IGEMM and depthwise
  // microkernels for the best of these the CPU and OS support; its f32
  // pooling kernels are SSE ones (xmm registers in the hot loops).
  if (!conv) return "sse";
  if (__builtin_cpu_supports("avx512f")) return "avx512f";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "fma3";
  if (__builtin_cpu_supports("avx")) return "avx";
  return "sse";
#elif defined(__aarch64__) || defined(__arm__)
  return "neon";
#else
  return "scalar";
#endif
}

std::unique_ptr<PeerOp> CreateXnnpackOp(const Layer& l, const float* weights, const float* bias,
                                        const float* input, float* output, std::string* why) {
  if (!Initialize(why)) return nullptr;
  float lo, hi;
  ActivationBounds(l.act, &lo, &hi);
  xnn_operator_t op = nullptr;
  xnn_status s = xnn_status_success;
  const char* what = "";
  // Ceil mode: extra bottom/right padding gives the same output size (padding
  // never wins a max); average pooling would change its divisor, so no.
  const uint32_t extra_b = (l.OutH() - 1) * l.stride + l.kernel > l.h + 2 * l.pad
                               ? (l.OutH() - 1) * l.stride + l.kernel - (l.h + 2 * l.pad)
                               : 0;
  const uint32_t extra_r = (l.OutW() - 1) * l.stride + l.kernel > l.w + 2 * l.pad
                               ? (l.OutW() - 1) * l.stride + l.kernel - (l.w + 2 * l.pad)
                               : 0;
  switch (l.op) {
    case OpKind::kConv: {
      const size_t cin_g = l.c_in / l.groups, cout_g = l.c_out / l.groups,
                   kk = size_t{l.kernel} * l.kernel;
      std::vector<float> ohwi(size_t{l.c_out} * cin_g * kk);  // OIHW -> OHWI
      for (size_t o = 0; o < l.c_out; o++)
        for (size_t i = 0; i < cin_g; i++)
          for (size_t t = 0; t < kk; t++)
            ohwi[(o * kk + t) * cin_g + i] = weights[(o * cin_g + i) * kk + t];
      what = "xnn_create_convolution2d_nhwc_f32";
      s = xnn_create_convolution2d_nhwc_f32(l.pad, l.pad, l.pad, l.pad, l.kernel, l.kernel,
                                            l.stride, l.stride, 1, 1, l.groups, cin_g, cout_g,
                                            l.c_in, l.c_out, ohwi.data(), bias, lo, hi, 0,
                                            &op);  // packs (copies) the weights
      if (s == xnn_status_success) {
        what = "xnn_setup_convolution2d_nhwc_f32";
        s = xnn_setup_convolution2d_nhwc_f32(op, l.n, l.h, l.w, input, output, nullptr);
      }
      break;
    }
    case OpKind::kMaxPool:
      what = "xnn_create_max_pooling2d_nhwc_f32";
      s = xnn_create_max_pooling2d_nhwc_f32(l.pad, l.pad + extra_r, l.pad + extra_b, l.pad,
                                            l.kernel, l.kernel, l.stride, l.stride, 1, 1, l.c_in,
                                            l.c_in, l.c_in, lo, hi, 0, &op);
      if (s == xnn_status_success) {
        what = "xnn_setup_max_pooling2d_nhwc_f32";
        s = xnn_setup_max_pooling2d_nhwc_f32(op, l.n, l.h, l.w, input, output, nullptr);
      }
      break;
    case OpKind::kAvgPool:
      // XNNPACK divides by the number of real input elements in the window
      // (count_include_pad=False), our default.
      if (l.include_pad && l.pad) {
        *why = "XNNPACK average pooling has no count-include-pad";
        return nullptr;
      }
      if (extra_b || extra_r) {
        *why = "XNNPACK average pooling has no ceil mode";
        return nullptr;
      }
      what = "xnn_create_average_pooling2d_nhwc_f32";
      s = xnn_create_average_pooling2d_nhwc_f32(l.pad, l.pad, l.pad, l.pad, l.kernel, l.kernel,
                                                l.stride, l.stride, l.c_in, l.c_in, l.c_in, lo, hi,
                                                0, &op);
      if (s == xnn_status_success) {
        what = "xnn_setup_average_pooling2d_nhwc_f32";
        s = xnn_setup_average_pooling2d_nhwc_f32(op, l.n, l.h, l.w, input, output, nullptr);
      }
      break;
    case OpKind::kGlobalAvgPool:
      what = "xnn_create_global_average_pooling_nwc_f32";
      s = xnn_create_global_average_pooling_nwc_f32(l.c_in, l.c_in, l.c_in, lo, hi, 0, &op);
      if (s == xnn_status_success) {
        what = "xnn_setup_global_average_pooling_nwc_f32";
        s = xnn_setup_global_average_pooling_nwc_f32(op, l.n, size_t{l.h} * l.w, input, output,
                                                     nullptr);
      }
      break;
  }
  if (s != xnn_status_success) {
    *why = std::string(what) + ": " + XnnStatus(s);
    if (op) xnn_delete_operator(op);
    return nullptr;
  }
  XnnpackOp* peer = new XnnpackOp(op);
  peer->conv_ = l.IsConv();
  return std::unique_ptr<PeerOp>(peer);
}

}  // namespace skbench
