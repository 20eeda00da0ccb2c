/*
 * Direct KxK convolution, NHWC, AVX2+FMA: tiles of 6 output pixels (in
 * row-major order, crossing rows) x 16 output channels, K = taps x in_c_g.
 * Tiles whose windows lie inside the image read at fixed tap offsets; others
 * point padded taps at a zero row (p->zero). Channel blocks < 16 store masked.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include <stddef.h>

#include "sk_avx2_util.h"
#include "sk_kernels.h"

#define MR 6
#define NR 16

typedef struct sk_tile_pixels {
  ptrdiff_t iy[MR], ix[MR]; /* top-left input position of each window */
  float *out[MR];           /* output pixel, first channel */
} sk_tile_pixels;

static inline __attribute__((always_inline)) void sk_tile(size_t mr, int interior,
                                                          const sk_conv_params *p,
                                                          const float *in, const float *w,
                                                          const sk_tile_pixels *t, size_t oc0,
                                                          size_t n, __m256 lo, __m256 hi) {
  const ptrdiff_t in_h = (ptrdiff_t)p->in_h, in_w = (ptrdiff_t)p->in_w;
  const ptrdiff_t in_c = (ptrdiff_t)p->in_c;
  const ptrdiff_t dh = (ptrdiff_t)p->dil_h, dw = (ptrdiff_t)p->dil_w;
  const size_t kc = p->in_c_g;
  __m256 a0[MR], a1[MR];
  const __m256 b0 = _mm256_loadu_ps(w), b1 = _mm256_loadu_ps(w + 8);
  for (size_t m = 0; m < mr; m++) {
    a0[m] = b0;
    a1[m] = b1;
  }
  w += NR;
  const float *base[MR];
  if (interior)
    for (size_t m = 0; m < mr; m++) base[m] = in + (t->iy[m] * in_w + t->ix[m]) * in_c;
  for (size_t ky = 0; ky < p->kernel_h; ky++) {
    for (size_t kx = 0; kx < p->kernel_w; kx++) {
      const ptrdiff_t dy = (ptrdiff_t)ky * dh, dx = (ptrdiff_t)kx * dw;
      const float *src[MR];
      for (size_t m = 0; m < mr; m++) {
        if (interior) {
          src[m] = base[m] + (dy * in_w + dx) * in_c;
        } else {
          const ptrdiff_t y = t->iy[m] + dy, x = t->ix[m] + dx;
          src[m] = (y >= 0 && y < in_h && x >= 0 && x < in_w) ? in + (y * in_w + x) * in_c
                                                               : p->zero;
        }
      }
      for (size_t k = 0; k < kc; k++) {
        const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);
        w += NR;
        for (size_t m = 0; m < mr; m++) {
          const __m256 x = _mm256_broadcast_ss(src[m] + k);
          a0[m] = _mm256_fmadd_ps(x, w0, a0[m]);
          a1[m] = _mm256_fmadd_ps(x, w1, a1[m]);
        }
      }
    }
  }
  for (size_t m = 0; m < mr; m++)
    sk_store16(t->out[m] + oc0, sk_clamp8(a0[m], lo, hi), sk_clamp8(a1[m], lo, hi), n);
}

#define SK_TILE_CASE(MRV)                                       \
  case MRV:                                                     \
    if (interior)                                               \
      sk_tile(MRV, 1, p, in, w, t, oc0, n, lo, hi);             \
    else                                                        \
      sk_tile(MRV, 0, p, in, w, t, oc0, n, lo, hi);             \
    break;

static void sk_tile_any(size_t mr, int interior, const sk_conv_params *p, const float *in,
                        const float *w, const sk_tile_pixels *t, size_t oc0, size_t n,
                        __m256 lo, __m256 hi) {
  switch (mr) {
    SK_TILE_CASE(6)
    SK_TILE_CASE(5)
    SK_TILE_CASE(4)
    SK_TILE_CASE(3)
    SK_TILE_CASE(2)
    default:
      SK_TILE_CASE(1)
  }
}

void sk_conv2d_nhwc_direct_6x16__avx2(const sk_conv_params *p, const float *packed,
                                      const float *input, float *output) {
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t blocks = (p->out_c_g + NR - 1) / NR;
  const size_t bsize = sk_packed_block_size(p);
  const ptrdiff_t ext_h = (ptrdiff_t)((p->kernel_h - 1) * p->dil_h);
  const ptrdiff_t ext_w = (ptrdiff_t)((p->kernel_w - 1) * p->dil_w);
  const ptrdiff_t in_h = (ptrdiff_t)p->in_h, in_w = (ptrdiff_t)p->in_w;
  const size_t total = p->out_h * p->out_w;
  sk_tile_pixels t;
  size_t oy = 0, ox = 0;
  for (size_t pix = 0; pix < total; pix += MR) {
    const size_t mr = total - pix < MR ? total - pix : MR;
    int interior = 1;
    for (size_t m = 0; m < mr; m++) {
      const ptrdiff_t iy = (ptrdiff_t)(oy * p->stride_h) - (ptrdiff_t)p->pad_top;
      const ptrdiff_t ix = (ptrdiff_t)(ox * p->stride_w) - (ptrdiff_t)p->pad_left;
      t.iy[m] = iy;
      t.ix[m] = ix;
      t.out[m] = output + (oy * p->out_w + ox) * p->out_c;
      interior &= iy >= 0 && iy + ext_h < in_h && ix >= 0 && ix + ext_w < in_w;
      if (++ox == p->out_w) {
        ox = 0;
        oy++;
      }
    }
    for (size_t g = 0; g < p->groups; g++) {
      const float *in = input + g * p->in_c_g;
      for (size_t b = 0; b < blocks; b++) {
        const float *w = packed + (g * blocks + b) * bsize;
        const size_t oc0 = g * p->out_c_g + b * NR;
        const size_t left = p->out_c_g - b * NR;
        sk_tile_any(mr, interior, p, in, w, &t, oc0, left < NR ? left : NR, lo, hi);
      }
    }
  }
}
