/*
 * 1x1 convolution, NCHW, AVX2+FMA: a GEMM over pixels, 4 output channels x 24 pixels (12 ymm),
 * nr = 8; stride 1 runs along the flattened plane, stride 2 deinterleaves each row (no copy).
 * Padded pixels get bias (masked loads); 16/8-pixel remainders run 4x16/8x8, < 8 a pixel kernel.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_kernels.h"
#include "sk_nchw_conv_avx2.h"

void sk_pointwise_nchw_4x24__avx2(const sk_conv_params *p, const float *packed, const float *input,
                                  float *output) {
  skn_conv(p, packed, input, output, 1);
}
