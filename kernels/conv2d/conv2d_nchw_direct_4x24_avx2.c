/*
 * Direct KxK conv, NCHW, AVX2+FMA: 4 out channels x 24 pixels (12 ymm), nr = 8, along the flat
 * plane (stride 1, same width) or a row (stride 2: deinterleave). Border taps: masked or AND-ed
 * loads; in_c <= 8: zero-padded stack rows. Remainders: 4x16/8x8 tiles; < 8 px: 1 px x 64 ch.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_kernels.h"
#include "sk_nchw_conv_avx2.h"

/* The engine is instantiated once, here; the pointwise entry calls it too. */
void sk_nchw_conv_4x24__avx2(const sk_conv_params *p, const float *packed, const float *input,
                             float *output, int pointwise) {
  skn_conv(p, packed, input, output, pointwise);
}

void sk_conv2d_nchw_direct_4x24__avx2(const sk_conv_params *p, const float *packed,
                                      const float *input, float *output) {
  sk_nchw_conv_4x24__avx2(p, packed, input, output, 0);
}
