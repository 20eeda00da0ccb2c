/*
 * The kernel tables, zlib-ng functable style: every ISA starts from the
 * scalar table and overrides the entries it has kernels for, so an ISA that
 * lacks one kernel keeps the scalar one. Tables are built on the caller's
 * stack at op creation (a few dozen pointers), so there is no global state.
 */
#include "sk_dispatch.h"

#define SK_SCALAR_NR 8

void sk_functable_init_scalar(sk_functable *t) {
  const sk_conv_kernel conv_direct[2] = {
      {"scalar/conv2d_nhwc_direct", SK_SCALAR_NR, sk_conv2d_nhwc_direct__scalar},
      {"scalar/conv2d_nchw_direct", SK_SCALAR_NR, sk_conv2d_nchw_direct__scalar}};
  const sk_conv_kernel pointwise[2] = {
      {"scalar/pointwise_nhwc", SK_SCALAR_NR, sk_pointwise_nhwc__scalar},
      {"scalar/pointwise_nchw", SK_SCALAR_NR, sk_pointwise_nchw__scalar}};
#if defined(SK_DISABLE_DEPTHWISE)
  /* Left out of this build: a NULL entry, create says SK_ERR_UNSUPPORTED. */
  const sk_conv_kernel depthwise[2] = {{NULL, 0, NULL}, {NULL, 0, NULL}};
#else
  const sk_conv_kernel depthwise[2] = {
      {"scalar/depthwise_nhwc", SK_SCALAR_NR, sk_depthwise_nhwc__scalar},
      {"scalar/depthwise_nchw", SK_SCALAR_NR, sk_depthwise_nchw__scalar}};
#endif
#if defined(SK_DISABLE_POOLING)
  /* Left out of this build: NULL entries, create says SK_ERR_UNSUPPORTED. */
  const sk_pool_kernel none[2] = {{NULL, NULL}, {NULL, NULL}};
  const sk_pool_kernel *maxpool = none, *avgpool = none, *global_maxpool = none,
                       *global_avgpool = none;
#else
  const sk_pool_kernel maxpool[2] = {{"scalar/maxpool_nhwc", sk_maxpool_nhwc__scalar},
                                     {"scalar/maxpool_nchw", sk_maxpool_nchw__scalar}};
  const sk_pool_kernel avgpool[2] = {{"scalar/avgpool_nhwc", sk_avgpool_nhwc__scalar},
                                     {"scalar/avgpool_nchw", sk_avgpool_nchw__scalar}};
  const sk_pool_kernel global_maxpool[2] = {
      {"scalar/global_maxpool_nhwc", sk_global_maxpool_nhwc__scalar},
      {"scalar/global_maxpool_nchw", sk_global_maxpool_nchw__scalar}};
  const sk_pool_kernel global_avgpool[2] = {
      {"scalar/global_avgpool_nhwc", sk_global_avgpool_nhwc__scalar},
      {"scalar/global_avgpool_nchw", sk_global_avgpool_nchw__scalar}};
#endif
  for (int l = 0; l < 2; l++) {
    t->conv_direct[l] = conv_direct[l];
    t->pointwise[l] = pointwise[l];
    t->depthwise[l] = depthwise[l];
    t->maxpool[l] = maxpool[l];
    t->avgpool[l] = avgpool[l];
    t->global_maxpool[l] = global_maxpool[l];
    t->global_avgpool[l] = global_avgpool[l];
    t->small_k_direct[l] = t->small_k_pointwise[l] = (sk_conv_kernel){NULL, 0, NULL};
  }
  t->small_k_max_taps = t->small_k_max_taps_pointwise = 0;
}

int sk_functable_build(sk_isa isa, sk_functable *t) {
  sk_functable_init_scalar(t);
  switch (isa) {
    case SK_ISA_SCALAR:
      return 1;
    case SK_ISA_AVX2:
#if defined(SK_HAVE_AVX2)
      sk_functable_override_avx2(t);
      return 1;
#else
      return 0;
#endif
    case SK_ISA_NEON:
#if defined(SK_HAVE_NEON)
      sk_functable_override_neon(t);
      return 1;
#else
      return 0;
#endif
    case SK_ISA_AUTO:
      break;
  }
  return 0;
}
