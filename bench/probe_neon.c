/*
 * NEON probe (AArch64, or ARMv7 built with -mfpu=neon-vfpv4; call only when
 * the CPU has NEON and VFPv4): 12 independent vfmaq_f32 chains, 4 lanes.
 */
#include <arm_neon.h>

#include "probe.h"

static float chains_neon(long steps, float bv, float cv) {
  const float32x4_t b = vdupq_n_f32(bv), c = vdupq_n_f32(cv);
  float32x4_t a[12];
  for (int i = 0; i < 12; i++) a[i] = vdupq_n_f32(0.01f * (float)i);
  for (long s = 0; s < steps; s++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) a[i] = vfmaq_f32(c, a[i], b);
  }
  float32x4_t s = a[0];
  for (int i = 1; i < 12; i++) s = vaddq_f32(s, a[i]);
  return vgetq_lane_f32(s, 0) + vgetq_lane_f32(s, 1) + vgetq_lane_f32(s, 2) + vgetq_lane_f32(s, 3);
}

double sk_probe_fma_neon(double seconds) {
  return sk_probe_fma_best(chains_neon, 1L << 18, 2.0 * 4.0 * 12.0, seconds);
}
