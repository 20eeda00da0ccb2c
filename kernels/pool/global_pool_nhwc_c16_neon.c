/*
 * Global max and average pooling, NHWC, NEON: 16 channels (4 q accumulators) per pass over the
 * pixels, then passes of 4, the last overlapping its predecessor; < 4 channels: scalar kernel.
 * Sums per lane in the scalar kernel's order (blocks of 256 pixels); a NaN max reruns scalar.
 */
#include "sk_pool_neon.h"

#define NV 4      /* q accumulators per channel pass */
#define BLOCK 256 /* pixels per partial sum, as the scalar kernel */

/* Channels [0, 4*nv) over the n pixels c_n floats apart: max, or the mean. */
SK_ALWAYS_INLINE void gblk(int op, size_t nv, const float *in, size_t n, size_t c_n, float *out,
                           float scale, const skp_act *act, uint32x4_t *bad) {
  const size_t block = op == SKP_MAX ? n : BLOCK;
  skp_acc total[NV];
  for (size_t j = 0; j < nv; j++) total[j] = skp_init(op);
  for (size_t i0 = 0; i0 < n; i0 += block) {
    const size_t i1 = n - i0 < block ? n : i0 + block;
    skp_acc part[NV];
    for (size_t j = 0; j < nv; j++) part[j] = skp_init(op);
    for (size_t i = i0; i < i1; i++)
      for (size_t j = 0; j < nv; j++)
        part[j] = skp_put(op, part[j], vld1q_f32(in + i * c_n + 4 * j));
    for (size_t j = 0; j < nv; j++) total[j] = skp_join(op, total[j], part[j]);
  }
  for (size_t j = 0; j < nv; j++) {
    float32x4_t v = skp_get(op, total[j], bad);
    if (op == SKP_AVG) v = vmulq_n_f32(v, scale);
    vst1q_f32(out + 4 * j, skp_clamp(act, v));
  }
}

SK_ALWAYS_INLINE void gpool(int op, const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, n = p->in_h * p->in_w;
  const skp_act act = skp_act_of(p);
  const float scale = skp_inv(n);
  uint32x4_t bad = vdupq_n_u32(0);
  size_t c = 0;
  for (; c + 4 * NV <= c_n; c += 4 * NV)
    gblk(op, NV, input + c, n, c_n, output + c, scale, &act, &bad);
  for (; c < c_n; c += 4) { /* the last pass overlaps its predecessor (same values again) */
    const size_t cc = c + 4 <= c_n ? c : c_n - 4;
    gblk(op, 1, input + cc, n, c_n, output + cc, scale, &act, &bad);
  }
  if (op == SKP_MAX && skp_any(bad)) sk_global_maxpool_nhwc__scalar(p, input, output);
}

void sk_global_maxpool_nhwc_c16__neon(const sk_pool_params *p, const float *input, float *output) {
  if (p->channels < 4 || skp_odd_bounds(p))
    sk_global_maxpool_nhwc__scalar(p, input, output);
  else
    gpool(SKP_MAX, p, input, output);
}

void sk_global_avgpool_nhwc_c16__neon(const sk_pool_params *p, const float *input, float *output) {
  if (p->channels < 4)
    sk_global_avgpool_nhwc__scalar(p, input, output);
  else
    gpool(SKP_AVG, p, input, output);
}
