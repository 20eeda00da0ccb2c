/*
 * Depthwise 5x5 stride 1 (multiplier 1, dilation 1), NHWC, AVX2+FMA: a ring of 5 accumulators
 * x 1 output row x 8 channels slides along the rows (inputs loaded once), 25 weights hoisted.
 * Remainders: border rows and channels % 8 -> generic kernel; right border: clipped-tap pixels.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nhwc_avx2.h"

void sk_depthwise_nhwc_5x5s1__avx2(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  sk_dw_nhwc_ks(5, 1, 1, p, packed, input, output);
}
