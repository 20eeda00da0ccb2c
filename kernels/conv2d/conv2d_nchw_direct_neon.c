/*
 * Direct KxK conv, NCHW, NEON: 8 output channels (ARMv7: 4) x 12 pixels of a row, nr = 8; each
 * tile's taps packed once (zeros for padding, any stride; first layers too) for all blocks. Row
 * ends: 1..3 vectors, missing pixels not stored. See kernels/sk_nchw_conv_neon.h.
 */
#include "conv2d/sk_conv_neon.h"
#include "sk_kernels.h"
#include "sk_nchw_conv_neon.h"

void sk_conv2d_nchw_direct__neon(const sk_conv_params *p, const float *packed, const float *input,
                                 float *output) {
  skc_conv(p, packed, input, output);
}
