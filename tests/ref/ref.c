/*
 * Naive reference convolution and pooling (see ref.h). Deliberately simple:
 * one output at a time, every tap checked against the input bounds, sums in
 * double. Speed is irrelevant; obviousness is the point.
 */
#include "ref.h"

#include <math.h>
#include <string.h>

int ref_out_dim(size_t in, size_t k, size_t s, size_t d, size_t pad_begin, size_t pad_end,
                int ceil_mode, size_t *out) {
  size_t extent = d * (k - 1) + 1; /* dilated kernel */
  size_t padded = in + pad_begin + pad_end;
  *out = 0;
  if (in == 0 || k == 0 || s == 0 || d == 0 || padded < extent) return 0;
  size_t span = padded - extent;
  size_t n;
  if (ceil_mode) {
    n = (span + s - 1) / s + 1;
    /* PyTorch: the last window must start inside the input or left pad. */
    if ((n - 1) * s >= in + pad_begin) n--;
  } else {
    n = span / s + 1;
  }
  *out = n;
  return n > 0;
}

void ref_same_dim(size_t in, size_t k, size_t s, size_t d, size_t *out, size_t *pad_begin,
                  size_t *pad_end) {
  size_t n = (in + s - 1) / s;
  size_t need = (n > 0 ? (n - 1) * s : 0) + d * (k - 1) + 1;
  size_t total = need > in ? need - in : 0;
  *out = n;
  *pad_begin = total / 2;
  *pad_end = total - total / 2; /* the odd element at the bottom/right */
}

void ref_conv_pads(const ref_conv *p, size_t in_h, size_t in_w, size_t *pt, size_t *pl,
                   size_t *pb, size_t *pr) {
  if (p->same) {
    size_t o;
    ref_same_dim(in_h, p->kh, p->sh, p->dh, &o, pt, pb);
    ref_same_dim(in_w, p->kw, p->sw, p->dw, &o, pl, pr);
  } else {
    *pt = p->pt;
    *pl = p->pl;
    *pb = p->pb;
    *pr = p->pr;
  }
}

void ref_pool_pads(const ref_pool *p, size_t in_h, size_t in_w, size_t *pt, size_t *pl,
                   size_t *pb, size_t *pr) {
  if (p->global) {
    *pt = *pl = *pb = *pr = 0;
  } else if (p->same) {
    size_t o;
    ref_same_dim(in_h, p->kh, p->sh, p->dh, &o, pt, pb);
    ref_same_dim(in_w, p->kw, p->sw, p->dw, &o, pl, pr);
  } else {
    *pt = p->pt;
    *pl = p->pl;
    *pb = p->pb;
    *pr = p->pr;
  }
}

int ref_conv_output_size(const ref_conv *p, size_t in_h, size_t in_w, size_t *out_h,
                         size_t *out_w) {
  *out_h = *out_w = 0;
  if (in_h == 0 || in_w == 0) return 0;
  if (p->same) {
    size_t a, b;
    ref_same_dim(in_h, p->kh, p->sh, p->dh, out_h, &a, &b);
    ref_same_dim(in_w, p->kw, p->sw, p->dw, out_w, &a, &b);
    return *out_h > 0 && *out_w > 0;
  }
  int ok_h = ref_out_dim(in_h, p->kh, p->sh, p->dh, p->pt, p->pb, 0, out_h);
  int ok_w = ref_out_dim(in_w, p->kw, p->sw, p->dw, p->pl, p->pr, 0, out_w);
  if (!ok_h || !ok_w) {
    *out_h = *out_w = 0;
    return 0;
  }
  return 1;
}

int ref_pool_output_size(const ref_pool *p, size_t in_h, size_t in_w, size_t *out_h,
                         size_t *out_w) {
  *out_h = *out_w = 0;
  if (in_h == 0 || in_w == 0) return 0;
  if (p->global) {
    *out_h = *out_w = 1;
    return 1;
  }
  size_t pt, pl, pb, pr;
  ref_pool_pads(p, in_h, in_w, &pt, &pl, &pb, &pr);
  int ok_h = ref_out_dim(in_h, p->kh, p->sh, p->dh, pt, pb, p->ceil_mode, out_h);
  int ok_w = ref_out_dim(in_w, p->kw, p->sw, p->dw, pl, pr, p->ceil_mode, out_w);
  if (!ok_h || !ok_w) {
    *out_h = *out_w = 0;
    return 0;
  }
  return 1;
}

size_t ref_conv_weights_count(const ref_conv *p) {
  return p->out_c * (p->in_c / p->groups) * p->kh * p->kw;
}

double ref_activate(double v, sk_activation act, float act_min, float act_max) {
  double lo, hi;
  switch (act) {
    case SK_ACT_RELU:
      lo = 0.0;
      hi = INFINITY;
      break;
    case SK_ACT_RELU6:
      lo = 0.0;
      hi = 6.0;
      break;
    case SK_ACT_CLAMP:
      lo = act_min;
      hi = act_max;
      break;
    default:
      return v;
  }
  if (isnan(v)) return v;
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return v;
}

/* Index of element (n, c, y, x) of a tensor of C x H x W images. */
static size_t act_index(sk_layout layout, size_t C, size_t H, size_t W, size_t n, size_t c,
                        size_t y, size_t x) {
  if (layout == SK_LAYOUT_NCHW) return ((n * C + c) * H + y) * W + x;
  return ((n * H + y) * W + x) * C + c;
}

/* Index of weight (o, i, ky, kx), i within the group. */
static size_t w_index(sk_weights_layout wl, size_t I, size_t KH, size_t KW, size_t o, size_t i,
                      size_t ky, size_t kx) {
  if (wl == SK_WEIGHTS_OHWI) return ((o * KH + ky) * KW + kx) * I + i;
  return ((o * I + i) * KH + ky) * KW + kx;
}

void ref_conv2d(const ref_conv *p, size_t batch, size_t in_h, size_t in_w, const float *input,
                const float *weights, const float *bias, double *output, double *bound) {
  size_t out_h, out_w, pt, pl, pb, pr;
  if (!ref_conv_output_size(p, in_h, in_w, &out_h, &out_w)) return;
  ref_conv_pads(p, in_h, in_w, &pt, &pl, &pb, &pr);
  (void)pb;
  (void)pr;
  const size_t cin_g = p->in_c / p->groups;
  const size_t cout_g = p->out_c / p->groups;
  for (size_t n = 0; n < batch; n++) {
    for (size_t oc = 0; oc < p->out_c; oc++) {
      const size_t g = oc / cout_g;
      for (size_t oy = 0; oy < out_h; oy++) {
        for (size_t ox = 0; ox < out_w; ox++) {
          double acc = bias ? (double)bias[oc] : 0.0;
          double mag = bias ? fabs((double)bias[oc]) : 0.0;
          for (size_t ic = 0; ic < cin_g; ic++) {
            const size_t c = g * cin_g + ic;
            for (size_t ky = 0; ky < p->kh; ky++) {
              /* padded coordinate minus pad: may be negative */
              long long iy = (long long)(oy * p->sh + ky * p->dh) - (long long)pt;
              const int row_in = iy >= 0 && iy < (long long)in_h;
              for (size_t kx = 0; kx < p->kw; kx++) {
                long long ix = (long long)(ox * p->sw + kx * p->dw) - (long long)pl;
                double w = weights[w_index(p->weights_layout, cin_g, p->kh, p->kw, oc, ic, ky, kx)];
                if (!row_in || ix < 0 || ix >= (long long)in_w) {
                  /* zero padding, as PyTorch: 0 * w (NaN for a NaN or infinite w) */
                  acc += w * 0.0;
                  continue;
                }
                double x = input[act_index(p->layout, p->in_c, in_h, in_w, n, c, (size_t)iy,
                                           (size_t)ix)];
                acc += w * x;
                mag += fabs(w * x);
              }
            }
          }
          size_t o = act_index(p->layout, p->out_c, out_h, out_w, n, oc, oy, ox);
          output[o] = ref_activate(acc, p->act, p->act_min, p->act_max);
          if (bound) bound[o] = mag;
        }
      }
    }
  }
}

void ref_pool2d(const ref_pool *p, size_t batch, size_t in_h, size_t in_w, const float *input,
                double *output, double *bound) {
  size_t out_h, out_w, pt, pl, pb, pr;
  if (!ref_pool_output_size(p, in_h, in_w, &out_h, &out_w)) return;
  ref_pool_pads(p, in_h, in_w, &pt, &pl, &pb, &pr);
  size_t kh = p->kh, kw = p->kw, sh = p->sh, sw = p->sw, dh = p->dh, dw = p->dw;
  if (p->global) {
    kh = in_h;
    kw = in_w;
    sh = sw = dh = dw = 1;
  }
  const size_t C = p->channels;
  for (size_t n = 0; n < batch; n++) {
    for (size_t c = 0; c < C; c++) {
      for (size_t oy = 0; oy < out_h; oy++) {
        for (size_t ox = 0; ox < out_w; ox++) {
          /* window start in input coordinates (may be negative) */
          long long y0 = (long long)(oy * sh) - (long long)pt;
          long long x0 = (long long)(ox * sw) - (long long)pl;
          float mx = -INFINITY;
          int saw_nan = 0;
          double sum = 0.0, mag = 0.0;
          size_t count = 0;
          for (size_t ky = 0; ky < kh; ky++) {
            long long iy = y0 + (long long)(ky * dh);
            if (iy < 0 || iy >= (long long)in_h) continue;
            for (size_t kx = 0; kx < kw; kx++) {
              long long ix = x0 + (long long)(kx * dw);
              if (ix < 0 || ix >= (long long)in_w) continue;
              float v = input[act_index(p->layout, C, in_h, in_w, n, c, (size_t)iy, (size_t)ix)];
              if (isnan(v)) saw_nan = 1;
              if (v > mx) mx = v;
              sum += v;
              mag += fabs((double)v);
              count++;
            }
          }
          double r, b = 0.0;
          if (p->kind == SK_POOL_MAX) {
            r = saw_nan ? (double)NAN : (double)mx;
            /* clamp in float, exactly as a fused kernel would */
            r = ref_activate(r, p->act, p->act_min, p->act_max);
          } else {
            double divisor;
            if (p->count_include_pad) {
              /* the window clipped to the padded input [-pt, in + pb) */
              long long ye = y0 + (long long)kh, xe = x0 + (long long)kw;
              if (ye > (long long)(in_h + pb)) ye = (long long)(in_h + pb);
              if (xe > (long long)(in_w + pr)) xe = (long long)(in_w + pr);
              divisor = (double)((ye - y0) * (xe - x0));
            } else {
              divisor = (double)count;
            }
            r = divisor > 0 ? sum / divisor : 0.0;
            b = divisor > 0 ? mag / divisor : 0.0;
            r = ref_activate(r, p->act, p->act_min, p->act_max);
          }
          size_t o = act_index(p->layout, C, out_h, out_w, n, c, oy, ox);
          output[o] = r;
          if (bound) bound[o] = b;
        }
      }
    }
  }
}

/* The reference parameters of an API descriptor (0 = default, as the API
 * reads it: stride/dilation 1, pool stride = kernel, groups 1). */
ref_conv ref_conv_from_desc(const sk_conv2d_desc *d) {
  ref_conv r;
  memset(&r, 0, sizeof r);
  r.layout = d->layout;
  r.weights_layout = d->weights_layout;
  r.in_c = d->in_channels;
  r.out_c = d->out_channels;
  r.groups = d->groups ? d->groups : 1;
  r.kh = d->kernel_h;
  r.kw = d->kernel_w;
  r.sh = d->stride_h ? d->stride_h : 1;
  r.sw = d->stride_w ? d->stride_w : 1;
  r.dh = d->dilation_h ? d->dilation_h : 1;
  r.dw = d->dilation_w ? d->dilation_w : 1;
  r.pt = d->pad_top;
  r.pl = d->pad_left;
  r.pb = d->pad_bottom;
  r.pr = d->pad_right;
  r.same = (d->flags & SK_FLAG_SAME_PADDING) != 0;
  r.act = d->activation;
  r.act_min = d->act_min;
  r.act_max = d->act_max;
  return r;
}

ref_pool ref_pool_from_desc(const sk_pool2d_desc *d) {
  ref_pool r;
  memset(&r, 0, sizeof r);
  r.kind = d->kind;
  r.layout = d->layout;
  r.channels = d->channels;
  r.global = (d->flags & SK_POOL_GLOBAL) != 0;
  r.kh = d->kernel_h;
  r.kw = d->kernel_w;
  r.sh = d->stride_h ? d->stride_h : d->kernel_h;
  r.sw = d->stride_w ? d->stride_w : d->kernel_w;
  r.dh = d->dilation_h ? d->dilation_h : 1;
  r.dw = d->dilation_w ? d->dilation_w : 1;
  r.pt = d->pad_top;
  r.pl = d->pad_left;
  r.pb = d->pad_bottom;
  r.pr = d->pad_right;
  r.same = (d->flags & SK_FLAG_SAME_PADDING) != 0;
  r.ceil_mode = (d->flags & SK_POOL_CEIL_MODE) != 0;
  r.count_include_pad = (d->flags & SK_POOL_COUNT_INCLUDE_PAD) != 0;
  r.act = d->activation;
  r.act_min = d->act_min;
  r.act_max = d->act_max;
  return r;
}
