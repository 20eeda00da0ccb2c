/* Direct 2D convolution, NCHW, scalar: per output channel, per output row (row = bias, then axpy).
 * Loops kx (valid ox range computed once), in_c_g, valid ky; innermost a run of the output row.
 * Borders: ky range per row, ox range per kx computed up front, so inner loops have no checks. */
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

void sk_conv2d_nchw_direct__scalar(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  const size_t nr = p->nr, in_c_g = p->in_c_g, out_c_g = p->out_c_g;
  const size_t in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
  const size_t kernel_w = p->kernel_w;
  const size_t sw = p->stride_w, dil_h = p->dil_h, dil_w = p->dil_w;
  const size_t in_plane = p->in_h * in_w, out_plane = out_h * out_w;
  const size_t nblk = out_c_g / nr + (out_c_g % nr != 0);
  const size_t block = sk_packed_block_size(p);
  const float lo = p->out_min, hi = p->out_max;

  for (size_t g = 0; g < p->groups; g++) {
    const float *in_g = input + g * in_c_g * in_plane;
    for (size_t b = 0; b < nblk; b++) {
      const float *wb = packed + (g * nblk + b) * block;
      const size_t valid = out_c_g - b * nr < nr ? out_c_g - b * nr : nr;
      for (size_t j = 0; j < valid; j++) {
        const float bias = wb[j];
        const float *wj = wb + nr + j; /* tap (ky, kx, ic) at wj[((ky*kw + kx)*in_c_g + ic)*nr] */
        float *out_ch = output + (g * out_c_g + b * nr + j) * out_plane;
        for (size_t oy = 0; oy < out_h; oy++) {
          size_t ky_lo, ky_hi, iy0;
          sk_tap_range(oy, p->stride_h, p->pad_top, dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi,
                       &iy0);
          float *row = out_ch + oy * out_w;
          for (size_t ox = 0; ox < out_w; ox++) row[ox] = bias;
          for (size_t kx = 0; kx < kernel_w && ky_lo < ky_hi; kx++) {
            size_t ox_lo, ox_hi, ix0;
            sk_out_range(kx * dil_w, sw, p->pad_left, in_w, out_w, &ox_lo, &ox_hi, &ix0);
            const size_t n = ox_hi - ox_lo;
            if (n == 0) continue;
            float *restrict dst = row + ox_lo;
            for (size_t ic = 0; ic < in_c_g; ic++) {
              const float *src_c = in_g + ic * in_plane + iy0 * in_w + ix0;
              for (size_t ky = ky_lo; ky < ky_hi; ky++) {
                const float w = wj[((ky * kernel_w + kx) * in_c_g + ic) * nr];
                const float *restrict src = src_c + (ky - ky_lo) * dil_h * in_w;
                if (sw == 1) {
                  for (size_t i = 0; i < n; i++) dst[i] += w * src[i];
                } else {
                  for (size_t i = 0; i < n; i++) dst[i] += w * src[i * sw];
                }
              }
            }
          }
          for (size_t ox = 0; ox < out_w; ox++) row[ox] = sk_clampf(row[ox], lo, hi);
        }
      }
    }
  }
}
