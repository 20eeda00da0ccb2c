/*
 * Direct KxK conv, NHWC, NEON: 6 output pixels (row-major, crossing rows) x 8 channels, nr = 8; a
 * kernel row is one contiguous run when groups = 1, dil_w = 1 (first layers); border tiles read the
 * zero row. ARMv7: 5 pixels, windows packed (zeros for padding). See sk_nhwc_conv_neon.h.
 */
#include <stddef.h>
#include <string.h>

#include "conv2d/sk_conv_neon.h"
#include "sk_kernels.h"
#include "sk_nhwc_conv_neon.h"

#define MR SKH_MR

typedef struct skh_tile_px {
  ptrdiff_t iy[MR], ix[MR]; /* top-left input position of each window */
  float *out[MR];           /* output pixel, first channel of the block */
} skh_tile_px;

typedef struct skh_geom {
  const float *in; /* the group's first input channel */
  const float *zero;
  ptrdiff_t in_h, in_w, in_c, dh, dw;
  size_t kh, kw, kc;
  int merge; /* a kernel row's kw taps are contiguous in input and weights */
} skh_geom;

#if SK_NEON_A64 /* AArch64: tiles read the input in place */
/* Tile whose every window lies inside the input. */
SK_ALWAYS_INLINE void skh_tile_inside(const size_t MRT, const skh_geom *g, const float *w,
                                      const skh_tile_px *t, size_t mvalid, size_t n, float32x4_t lo,
                                      float32x4_t hi) {
  skh_acc acc;
  skh_init(MRT, &acc, w);
  w += SKV_NR;
  const float *base[MR];
  SKV_UNROLL for (size_t m = 0; m < MRT; m++) {
    base[m] = g->in + (t->iy[m] * g->in_w + t->ix[m]) * g->in_c;
  }
  const size_t runs = g->merge ? 1 : g->kw, len = g->merge ? g->kw * g->kc : g->kc;
  const ptrdiff_t row_step = g->dh * g->in_w * g->in_c, tap_step = g->dw * g->in_c;
  for (size_t ky = 0; ky < g->kh; ky++) {
    for (size_t r = 0; r < runs; r++) {
      const ptrdiff_t off = (ptrdiff_t)ky * row_step + (ptrdiff_t)r * tap_step;
      const float *src[MR];
      SKV_UNROLL for (size_t m = 0; m < MRT; m++) { src[m] = base[m] + off; }
      skh_run(MRT, &acc, src, w, len);
      w += len * SKV_NR;
    }
  }
  skh_store(MRT, &acc, t->out, mvalid, n, lo, hi);
}

/* Tile with some windows crossing the border: taps in the padding read the
 * zero row; taps in the padding for every pixel are skipped. */
SK_ALWAYS_INLINE void skh_tile_border(const size_t MRT, const skh_geom *g, const float *w,
                                      const skh_tile_px *t, size_t mvalid, size_t n, float32x4_t lo,
                                      float32x4_t hi) {
  skh_acc acc;
  skh_init(MRT, &acc, w);
  w += SKV_NR;
  const size_t kc = g->kc;
  for (size_t ky = 0; ky < g->kh; ky++) {
    for (size_t kx = 0; kx < g->kw; kx++, w += kc * SKV_NR) {
      const ptrdiff_t dy = (ptrdiff_t)ky * g->dh, dx = (ptrdiff_t)kx * g->dw;
      const float *src[MR];
      int any = 0;
      SKV_UNROLL for (size_t m = 0; m < MRT; m++) {
        const ptrdiff_t y = t->iy[m] + dy, x = t->ix[m] + dx;
        const int inside = y >= 0 && y < g->in_h && x >= 0 && x < g->in_w;
        src[m] = inside ? g->in + (y * g->in_w + x) * g->in_c : g->zero;
        any |= inside;
      }
      if (any) skh_run(MRT, &acc, src, w, kc);
    }
  }
  skh_store(MRT, &acc, t->out, mvalid, n, lo, hi);
}

#define SKH_DIRECT_TILE(MRT)                                                              \
  static __attribute__((noinline)) void skh_direct_tile_##MRT(                            \
      int inside, const skh_geom *g, const float *w, const skh_tile_px *t, size_t mvalid, \
      size_t n, float32x4_t lo, float32x4_t hi) {                                         \
    if (inside)                                                                           \
      skh_tile_inside(MRT, g, w, t, mvalid, n, lo, hi);                                   \
    else                                                                                  \
      skh_tile_border(MRT, g, w, t, mvalid, n, lo, hi);                                   \
  }
SKH_DIRECT_TILE(6)
SKH_DIRECT_TILE(3)
#define skh_direct_tile_full skh_direct_tile_6
#define skh_direct_tile_half skh_direct_tile_3

#endif

#if !SK_NEON_A64 /* ARMv7: packed tiles (sk_nhwc_conv_neon.h) */
static __attribute__((noinline)) void skh_direct_ptile(const float *xp, size_t klen, const float *w,
                                                       const float *bias, float *const *out,
                                                       size_t mvalid, size_t n, int first, int last,
                                                       float32x4_t lo, float32x4_t hi) {
  skh_ptile(xp, klen, w, bias, out, mvalid, n, first, last, lo, hi);
}

/* Pixel (iy, ix)'s window, reduction indices [k0, k0 + klen) (k = tap * kc
 * + ci, taps in packing order), contiguous in row; zeros for the padding. */
static void skh_im2row(const skh_geom *g, ptrdiff_t iy, ptrdiff_t ix, size_t k0, size_t klen,
                       float *row) {
  size_t t = k0 / g->kc, ci = k0 % g->kc, pos = 0;
  while (pos < klen) {
    const size_t take = g->kc - ci < klen - pos ? g->kc - ci : klen - pos;
    const ptrdiff_t y = iy + (ptrdiff_t)(t / g->kw) * g->dh,
                    x = ix + (ptrdiff_t)(t % g->kw) * g->dw;
    if (y >= 0 && y < g->in_h && x >= 0 && x < g->in_w)
      memcpy(row + pos, g->in + (y * g->in_w + x) * g->in_c + (ptrdiff_t)ci, take * sizeof(float));
    else
      memset(row + pos, 0, take * sizeof(float));
    pos += take;
    t++;
    ci = 0;
  }
}
#endif

void sk_conv2d_nhwc_direct__neon(const sk_conv_params *p, const float *packed, const float *input,
                                 float *output) {
  const float32x4_t lo = vdupq_n_f32(p->out_min), hi = vdupq_n_f32(p->out_max);
  const size_t blocks = (p->out_c_g + SKV_NR - 1) / SKV_NR;
  const size_t bsize = sk_packed_block_size(p);
  skh_geom g;
  g.zero = p->zero;
  g.in_h = (ptrdiff_t)p->in_h;
  g.in_w = (ptrdiff_t)p->in_w;
  g.in_c = (ptrdiff_t)p->in_c;
  g.dh = (ptrdiff_t)p->dil_h;
  g.dw = (ptrdiff_t)p->dil_w;
  g.kh = p->kernel_h;
  g.kw = p->kernel_w;
  g.kc = p->in_c_g;
  g.merge = p->dil_w == 1 && p->in_c == p->in_c_g;
  const ptrdiff_t ext_h = (ptrdiff_t)((p->kernel_h - 1) * p->dil_h);
  const ptrdiff_t ext_w = (ptrdiff_t)((p->kernel_w - 1) * p->dil_w);
  const size_t total = p->out_h * p->out_w;
  skh_tile_px t;
#if !SK_NEON_A64
  float rows[MR * SKH_KP], xp[MR * SKH_KP]; /* 8 KiB */
#endif
  size_t oy = 0, ox = 0;
  for (size_t pix = 0; pix < total; pix += MR) {
    const size_t mr = total - pix < MR ? total - pix : MR;
    int inside = 1;
    for (size_t m = 0; m < MR; m++) {
      if (m < mr) {
        t.iy[m] = (ptrdiff_t)(oy * p->stride_h) - (ptrdiff_t)p->pad_top;
        t.ix[m] = (ptrdiff_t)(ox * p->stride_w) - (ptrdiff_t)p->pad_left;
        t.out[m] = output + (oy * p->out_w + ox) * p->out_c;
        inside &=
            t.iy[m] >= 0 && t.iy[m] + ext_h < g.in_h && t.ix[m] >= 0 && t.ix[m] + ext_w < g.in_w;
        if (++ox == p->out_w) {
          ox = 0;
          oy++;
        }
      } else { /* remainder: repeat the last pixel (computed, not stored) */
        t.iy[m] = t.iy[mr - 1];
        t.ix[m] = t.ix[mr - 1];
      }
    }
    float *out0[MR];
    for (size_t m = 0; m < mr; m++) out0[m] = t.out[m];
    for (size_t grp = 0; grp < p->groups; grp++) {
      g.in = input + grp * p->in_c_g;
#if SK_NEON_A64
      for (size_t b = 0; b < blocks; b++) {
        const float *w = packed + (grp * blocks + b) * bsize;
        const size_t oc0 = grp * p->out_c_g + b * SKV_NR;
        const size_t left = p->out_c_g - b * SKV_NR;
        for (size_t m = 0; m < mr; m++) t.out[m] = out0[m] + oc0;
        const size_t n = left < SKV_NR ? left : SKV_NR;
        if (mr <= MR / 2)
          skh_direct_tile_half(inside, &g, w, &t, mr, n, lo, hi);
        else
          skh_direct_tile_full(inside, &g, w, &t, mr, n, lo, hi);
      }
#else
      (void)inside;
      const size_t ktot = g.kh * g.kw * g.kc;
      for (size_t k0 = 0; k0 < ktot; k0 += SKH_KP) {
        const size_t klen = ktot - k0 < SKH_KP ? ktot - k0 : SKH_KP;
        const float *src[MR];
        for (size_t m = 0; m < MR; m++) {
          if (m < mr) skh_im2row(&g, t.iy[m], t.ix[m], k0, klen, rows + m * SKH_KP);
          src[m] = rows + (m < mr ? m : mr - 1) * SKH_KP;
        }
        skh_pack(src, klen, xp);
        for (size_t b = 0; b < blocks; b++) {
          const float *blk = packed + (grp * blocks + b) * bsize;
          const size_t oc0 = grp * p->out_c_g + b * SKV_NR;
          const size_t left = p->out_c_g - b * SKV_NR;
          for (size_t m = 0; m < MR; m++) t.out[m] = out0[m < mr ? m : 0] + oc0;
          skh_direct_ptile(xp, klen, blk + SKV_NR + k0 * SKV_NR, blk, t.out, mr,
                           left < SKV_NR ? left : SKV_NR, k0 == 0, k0 + klen == ktot, lo, hi);
        }
      }
#endif
    }
  }
}
