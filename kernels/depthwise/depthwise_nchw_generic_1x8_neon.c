/*
 * Depthwise conv, NCHW, NEON, any kernel/stride/dilation/multiplier: tiles of 1 output row x 8
 * outputs per plane, taps outermost, weight broadcast; stride 2 takes LD2's even lanes.
 * Remainders: 4-output tiles, the last moved back (overlap); edge vectors window+TBL; else lanes.
 */
#include "depthwise_neon.h"

/* ---- helpers shared with the specialised NCHW kernels (cold) ---- */

void sk_ndwc_rec_init(sk_ndwc_rec *e, size_t S, ptrdiff_t c, ptrdiff_t n) {
  const ptrdiff_t win = S == 1 ? 4 : 8;
  const ptrdiff_t off = c < 0 ? 0 : (c + win > n ? n - win : c);
  int fe[4], fo[4];
  for (ptrdiff_t l = 0; l < 4; l++) {
    const ptrdiff_t ce = c + l * (ptrdiff_t)S, co = ce + 1;
    fe[l] = ce >= 0 && ce < n ? (int)(ce - off) : -1;
    fo[l] = S == 2 && co >= 0 && co < n ? (int)(co - off) : -1;
  }
  e->off = (size_t)off;
  e->plain = c >= 0 && c + win <= n;
  e->ie = sk_ndw_tbl_index(fe);
  e->io = sk_ndw_tbl_index(fo);
}

void sk_ndwc_plan_init(sk_ndwc_plan *pn, const sk_conv_params *p, size_t K, size_t S, size_t ksteps,
                       size_t st) {
  const size_t pl = p->pad_left, in_w = p->in_w, out_w = p->out_w;
  /* output ox reads columns ox*S - pl .. + (K-1)*dil_w (+1 more for S = 2) */
  const size_t last = (K - 1) * p->dil_w + (S == 2);
  size_t a = (pl + S - 1) / S, b = 0;
  if (in_w - 1 + pl >= last) b = (in_w - 1 + pl - last) / S + 1;
  if (b > out_w) b = out_w;
  if (a > b) a = b;
  pn->narrow = S > 2 || in_w < 4 * S;
  if (pn->narrow) a = b = 0;
  pn->ox_a = a;
  pn->ox_b = b;
  pn->out_w = out_w;
  size_t ox = 0; /* the left edge vectors end at i0 */
  while (ox < a && ox < out_w) ox = sk_ndwc_vpos(ox, out_w) + 4;
  pn->i0 = ox < out_w ? ox : out_w;
  pn->i1 = b >= pn->i0 + 4 ? b : pn->i0;
  pn->have = !pn->narrow && ksteps <= SK_NDWC_EDGE_KMAX;
  if (!pn->have) return;
  size_t n = 0, pos;
  for (ox = 0; ox < out_w;) {
    if (sk_ndwc_walk(pn, &ox, &pos) == SK_NDWC_PAIR) continue;
    if (n == SK_NDWC_EDGE_MAX) {
      pn->have = 0;
      return;
    }
    const ptrdiff_t c0 = (ptrdiff_t)(pos * S) - (ptrdiff_t)pl;
    for (size_t j = 0; j < ksteps; j++)
      sk_ndwc_rec_init(&pn->rec[n][j], S, c0 + (ptrdiff_t)(j * st), (ptrdiff_t)in_w);
    n++;
  }
}

void sk_ndwc_wcols_init(sk_ndwc_wcols *wc, size_t K, size_t S, const float *w) {
  const size_t steps = (K + S - 1) / S;
  for (size_t j = 0; j < steps; j++) {
    float *b = wc->w + 12 * j;
    const size_t a = j * S, n = S == 2 && a + 1 < K ? 2 : 1; /* columns a, a + 1 (pairs) */
    for (size_t t = 0; t < 12; t++) b[t] = 0.0f;
    for (size_t c = 0; c < n; c++)
      for (size_t ky = 0; ky < K; ky++)
        b[ky < 4 ? 4 * c + ky : 8 + c] = w[(ky * K + a + c) * 4]; /* tap (ky, a + c) */
  }
}

/* ---- the generic kernel ---- */

/* Columns c, c+s, c+2s, c+3s of a row of n floats, 0 outside [0, n). */
static inline float32x4_t sk_ndwc_load_lanes(const float *row, ptrdiff_t c, size_t s, ptrdiff_t n) {
  float v[4];
  for (size_t j = 0; j < 4; j++) {
    const ptrdiff_t col = c + (ptrdiff_t)(j * s);
    v[j] = col >= 0 && col < n ? row[col] : 0.0f;
  }
  return vld1q_f32(v);
}

/* How a V = 1 tile of sk_ndwc_tile_any loads (a run-time choice, so one
 * instance serves interior remainders and edge vectors). */
enum { SK_NDWC_LD_PLAIN, SK_NDWC_LD_REC, SK_NDWC_LD_MAKE };

/*
 * V vectors of one output row from ox, tap rows [ky_lo, ky_hi) from input
 * row iy0. S: 1, 2, or 0 for lane-by-lane loads (other strides, narrow
 * rows; always edge-safe). V = 1 (S 1, 2): ld says how: plain loads, through
 * the recipes rec[kx], or through recipes made per tap.
 */
SK_ALWAYS_INLINE void sk_ndwc_tile_any(size_t S, size_t V, const sk_conv_params *p,
                                       const sk_ndwc_plane *pl, size_t oy, size_t ox, size_t ky_lo,
                                       size_t ky_hi, size_t iy0, int ld, const sk_ndwc_rec *rec) {
  const size_t in_w = p->in_w, out_w = p->out_w, kw = p->kernel_w;
  const size_t s = p->stride_w, dw = p->dil_w;
  const ptrdiff_t c0 = (ptrdiff_t)(ox * s) - (ptrdiff_t)p->pad_left;
  float32x4_t acc[2];
  const float32x4_t bias = vdupq_n_f32(pl->bias);
  SK_NDW_UNROLL
  for (size_t v = 0; v < V; v++) acc[v] = bias;
  SK_NDW_OPAQUE(ld); /* one copy of the loops, not one per kind of load */
  const float *row = pl->in + iy0 * in_w, *w = pl->w + ky_lo * kw * 4;
  for (size_t ky = ky_lo; ky < ky_hi; ky++, row += p->dil_h * in_w, w += kw * 4) {
    SK_NDW_OPAQUE(row); /* no loop versions for unit strides */
    SK_NDW_OPAQUE(w);
    for (size_t kx = 0; kx < kw; kx++) {
      const float32x4_t wv = vld1q_dup_f32(w + kx * 4);
      SK_NDW_UNROLL
      for (size_t v = 0; v < V; v++) {
        const ptrdiff_t c = c0 + (ptrdiff_t)(4 * v * s + kx * dw);
        float32x4_t x;
        if (S == 0) {
          const float *rr = row;
          SK_NDW_OPAQUE(rr); /* no loop versions for unit strides */
          x = sk_ndwc_load_lanes(rr, c, s, (ptrdiff_t)in_w);
        } else if (V == 2 || ld == SK_NDWC_LD_PLAIN) {
          const float *q = row + c;
          SK_NDW_OPAQUE(q); /* no loop versions for unit dilation */
          x = S == 1 ? vld1q_f32(q) : vld2q_f32(q).val[0];
        } else {
          sk_ndwc_rec e;
          const sk_ndwc_rec *r = &e;
          if (ld == SK_NDWC_LD_REC)
            r = &rec[kx];
          else
            sk_ndwc_rec_init(&e, S, c, (ptrdiff_t)in_w);
          x = S == 1 ? sk_ndwc_load1(row, c, r) : sk_ndwc_load2(row, c, r).val[0];
        }
        acc[v] = vfmaq_f32(acc[v], x, wv);
      }
    }
  }
  float *out = pl->out + oy * out_w + ox;
  float32x4_t lo, hi;
  sk_ndw_bounds(p, &lo, &hi);
  if (V == 1 && out_w < 4) {
    sk_ndw_store_part(out, sk_ndw_clamp(acc[0], lo, hi), out_w);
    return;
  }
  SK_NDW_UNROLL
  for (size_t v = 0; v < V; v++) vst1q_f32(out + 4 * v, sk_ndw_clamp(acc[v], lo, hi));
}

/* One output row along the row walk of the plan. */
SK_ALWAYS_INLINE void sk_ndwc_row_any(size_t S, const sk_conv_params *p, const sk_ndwc_plane *pl,
                                      size_t oy, size_t ky_lo, size_t ky_hi, size_t iy0,
                                      const sk_ndwc_plan *pn) {
  size_t n = 0, pos;
  for (size_t ox = 0; ox < p->out_w;) {
    SK_NDW_OPAQUE(ox); /* one copy of the loop (no splitting on the walk's conditions) */
    SK_NDW_OPAQUE(n);
    const int kind = sk_ndwc_walk(pn, &ox, &pos);
    if (S != 0 && kind == SK_NDWC_PAIR) {
      sk_ndwc_tile_any(S, 2, p, pl, oy, pos, ky_lo, ky_hi, iy0, SK_NDWC_LD_PLAIN, NULL);
    } else {
      const sk_ndwc_rec *rec = sk_ndwc_plan_rec(pn, n++);
      const int ld = rec != NULL ? SK_NDWC_LD_REC
                                 : (kind == SK_NDWC_EDGE ? SK_NDWC_LD_MAKE : SK_NDWC_LD_PLAIN);
      sk_ndwc_tile_any(S, 1, p, pl, oy, pos, ky_lo, ky_hi, iy0, ld, rec);
    }
  }
}

void sk_ndwc_nchw_generic_rows(const sk_conv_params *p, const sk_ndwc_plane *pl, size_t oy0,
                               size_t oy1, const sk_ndwc_plan *pn) {
  const size_t sw = pn->narrow ? 0 : p->stride_w;
  for (size_t oy = oy0; oy < oy1; oy++) {
    size_t ky_lo, ky_hi, iy0;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy0);
    if (sw == 1)
      sk_ndwc_row_any(1, p, pl, oy, ky_lo, ky_hi, iy0, pn);
    else if (sw == 2)
      sk_ndwc_row_any(2, p, pl, oy, ky_lo, ky_hi, iy0, pn);
    else
      sk_ndwc_row_any(0, p, pl, oy, ky_lo, ky_hi, iy0, pn);
  }
}

void sk_depthwise_nchw_generic_1x8__neon(const sk_conv_params *p, const float *packed,
                                         const float *input, float *output) {
  const size_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const size_t bsize = sk_packed_block_size(p);
  sk_ndwc_plan pn;
  sk_ndwc_plan_init(&pn, p, p->kernel_w, p->stride_w, p->kernel_w, p->dil_w);
  const float *blk = packed;
  size_t lane = 0, q = 0, ph = 0; /* oc % 4; oc / mult, oc % mult */
  for (size_t oc = 0; oc < p->out_c; oc++) {
    sk_ndwc_plane pl;
    pl.in = input + q * in_plane;
    pl.out = output + oc * out_plane;
    pl.bias = blk[lane];
    pl.w = blk + 4 + lane;
    sk_ndwc_nchw_generic_rows(p, &pl, 0, p->out_h, &pn);
    if (++lane == 4) {
      lane = 0;
      blk += bsize;
    }
    if (++ph == p->mult) {
      ph = 0;
      q++;
    }
  }
}
