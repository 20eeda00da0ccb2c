/*
 * NEON direct KxK and pointwise convolution: prototypes, tile sizes and the
 * inline helpers the kernels share (include only from *_neon.c files).
 * Tiles differ per target: AArch64 (and the SIMDe build) has 32 q registers
 * and FMLA by element; ARMv7 has 16 and no by-element VFMA, so it uses VMLA
 * by scalar (vmlaq_lane_f32: multiply, then add; no fused form exists there).
 * Every kernel packs weights with nr = 8 on both targets.
 */
#ifndef SK_CONV_NEON_H
#define SK_CONV_NEON_H

#include <stddef.h>

#include "sk_kernels.h"
#include "sk_neon.h"
#include "sk_window.h"

#define SKV_NR 8 /* packed block of output channels, every entry's nr */

#if SK_NEON_A64
#define SKV_NHWC_MR 6 /* NHWC: output pixels per tile (x 8 channels) */
#define SKV_NCHW_MR 8 /* NCHW: output channels per tile (x 12 pixels) */
#else
#define SKV_NHWC_MR 5 /* packed tiles, see sk_nhwc_conv_neon.h */
#define SKV_NCHW_MR 4
#endif

/* Full unroll of loops over tile rows / vectors (constant after inlining),
 * so accumulator arrays stay in registers. */
#if defined(__clang__)
#define SKV_UNROLL _Pragma("clang loop unroll(full)")
#else
#define SKV_UNROLL _Pragma("GCC unroll 16")
#endif

/* Fused activation: FMAX/FMIN (and ARMv7 VMAX/VMIN, SIMDe's emulation) give
 * NaN when either operand is NaN, so NaN passes like sk_clampf. */
static inline float32x4_t skv_clamp(float32x4_t v, float32x4_t lo, float32x4_t hi) {
  return vminq_f32(vmaxq_f32(v, lo), hi);
}

/* Stores the first n (1..8) lanes of a:b, never touching dst[n..7]. */
static inline void skv_store8(float *dst, float32x4_t a, float32x4_t b, size_t n) {
  if (n >= 8) {
    vst1q_f32(dst, a);
    vst1q_f32(dst + 4, b);
    return;
  }
  if (n >= 4) {
    vst1q_f32(dst, a);
    dst += 4;
    n -= 4;
    a = b;
  }
  float32x2_t d = vget_low_f32(a);
  if (n >= 2) {
    vst1_f32(dst, d);
    dst += 2;
    n -= 2;
    d = vget_high_f32(a);
  }
  if (n) vst1_lane_f32(dst, d, 0);
}

/* acc += x * v[lane] (lane a constant): FMLA by element on AArch64, VMLA by
 * scalar on ARMv7 (where VFMA has no by-element form). */
#if SK_NEON_A64
#define SKV_MLA_LANEQ(acc, x, v, lane) vfmaq_laneq_f32((acc), (x), (v), (lane))
#else
#define SKV_MLA_LANEQ(acc, x, v, lane)                                \
  ((lane) < 2 ? vmlaq_lane_f32((acc), (x), vget_low_f32(v), (lane)&1) \
              : vmlaq_lane_f32((acc), (x), vget_high_f32(v), (lane)&1))
#endif

/* acc += x * s (s broadcast). */
#if SK_NEON_A64
#define SKV_MLA(acc, x, s) vfmaq_f32((acc), (x), (s))
#else
#define SKV_MLA(acc, x, s) vmlaq_f32((acc), (x), (s))
#endif

void sk_conv2d_nhwc_direct__neon(const sk_conv_params *p, const float *packed, const float *input,
                                 float *output);
void sk_pointwise_nhwc__neon(const sk_conv_params *p, const float *packed, const float *input,
                             float *output);
void sk_conv2d_nchw_direct__neon(const sk_conv_params *p, const float *packed, const float *input,
                                 float *output);
void sk_pointwise_nchw__neon(const sk_conv_params *p, const float *packed, const float *input,
                             float *output);

#endif /* SK_CONV_NEON_H */
