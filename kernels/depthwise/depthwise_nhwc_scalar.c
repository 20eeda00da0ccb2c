/* Depthwise 2D convolution, NHWC, scalar: per output pixel, per nr-block of output channels.
 * Tile: 1 pixel x up to 64 lanes of acc; loops valid ky, kx, innermost the lanes (multiplier 1: a
 * contiguous run of input channels; else input channel oc/mult gathered via a per-block index). */
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

#define SK_ACC_MAX 64 /* lanes of accumulators on the stack; wider blocks run in chunks */

/* Multiplier 1: acc[j] += in[j] * w[j] over the valid taps. */
SK_ALWAYS_INLINE void accumulate_m1(float *acc, size_t jn, size_t nr, const float *in,
                                    const float *w, size_t ky_n, size_t kx_n, size_t in_row_step,
                                    size_t in_col_step, size_t w_row_step) {
  for (size_t ky = 0; ky < ky_n; ky++) {
    for (size_t kx = 0; kx < kx_n; kx++) {
      const float *ip = in + ky * in_row_step + kx * in_col_step;
      const float *wp = w + ky * w_row_step + kx * nr;
      for (size_t j = 0; j < jn; j++) acc[j] += ip[j] * wp[j];
    }
  }
}

/* Any multiplier: acc[j] += in[idx[j]] * w[j] over the valid taps. */
static inline void accumulate_gather(float *acc, size_t jn, size_t nr, const float *in,
                                     const size_t *idx, const float *w, size_t ky_n, size_t kx_n,
                                     size_t in_row_step, size_t in_col_step, size_t w_row_step) {
  for (size_t ky = 0; ky < ky_n; ky++) {
    for (size_t kx = 0; kx < kx_n; kx++) {
      const float *ip = in + ky * in_row_step + kx * in_col_step;
      const float *wp = w + ky * w_row_step + kx * nr;
      for (size_t j = 0; j < jn; j++) acc[j] += ip[idx[j]] * wp[j];
    }
  }
}

void sk_depthwise_nhwc__scalar(const sk_conv_params *p, const float *packed, const float *input,
                               float *output) {
  const size_t nr = p->nr, in_c = p->in_c, out_c = p->out_c, mult = p->mult;
  const size_t in_w = p->in_w, out_w = p->out_w, kernel_w = p->kernel_w;
  const size_t nblk = out_c / nr + (out_c % nr != 0);
  const size_t block = sk_packed_block_size(p);
  const size_t in_row_step = p->dil_h * in_w * in_c;
  const size_t in_col_step = p->dil_w * in_c;
  const size_t w_row_step = kernel_w * nr;
  const float lo = p->out_min, hi = p->out_max;
  float acc[SK_ACC_MAX];
  size_t idx[SK_ACC_MAX];

  for (size_t oy = 0; oy < p->out_h; oy++) {
    size_t ky_lo, ky_hi, iy;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy);
    for (size_t ox = 0; ox < out_w; ox++) {
      size_t kx_lo, kx_hi, ix;
      sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, kernel_w, in_w, &kx_lo, &kx_hi, &ix);
      const size_t ky_n = ky_hi - ky_lo, kx_n = kx_hi - kx_lo;
      const size_t tap0 = (ky_lo * kernel_w + kx_lo) * nr;
      const float *in_px = input + (iy * in_w + ix) * in_c;
      float *out_px = output + (oy * out_w + ox) * out_c;
      for (size_t b = 0; b < nblk; b++) {
        const float *wb = packed + b * block;
        const size_t valid = out_c - b * nr < nr ? out_c - b * nr : nr;
        for (size_t j0 = 0; j0 < valid; j0 += SK_ACC_MAX) {
          const size_t jn = valid - j0 < SK_ACC_MAX ? valid - j0 : SK_ACC_MAX;
          const size_t oc0 = b * nr + j0;
          const float *w = wb + nr + tap0 + j0;
          for (size_t j = 0; j < jn; j++) acc[j] = wb[j0 + j];
          if (mult == 1) {
            if (jn == 8 && nr == 8) { /* the table's block: constant trip counts */
              accumulate_m1(acc, 8, 8, in_px + oc0, w, ky_n, kx_n, in_row_step, in_col_step,
                            w_row_step);
            } else {
              accumulate_m1(acc, jn, nr, in_px + oc0, w, ky_n, kx_n, in_row_step, in_col_step,
                            w_row_step);
            }
          } else {
            size_t q = oc0 / mult, r = oc0 - q * mult; /* input channel of lane 0, its phase */
            for (size_t j = 0; j < jn; j++) {
              idx[j] = q;
              if (++r == mult) {
                r = 0;
                q++;
              }
            }
            accumulate_gather(acc, jn, nr, in_px, idx, w, ky_n, kx_n, in_row_step, in_col_step,
                              w_row_step);
          }
          float *o = out_px + oc0;
          for (size_t j = 0; j < jn; j++) o[j] = sk_clampf(acc[j], lo, hi);
        }
      }
    }
  }
}
