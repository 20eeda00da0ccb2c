/*
 * Depthwise 3x3 stride 1 (multiplier 1, dilation 1), NHWC, NEON: strips of 16 outputs x 4 channels
 * (ARMv7: 4 x 8, one load a column; an odd last 4: 8 x 4), each input column loaded once.
 * Remainders: border columns in checked strips of 4 (the last moved back); C % 4 -> generic.
 */
#include "depthwise_neon.h"

void sk_depthwise_nhwc_3x3s1__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  sk_ndw_nhwc_ks(3, 1, p, packed, input, output);
}
