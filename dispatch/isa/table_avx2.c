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
  /* one kernel, named by the family it serves */
  t->small_k_direct[SK_LAYOUT_NHWC] = (sk_conv_kernel){"avx2/conv2d_nhwc_direct_smallk", 16,
                                                       sk_conv2d_nhwc_direct_smallk__avx2};
  t->small_k_pointwise[SK_LAYOUT_NHWC] = (sk_conv_kernel){"avx2/pointwise_nhwc_smallk", 16,
                                                          sk_conv2d_nhwc_direct_smallk__avx2};
  t->small_k_max_taps = SK_CONV_NHWC_SMALLK_MAX_TAPS;
  t->small_k_max_taps_pointwise = SK_CONV_NHWC_SMALLK_MAX_TAPS_1X1;
  t->conv_direct[SK_LAYOUT_NCHW] =
      (sk_conv_kernel){"avx2/conv2d_nchw_direct_4x24", 8, sk_conv2d_nchw_direct_4x24__avx2};
  t->pointwise[SK_LAYOUT_NCHW] =
      (sk_conv_kernel){"avx2/pointwise_nchw_4x24", 8, sk_pointwise_nchw_4x24__avx2};
#if !defined(SK_DISABLE_DEPTHWISE)
  t->depthwise[SK_LAYOUT_NHWC] =
      (sk_conv_kernel){"avx2/depthwise_nhwc", 8, sk_depthwise_nhwc__avx2};
  t->depthwise[SK_LAYOUT_NCHW] =
      (sk_conv_kernel){"avx2/depthwise_nchw", 8, sk_depthwise_nchw__avx2};
#endif
#if !defined(SK_DISABLE_POOLING)
  t->maxpool[SK_LAYOUT_NHWC] = (sk_pool_kernel){"avx2/maxpool_nhwc_c32", sk_maxpool_nhwc_c32__avx2};
  t->maxpool[SK_LAYOUT_NCHW] = (sk_pool_kernel){"avx2/maxpool_nchw_w8", sk_maxpool_nchw_w8__avx2};
  t->avgpool[SK_LAYOUT_NHWC] = (sk_pool_kernel){"avx2/avgpool_nhwc_c64", sk_avgpool_nhwc_c64__avx2};
  t->avgpool[SK_LAYOUT_NCHW] = (sk_pool_kernel){"avx2/avgpool_nchw_w8", sk_avgpool_nchw_w8__avx2};
  t->global_maxpool[SK_LAYOUT_NHWC] =
      (sk_pool_kernel){"avx2/global_maxpool_nhwc_c64", sk_global_maxpool_nhwc_c64__avx2};
  t->global_maxpool[SK_LAYOUT_NCHW] =
      (sk_pool_kernel){"avx2/global_maxpool_nchw_8x8", sk_global_maxpool_nchw_8x8__avx2};
  t->global_avgpool[SK_LAYOUT_NHWC] =
      (sk_pool_kernel){"avx2/global_avgpool_nhwc_c64", sk_global_avgpool_nhwc_c64__avx2};
  t->global_avgpool[SK_LAYOUT_NCHW] =
      (sk_pool_kernel){"avx2/global_avgpool_nchw_8x8", sk_global_avgpool_nchw_8x8__avx2};
#endif
}
