/*
 * Average pooling, NCHW, AVX2: 8 output columns per ymm; stride 2 deinterleaves 2 loads per tap
 * pair (SHUFPS, rows summed first, one VPERMPD), stride 1 loads unaligned; last vector overlaps.
 * Short rows: masked loads; clipped border windows: a masked load per row; strides > 2: scalar.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_pool_avx2.h"

typedef struct {
  const float *in; /* first valid window row of the plane */
  size_t nrows;    /* valid window rows */
  size_t rstep;    /* floats between them (dil_h * in_w) */
  size_t rows;     /* divisor rows (scalar kernel's rule) */
} sk_rows;

/* Divisor columns of output column ox (scalar kernel's rule). */
static inline size_t cols_of(const sk_pool_params *p, size_t ox, size_t kx_lo, size_t kx_hi) {
  if (!p->count_include_pad) return kx_hi - kx_lo;
  return sk_pool_padded_extent(ox * p->stride_w, p->kernel_w, p->dil_w,
                               p->pad_left + p->in_w + p->pad_right);
}

/* Output column ox (a clipped window): up to 8 contiguous columns (dil_w = 1) as a masked load
 * per row, rows summed, then the lanes; other windows scalar. Divided as the scalar kernel. */
static inline float out_edge(const sk_pool_params *p, const sk_rows *rw, size_t ox) {
  size_t kx_lo, kx_hi, ix;
  sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, p->in_w, &kx_lo, &kx_hi, &ix);
  const size_t ncols = kx_hi - kx_lo;
  float s = 0.0f;
  if (ncols != 0 && rw->nrows != 0) {
    if (p->dil_w == 1 && ncols <= 8) {
      const __m256i mask = sk_mask8(ncols);
      const float *q = rw->in + ix;
      __m256 v = _mm256_maskload_ps(q, mask);
      for (size_t r = 1; r < rw->nrows; r++)
        v = _mm256_add_ps(v, _mm256_maskload_ps(q + r * rw->rstep, mask));
      s = sk_pool_hsum8(v);
    } else {
      for (size_t kx = kx_lo; kx < kx_hi; kx++) {
        const float *q = rw->in + ix + (kx - kx_lo) * p->dil_w;
        for (size_t r = 0; r < rw->nrows; r++) s += q[r * rw->rstep];
      }
    }
  }
  const size_t count = rw->rows * cols_of(p, ox, kx_lo, kx_hi);
  return sk_clampf(count != 0 ? s / (float)count : 0.0f, p->out_min, p->out_max);
}

/* Stride 2: sums for outputs [ox, ox+8) whose windows start at column pointer in (see
 * maxpool_nchw_w8_avx2.c: SHUFPS 0x88 / 0xDD per tap pair, lanes 0 2 | 1 3 of loads at +0 / +7
 * for a single tap, VPERMPD at the end). */
SK_ALWAYS_INLINE __m256 vec_s2(const float *in, size_t nrows, size_t rstep, size_t kw, size_t dw,
                               int masked, ptrdiff_t lim) {
  __m256 s = _mm256_setzero_ps();
  size_t kx = 0;
  if (dw == 1) {
    for (; kx + 1 < kw; kx += 2) {
      const float *q = in + kx;
      const __m256i ma = sk_pool_mask_lim(lim - (ptrdiff_t)kx),
                    mb = sk_pool_mask_lim(lim - (ptrdiff_t)kx - 8);
      __m256 a = sk_pool_ld(q, masked, ma), b = sk_pool_ld(q + 8, masked, mb);
      for (size_t r = 1; r < nrows; r++) {
        q += rstep;
        a = _mm256_add_ps(a, sk_pool_ld(q, masked, ma));
        b = _mm256_add_ps(b, sk_pool_ld(q + 8, masked, mb));
      }
      const __m256 t = _mm256_add_ps(_mm256_shuffle_ps(a, b, 0x88), _mm256_shuffle_ps(a, b, 0xDD));
      s = kx == 0 ? t : _mm256_add_ps(s, t); /* (no add of the zero start: same sums) */
    }
  }
  for (; kx < kw; kx++) {
    const float *q = in + kx * dw;
    const ptrdiff_t l = lim - (ptrdiff_t)(kx * dw);
    const __m256i ma = sk_pool_mask_lim(l), mb = sk_pool_mask_lim(l - 7);
    __m256 a = sk_pool_ld(q, masked, ma), b = sk_pool_ld(q + 7, masked, mb);
    for (size_t r = 1; r < nrows; r++) {
      q += rstep;
      a = _mm256_add_ps(a, sk_pool_ld(q, masked, ma));
      b = _mm256_add_ps(b, sk_pool_ld(q + 7, masked, mb));
    }
    const __m256 t = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 2, 0));
    s = kx == 0 ? t : _mm256_add_ps(s, t);
  }
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* Stride 1: sums for outputs [ox, ox+8), one unaligned load per tap and row. */
SK_ALWAYS_INLINE __m256 vec_s1(const float *in, size_t nrows, size_t rstep, size_t kw, size_t dw,
                               int masked, ptrdiff_t lim) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  for (size_t kx = 0; kx < kw; kx++) {
    const float *q = in + kx * dw;
    const __m256i mk = sk_pool_mask_lim(lim - (ptrdiff_t)(kx * dw));
    size_t r = 0;
    for (; r + 1 < nrows; r += 2, q += 2 * rstep) {
      s0 = _mm256_add_ps(s0, sk_pool_ld(q, masked, mk));
      s1 = _mm256_add_ps(s1, sk_pool_ld(q + rstep, masked, mk));
    }
    if (r < nrows) s0 = _mm256_add_ps(s0, sk_pool_ld(q, masked, mk));
  }
  return _mm256_add_ps(s0, s1);
}

/* Interior outputs [ox, ox + n) (n >= 8) of one row, windows starting at column pointer in;
 * KW x NR taps when both are nonzero (compile-time: loops unrolled), else kw x nrows. */
SK_ALWAYS_INLINE void row_vecs(const float *in, size_t n, size_t sw, size_t KW, size_t NR,
                               size_t kw, size_t nrows, size_t rstep, size_t dw, float *out,
                               __m256 scale, int clamp, __m256 lo, __m256 hi) {
  if (KW != 0) {
    kw = KW;
    nrows = NR;
  }
  for (size_t o = 0;; o += 8) {
    if (o + 8 > n) o = n - 8; /* last vector overlaps: same values stored again */
    const __m256 s = sw == 2 ? vec_s2(in + 2 * o, nrows, rstep, kw, dw, 0, 0)
                             : vec_s1(in + o, nrows, rstep, kw, dw, 0, 0);
    _mm256_storeu_ps(out + o, sk_pool_act(_mm256_mul_ps(s, scale), clamp, lo, hi));
    if (o + 8 == n) break;
  }
}

/* One output row; scale: the interior outputs' 1 / divisor. */
SK_ALWAYS_INLINE void row_fast(const sk_pool_params *p, const sk_rows *rw, float *row, size_t ox_a,
                               size_t ox_b, __m256 scale, size_t sw, int clamp, __m256 lo,
                               __m256 hi) {
  const size_t kw = p->kernel_w, dw = p->dil_w, out_w = p->out_w, nr = rw->nrows;
  if (sw > 2 || nr == 0) ox_a = ox_b = out_w; /* all scalar */
  const size_t n = ox_b - ox_a;
  if (sw <= 2 && n >= 8) { /* (sw: a compile-time constant) */
    const float *in = rw->in + (ox_a * sw - p->pad_left);
    float *out = row + ox_a;
    /* the common 2x2 stride 2 window with its taps unrolled */
    if (sw == 2 && dw == 1 && kw == 2 && nr == 2)
      row_vecs(in, n, sw, 2, 2, kw, nr, rw->rstep, 1, out, scale, clamp, lo, hi);
    else
      row_vecs(in, n, sw, 0, 0, kw, nr, rw->rstep, dw, out, scale, clamp, lo, hi);
  } else if (sw <= 2 && n != 0) {
    /* Fewer than 8 interior outputs: loads masked to the row, n lanes stored. */
    const size_t s0 = ox_a * sw - p->pad_left;
    const ptrdiff_t lim = (ptrdiff_t)(p->in_w - s0);
    const __m256 s = sw == 2 ? vec_s2(rw->in + s0, nr, rw->rstep, kw, dw, 1, lim)
                             : vec_s1(rw->in + s0, nr, rw->rstep, kw, dw, 1, lim);
    _mm256_maskstore_ps(row + ox_a, sk_mask8(n),
                        sk_pool_act(_mm256_mul_ps(s, scale), clamp, lo, hi));
  }
  for (size_t ox = 0; ox < ox_a; ox++) row[ox] = out_edge(p, rw, ox);
  for (size_t ox = ox_b; ox < out_w; ox++) row[ox] = out_edge(p, rw, ox);
}

SK_ALWAYS_INLINE void avgpool(const sk_pool_params *p, const float *input, float *output, size_t sw,
                              int clamp) {
  const size_t in_w = p->in_w, out_w = p->out_w;
  const size_t in_plane = p->in_h * in_w, out_plane = p->out_h * out_w;
  const size_t padded_h = p->pad_top + p->in_h + p->pad_bottom;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  size_t ox_a, ox_b;
  sk_pool_interior(out_w, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, in_w, &ox_a, &ox_b);
  const size_t cols_in = ox_b > ox_a ? cols_of(p, ox_a, 0, p->kernel_w) : 0;
  /* Per output row: its first valid input row, valid rows and divisor rows (the same for every
   * plane), and the interior outputs' scale (divided once per row, as the scalar kernel). */
  for (size_t oy0 = 0; oy0 < p->out_h; oy0 += 64) {
    const size_t nrow = p->out_h - oy0 < 64 ? p->out_h - oy0 : 64;
    size_t iy[64], nr[64], rows[64];
    __m256 scale[64];
    for (size_t k = 0; k < nrow; k++) {
      size_t ky_lo, ky_hi;
      sk_tap_range(oy0 + k, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo,
                   &ky_hi, &iy[k]);
      nr[k] = ky_hi - ky_lo;
      rows[k] = p->count_include_pad ? sk_pool_padded_extent((oy0 + k) * p->stride_h,
                                                             p->kernel_h, p->dil_h, padded_h)
                                     : nr[k];
      const size_t count = rows[k] * cols_in;
      scale[k] = _mm256_set1_ps(count != 0 ? 1.0f / (float)count : 0.0f);
    }
    for (size_t c = 0; c < p->channels; c++) {
      const float *plane = input + c * in_plane;
      float *out = output + c * out_plane + oy0 * out_w;
      for (size_t k = 0; k < nrow; k++, out += out_w) {
        const sk_rows rw = {plane + iy[k] * in_w, nr[k], p->dil_h * in_w, rows[k]};
        row_fast(p, &rw, out, ox_a, ox_b, scale[k], sw, clamp, lo, hi);
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
static void avgpool_scalar_rows(const sk_pool_params *p, const float *in, float *out) {
  avgpool(p, in, out, 3, 1);
}

void sk_avgpool_nchw_w8__avx2(const sk_pool_params *p, const float *input, float *output) {
  const int act = sk_pool_has_act(p);
  if (p->stride_w == 1)
    (act ? avgpool_s1_act : avgpool_s1_noact)(p, input, output);
  else if (p->stride_w == 2)
    (act ? avgpool_s2_act : avgpool_s2_noact)(p, input, output);
  else
    avgpool_scalar_rows(p, input, output);
}
