/*
 * NEON entries of the kernel table for max, average and global pooling.
 * Compiled like every *_neon.c file (see table_neon.c); each NEON kernel
 * overrides its scalar entry here.
 */
#include "pool/sk_pool_neon.h"
#include "sk_dispatch.h"

void sk_functable_neon_pool(sk_functable *t) {
  t->maxpool[SK_LAYOUT_NHWC] = (sk_pool_kernel){"neon/maxpool_nhwc_c16", sk_maxpool_nhwc_c16__neon};
  t->maxpool[SK_LAYOUT_NCHW] = (sk_pool_kernel){"neon/maxpool_nchw_w8", sk_maxpool_nchw_w8__neon};
  t->avgpool[SK_LAYOUT_NHWC] = (sk_pool_kernel){"neon/avgpool_nhwc_c16", sk_avgpool_nhwc_c16__neon};
  t->avgpool[SK_LAYOUT_NCHW] = (sk_pool_kernel){"neon/avgpool_nchw_w8", sk_avgpool_nchw_w8__neon};
  t->global_maxpool[SK_LAYOUT_NHWC] =
      (sk_pool_kernel){"neon/global_maxpool_nhwc_c16", sk_global_maxpool_nhwc_c16__neon};
  t->global_maxpool[SK_LAYOUT_NCHW] =
      (sk_pool_kernel){"neon/global_maxpool_nchw_4x8", sk_global_maxpool_nchw_4x8__neon};
  t->global_avgpool[SK_LAYOUT_NHWC] =
      (sk_pool_kernel){"neon/global_avgpool_nhwc_c16", sk_global_avgpool_nhwc_c16__neon};
  t->global_avgpool[SK_LAYOUT_NCHW] =
      (sk_pool_kernel){"neon/global_avgpool_nchw_4x8", sk_global_avgpool_nchw_4x8__neon};
}
