/*
 * Internal dispatch interface: CPU detection and the per-ISA kernel table.
 * Tests and benchmarks may include this to reach kernels directly.
 */
#ifndef SK_DISPATCH_H
#define SK_DISPATCH_H

#include "simdkern.h"
#include "sk_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One table per ISA, indexed by sk_layout (NHWC = 0, NCHW = 1). */
typedef struct sk_functable {
  sk_conv_kernel conv_direct[2];
  sk_conv_kernel pointwise[2];
  sk_conv_kernel depthwise[2];
  sk_pool_kernel maxpool[2];
  sk_pool_kernel avgpool[2];
  sk_pool_kernel global_maxpool[2];
  sk_pool_kernel global_avgpool[2];
  /* Optional (fn NULL if none): kernels for direct and pointwise ops with groups 1, dilation_w
   * 1 and kernel_h * kernel_w * in_channels <= small_k_max_taps (pointwise:
   * small_k_max_taps_pointwise; first layers), packed like conv_direct / pointwise (same nr);
   * create picks them for such ops. */
  sk_conv_kernel small_k_direct[2], small_k_pointwise[2];
  size_t small_k_max_taps;
  size_t small_k_max_taps_pointwise;
} sk_functable;

/* zlib-ng style: the scalar table, then each ISA overrides the entries it
 * has kernels for (dispatch/isa/table_<isa>.c, compiled with that ISA's
 * flags only when the build contains it). */
void sk_functable_init_scalar(sk_functable *t);
void sk_functable_override_avx2(sk_functable *t);
void sk_functable_override_neon(sk_functable *t);
/* Per-family NEON overrides, called by sk_functable_override_neon. */
void sk_functable_neon_conv(sk_functable *t);      /* direct + pointwise */
void sk_functable_neon_depthwise(sk_functable *t);
void sk_functable_neon_pool(sk_functable *t);      /* max/avg/global */

/* Fills *t for isa (not AUTO). Returns 0 if the build lacks that ISA. */
int sk_functable_build(sk_isa isa, sk_functable *t);

/* CPU features, detected once per process (thread-safe). */
int sk_cpu_has_avx2(void); /* AVX2 + FMA + OS-saved YMM state */
int sk_cpu_has_neon(void); /* AArch64 ASIMD, or ARMv7 NEON + VFPv4 */

#ifdef __cplusplus
}
#endif

#endif /* SK_DISPATCH_H */
