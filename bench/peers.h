// Peer libraries benchmarked in the same run as simdkern, when CMake found
// them: XNNPACK (peers_xnnpack.cc) and oneDNN (peers_onednn.cc). Both run fp32
// NHWC, batch as in the layer, on the calling thread only. A peer op is
// created (weights packed or reordered once) and bound to the caller's
// buffers outside the timed loop; Run() is what the loop times.
#ifndef SIMDKERN_BENCH_PEERS_H
#define SIMDKERN_BENCH_PEERS_H

#include <memory>
#include <string>

#include "layers.h"

namespace skbench {

class PeerOp {
 public:
  virtual ~PeerOp() = default;
  virtual bool Run(std::string* error) = 0;  // false on a library error
  virtual std::string Label() const = 0;     // what ran, e.g. "jit:avx2"
};

// weights: c_out x (c_in/groups) x k x k in OIHW (PyTorch) order; bias:
// c_out floats (conv only). input/output: NHWC, sizes per layer.OutH/OutW.
// Return nullptr and set *why when the library cannot express the layer
// (e.g. ceil-mode average pooling) or fails to create it.
using PeerFactory = std::unique_ptr<PeerOp> (*)(const Layer& layer, const float* weights,
                                                const float* bias, const float* input,
                                                float* output, std::string* why);

#ifdef SK_BENCH_HAVE_XNNPACK
std::unique_ptr<PeerOp> CreateXnnpackOp(const Layer& layer, const float* weights, const float* bias,
                                        const float* input, float* output, std::string* why);
// The ISA of the XNNPACK kernels for convolutions (conv = true: its f32
// GEMM, IGEMM and depthwise kernels follow the best ISA cpuinfo reports,
// "avx512f" on an AVX-512 CPU) or pooling (Debian's 2022 XNNPACK has SSE
// pooling kernels on x86: "sse"). Checked here with perf + objdump.
std::string XnnpackIsa(bool conv);
#endif

#ifdef SK_BENCH_HAVE_ONEDNN
std::unique_ptr<PeerOp> CreateOnednnOp(const Layer& layer, const float* weights, const float* bias,
                                       const float* input, float* output, std::string* why);
// oneDNN's effective ISA (after ONEDNN_MAX_CPU_ISA), e.g. "avx2",
// "avx512_core_vnni", and its version "2.6.3".
std::string OnednnIsa();
std::string OnednnVersion();
#endif

}  // namespace skbench

#endif  // SIMDKERN_BENCH_PEERS_H
