/*
 * AVX2+FMA entries of the kernel table. Compiled with -mavx2 -mfma only in
 * builds for x86-64; reached only after CPU detection said AVX2+FMA+YMM.
 * Each AVX2 kernel overrides its scalar entry here; the rest stay scalar.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "table_avx2.c must be compiled with -mavx2 -mfma"
#endif

#include "sk_dispatch.h"

void sk_functable_override_avx2(sk_functable *t) {
  t->conv_direct[SK_LAYOUT_NHWC] =
      (sk_conv_kernel){"avx2/conv2d_nhwc_direct_6x16", 16, sk_conv2d_nhwc_direct_6x16__avx2};
  t->pointwise[SK_LAYOUT_NHWC] =
      (sk_conv_kernel){"avx2/pointwise_nhwc_6x16", 16, sk_pointwise_nhwc_6x16__avx2};
}
