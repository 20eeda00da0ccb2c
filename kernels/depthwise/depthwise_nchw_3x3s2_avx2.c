/*
 * Depthwise 3x3 stride 2 (dilation 1, any multiplier), NCHW, AVX2+FMA: tiles of 8 output rows
 * x 8 outputs per plane over a zero-padded scratch copy of the band's rows; evens: 2 loads+shuffle.
 * Remainders: 4-row tiles for the last 1..4 rows; rows/lanes past the output not stored.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nchw_avx2.h"

static void sk_dwc_band_3x3s2(const sk_dwc_band *b) { sk_dwc_band_ks(3, 2, b); }

void sk_depthwise_nchw_3x3s2__avx2(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  if (!sk_dwc_nchw_drive(p, packed, input, output, 0, sk_dwc_band_3x3s2))
    sk_depthwise_nchw__scalar(p, packed, input, output);
}
