/* 1x1 conv, NHWC, scalar: per output pixel, per group and nr-block, [1 x in_c_g] x [in_c_g x nr].
 * Tile 1 pixel x <=64 acc lanes; loop in_c_g (2 at a time), innermost the nr packed lanes.
 * Borders: pixels whose input is padding get bias only; pad lanes are not computed. */
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_window.h"

#define SK_ACC_MAX 64 /* lanes of accumulators on the stack; wider blocks run in chunks */

/* acc[0..jn) += sum over ic of in[ic] * w[ic*nr + j]. */
SK_ALWAYS_INLINE void accumulate(float *acc, size_t jn, size_t nr, const float *in, const float *w,
                                 size_t in_c_g) {
  size_t ic = 0;
  /* Two channels per step: half the acc traffic, and keeps GCC -O3 from vectorizing the ic loop
   * as 8 strided reductions (slower than vectorizing the lanes). */
  for (; ic + 2 <= in_c_g; ic += 2) {
    const float x0 = in[ic], x1 = in[ic + 1];
    const float *w0 = w + ic * nr, *w1 = w0 + nr;
    for (size_t j = 0; j < jn; j++) acc[j] += x0 * w0[j] + x1 * w1[j];
  }
  if (ic < in_c_g) {
    const float x = in[ic];
    const float *wc = w + ic * nr;
    for (size_t j = 0; j < jn; j++) acc[j] += x * wc[j];
  }
}

void sk_pointwise_nhwc__scalar(const sk_conv_params *p, const float *packed, const float *input,
                               float *output) {
  const size_t nr = p->nr, in_c = p->in_c, out_c = p->out_c;
  const size_t in_c_g = p->in_c_g, out_c_g = p->out_c_g;
  const size_t out_w = p->out_w;
  const size_t nblk = out_c_g / nr + (out_c_g % nr != 0);
  const size_t block = sk_packed_block_size(p);
  const float lo = p->out_min, hi = p->out_max;
  size_t oy_lo, oy_hi, iy_lo, ox_lo, ox_hi, ix_lo;
  /* Output rows/columns whose (single) tap lands inside the input. */
  sk_out_range(0, p->stride_h, p->pad_top, p->in_h, p->out_h, &oy_lo, &oy_hi, &iy_lo);
  sk_out_range(0, p->stride_w, p->pad_left, p->in_w, out_w, &ox_lo, &ox_hi, &ix_lo);
  float acc[SK_ACC_MAX];

  for (size_t oy = 0; oy < p->out_h; oy++) {
    const int row_in = oy >= oy_lo && oy < oy_hi;
    const size_t iy = row_in ? iy_lo + (oy - oy_lo) * p->stride_h : 0;
    for (size_t ox = 0; ox < out_w; ox++) {
      const int px_in = row_in && ox >= ox_lo && ox < ox_hi;
      const size_t ix = px_in ? ix_lo + (ox - ox_lo) * p->stride_w : 0;
      const float *in_px = input + (iy * p->in_w + ix) * in_c;
      const size_t k = px_in ? in_c_g : 0; /* padding pixel: bias only */
      float *out_px = output + (oy * out_w + ox) * out_c;
      for (size_t g = 0; g < p->groups; g++) {
        const float *in_g = in_px + g * in_c_g;
        float *out_g = out_px + g * out_c_g;
        for (size_t b = 0; b < nblk; b++) {
          const float *wb = packed + (g * nblk + b) * block;
          const size_t valid = out_c_g - b * nr < nr ? out_c_g - b * nr : nr;
          for (size_t j0 = 0; j0 < valid; j0 += SK_ACC_MAX) {
            const size_t jn = valid - j0 < SK_ACC_MAX ? valid - j0 : SK_ACC_MAX;
            for (size_t j = 0; j < jn; j++) acc[j] = wb[j0 + j];
            if (jn == 8 && nr == 8) { /* the table's block: constant trip counts */
              accumulate(acc, 8, 8, in_g, wb + nr + j0, k);
            } else {
              accumulate(acc, jn, nr, in_g, wb + nr + j0, k);
            }
            float *o = out_g + b * nr + j0;
            for (size_t j = 0; j < jn; j++) o[j] = sk_clampf(acc[j], lo, hi);
          }
        }
      }
    }
  }
}
