/*
 * 1x1 conv, NCHW, AVX2+FMA: a GEMM over pixels, 4 out channels x 24 pixels (12 ymm), nr = 8;
 * stride 1 along the flattened plane, stride 2 deinterleaves rows in registers (no copy). Padded
 * pixels get bias (masked loads). Remainders: 4x16/8x8 tiles; < 8 px: 1 px x 64 ch kernel.
 * The engine (kernels/sk_nchw_conv_avx2.h) is instantiated once, in conv2d_nchw_direct_4x24_avx2.c.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_kernels.h"

void sk_pointwise_nchw_4x24__avx2(const sk_conv_params *p, const float *packed, const float *input,
                                  float *output) {
  sk_nchw_conv_4x24__avx2(p, packed, input, output, 1); /* conv2d_nchw_direct_4x24_avx2.c */
}
