/*
 * Depthwise 3x3 stride 1 (multiplier 1, dilation 1), NHWC, AVX2+FMA: a ring of 3 accumulators
 * x 2 output rows x 8 channels slides along the rows (inputs loaded once), 9 weights in registers.
 * Remainders: border rows and channels % 8 -> generic kernel; right border: clipped-tap pixels.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nhwc_avx2.h"

void sk_depthwise_nhwc_3x3s1__avx2(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  sk_dw_nhwc_ks(3, 1, 2, p, packed, input, output);
}
