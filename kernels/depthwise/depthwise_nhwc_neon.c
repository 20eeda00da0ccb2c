/*
 * Depthwise conv, NHWC, NEON: the table entry. Picks per call the specialised 3x3/5x5 stride 1/2
 * kernel (multiplier 1, dilation 1, square kernel and stride) or the generic 8x4 one; tiles and
 * remainders are documented in each kernel's file.
 */
#include "depthwise_neon.h"

void sk_depthwise_nhwc__neon(const sk_conv_params *p, const float *packed, const float *input,
                             float *output) {
  if (p->mult == 1 && p->dil_h == 1 && p->dil_w == 1 && p->kernel_h == p->kernel_w &&
      p->stride_h == p->stride_w) {
    const size_t k = p->kernel_h, s = p->stride_h;
    if (k == 3 && s == 1) {
      sk_depthwise_nhwc_3x3s1__neon(p, packed, input, output);
      return;
    }
    if (k == 3 && s == 2) {
      sk_depthwise_nhwc_3x3s2__neon(p, packed, input, output);
      return;
    }
    if (k == 5 && s == 1) {
      sk_depthwise_nhwc_5x5s1__neon(p, packed, input, output);
      return;
    }
    if (k == 5 && s == 2) {
      sk_depthwise_nhwc_5x5s2__neon(p, packed, input, output);
      return;
    }
  }
  sk_depthwise_nhwc_generic_8x4__neon(p, packed, input, output);
}
