/*
 * Max pooling, NCHW, AVX2: 8 output columns per ymm; stride 2 deinterleaves 2 loads per tap
 * pair (SHUFPS, rows maxed first, one VPERMPD), stride 1 loads unaligned; last vector overlaps.
 * Short rows: masked loads; clipped border windows: a masked load per row; strides > 2: scalar.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_pool_avx2.h"

/*
 * NaN: the vector path takes acc = MAXPS(acc, x), which gives x when x is NaN, so acc is NaN
 * right after reading a NaN; an unordered compare of the accumulators (loads stay folded into
 * MAXPS) ORed into d flags it. A row whose d is set is recomputed by row_exact, the scalar
 * kernel's loop (kx outer, ky inner): results are bitwise those of the scalar kernel.
 */

typedef struct {
  const float *in; /* first valid window row of the plane */
  size_t nrows;    /* valid window rows */
  size_t rstep;    /* floats between them (dil_h * in_w) */
} sk_rows;

/* Output column ox (a clipped window), unclamped. Up to 8 contiguous columns (dil_w = 1): a
 * masked load per row, rows maxed, then the lanes; NaNs are dropped and flagged in *d as in the
 * vector path. Other windows: the scalar kernel's operation and order, NaN exact. */
static inline float out_edge(const sk_pool_params *p, const sk_rows *rw, size_t ox, __m256 *d) {
  size_t kx_lo, kx_hi, ix;
  sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, p->in_w, &kx_lo, &kx_hi, &ix);
  const size_t ncols = kx_hi - kx_lo;
  if (p->dil_w == 1 && ncols <= 8) {
    if (ncols == 0 || rw->nrows == 0) return -INFINITY;
    const __m256i mask = sk_mask8(ncols);
    const float *q = rw->in + ix;
    __m256 m = _mm256_maskload_ps(q, mask), u = sk_pool_unord(m, m);
    for (size_t r = 1; r < rw->nrows; r++) {
      m = _mm256_max_ps(m, _mm256_maskload_ps(q + r * rw->rstep, mask));
      u = _mm256_or_ps(u, sk_pool_unord(m, m));
    }
    *d = _mm256_or_ps(*d, u);
    return sk_pool_hmax8(_mm256_blendv_ps(_mm256_set1_ps(-INFINITY), m, _mm256_castsi256_ps(mask)));
  }
  float v = -INFINITY;
  for (size_t kx = kx_lo; kx < kx_hi; kx++) {
    const float *q = rw->in + ix + (kx - kx_lo) * p->dil_w;
    for (size_t r = 0; r < rw->nrows; r++) v = sk_pool_max_exact(v, q[r * rw->rstep]);
  }
  return v;
}

/* The scalar kernel's row loop (running maxima in the output row). */
static void row_exact(const sk_pool_params *p, const sk_rows *rw, float *row) {
  const size_t out_w = p->out_w, sw = p->stride_w;
  for (size_t ox = 0; ox < out_w; ox++) row[ox] = -INFINITY;
  for (size_t kx = 0; kx < p->kernel_w && rw->nrows != 0; kx++) {
    size_t ox_lo, ox_hi, ix0;
    sk_out_range(kx * p->dil_w, sw, p->pad_left, p->in_w, out_w, &ox_lo, &ox_hi, &ix0);
    for (size_t r = 0; r < rw->nrows; r++) {
      const float *src = rw->in + r * rw->rstep + ix0;
      for (size_t i = 0; i < ox_hi - ox_lo; i++)
        row[ox_lo + i] = sk_pool_max_exact(row[ox_lo + i], src[i * sw]);
    }
  }
  for (size_t ox = 0; ox < out_w; ox++) row[ox] = sk_clampf(row[ox], p->out_min, p->out_max);
}

/* Stride 2: outputs [ox, ox+8) whose windows start at column pointer in (first valid row). Tap
 * pairs (kx, kx+1) share the loads of 16 columns: SHUFPS 0x88 / 0xDD pick even / odd columns in
 * the lane order 0 2 8 10 4 6 12 14; a single tap loads 8 columns at +0 and +7 and picks lanes
 * (0 2 | 1 3) into the same order, reading exactly its 15 columns. VPERMPD restores the order. */
SK_ALWAYS_INLINE __m256 vec_s2(const float *in, size_t nrows, size_t rstep, size_t kw, size_t dw,
                               int masked, ptrdiff_t lim, __m256 *d) {
  __m256 m = _mm256_set1_ps(-INFINITY);
  size_t kx = 0;
  if (dw == 1) {
    for (; kx + 1 < kw; kx += 2) {
      const float *q = in + kx;
      const __m256i ma = sk_pool_mask_lim(lim - (ptrdiff_t)kx),
                    mb = sk_pool_mask_lim(lim - (ptrdiff_t)kx - 8);
      __m256 a = sk_pool_ld(q, masked, ma), b = sk_pool_ld(q + 8, masked, mb);
      __m256 u = sk_pool_unord(a, b);
      for (size_t r = 1; r < nrows; r++) {
        q += rstep;
        a = _mm256_max_ps(a, sk_pool_ld(q, masked, ma));
        b = _mm256_max_ps(b, sk_pool_ld(q + 8, masked, mb));
        u = _mm256_or_ps(u, sk_pool_unord(a, b));
      }
      *d = _mm256_or_ps(*d, u);
      m = _mm256_max_ps(m, _mm256_shuffle_ps(a, b, 0x88));
      m = _mm256_max_ps(m, _mm256_shuffle_ps(a, b, 0xDD));
    }
  }
  for (; kx < kw; kx++) {
    const float *q = in + kx * dw;
    const ptrdiff_t l = lim - (ptrdiff_t)(kx * dw);
    const __m256i ma = sk_pool_mask_lim(l), mb = sk_pool_mask_lim(l - 7);
    __m256 a = sk_pool_ld(q, masked, ma), b = sk_pool_ld(q + 7, masked, mb);
    __m256 u = sk_pool_unord(a, b);
    for (size_t r = 1; r < nrows; r++) {
      q += rstep;
      a = _mm256_max_ps(a, sk_pool_ld(q, masked, ma));
      b = _mm256_max_ps(b, sk_pool_ld(q + 7, masked, mb));
      u = _mm256_or_ps(u, sk_pool_unord(a, b));
    }
    *d = _mm256_or_ps(*d, u);
    m = _mm256_max_ps(m, _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 2, 0)));
  }
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(m), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* Stride 1: outputs [ox, ox+8), one unaligned load per tap and row. With dil_w = 1 and kw <= 9
 * the loads of taps 0 and kw-1 cover every column the 8 windows read, so only they are checked
 * for NaN (one compare per row). */
SK_ALWAYS_INLINE __m256 vec_s1(const float *in, size_t nrows, size_t rstep, size_t kw, size_t dw,
                               int masked, ptrdiff_t lim, __m256 *d) {
  __m256 m = _mm256_set1_ps(-INFINITY);
  __m256 u = _mm256_setzero_ps();
  if (dw == 1 && kw <= 9) {
    const size_t e = kw - 1;
    const __m256i m0 = sk_pool_mask_lim(lim), me = sk_pool_mask_lim(lim - (ptrdiff_t)e);
    for (size_t r = 0; r < nrows; r++, in += rstep) {
      const __m256 t = _mm256_max_ps(m, sk_pool_ld(in, masked, m0));
      m = _mm256_max_ps(t, sk_pool_ld(in + e, masked, me));
      u = _mm256_or_ps(u, sk_pool_unord(t, m));
      for (size_t kx = 1; kx < e; kx++)
        m = _mm256_max_ps(m, sk_pool_ld(in + kx, masked, sk_pool_mask_lim(lim - (ptrdiff_t)kx)));
    }
  } else {
    for (size_t kx = 0; kx < kw; kx++) {
      const float *q = in + kx * dw;
      const __m256i mk = sk_pool_mask_lim(lim - (ptrdiff_t)(kx * dw));
      for (size_t r = 0; r < nrows; r++, q += rstep) {
        m = _mm256_max_ps(m, sk_pool_ld(q, masked, mk));
        u = _mm256_or_ps(u, sk_pool_unord(m, m));
      }
    }
  }
  *d = _mm256_or_ps(*d, u);
  return m;
}

/* One output row, stride sw in {1, 2}; returns nonzero if the vector part read a NaN. */
SK_ALWAYS_INLINE int row_fast(const sk_pool_params *p, const sk_rows *rw, float *row, size_t ox_a,
                              size_t ox_b, size_t sw, int clamp, __m256 lo, __m256 hi) {
  const size_t kw = p->kernel_w, dw = p->dil_w, out_w = p->out_w;
  __m256 d = _mm256_setzero_ps();
  const size_t n = ox_b - ox_a;
  if (n >= 8) {
    for (size_t ox = ox_a;; ox += 8) {
      if (ox + 8 > ox_b) ox = ox_b - 8; /* last vector overlaps: same values stored again */
      const float *in = rw->in + (ox * sw - p->pad_left);
      const __m256 m = sw == 2 ? vec_s2(in, rw->nrows, rw->rstep, kw, dw, 0, 0, &d)
                               : vec_s1(in, rw->nrows, rw->rstep, kw, dw, 0, 0, &d);
      _mm256_storeu_ps(row + ox, sk_pool_act(m, clamp, lo, hi));
      if (ox + 8 == ox_b) break;
    }
  } else if (n != 0) {
    /* Fewer than 8 interior outputs: loads masked to the row, n lanes stored. Lanes >= n may
     * see zeros from masked-off columns; they are not stored. */
    const size_t s = ox_a * sw - p->pad_left;
    const ptrdiff_t lim = (ptrdiff_t)(p->in_w - s);
    const __m256 m = sw == 2 ? vec_s2(rw->in + s, rw->nrows, rw->rstep, kw, dw, 1, lim, &d)
                             : vec_s1(rw->in + s, rw->nrows, rw->rstep, kw, dw, 1, lim, &d);
    _mm256_maskstore_ps(row + ox_a, sk_mask8(n), sk_pool_act(m, clamp, lo, hi));
  }
  const float lo_s = p->out_min, hi_s = p->out_max;
  for (size_t ox = 0; ox < ox_a; ox++) row[ox] = sk_clampf(out_edge(p, rw, ox, &d), lo_s, hi_s);
  for (size_t ox = ox_b; ox < out_w; ox++) row[ox] = sk_clampf(out_edge(p, rw, ox, &d), lo_s, hi_s);
  return sk_pool_any(d);
}

SK_ALWAYS_INLINE void maxpool(const sk_pool_params *p, const float *input, float *output, size_t sw,
                              int clamp) {
  const size_t in_w = p->in_w, out_w = p->out_w;
  const size_t in_plane = p->in_h * in_w, out_plane = p->out_h * out_w;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  size_t ox_a, ox_b;
  sk_pool_interior(out_w, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, in_w, &ox_a, &ox_b);
  for (size_t c = 0; c < p->channels; c++) {
    const float *in_ch = input + c * in_plane;
    float *out_ch = output + c * out_plane;
    for (size_t oy = 0; oy < p->out_h; oy++) {
      size_t ky_lo, ky_hi, iy;
      sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi,
                   &iy);
      const sk_rows rw = {in_ch + iy * in_w, ky_hi - ky_lo, p->dil_h * in_w};
      float *row = out_ch + oy * out_w;
      if (sw > 2 || rw.nrows == 0 || row_fast(p, &rw, row, ox_a, ox_b, sw, clamp, lo, hi))
        row_exact(p, &rw, row);
    }
  }
}

static void maxpool_s1_act(const sk_pool_params *p, const float *in, float *out) {
  maxpool(p, in, out, 1, 1);
}
static void maxpool_s1_noact(const sk_pool_params *p, const float *in, float *out) {
  maxpool(p, in, out, 1, 0);
}
static void maxpool_s2_act(const sk_pool_params *p, const float *in, float *out) {
  maxpool(p, in, out, 2, 1);
}
static void maxpool_s2_noact(const sk_pool_params *p, const float *in, float *out) {
  maxpool(p, in, out, 2, 0);
}
static void maxpool_scalar_rows(const sk_pool_params *p, const float *in, float *out) {
  maxpool(p, in, out, 3, 1);
}

void sk_maxpool_nchw_w8__avx2(const sk_pool_params *p, const float *input, float *output) {
  const int act = sk_pool_has_act(p);
  if (p->stride_w == 1)
    (act ? maxpool_s1_act : maxpool_s1_noact)(p, input, output);
  else if (p->stride_w == 2)
    (act ? maxpool_s2_act : maxpool_s2_noact)(p, input, output);
  else
    maxpool_scalar_rows(p, input, output);
}
