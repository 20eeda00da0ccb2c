/* Max pooling, NHWC, scalar: per output pixel, the output's channels are the running maxima.
 * Loops valid ky, kx; innermost all channels of the input pixel (contiguous). NaN propagates.
 * Borders: valid tap ranges per row/pixel (padding ignored); an empty window gives -inf. */
#include <math.h>
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

void sk_maxpool_nhwc__scalar(const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, in_w = p->in_w, out_w = p->out_w;
  const float lo = p->out_min, hi = p->out_max;

  for (size_t oy = 0; oy < p->out_h; oy++) {
    size_t ky_lo, ky_hi, iy;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy);
    for (size_t ox = 0; ox < out_w; ox++) {
      size_t kx_lo, kx_hi, ix;
      sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, in_w, &kx_lo, &kx_hi, &ix);
      float *out = output + (oy * out_w + ox) * c_n;
      for (size_t c = 0; c < c_n; c++) out[c] = -INFINITY;
      for (size_t ky = ky_lo; ky < ky_hi; ky++) {
        const float *in_row = input + ((iy + (ky - ky_lo) * p->dil_h) * in_w + ix) * c_n;
        for (size_t kx = kx_lo; kx < kx_hi; kx++) {
          const float *in = in_row + (kx - kx_lo) * p->dil_w * c_n;
          for (size_t c = 0; c < c_n; c++) {
            const float x = in[c], v = out[c];
            out[c] = (x > v || x != x) ? x : v;
          }
        }
      }
      for (size_t c = 0; c < c_n; c++) out[c] = sk_clampf(out[c], lo, hi);
    }
  }
}
