/*
 * Average pooling, NCHW, AVX2, separable: per output row, the window rows are summed into a padded
 * row buffer (8 columns per ymm, last vector overlaps; rows under 8 columns: one masked load per
 * row), then its window columns are summed and scaled (stride 2: SHUFPS deinterleave, VPERMPD).
 * Output rows over 128 columns: in chunks of 128. Strides > 2, windows over 32 columns: scalar.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_pool_avx2.h"

enum { OC = 128, EXT_MAX = 32, VBUF = 2 * OC + EXT_MAX + 16 };

/* Divisor columns of output column ox (scalar kernel's rule). */
static size_t cols_of(const sk_pool_params *p, size_t ox) {
  if (p->count_include_pad)
    return sk_pool_padded_extent(ox * p->stride_w, p->kernel_w, p->dil_w,
                                 p->pad_left + p->in_w + p->pad_right);
  size_t kx_lo, kx_hi, ix;
  sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, p->in_w, &kx_lo, &kx_hi, &ix);
  return kx_hi - kx_lo;
}

static float inv(size_t n) { return n != 0 ? 1.0f / (float)n : 0.0f; }

/* v[0, n) = sums over nrows rows (rstep apart) of the n columns at in. The rows pf floats further
 * (the next output row's) are prefetched. */
SK_ALWAYS_INLINE void vsum(const float *in, size_t nrows, size_t rstep, size_t n, float *v,
                           size_t pf) {
  if (n >= 8) {
    for (size_t j = 0;; j += 8) {
      if (j + 8 > n) j = n - 8; /* last vector overlaps: same sums stored again */
      const float *q = in + j;
      _mm_prefetch((const char *)(q + pf), _MM_HINT_T0);
      __m256 a = _mm256_loadu_ps(q);
      for (size_t r = 1; r < nrows; r++) {
        _mm_prefetch((const char *)(q + rstep + pf), _MM_HINT_T0);
        a = _mm256_add_ps(a, _mm256_loadu_ps(q += rstep));
      }
      _mm256_storeu_ps(v + j, a);
      if (j + 8 == n) break;
    }
  } else { /* lanes n..7 sum zeros: the padding's value */
    const __m256i m = sk_mask8(n);
    __m256 a = _mm256_maskload_ps(in, m);
    for (size_t r = 1; r < nrows; r++) a = _mm256_add_ps(a, _mm256_maskload_ps(in += rstep, m));
    _mm256_storeu_ps(v, a);
  }
}

/* Window sums of outputs [o, o+8) from the row buffer v (output o's window at v + o*sw). */
SK_ALWAYS_INLINE __m256 hsum(const float *v, size_t kw, size_t sw) {
  if (sw == 1) {
    __m256 s = _mm256_loadu_ps(v);
    for (size_t kx = 1; kx < kw; kx++) s = _mm256_add_ps(s, _mm256_loadu_ps(v + kx));
    return s;
  }
  /* tap pairs: even / odd columns of 16 (lane order 0 2 8 10 4 6 12 14); a single tap: lanes
   * 0 2 | 1 3 of 8 columns at +0 and +7 (the same order); VPERMPD restores it */
  __m256 s = _mm256_setzero_ps();
  size_t kx = 0;
  for (; kx + 1 < kw; kx += 2) {
    const __m256 a = _mm256_loadu_ps(v + kx), b = _mm256_loadu_ps(v + kx + 8);
    s = _mm256_add_ps(s,
                      _mm256_add_ps(_mm256_shuffle_ps(a, b, 0x88), _mm256_shuffle_ps(a, b, 0xDD)));
  }
  if (kx < kw) {
    const __m256 a = _mm256_loadu_ps(v + kx), b = _mm256_loadu_ps(v + kx + 7);
    s = _mm256_add_ps(s, _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 2, 0)));
  }
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}

typedef struct {
  const float *in; /* first valid window row of the plane (at the chunk's first input column) */
  size_t nrows;    /* valid window rows */
  size_t rstep;    /* floats between them (dil_h * in_w) */
} sk_rows;

/* One output row's chunk: window rows summed into vbuf + jl (n columns from rw->in), then nout
 * outputs at out, scaled by rs * cinv. KW, NR: window columns and rows (compile-time constants
 * where the caller specialises). */
SK_ALWAYS_INLINE void row_vec(const sk_rows *rw, float *vbuf, size_t jl, size_t n, float *out,
                              size_t nout, const float *cinv, __m256 rs, size_t KW, size_t NR,
                              size_t sw, size_t pf, int clamp, __m256 lo, __m256 hi) {
  if (sw == 2 && KW == 2 && jl == 0 && n >= 2 * nout && nout >= 8) {
    /* 2 wide, stride 2, every column read is input: no row buffer, the 16 columns of 8 outputs
     * summed over the rows in registers */
    for (size_t o = 0;; o += 8) {
      if (o + 8 > nout) o = nout - 8; /* overlaps: same values again */
      const float *q = rw->in + 2 * o;
      _mm_prefetch((const char *)(q + pf), _MM_HINT_T0);
      __m256 a = _mm256_loadu_ps(q), b = _mm256_loadu_ps(q + 8);
      for (size_t r = 1; r < NR; r++) {
        q += rw->rstep;
        _mm_prefetch((const char *)(q + pf), _MM_HINT_T0);
        a = _mm256_add_ps(a, _mm256_loadu_ps(q));
        b = _mm256_add_ps(b, _mm256_loadu_ps(q + 8));
      }
      a = _mm256_add_ps(_mm256_shuffle_ps(a, b, 0x88), _mm256_shuffle_ps(a, b, 0xDD));
      a = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(a), _MM_SHUFFLE(3, 1, 2, 0)));
      const __m256 sc = _mm256_mul_ps(rs, _mm256_loadu_ps(cinv + o));
      _mm256_storeu_ps(out + o, sk_pool_act(_mm256_mul_ps(a, sc), clamp, lo, hi));
      if (o + 8 == nout) return;
    }
  }
  vsum(rw->in, NR, rw->rstep, n, vbuf + jl, pf);
  for (size_t o = 0;; o += 8) {
    if (o + 8 > nout && nout >= 8) o = nout - 8; /* overlaps: same values again */
    const __m256 sc = _mm256_mul_ps(rs, _mm256_loadu_ps(cinv + o));
    const __m256 v = sk_pool_act(_mm256_mul_ps(hsum(vbuf + o * sw, KW, sw), sc), clamp, lo, hi);
    sk_pool_st(out + o, v, nout < 8, sk_mask8(nout));
    if (o + 8 >= nout) break;
  }
}

SK_ALWAYS_INLINE void avgpool(const sk_pool_params *p, const float *input, float *output, size_t sw,
                              int clamp) {
  const size_t in_w = p->in_w, out_w = p->out_w, kw = p->kernel_w, pl = p->pad_left;
  const size_t in_plane = p->in_h * in_w, out_plane = p->out_h * out_w;
  const size_t padded_h = p->pad_top + p->in_h + p->pad_bottom;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  float vbuf[VBUF], cinv[OC + 8];
  for (size_t ox0 = 0; ox0 < out_w; ox0 += OC) { /* output columns [ox0, ox0 + nout) */
    const size_t nout = out_w - ox0 < OC ? out_w - ox0 : OC;
    /* vbuf[j]: padded column ox0*sw + j; input columns [jl, jr) of it, zeros around */
    const size_t base = ox0 * sw, nv = (nout - 1) * sw + kw;
    const size_t jl = pl > base ? pl - base : 0;
    size_t jr = pl + in_w - base < nv ? pl + in_w - base : nv;
    if (jr < jl) jr = jl;
    for (size_t j = 0; j < VBUF; j++) vbuf[j] = 0.0f;
    for (size_t i = 0; i < OC + 8; i++) cinv[i] = i < nout ? inv(cols_of(p, ox0 + i)) : 0.0f;
    for (size_t oy0 = 0; oy0 < p->out_h; oy0 += 64) {
      /* Per output row: first valid input row, valid rows, 1 / divisor rows (same every plane) */
      const size_t nrow = p->out_h - oy0 < 64 ? p->out_h - oy0 : 64;
      size_t iy[64], nr[64];
      float rinv[64];
      for (size_t k = 0; k < nrow; k++) {
        size_t ky_lo, ky_hi;
        sk_tap_range(oy0 + k, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo,
                     &ky_hi, &iy[k]);
        nr[k] = ky_hi - ky_lo;
        rinv[k] = inv(p->count_include_pad ? sk_pool_padded_extent((oy0 + k) * p->stride_h,
                                                                   p->kernel_h, p->dil_h, padded_h)
                                           : nr[k]);
      }
      for (size_t c = 0; c < p->channels; c++) {
        const float *plane = input + c * in_plane + (base + jl - pl);
        float *out = output + c * out_plane + oy0 * out_w;
        for (size_t k = 0; k < nrow; k++, out += out_w) {
          if (nr[k] == 0) { /* no input row in the windows: sums 0 */
            for (size_t i = 0; i < nout; i++)
              out[ox0 + i] = sk_clampf(0.0f, p->out_min, p->out_max);
            continue;
          }
          /* prefetch distance: stride_h rows on, while that stays inside the plane */
          const size_t last = iy[k] + (nr[k] - 1) * p->dil_h + p->stride_h;
          const size_t pf = last < p->in_h ? p->stride_h * in_w : 0;
          const sk_rows rw = {plane + iy[k] * in_w, nr[k], p->dil_h * in_w};
          const __m256 rs = _mm256_set1_ps(rinv[k]);
          float *o = out + ox0;
          /* the common 3x3 and 2x2 windows with their loops unrolled */
          if (kw == 3 && nr[k] == 3)
            row_vec(&rw, vbuf, jl, jr - jl, o, nout, cinv, rs, 3, 3, sw, pf, clamp, lo, hi);
          else if (kw == 2 && nr[k] == 2)
            row_vec(&rw, vbuf, jl, jr - jl, o, nout, cinv, rs, 2, 2, sw, pf, clamp, lo, hi);
          else
            row_vec(&rw, vbuf, jl, jr - jl, o, nout, cinv, rs, kw, nr[k], sw, pf, clamp, lo, hi);
        }
      }
    }
  }
}

static void avgpool_s1_act(const sk_pool_params *p, const float *in, float *out) {
  avgpool(p, in, out, 1, 1);
}
static void avgpool_s1_noact(const sk_pool_params *p, const float *in, float *out) {
  avgpool(p, in, out, 1, 0);
}
static void avgpool_s2_act(const sk_pool_params *p, const float *in, float *out) {
  avgpool(p, in, out, 2, 1);
}
static void avgpool_s2_noact(const sk_pool_params *p, const float *in, float *out) {
  avgpool(p, in, out, 2, 0);
}

void sk_avgpool_nchw_w8__avx2(const sk_pool_params *p, const float *input, float *output) {
  const int act = sk_pool_has_act(p);
  if (p->stride_w > 2 || p->dil_w != 1 || p->kernel_w > EXT_MAX)
    sk_avgpool_nchw__scalar(p, input, output);
  else if (p->stride_w == 1)
    (act ? avgpool_s1_act : avgpool_s1_noact)(p, input, output);
  else
    (act ? avgpool_s2_act : avgpool_s2_noact)(p, input, output);
}
