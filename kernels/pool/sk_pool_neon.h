/*
 * Inline helpers shared by the NEON pooling kernels (include only from kernels/pool/ *_neon.c):
 * one accumulator type for max and sum, the exact-max bookkeeping, clamp, partial loads/stores,
 * the scalar rerun of a max-pooling row. Declares the NEON pooling kernels.
 */
#ifndef SK_POOL_NEON_H
#define SK_POOL_NEON_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "sk_kernels.h"
#include "sk_neon.h"
#include "sk_window.h"

void sk_maxpool_nhwc_c16__neon(const sk_pool_params *p, const float *input, float *output);
void sk_avgpool_nhwc_c16__neon(const sk_pool_params *p, const float *input, float *output);
void sk_maxpool_nchw_w8__neon(const sk_pool_params *p, const float *input, float *output);
void sk_avgpool_nchw_w8__neon(const sk_pool_params *p, const float *input, float *output);
void sk_global_maxpool_nhwc_c16__neon(const sk_pool_params *p, const float *input, float *output);
void sk_global_avgpool_nhwc_c16__neon(const sk_pool_params *p, const float *input, float *output);
void sk_global_maxpool_nchw_4x8__neon(const sk_pool_params *p, const float *input, float *output);
void sk_global_avgpool_nchw_4x8__neon(const sk_pool_params *p, const float *input, float *output);

enum { SKP_MAX = 0, SKP_AVG = 1 }; /* op: a compile-time constant after inlining */

/*
 * Max: acc = vmaxq_f32(acc, x). ARM FMAX, and SIMDe's vmaxq_f32 too, give NaN when either input
 * is NaN, so a window that read a NaN ends NaN: skp_get flags that lane in *bad and the caller
 * reruns the row with the scalar kernel (bitwise its result, NaN payload included). Otherwise
 * the result is the exact max, up to the sign of a zero.
 * ARMv7 NEON always flushes denormals (FZ): there FMAX turns a window whose max is a zero or a
 * denormal into +-0. A second accumulator s, the signed-integer max of the raw bits, then holds
 * the exact max when it is >= +0 (sign-clear floats order as their bits); a window with only
 * negative inputs and max -0 or a negative denormal is flagged for the scalar rerun.
 * Sums use f only (the compiler drops s).
 */
#if SK_NEON_A64
typedef float32x4_t skp_acc;
#else
typedef struct {
  float32x4_t f;
  int32x4_t s;
} skp_acc;
#endif

SK_ALWAYS_INLINE skp_acc skp_init(int op) {
  const float32x4_t f = vdupq_n_f32(op == SKP_MAX ? -INFINITY : 0.0f);
#if SK_NEON_A64
  return f;
#else
  const skp_acc a = {f, vdupq_n_s32(INT32_MIN)};
  return a;
#endif
}

SK_ALWAYS_INLINE skp_acc skp_put(int op, skp_acc a, float32x4_t x) {
#if SK_NEON_A64
  return op == SKP_MAX ? vmaxq_f32(a, x) : vaddq_f32(a, x);
#else
  if (op == SKP_MAX) {
    a.f = vmaxq_f32(a.f, x);
    a.s = vmaxq_s32(a.s, vreinterpretq_s32_f32(x));
  } else {
    a.f = vaddq_f32(a.f, x);
  }
  return a;
#endif
}

SK_ALWAYS_INLINE skp_acc skp_join(int op, skp_acc a, skp_acc b) {
#if SK_NEON_A64
  return op == SKP_MAX ? vmaxq_f32(a, b) : vaddq_f32(a, b);
#else
  if (op == SKP_MAX) {
    a.f = vmaxq_f32(a.f, b.f);
    a.s = vmaxq_s32(a.s, b.s);
  } else {
    a.f = vaddq_f32(a.f, b.f);
  }
  return a;
#endif
}

/* Lanes (a0 a1, a2 a3, b0 b1, b2 b3) reduced pairwise. */
SK_ALWAYS_INLINE skp_acc skp_pair(int op, skp_acc a, skp_acc b) {
#if SK_NEON_A64
  return op == SKP_MAX ? vpmaxq_f32(a, b) : vpaddq_f32(a, b);
#else
  if (op == SKP_MAX) {
    a.f = vcombine_f32(vpmax_f32(vget_low_f32(a.f), vget_high_f32(a.f)),
                       vpmax_f32(vget_low_f32(b.f), vget_high_f32(b.f)));
    a.s = vcombine_s32(vpmax_s32(vget_low_s32(a.s), vget_high_s32(a.s)),
                       vpmax_s32(vget_low_s32(b.s), vget_high_s32(b.s)));
  } else {
    a.f = vcombine_f32(vpadd_f32(vget_low_f32(a.f), vget_high_f32(a.f)),
                       vpadd_f32(vget_low_f32(b.f), vget_high_f32(b.f)));
  }
  return a;
#endif
}

/* The max (lanes needing the scalar rerun ORed into *bad) or the sum. */
SK_ALWAYS_INLINE float32x4_t skp_get(int op, skp_acc a, uint32x4_t *bad) {
#if SK_NEON_A64
  if (op == SKP_MAX) *bad = vornq_u32(*bad, vceqq_f32(a, a));
  return a;
#else
  if (op != SKP_MAX) return a.f;
  const uint32x4_t z = vceqq_f32(a.f, vdupq_n_f32(0.0f));
  const uint32x4_t neg = vcltq_s32(a.s, vdupq_n_s32(0));
  *bad = vorrq_u32(vornq_u32(*bad, vceqq_f32(a.f, a.f)), vandq_u32(z, neg));
  return vbslq_f32(z, vreinterpretq_f32_s32(a.s), a.f);
#endif
}

SK_ALWAYS_INLINE int skp_any(uint32x4_t v) {
#if SK_NEON_A64
  return vmaxvq_u32(v) != 0;
#else
  const uint32x2_t t = vorr_u32(vget_low_u32(v), vget_high_u32(v));
  return (vget_lane_u32(t, 0) | vget_lane_u32(t, 1)) != 0;
#endif
}

/* The activation: the scalar sk_clampf's compares and selects, so NaN and every bit pass as
 * there (vmaxq_f32 would flush denormals on ARMv7). Skipped when the op has none. */
typedef struct {
  int on;
  float32x4_t lo, hi;
} skp_act;

static inline skp_act skp_act_of(const sk_pool_params *p) {
  const skp_act a = {!(p->out_min == -INFINITY && p->out_max == INFINITY), vdupq_n_f32(p->out_min),
                     vdupq_n_f32(p->out_max)};
  return a;
}

SK_ALWAYS_INLINE float32x4_t skp_clamp(const skp_act *a, float32x4_t v) {
  if (!a->on) return v;
  v = vbslq_f32(vcltq_f32(v, a->lo), a->lo, v);
  return vbslq_f32(vcgtq_f32(v, a->hi), a->hi, v);
}

/* ARMv7 only: a nonzero denormal clamp bound, which flushed NEON compares would see as 0; the
 * max pooling entries then run the scalar kernel (never on AArch64). */
static inline int skp_odd_bounds(const sk_pool_params *p) {
#if SK_NEON_A64
  (void)p;
  return 0;
#else
  const float lo = fabsf(p->out_min), hi = fabsf(p->out_max);
  return (lo != 0.0f && lo < FLT_MIN) || (hi != 0.0f && hi < FLT_MIN);
#endif
}

/* Lanes [0, m) from src (m in 1..3), the others fill. */
SK_ALWAYS_INLINE float32x4_t skp_ld_part(const float *src, size_t m, float fill) {
  float32x4_t v = vld1q_lane_f32(src, vdupq_n_f32(fill), 0);
  if (m > 1) v = vld1q_lane_f32(src + 1, v, 1);
  if (m > 2) v = vld1q_lane_f32(src + 2, v, 2);
  return v;
}

/* Lanes [0, m) to dst (m in 1..4). */
SK_ALWAYS_INLINE void skp_st_part(float *dst, float32x4_t v, size_t m) {
  if (m == 4) {
    vst1q_f32(dst, v);
  } else if (m >= 2) {
    vst1_f32(dst, vget_low_f32(v));
    if (m == 3) vst1q_lane_f32(dst + 2, v, 2);
  } else {
    vst1q_lane_f32(dst, v, 0);
  }
}

/* 1 / count, or 0 for an empty window (scalar kernels: sum 0, output 0). */
static inline float skp_inv(size_t count) { return count != 0 ? 1.0f / (float)count : 0.0f; }

/* Extent of the window at padded coordinate start, clipped to the padded input [0, padded)
 * (the count_include_pad divisor, as in the scalar kernels). */
static inline size_t skp_padded_extent(size_t start, size_t kernel, size_t dil, size_t padded) {
  const size_t end = start + (kernel - 1) * dil + 1;
  const size_t clipped = end < padded ? end : padded;
  return clipped > start ? clipped - start : 0;
}

/* Divisor columns of output column ox whose valid taps are [kx_lo, kx_hi) (scalar rule). */
static inline size_t skp_cols(const sk_pool_params *p, size_t ox, size_t kx_lo, size_t kx_hi) {
  if (!p->count_include_pad) return kx_hi - kx_lo;
  return skp_padded_extent(ox * p->stride_w, p->kernel_w, p->dil_w,
                           p->pad_left + p->in_w + p->pad_right);
}

/* Divisor rows of output row oy whose valid taps are [ky_lo, ky_hi) (scalar rule). */
static inline size_t skp_rows(const sk_pool_params *p, size_t oy, size_t ky_lo, size_t ky_hi) {
  if (!p->count_include_pad) return ky_hi - ky_lo;
  return skp_padded_extent(oy * p->stride_h, p->kernel_h, p->dil_h,
                           p->pad_top + p->in_h + p->pad_bottom);
}

/* Outputs [*o_lo, *o_hi) whose windows lie entirely inside the input (no clipped tap). */
static inline void skp_interior(size_t out_n, size_t stride, size_t pad, size_t dil, size_t k,
                                size_t in, size_t *o_lo, size_t *o_hi) {
  const size_t ext = (k - 1) * dil + 1;
  size_t lo = (pad + stride - 1) / stride;
  size_t hi = in + pad >= ext ? (in + pad - ext) / stride + 1 : 0;
  if (lo > out_n) lo = out_n;
  if (hi > out_n) hi = out_n;
  if (hi < lo) hi = lo;
  *o_lo = lo;
  *o_hi = hi;
}

/* One output row of max pooling through the scalar kernel fn (bitwise its result): the valid
 * window rows, nrows >= 1 of them dil_h rows apart from in, as an unpadded 1-row problem. */
static inline void skp_scalar_row(sk_pool_fn fn, const sk_pool_params *p, size_t channels,
                                  size_t nrows, const float *in, float *out) {
  sk_pool_params q = *p;
  q.channels = channels;
  q.out_h = 1;
  q.in_h = (nrows - 1) * p->dil_h + 1;
  q.kernel_h = nrows;
  q.stride_h = 1;
  q.pad_top = q.pad_bottom = 0;
  fn(&q, in, out);
}

#endif /* SK_POOL_NEON_H */
