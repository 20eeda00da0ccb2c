/* Direct conv, NHWC, scalar: per output pixel, per group, per nr-block of output channels.
 * Tile 1 pixel x <=64 acc lanes; loops valid ky, kx, in_c_g (2 at a time), innermost the nr lanes.
 * Borders: valid ky/kx ranges per row/pixel, no per-element checks; pad lanes not computed. */
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

#define SK_ACC_MAX 64 /* lanes of accumulators on the stack; wider blocks run in chunks */

/* acc[0..jn) += sum over taps (ky_n x kx_n) and in_c_g channels of x * w. in points at the input
 * pixel of the first valid tap (group's first channel), w at that tap's weights (chunk's lane 0).
 */
SK_ALWAYS_INLINE void accumulate(float *acc, size_t jn, size_t nr, const float *in, const float *w,
                                 size_t ky_n, size_t kx_n, size_t in_row_step, size_t in_col_step,
                                 size_t w_row_step, size_t in_c_g) {
  for (size_t ky = 0; ky < ky_n; ky++) {
    const float *in_row = in + ky * in_row_step;
    const float *w_row = w + ky * w_row_step;
    for (size_t kx = 0; kx < kx_n; kx++) {
      const float *ip = in_row + kx * in_col_step;
      const float *wp = w_row + kx * in_c_g * nr;
      size_t ic = 0;
      /* Two channels per step: half the acc traffic, and keeps GCC -O3 from vectorizing the ic
       * loop as strided reductions (slower than vectorizing the lanes). */
      for (; ic + 2 <= in_c_g; ic += 2) {
        const float x0 = ip[ic], x1 = ip[ic + 1];
        const float *w0 = wp + ic * nr, *w1 = w0 + nr;
        for (size_t j = 0; j < jn; j++) acc[j] += x0 * w0[j] + x1 * w1[j];
      }
      if (ic < in_c_g) {
        const float x = ip[ic];
        const float *wc = wp + ic * nr;
        for (size_t j = 0; j < jn; j++) acc[j] += x * wc[j];
      }
    }
  }
}

void sk_conv2d_nhwc_direct__scalar(const sk_conv_params *p, const float *packed, const float *input,
                                   float *output) {
  const size_t nr = p->nr, in_c = p->in_c, out_c = p->out_c;
  const size_t in_c_g = p->in_c_g, out_c_g = p->out_c_g;
  const size_t in_w = p->in_w, out_w = p->out_w;
  const size_t kernel_w = p->kernel_w;
  const size_t nblk = out_c_g / nr + (out_c_g % nr != 0);
  const size_t block = sk_packed_block_size(p);
  const size_t in_row_step = p->dil_h * in_w * in_c;
  const size_t in_col_step = p->dil_w * in_c;
  const size_t w_row_step = kernel_w * in_c_g * nr;
  const float lo = p->out_min, hi = p->out_max;
  float acc[SK_ACC_MAX];

  for (size_t oy = 0; oy < p->out_h; oy++) {
    size_t ky_lo, ky_hi, iy;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy);
    for (size_t ox = 0; ox < out_w; ox++) {
      size_t kx_lo, kx_hi, ix;
      sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, kernel_w, in_w, &kx_lo, &kx_hi, &ix);
      const size_t ky_n = ky_hi - ky_lo, kx_n = kx_hi - kx_lo;
      const size_t tap0 = (ky_lo * kernel_w + kx_lo) * in_c_g * nr;
      const float *in_px = input + (iy * in_w + ix) * in_c;
      float *out_px = output + (oy * out_w + ox) * out_c;
      for (size_t g = 0; g < p->groups; g++) {
        const float *in_g = in_px + g * in_c_g;
        float *out_g = out_px + g * out_c_g;
        for (size_t b = 0; b < nblk; b++) {
          const float *wb = packed + (g * nblk + b) * block;
          const size_t valid = out_c_g - b * nr < nr ? out_c_g - b * nr : nr;
          for (size_t j0 = 0; j0 < valid; j0 += SK_ACC_MAX) {
            const size_t jn = valid - j0 < SK_ACC_MAX ? valid - j0 : SK_ACC_MAX;
            const float *w = wb + nr + tap0 + j0;
            for (size_t j = 0; j < jn; j++) acc[j] = wb[j0 + j];
            if (jn == 8 && nr == 8) { /* the table's block: constant trip counts */
              accumulate(acc, 8, 8, in_g, w, ky_n, kx_n, in_row_step, in_col_step, w_row_step,
                         in_c_g);
            } else {
              accumulate(acc, jn, nr, in_g, w, ky_n, kx_n, in_row_step, in_col_step, w_row_step,
                         in_c_g);
            }
            float *o = out_g + b * nr + j0;
            for (size_t j = 0; j < jn; j++) o[j] = sk_clampf(acc[j], lo, hi);
          }
        }
      }
    }
  }
}
