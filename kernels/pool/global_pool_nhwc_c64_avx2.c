/*
 * Global max and average pooling, NHWC, AVX2: 64 channels (8 ymm accumulators) per pass over the
 * pixels, channel tails as 32, 16, 8, one masked vector. Sums run per lane in the scalar kernel's
 * order (blocks of 256 pixels); a max pass that read a NaN is redone with the scalar operation.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_pool_avx2.h"

#define NV 8      /* vectors per channel pass */
#define BLOCK 256 /* pixels per partial sum, as the scalar kernel */

/* Exact max (scalar operation and order) of channels [0, cn) over n pixels c_n floats apart. */
static void gmax_exact(const float *in, size_t n, size_t c_n, size_t cn, float *out, __m256i tail,
                       __m256 lo, __m256 hi) {
  for (size_t c = 0; c < cn; c += 8) {
    const int masked = cn - c < 8;
    __m256 acc = _mm256_set1_ps(-INFINITY);
    for (size_t i = 0; i < n; i++)
      acc = sk_pool_max_exact8(acc, sk_pool_ld(in + i * c_n + c, masked, tail));
    sk_pool_st(out + c, sk_clamp8(acc, lo, hi), masked, tail);
  }
}

/* Channels [0, 8*nv) (last vector masked if masked): max over the n pixels. acc = MAXPS(acc, x)
 * is NaN right after reading a NaN x (and drops it at the next pixel): an unordered compare of
 * pairs of accumulators after each pixel flags it, and then the pass is redone by gmax_exact, so
 * results are bitwise the scalar kernel's. */
SK_ALWAYS_INLINE void gmax(size_t nv, int masked, __m256i mask, const float *in, size_t n,
                           size_t c_n, float *out, __m256 lo, __m256 hi) {
  __m256 acc[NV];
  __m256 d = _mm256_setzero_ps();
  for (size_t j = 0; j < nv; j++) acc[j] = _mm256_set1_ps(-INFINITY);
  for (size_t i = 0; i < n; i++) {
    const float *q = in + i * c_n;
    for (size_t j = 0; j < nv; j++)
      acc[j] = _mm256_max_ps(acc[j], sk_pool_ld(q + 8 * j, masked && j == nv - 1, mask));
    if (nv == 1) {
      d = _mm256_or_ps(d, sk_pool_unord(acc[0], acc[0]));
    } else {
      for (size_t j = 0; j + 1 < nv; j += 2) d = _mm256_or_ps(d, sk_pool_unord(acc[j], acc[j + 1]));
    }
  }
  if (sk_pool_any(d)) {
    gmax_exact(in, n, c_n, masked ? 8 * (nv - 1) + (c_n & 7) : 8 * nv, out, mask, lo, hi);
    return;
  }
  for (size_t j = 0; j < nv; j++)
    sk_pool_st(out + 8 * j, sk_clamp8(acc[j], lo, hi), masked && j == nv - 1, mask);
}

/* Channels [0, 8*nv): sum over the n pixels in blocks of BLOCK, divided by n. */
SK_ALWAYS_INLINE void gavg(size_t nv, int masked, __m256i mask, const float *in, size_t n,
                           size_t c_n, float *out, __m256 div, __m256 lo, __m256 hi) {
  __m256 total[NV];
  for (size_t j = 0; j < nv; j++) total[j] = _mm256_setzero_ps();
  for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
    const size_t i1 = n - i0 < BLOCK ? n : i0 + BLOCK;
    __m256 part[NV];
    for (size_t j = 0; j < nv; j++) part[j] = _mm256_setzero_ps();
    for (size_t i = i0; i < i1; i++) {
      const float *q = in + i * c_n;
      for (size_t j = 0; j < nv; j++)
        part[j] = _mm256_add_ps(part[j], sk_pool_ld(q + 8 * j, masked && j == nv - 1, mask));
    }
    for (size_t j = 0; j < nv; j++) total[j] = _mm256_add_ps(total[j], part[j]);
  }
  for (size_t j = 0; j < nv; j++)
    sk_pool_st(out + 8 * j, sk_clamp8(_mm256_div_ps(total[j], div), lo, hi), masked && j == nv - 1,
               mask);
}

void sk_global_maxpool_nhwc_c64__avx2(const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, n = p->in_h * p->in_w;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const __m256i tail = sk_mask8(c_n & 7);
  size_t c = 0;
  for (; c + 64 <= c_n; c += 64) gmax(8, 0, tail, input + c, n, c_n, output + c, lo, hi);
  if (c_n - c >= 32) {
    gmax(4, 0, tail, input + c, n, c_n, output + c, lo, hi);
    c += 32;
  }
  if (c_n - c >= 16) {
    gmax(2, 0, tail, input + c, n, c_n, output + c, lo, hi);
    c += 16;
  }
  if (c_n - c >= 8) {
    gmax(1, 0, tail, input + c, n, c_n, output + c, lo, hi);
    c += 8;
  }
  if (c < c_n) gmax(1, 1, tail, input + c, n, c_n, output + c, lo, hi);
}

void sk_global_avgpool_nhwc_c64__avx2(const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, n = p->in_h * p->in_w;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const __m256 div = _mm256_set1_ps((float)n);
  const __m256i tail = sk_mask8(c_n & 7);
  size_t c = 0;
  for (; c + 64 <= c_n; c += 64) gavg(8, 0, tail, input + c, n, c_n, output + c, div, lo, hi);
  if (c_n - c >= 32) {
    gavg(4, 0, tail, input + c, n, c_n, output + c, div, lo, hi);
    c += 32;
  }
  if (c_n - c >= 16) {
    gavg(2, 0, tail, input + c, n, c_n, output + c, div, lo, hi);
    c += 16;
  }
  if (c_n - c >= 8) {
    gavg(1, 0, tail, input + c, n, c_n, output + c, div, lo, hi);
    c += 8;
  }
  if (c < c_n) gavg(1, 1, tail, input + c, n, c_n, output + c, div, lo, hi);
}
