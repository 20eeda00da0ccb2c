/*
 * NEON entries of the kernel table for depthwise convolution.
 * Compiled like every *_neon.c file (see table_neon.c); each NEON kernel
 * overrides its scalar entry here. Both layouts pack weights with nr = 4
 * (kernels/depthwise/depthwise_neon.h).
 */
#include "depthwise/depthwise_neon.h"
#include "sk_dispatch.h"

void sk_functable_neon_depthwise(sk_functable *t) {
  t->depthwise[SK_LAYOUT_NHWC] =
      (sk_conv_kernel){"neon/depthwise_nhwc", SK_NDW_NR, sk_depthwise_nhwc__neon};
  t->depthwise[SK_LAYOUT_NCHW] =
      (sk_conv_kernel){"neon/depthwise_nchw", SK_NDW_NR, sk_depthwise_nchw__neon};
}
