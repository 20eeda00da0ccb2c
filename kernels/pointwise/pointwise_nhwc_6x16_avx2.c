/*
 * 1x1 convolution, NHWC, AVX2+FMA: the 1x1 case of the direct 6x16 engine
 * (kernels/conv2d/conv2d_nhwc_direct_6x16_avx2.c): K = in_c_g contiguous
 * floats per pixel, any stride, padding through the zero row, nr = 16.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "sk_kernels.h"

void sk_pointwise_nhwc_6x16__avx2(const sk_conv_params *p, const float *packed,
                                  const float *input, float *output) {
  sk_conv2d_nhwc_direct_6x16__avx2(p, packed, input, output);
}
