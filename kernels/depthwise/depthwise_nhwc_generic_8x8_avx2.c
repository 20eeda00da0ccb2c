/*
 * Depthwise conv, NHWC, AVX2+FMA, any kernel/stride/dilation/multiplier: strips of 8 output pixels
 * x 8 channels, one weight vector per tap; multiplier > 1: input lanes oc/mult by load + permute.
 * Remainders: strips of 4/2/1 pixels; channels % 8 masked; border pixels via clipped taps.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nhwc_avx2.h"

#define UW 8

/* uw pixels of one row from input column col0 (all kx taps inside the input),
 * row taps [ky_lo, ky_hi); base points at row iy0 (tap ky_lo), channel in_off. */
SK_ALWAYS_INLINE void sk_dw_strip_any(size_t uw, int masked, int gather, const sk_conv_params *p,
                                      const sk_dw_cb *cb, const float *base, size_t ky_lo,
                                      size_t ky_hi, size_t col0, float *dst, __m256 lo, __m256 hi) {
  const size_t C = p->in_c, out_c = p->out_c, kw = p->kernel_w, nr = p->nr;
  const size_t row_step = p->dil_h * p->in_w * C, col_step = p->dil_w * C;
  const size_t px_step = p->stride_w * C;
  const __m256i lmask = cb->lmask, perm = cb->perm;
  __m256 acc[UW];
  const __m256 bias = _mm256_loadu_ps(cb->w);
  SK_DW_UNROLL
  for (size_t o = 0; o < uw; o++) acc[o] = bias;
  for (size_t ky = ky_lo; ky < ky_hi; ky++) {
    const float *r = base + (ky - ky_lo) * row_step + col0 * C;
    const float *w = cb->w + (1 + ky * kw) * nr;
    for (size_t kx = 0; kx < kw; kx++) {
      const __m256 wv = _mm256_loadu_ps(w + kx * nr);
      const float *src = r + kx * col_step;
      SK_DW_UNROLL
      for (size_t o = 0; o < uw; o++)
        acc[o] =
            _mm256_fmadd_ps(sk_dw_load(src + o * px_step, masked, gather, lmask, perm), wv, acc[o]);
    }
  }
  SK_DW_UNROLL
  for (size_t o = 0; o < uw; o++)
    sk_dw_store(dst + o * out_c, sk_clamp8(acc[o], lo, hi), cb->smasked, cb->smask);
}

SK_ALWAYS_INLINE void sk_dw_row_any(int masked, int gather, const sk_conv_params *p,
                                    const sk_dw_cb *cb, const float *base, size_t ky_lo,
                                    size_t ky_hi, size_t ox_a, size_t ox_b, float *orow, __m256 lo,
                                    __m256 hi) {
  const size_t s = p->stride_w, pl = p->pad_left, out_c = p->out_c;
  size_t ox = ox_a;
  for (; ox + UW <= ox_b; ox += UW)
    sk_dw_strip_any(UW, masked, gather, p, cb, base, ky_lo, ky_hi, ox * s - pl, orow + ox * out_c,
                    lo, hi);
  if (ox + 4 <= ox_b) {
    sk_dw_strip_any(4, masked, gather, p, cb, base, ky_lo, ky_hi, ox * s - pl, orow + ox * out_c,
                    lo, hi);
    ox += 4;
  }
  if (ox + 2 <= ox_b) {
    sk_dw_strip_any(2, masked, gather, p, cb, base, ky_lo, ky_hi, ox * s - pl, orow + ox * out_c,
                    lo, hi);
    ox += 2;
  }
  if (ox < ox_b)
    sk_dw_strip_any(1, masked, gather, p, cb, base, ky_lo, ky_hi, ox * s - pl, orow + ox * out_c,
                    lo, hi);
}

void sk_dw_nhwc_generic_part(const sk_conv_params *p, const float *packed, const float *input,
                             float *output, size_t oy0, size_t oy1, size_t oc_begin) {
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t in_w = p->in_w, out_w = p->out_w, in_c = p->in_c, out_c = p->out_c;
  size_t ox_a, ox_b;
  sk_dw_interior_cols(p, &ox_a, &ox_b);
  for (size_t oy = oy0; oy < oy1; oy++) {
    size_t ky_lo, ky_hi, iy0;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy0);
    float *orow = output + oy * out_w * out_c;
    sk_dw_cb cb;
    sk_dw_cb_first(&cb, p, packed);
    for (size_t oc0 = 0; oc0 < out_c; oc0 += 8) {
      if (oc0 != 0) sk_dw_cb_next(&cb, p);
      if (oc0 < oc_begin) continue;
      const float *base = input + iy0 * in_w * in_c + cb.in_off;
      if (!cb.gather) {
        if (cb.lmasked)
          sk_dw_row_any(1, 0, p, &cb, base, ky_lo, ky_hi, ox_a, ox_b, orow + oc0, lo, hi);
        else
          sk_dw_row_any(0, 0, p, &cb, base, ky_lo, ky_hi, ox_a, ox_b, orow + oc0, lo, hi);
      } else {
        if (cb.lmasked)
          sk_dw_row_any(1, 1, p, &cb, base, ky_lo, ky_hi, ox_a, ox_b, orow + oc0, lo, hi);
        else
          sk_dw_row_any(0, 1, p, &cb, base, ky_lo, ky_hi, ox_a, ox_b, orow + oc0, lo, hi);
      }
      sk_dw_row_borders(p, &cb, input, ky_lo, ky_hi, iy0, ox_a, ox_b, orow, oc0, lo, hi);
    }
  }
}

void sk_depthwise_nhwc_generic_8x8__avx2(const sk_conv_params *p, const float *packed,
                                         const float *input, float *output) {
  sk_dw_nhwc_generic_part(p, packed, input, output, 0, p->out_h, 0);
}
