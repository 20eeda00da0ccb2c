/*
 * Depthwise 3x3 stride 1 conv (multiplier 1, dilation 1), NHWC, AVX2+FMA: strips of
 * 1 row x 6 output pixels x 8 channels, all 3x3 weights held in ymm registers; each input vector feeds all its taps.
 * Remainders: single-pixel strips; channels < 8 masked; border pixels via clipped taps.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nhwc_avx2.h"

void sk_depthwise_nhwc_3x3s1__avx2(const sk_conv_params *p, const float *packed,
                                     const float *input, float *output) {
  sk_dw_nhwc_ks(3, 1, p, packed, input, output);
}
