/*
 * Depthwise conv, NCHW, AVX2+FMA, any kernel/stride/dilation/multiplier: tiles of 8 output rows x
 * 8 outputs per plane over a padded, phase-split scratch copy of the band's input rows, taps outer.
 * Remainders: 4-row tiles for the last 1..4 rows; rows/lanes past the output not stored.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nchw_avx2.h"

/* R output rows x 8 outputs, any geometry: one weight broadcast per tap,
 * one load per tap and row. src: the tile's first output column in phase 0
 * of its first band row. */
SK_ALWAYS_INLINE void sk_dwc_tile_any(size_t R, const sk_dwc_band *b, const float *src, float *dst,
                                      size_t nrow, size_t n) {
  const size_t rs = b->rs, row_step = b->sh * rs;
  __m256 acc[8];
  const __m256 bias = _mm256_set1_ps(b->bias);
  SK_DWC_UNROLL
  for (size_t r = 0; r < R; r++) acc[r] = bias;
  const float *w = b->w;
  for (size_t ky = 0; ky < b->kh; ky++) {
    for (size_t kx = 0; kx < b->kw; kx++, w += b->nr) {
      const size_t t = kx * b->dw;
      const float *q = src + ky * b->dh * rs + (t % b->sw) * b->pw + t / b->sw;
      const __m256 wv = _mm256_broadcast_ss(w);
      SK_DWC_UNROLL
      for (size_t r = 0; r < R; r++)
        acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(q + r * row_step), wv, acc[r]);
    }
  }
  sk_dwc_store(R, acc, dst, b->out_w, nrow, n, b->lo, b->hi);
}

static void sk_dwc_band_any(const sk_dwc_band *b) {
  for (size_t r0 = 0; r0 < b->rows; r0 += 8) {
    const size_t nrow = b->rows - r0;
    const float *src = b->buf + r0 * b->sh * b->rs;
    float *dst = b->out + r0 * b->out_w;
    for (size_t c0 = 0; c0 < b->cols; c0 += 8) {
      const size_t n = b->cols - c0 < 8 ? b->cols - c0 : 8;
      if (nrow > 4)
        sk_dwc_tile_any(8, b, src + c0, dst + c0, nrow, n);
      else
        sk_dwc_tile_any(4, b, src + c0, dst + c0, nrow, n);
    }
  }
}

void sk_depthwise_nchw_generic_8x8__avx2(const sk_conv_params *p, const float *packed,
                                         const float *input, float *output) {
  if (!sk_dwc_nchw_drive(p, packed, input, output, 1, sk_dwc_band_any))
    sk_depthwise_nchw__scalar(p, packed, input, output);
}
