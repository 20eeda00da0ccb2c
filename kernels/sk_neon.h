/*
 * The one include for NEON kernel sources: <arm_neon.h> on ARM, or SIMDe's
 * NEON emulation on x86-64 in the test-only SIMDKERN_NEON_VIA_SIMDE build
 * (compiled with -mavx2 -mfma and SIMDE_ENABLE_NATIVE_ALIASES, so the same
 * vfmaq_f32 source runs natively, fused, under the x86 sanitizers).
 *
 * SK_NEON_A64 is 1 where AArch64-only intrinsics exist (vfmaq_laneq_f32,
 * vmaxvq_f32, vaddvq_f32, vuzp1q_f32, 32 q registers): AArch64, and the SIMDe
 * build (which emulates AArch64). ARMv7 code paths use SK_NEON_A64 == 0.
 */
#ifndef SK_NEON_H
#define SK_NEON_H

#if defined(SK_NEON_VIA_SIMDE)
#include <simde/arm/neon.h>
#define SK_NEON_A64 1
#elif defined(__ARM_NEON) || defined(__ARM_NEON__)
#include <arm_neon.h>
#if defined(__aarch64__) || defined(_M_ARM64)
#define SK_NEON_A64 1
#else
#define SK_NEON_A64 0
#endif
#else
#error "sk_neon.h: NEON kernel source compiled without NEON (or SIMDe)"
#endif

#endif /* SK_NEON_H */
