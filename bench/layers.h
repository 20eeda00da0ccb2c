// The benchmark suites as data: one table per network (bench/suites/<network>.csv,
// embedded at build time; --suites=DIR reads a directory instead). This header is
// the model of one row and the arithmetic every harness part shares (output size,
// MACs, bytes), so the counters of ours and of the peers count the same thing.
#ifndef SIMDKERN_BENCH_LAYERS_H
#define SIMDKERN_BENCH_LAYERS_H

#include <cstdint>
#include <string>
#include <vector>

#include "simdkern.h"

namespace skbench {

enum class OpKind { kConv, kMaxPool, kAvgPool, kGlobalAvgPool };

// What the row benchmarks, finer than OpKind: the --op filter's values.
// "conv" is a direct KxK convolution; pointwise and depthwise follow the
// shape, as sk_conv2d_create picks its kernel family.
enum class OpClass { kConv, kPointwise, kDepthwise, kMaxPool, kAvgPool, kGlobalAvgPool };

struct Layer {
  std::string network;  // file stem of the suite, e.g. "resnet18"
  std::string name;     // e.g. "conv1_7x7s2_3to64"
  OpKind op = OpKind::kConv;
  uint32_t n = 1, c_in = 1, h = 1, w = 1, c_out = 1;
  uint32_t kernel = 1, stride = 1, pad = 0, groups = 1;  // groups: conv only
  sk_activation act = SK_ACT_NONE;
  bool ceil_mode = false;    // pooling: SK_POOL_CEIL_MODE
  bool include_pad = false;  // average pooling: SK_POOL_COUNT_INCLUDE_PAD

  std::string FullName() const { return network + "/" + name; }
  OpClass Class() const;
  bool IsConv() const { return op == OpKind::kConv; }
  // Output height/width (PyTorch's formula; ceil mode as DESIGN.md section 1).
  uint32_t OutH() const;
  uint32_t OutW() const;
  uint64_t InElems() const { return uint64_t{n} * c_in * h * w; }
  uint64_t OutElems() const { return uint64_t{n} * c_out * OutH() * OutW(); }
  uint64_t WeightElems() const;  // conv: weights + bias; pooling: 0
  // 2 * MACs over every kernel tap, padding included (as XNNPACK's and
  // oneDNN's benchmarks count them); pooling: 0.
  double Flops() const;
  // Input + output bytes, the pooling GB/s numerator.
  double IoBytes() const { return 4.0 * double(InElems() + OutElems()); }
  // Input + weights + output bytes: the minimum traffic, for the roofline.
  double MinBytes() const { return IoBytes() + 4.0 * double(WeightElems()); }
  // A key that is equal for equal shapes (suites repeat some layers).
  std::string ShapeKey() const;
};

const char* OpClassName(OpClass c);  // "conv", "pointwise", "depthwise", "maxpool", ...

// Parses one suite (the CSV text of bench/suites/<network>.csv). On a bad row
// returns false and sets *error to "<network>:<line>: <what>".
bool ParseSuite(const std::string& network, const std::string& text, std::vector<Layer>* out,
                std::string* error);

// All suites: embedded ones, or every *.csv in dir when dir is not empty
// (sorted by file name). Returns false with *error on the first bad file.
bool LoadSuites(const std::string& dir, std::vector<Layer>* out, std::string* error);

}  // namespace skbench

#endif  // SIMDKERN_BENCH_LAYERS_H
