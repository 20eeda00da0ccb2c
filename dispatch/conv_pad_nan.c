/* Zero padding times a non-finite weight is NaN: the outputs of conv ops whose weights are not all
 * finite are fixed after the kernel (see sk_pack.h). Only taps that are non-finite and outputs whose
 * tap lies in the padding are visited. */
#include <math.h>
#include <stddef.h>

#include "sk_kernels.h"
#include "sk_pack.h"
#include "sk_window.h"

int sk_conv_nonfinite_any(const float *weights, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(weights[i])) return 1;
  return 0;
}

void sk_conv_nonfinite_taps(const float *weights, sk_weights_layout wl, size_t out_c,
                            size_t in_c_g, size_t kernel_h, size_t kernel_w, unsigned char *taps) {
  const size_t kk = kernel_h * kernel_w;
  for (size_t oc = 0; oc < out_c; oc++) {
    const float *f = weights + oc * in_c_g * kk; /* filter oc, OIHW or OHWI */
    for (size_t t = 0; t < kk; t++) {
      unsigned char bad = 0;
      for (size_t ic = 0; ic < in_c_g; ic++)
        bad |= !isfinite(wl == SK_WEIGHTS_OIHW ? f[ic * kk + t] : f[t * in_c_g + ic]);
      taps[oc * kk + t] = bad;
    }
  }
}

static void sk_set_nan(float *output, sk_layout l, const sk_conv_params *p, size_t oc, size_t oy,
                       size_t ox0, size_t ox1) {
  for (size_t ox = ox0; ox < ox1; ox++) {
    const size_t i = l == SK_LAYOUT_NHWC ? (oy * p->out_w + ox) * p->out_c + oc
                                         : (oc * p->out_h + oy) * p->out_w + ox;
    output[i] = NAN;
  }
}

void sk_conv_pad_nan(const unsigned char *taps, const sk_conv_params *p, sk_layout l,
                     float *output) {
  const size_t kh = p->kernel_h, kw = p->kernel_w;
  for (size_t oc = 0; oc < p->out_c; oc++)
    for (size_t ky = 0; ky < kh; ky++)
      for (size_t kx = 0; kx < kw; kx++) {
        if (!taps[(oc * kh + ky) * kw + kx]) continue;
        /* outputs whose tap (ky, kx) reads inside the input: [y0, y1) x [x0, x1) */
        size_t y0, y1, x0, x1, unused;
        sk_out_range(ky * p->dil_h, p->stride_h, p->pad_top, p->in_h, p->out_h, &y0, &y1, &unused);
        sk_out_range(kx * p->dil_w, p->stride_w, p->pad_left, p->in_w, p->out_w, &x0, &x1,
                     &unused);
        for (size_t oy = 0; oy < p->out_h; oy++) {
          if (oy < y0 || oy >= y1) {
            sk_set_nan(output, l, p, oc, oy, 0, p->out_w);
          } else {
            sk_set_nan(output, l, p, oc, oy, 0, x0);
            sk_set_nan(output, l, p, oc, oy, x1, p->out_w); /* (x0 <= x1) */
          }
        }
      }
}
