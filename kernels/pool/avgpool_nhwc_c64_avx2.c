/*
 * Average pooling, NHWC, AVX2: 64 channels (8 ymm sums) per step, channel tails as 32, 16, 8, one
 * masked vector. Per output pixel its divisor's reciprocal is computed once (constant over the
 * interior), border pixels loop their clipped taps; divisor rules as the scalar kernel.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_pool_avx2.h"

#define NV 8 /* vectors per channel step */

/* One pixel, channels [0, 8*nv) (the last vector masked if masked): sum of nrows x ncols taps
 * (rows rstep floats apart, columns cstep apart) times scale. */
SK_ALWAYS_INLINE void px_avg(size_t nv, int masked, __m256i mask, const float *in, size_t nrows,
                             size_t rstep, size_t ncols, size_t cstep, float *out, __m256 scale,
                             int clamp, __m256 lo, __m256 hi) {
  __m256 acc[NV];
  if (nrows == 0 || ncols == 0) {
    for (size_t j = 0; j < nv; j++) acc[j] = _mm256_setzero_ps();
  } else {
    /* The first tap initializes the sums, the others add to them. */
    for (size_t j = 0; j < nv; j++) acc[j] = sk_pool_ld(in + 8 * j, masked && j == nv - 1, mask);
    for (size_t r = 0; r < nrows; r++, in += rstep) {
      const float *q = in + (r == 0 ? cstep : 0);
      for (size_t k = r == 0; k < ncols; k++, q += cstep)
        for (size_t j = 0; j < nv; j++)
          acc[j] = _mm256_add_ps(acc[j], sk_pool_ld(q + 8 * j, masked && j == nv - 1, mask));
    }
  }
  for (size_t j = 0; j < nv; j++)
    sk_pool_st(out + 8 * j, sk_pool_act(_mm256_mul_ps(acc[j], scale), clamp, lo, hi),
               masked && j == nv - 1, mask);
}

/* One pixel, all c_n channels. */
SK_ALWAYS_INLINE void px_all(size_t c_n, __m256i tail, const float *in, size_t nrows, size_t rstep,
                             size_t ncols, size_t cstep, float *out, __m256 scale, int clamp,
                             __m256 lo, __m256 hi) {
  size_t c = 0;
  for (; c + 64 <= c_n; c += 64)
    px_avg(8, 0, tail, in + c, nrows, rstep, ncols, cstep, out + c, scale, clamp, lo, hi);
  if (c_n - c >= 32) {
    px_avg(4, 0, tail, in + c, nrows, rstep, ncols, cstep, out + c, scale, clamp, lo, hi);
    c += 32;
  }
  if (c_n - c >= 16) {
    px_avg(2, 0, tail, in + c, nrows, rstep, ncols, cstep, out + c, scale, clamp, lo, hi);
    c += 16;
  }
  if (c_n - c >= 8) {
    px_avg(1, 0, tail, in + c, nrows, rstep, ncols, cstep, out + c, scale, clamp, lo, hi);
    c += 8;
  }
  if (c < c_n)
    px_avg(1, 1, tail, in + c, nrows, rstep, ncols, cstep, out + c, scale, clamp, lo, hi);
}

static inline float inv_count(size_t count) { return count != 0 ? 1.0f / (float)count : 0.0f; }

/* Divisor columns of the window of output column ox (scalar kernel's rule). */
static inline size_t cols_of(const sk_pool_params *p, size_t ox, size_t kx_lo, size_t kx_hi) {
  if (!p->count_include_pad) return kx_hi - kx_lo;
  return sk_pool_padded_extent(ox * p->stride_w, p->kernel_w, p->dil_w,
                               p->pad_left + p->in_w + p->pad_right);
}

SK_ALWAYS_INLINE void avgpool(const sk_pool_params *p, const float *input, float *output,
                              int clamp) {
  const size_t c_n = p->channels, in_w = p->in_w, out_w = p->out_w;
  const size_t sw = p->stride_w, kw = p->kernel_w, cstep = p->dil_w * c_n;
  const size_t padded_h = p->pad_top + p->in_h + p->pad_bottom;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const __m256i tail = sk_mask8(c_n & 7);
  size_t ox_a, ox_b;
  sk_pool_interior(out_w, sw, p->pad_left, p->dil_w, kw, in_w, &ox_a, &ox_b);
  const size_t cols_in = ox_b > ox_a ? cols_of(p, ox_a, 0, kw) : 0;

  for (size_t oy = 0; oy < p->out_h; oy++) {
    size_t ky_lo, ky_hi, iy;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy);
    const size_t rows = p->count_include_pad ? sk_pool_padded_extent(oy * p->stride_h, p->kernel_h,
                                                                     p->dil_h, padded_h)
                                             : ky_hi - ky_lo;
    const float *in_row = input + iy * in_w * c_n;
    const size_t nrows = ky_hi - ky_lo, rstep = p->dil_h * in_w * c_n;
    float *out_row = output + oy * out_w * c_n;
    for (size_t ox = 0; ox < out_w; ox++) {
      if (ox == ox_a && ox_b > ox_a) {
        const __m256 scale = _mm256_set1_ps(inv_count(rows * cols_in));
        const float *in = in_row + (ox_a * sw - p->pad_left) * c_n;
        for (; ox < ox_b; ox++, in += sw * c_n)
          px_all(c_n, tail, in, nrows, rstep, kw, cstep, out_row + ox * c_n, scale, clamp, lo, hi);
        if (ox == out_w) break;
      }
      size_t kx_lo, kx_hi, ix;
      sk_tap_range(ox, sw, p->pad_left, p->dil_w, kw, in_w, &kx_lo, &kx_hi, &ix);
      const __m256 scale = _mm256_set1_ps(inv_count(rows * cols_of(p, ox, kx_lo, kx_hi)));
      px_all(c_n, tail, in_row + ix * c_n, nrows, rstep, kx_hi - kx_lo, cstep, out_row + ox * c_n,
             scale, clamp, lo, hi);
    }
  }
}

static void avgpool_act(const sk_pool_params *p, const float *in, float *out) {
  avgpool(p, in, out, 1);
}
static void avgpool_noact(const sk_pool_params *p, const float *in, float *out) {
  avgpool(p, in, out, 0);
}

void sk_avgpool_nhwc_c64__avx2(const sk_pool_params *p, const float *input, float *output) {
  if (sk_pool_has_act(p))
    avgpool_act(p, input, output);
  else
    avgpool_noact(p, input, output);
}
