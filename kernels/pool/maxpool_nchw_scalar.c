/* Max pooling, NCHW, scalar: per channel, per output row (row = -inf, then running maxima, NaN
 * propagates); loops kx, valid ky; innermost a run of the output row.
 * Borders: ky range per row, valid ox range per kx (padding ignored); empty window gives -inf. */
#include <math.h>
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

void sk_maxpool_nchw__scalar(const sk_pool_params *p, const float *input, float *output) {
  const size_t in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
  const size_t sw = p->stride_w, dil_h = p->dil_h, dil_w = p->dil_w;
  const size_t in_plane = p->in_h * in_w, out_plane = out_h * out_w;
  const float lo = p->out_min, hi = p->out_max;

  for (size_t c = 0; c < p->channels; c++) {
    const float *in_ch = input + c * in_plane;
    float *out_ch = output + c * out_plane;
    for (size_t oy = 0; oy < out_h; oy++) {
      size_t ky_lo, ky_hi, iy0;
      sk_tap_range(oy, p->stride_h, p->pad_top, dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy0);
      float *row = out_ch + oy * out_w;
      for (size_t ox = 0; ox < out_w; ox++) row[ox] = -INFINITY;
      for (size_t kx = 0; kx < p->kernel_w && ky_lo < ky_hi; kx++) {
        size_t ox_lo, ox_hi, ix0;
        sk_out_range(kx * dil_w, sw, p->pad_left, in_w, out_w, &ox_lo, &ox_hi, &ix0);
        const size_t n = ox_hi - ox_lo;
        float *restrict dst = row + ox_lo;
        for (size_t ky = ky_lo; ky < ky_hi && n != 0; ky++) {
          const float *restrict src = in_ch + (iy0 + (ky - ky_lo) * dil_h) * in_w + ix0;
          for (size_t i = 0; i < n; i++) {
            const float x = src[i * sw], v = dst[i];
            dst[i] = (x > v || x != x) ? x : v;
          }
        }
      }
      for (size_t ox = 0; ox < out_w; ox++) row[ox] = sk_clampf(row[ox], lo, hi);
    }
  }
}
