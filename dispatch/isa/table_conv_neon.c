/*
 * NEON entries of the kernel table for direct KxK and pointwise convolution.
 * Compiled like every *_neon.c file (see table_neon.c); each NEON kernel
 * overrides its scalar entry here. Tiles (in the names) differ per target:
 * AArch64 has 32 q registers, ARMv7 16 (kernels/conv2d/sk_conv_neon.h).
 */
#include "conv2d/sk_conv_neon.h"
#include "sk_dispatch.h"

#if SK_NEON_A64
#define SKV_NAME(a64, v7) "neon/" a64
#else
#define SKV_NAME(a64, v7) "neon/" v7
#endif

void sk_functable_neon_conv(sk_functable *t) {
  t->conv_direct[SK_LAYOUT_NHWC] =
      (sk_conv_kernel){SKV_NAME("conv2d_nhwc_direct_6x8", "conv2d_nhwc_direct_5x8"), SKV_NR,
                       sk_conv2d_nhwc_direct__neon};
  t->conv_direct[SK_LAYOUT_NCHW] =
      (sk_conv_kernel){SKV_NAME("conv2d_nchw_direct_8x12", "conv2d_nchw_direct_4x12"), SKV_NR,
                       sk_conv2d_nchw_direct__neon};
  t->pointwise[SK_LAYOUT_NHWC] = (sk_conv_kernel){
      SKV_NAME("pointwise_nhwc_6x8", "pointwise_nhwc_5x8"), SKV_NR, sk_pointwise_nhwc__neon};
  t->pointwise[SK_LAYOUT_NCHW] = (sk_conv_kernel){
      SKV_NAME("pointwise_nchw_8x12", "pointwise_nchw_4x12"), SKV_NR, sk_pointwise_nchw__neon};
}
