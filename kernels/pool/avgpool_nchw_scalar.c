/* Average pooling, NCHW, scalar: per channel, per output row (row = 0, then running sums), then one
 * divide per output. Loops kx (valid ox range computed once), valid ky; innermost a run of the row.
 * Borders: divisor = padded-window area (count_include_pad) or real element count; empty -> 0. */
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

/* Extent of the window at padded coordinate start, clipped to the padded input [0, padded). */
static inline size_t padded_extent(size_t start, size_t kernel, size_t dil, size_t padded) {
  const size_t end = start + (kernel - 1) * dil + 1;
  const size_t clipped = end < padded ? end : padded;
  return clipped > start ? clipped - start : 0;
}

void sk_avgpool_nchw__scalar(const sk_pool_params *p, const float *input, float *output) {
  const size_t in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
  const size_t sw = p->stride_w, dil_h = p->dil_h, dil_w = p->dil_w;
  const size_t in_plane = p->in_h * in_w, out_plane = out_h * out_w;
  const size_t padded_h = p->pad_top + p->in_h + p->pad_bottom;
  const size_t padded_w = p->pad_left + in_w + p->pad_right;
  const float lo = p->out_min, hi = p->out_max;

  for (size_t c = 0; c < p->channels; c++) {
    const float *in_ch = input + c * in_plane;
    float *out_ch = output + c * out_plane;
    for (size_t oy = 0; oy < out_h; oy++) {
      size_t ky_lo, ky_hi, iy0;
      sk_tap_range(oy, p->stride_h, p->pad_top, dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy0);
      const size_t rows = p->count_include_pad
                              ? padded_extent(oy * p->stride_h, p->kernel_h, dil_h, padded_h)
                              : ky_hi - ky_lo;
      float *row = out_ch + oy * out_w;
      for (size_t ox = 0; ox < out_w; ox++) row[ox] = 0.0f;
      for (size_t kx = 0; kx < p->kernel_w && ky_lo < ky_hi; kx++) {
        size_t ox_lo, ox_hi, ix0;
        sk_out_range(kx * dil_w, sw, p->pad_left, in_w, out_w, &ox_lo, &ox_hi, &ix0);
        const size_t n = ox_hi - ox_lo;
        float *restrict dst = row + ox_lo;
        for (size_t ky = ky_lo; ky < ky_hi && n != 0; ky++) {
          const float *restrict src = in_ch + (iy0 + (ky - ky_lo) * dil_h) * in_w + ix0;
          if (sw == 1) {
            for (size_t i = 0; i < n; i++) dst[i] += src[i];
          } else {
            for (size_t i = 0; i < n; i++) dst[i] += src[i * sw];
          }
        }
      }
      for (size_t ox = 0; ox < out_w; ox++) {
        size_t cols;
        if (p->count_include_pad) {
          cols = padded_extent(ox * sw, p->kernel_w, dil_w, padded_w);
        } else {
          size_t kx_lo, kx_hi, ix;
          sk_tap_range(ox, sw, p->pad_left, dil_w, p->kernel_w, in_w, &kx_lo, &kx_hi, &ix);
          cols = kx_hi - kx_lo;
        }
        const size_t count = rows * cols;
        row[ox] = sk_clampf(count != 0 ? row[ox] / (float)count : 0.0f, lo, hi);
      }
    }
  }
}
