/*
 * Depthwise convolution, NEON (AArch64 and ARMv7): prototypes and the inline
 * engines the kernels of kernels/depthwise/ *_neon.c share (include only from
 * those and dispatch/isa/table_depthwise_neon.c). Both layouts pack weights
 * with nr = 4: one packed block per vector of 4 output channels.
 *
 * NHWC, vectorized over 4 channels: a strip of UW output pixels of one row
 * keeps UW accumulators; the specialised KxK stride-S strips sweep each input
 * column of a kernel row once and feed every output of the strip that reads
 * it (K weight vectors in registers), the generic strips run tap by tap.
 * Strips whose taps leave the image ("edge" strips) skip those columns; tap
 * rows outside the image are clipped per output row. Channel tails, and
 * multipliers > 1, load 4 input channels that lie inside the pixel and
 * permute them with TBL (lanes past the tail read zero); fewer than 4 input
 * channels load lane by lane. Stores never touch lanes past the channel count.
 *
 * NCHW, vectorized over 4 output columns of one plane: the specialised tiles
 * of R output rows x V vectors run the kernel columns outermost (the K
 * weights of one column in one or two registers, FMA by lane), each input
 * vector feeding every output row that reads it; stride 2 splits even and odd
 * columns with LD2 (AArch64 3x3 stride 2 interior tiles: one LD4 step for
 * all three columns, sk_ndwc_step4). Vectors whose loads would leave the row load a window
 * inside the row and TBL it into place (zeros outside); border rows, narrow
 * rows and other shapes run the generic tiles (tap by tap, weight broadcast).
 *
 * ARMv7 has no FMA by lane: the NCHW tiles use VMLA by scalar there
 * (multiply, then add), everything else vfmaq_f32 (VFPv4). With 16 q
 * registers it runs NHWC strips of 8 (AArch64 16), 3x3 ones as strips of 4
 * outputs x 8 channels (one 8-float load a column for two vectors: ARMv7 has
 * one load pipe), 5x5 stride 2 NCHW tiles of 3 rows x 4 outputs with the odd
 * columns in their own accumulators (VMLA latency), and loads/stores the 8
 * outputs of stride-1 NCHW tiles with one LD2/ST2 (even outputs in one
 * vector, odd in the other). Its NCHW VLD2s go through inline asm without
 * writeback (sk_ndw_ld2): post-indexed ones are 3 micro-ops and stall the
 * A72's 3-wide dispatch (bench/neon_mca.sh).
 *
 * Code size (the ARM library has a budget): the loops over kernel rows and
 * columns stay loops, one copy each; SK_NDW_OPAQUE stops GCC from cloning
 * them (unswitching, splitting, stride versioning), SK_NDW_FENCE from
 * hoisting every load of a body ahead of its FMAs (which spills).
 */
#ifndef SK_DEPTHWISE_NEON_H
#define SK_DEPTHWISE_NEON_H

#include <stddef.h>
#include <stdint.h>

#include "sk_kernels.h"
#include "sk_neon.h"
#include "sk_window.h"

#define SK_NDW_NR 4 /* packed block of output channels (both layouts) */

/* ---- entry points (the table's) and the per-shape kernels ---- */
void sk_depthwise_nhwc__neon(const sk_conv_params *p, const float *packed, const float *input,
                             float *output);
void sk_depthwise_nhwc_3x3s1__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output);
void sk_depthwise_nhwc_3x3s2__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output);
void sk_depthwise_nhwc_5x5s1__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output);
void sk_depthwise_nhwc_5x5s2__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output);
void sk_depthwise_nhwc_generic_8x4__neon(const sk_conv_params *p, const float *packed,
                                         const float *input, float *output);
void sk_depthwise_nchw__neon(const sk_conv_params *p, const float *packed, const float *input,
                             float *output);
void sk_depthwise_nchw_3x3s1__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output);
void sk_depthwise_nchw_3x3s2__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output);
void sk_depthwise_nchw_5x5s1__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output);
void sk_depthwise_nchw_5x5s2__neon(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output);
void sk_depthwise_nchw_generic_1x8__neon(const sk_conv_params *p, const float *packed,
                                         const float *input, float *output);

#if defined(__clang__) && SK_NEON_A64
#define SK_NDW_UNROLL _Pragma("clang loop unroll(full)")
#define SK_NDW_NOUNROLL _Pragma("clang loop unroll(disable)")
#elif defined(__clang__) /* ARMv7: full unroll warns on the not-yet-inlined copies */
#define SK_NDW_UNROLL _Pragma("unroll")
#define SK_NDW_NOUNROLL _Pragma("clang loop unroll(disable)")
#elif defined(__GNUC__)
#define SK_NDW_UNROLL _Pragma("GCC unroll 64")
#define SK_NDW_NOUNROLL _Pragma("GCC unroll 1")
#else
#define SK_NDW_UNROLL
#define SK_NDW_NOUNROLL
#endif

#if defined(__GNUC__)
#define SK_NDW_NOINLINE __attribute__((noinline))
#else
#define SK_NDW_NOINLINE
#endif

/* Makes v opaque to the optimizer at this point (no instruction emitted). */
#if defined(__GNUC__)
#define SK_NDW_OPAQUE(v) __asm__("" : "+r"(v))
#else
#define SK_NDW_OPAQUE(v) (void)0
#endif

/* Keeps loads from moving across this point (no instruction emitted). */
#if defined(__GNUC__)
#define SK_NDW_FENCE() __asm__ volatile("" ::: "memory")
#else
#define SK_NDW_FENCE() (void)0
#endif

/* Fused activation: FMAX/FMIN (ARMv7 VMAX/VMIN, SIMDe's emulation) give NaN
 * when either operand is NaN, so NaN passes like sk_clampf. */
static inline float32x4_t sk_ndw_clamp(float32x4_t v, float32x4_t lo, float32x4_t hi) {
  return vminq_f32(vmaxq_f32(v, lo), hi);
}

/* The activation bounds, loaded here, after a tile's loops: the compiler
 * must not hoist them and keep two registers busy through the loops. */
SK_ALWAYS_INLINE void sk_ndw_bounds(const sk_conv_params *p, float32x4_t *lo, float32x4_t *hi) {
  const sk_conv_params *q = p;
#if defined(__GNUC__)
  __asm__ volatile("" : "+r"(q));
#endif
  *lo = vld1q_dup_f32(&q->out_min);
  *hi = vld1q_dup_f32(&q->out_max);
}

/* Stores lanes [0, n) of v (n in 1..3), never touching dst[n..3]. */
void sk_ndw_store_part(float *dst, float32x4_t v, size_t n);

/* Bytes of t picked by idx (an index past 15 gives 0), as a float vector. */
static inline float32x4_t sk_ndw_tbl1(float32x4_t t, uint8x16_t idx) {
#if SK_NEON_A64
  return vreinterpretq_f32_u8(vqtbl1q_u8(vreinterpretq_u8_f32(t), idx));
#else
  const uint8x16_t b = vreinterpretq_u8_f32(t);
  uint8x8x2_t tab;
  tab.val[0] = vget_low_u8(b);
  tab.val[1] = vget_high_u8(b);
  return vreinterpretq_f32_u8(
      vcombine_u8(vtbl2_u8(tab, vget_low_u8(idx)), vtbl2_u8(tab, vget_high_u8(idx))));
#endif
}

/* Bytes of a:b picked by idx (an index past 31 gives 0). */
static inline float32x4_t sk_ndw_tbl2(float32x4_t a, float32x4_t b, uint8x16_t idx) {
#if SK_NEON_A64
  uint8x16x2_t tab;
  tab.val[0] = vreinterpretq_u8_f32(a);
  tab.val[1] = vreinterpretq_u8_f32(b);
  return vreinterpretq_f32_u8(vqtbl2q_u8(tab, idx));
#else
  const uint8x16_t ua = vreinterpretq_u8_f32(a), ub = vreinterpretq_u8_f32(b);
  uint8x8x4_t tab;
  tab.val[0] = vget_low_u8(ua);
  tab.val[1] = vget_high_u8(ua);
  tab.val[2] = vget_low_u8(ub);
  tab.val[3] = vget_high_u8(ub);
  return vreinterpretq_f32_u8(
      vcombine_u8(vtbl4_u8(tab, vget_low_u8(idx)), vtbl4_u8(tab, vget_high_u8(idx))));
#endif
}

/* TBL byte indices making lane l (0..3) float f[l] of the table, or 0 where
 * f[l] < 0. */
uint8x16_t sk_ndw_tbl_index(const int f[4]);

/* ======================================================================== */
/* NHWC                                                                      */

/* How a vector of 4 output channels reads its input lanes at a pixel. */
enum {
  SK_NDW_PLAIN, /* multiplier 1, 4 channels inside: one load */
  SK_NDW_TBL,   /* a load of 4 channels inside the pixel, permuted */
  SK_NDW_LANES  /* fewer than 4 input channels: lane by lane, masked */
};

/* One vector of (up to) 4 output channels oc0..oc0+3 (packed block oc0/4),
 * walked in order (sk_ndw_cb_first, sk_ndw_cb_next) without divisions. */
typedef struct sk_ndw_cb {
  const float *w; /* the block: bias[4], then tap t (= ky*kernel_w + kx) at w + 4*(1+t) */
  size_t oc0;     /* first output channel */
  size_t q0, ph;  /* oc0 / mult, oc0 % mult */
  size_t in_off;  /* PLAIN, TBL: first input channel of the load; LANES: 0 */
  size_t nout;    /* output lanes inside (1..4) */
  int mode;
  uint8x16_t idx;   /* TBL: lane l takes input channel in_off + idx_l (past nout: 0) */
  uint32x4_t lmask; /* LANES: lanes [0, nout) */
  size_t loff[4];   /* LANES: input channel of lane l (0 past nout) */
} sk_ndw_cb;

/* Sets the fields after w, oc0, q0, ph from those. */
void sk_ndw_cb_update(sk_ndw_cb *cb, const sk_conv_params *p);

static inline void sk_ndw_cb_first(sk_ndw_cb *cb, const sk_conv_params *p, const float *packed) {
  cb->w = packed;
  cb->oc0 = cb->q0 = cb->ph = 0;
  sk_ndw_cb_update(cb, p);
}

/* Next vector of output channels (call while oc0 + 4 < out_c). */
static inline void sk_ndw_cb_next(sk_ndw_cb *cb, const sk_conv_params *p) {
  cb->w += sk_packed_block_size(p);
  cb->oc0 += 4;
  if (p->mult == 1) {
    cb->q0 += 4;
  } else {
    cb->ph += 4;
    while (cb->ph >= p->mult) {
      cb->ph -= p->mult;
      cb->q0++;
    }
  }
  sk_ndw_cb_update(cb, p);
}

/* The input vector of the block's 4 output lanes at a pixel (src: the
 * pixel's channel in_off). */
SK_ALWAYS_INLINE float32x4_t sk_ndw_load(int mode, const float *src, const sk_ndw_cb *cb) {
  if (mode == SK_NDW_PLAIN) return vld1q_f32(src);
  if (mode == SK_NDW_TBL) return sk_ndw_tbl1(vld1q_f32(src), cb->idx);
  float32x4_t v = vld1q_dup_f32(src + cb->loff[0]);
  v = vld1q_lane_f32(src + cb->loff[1], v, 1);
  v = vld1q_lane_f32(src + cb->loff[2], v, 2);
  v = vld1q_lane_f32(src + cb->loff[3], v, 3);
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), cb->lmask));
}

/* Output columns [*ox_a, *ox_b) whose kernel_w taps all lie inside the input. */
static inline void sk_ndw_interior_cols(const sk_conv_params *p, size_t *ox_a, size_t *ox_b) {
  const size_t s = p->stride_w, pl = p->pad_left, out_w = p->out_w;
  const size_t ext = (p->kernel_w - 1) * p->dil_w + 1;
  size_t a = (pl + s - 1) / s, b = 0;
  if (a > out_w) a = out_w;
  if (p->in_w + pl >= ext) b = (p->in_w + pl - ext) / s + 1;
  if (b > out_w) b = out_w;
  if (b < a) b = a;
  *ox_a = a;
  *ox_b = b;
}

/* The row geometry every strip of one output row shares. */
typedef struct sk_ndw_row {
  const float *in; /* input row of tap ky_lo (column 0, channel 0) */
  size_t ky_lo, ky_n;
  float *out; /* output row (column 0, channel 0) */
} sk_ndw_row;

static inline void sk_ndw_row_init(sk_ndw_row *rw, const sk_conv_params *p, const float *input,
                                   float *output, size_t oy) {
  size_t ky_hi, iy0;
  sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &rw->ky_lo, &ky_hi,
               &iy0);
  rw->ky_n = ky_hi - rw->ky_lo;
  rw->in = input + iy0 * p->in_w * p->in_c;
  rw->out = output + oy * p->out_w * p->out_c;
}

/* Generic rows (depthwise_nhwc_generic_8x4_neon.c): output rows [oy0, oy1),
 * channel vectors from the one at oc_begin (a multiple of 4) on. What the
 * specialised kernels hand over. */
void sk_ndw_nhwc_generic_part(const sk_conv_params *p, const float *packed, const float *input,
                              float *output, size_t oy0, size_t oy1, size_t oc_begin);

/* ------------------------------------------------------------------------ */
/* Specialised NHWC: K x K, stride S, dilation 1, multiplier 1, full vectors */

#if SK_NEON_A64
#define SK_NDW_UW 16 /* outputs of the main strip */
#define SK_NDW_PAIRS(K, S) 0
#else
#define SK_NDW_UW 8
/* ARMv7 3x3 (both strides): main strips of 4 outputs x 8 channels (two
 * vectors, sk_ndw_ks_strip2); the odd last vector and edge strips run the
 * one-vector strips. */
#define SK_NDW_PAIRS(K, S) ((K) == 3)
#endif
/* Outputs of a shape's main strip. */
#define SK_NDW_UWK(K, S) (SK_NDW_PAIRS(K, S) ? 4 : SK_NDW_UW)
#define SK_NDW_UWE 4 /* outputs of an edge strip */

/*
 * UW outputs of one row from column pos, one full channel vector (block w,
 * input channels c0..c0+3 at rw->in + c0): per kernel row, the K weight
 * vectors stay in registers while the (UW-1)*S+K input columns of that row
 * are loaded once each and feed every output reading them. edge: columns
 * outside the input are skipped (the strip may cover border outputs).
 */
SK_ALWAYS_INLINE void sk_ndw_ks_strip(size_t K, size_t S, size_t UW, int edge,
                                      const sk_conv_params *p, const sk_ndw_row *rw, const float *w,
                                      size_t c0, size_t pos) {
  const size_t C = p->in_c, in_w = p->in_w, NC = (UW - 1) * S + K;
  const size_t row_step = in_w * C;
  const ptrdiff_t col0 = (ptrdiff_t)(pos * S) - (ptrdiff_t)p->pad_left;
  float32x4_t acc[SK_NDW_UW];
  const float32x4_t bias = vld1q_f32(w);
  SK_NDW_UNROLL
  for (size_t o = 0; o < UW; o++) acc[o] = bias;
  const float *wk = w + 4 * (1 + rw->ky_lo * K);
  /* Column col0 + j of the row at row + j*C. edge: bit j of inside set if that
   * column lies inside the row; the others are skipped, and their address is
   * never formed: the walk starts at the first column inside. */
  uint32_t inside = 0;
  size_t j0 = 0; /* edge: the first column inside (0 if none) */
  if (edge) {
    for (size_t j = NC; j-- > 0;) {
      if ((size_t)(col0 + (ptrdiff_t)j) < in_w) { /* c < 0 wraps */
        inside |= 1u << j;
        j0 = j;
      }
    }
  }
  const float *row = rw->in + c0;
  if (!edge || inside != 0) row += (col0 + (ptrdiff_t)j0) * (ptrdiff_t)C;
  const size_t cstep = C;
  SK_NDW_NOUNROLL
  for (size_t ky = 0; ky < rw->ky_n; ky++) {
    float32x4_t wv[5];
    SK_NDW_UNROLL
    for (size_t kx = 0; kx < K; kx++) wv[kx] = vld1q_f32(wk + 4 * kx);
    SK_NDW_OPAQUE(inside); /* keeps the compiler from unswitching the ky loop on each bit */
    const float *pc = row; /* column col0 + j0 */
    SK_NDW_UNROLL
    for (size_t j = 0; j < NC; j++) {
      if (edge && !(inside >> j & 1)) continue;
      const float32x4_t x = vld1q_f32(pc);
      if (!edge || (inside >> (j + 1) & 1)) pc += cstep; /* never past the last column */
      SK_NDW_OPAQUE(pc); /* one pointer walking the columns (no offset per column) */
      if (UW > 8 && j % 4 == 3) SK_NDW_FENCE(); /* loads stay near their FMAs (else GCC spills) */
      SK_NDW_UNROLL
      for (size_t kx = 0; kx < K; kx++) {
        if (j < kx || (j - kx) % S != 0 || (j - kx) / S >= UW) continue;
        acc[(j - kx) / S] = vfmaq_f32(acc[(j - kx) / S], x, wv[kx]);
      }
    }
    row += row_step;
    wk += 4 * K;
  }
  float *dst = rw->out + pos * p->out_c + c0;
  float32x4_t lo, hi;
  sk_ndw_bounds(p, &lo, &hi);
  SK_NDW_UNROLL
  for (size_t o = 0; o < UW; o++) vst1q_f32(dst + o * p->out_c, sk_ndw_clamp(acc[o], lo, hi));
}

#if !SK_NEON_A64
/* The 8 floats at p in one VLD1 of four d registers (one load-pipe slot, no
 * writeback; GCC 12 has no vld1q_f32_x2 for ARMv7). */
SK_ALWAYS_INLINE float32x4x2_t sk_ndw_ld8(const float *p) {
#if defined(__clang__)
  return vld1q_f32_x2(p);
#else
  float32x4x2_t x;
  __asm__("vld1.32 %h0, [%1]" : "=w"(x) : "r"(p), "m"(*(const float(*)[8])p));
  return x;
#endif
}

/* VLD2 of the 8 floats at p (even floats in val[0]), without writeback: GCC
 * folds the next row's pointer step into a post-indexed VLD2, a 3-micro-op
 * instruction that stalls the A72's 3-wide dispatch. */
SK_ALWAYS_INLINE float32x4x2_t sk_ndw_ld2(const float *p) {
#if defined(__clang__)
  return vld2q_f32(p);
#else
  float32x4x2_t x;
  __asm__("vld2.32 %h0, [%1]" : "=w"(x) : "r"(p), "m"(*(const float(*)[8])p));
  return x;
#endif
}

/*
 * ARMv7 main strip (no edge) of UW outputs x two channel vectors (c0..c0+7,
 * blocks w and w + bsize): as sk_ndw_ks_strip, but each input column is one
 * 8-float load feeding both vectors. ARMv7 has one load pipe and no load
 * with an immediate offset, so the single-vector strip of a stride-2 shape
 * is bound by its column loads (and their address updates); this one halves
 * them per multiply-add. 2*UW accumulators + 2*K weights + 2 inputs.
 */
SK_ALWAYS_INLINE void sk_ndw_ks_strip2(size_t K, size_t S, size_t UW, const sk_conv_params *p,
                                       const sk_ndw_row *rw, const float *w, size_t bsize,
                                       size_t c0, size_t pos) {
  const size_t C = p->in_c, NC = (UW - 1) * S + K;
  const size_t row_step = p->in_w * C;
  const ptrdiff_t col0 = (ptrdiff_t)(pos * S) - (ptrdiff_t)p->pad_left;
  float32x4_t acc0[SK_NDW_UW], acc1[SK_NDW_UW];
  const float32x4_t bias0 = vld1q_f32(w), bias1 = vld1q_f32(w + bsize);
  SK_NDW_UNROLL
  for (size_t o = 0; o < UW; o++) {
    acc0[o] = bias0;
    acc1[o] = bias1;
  }
  const float *wk = w + 4 * (1 + rw->ky_lo * K);
  const float *row = rw->in + c0 + col0 * (ptrdiff_t)C;
  SK_NDW_NOUNROLL
  for (size_t ky = 0; ky < rw->ky_n; ky++) {
    float32x4_t wa[3], wb[3];
    SK_NDW_UNROLL
    for (size_t kx = 0; kx < K; kx += 2) { /* taps kx, kx + 1: one load */
      if (kx + 1 < K) {
        const float32x4x2_t ta = sk_ndw_ld8(wk + 4 * kx), tb = sk_ndw_ld8(wk + bsize + 4 * kx);
        wa[kx] = ta.val[0];
        wa[kx + 1] = ta.val[1];
        wb[kx] = tb.val[0];
        wb[kx + 1] = tb.val[1];
      } else {
        wa[kx] = vld1q_f32(wk + 4 * kx);
        wb[kx] = vld1q_f32(wk + bsize + 4 * kx);
      }
    }
    const float *pc = row;
    SK_NDW_UNROLL
    for (size_t j = 0; j < NC; j++) {
      const float32x4x2_t x = sk_ndw_ld8(pc);
      if (j + 1 < NC) pc += C; /* never past the last column */
      SK_NDW_OPAQUE(pc);
      SK_NDW_UNROLL
      for (size_t kx = 0; kx < K; kx++) {
        if (j < kx || (j - kx) % S != 0 || (j - kx) / S >= UW) continue;
        acc0[(j - kx) / S] = vfmaq_f32(acc0[(j - kx) / S], x.val[0], wa[kx]);
        acc1[(j - kx) / S] = vfmaq_f32(acc1[(j - kx) / S], x.val[1], wb[kx]);
      }
    }
    row += row_step;
    wk += 4 * K;
  }
  float *dst = rw->out + pos * p->out_c + c0;
  float32x4_t lo, hi;
  sk_ndw_bounds(p, &lo, &hi);
  SK_NDW_UNROLL
  for (size_t o = 0; o < UW; o++) {
    vst1q_f32(dst + o * p->out_c, sk_ndw_clamp(acc0[o], lo, hi));
    vst1q_f32(dst + o * p->out_c + 4, sk_ndw_clamp(acc1[o], lo, hi));
  }
}
#endif

/* One strip position, every full channel vector (ARMv7 main strips of the
 * SK_NDW_PAIRS shapes: two at a time, then the odd one). */
SK_ALWAYS_INLINE void sk_ndw_ks_strips(size_t K, size_t S, size_t UW, int edge,
                                       const sk_conv_params *p, const sk_ndw_row *rw,
                                       const float *packed, size_t nfull, size_t pos) {
  const size_t bsize = sk_packed_block_size(p);
  const float *w = packed;
  size_t j = 0;
#if !SK_NEON_A64
  if (SK_NDW_PAIRS(K, S) && !edge) {
    SK_NDW_NOUNROLL
    for (; j + 2 <= nfull; j += 2, w += 2 * bsize)
      sk_ndw_ks_strip2(K, S, UW, p, rw, w, bsize, 4 * j, pos);
  }
#endif
  SK_NDW_NOUNROLL
  for (; j < nfull; j++, w += bsize) sk_ndw_ks_strip(K, S, UW, edge, p, rw, w, 4 * j, pos);
}

/*
 * Specialised K x K stride S driver (dilation 1, multiplier 1): each output
 * row runs edge strips over the border columns [0, ox_a) and from where the
 * main strips stop (the last moved back to end at out_w, recomputing outputs
 * with the same sums), main strips over the interior, all for the full
 * channel vectors; the channel tail (C % 4), and rows narrower than an edge
 * strip, go to the generic kernel.
 */
SK_ALWAYS_INLINE void sk_ndw_nhwc_ks(size_t K, size_t S, const sk_conv_params *p,
                                     const float *packed, const float *input, float *output) {
  const size_t UW = SK_NDW_UWK(K, S), UWE = SK_NDW_UWE;
  const size_t out_w = p->out_w, nfull = p->in_c / 4;
  if (out_w < UWE || nfull == 0) {
    sk_ndw_nhwc_generic_part(p, packed, input, output, 0, p->out_h, 0);
    return;
  }
  size_t ox_a, ox_b;
  sk_ndw_interior_cols(p, &ox_a, &ox_b);
  for (size_t oy = 0; oy < p->out_h; oy++) {
    sk_ndw_row rw;
    sk_ndw_row_init(&rw, p, input, output, oy);
    for (size_t ox = 0; ox < out_w;) {
      if (ox >= ox_a && ox + UW <= ox_b) {
        sk_ndw_ks_strips(K, S, UW, 0, p, &rw, packed, nfull, ox);
        ox += UW;
      } else {
        sk_ndw_ks_strips(K, S, UWE, 1, p, &rw, packed, nfull, ox + UWE <= out_w ? ox : out_w - UWE);
        ox += UWE;
      }
    }
  }
  if (nfull * 4 < p->out_c)
    sk_ndw_nhwc_generic_part(p, packed, input, output, 0, p->out_h, nfull * 4);
}

/* ======================================================================== */
/* NCHW                                                                      */

/* acc += x * v[lane], lane a constant after inlining: FMLA by element on
 * AArch64, VMLA by scalar on ARMv7 (no fused by-element form there). The
 * switch folds away (clang wants literal lane numbers). */
SK_ALWAYS_INLINE float32x4_t sk_ndwc_mla_lane(float32x4_t acc, float32x4_t x, float32x4_t v,
                                              size_t lane) {
#if SK_NEON_A64
  switch (lane) {
    case 0:
      return vfmaq_laneq_f32(acc, x, v, 0);
    case 1:
      return vfmaq_laneq_f32(acc, x, v, 1);
    case 2:
      return vfmaq_laneq_f32(acc, x, v, 2);
    default:
      return vfmaq_laneq_f32(acc, x, v, 3);
  }
#else
  switch (lane) {
    case 0:
      return vmlaq_lane_f32(acc, x, vget_low_f32(v), 0);
    case 1:
      return vmlaq_lane_f32(acc, x, vget_low_f32(v), 1);
    case 2:
      return vmlaq_lane_f32(acc, x, vget_high_f32(v), 0);
    default:
      return vmlaq_lane_f32(acc, x, vget_high_f32(v), 1);
  }
#endif
}

/*
 * How to load, for a vector of 4 outputs, the input columns c + l*S (S = 1;
 * S = 2: the even ones, and the odd ones c + 2l + 1) of a row of n floats,
 * with 0 for columns outside [0, n): a window of 4 (S = 1) or 8 (S = 2)
 * floats inside the row at off, lanes picked by TBL. Needs n >= 4 (S = 1) or
 * n >= 8 (S = 2). Only depends on c and n, so one recipe serves every row.
 */
typedef struct sk_ndwc_rec {
  uint8x16_t ie, io;
  size_t off;
  int plain; /* all columns inside: plain loads at c do */
} sk_ndwc_rec;

void sk_ndwc_rec_init(sk_ndwc_rec *e, size_t S, ptrdiff_t c, ptrdiff_t n);

/* S = 1: columns c.. of a row (rec: through the recipe, else plain). */
SK_ALWAYS_INLINE float32x4_t sk_ndwc_load1(const float *row, ptrdiff_t c, const sk_ndwc_rec *rec) {
  if (rec == NULL) return vld1q_f32(row + c);
  return sk_ndw_tbl1(vld1q_f32(row + rec->off), rec->ie);
}

/* S = 2: even (val[0]) and odd (val[1]) columns from c. */
SK_ALWAYS_INLINE float32x4x2_t sk_ndwc_load2(const float *row, ptrdiff_t c,
                                             const sk_ndwc_rec *rec) {
  if (rec == NULL) return vld2q_f32(row + c);
  const float32x4_t a = vld1q_f32(row + rec->off), b = vld1q_f32(row + rec->off + 4);
  float32x4x2_t r;
  r.val[0] = sk_ndw_tbl2(a, b, rec->ie);
  r.val[1] = sk_ndw_tbl2(a, b, rec->io);
  return r;
}

/* One channel plane. */
typedef struct sk_ndwc_plane {
  const float *in; /* input plane */
  float *out;      /* output plane */
  const float *w;  /* tap t (= ky*kernel_w + kx) weight at w[t * 4] */
  float bias;
} sk_ndwc_plane;

/*
 * How a row of outputs is cut into vectors of 4 (the same for every row of a
 * call): edge vectors from 0 while left of ox_a, interior vectors over
 * [i0, i1) (pairs, then single ones), edge vectors from there to out_w. A
 * vector that would cross out_w, or an interior remainder under 4, is moved
 * left to end at out_w (i1): it recomputes outputs a neighbour wrote, with
 * the same sums in the same order. A row narrower than 4 is one edge vector
 * with a partial store. narrow: rows too short for TBL windows (n < 4, or
 * n < 8 with stride 2) or strides over 2: every vector loads lane by lane.
 */
#define SK_NDWC_EDGE_MAX 6  /* edge and single vectors with recipes made up front */
#define SK_NDWC_EDGE_KMAX 5 /* widest kernel (recipe steps) made up front */
typedef struct sk_ndwc_plan {
  size_t ox_a, ox_b; /* outputs whose vector loads stay inside the row */
  size_t i0, i1;     /* the interior vectors' span (empty if under 4 outputs) */
  size_t out_w;
  int narrow;
  int have; /* rec: the recipes of the first SK_NDWC_EDGE_MAX edge and single vectors */
  sk_ndwc_rec rec[SK_NDWC_EDGE_MAX][SK_NDWC_EDGE_KMAX];
} sk_ndwc_plan;

enum { SK_NDWC_PAIR, SK_NDWC_SINGLE, SK_NDWC_EDGE };

static inline size_t sk_ndwc_vpos(size_t ox, size_t out_w) {
  return ox + 4 <= out_w ? ox : (out_w >= 4 ? out_w - 4 : 0);
}

/* One step of the row walk from output *ox (< out_w): the next vector's kind
 * and position; advances *ox past it. */
static inline int sk_ndwc_walk(const sk_ndwc_plan *pn, size_t *ox, size_t *pos) {
  const size_t o = *ox, out_w = pn->out_w, i1 = pn->i1;
  if (o >= pn->i0 && o < i1) {
    if (o + 8 <= i1) {
      *pos = o;
      *ox = o + 8;
      return SK_NDWC_PAIR;
    }
    if (o + 4 <= i1) {
      *pos = o;
      *ox = o + 4;
      return SK_NDWC_SINGLE;
    }
    if (i1 == out_w || out_w - 4 > o) { /* else the last edge vector covers [o, i1) */
      *pos = i1 - 4;
      *ox = i1;
      return SK_NDWC_SINGLE;
    }
  }
  *pos = sk_ndwc_vpos(o < i1 && o >= pn->i0 ? i1 : o, out_w);
  *ox = *pos + 4;
  return SK_NDWC_EDGE;
}

/*
 * Makes the plan for kernel width K, stride S (1 or 2: vector loads, else
 * narrow), recipe steps ksteps: step j of an edge vector at column c0 loads
 * column c0 + j*st (st: S for the specialised tiles, which take the even and
 * odd columns of one stride-2 load, else the dilation).
 */
void sk_ndwc_plan_init(sk_ndwc_plan *pn, const sk_conv_params *p, size_t K, size_t S, size_t ksteps,
                       size_t st);

/* The recipes of the n-th edge or single vector of the row walk, or NULL. */
static inline const sk_ndwc_rec *sk_ndwc_plan_rec(const sk_ndwc_plan *pn, size_t n) {
  return pn->have && n < SK_NDWC_EDGE_MAX ? pn->rec[n] : NULL;
}

/* Generic rows (depthwise_nchw_generic_1x8_neon.c) [oy0, oy1) of one plane:
 * what the specialised kernels hand over. pn: made for p by
 * sk_ndwc_plan_init(pn, p, kernel_w, stride_w, kernel_w, dil_w). */
void sk_ndwc_nchw_generic_rows(const sk_conv_params *p, const sk_ndwc_plane *pl, size_t oy0,
                               size_t oy1, const sk_ndwc_plan *pn);

/* ------------------------------------------------------------------------ */
/* Specialised NCHW: K x K, stride S (1, 2), dilation 1, any multiplier      */

#define SK_NDWC_R 4 /* most output rows per tile */
/* Output rows per tile of a shape: 4, but 3 for 5x5 stride 2 on ARMv7. */
#define SK_NDWC_RK(K, S) (!SK_NEON_A64 && (S) == 2 && (K) == 5 ? 3 : 4)
/* Vectors per interior tile: 2, but 1 for 5x5 stride 2 on ARMv7 (its 16 q
 * registers would not hold 8 accumulators, 4 weight and 4 input vectors). */
#define SK_NDWC_V(K, S) (!SK_NEON_A64 && (S) == 2 && (K) == 5 ? 1 : 2)
/* Those V = 1 tiles sum the odd columns in a second accumulator per row
 * (8 chains of VMLA, not 4: its accumulate latency would bound them). */
#define SK_NDWC_SPLIT(K, S) (SK_NDWC_V(K, S) == 1)
#define SK_NDWC_NI(K, S, R) (((R)-1) * (S) + (K))

/*
 * Weights of one plane by tile step (see sk_ndwc_tile): step j's 12 floats
 * hold its column a (kx = j for S = 1, 2j for S = 2) at [ky] for ky < 4, the
 * next column (S = 2 pairs) at [4 + ky], and row ky = 4 of both at [8], [9]
 * (zeros elsewhere): three vectors for a 5x5 pair step.
 */
typedef struct sk_ndwc_wcols {
  float w[5 * 12];
} sk_ndwc_wcols;

void sk_ndwc_wcols_init(sk_ndwc_wcols *wc, size_t K, size_t S, const float *w);

/* acc[r][v] += x * weight (ky = i - r*S: lane ky of w03 for ky < 4, else
 * lane l4 of w4) for every output row r of the tile that reads input row i. */
SK_ALWAYS_INLINE void sk_ndwc_feed(size_t K, size_t S, size_t R, size_t i, size_t v, float32x4_t x,
                                   float32x4_t w03, float32x4_t w4, size_t l4,
                                   float32x4_t (*acc)[2]) {
  SK_NDW_UNROLL
  for (size_t r = 0; r < R; r++) {
    if (i < r * S || i - r * S >= K) continue;
    const size_t ky = i - r * S;
    acc[r][v] = sk_ndwc_mla_lane(acc[r][v], x, ky < 4 ? w03 : w4, ky < 4 ? ky : l4);
  }
}

/* ARMv7, stride 1, V = 2: the tile's 8 outputs load with one LD2 (even
 * outputs in vector 0, odd ones in vector 1) and store with one ST2: half the
 * load instructions of two plain loads (ARMv7 has no 2-register LD1 in GCC). */
#define SK_NDWC_LD2_S1(S, V) (!SK_NEON_A64 && (S) == 1 && (V) == 2)

/*
 * One recipe step of a tile: kernel column kx (S = 1), or columns kx, kx+1
 * (S = 2, pair: even and odd columns of one LD2; else the even ones only),
 * every input row. rec: the step's recipe (V = 1 edge vectors), or NULL.
 * One pointer walks the rows (no address per row to keep).
 */
SK_ALWAYS_INLINE void sk_ndwc_step(size_t K, size_t S, size_t R, size_t V, int pair,
                                   const float *in0, size_t ist, ptrdiff_t c, const float *wt,
                                   const sk_ndwc_rec *rec, float32x4_t (*acc)[2]) {
  const float32x4_t we = vld1q_f32(wt), wo = pair ? vld1q_f32(wt + 4) : we;
  const float32x4_t w4 = K > 4 ? vld1q_f32(wt + 8) : we;
  const float *pr = rec != NULL ? in0 + rec->off : in0 + c;
  SK_NDW_UNROLL
  for (size_t i = 0; i < SK_NDWC_NI(K, S, R); i++) {
    if (SK_NDWC_LD2_S1(S, V)) {
#if SK_NEON_A64
      const float32x4x2_t x = vld2q_f32(pr);
#else
      const float32x4x2_t x = sk_ndw_ld2(pr);
#endif
      sk_ndwc_feed(K, S, R, i, 0, x.val[0], we, w4, 0, acc);
      sk_ndwc_feed(K, S, R, i, 1, x.val[1], we, w4, 0, acc);
    } else {
      SK_NDW_UNROLL
      for (size_t v = 0; v < V; v++) {
        if (S == 1) {
          const float32x4_t x =
              rec != NULL ? sk_ndw_tbl1(vld1q_f32(pr), rec->ie) : vld1q_f32(pr + 4 * v);
          sk_ndwc_feed(K, S, R, i, v, x, we, w4, 0, acc);
        } else {
          float32x4x2_t x;
          if (rec != NULL) {
            const float32x4_t a = vld1q_f32(pr), b = vld1q_f32(pr + 4);
            x.val[0] = sk_ndw_tbl2(a, b, rec->ie);
            x.val[1] = sk_ndw_tbl2(a, b, rec->io);
          } else {
#if SK_NEON_A64
            x = vld2q_f32(pr + 8 * v);
#else
            x = sk_ndw_ld2(pr + 8 * v);
#endif
          }
          sk_ndwc_feed(K, S, R, i, v, x.val[0], we, w4, 0, acc);
          if (pair) sk_ndwc_feed(K, S, R, i, SK_NDWC_SPLIT(K, S) ? 1 : v, x.val[1], wo, w4, 1, acc);
        }
      }
    }
    if (i + 1 < SK_NDWC_NI(K, S, R)) pr += ist;
    SK_NDW_OPAQUE(pr);
    if (!SK_NEON_A64) SK_NDW_FENCE(); /* ARMv7: loads stay near their FMAs (else GCC spills) */
  }
}

/* AArch64 3x3 stride 2, V = 2 interior tiles: one step, all three kernel
 * columns. LD4 splits input columns c..c+15 by column mod 4: the even outputs
 * (0, 2, 4, 6: acc[r][0]) read lanes 0, 1, 2 for kernel columns 0, 1, 2, the
 * odd ones (acc[r][1]) lanes 2, 3 and lane 0 one column on (EXT with column
 * c + 16; the tile's loads reach c + 17 either way). Per input row one LD4
 * and one EXT where the column steps took four LD2s: on Neoverse N1 (A76) a
 * deinterleaving load holds the FP/ASIMD pipes (LD2: 2 micro-ops there, LD4
 * 4), which bound those steps (bench/neon_mca.sh). ST2 stores the halves. */
#define SK_NDWC_LD4(K, S, V, edge) (SK_NEON_A64 && (K) == 3 && (S) == 2 && (V) == 2 && !(edge))
#if SK_NEON_A64
SK_ALWAYS_INLINE void sk_ndwc_step4(size_t R, const float *in0, size_t ist, ptrdiff_t c,
                                    const float *wt, float32x4_t (*acc)[2]) {
  const float32x4_t w0 = vld1q_f32(wt), w1 = vld1q_f32(wt + 4), w2 = vld1q_f32(wt + 12);
  const float *pr = in0 + c;
  SK_NDW_UNROLL
  for (size_t i = 0; i < SK_NDWC_NI(3, 2, R); i++) {
    const float32x4x4_t x = vld4q_f32(pr);
    const float32x4_t y = vcombine_f32(vld1_f32(pr + 16), vdup_n_f32(0.0f));
    const float32x4_t e2 = vextq_f32(x.val[0], y, 1); /* columns c + 4, c + 8, .. c + 16 */
    SK_NDW_UNROLL
    for (size_t r = 0; r < R; r++) {
      if (i < r * 2 || i - r * 2 >= 3) continue;
      const size_t ky = i - r * 2;
      acc[r][0] = sk_ndwc_mla_lane(acc[r][0], x.val[0], w0, ky);
      acc[r][1] = sk_ndwc_mla_lane(acc[r][1], x.val[2], w0, ky);
      acc[r][0] = sk_ndwc_mla_lane(acc[r][0], x.val[1], w1, ky);
      acc[r][1] = sk_ndwc_mla_lane(acc[r][1], x.val[3], w1, ky);
      acc[r][0] = sk_ndwc_mla_lane(acc[r][0], x.val[2], w2, ky);
      acc[r][1] = sk_ndwc_mla_lane(acc[r][1], e2, w2, ky);
    }
    if (i + 1 < SK_NDWC_NI(3, 2, R)) pr += ist;
    SK_NDW_OPAQUE(pr);
  }
}
#endif

/*
 * A tile of R output rows from oy (all their tap rows inside the input) x V
 * vectors of 4 outputs from ox, one plane; weights wc by kernel column. The
 * kernel columns run outermost (not unrolled): S = 1 one column per step,
 * S = 2 a pair per step, then the last column if K is odd. edge (V = 1):
 * step j loads through the recipe rec[j] (rec NULL: made here).
 */
SK_ALWAYS_INLINE void sk_ndwc_tile(size_t K, size_t S, size_t R, size_t V, int edge,
                                   const sk_conv_params *p, const sk_ndwc_plane *pl,
                                   const sk_ndwc_wcols *wc, size_t oy, size_t ox,
                                   const sk_ndwc_rec *rec) {
  const size_t in_w = p->in_w, out_w = p->out_w;
  const ptrdiff_t c0 = (ptrdiff_t)(ox * S) - (ptrdiff_t)p->pad_left;
  const float *in0 = pl->in + (oy * S - p->pad_top) * in_w;
  sk_ndwc_rec e[5];
  if (edge && rec == NULL) {
    for (size_t j = 0; j < (K + S - 1) / S; j++)
      sk_ndwc_rec_init(&e[j], S, c0 + (ptrdiff_t)(j * S), (ptrdiff_t)in_w);
    rec = e;
  }
  float32x4_t acc[SK_NDWC_R][2];
  const float32x4_t bias = vdupq_n_f32(pl->bias);
  SK_NDW_UNROLL
  for (size_t r = 0; r < R; r++) {
    SK_NDW_UNROLL
    for (size_t v = 0; v < V; v++) acc[r][v] = bias;
    if (SK_NDWC_SPLIT(K, S)) acc[r][1] = vdupq_n_f32(0.0f);
  }
  const int ld4 = SK_NDWC_LD4(K, S, V, edge);
  size_t npair = ld4 ? 1 : S == 1 ? K : K / 2; /* steps with the full body */
  SK_NDW_OPAQUE(npair);                        /* a loop even for 2 steps */
  SK_NDW_NOUNROLL
  for (size_t j = 0; j < npair; j++) {
#if SK_NEON_A64
    if (ld4) {
      sk_ndwc_step4(R, in0, in_w, c0, wc->w, acc);
      continue;
    }
#endif
    sk_ndwc_step(K, S, R, V, S == 2, in0, in_w, c0 + (ptrdiff_t)(j * S), wc->w + j * 12,
                 edge ? &rec[j] : NULL, acc);
  }
  if (S == 2 && K % 2 && !ld4)
    sk_ndwc_step(K, S, R, V, 0, in0, in_w, c0 + (ptrdiff_t)(K - 1), wc->w + (K / 2) * 12,
                 edge ? &rec[K / 2] : NULL, acc);
  if (SK_NDWC_SPLIT(K, S)) {
    SK_NDW_UNROLL
    for (size_t r = 0; r < R; r++) acc[r][0] = vaddq_f32(acc[r][0], acc[r][1]);
  }
  float *out = pl->out + oy * out_w + ox;
  float32x4_t lo, hi;
  sk_ndw_bounds(p, &lo, &hi);
  if (edge && out_w < 4) { /* one vector, the row's out_w outputs */
    SK_NDW_UNROLL
    for (size_t r = 0; r < R; r++)
      sk_ndw_store_part(out + r * out_w, sk_ndw_clamp(acc[r][0], lo, hi), out_w);
    return;
  }
  SK_NDW_UNROLL
  for (size_t r = 0; r < R; r++) {
    if (SK_NDWC_LD2_S1(S, V) || ld4) { /* even outputs in acc[r][0], odd in acc[r][1] */
      float32x4x2_t y;
      y.val[0] = sk_ndw_clamp(acc[r][0], lo, hi);
      y.val[1] = sk_ndw_clamp(acc[r][1], lo, hi);
      vst2q_f32(out + r * out_w, y);
      continue;
    }
    SK_NDW_UNROLL
    for (size_t v = 0; v < V; v++)
      vst1q_f32(out + r * out_w + 4 * v, sk_ndw_clamp(acc[r][v], lo, hi));
  }
}

/* R output rows from oy (all tap rows inside the input) along the row walk. */
SK_ALWAYS_INLINE void sk_ndwc_band(size_t K, size_t S, size_t R, const sk_conv_params *p,
                                   const sk_ndwc_plane *pl, const sk_ndwc_wcols *wc, size_t oy,
                                   const sk_ndwc_plan *pn) {
  size_t n = 0, pos;
  for (size_t ox = 0; ox < p->out_w;) {
    SK_NDW_OPAQUE(ox); /* one copy of the loop (no splitting on the walk's conditions) */
    SK_NDW_OPAQUE(n);
    const int kind = sk_ndwc_walk(pn, &ox, &pos);
    if (SK_NDWC_V(K, S) == 2 && kind == SK_NDWC_PAIR) {
      sk_ndwc_tile(K, S, R, 2, 0, p, pl, wc, oy, pos, NULL);
    } else if (SK_NDWC_V(K, S) == 1 && kind != SK_NDWC_EDGE) { /* one call site: one copy */
      for (size_t k = 0; k < (kind == SK_NDWC_PAIR ? 2u : 1u); k++)
        sk_ndwc_tile(K, S, R, 1, 0, p, pl, wc, oy, pos + 4 * k, NULL);
      n += kind == SK_NDWC_SINGLE;
    } else { /* edge vectors, and (rare) single ones: through the recipes */
      sk_ndwc_tile(K, S, R, 1, 1, p, pl, wc, oy, pos, sk_ndwc_plan_rec(pn, n++));
    }
  }
}

/*
 * Specialised K x K stride S driver: bands of R output rows whose tap rows
 * all lie inside the input (the last one moved up to end with them,
 * recomputing rows as the row walk does columns); border rows, all rows if
 * fewer than R qualify, and narrow rows, run the generic tiles.
 */
SK_ALWAYS_INLINE void sk_ndwc_nchw_ks(size_t K, size_t S, const sk_conv_params *p,
                                      const float *packed, const float *input, float *output) {
  const size_t R = SK_NDWC_RK(K, S);
  const size_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const size_t bsize = sk_packed_block_size(p), pt = p->pad_top;
  sk_ndwc_plan pn, gpn; /* the tiles' (steps of S columns), the generic rows' */
  sk_ndwc_plan_init(&pn, p, K, S, (K + S - 1) / S, S);
  sk_ndwc_plan_init(&gpn, p, K, S, K, 1);
  /* rows [oy_a, oy_b) have all K tap rows inside the input */
  size_t oy_a = (pt + S - 1) / S, oy_b = p->in_h + pt >= K ? (p->in_h + pt - K) / S + 1 : 0;
  if (oy_b > p->out_h) oy_b = p->out_h;
  if (oy_a > oy_b) oy_a = oy_b;
  if (oy_b - oy_a < R || pn.narrow) oy_a = oy_b = 0; /* all generic */
  const float *blk = packed;
  size_t lane = 0, q = 0, ph = 0; /* oc % 4; oc / mult, oc % mult */
  for (size_t oc = 0; oc < p->out_c; oc++) {
    sk_ndwc_plane pl;
    pl.in = input + q * in_plane;
    pl.out = output + oc * out_plane;
    pl.bias = blk[lane];
    pl.w = blk + 4 + lane;
    if (oy_b > oy_a) {
      sk_ndwc_wcols wc;
      sk_ndwc_wcols_init(&wc, K, S, pl.w);
      for (size_t oy = oy_a;; oy += R) {
        if (oy + R > oy_b) oy = oy_b - R;
        sk_ndwc_band(K, S, R, p, &pl, &wc, oy, &pn);
        if (oy + R == oy_b) break;
      }
    }
    if (oy_a > 0) sk_ndwc_nchw_generic_rows(p, &pl, 0, oy_a, &gpn);
    if (oy_b < p->out_h) sk_ndwc_nchw_generic_rows(p, &pl, oy_b, p->out_h, &gpn);
    if (++lane == 4) {
      lane = 0;
      blk += bsize;
    }
    if (++ph == p->mult) {
      ph = 0;
      q++;
    }
  }
}

#endif /* SK_DEPTHWISE_NEON_H */
