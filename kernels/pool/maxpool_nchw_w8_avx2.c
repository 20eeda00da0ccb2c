/*
 * Max pooling, NCHW, AVX2, separable: per output row, the window rows are maxed into a padded row
 * buffer (8 columns per ymm, last vector overlaps; rows under 8 columns: one masked load per row),
 * then its window columns are maxed (stride 2: SHUFPS deinterleave, VPERMPD). Output rows over 128
 * columns: in chunks of 128. Strides > 2, windows over 32 columns: the scalar kernel.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_pool_avx2.h"

/*
 * NaN: the vector path takes acc = MAXPS(acc, x), which gives x when x is NaN, so acc is NaN
 * right after reading a NaN; an unordered compare of the accumulator ORed into u flags it. A row
 * whose u is set is recomputed by row_exact, the scalar kernel's loop (kx outer, ky inner):
 * results are bitwise those of the scalar kernel.
 */

enum { OC = 128, EXT_MAX = 32, VBUF = 2 * OC + EXT_MAX + 16 };

typedef struct {
  const float *in; /* first valid window row of the plane (at the chunk's first input column) */
  size_t nrows;    /* valid window rows */
  size_t rstep;    /* floats between them (dil_h * in_w) */
} sk_rows;

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

/* v[0, n) = maxima over nrows >= 1 rows (rstep apart) of the n columns at in; NaNs flagged in
 * *u. The rows pf floats further (the next output row's) are prefetched. */
SK_ALWAYS_INLINE void vmax(const float *in, size_t nrows, size_t rstep, size_t n, float *v,
                           __m256 *u, size_t pf) {
  if (n >= 8) {
    for (size_t j = 0;; j += 8) {
      if (j + 8 > n) j = n - 8; /* last vector overlaps: same maxima stored again */
      const float *q = in + j;
      _mm_prefetch((const char *)(q + pf), _MM_HINT_T0);
      __m256 a = _mm256_loadu_ps(q), f = sk_pool_unord(a, a);
      for (size_t r = 1; r < nrows; r++) {
        _mm_prefetch((const char *)(q + rstep + pf), _MM_HINT_T0);
        a = _mm256_max_ps(a, _mm256_loadu_ps(q += rstep));
        f = _mm256_or_ps(f, sk_pool_unord(a, a));
      }
      *u = _mm256_or_ps(*u, f);
      _mm256_storeu_ps(v + j, a);
      if (j + 8 == n) break;
    }
  } else { /* lanes n..7: -inf, the padding's value */
    const __m256i m = sk_mask8(n);
    const __m256 pad = _mm256_andnot_ps(_mm256_castsi256_ps(m), _mm256_set1_ps(-INFINITY));
    __m256 a = _mm256_maskload_ps(in, m), f = sk_pool_unord(a, a);
    for (size_t r = 1; r < nrows; r++) {
      a = _mm256_max_ps(a, _mm256_maskload_ps(in += rstep, m));
      f = _mm256_or_ps(f, sk_pool_unord(a, a));
    }
    *u = _mm256_or_ps(*u, f);
    _mm256_storeu_ps(v, _mm256_or_ps(a, pad));
  }
}

/* Window maxima of outputs [o, o+8) from the (NaN-free) row buffer v (output o's window at
 * v + o*sw). */
SK_ALWAYS_INLINE __m256 hmax(const float *v, size_t kw, size_t dw, size_t sw) {
  if (sw == 1) {
    __m256 m = _mm256_loadu_ps(v);
    for (size_t kx = 1; kx < kw; kx++) m = _mm256_max_ps(m, _mm256_loadu_ps(v + kx * dw));
    return m;
  }
  /* tap pairs: even / odd columns of 16 (lane order 0 2 8 10 4 6 12 14); a single tap: lanes
   * 0 2 | 1 3 of 8 columns at +0 and +7 (the same order); VPERMPD restores it */
  __m256 m = _mm256_set1_ps(-INFINITY);
  size_t kx = 0;
  if (dw == 1)
    for (; kx + 1 < kw; kx += 2) {
      const __m256 a = _mm256_loadu_ps(v + kx), b = _mm256_loadu_ps(v + kx + 8);
      m = _mm256_max_ps(
          m, _mm256_max_ps(_mm256_shuffle_ps(a, b, 0x88), _mm256_shuffle_ps(a, b, 0xDD)));
    }
  for (; kx < kw; kx++) {
    const __m256 a = _mm256_loadu_ps(v + kx * dw), b = _mm256_loadu_ps(v + kx * dw + 7);
    m = _mm256_max_ps(m, _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 2, 0)));
  }
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(m), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* One output row's chunk: window rows maxed into vbuf + jl (n columns from rw->in), then nout
 * outputs at out. KW, NR: window columns and rows (compile-time constants where the caller
 * specialises). Returns the NaN flags. */
SK_ALWAYS_INLINE __m256 row_vec(const sk_rows *rw, float *vbuf, size_t jl, size_t n, float *out,
                                size_t nout, size_t KW, size_t NR, size_t dw, size_t sw, size_t pf,
                                int clamp, __m256 lo, __m256 hi) {
  __m256 u = _mm256_setzero_ps();
  if (sw == 2 && KW == 2 && dw == 1 && jl == 0 && n >= 2 * nout && nout >= 8) {
    /* 2 wide, stride 2, every column read is input: no row buffer, the 16 columns of 8 outputs
     * maxed over the rows in registers */
    for (size_t o = 0;; o += 8) {
      if (o + 8 > nout) o = nout - 8; /* overlaps: same values again */
      const float *q = rw->in + 2 * o;
      _mm_prefetch((const char *)(q + pf), _MM_HINT_T0);
      __m256 a = _mm256_loadu_ps(q), b = _mm256_loadu_ps(q + 8), f = sk_pool_unord(a, b);
      for (size_t r = 1; r < NR; r++) {
        q += rw->rstep;
        _mm_prefetch((const char *)(q + pf), _MM_HINT_T0);
        a = _mm256_max_ps(a, _mm256_loadu_ps(q));
        b = _mm256_max_ps(b, _mm256_loadu_ps(q + 8));
        f = _mm256_or_ps(f, sk_pool_unord(a, b));
      }
      u = _mm256_or_ps(u, f);
      a = _mm256_max_ps(_mm256_shuffle_ps(a, b, 0x88), _mm256_shuffle_ps(a, b, 0xDD));
      a = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(a), _MM_SHUFFLE(3, 1, 2, 0)));
      _mm256_storeu_ps(out + o, sk_pool_act(a, clamp, lo, hi));
      if (o + 8 == nout) return u;
    }
  }
  vmax(rw->in, NR, rw->rstep, n, vbuf + jl, &u, pf);
  for (size_t o = 0;; o += 8) {
    if (o + 8 > nout && nout >= 8) o = nout - 8; /* overlaps: same values again */
    const __m256 v = sk_pool_act(hmax(vbuf + o * sw, KW, dw, sw), clamp, lo, hi);
    sk_pool_st(out + o, v, nout < 8, sk_mask8(nout));
    if (o + 8 >= nout) break;
  }
  return u;
}

SK_ALWAYS_INLINE void maxpool(const sk_pool_params *p, const float *input, float *output, size_t sw,
                              int clamp) {
  const size_t in_w = p->in_w, out_w = p->out_w, kw = p->kernel_w, dw = p->dil_w;
  const size_t pl = p->pad_left, in_plane = p->in_h * in_w, out_plane = p->out_h * out_w;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  float vbuf[VBUF];
  for (size_t ox0 = 0; ox0 < out_w; ox0 += OC) { /* output columns [ox0, ox0 + nout) */
    const size_t nout = out_w - ox0 < OC ? out_w - ox0 : OC;
    /* vbuf[j]: padded column ox0*sw + j; input columns [jl, jr) of it, -inf around */
    const size_t base = ox0 * sw, nv = (nout - 1) * sw + (kw - 1) * dw + 1;
    const size_t jl = pl > base ? pl - base : 0;
    size_t jr = pl + in_w - base < nv ? pl + in_w - base : nv;
    if (jr < jl) jr = jl;
    for (size_t j = 0; j < VBUF; j++) vbuf[j] = -INFINITY;
    for (size_t c = 0; c < p->channels; c++) {
      const float *in_ch = input + c * in_plane + (base + jl - pl);
      float *out = output + c * out_plane;
      for (size_t oy = 0; oy < p->out_h; oy++, out += out_w) {
        size_t ky_lo, ky_hi, iy;
        sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi,
                     &iy);
        const sk_rows rw = {in_ch + iy * in_w, ky_hi - ky_lo, p->dil_h * in_w};
        /* prefetch distance: stride_h rows on, while that stays inside the plane */
        const size_t last = iy + (rw.nrows ? rw.nrows - 1 : 0) * p->dil_h + p->stride_h;
        const size_t pf = last < p->in_h ? p->stride_h * in_w : 0;
        __m256 u = _mm256_setzero_ps();
        /* the common 3x3 and 2x2 windows with their loops unrolled */
        if (dw == 1 && kw == 3 && rw.nrows == 3)
          u = row_vec(&rw, vbuf, jl, jr - jl, out + ox0, nout, 3, 3, 1, sw, pf, clamp, lo, hi);
        else if (dw == 1 && kw == 2 && rw.nrows == 2)
          u = row_vec(&rw, vbuf, jl, jr - jl, out + ox0, nout, 2, 2, 1, sw, pf, clamp, lo, hi);
        else if (rw.nrows != 0)
          u = row_vec(&rw, vbuf, jl, jr - jl, out + ox0, nout, kw, rw.nrows, dw, sw, pf, clamp, lo,
                      hi);
        if (rw.nrows == 0 || sk_pool_any(u)) {
          const sk_rows rx = {rw.in - (base + jl - pl), rw.nrows, rw.rstep};
          row_exact(p, &rx, out);
        }
      }
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

void sk_maxpool_nchw_w8__avx2(const sk_pool_params *p, const float *input, float *output) {
  const int act = sk_pool_has_act(p);
  if (p->stride_w > 2 || (p->kernel_w - 1) * p->dil_w >= EXT_MAX)
    sk_maxpool_nchw__scalar(p, input, output);
  else if (p->stride_w == 1)
    (act ? maxpool_s1_act : maxpool_s1_noact)(p, input, output);
  else
    (act ? maxpool_s2_act : maxpool_s2_noact)(p, input, output);
}
