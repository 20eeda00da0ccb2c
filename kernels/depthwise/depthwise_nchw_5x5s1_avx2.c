/*
 * Depthwise 5x5 stride 1 conv (dilation 1, any multiplier), NCHW, AVX2+FMA: tiles of 4 output
 * rows x 16 outputs (2 ymm) per channel plane, kernel column outermost with its weights broadcast.
 * Remainders: 1-row and 8-output tiles; border rows clip taps; edge vectors zero-fill/mask.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nchw_avx2.h"

void sk_depthwise_nchw_5x5s1__avx2(const sk_conv_params *p, const float *packed,
                                   const float *input, float *output) {
  sk_dwc_nchw_ks(5, 1, 4, p, packed, input, output);
}
