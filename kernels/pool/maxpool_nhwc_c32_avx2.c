/*
 * Max pooling, NHWC, AVX2: 32 channels (4 ymm) per step, channel tails as 16, 8, one masked vector.
 * kernel_w = stride_w + 1 (3x3 s2, 2x2 s1): one column max per pixel, the shared column carried in
 * a 1 KiB stack buffer; other windows and border pixels loop their clipped taps per pixel.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_pool_avx2.h"

/*
 * NaN: the fast paths take acc = MAXPS(acc, x), which gives x when x is NaN (a NaN acc is then
 * lost at the next tap), so after each tap acc is NaN iff the x just read was. An unordered
 * compare of pairs of accumulators (registers: the loads stay folded into MAXPS), ORed into d,
 * flags every NaN read. A row whose d is set is recomputed with the scalar kernel's operation in
 * its tap order (row_exact): results are bitwise those of the scalar kernel; NaN-free rows
 * differ at most in the sign of a zero.
 */

#define NV 4 /* vectors per channel step */

typedef struct {
  const float *in; /* first valid window row (pixel 0, channel 0) */
  size_t nrows;    /* valid window rows */
  size_t rstep;    /* floats between them */
} sk_rows;

/* Unordered check of nv accumulators, pairing them. */
SK_ALWAYS_INLINE __m256 nan_pairs(const __m256 *x, size_t nv) {
  if (nv == 1) return sk_pool_unord(x[0], x[0]);
  __m256 t = sk_pool_unord(x[0], x[1]);
  for (size_t j = 2; j + 1 < nv; j += 2) t = _mm256_or_ps(t, sk_pool_unord(x[j], x[j + 1]));
  return t;
}

/* One pixel, channels [0, 8*nv) (the last vector masked if masked): max over nrows x ncols taps
 * (rows rstep floats apart, columns cstep apart) from in; an empty window gives -inf. */
SK_ALWAYS_INLINE __m256 px_fast(size_t nv, int masked, __m256i mask, const float *in, size_t nrows,
                                size_t rstep, size_t ncols, size_t cstep, float *out, int clamp,
                                __m256 lo, __m256 hi, __m256 d) {
  __m256 acc[NV];
  for (size_t j = 0; j < nv; j++) acc[j] = _mm256_set1_ps(-INFINITY);
  for (size_t r = 0; r < nrows; r++, in += rstep) {
    const float *q = in;
    for (size_t k = 0; k < ncols; k++, q += cstep) {
      for (size_t j = 0; j < nv; j++)
        acc[j] = _mm256_max_ps(acc[j], sk_pool_ld(q + 8 * j, masked && j == nv - 1, mask));
      d = _mm256_or_ps(d, nan_pairs(acc, nv));
    }
  }
  for (size_t j = 0; j < nv; j++)
    sk_pool_st(out + 8 * j, sk_pool_act(acc[j], clamp, lo, hi), masked && j == nv - 1, mask);
  return d;
}

/* One pixel, all c_n channels. */
SK_ALWAYS_INLINE __m256 px_all(size_t c_n, __m256i tail, const float *in, size_t nrows,
                               size_t rstep, size_t ncols, size_t cstep, float *out, int clamp,
                               __m256 lo, __m256 hi, __m256 d) {
  size_t c = 0;
  for (; c + 32 <= c_n; c += 32)
    d = px_fast(4, 0, tail, in + c, nrows, rstep, ncols, cstep, out + c, clamp, lo, hi, d);
  if (c_n - c >= 16) {
    d = px_fast(2, 0, tail, in + c, nrows, rstep, ncols, cstep, out + c, clamp, lo, hi, d);
    c += 16;
  }
  if (c_n - c >= 8) {
    d = px_fast(1, 0, tail, in + c, nrows, rstep, ncols, cstep, out + c, clamp, lo, hi, d);
    c += 8;
  }
  if (c < c_n)
    d = px_fast(1, 1, tail, in + c, nrows, rstep, ncols, cstep, out + c, clamp, lo, hi, d);
  return d;
}

/* Border pixel ox (clipped column taps). */
SK_ALWAYS_INLINE __m256 px_edge(const sk_pool_params *p, const sk_rows *rw, size_t ox,
                                float *out_row, __m256i tail, int clamp, __m256 lo, __m256 hi,
                                __m256 d) {
  const size_t c_n = p->channels;
  size_t kx_lo, kx_hi, ix;
  sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, p->in_w, &kx_lo, &kx_hi, &ix);
  return px_all(c_n, tail, rw->in + ix * c_n, rw->nrows, rw->rstep, kx_hi - kx_lo, p->dil_w * c_n,
                out_row + ox * c_n, clamp, lo, hi, d);
}

/* Any window: per pixel, all channels. Interior pixels [ox_a, ox_b) skip the tap clipping. */
SK_ALWAYS_INLINE int row_generic(const sk_pool_params *p, const sk_rows *rw, float *out_row,
                                 size_t ox_a, size_t ox_b, __m256i tail, int clamp, __m256 lo,
                                 __m256 hi) {
  const size_t c_n = p->channels, sw = p->stride_w, kw = p->kernel_w, cstep = p->dil_w * c_n;
  __m256 d = _mm256_setzero_ps();
  for (size_t ox = 0; ox < ox_a; ox++) d = px_edge(p, rw, ox, out_row, tail, clamp, lo, hi, d);
  if (ox_b > ox_a) {
    const float *in = rw->in + (ox_a * sw - p->pad_left) * c_n;
    for (size_t ox = ox_a; ox < ox_b; ox++, in += sw * c_n)
      d = px_all(c_n, tail, in, rw->nrows, rw->rstep, kw, cstep, out_row + ox * c_n, clamp, lo, hi,
                 d);
  }
  for (size_t ox = ox_b; ox < p->out_w; ox++)
    d = px_edge(p, rw, ox, out_row, tail, clamp, lo, hi, d);
  return sk_pool_any(d);
}

/* Column max over the valid rows, channels [0, 8*nv), into v. */
SK_ALWAYS_INLINE __m256 col_max(size_t nv, int masked, __m256i mask, const float *q, size_t nrows,
                                size_t rstep, __m256 *v, __m256 d) {
  for (size_t j = 0; j < nv; j++) v[j] = sk_pool_ld(q + 8 * j, masked && j == nv - 1, mask);
  d = _mm256_or_ps(d, nan_pairs(v, nv));
  for (size_t r = 1; r < nrows; r++) {
    q += rstep;
    for (size_t j = 0; j < nv; j++)
      v[j] = _mm256_max_ps(v[j], sk_pool_ld(q + 8 * j, masked && j == nv - 1, mask));
    d = _mm256_or_ps(d, nan_pairs(v, nv));
  }
  return d;
}

#define CB 256 /* channels per pass of the pixel-outer carry path (stack carry buffer) */

/* One interior pixel step for channels [0, 8*nv): window columns s..s+sw, q points at column s+1
 * of the first valid row; cb holds column s's max and receives column s+sw's. */
SK_ALWAYS_INLINE __m256 carry_step(size_t nv, int masked, __m256i mask, size_t sw, const float *q,
                                   size_t nrows, size_t rstep, size_t c_n, float *cb, float *out,
                                   int clamp, __m256 lo, __m256 hi, __m256 d) {
  __m256 a[NV], b[NV];
  if (sw == 2) {
    for (size_t j = 0; j < nv; j++) {
      a[j] = sk_pool_ld(q + 8 * j, masked && j == nv - 1, mask);
      b[j] = sk_pool_ld(q + c_n + 8 * j, masked && j == nv - 1, mask);
      d = _mm256_or_ps(d, sk_pool_unord(a[j], b[j]));
    }
    for (size_t r = 1; r < nrows; r++) {
      q += rstep;
      for (size_t j = 0; j < nv; j++) {
        a[j] = _mm256_max_ps(a[j], sk_pool_ld(q + 8 * j, masked && j == nv - 1, mask));
        b[j] = _mm256_max_ps(b[j], sk_pool_ld(q + c_n + 8 * j, masked && j == nv - 1, mask));
        d = _mm256_or_ps(d, sk_pool_unord(a[j], b[j]));
      }
    }
    for (size_t j = 0; j < nv; j++) a[j] = _mm256_max_ps(a[j], b[j]);
  } else {
    d = col_max(nv, masked, mask, q, nrows, rstep, b, d);
    for (size_t j = 0; j < nv; j++) a[j] = b[j];
  }
  for (size_t j = 0; j < nv; j++) {
    const __m256 m = _mm256_max_ps(_mm256_load_ps(cb + 8 * j), a[j]);
    _mm256_store_ps(cb + 8 * j, b[j]);
    sk_pool_st(out + 8 * j, sk_pool_act(m, clamp, lo, hi), masked && j == nv - 1, mask);
  }
  return d;
}

/* kernel_w = sw + 1, dil_w = 1, sw in {1, 2}, nrows >= 1: interior pixels [ox_a, ox_b) step
 * through carry_step, per pass of up to CB channels; border pixels through px_edge. */
SK_ALWAYS_INLINE int row_carry(const sk_pool_params *p, const sk_rows *rw, float *out_row,
                               size_t ox_a, size_t ox_b, __m256i tail, size_t sw, int clamp,
                               __m256 lo, __m256 hi) {
  const size_t c_n = p->channels;
  const size_t nr = rw->nrows, rs = rw->rstep;
  __attribute__((aligned(32))) float cb[CB];
  __m256 d = _mm256_setzero_ps();
  for (size_t ox = 0; ox < ox_a; ox++) d = px_edge(p, rw, ox, out_row, tail, clamp, lo, hi, d);
  for (size_t c0 = 0; c0 < c_n; c0 += CB) {
    const size_t cn = c_n - c0 < CB ? c_n - c0 : CB;
    const float *in = rw->in + (ox_a * sw - p->pad_left) * c_n + c0;
    for (size_t c = 0; c < cn; c += 8) {
      __m256 v[1];
      const int masked = cn - c < 8;
      d = col_max(1, masked, tail, in + c, nr, rs, v, d);
      _mm256_store_ps(cb + c, v[0]);
    }
    float *out = out_row + ox_a * c_n + c0;
    for (size_t ox = ox_a; ox < ox_b; ox++, in += sw * c_n, out += c_n) {
      size_t c = 0;
      for (; c + 32 <= cn; c += 32)
        d = carry_step(4, 0, tail, sw, in + c_n + c, nr, rs, c_n, cb + c, out + c, clamp, lo, hi,
                       d);
      if (cn - c >= 16) {
        d = carry_step(2, 0, tail, sw, in + c_n + c, nr, rs, c_n, cb + c, out + c, clamp, lo, hi,
                       d);
        c += 16;
      }
      if (cn - c >= 8) {
        d = carry_step(1, 0, tail, sw, in + c_n + c, nr, rs, c_n, cb + c, out + c, clamp, lo, hi,
                       d);
        c += 8;
      }
      if (c < cn)
        d = carry_step(1, 1, tail, sw, in + c_n + c, nr, rs, c_n, cb + c, out + c, clamp, lo, hi,
                       d);
    }
  }
  for (size_t ox = ox_b; ox < p->out_w; ox++)
    d = px_edge(p, rw, ox, out_row, tail, clamp, lo, hi, d);
  return sk_pool_any(d);
}

/* The scalar kernel's row: per pixel, taps in (ky, kx) order through sk_pool_max_exact8. */
static void row_exact(const sk_pool_params *p, const sk_rows *rw, float *out_row, __m256i tail,
                      __m256 lo, __m256 hi) {
  const size_t c_n = p->channels, cstep = p->dil_w * c_n;
  for (size_t ox = 0; ox < p->out_w; ox++) {
    size_t kx_lo, kx_hi, ix;
    sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, p->in_w, &kx_lo, &kx_hi, &ix);
    const float *in = rw->in + ix * c_n;
    float *out = out_row + ox * c_n;
    for (size_t c = 0; c < c_n; c += 8) {
      const int masked = c_n - c < 8;
      __m256 acc = _mm256_set1_ps(-INFINITY);
      for (size_t r = 0; r < rw->nrows; r++) {
        const float *q = in + r * rw->rstep + c;
        for (size_t k = kx_lo; k < kx_hi; k++, q += cstep)
          acc = sk_pool_max_exact8(acc, sk_pool_ld(q, masked, tail));
      }
      sk_pool_st(out + c, sk_clamp8(acc, lo, hi), masked, tail);
    }
  }
}

/* Row variants with the window shape and the activation fixed at compile time. */
static int row_generic_act(const sk_pool_params *p, const sk_rows *rw, float *o, size_t a, size_t b,
                           __m256i t, __m256 lo, __m256 hi) {
  return row_generic(p, rw, o, a, b, t, 1, lo, hi);
}
static int row_generic_noact(const sk_pool_params *p, const sk_rows *rw, float *o, size_t a,
                             size_t b, __m256i t, __m256 lo, __m256 hi) {
  return row_generic(p, rw, o, a, b, t, 0, lo, hi);
}
static int row_carry2_act(const sk_pool_params *p, const sk_rows *rw, float *o, size_t a, size_t b,
                          __m256i t, __m256 lo, __m256 hi) {
  return row_carry(p, rw, o, a, b, t, 2, 1, lo, hi);
}
static int row_carry2_noact(const sk_pool_params *p, const sk_rows *rw, float *o, size_t a,
                            size_t b, __m256i t, __m256 lo, __m256 hi) {
  return row_carry(p, rw, o, a, b, t, 2, 0, lo, hi);
}
static int row_carry1_act(const sk_pool_params *p, const sk_rows *rw, float *o, size_t a, size_t b,
                          __m256i t, __m256 lo, __m256 hi) {
  return row_carry(p, rw, o, a, b, t, 1, 1, lo, hi);
}
static int row_carry1_noact(const sk_pool_params *p, const sk_rows *rw, float *o, size_t a,
                            size_t b, __m256i t, __m256 lo, __m256 hi) {
  return row_carry(p, rw, o, a, b, t, 1, 0, lo, hi);
}

typedef int (*sk_row_fn)(const sk_pool_params *, const sk_rows *, float *, size_t, size_t, __m256i,
                         __m256, __m256);

void sk_maxpool_nhwc_c32__avx2(const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, in_w = p->in_w, out_w = p->out_w;
  const size_t sw = p->stride_w, kw = p->kernel_w;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const __m256i tail = sk_mask8(c_n & 7);
  const int act = sk_pool_has_act(p);
  size_t ox_a, ox_b;
  sk_pool_interior(out_w, sw, p->pad_left, p->dil_w, kw, in_w, &ox_a, &ox_b);
  const int carry = p->dil_w == 1 && kw == sw + 1 && (sw == 1 || sw == 2) && ox_b > ox_a;
  sk_row_fn row = act ? row_generic_act : row_generic_noact;
  if (carry && sw == 2) row = act ? row_carry2_act : row_carry2_noact;
  if (carry && sw == 1) row = act ? row_carry1_act : row_carry1_noact;

  for (size_t oy = 0; oy < p->out_h; oy++) {
    size_t ky_lo, ky_hi, iy;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy);
    const sk_rows rw = {input + iy * in_w * c_n, ky_hi - ky_lo, p->dil_h * in_w * c_n};
    float *out_row = output + oy * out_w * c_n;
    /* An empty row range: every window is empty, the generic path writes -inf. */
    const sk_row_fn f = rw.nrows != 0 ? row : (act ? row_generic_act : row_generic_noact);
    if (f(p, &rw, out_row, ox_a, ox_b, tail, lo, hi)) row_exact(p, &rw, out_row, tail, lo, hi);
  }
}
