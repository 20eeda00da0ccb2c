/* Inline helpers shared by the AVX2 kernels (include only from *_avx2.c). */
#ifndef SK_AVX2_UTIL_H
#define SK_AVX2_UTIL_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include <immintrin.h>
#include <stddef.h>

/* Activation clamp. MAXPS/MINPS return the second operand when either is
 * NaN, so v goes second and a NaN passes, as the scalar sk_clampf does. */
static inline __m256 sk_clamp8(__m256 v, __m256 lo, __m256 hi) {
  return _mm256_min_ps(hi, _mm256_max_ps(lo, v));
}

/* Lanes [0, n) set, n in 0..8. */
static inline __m256i sk_mask8(size_t n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}

/* Stores the first n (1..16) lanes of a:b, never touching dst[n..15]. */
static inline void sk_store16(float *dst, __m256 a, __m256 b, size_t n) {
  if (n == 16) {
    _mm256_storeu_ps(dst, a);
    _mm256_storeu_ps(dst + 8, b);
  } else if (n > 8) {
    _mm256_storeu_ps(dst, a);
    _mm256_maskstore_ps(dst + 8, sk_mask8(n - 8), b);
  } else {
    _mm256_maskstore_ps(dst, sk_mask8(n), a);
  }
}

#endif /* SK_AVX2_UTIL_H */
