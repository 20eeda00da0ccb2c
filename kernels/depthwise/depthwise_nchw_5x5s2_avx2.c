/*
 * Depthwise 5x5 stride 2 (dilation 1, any multiplier), NCHW, AVX2+FMA: tiles of 4 output rows
 * x 16 outputs per plane, kernel column outermost, weights broadcast; evens: 2 loads+shuffle.
 * Remainders: last tiles moved back (overlap); edge vectors masked+shifted; border rows generic.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nchw_avx2.h"

void sk_depthwise_nchw_5x5s2__avx2(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  sk_dwc_nchw_ks(5, 2, 4, p, packed, input, output);
}
