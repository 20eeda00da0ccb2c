/*
 * 1x1 conv, NHWC, NEON: 6 output pixels (ARMv7: 5, packed first) x 8 channels, nr = 8, 4 input
 * channels a step by element (kernels/sk_nhwc_conv_neon.h). Channel tails: 2/1-float loads or zero
 * padding; blocks < 8 store their lanes; pixel remainders repeat a pixel unstored; padding: bias.
 */
#include <stddef.h>

#include "conv2d/sk_conv_neon.h"
#include "sk_kernels.h"
#include "sk_nhwc_conv_neon.h"

#define MR SKH_MR

#if SK_NEON_A64 /* AArch64: tiles read the pixels in place */
/* One tile of MRT pixels (MR or MR / 2; the missing ones repeat the last). */
#define SKH_PW_TILE(MRT)                                                                   \
  static __attribute__((noinline)) void skh_pw_tile_##MRT(                                 \
      const float *w, const float *const *in, float *const *out, size_t mvalid, size_t kc, \
      size_t n, float32x4_t lo, float32x4_t hi) {                                          \
    skh_acc acc;                                                                           \
    skh_init(MRT, &acc, w);                                                                \
    skh_run(MRT, &acc, in, w + SKV_NR, kc);                                                \
    skh_store(MRT, &acc, out, mvalid, n, lo, hi);                                          \
  }
SKH_PW_TILE(6)
SKH_PW_TILE(3)
#define skh_pw_tile_full skh_pw_tile_6
#define skh_pw_tile_half skh_pw_tile_3

static void skh_pw_flush(const float *w, const float **in, float **out, size_t m, size_t kc,
                         size_t n, float32x4_t lo, float32x4_t hi) {
  for (size_t i = m; i < MR; i++) in[i] = in[m - 1]; /* computed, not stored */
  if (m <= MR / 2)
    skh_pw_tile_half(w, in, out, m, kc, n, lo, hi);
  else
    skh_pw_tile_full(w, in, out, m, kc, n, lo, hi);
}

/* Output pixels per chunk: their input (all channels of a group) stays in
 * L1 while every block of output channels reads it. */
#define SKH_CHUNK_BYTES 16384

void sk_pointwise_nhwc__neon(const sk_conv_params *p, const float *packed, const float *input,
                             float *output) {
  const float32x4_t lo = vdupq_n_f32(p->out_min), hi = vdupq_n_f32(p->out_max);
  const size_t kc = p->in_c_g;
  const size_t blocks = (p->out_c_g + SKV_NR - 1) / SKV_NR;
  const size_t bsize = sk_packed_block_size(p);
  const size_t in_w = p->in_w, in_h = p->in_h, out_w = p->out_w;
  const size_t in_c = p->in_c, out_c = p->out_c;
  const size_t total = p->out_h * out_w;
  size_t chunk = SKH_CHUNK_BYTES / (kc * sizeof(float));
  chunk = chunk < MR ? MR : chunk - chunk % MR;
  const float *in[MR];
  float *out[MR];
  for (size_t q0 = 0; q0 < total; q0 += chunk) {
    const size_t q1 = total - q0 < chunk ? total : q0 + chunk;
    for (size_t g = 0; g < p->groups; g++) {
      for (size_t b = 0; b < blocks; b++) {
        const float *w = packed + (g * blocks + b) * bsize;
        const size_t oc0 = g * p->out_c_g + b * SKV_NR;
        const size_t n = p->out_c_g - b * SKV_NR < SKV_NR ? p->out_c_g - b * SKV_NR : SKV_NR;
        size_t m = 0;
        size_t oy = q0 / out_w, ox = q0 % out_w;
        for (size_t q = q0; q < q1; q++) {
          /* wraps (so fails the test) when in the top/left padding */
          const size_t iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
          float *o = output + q * out_c + oc0;
          if (iy >= in_h || ix >= in_w) {
            skh_bias_only(w, o, n, lo, hi);
          } else {
            in[m] = input + (iy * in_w + ix) * in_c + g * kc;
            out[m] = o;
            if (++m == MR) {
              skh_pw_tile_full(w, in, out, MR, kc, n, lo, hi);
              m = 0;
            }
          }
          if (++ox == out_w) {
            ox = 0;
            oy++;
          }
        }
        if (m) skh_pw_flush(w, in, out, m, kc, n, lo, hi);
      }
    }
  }
}
#else /* ARMv7: packed tiles (sk_nhwc_conv_neon.h) */

static __attribute__((noinline)) void skh_pw_ptile(const float *xp, size_t klen, const float *w,
                                                   const float *bias, float *const *out,
                                                   size_t mvalid, size_t n, int first, int last,
                                                   float32x4_t lo, float32x4_t hi) {
  skh_ptile(xp, klen, w, bias, out, mvalid, n, first, last, lo, hi);
}

/* m (1..MR) pixels of group g: pack each pass once, then every block. */
static void skh_pw_run(const sk_conv_params *p, const float *packed, const float **in,
                       float *const *opix, size_t m, size_t g, float *xp, float32x4_t lo,
                       float32x4_t hi) {
  const size_t kc = p->in_c_g;
  const size_t blocks = (p->out_c_g + SKV_NR - 1) / SKV_NR;
  const size_t bsize = sk_packed_block_size(p);
  for (size_t i = m; i < SKH_MR; i++) in[i] = in[m - 1]; /* computed, not stored */
  for (size_t c0 = 0; c0 < kc; c0 += SKH_KP) {
    const size_t klen = kc - c0 < SKH_KP ? kc - c0 : SKH_KP;
    const float *src[SKH_MR];
    for (size_t i = 0; i < SKH_MR; i++) src[i] = in[i] + c0;
    skh_pack(src, klen, xp);
    for (size_t b = 0; b < blocks; b++) {
      const float *blk = packed + (g * blocks + b) * bsize;
      const size_t oc0 = g * p->out_c_g + b * SKV_NR;
      const size_t n = p->out_c_g - b * SKV_NR < SKV_NR ? p->out_c_g - b * SKV_NR : SKV_NR;
      float *out[SKH_MR];
      for (size_t i = 0; i < SKH_MR; i++) out[i] = opix[i < m ? i : 0] + oc0;
      skh_pw_ptile(xp, klen, blk + SKV_NR + c0 * SKV_NR, blk, out, m, n, c0 == 0, c0 + klen == kc,
                   lo, hi);
    }
  }
}

void sk_pointwise_nhwc__neon(const sk_conv_params *p, const float *packed, const float *input,
                             float *output) {
  const float32x4_t lo = vdupq_n_f32(p->out_min), hi = vdupq_n_f32(p->out_max);
  const size_t kc = p->in_c_g;
  const size_t blocks = (p->out_c_g + SKV_NR - 1) / SKV_NR;
  const size_t bsize = sk_packed_block_size(p);
  const size_t in_w = p->in_w, in_h = p->in_h, out_w = p->out_w;
  const size_t in_c = p->in_c, out_c = p->out_c;
  const size_t total = p->out_h * out_w;
  float xp[SKH_KP * SKH_MR];
  const float *in[SKH_MR];
  float *opix[SKH_MR];
  for (size_t g = 0; g < p->groups; g++) {
    size_t m = 0, oy = 0, ox = 0;
    for (size_t q = 0; q < total; q++) {
      /* wraps (so fails the test) when in the top/left padding */
      const size_t iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
      float *o = output + q * out_c;
      if (iy >= in_h || ix >= in_w) {
        for (size_t b = 0; b < blocks; b++) {
          const float *blk = packed + (g * blocks + b) * bsize;
          const size_t oc0 = g * p->out_c_g + b * SKV_NR;
          const size_t n = p->out_c_g - b * SKV_NR < SKV_NR ? p->out_c_g - b * SKV_NR : SKV_NR;
          skh_bias_only(blk, o + oc0, n, lo, hi);
        }
      } else {
        in[m] = input + (iy * in_w + ix) * in_c + g * kc;
        opix[m] = o;
        if (++m == SKH_MR) {
          skh_pw_run(p, packed, in, opix, SKH_MR, g, xp, lo, hi);
          m = 0;
        }
      }
      if (++ox == out_w) {
        ox = 0;
        oy++;
      }
    }
    if (m) skh_pw_run(p, packed, in, opix, m, g, xp, lo, hi);
  }
}
#endif
