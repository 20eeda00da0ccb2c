/*
 * AVX2 + FMA probes (built with -mavx2 -mfma only; call only when the CPU has
 * AVX2 and FMA): 12 independent _mm256_fmadd_ps chains (latency 4-5 cycles x
 * 2 FMA ports needs >= 10 in flight), and a 256-bit load/store copy.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "probe_avx2.c must be compiled with -mavx2 -mfma"
#endif

#include <immintrin.h>

#include "probe.h"

static float chains_avx2(long steps, float bv, float cv) {
  const __m256 b = _mm256_set1_ps(bv), c = _mm256_set1_ps(cv);
  __m256 a0 = _mm256_set1_ps(0.00f), a1 = _mm256_set1_ps(0.01f), a2 = _mm256_set1_ps(0.02f);
  __m256 a3 = _mm256_set1_ps(0.03f), a4 = _mm256_set1_ps(0.04f), a5 = _mm256_set1_ps(0.05f);
  __m256 a6 = _mm256_set1_ps(0.06f), a7 = _mm256_set1_ps(0.07f), a8 = _mm256_set1_ps(0.08f);
  __m256 a9 = _mm256_set1_ps(0.09f), a10 = _mm256_set1_ps(0.10f), a11 = _mm256_set1_ps(0.11f);
  for (long s = 0; s < steps; s++) {
    a0 = _mm256_fmadd_ps(a0, b, c);
    a1 = _mm256_fmadd_ps(a1, b, c);
    a2 = _mm256_fmadd_ps(a2, b, c);
    a3 = _mm256_fmadd_ps(a3, b, c);
    a4 = _mm256_fmadd_ps(a4, b, c);
    a5 = _mm256_fmadd_ps(a5, b, c);
    a6 = _mm256_fmadd_ps(a6, b, c);
    a7 = _mm256_fmadd_ps(a7, b, c);
    a8 = _mm256_fmadd_ps(a8, b, c);
    a9 = _mm256_fmadd_ps(a9, b, c);
    a10 = _mm256_fmadd_ps(a10, b, c);
    a11 = _mm256_fmadd_ps(a11, b, c);
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  return _mm256_cvtss_f32(s);
}

double sk_probe_fma_avx2(double seconds) {
  return sk_probe_fma_best(chains_avx2, 1L << 18, 2.0 * 8.0 * 12.0, seconds);
}

static void copy_avx2(float *dst, const float *src, size_t n) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 v0 = _mm256_loadu_ps(src + i), v1 = _mm256_loadu_ps(src + i + 8);
    const __m256 v2 = _mm256_loadu_ps(src + i + 16), v3 = _mm256_loadu_ps(src + i + 24);
    _mm256_storeu_ps(dst + i, v0);
    _mm256_storeu_ps(dst + i + 8, v1);
    _mm256_storeu_ps(dst + i + 16, v2);
    _mm256_storeu_ps(dst + i + 24, v3);
  }
  for (; i < n; i++) dst[i] = src[i];
}

double sk_probe_copy_avx2(float *dst, const float *src, size_t n, double seconds) {
  double best = 0.0, spent = 0.0;
  while (spent < seconds) {
    const double t0 = sk_probe_thread_seconds();
    copy_avx2(dst, src, n);
    const double t = sk_probe_thread_seconds() - t0;
    spent += t > 0.0 ? t : 1e-6;
    if (t > 0.0) {
      const double gbs = 2.0 * (double)(n * sizeof *src) / t * 1e-9;
      if (gbs > best) best = gbs;
    }
  }
  return best;
}
