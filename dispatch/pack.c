/* Weight packing: OIHW or OHWI -> per group, per block of nr output
 * channels: bias[nr], w[kh][kw][in_c_g][nr] (kernels/sk_kernels.h). */
#include "sk_pack.h"

#include "sk_common.h"

size_t sk_packed_size(size_t groups, size_t out_c_g, size_t in_c_g, size_t kernel_h,
                      size_t kernel_w, size_t nr) {
  const size_t blocks = out_c_g / nr + (out_c_g % nr != 0);
  size_t taps, block, total;
  if (!sk_mul4_size(kernel_h, kernel_w, in_c_g, 1, &taps) || taps == SIZE_MAX) return 0;
  if (!sk_mul_size(taps + 1, nr, &block)) return 0;
  if (!sk_mul4_size(groups, blocks, block, 1, &total)) return 0;
  if (total > SIZE_MAX / sizeof(float)) return 0;
  return total;
}

void sk_pack_conv_weights(const float *weights, sk_weights_layout wl, const float *bias,
                          size_t groups, size_t out_c_g, size_t in_c_g, size_t kernel_h,
                          size_t kernel_w, size_t nr, float *packed) {
  const size_t blocks = out_c_g / nr + (out_c_g % nr != 0);
  float *dst = packed;
  for (size_t g = 0; g < groups; g++) {
    for (size_t b = 0; b < blocks; b++) {
      for (size_t j = 0; j < nr; j++) {
        const size_t o = b * nr + j;
        dst[j] = (o < out_c_g && bias != NULL) ? bias[g * out_c_g + o] : 0.0f;
      }
      dst += nr;
      for (size_t ky = 0; ky < kernel_h; ky++) {
        for (size_t kx = 0; kx < kernel_w; kx++) {
          for (size_t ci = 0; ci < in_c_g; ci++) {
            for (size_t j = 0; j < nr; j++) {
              const size_t o = b * nr + j;
              float v = 0.0f;
              if (o < out_c_g) {
                const size_t oc = g * out_c_g + o;
                const size_t idx = wl == SK_WEIGHTS_OIHW
                                       ? ((oc * in_c_g + ci) * kernel_h + ky) * kernel_w + kx
                                       : ((oc * kernel_h + ky) * kernel_w + kx) * in_c_g + ci;
                v = weights[idx];
              }
              dst[j] = v;
            }
            dst += nr;
          }
        }
      }
    }
  }
}
