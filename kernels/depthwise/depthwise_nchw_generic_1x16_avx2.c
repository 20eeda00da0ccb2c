/*
 * Depthwise conv, NCHW, AVX2+FMA, any kernel/stride/dilation/multiplier: tiles of 1 output row x
 * 16 outputs per plane, taps outermost, weight broadcast; stride 2 deinterleaves, >2 sets lanes.
 * Remainders: 8-output tiles, the last moved back (overlap); edge vectors masked and shifted.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nchw_avx2.h"

/* Columns c, c+s, ..., c+7s of a row of n floats, 0 outside [0, n). */
static inline __m256 sk_dwc_load_strided(const float *row, ptrdiff_t c, size_t s, ptrdiff_t n) {
  float v[8];
  for (size_t j = 0; j < 8; j++) {
    const ptrdiff_t col = c + (ptrdiff_t)(j * s);
    v[j] = col >= 0 && col < n ? row[col] : 0.0f;
  }
  return _mm256_setr_ps(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
}

/*
 * V vectors of one output row from ox, tap rows [ky_lo, ky_hi) from input row
 * iy0. S: 1, 2, or 0 for any other stride (lanes assembled one by one, always
 * edge-safe). edge (V = 1): columns not all inside the row load through the
 * recipes rec[kx] (NULL: made per tap).
 */
SK_ALWAYS_INLINE void sk_dwc_tile_any(size_t S, size_t V, int edge, const sk_conv_params *p,
                                      const sk_dwc_plane *pl, size_t oy, size_t ox, size_t ky_lo,
                                      size_t ky_hi, size_t iy0, const sk_dwc_edge (*rec)[2],
                                      __m256 lo, __m256 hi) {
  const size_t in_w = p->in_w, out_w = p->out_w, nr = p->nr, kw = p->kernel_w;
  const size_t s = p->stride_w, dw = p->dil_w;
  const ptrdiff_t c0 = (ptrdiff_t)(ox * s) - (ptrdiff_t)p->pad_left;
  __m256 acc[SK_DWC_VMAX];
  const __m256 bias = _mm256_set1_ps(pl->bias);
  SK_DWC_UNROLL
  for (size_t v = 0; v < V; v++) acc[v] = bias;
  for (size_t ky = ky_lo; ky < ky_hi; ky++) {
    const float *row = pl->in + (iy0 + (ky - ky_lo) * p->dil_h) * in_w;
    const float *w = pl->w + ky * kw * nr;
    for (size_t kx = 0; kx < kw; kx++) {
      const __m256 wv = _mm256_broadcast_ss(w + kx * nr);
      SK_DWC_UNROLL
      for (size_t v = 0; v < V; v++) {
        const ptrdiff_t c = c0 + (ptrdiff_t)(8 * v * s + kx * dw);
        __m256 x;
        if (S == 0) {
          x = sk_dwc_load_strided(row, c, s, (ptrdiff_t)in_w);
        } else if (edge) {
          sk_dwc_edge e[2];
          const sk_dwc_edge *r = e;
          if (rec != NULL)
            r = rec[kx];
          else
            sk_dwc_edge_init_s(S, e, c, (ptrdiff_t)in_w);
          x = sk_dwc_plain(S, r) ? sk_dwc_load(S, 0, row, c, NULL) : sk_dwc_load(S, 1, row, c, r);
        } else {
          x = sk_dwc_load(S, 0, row, c, NULL);
        }
        acc[v] = _mm256_fmadd_ps(x, wv, acc[v]);
      }
    }
  }
  SK_DWC_UNROLL
  for (size_t v = 0; v < V; v++)
    sk_dwc_store(S == 2 ? 2 : 1, pl->out + oy * out_w + ox + 8 * v, sk_clamp8(acc[v], lo, hi),
                 out_w < 8 ? out_w : 8);
}

/* One output row along the row walk of sk_dwc_plan (as sk_dwc_band). */
SK_ALWAYS_INLINE void sk_dwc_row_any(size_t S, const sk_conv_params *p, const sk_dwc_plane *pl,
                                     size_t oy, size_t ky_lo, size_t ky_hi, size_t iy0,
                                     const sk_dwc_plan *pn, __m256 lo, __m256 hi) {
  size_t n = 0, pos;
  for (size_t ox = 0; ox < p->out_w;) {
    switch (sk_dwc_walk(pn, &ox, &pos)) {
      case SK_DWC_PAIR:
        sk_dwc_tile_any(S, 2, 0, p, pl, oy, pos, ky_lo, ky_hi, iy0, NULL, lo, hi);
        break;
      case SK_DWC_SINGLE:
        sk_dwc_tile_any(S, 1, 0, p, pl, oy, pos, ky_lo, ky_hi, iy0, NULL, lo, hi);
        break;
      default:
        sk_dwc_tile_any(S, 1, 1, p, pl, oy, pos, ky_lo, ky_hi, iy0, sk_dwc_plan_rec(pn, n++), lo,
                        hi);
        break;
    }
  }
}

void sk_dwc_nchw_generic_rows(const sk_conv_params *p, const sk_dwc_plane *pl, size_t oy0,
                              size_t oy1, const sk_dwc_plan *pn) {
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t sw = p->stride_w;
  for (size_t oy = oy0; oy < oy1; oy++) {
    size_t ky_lo, ky_hi, iy0;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy0);
    if (sw == 1)
      sk_dwc_row_any(1, p, pl, oy, ky_lo, ky_hi, iy0, pn, lo, hi);
    else if (sw == 2)
      sk_dwc_row_any(2, p, pl, oy, ky_lo, ky_hi, iy0, pn, lo, hi);
    else
      sk_dwc_row_any(0, p, pl, oy, ky_lo, ky_hi, iy0, pn, lo, hi);
  }
}

void sk_depthwise_nchw_generic_1x16__avx2(const sk_conv_params *p, const float *packed,
                                          const float *input, float *output) {
  const size_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const size_t nr = p->nr, bsize = sk_packed_block_size(p);
  sk_dwc_plan pn;
  sk_dwc_plan_init(&pn, p, p->kernel_w, p->stride_w);
  const float *blk = packed;
  size_t lane = 0, q = 0, ph = 0; /* oc % nr; oc / mult, oc % mult */
  for (size_t oc = 0; oc < p->out_c; oc++) {
    sk_dwc_plane pl;
    pl.in = input + q * in_plane;
    pl.out = output + oc * out_plane;
    pl.bias = blk[lane];
    pl.w = blk + nr + lane;
    sk_dwc_nchw_generic_rows(p, &pl, 0, p->out_h, &pn);
    if (++lane == nr) {
      lane = 0;
      blk += bsize;
    }
    if (++ph == p->mult) {
      ph = 0;
      q++;
    }
  }
}
