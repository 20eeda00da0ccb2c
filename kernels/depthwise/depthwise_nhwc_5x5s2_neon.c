/*
 * Depthwise 5x5 stride 2 (multiplier 1, dilation 1), NHWC, NEON: strips of 16 (AArch64) or 8
 * (ARMv7) outputs x 4 channels, 5 weight vectors per kernel row, each input column loaded once.
 * Remainders: border columns in checked strips of 4 (the last moved back); C % 4 -> generic.
 */
#include "depthwise_neon.h"

void sk_depthwise_nhwc_5x5s2__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  sk_ndw_nhwc_ks(5, 2, p, packed, input, output);
}
