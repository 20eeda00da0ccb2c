/* 1x1 conv, NCHW, scalar: per output channel, per run: bias, then one axpy per input channel.
 * Run = a 1024-pixel chunk of the plane (stride 1, no pads) or a row's valid ox range.
 * Borders: outputs whose input pixel is padding keep bias only; then activation. */
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

#define SK_CHUNK 1024 /* output pixels per run in the contiguous case (4 KiB, stays in L1) */

void sk_pointwise_nchw__scalar(const sk_conv_params *p, const float *packed, const float *input,
                               float *output) {
  const size_t nr = p->nr, in_c_g = p->in_c_g, out_c_g = p->out_c_g;
  const size_t in_w = p->in_w, out_h = p->out_h, out_w = p->out_w, sw = p->stride_w;
  const size_t in_plane = p->in_h * in_w, out_plane = out_h * out_w;
  const size_t nblk = out_c_g / nr + (out_c_g % nr != 0);
  const size_t block = sk_packed_block_size(p);
  const float lo = p->out_min, hi = p->out_max;
  const int flat = p->stride_h == 1 && sw == 1 && p->pad_top == 0 && p->pad_left == 0 &&
                   out_h == p->in_h && out_w == in_w;
  size_t oy_lo, oy_hi, iy_lo, ox_lo, ox_hi, ix_lo;
  sk_out_range(0, p->stride_h, p->pad_top, p->in_h, out_h, &oy_lo, &oy_hi, &iy_lo);
  sk_out_range(0, sw, p->pad_left, in_w, out_w, &ox_lo, &ox_hi, &ix_lo);
  const size_t n = ox_hi - ox_lo;

  for (size_t g = 0; g < p->groups; g++) {
    const float *in_g = input + g * in_c_g * in_plane;
    for (size_t b = 0; b < nblk; b++) {
      const float *wb = packed + (g * nblk + b) * block;
      const size_t valid = out_c_g - b * nr < nr ? out_c_g - b * nr : nr;
      for (size_t j = 0; j < valid; j++) {
        const float bias = wb[j];
        const float *wj = wb + nr + j; /* input channel ic at wj[ic*nr] */
        float *out_ch = output + (g * out_c_g + b * nr + j) * out_plane;
        if (flat) {
          for (size_t c0 = 0; c0 < out_plane; c0 += SK_CHUNK) {
            const size_t len = out_plane - c0 < SK_CHUNK ? out_plane - c0 : SK_CHUNK;
            float *restrict dst = out_ch + c0;
            for (size_t i = 0; i < len; i++) dst[i] = bias;
            for (size_t ic = 0; ic < in_c_g; ic++) {
              const float w = wj[ic * nr];
              const float *restrict src = in_g + ic * in_plane + c0;
              for (size_t i = 0; i < len; i++) dst[i] += w * src[i];
            }
            for (size_t i = 0; i < len; i++) dst[i] = sk_clampf(dst[i], lo, hi);
          }
          continue;
        }
        for (size_t oy = 0; oy < out_h; oy++) {
          float *row = out_ch + oy * out_w;
          for (size_t ox = 0; ox < out_w; ox++) row[ox] = bias;
          if (oy >= oy_lo && oy < oy_hi && n != 0) {
            const size_t iy = iy_lo + (oy - oy_lo) * p->stride_h;
            float *restrict dst = row + ox_lo;
            for (size_t ic = 0; ic < in_c_g; ic++) {
              const float w = wj[ic * nr];
              const float *restrict src = in_g + ic * in_plane + iy * in_w + ix_lo;
              if (sw == 1) {
                for (size_t i = 0; i < n; i++) dst[i] += w * src[i];
              } else {
                for (size_t i = 0; i < n; i++) dst[i] += w * src[i * sw];
              }
            }
          }
          for (size_t ox = 0; ox < out_w; ox++) row[ox] = sk_clampf(row[ox], lo, hi);
        }
      }
    }
  }
}
