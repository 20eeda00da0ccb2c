/*
 * Engine shared by the NCHW direct and pointwise NEON kernels
 * (kernels/conv2d/conv2d_nchw_direct_neon.c,
 * kernels/pointwise/pointwise_nchw_neon.c); include only from those.
 *
 * NCHW convolution is a GEMM per group, output[oc][pixel] = bias[oc] + sum
 * over taps t = (ky, kx, ci) of w[oc][t] * input[t's channel][the pixel's
 * tap], vectorized over output pixels (4 a q register). Weights are packed
 * with nr = 8 (sk_kernels.h): 8 output channels side by side per tap, so a
 * tile loads them as q registers and multiplies by element.
 *
 * Tile: MR output channels (AArch64 8, ARMv7 4) x NV = 3 vectors of 4
 * pixels of one output row (24 / 12 accumulators). Per output row, the taps
 * (ky in the row's valid range, kx, ci: the packing order, so the weights
 * are read contiguously) are visited in passes of up to SKC_TAB. For each
 * pixel tile and pass, the tile's input is first packed into a stack buffer,
 * 12 floats a tap (xp[tap][pixel]): plain vector copies where a tap's 12
 * pixels lie inside the row (stride 2: the even floats, AArch64 UZP1, ARMv7
 * VLD2), else lane by lane with zeros for the padding (any stride). Every
 * output-channel block then streams the packed taps and its weights: the
 * inner loop is loads and multiply-adds only, and the packing is shared by
 * all blocks. Rows wholly in the padding have no taps (bias only). The last
 * tile of a row runs 1..3 vectors, its last vector's missing pixels packed
 * as zeros and never stored. A 1x1 stride-1 layer without padding runs as
 * one flat row over the whole plane.
 *
 * Several passes (more than SKC_TAB taps) keep partial sums in the output,
 * so each pass's packed input (12 KiB) stays in L1 for every block.
 */
#ifndef SK_NCHW_CONV_NEON_H
#define SK_NCHW_CONV_NEON_H

#include <stddef.h>

#include "conv2d/sk_conv_neon.h"

#define SKC_MR SKV_NCHW_MR
#define SKC_NV 3
#ifndef SKC_TAB
#define SKC_TAB 256 /* taps per pass */
#endif

typedef struct skc_geom {
  const float *in; /* the group's first input channel */
  float *out;      /* the group's first output channel */
  const float *w;  /* the group's first packed block */
  size_t cin, cout, nblk, bsize;
  size_t in_h, in_w, out_h, out_w, kh, kw, sh, sw, dh, dw, pt, pl;
  ptrdiff_t in_plane, out_plane;
  float32x4_t lo, hi;
} skc_geom;

/* The first n (1..3) lanes of a vector at p (the others 0), and back. */
static inline float32x4_t skc_load_n(const float *p, size_t n) {
  float32x4_t v = vdupq_n_f32(0.0f);
  v = vld1q_lane_f32(p, v, 0);
  if (n > 1) v = vld1q_lane_f32(p + 1, v, 1);
  if (n > 2) v = vld1q_lane_f32(p + 2, v, 2);
  return v;
}
static inline void skc_store_n(float *p, float32x4_t v, size_t n) {
  vst1q_lane_f32(p, v, 0);
  if (n > 1) vst1q_lane_f32(p + 1, v, 1);
  if (n > 2) vst1q_lane_f32(p + 2, v, 2);
}

/* acc[(M0 + j) * NV + v] += xv[v] * wq[j], j = 0..3. */
#define SKC_MLA4(M0, wq)                                                                \
  do {                                                                                  \
    SKV_UNROLL for (size_t v = 0; v < NV; v++) {                                        \
      acc[((M0) + 0) * NV + v] = SKV_MLA_LANEQ(acc[((M0) + 0) * NV + v], xv[v], wq, 0); \
      acc[((M0) + 1) * NV + v] = SKV_MLA_LANEQ(acc[((M0) + 1) * NV + v], xv[v], wq, 1); \
      acc[((M0) + 2) * NV + v] = SKV_MLA_LANEQ(acc[((M0) + 2) * NV + v], xv[v], wq, 2); \
      acc[((M0) + 3) * NV + v] = SKV_MLA_LANEQ(acc[((M0) + 3) * NV + v], xv[v], wq, 3); \
    }                                                                                   \
  } while (0)

/*
 * Tile of MR output channels x NV vectors over ntap packed taps: xp holds,
 * per tap, the tile's 4 * NV input values. w: the weights of the first tap
 * at the tile's first channel (8 floats a tap); bias: its bias; out: its
 * first channel at the first pixel; mvalid: channels that exist; nlast:
 * pixels (1..4) of the last vector that exist. first: start from the bias,
 * else from the partial sums in out; last: apply the activation.
 */
SK_ALWAYS_INLINE void skc_tile(const size_t MR, const size_t NV, const float *xp, size_t ntap,
                               const float *w, const float *bias, float *out, ptrdiff_t out_plane,
                               size_t mvalid, size_t nlast, int first, int last, float32x4_t lo,
                               float32x4_t hi) {
  float32x4_t acc[SKC_MR * SKC_NV];
  SKV_UNROLL for (size_t m = 0; m < MR; m++) {
    if (first || m >= mvalid) {
      const float32x4_t b = vld1q_dup_f32(bias + m);
      SKV_UNROLL for (size_t v = 0; v < NV; v++) { acc[m * NV + v] = b; }
    } else {
      const float *o = out + (ptrdiff_t)m * out_plane;
      SKV_UNROLL for (size_t v = 0; v < NV; v++) {
        acc[m * NV + v] =
            v + 1 < NV || nlast == 4 ? vld1q_f32(o + 4 * v) : skc_load_n(o + 4 * v, nlast);
      }
    }
  }
#if !SK_NEON_A64
  _Pragma("GCC unroll 4")
#endif
      for (size_t k = 0; k < ntap; k++) {
    float32x4_t xv[SKC_NV];
#if SK_NEON_A64
    SKV_UNROLL for (size_t v = 0; v < NV; v++) { xv[v] = vld1q_f32(xp + 4 * v); }
#else
    if (NV >= 2) { /* pixels 0..7 packed interleaved: one VLD2 (skc_pack) */
      const float32x4x2_t t = vld2q_f32(xp);
      xv[0] = t.val[0];
      xv[1] = t.val[1];
      if (NV == 3) xv[2] = vld1q_f32(xp + 8);
    } else {
      xv[0] = vld1q_f32(xp);
    }
#endif
    xp += 4 * NV;
    const float32x4_t w0 = vld1q_f32(w);
    SKC_MLA4(0, w0);
#if SK_NEON_A64
    if (MR == 8) {
      const float32x4_t w1 = vld1q_f32(w + 4);
      SKC_MLA4(4, w1);
    }
#endif
    w += SKV_NR;
  }
  SKV_UNROLL for (size_t m = 0; m < MR; m++) {
    if (m >= mvalid) continue;
    float *o = out + (ptrdiff_t)m * out_plane;
    SKV_UNROLL for (size_t v = 0; v < NV; v++) {
      const float32x4_t r = last ? skv_clamp(acc[m * NV + v], lo, hi) : acc[m * NV + v];
      if (v + 1 < NV || nlast == 4)
        vst1q_f32(o + 4 * v, r);
      else
        skc_store_n(o + 4 * v, r, nlast);
    }
  }
}

/* Every output-channel tile of the group for one pixel tile of NV vectors
 * (packed input xp, n taps), its first output pixel at out_off. */
#define SKC_TILES_FN(NV)                                                                         \
  static __attribute__((noinline)) void skc_tiles_##NV(const skc_geom *g, const float *xp,       \
                                                       size_t n, size_t woff, ptrdiff_t out_off, \
                                                       size_t nlast, int first, int last) {      \
    for (size_t b = 0; b < g->nblk; b++) {                                                       \
      const float *blk = g->w + b * g->bsize;                                                    \
      float *out = g->out + (ptrdiff_t)(b * SKV_NR) * g->out_plane + out_off;                    \
      const size_t left = g->cout - b * SKV_NR;                                                  \
      for (size_t h = 0; h < SKV_NR && h < left; h += SKC_MR) {                                  \
        skc_tile(SKC_MR, NV, xp, n, blk + woff + h, blk + h, out + (ptrdiff_t)h * g->out_plane,  \
                 g->out_plane, left - h, nlast, first, last, g->lo, g->hi);                      \
      }                                                                                          \
    }                                                                                            \
  }
SKC_TILES_FN(3)
SKC_TILES_FN(2)
SKC_TILES_FN(1)

/* Where pixel j of an nv-vector tile sits in a packed tap: in order, except
 * on ARMv7 where pixels 0..7 are interleaved (0 4 1 5 2 6 3 7) so that one
 * VLD2 loads two vectors. */
static inline size_t skc_slot(size_t j, size_t nv) {
#if SK_NEON_A64
  (void)nv;
  return j;
#else
  return nv >= 2 && j < 8 ? (j & 3) * 2 + (j >> 2) : j;
#endif
}

/*
 * Packs taps [k0, k0 + n) of the row's list (packing order ky, kx, ci; ky
 * from ky_lo, whose input row is `row`) for the np (1..4 * nv) pixels from
 * output column ox: xp[k][4 * nv], zero where a lane's tap lies in the
 * padding or the lane is past np. Reads only inside the input.
 */
static void skc_pack(const skc_geom *g, const float *row, size_t k0, size_t n, size_t ox, size_t nv,
                     size_t np, float *xp) {
  const size_t lanes = 4 * nv, sw = g->sw;
  const ptrdiff_t in_w = (ptrdiff_t)g->in_w;
  size_t ci = k0 % g->cin, t = k0 / g->cin, kx = t % g->kw, ky = t / g->kw;
  for (size_t i = 0; i < n; i++, xp += lanes) {
    const float *src = row + (ptrdiff_t)ci * g->in_plane + (ptrdiff_t)(ky * g->dh * g->in_w);
    const ptrdiff_t c0 = (ptrdiff_t)(ox * sw + kx * g->dw) - (ptrdiff_t)g->pl;
    /* the vector path reads columns [c0, c0 + reach] */
    const ptrdiff_t reach = sw == 1 ? (ptrdiff_t)lanes - 1 : 2 * (ptrdiff_t)lanes - 1;
    if (np == lanes && sw <= 2 && c0 >= 0 && c0 + reach < in_w) {
      const float *x = src + c0;
      float32x4_t vr[SKC_NV];
      SKV_UNROLL for (size_t v = 0; v < SKC_NV; v++) {
        if (v < nv) {
#if SK_NEON_A64
          const float32x4_t r = sw == 1
                                    ? vld1q_f32(x + 4 * v)
                                    : vuzp1q_f32(vld1q_f32(x + 8 * v), vld1q_f32(x + 8 * v + 4));
#else
          const float32x4_t r = sw == 1 ? vld1q_f32(x + 4 * v) : vld2q_f32(x + 8 * v).val[0];
#endif
          vr[v] = r;
        }
      }
#if SK_NEON_A64
      SKV_UNROLL for (size_t v = 0; v < SKC_NV; v++) {
        if (v < nv) vst1q_f32(xp + 4 * v, vr[v]);
      }
#else
      if (nv >= 2) {
        float32x4x2_t t;
        t.val[0] = vr[0];
        t.val[1] = vr[1];
        vst2q_f32(xp, t);
        if (nv == 3) vst1q_f32(xp + 8, vr[2]);
      } else {
        vst1q_f32(xp, vr[0]);
      }
#endif
    } else {
      for (size_t j = 0; j < lanes; j++) {
        const ptrdiff_t c = c0 + (ptrdiff_t)(j * sw);
        xp[skc_slot(j, nv)] = j < np && c >= 0 && c < in_w ? src[c] : 0.0f;
      }
    }
    if (++ci == g->cin) {
      ci = 0;
      if (++kx == g->kw) {
        kx = 0;
        ky++;
      }
    }
  }
}

/* One output row: passes over its tap list, tiles of up to 12 pixels. */
static void skc_row(const skc_geom *g, size_t oy) {
  float xp[SKC_TAB * 4 * SKC_NV];
  size_t ky_lo, ky_hi, iy0;
  sk_tap_range(oy, g->sh, g->pt, g->dh, g->kh, g->in_h, &ky_lo, &ky_hi, &iy0);
  const size_t ntot = (ky_hi - ky_lo) * g->kw * g->cin;
  const float *row = g->in + (ptrdiff_t)(iy0 * g->in_w);
  const ptrdiff_t out_row = (ptrdiff_t)(oy * g->out_w);
  size_t k0 = 0;
  do {
    const size_t n = ntot - k0 < SKC_TAB ? ntot - k0 : SKC_TAB;
    const size_t woff = SKV_NR + (ky_lo * g->kw * g->cin + k0) * SKV_NR;
    const int first = k0 == 0, last = k0 + n == ntot;
    for (size_t ox = 0; ox < g->out_w; ox += 4 * SKC_NV) {
      const size_t np = g->out_w - ox < 4 * SKC_NV ? g->out_w - ox : 4 * SKC_NV;
      const size_t nv = (np + 3) / 4, nlast = np - 4 * (nv - 1);
      skc_pack(g, row, k0, n, ox, nv, np, xp);
      const ptrdiff_t out_off = out_row + (ptrdiff_t)ox;
      if (nv == 3)
        skc_tiles_3(g, xp, n, woff, out_off, nlast, first, last);
      else if (nv == 2)
        skc_tiles_2(g, xp, n, woff, out_off, nlast, first, last);
      else
        skc_tiles_1(g, xp, n, woff, out_off, nlast, first, last);
    }
    k0 += n;
  } while (k0 < ntot);
}

/* The kernel: every group of one image. */
static inline void skc_conv(const sk_conv_params *p, const float *packed, const float *input,
                            float *output) {
  skc_geom g;
  g.cin = p->in_c_g;
  g.cout = p->out_c_g;
  g.nblk = (g.cout + SKV_NR - 1) / SKV_NR;
  g.bsize = sk_packed_block_size(p);
  g.in_h = p->in_h;
  g.in_w = p->in_w;
  g.out_h = p->out_h;
  g.out_w = p->out_w;
  g.kh = p->kernel_h;
  g.kw = p->kernel_w;
  g.sh = p->stride_h;
  g.sw = p->stride_w;
  g.dh = p->dil_h;
  g.dw = p->dil_w;
  g.pt = p->pad_top;
  g.pl = p->pad_left;
  g.in_plane = (ptrdiff_t)(p->in_h * p->in_w);
  g.out_plane = (ptrdiff_t)(p->out_h * p->out_w);
  g.lo = vdupq_n_f32(p->out_min);
  g.hi = vdupq_n_f32(p->out_max);
  if (g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.in_h == g.out_h && g.in_w == g.out_w) {
    /* 1x1, stride 1, no padding: one flat row over the plane */
    g.in_w = g.out_w = p->in_h * p->in_w;
    g.in_h = g.out_h = 1;
  }
  for (size_t grp = 0; grp < p->groups; grp++) {
    g.in = input + (ptrdiff_t)(grp * g.cin) * g.in_plane;
    g.out = output + (ptrdiff_t)(grp * g.cout) * g.out_plane;
    g.w = packed + grp * g.nblk * g.bsize;
    for (size_t oy = 0; oy < g.out_h; oy++) skc_row(&g, oy);
  }
}

#endif /* SK_NCHW_CONV_NEON_H */
