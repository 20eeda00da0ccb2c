/*
 * AVX-512F probe (built with -mavx512f only; call only when the CPU and OS
 * run AVX-512F): 16 independent _mm512_fmadd_ps chains. The peers (oneDNN
 * and XNNPACK) pick AVX-512 kernels on such a CPU; this is their peak.
 */
#if !defined(__AVX512F__)
#error "probe_avx512.c must be compiled with -mavx512f"
#endif

#include <immintrin.h>

#include "probe.h"

static float chains_avx512(long steps, float bv, float cv) {
  const __m512 b = _mm512_set1_ps(bv), c = _mm512_set1_ps(cv);
  __m512 a[16];
  for (int i = 0; i < 16; i++) a[i] = _mm512_set1_ps(0.01f * (float)i);
  for (long s = 0; s < steps; s++) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  }
  __m512 s = a[0];
  for (int i = 1; i < 16; i++) s = _mm512_add_ps(s, a[i]);
  return _mm512_reduce_add_ps(s);
}

double sk_probe_fma_avx512(double seconds) {
  return sk_probe_fma_best(chains_avx512, 1L << 17, 2.0 * 16.0 * 16.0, seconds);
}
