/*
 * Global max and average pooling, NCHW, AVX2: 8 planes at a time, each reduced in one ymm (8 lanes
 * as the scalar kernel's, the 8 chains interleaved; plane tails through a masked load), then folded
 * into one vector (HADDPS / SHUFPS+MAXPS tree) and stored at once; < 8 last planes store masked.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_pool_avx2.h"

#define BLOCK 256 /* elements per partial sum, as the scalar kernel */

/* Lane i of the result: the sum of the 8 lanes of v[i]. */
static inline __m256 fold_add8(const __m256 *v) {
  const __m256 t0 = _mm256_hadd_ps(v[0], v[1]), t1 = _mm256_hadd_ps(v[2], v[3]);
  const __m256 t2 = _mm256_hadd_ps(v[4], v[5]), t3 = _mm256_hadd_ps(v[6], v[7]);
  const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
  return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

/* Pairwise max of adjacent lanes, laid out as HADDPS lays out sums. */
static inline __m256 hmax2(__m256 a, __m256 b) {
  return _mm256_max_ps(_mm256_shuffle_ps(a, b, 0x88), _mm256_shuffle_ps(a, b, 0xDD));
}

/* Lane i of the result: the max of the 8 lanes of v[i] (NaN-free input). */
static inline __m256 fold_max8(const __m256 *v) {
  const __m256 u0 = hmax2(hmax2(v[0], v[1]), hmax2(v[2], v[3]));
  const __m256 u1 = hmax2(hmax2(v[4], v[5]), hmax2(v[6], v[7]));
  return _mm256_max_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

/* Sum of len (>= 1) floats in 8 lanes: lane j holds elements j, j+8, ... (scalar kernel's order).
 */
static inline __m256 lanes_sum(const float *src, size_t len) {
  __m256 acc = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= len; i += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(src + i));
  if (i < len) acc = _mm256_add_ps(acc, _mm256_maskload_ps(src + i, sk_mask8(len - i)));
  return acc;
}

/* Lane sums as lanes_sum for 8 planes n floats apart, interleaved so the 8 add chains overlap. */
static inline void lanes_sum8(const float *in, size_t n, size_t len, __m256 *acc) {
  const float *q[8];
  for (size_t k = 0; k < 8; k++) {
    q[k] = in + k * n;
    acc[k] = _mm256_setzero_ps();
  }
  size_t i = 0;
  for (; i + 8 <= len; i += 8)
    for (size_t k = 0; k < 8; k++) acc[k] = _mm256_add_ps(acc[k], _mm256_loadu_ps(q[k] + i));
  if (i < len) {
    const __m256i m = sk_mask8(len - i);
    for (size_t k = 0; k < 8; k++) acc[k] = _mm256_add_ps(acc[k], _mm256_maskload_ps(q[k] + i, m));
  }
}

void sk_global_avgpool_nchw_8x8__avx2(const sk_pool_params *p, const float *input, float *output) {
  const size_t n = p->in_h * p->in_w;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const __m256 div = _mm256_set1_ps((float)n);
  for (size_t c0 = 0; c0 < p->channels; c0 += 8) {
    const size_t np = p->channels - c0 < 8 ? p->channels - c0 : 8;
    const float *in = input + c0 * n;
    __m256 total = _mm256_setzero_ps();
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
      const size_t len = n - i0 < BLOCK ? n - i0 : BLOCK;
      __m256 acc[8];
      if (np == 8) {
        lanes_sum8(in + i0, n, len, acc);
      } else {
        for (size_t k = 0; k < 8; k++)
          acc[k] = k < np ? lanes_sum(in + k * n + i0, len) : _mm256_setzero_ps();
      }
      total = _mm256_add_ps(total, fold_add8(acc));
    }
    const __m256 r = sk_clamp8(_mm256_div_ps(total, div), lo, hi);
    if (np == 8)
      _mm256_storeu_ps(output + c0, r);
    else
      _mm256_maskstore_ps(output + c0, sk_mask8(np), r);
  }
}

/* The scalar kernel's loop for one plane. */
static float plane_max_exact(const float *in, size_t n) {
  float acc[8];
  for (size_t j = 0; j < 8; j++) acc[j] = -INFINITY;
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t j = 0; j < 8; j++) acc[j] = sk_pool_max_exact(acc[j], in[i + j]);
  for (size_t j = 0; i + j < n; j++) acc[j] = sk_pool_max_exact(acc[j], in[i + j]);
  float v = acc[0];
  for (size_t j = 1; j < 8; j++) v = sk_pool_max_exact(v, acc[j]);
  return v;
}

/* Max of one plane in 8 lanes (masked tail lanes are -inf). acc = MAXPS(acc, x) is NaN right
 * after reading a NaN x (and drops it at the next step): pairs of successive accumulators are
 * checked with an unordered compare into *d. */
static inline __m256 lanes_max(const float *src, size_t n, __m256 *d) {
  const __m256 ninf = _mm256_set1_ps(-INFINITY);
  __m256 acc = ninf, u = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 t = _mm256_max_ps(acc, _mm256_loadu_ps(src + i));
    acc = _mm256_max_ps(t, _mm256_loadu_ps(src + i + 8));
    u = _mm256_or_ps(u, sk_pool_unord(t, acc));
  }
  if (i + 8 <= n) {
    acc = _mm256_max_ps(acc, _mm256_loadu_ps(src + i));
    u = _mm256_or_ps(u, sk_pool_unord(acc, acc));
    i += 8;
  }
  if (i < n) {
    const __m256i m = sk_mask8(n - i);
    const __m256 x = _mm256_maskload_ps(src + i, m);
    acc = _mm256_max_ps(acc, _mm256_blendv_ps(ninf, x, _mm256_castsi256_ps(m)));
    u = _mm256_or_ps(u, sk_pool_unord(x, x));
  }
  *d = _mm256_or_ps(*d, u);
  return acc;
}

/* lanes_max for 8 planes n floats apart, interleaved so the 8 max chains overlap; pairs of
 * accumulators are checked for NaN after each step. */
static inline void lanes_max8(const float *in, size_t n, __m256 *acc, __m256 *d) {
  const __m256 ninf = _mm256_set1_ps(-INFINITY);
  const float *q[8];
  for (size_t k = 0; k < 8; k++) {
    q[k] = in + k * n;
    acc[k] = ninf;
  }
  __m256 u = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t k = 0; k < 8; k++) acc[k] = _mm256_max_ps(acc[k], _mm256_loadu_ps(q[k] + i));
    for (size_t k = 0; k < 8; k += 2) u = _mm256_or_ps(u, sk_pool_unord(acc[k], acc[k + 1]));
  }
  if (i < n) {
    const __m256i m = sk_mask8(n - i);
    for (size_t k = 0; k < 8; k++) {
      const __m256 x = _mm256_maskload_ps(q[k] + i, m);
      acc[k] = _mm256_max_ps(acc[k], _mm256_blendv_ps(ninf, x, _mm256_castsi256_ps(m)));
      u = _mm256_or_ps(u, sk_pool_unord(x, x));
    }
  }
  *d = _mm256_or_ps(*d, u);
}

void sk_global_maxpool_nchw_8x8__avx2(const sk_pool_params *p, const float *input, float *output) {
  const size_t n = p->in_h * p->in_w;
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  for (size_t c0 = 0; c0 < p->channels; c0 += 8) {
    const size_t np = p->channels - c0 < 8 ? p->channels - c0 : 8;
    const float *in = input + c0 * n;
    __m256 acc[8];
    __m256 d = _mm256_setzero_ps();
    if (np == 8) {
      lanes_max8(in, n, acc, &d);
    } else {
      for (size_t k = 0; k < 8; k++)
        acc[k] = k < np ? lanes_max(in + k * n, n, &d) : _mm256_set1_ps(-INFINITY);
    }
    if (sk_pool_any(d)) {
      for (size_t k = 0; k < np; k++)
        output[c0 + k] = sk_clampf(plane_max_exact(in + k * n, n), p->out_min, p->out_max);
      continue;
    }
    const __m256 r = sk_clamp8(fold_max8(acc), lo, hi);
    if (np == 8)
      _mm256_storeu_ps(output + c0, r);
    else
      _mm256_maskstore_ps(output + c0, sk_mask8(np), r);
  }
}
