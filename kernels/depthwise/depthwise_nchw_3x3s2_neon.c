/*
 * Depthwise 3x3 stride 2 (dilation 1, any multiplier), NCHW, NEON: tiles of 4 output rows x
 * 8 outputs per plane, FMA by lane; LD2 splits even/odd columns (AArch64 interior: one LD4 step).
 * Remainders: last tiles moved back (overlap); edge vectors window+TBL; border rows generic.
 */
#include "depthwise_neon.h"

void sk_depthwise_nchw_3x3s2__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  sk_ndwc_nchw_ks(3, 2, p, packed, input, output);
}
