/*
 * Global max and average pooling, NCHW, NEON: 4 planes at a time, each reduced in 8 lanes (2 q,
 * lane j over elements j mod 8 as the scalar kernel), the plane tail through a partial load; then
 * folded pairwise into one q and stored (< 4 last planes: lane stores). A NaN max reruns scalar.
 */
#include "sk_pool_neon.h"

#define BLOCK 256 /* elements per partial sum, as the scalar kernel */

/* op over len (>= 1) floats of np planes n floats apart, from in; plane k's 8 lanes joined into
 * a[k]. The np chains of 2 accumulators are interleaved. */
SK_ALWAYS_INLINE void lanes(int op, size_t np, const float *in, size_t n, size_t len, skp_acc *a) {
  skp_acc a0[4], a1[4];
  /* ARMv7 max: the 2-register accumulators of 8 chains would spill; 4 chains there. */
  skp_acc *b = SK_NEON_A64 || op != SKP_MAX ? a1 : a0;
  for (size_t k = 0; k < np; k++) a0[k] = a1[k] = skp_init(op);
  size_t i = 0;
  for (; i + 8 <= len; i += 8)
    for (size_t k = 0; k < np; k++) {
      a0[k] = skp_put(op, a0[k], vld1q_f32(in + k * n + i));
      b[k] = skp_put(op, b[k], vld1q_f32(in + k * n + i + 4));
    }
  if (i + 4 <= len) {
    for (size_t k = 0; k < np; k++) a0[k] = skp_put(op, a0[k], vld1q_f32(in + k * n + i));
    i += 4;
  }
  if (i < len) {
    const float fill = op == SKP_MAX ? -INFINITY : 0.0f;
    for (size_t k = 0; k < np; k++)
      a1[k] = skp_put(op, a1[k], skp_ld_part(in + k * n + i, len - i, fill));
  }
  for (size_t k = 0; k < np; k++) a[k] = skp_join(op, a0[k], a1[k]);
}

SK_ALWAYS_INLINE void gpool(int op, const sk_pool_params *p, const float *input, float *output) {
  const size_t n = p->in_h * p->in_w, block = op == SKP_MAX ? n : BLOCK;
  const skp_act act = skp_act_of(p);
  const float scale = skp_inv(n);
  for (size_t c0 = 0; c0 < p->channels; c0 += 4) {
    const size_t np = p->channels - c0 < 4 ? p->channels - c0 : 4;
    const float *in = input + c0 * n;
    skp_acc total = skp_init(op);
    for (size_t i0 = 0; i0 < n; i0 += block) {
      const size_t len = n - i0 < block ? n - i0 : block;
      skp_acc a[4];
      if (np == 4) {
        lanes(op, 4, in + i0, n, len, a);
      } else {
        for (size_t k = 0; k < 4; k++) a[k] = skp_init(op);
        for (size_t k = 0; k < np; k++) lanes(op, 1, in + k * n + i0, n, len, a + k);
      }
      /* NaN survives the pairwise folds (FMAXP; SIMDe's vpmaxq_f32 is vmaxq_f32). */
      total = skp_join(op, total, skp_pair(op, skp_pair(op, a[0], a[1]), skp_pair(op, a[2], a[3])));
    }
    uint32x4_t bad = vdupq_n_u32(0);
    float32x4_t v = skp_get(op, total, &bad);
    if (op == SKP_AVG) v = vmulq_n_f32(v, scale);
    skp_st_part(output + c0, skp_clamp(&act, v), np);
    if (op == SKP_MAX && skp_any(bad)) {
      sk_pool_params q = *p;
      q.channels = np;
      sk_global_maxpool_nchw__scalar(&q, in, output + c0);
    }
  }
}

void sk_global_maxpool_nchw_4x8__neon(const sk_pool_params *p, const float *input, float *output) {
  if (skp_odd_bounds(p))
    sk_global_maxpool_nchw__scalar(p, input, output);
  else
    gpool(SKP_MAX, p, input, output);
}

void sk_global_avgpool_nchw_4x8__neon(const sk_pool_params *p, const float *input, float *output) {
  gpool(SKP_AVG, p, input, output);
}
