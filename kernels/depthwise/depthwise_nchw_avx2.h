/*
 * Shared parts of the NCHW depthwise AVX2 kernels (include only from the
 * kernels/depthwise/ *_avx2.c files): each channel plane is independent and
 * vectorized over output width, 8 outputs per ymm. Stride 2 deinterleaves two
 * loads with one in-lane shuffle (even columns), keeping the accumulators in
 * the lane order [0 1 4 5 2 3 6 7] and fixing it once at the store.
 *
 * Output vectors whose taps all lie inside the row load directly; the others
 * ("edge" vectors: the first and last of a row, or all of a narrow one) load
 * through a recipe (sk_dwc_edge, made once per call): a masked load of the
 * columns inside the row and a lane shift, 0 for the others. No byte outside the
 * input row is read, and the input is never copied.
 */
#ifndef SK_DEPTHWISE_NCHW_AVX2_H
#define SK_DEPTHWISE_NCHW_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include <stddef.h>
#include <stdint.h>

#include "sk_avx2_util.h"
#include "sk_kernels.h"
#include "sk_window.h"

#if defined(__clang__)
#define SK_DWC_UNROLL _Pragma("unroll")
#define SK_DWC_NOUNROLL _Pragma("nounroll")
#elif defined(__GNUC__)
#define SK_DWC_UNROLL _Pragma("GCC unroll 32")
#define SK_DWC_NOUNROLL _Pragma("GCC unroll 1")
#else
#define SK_DWC_UNROLL
#define SK_DWC_NOUNROLL
#endif

#define SK_DWC_KMAX 5 /* largest kernel side of the specialised tiles */
#define SK_DWC_RMAX 4 /* most output rows per tile */
#define SK_DWC_VMAX 2 /* most output vectors (of 8) per tile */

/* How to load columns c..c+7 of a row of n floats with 0 for the columns
 * outside [0, n): a masked load of the columns inside at row + off, then a
 * lane permute shifting them right by the columns missing on the left (its
 * lanes below the shift pick masked-off lanes, i.e. zeros). Only depends on
 * c and n, so one recipe serves every row. */
typedef struct sk_dwc_edge {
  __m256i mask, idx;
  size_t off;
  int plain; /* all 8 columns inside: a plain load does */
} sk_dwc_edge;

static inline void sk_dwc_edge_init(sk_dwc_edge *e, ptrdiff_t c, ptrdiff_t n) {
  const ptrdiff_t lo = c > 0 ? c : 0, end = c + 8 < n ? c + 8 : n;
  const ptrdiff_t m = end > lo ? end - lo : 0; /* columns inside */
  const ptrdiff_t d = lo - c < 8 ? lo - c : 8; /* lanes shifted in on the left */
  e->off = m > 0 ? (size_t)lo : 0;
  e->plain = m == 8;
  e->mask = sk_mask8((size_t)m);
  e->idx = _mm256_and_si256(
      _mm256_sub_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)d)),
      _mm256_set1_epi32(7)); /* lane j < d picks lane 8 - d + j >= m: a zero */
}

SK_ALWAYS_INLINE __m256 sk_dwc_edge_load(const float *row, const sk_dwc_edge *e) {
  return _mm256_permutevar8x32_ps(_mm256_maskload_ps(row + e->off, e->mask), e->idx);
}

/* Even elements of a:b in the lane order [0 1 4 5 2 3 6 7] (of 0..7). */
SK_ALWAYS_INLINE __m256 sk_dwc_evens(__m256 a, __m256 b) {
  return _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
}

/* Back from the [0 1 4 5 2 3 6 7] order. */
SK_ALWAYS_INLINE __m256 sk_dwc_unpermute(__m256 v) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* Recipes for an output vector's tap at column c, stride S (1 or 2: S
 * recipes, for columns c..c+7 and c+8..c+15). */
static inline void sk_dwc_edge_init_s(size_t S, sk_dwc_edge *e, ptrdiff_t c, ptrdiff_t n) {
  sk_dwc_edge_init(&e[0], c, n);
  if (S == 2) sk_dwc_edge_init(&e[1], c + 8, n);
}

/*
 * Input for the 8 outputs of a vector at tap column c (input column of lane
 * 0), stride S (1 or 2; S = 2 in the permuted order). edge: through the
 * recipes e (made for c), reading only columns inside the row.
 */
/* 1 if the S recipes e need no masking (plain loads at c do). */
SK_ALWAYS_INLINE int sk_dwc_plain(size_t S, const sk_dwc_edge *e) {
  return e[0].plain && (S == 1 || e[1].plain);
}

SK_ALWAYS_INLINE __m256 sk_dwc_load(size_t S, int edge, const float *row, ptrdiff_t c,
                                    const sk_dwc_edge *e) {
  if (S == 1) return edge ? sk_dwc_edge_load(row, e) : _mm256_loadu_ps(row + c);
  if (edge) return sk_dwc_evens(sk_dwc_edge_load(row, &e[0]), sk_dwc_edge_load(row, &e[1]));
  return sk_dwc_evens(_mm256_loadu_ps(row + c), _mm256_loadu_ps(row + c + 8));
}

/* Stores the first n (1..8) lanes (S = 2: from the permuted order). */
SK_ALWAYS_INLINE void sk_dwc_store(size_t S, float *dst, __m256 v, size_t n) {
  if (S == 2) v = sk_dwc_unpermute(v);
  if (n >= 8)
    _mm256_storeu_ps(dst, v);
  else
    _mm256_maskstore_ps(dst, sk_mask8(n), v);
}

/* One channel plane's geometry and weights. */
typedef struct sk_dwc_plane {
  const float *in; /* input channel plane */
  float *out;      /* output channel plane */
  const float *w;  /* tap t (= ky*kernel_w + kx) weight at w[t * nr] */
  float bias;
} sk_dwc_plane;

/* Kernel column kx of a tile (see sk_dwc_tile): edge loads through rec. */
SK_ALWAYS_INLINE void sk_dwc_tile_kx(size_t K, size_t S, size_t R, size_t V, int edge,
                                     const sk_conv_params *p, const float *in0, const float *w,
                                     ptrdiff_t c, const sk_dwc_edge *rec,
                                     __m256 (*acc)[SK_DWC_VMAX]) {
  const size_t in_w = p->in_w, nr = p->nr;
  __m256 wk[SK_DWC_KMAX];
  SK_DWC_UNROLL
  for (size_t ky = 0; ky < K; ky++) wk[ky] = _mm256_broadcast_ss(w + ky * K * nr);
  /* input rows i of the tile: output row r reads i = r*S + ky */
  SK_DWC_UNROLL
  for (size_t i = 0; i < (R - 1) * S + K; i++) {
    const float *row = in0 + i * in_w;
    SK_DWC_UNROLL
    for (size_t v = 0; v < V; v++) {
      const __m256 x = sk_dwc_load(S, edge, row, c + (ptrdiff_t)(8 * v * S), rec);
      SK_DWC_UNROLL
      for (size_t r = 0; r < R; r++) {
        if (i < r * S || i - r * S >= K) continue;
        acc[r][v] = _mm256_fmadd_ps(x, wk[i - r * S], acc[r][v]);
      }
    }
  }
}

/*
 * A tile of R output rows (starting at oy, all their tap rows inside the
 * input) x V vectors of 8 outputs (starting at ox) of one plane, kernel K x K,
 * stride S, dilation 1 (all constants). The loop runs kx outermost (not
 * unrolled) with that kernel column's K weights in registers, then the input
 * rows, so each input vector loaded feeds every (output row, ky) reading it.
 * edge (V = 1): the columns of kernel column kx load through the recipes
 * rec[kx] unless they all lie inside the row (NULL: recipes made here).
 */
SK_ALWAYS_INLINE void sk_dwc_tile(size_t K, size_t S, size_t R, size_t V, int edge,
                                  const sk_conv_params *p, const sk_dwc_plane *pl, size_t oy,
                                  size_t ox, const sk_dwc_edge (*rec)[2], __m256 lo, __m256 hi) {
  const size_t in_w = p->in_w, out_w = p->out_w, nr = p->nr;
  const ptrdiff_t c0 = (ptrdiff_t)(ox * S) - (ptrdiff_t)p->pad_left;
  const float *in0 = pl->in + (oy * S - p->pad_top) * in_w; /* tap row 0 of output row oy */
  sk_dwc_edge e[SK_DWC_KMAX][2];
  if (edge && rec == NULL) {
    for (size_t kx = 0; kx < K; kx++)
      sk_dwc_edge_init_s(S, e[kx], c0 + (ptrdiff_t)kx, (ptrdiff_t)in_w);
    rec = (const sk_dwc_edge(*)[2])e;
  }
  __m256 acc[SK_DWC_RMAX][SK_DWC_VMAX];
  const __m256 bias = _mm256_set1_ps(pl->bias);
  SK_DWC_UNROLL
  for (size_t r = 0; r < R; r++) {
    SK_DWC_UNROLL
    for (size_t v = 0; v < V; v++) acc[r][v] = bias;
  }
  SK_DWC_NOUNROLL
  for (size_t kx = 0; kx < K; kx++) {
    const ptrdiff_t c = c0 + (ptrdiff_t)kx;
    if (edge && !sk_dwc_plain(S, rec[kx]))
      sk_dwc_tile_kx(K, S, R, V, 1, p, in0, pl->w + kx * nr, c, rec[kx], acc);
    else
      sk_dwc_tile_kx(K, S, R, V, 0, p, in0, pl->w + kx * nr, c, NULL, acc);
  }
  SK_DWC_UNROLL
  for (size_t r = 0; r < R; r++) {
    SK_DWC_UNROLL
    for (size_t v = 0; v < V; v++)
      sk_dwc_store(S, pl->out + (oy + r) * out_w + ox + 8 * v, sk_clamp8(acc[r][v], lo, hi),
                   out_w < 8 ? out_w : 8);
  }
}

/*
 * How a row of outputs is cut into vectors of 8 (the same for every row of a
 * call, see sk_dwc_walk): edge vectors from 0 while left of ox_a, interior
 * vectors over [i0, i1) (pairs, then single ones), edge vectors from there to
 * out_w. A vector that would cross out_w, or an interior remainder under 8,
 * is moved left to end at out_w (i1): it recomputes outputs a neighbour
 * wrote, with the same sums in the same order. A row narrower than 8 is one
 * edge vector with a masked store. The recipes of the first SK_DWC_EDGE_MAX
 * edge vectors are made once per call.
 */
#define SK_DWC_EDGE_MAX 4
#define SK_DWC_EDGE_KMAX 8 /* widest kernel with recipes made up front */
typedef struct sk_dwc_plan {
  size_t ox_a, ox_b; /* outputs whose vector loads stay inside the row */
  size_t i0, i1;     /* the interior vectors' span (empty if under 8 outputs) */
  size_t out_w;
  int have; /* rec holds the recipes of the first SK_DWC_EDGE_MAX edge vectors */
  sk_dwc_edge rec[SK_DWC_EDGE_MAX][SK_DWC_EDGE_KMAX][2];
} sk_dwc_plan;

enum { SK_DWC_PAIR, SK_DWC_SINGLE, SK_DWC_EDGE };

/* Position of the vector covering outputs from ox on (moved left to end at
 * out_w; 0 for rows narrower than 8). */
static inline size_t sk_dwc_vpos(size_t ox, size_t out_w) {
  return ox + 8 <= out_w ? ox : (out_w >= 8 ? out_w - 8 : 0);
}

/* One step of the row walk from output *ox (< out_w): the next vector's kind
 * and position; advances *ox past it. */
static inline int sk_dwc_walk(const sk_dwc_plan *pn, size_t *ox, size_t *pos) {
  const size_t o = *ox, out_w = pn->out_w, i1 = pn->i1;
  if (o >= pn->i0 && o < i1) {
    if (o + 16 <= i1) {
      *pos = o;
      *ox = o + 16;
      return SK_DWC_PAIR;
    }
    if (o + 8 <= i1) {
      *pos = o;
      *ox = o + 8;
      return SK_DWC_SINGLE;
    }
    if (i1 == out_w || out_w - 8 > o) { /* else the last edge vector covers [o, i1) */
      *pos = i1 - 8;
      *ox = i1;
      return SK_DWC_SINGLE;
    }
  }
  *pos = sk_dwc_vpos(o < i1 && o >= pn->i0 ? i1 : o, out_w);
  *ox = *pos + 8;
  return SK_DWC_EDGE;
}

/* S: 1 or 2 for vector loads (other strides: no interior, no recipes). */
static inline void sk_dwc_plan_init(sk_dwc_plan *pn, const sk_conv_params *p, size_t K, size_t S) {
  const size_t pl = p->pad_left, in_w = p->in_w, out_w = p->out_w;
  /* output ox reads columns ox*S - pl .. + (K-1)*dil_w (+1 more for S = 2) */
  const size_t last = (K - 1) * p->dil_w + (S == 2);
  size_t a = (pl + S - 1) / S, b = 0;
  if (in_w - 1 + pl >= last) b = (in_w - 1 + pl - last) / S + 1;
  if (b > out_w) b = out_w;
  if (a > b) a = b;
  if (S > 2) a = b = 0;
  pn->ox_a = a;
  pn->ox_b = b;
  pn->out_w = out_w;
  size_t ox = 0; /* the left edge vectors end at i0 */
  while (ox < a && ox < out_w) ox = sk_dwc_vpos(ox, out_w) + 8;
  pn->i0 = ox < out_w ? ox : out_w;
  pn->i1 = b >= pn->i0 + 8 ? b : pn->i0;
  pn->have = S <= 2 && K <= SK_DWC_EDGE_KMAX;
  if (!pn->have) return;
  size_t n = 0, pos;
  for (ox = 0; ox < out_w;) {
    if (sk_dwc_walk(pn, &ox, &pos) != SK_DWC_EDGE) continue;
    if (n == SK_DWC_EDGE_MAX) {
      pn->have = 0;
      return;
    }
    const ptrdiff_t c0 = (ptrdiff_t)(pos * S) - (ptrdiff_t)pl;
    for (size_t kx = 0; kx < K; kx++)
      sk_dwc_edge_init_s(S, pn->rec[n][kx], c0 + (ptrdiff_t)(kx * p->dil_w), (ptrdiff_t)in_w);
    n++;
  }
}

/* The recipes of the n-th edge vector of the row walk, or NULL. */
static inline const sk_dwc_edge (*sk_dwc_plan_rec(const sk_dwc_plan *pn, size_t n))[2] {
  return pn->have && n < SK_DWC_EDGE_MAX ? (const sk_dwc_edge(*)[2])pn->rec[n] : NULL;
}

/* R output rows from oy (all tap rows inside the input) along the row walk. */
SK_ALWAYS_INLINE void sk_dwc_band(size_t K, size_t S, size_t R, const sk_conv_params *p,
                                  const sk_dwc_plane *pl, size_t oy, const sk_dwc_plan *pn,
                                  __m256 lo, __m256 hi) {
  size_t n = 0, pos;
  for (size_t ox = 0; ox < p->out_w;) {
    switch (sk_dwc_walk(pn, &ox, &pos)) {
      case SK_DWC_PAIR:
        sk_dwc_tile(K, S, R, 2, 0, p, pl, oy, pos, NULL, lo, hi);
        break;
      case SK_DWC_SINGLE:
        sk_dwc_tile(K, S, R, 1, 0, p, pl, oy, pos, NULL, lo, hi);
        break;
      default:
        sk_dwc_tile(K, S, R, 1, 1, p, pl, oy, pos, sk_dwc_plan_rec(pn, n++), lo, hi);
        break;
    }
  }
}

/* The generic kernel (depthwise_nchw_generic_1x16_avx2.c) on output rows
 * [oy0, oy1) of one plane: what the specialised kernels hand over (border
 * rows, rows left over by their bands). pn: made for p. */
void sk_dwc_nchw_generic_rows(const sk_conv_params *p, const sk_dwc_plane *pl, size_t oy0,
                              size_t oy1, const sk_dwc_plan *pn);

/* Specialised K x K, stride S (1 or 2), dilation 1, any multiplier: bands of
 * R output rows whose tap rows all lie inside the input (the last one moved
 * up to end with them, recomputing rows as the row walk does columns); the
 * border rows, and all rows if fewer than R qualify, run the generic kernel. */
SK_ALWAYS_INLINE void sk_dwc_nchw_ks(size_t K, size_t S, size_t R, const sk_conv_params *p,
                                     const float *packed, const float *input, float *output) {
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const size_t nr = p->nr, bsize = sk_packed_block_size(p), pt = p->pad_top;
  sk_dwc_plan pn;
  sk_dwc_plan_init(&pn, p, K, S);
  /* rows [oy_a, oy_b) have all K tap rows inside the input */
  size_t oy_a = (pt + S - 1) / S, oy_b = p->in_h + pt >= K ? (p->in_h + pt - K) / S + 1 : 0;
  if (oy_b > p->out_h) oy_b = p->out_h;
  if (oy_a > oy_b) oy_a = oy_b;
  const float *blk = packed;
  size_t lane = 0, q = 0, ph = 0; /* oc % nr; oc / mult, oc % mult */
  for (size_t oc = 0; oc < p->out_c; oc++) {
    sk_dwc_plane pl;
    pl.in = input + q * in_plane;
    pl.out = output + oc * out_plane;
    pl.bias = blk[lane];
    pl.w = blk + nr + lane;
    size_t oy = oy_a;
    for (; oy + R <= oy_b; oy += R) sk_dwc_band(K, S, R, p, &pl, oy, &pn, lo, hi);
    if (oy < oy_b && oy_b - oy_a >= R) { /* the last band moved up to end at oy_b */
      sk_dwc_band(K, S, R, p, &pl, oy_b - R, &pn, lo, hi);
      oy = oy_b;
    }
    if (oy_a > 0) sk_dwc_nchw_generic_rows(p, &pl, 0, oy_a, &pn);
    if (oy < p->out_h) sk_dwc_nchw_generic_rows(p, &pl, oy, p->out_h, &pn);
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

#endif /* SK_DEPTHWISE_NCHW_AVX2_H */
