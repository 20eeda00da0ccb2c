/*
 * 1x1 conv, NCHW, NEON: 8 output channels (ARMv7: 4) x 12 pixels, nr = 8; stride 1 without pads
 * runs along the flat plane, else along rows; input packed per tile (zeros for padded pixels: bias
 * only). Remainders: 1..3 vectors, missing pixels not stored. See kernels/sk_nchw_conv_neon.h.
 */
#include "conv2d/sk_conv_neon.h"
#include "sk_kernels.h"
#include "sk_nchw_conv_neon.h"

void sk_pointwise_nchw__neon(const sk_conv_params *p, const float *packed, const float *input,
                             float *output) {
  skc_conv(p, packed, input, output);
}
