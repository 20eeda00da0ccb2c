/*
 * Direct KxK convolution, NCHW, AVX2+FMA: 4 output channels x 24 output pixels (12 ymm), nr = 8,
 * vectorized over pixels (flattened plane for stride 1 "same" width, else per row; stride 2 by
 * deinterleave). Borders: masked loads per tap; few-channel first layers use a zero-padded stack
 * copy; 16/8-pixel remainders run 4x16/8x8 tiles, < 8 pixels a 1 pixel x 64 channel kernel.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_kernels.h"
#include "sk_nchw_conv_avx2.h"

void sk_conv2d_nchw_direct_4x24__avx2(const sk_conv_params *p, const float *packed,
                                      const float *input, float *output) {
  skn_conv(p, packed, input, output, 0);
}
