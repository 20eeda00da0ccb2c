/* Average pooling, NHWC, scalar: per output pixel, output channels hold running sums, then one
 * divide per channel by the pixel's divisor. Loops valid ky, kx; innermost all channels.
 * Borders: valid tap ranges per row/pixel; divisor = padded area or real count (empty -> 0). */
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

/* Extent of the window at padded coordinate start, clipped to the padded input [0, padded). */
static inline size_t padded_extent(size_t start, size_t kernel, size_t dil, size_t padded) {
  const size_t end = start + (kernel - 1) * dil + 1;
  const size_t clipped = end < padded ? end : padded;
  return clipped > start ? clipped - start : 0;
}

void sk_avgpool_nhwc__scalar(const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, in_w = p->in_w, out_w = p->out_w;
  const size_t padded_h = p->pad_top + p->in_h + p->pad_bottom;
  const size_t padded_w = p->pad_left + in_w + p->pad_right;
  const float lo = p->out_min, hi = p->out_max;

  for (size_t oy = 0; oy < p->out_h; oy++) {
    size_t ky_lo, ky_hi, iy;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy);
    const size_t rows = p->count_include_pad
                            ? padded_extent(oy * p->stride_h, p->kernel_h, p->dil_h, padded_h)
                            : ky_hi - ky_lo;
    for (size_t ox = 0; ox < out_w; ox++) {
      size_t kx_lo, kx_hi, ix;
      sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, in_w, &kx_lo, &kx_hi, &ix);
      const size_t cols = p->count_include_pad
                              ? padded_extent(ox * p->stride_w, p->kernel_w, p->dil_w, padded_w)
                              : kx_hi - kx_lo;
      float *out = output + (oy * out_w + ox) * c_n;
      for (size_t c = 0; c < c_n; c++) out[c] = 0.0f;
      for (size_t ky = ky_lo; ky < ky_hi; ky++) {
        const float *in_row = input + ((iy + (ky - ky_lo) * p->dil_h) * in_w + ix) * c_n;
        for (size_t kx = kx_lo; kx < kx_hi; kx++) {
          const float *in = in_row + (kx - kx_lo) * p->dil_w * c_n;
          for (size_t c = 0; c < c_n; c++) out[c] += in[c];
        }
      }
      const size_t count = rows * cols;
      if (count != 0) {
        const float div = (float)count;
        for (size_t c = 0; c < c_n; c++) out[c] = sk_clampf(out[c] / div, lo, hi);
      } else {
        for (size_t c = 0; c < c_n; c++) out[c] = sk_clampf(0.0f, lo, hi);
      }
    }
  }
}
