/*
 * AVX2+FMA entries of the kernel table. Compiled with -mavx2 -mfma only in
 * builds for x86-64; reached only after CPU detection said AVX2+FMA+YMM.
 * Each AVX2 kernel, when it lands, overrides its scalar entry here.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "table_avx2.c must be compiled with -mavx2 -mfma"
#endif

#include "sk_dispatch.h"

void sk_functable_override_avx2(sk_functable *t) {
  (void)t; /* No AVX2 kernels yet: every entry stays scalar. */
}
