/* Inline helpers shared by the AVX2 pooling kernels (include only from kernels/pool/ *_avx2.c). */
#ifndef SK_POOL_AVX2_H
#define SK_POOL_AVX2_H

#include <math.h>
#include <stddef.h>

#include "sk_avx2_util.h"
#include "sk_kernels.h"
#include "sk_window.h"

/* The scalar kernels' max, (x > v || x != x) ? x : v, lane by lane and bitwise equal to it:
 * MAXPS(x, v) gives v when either is NaN, the blend then takes a NaN x. */
SK_ALWAYS_INLINE __m256 sk_pool_max_exact8(__m256 v, __m256 x) {
  const __m256 m = _mm256_max_ps(x, v);
  return _mm256_blendv_ps(m, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

/* The same for one float, branch-free (a compare-and-branch mispredicts on real data). */
SK_ALWAYS_INLINE float sk_pool_max_exact(float v, float x) {
  const __m128 xv = _mm_set_ss(x), m = _mm_max_ss(xv, _mm_set_ss(v));
  return _mm_cvtss_f32(_mm_blendv_ps(m, xv, _mm_cmpunord_ss(xv, xv)));
}

/* All-ones lanes where a or b is NaN. */
SK_ALWAYS_INLINE __m256 sk_pool_unord(__m256 a, __m256 b) {
  return _mm256_cmp_ps(a, b, _CMP_UNORD_Q);
}

/* Nonzero if any lane of the unordered-compare accumulator d is set. */
SK_ALWAYS_INLINE int sk_pool_any(__m256 d) { return !_mm256_testz_ps(d, d); }

/* Max of the 8 lanes (NaN-free input). */
SK_ALWAYS_INLINE float sk_pool_hmax8(__m256 v) {
  __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_max_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_max_ss(x, _mm_movehdup_ps(x)));
}

/* Sum of the 8 lanes. */
SK_ALWAYS_INLINE float sk_pool_hsum8(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_add_ss(x, _mm_movehdup_ps(x)));
}

/* 8 lanes, or the lanes of mask only when masked (a compile-time constant after inlining). */
SK_ALWAYS_INLINE __m256 sk_pool_ld(const float *p, int masked, __m256i mask) {
  return masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
}

/* Lanes [0, n) set for a column count n that may be negative or above 8 (clamped). */
SK_ALWAYS_INLINE __m256i sk_pool_mask_lim(ptrdiff_t n) {
  return sk_mask8(n < 0 ? 0 : n > 8 ? 8 : (size_t)n);
}

SK_ALWAYS_INLINE void sk_pool_st(float *p, __m256 v, int masked, __m256i mask) {
  if (masked)
    _mm256_maskstore_ps(p, mask, v);
  else
    _mm256_storeu_ps(p, v);
}

/* Clamp only when the op has an activation (clamp is a compile-time constant after inlining);
 * without one the clamp is the identity (NaN included), so skipping it changes nothing. */
SK_ALWAYS_INLINE __m256 sk_pool_act(__m256 v, int clamp, __m256 lo, __m256 hi) {
  return clamp ? sk_clamp8(v, lo, hi) : v;
}

static inline int sk_pool_has_act(const sk_pool_params *p) {
  return !(p->out_min == -INFINITY && p->out_max == INFINITY);
}

/* Extent of the window at padded coordinate start, clipped to the padded input [0, padded)
 * (the count_include_pad divisor, as in the scalar kernels). */
static inline size_t sk_pool_padded_extent(size_t start, size_t kernel, size_t dil, size_t padded) {
  const size_t end = start + (kernel - 1) * dil + 1;
  const size_t clipped = end < padded ? end : padded;
  return clipped > start ? clipped - start : 0;
}

/* Outputs [*o_lo, *o_hi) whose windows lie entirely inside the input (no clipped tap):
 * o*stride >= pad and o*stride + (k-1)*dil + 1 <= pad + in. */
static inline void sk_pool_interior(size_t out_n, size_t stride, size_t pad, size_t dil, size_t k,
                                    size_t in, size_t *o_lo, size_t *o_hi) {
  const size_t ext = (k - 1) * dil + 1;
  size_t lo = (pad + stride - 1) / stride;
  size_t hi = in + pad >= ext ? (in + pad - ext) / stride + 1 : 0;
  if (lo > out_n) lo = out_n;
  if (hi > out_n) hi = out_n;
  if (hi < lo) hi = lo;
  *o_lo = lo;
  *o_hi = hi;
}

#endif /* SK_POOL_AVX2_H */
