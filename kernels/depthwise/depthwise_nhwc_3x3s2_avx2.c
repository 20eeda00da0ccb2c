/*
 * Depthwise 3x3 stride 2 (multiplier 1, dilation 1), NHWC, AVX2+FMA: groups of 8 output pixels
 * x 8 channels along a row (4 x 16 for 256 channels or a multiple of 512: L1 set conflicts),
 * the 3 weights of a tap row in registers, each input column loaded once. Remainders: border
 * groups skip padded columns; channels % 8 and narrow rows: masked table loads.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nhwc_avx2.h"

static __attribute__((noinline)) void sk_dw_masked_3x3s2(const sk_dw_ctx *c, const char *base,
                                                         const sk_dw_tab *t, int tail, size_t nky,
                                                         const float *blk, size_t wofs, char *dst,
                                                         size_t n) {
  sk_dw_masked(3, 2, c, base, t, tail, nky, blk, wofs, dst, n);
}

static void sk_dw_tile_3x3s2(const sk_dw_ctx *c, size_t oy0, size_t oy1, size_t s0, size_t s1) {
  sk_dw_tile(3, 2, sk_dw_masked_3x3s2, c, oy0, oy1, s0, s1);
}

void sk_depthwise_nhwc_3x3s2__avx2(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  if (!sk_dw_nhwc_drive(p, packed, input, output, 3, 2, sk_dw_tile_3x3s2))
    sk_depthwise_nhwc_generic_8x8__avx2(p, packed, input, output);
}
