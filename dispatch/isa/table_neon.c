/*
 * NEON entries of the kernel table. Compiled for AArch64, or for ARMv7 with
 * -mfpu=neon-vfpv4; reached only after detection said NEON (+VFPv4 on ARMv7).
 * Each NEON kernel, when it lands, overrides its scalar entry here.
 */
#if !defined(__ARM_NEON) && !defined(__ARM_NEON__) && !defined(SK_NEON_VIA_SIMDE)
#error "table_neon.c must be compiled with NEON enabled"
#endif

#include "sk_dispatch.h"

void sk_functable_override_neon(sk_functable *t) {
  /* One hook per kernel family, each in its own file (table_<family>_neon.c),
   * so the families land independently. */
  sk_functable_neon_conv(t);
#if !defined(SK_DISABLE_DEPTHWISE) /* SIMDKERN_ENABLE_DEPTHWISE=OFF: not built */
  sk_functable_neon_depthwise(t);
#endif
#if !defined(SK_DISABLE_POOLING) /* SIMDKERN_ENABLE_POOLING=OFF: not built */
  sk_functable_neon_pool(t);
#endif
}
