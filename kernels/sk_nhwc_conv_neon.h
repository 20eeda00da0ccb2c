/*
 * Engine shared by the NHWC direct and pointwise NEON kernels
 * (kernels/conv2d/conv2d_nhwc_direct_neon.c,
 * kernels/pointwise/pointwise_nhwc_neon.c); include only from those.
 *
 * A tile is MR output pixels x 8 output channels (one packed block): 2 q
 * accumulators a pixel, MR = 6 on AArch64 (12 accumulators, 6 input and up
 * to 8 weight registers: no spills), 5 on ARMv7 (10 of 16). Four input
 * channels at a time: one q load a pixel, then for each of the 4 channels
 * the block's 8 weights (2 q loads) and a multiply-add by element per
 * accumulator (AArch64 FMLA; ARMv7 VMLA by scalar, its only by-element
 * form). Output-channel blocks of < 8 store only their lanes; activation
 * and clamp at the store.
 *
 * AArch64 reads each pixel's input in place over "runs": stretches of input
 * channels contiguous both in the input and in the packed weights (a whole
 * kernel row when groups = 1 and dil_w = 1). A run's last 1..3 channels load
 * 2 floats (d register) and/or 1 (dup): nothing past the run is read. Pixel
 * remainders run a tile of MR or MR/2 whose missing pixels repeat the last
 * real one (computed, never stored).
 *
 * ARMv7 (14 general registers, loads without immediate offsets) packs each
 * tile's input first, so the inner loop streams one pointer (see below).
 */
#ifndef SK_NHWC_CONV_NEON_H
#define SK_NHWC_CONV_NEON_H

#include <stddef.h>

#include "conv2d/sk_conv_neon.h"

#define SKH_MR SKV_NHWC_MR

/* Accumulators of a tile: a[m] output channels 0..3, b[m] 4..7 of pixel m. */
typedef struct skh_acc {
  float32x4_t a[SKH_MR], b[SKH_MR];
} skh_acc;

/* One row of 8 weights (or the bias) as two q registers. */
SK_ALWAYS_INLINE void skh_wload(const float *w, float32x4_t *w0, float32x4_t *w1) {
  *w0 = vld1q_f32(w);
  *w1 = vld1q_f32(w + 4);
}

/* The accumulator of pixel m for input lane L. Tiles of at most SKH_MR / 2
 * pixels (the remainder tiles) give odd lanes their own accumulators, in the
 * unused slots m + MR: 4 MR chains instead of 2 MR, enough to hide the FMA
 * latency (3 pixels: 75% -> 100% of 2 FMA/cycle on the Neoverse N1 model);
 * skh_init zeroes them, skh_store adds them back. */
#define SKH_SLOT(m, L) ((2 * MR <= SKH_MR && ((L)&1)) ? (m) + MR : (m))

/* One weight row (8 floats) times lane L of each pixel's q register x[m]. */
#define SKH_STEP4(L)                                                                         \
  do {                                                                                       \
    float32x4_t w0, w1;                                                                      \
    skh_wload(w + 8 * (L), &w0, &w1);                                                        \
    SKV_UNROLL for (size_t m = 0; m < MR; m++) {                                             \
      acc->a[SKH_SLOT(m, L)] = SKV_MLA_LANEQ(acc->a[SKH_SLOT(m, L)], w0, x[m], (L));         \
      acc->b[SKH_SLOT(m, L)] = SKV_MLA_LANEQ(acc->b[SKH_SLOT(m, L)], w1, x[m], (L));         \
    }                                                                                        \
  } while (0)

#if SK_NEON_A64
/*
 * AArch64: acc += sum over channels k < len of src[m][k] * w[k][0..7]. src:
 * per pixel, the run's first input channel; w: the run's first weight row.
 */
SK_ALWAYS_INLINE void skh_run(const size_t MR, skh_acc *acc, const float *const *src,
                              const float *w, size_t len) {
  size_t k = 0;
  for (; k + 4 <= len; k += 4) {
    float32x4_t x[SKH_MR];
    SKV_UNROLL for (size_t m = 0; m < MR; m++) { x[m] = vld1q_f32(src[m] + k); }
    SKH_STEP4(0);
    SKH_STEP4(1);
    SKH_STEP4(2);
    SKH_STEP4(3);
    w += 32;
  }
  if (len - k >= 2) { /* two channels: a d register a pixel */
    float32x2_t x[SKH_MR];
    SKV_UNROLL for (size_t m = 0; m < MR; m++) { x[m] = vld1_f32(src[m] + k); }
    float32x4_t w0, w1, w2, w3;
    skh_wload(w, &w0, &w1);
    skh_wload(w + 8, &w2, &w3);
    SKV_UNROLL for (size_t m = 0; m < MR; m++) {
      acc->a[m] = vfmaq_lane_f32(acc->a[m], w0, x[m], 0);
      acc->b[m] = vfmaq_lane_f32(acc->b[m], w1, x[m], 0);
      acc->a[SKH_SLOT(m, 1)] = vfmaq_lane_f32(acc->a[SKH_SLOT(m, 1)], w2, x[m], 1);
      acc->b[SKH_SLOT(m, 1)] = vfmaq_lane_f32(acc->b[SKH_SLOT(m, 1)], w3, x[m], 1);
    }
    w += 16;
    k += 2;
  }
  if (k < len) { /* one channel */
    float32x4_t w0, w1;
    skh_wload(w, &w0, &w1);
    SKV_UNROLL for (size_t m = 0; m < MR; m++) {
      const float32x4_t x = vld1q_dup_f32(src[m] + k);
      acc->a[m] = vfmaq_f32(acc->a[m], w0, x);
      acc->b[m] = vfmaq_f32(acc->b[m], w1, x);
    }
  }
}
#endif

SK_ALWAYS_INLINE void skh_init(const size_t MR, skh_acc *acc, const float *bias) {
  float32x4_t b0, b1;
  skh_wload(bias, &b0, &b1);
  SKV_UNROLL for (size_t m = 0; m < MR; m++) {
    acc->a[m] = b0;
    acc->b[m] = b1;
    if (2 * MR <= SKH_MR) acc->a[m + MR] = acc->b[m + MR] = vdupq_n_f32(0.0f); /* SKH_SLOT */
  }
}

/* Stores pixels [0, mvalid) of the tile, n (1..8) channels each. */
SK_ALWAYS_INLINE void skh_store(const size_t MR, const skh_acc *acc, float *const *out,
                                size_t mvalid, size_t n, float32x4_t lo, float32x4_t hi) {
  SKV_UNROLL for (size_t m = 0; m < MR; m++) {
    float32x4_t a = acc->a[m], b = acc->b[m];
    if (2 * MR <= SKH_MR) { /* SKH_SLOT */
      a = vaddq_f32(a, acc->a[m + MR]);
      b = vaddq_f32(b, acc->b[m + MR]);
    }
    if (m < mvalid) skv_store8(out[m], skv_clamp(a, lo, hi), skv_clamp(b, lo, hi), n);
  }
}

/* Bias and activation only (an output pixel whose input lies in the padding). */
static inline void skh_bias_only(const float *bias, float *out, size_t n, float32x4_t lo,
                                 float32x4_t hi) {
  skv_store8(out, skv_clamp(vld1q_f32(bias), lo, hi), skv_clamp(vld1q_f32(bias + 4), lo, hi), n);
}

#if !SK_NEON_A64
/* ---- ARMv7: packed tiles ----
 * Reading MR pixel pointers plus the weights spills address registers on
 * ARMv7. So each tile's input is packed once per pass of up to SKH_KP
 * reduction indices as xp[group of 4][pixel][4] (the last group
 * zero-padded), shared by every output-channel block; the inner loop then
 * streams xp and the weights. Longer reductions run in passes, partial sums
 * in the output. Missing pixels of a remainder tile repeat the last one. */
#define SKH_KP 256 /* reduction indices (taps x in_c_g) per pass: 5 KiB packed */

/* xp[g][m][4] <- src[m][0 .. klen) (MR pixels), the last group zero-padded. */
static inline void skh_pack(const float *const *src, size_t klen, float *xp) {
  const size_t full = klen / 4, tail = klen % 4;
  for (size_t g = 0; g < full; g++, xp += 4 * SKH_MR) {
    SKV_UNROLL for (size_t m = 0; m < SKH_MR; m++) {
      vst1q_f32(xp + 4 * m, vld1q_f32(src[m] + 4 * g));
    }
  }
  if (tail) {
    for (size_t m = 0; m < SKH_MR; m++)
      for (size_t j = 0; j < 4; j++) xp[4 * m + j] = j < tail ? src[m][4 * full + j] : 0.0f;
  }
}

/*
 * MR pixels x 8 channels over klen packed channels. w: the block's weights
 * of the first channel; bias: the block's bias; out[m]: pixel m's first
 * channel of the block (mvalid pixels, n channels exist). first: start from
 * the bias, else from the partial sums in out; last: apply the activation.
 */
SK_ALWAYS_INLINE void skh_ptile(const float *xp, size_t klen, const float *w, const float *bias,
                                float *const *out, size_t mvalid, size_t n, int first, int last,
                                float32x4_t lo, float32x4_t hi) {
  const size_t MR = SKH_MR;
  skh_acc a;
  skh_acc *acc = &a;
  skh_init(MR, acc, bias);
  if (!first) {
    SKV_UNROLL for (size_t m = 0; m < MR; m++) {
      if (m < mvalid) {
        float t[8] = {0};
        for (size_t j = 0; j < n; j++) t[j] = out[m][j];
        skh_wload(t, &acc->a[m], &acc->b[m]);
      }
    }
  }
  const size_t full = klen / 4, tail = klen % 4;
  _Pragma("GCC unroll 2") for (size_t g = 0; g < full; g++) {
    float32x4_t x[SKH_MR];
    SKV_UNROLL for (size_t m = 0; m < MR; m++) { x[m] = vld1q_f32(xp + 4 * m); }
    xp += 4 * MR;
    SKH_STEP4(0);
    SKH_STEP4(1);
    SKH_STEP4(2);
    SKH_STEP4(3);
    w += 32;
  }
  if (tail) {
    float32x4_t x[SKH_MR];
    SKV_UNROLL for (size_t m = 0; m < MR; m++) { x[m] = vld1q_f32(xp + 4 * m); }
    SKH_STEP4(0);
    if (tail > 1) SKH_STEP4(1);
    if (tail > 2) SKH_STEP4(2);
  }
  if (last) {
    skh_store(MR, acc, out, mvalid, n, lo, hi);
    return;
  }
  SKV_UNROLL for (size_t m = 0; m < MR; m++) {
    if (m < mvalid) skv_store8(out[m], acc->a[m], acc->b[m], n);
  }
}
#endif /* !SK_NEON_A64 */

#endif /* SK_NHWC_CONV_NEON_H */
