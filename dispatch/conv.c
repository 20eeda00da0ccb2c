/* sk_conv2d_*: argument checks, kernel choice, weight packing, run. */
#include <stdlib.h>
#include <string.h>

#include "sk_common.h"
#include "sk_dispatch.h"
#include "sk_pack.h"

typedef enum sk_conv_family { SK_CONV_DIRECT, SK_CONV_POINTWISE, SK_CONV_DEPTHWISE } sk_conv_family;

struct sk_conv2d {
  sk_conv2d_desc desc; /* defaults resolved: groups, strides, dilations >= 1 */
  sk_isa isa;          /* concrete ISA chosen at create */
  sk_conv_family family;
  sk_conv_kernel kernel;
  float out_min, out_max;
  float *packed;     /* at the first 64-byte boundary of packed_mem: no weight vector splits a line */
  void *packed_mem;
  float *zero; /* max(in_channels, 64) zeros: taps in the padding read these */
  unsigned char *nf_taps; /* NULL if every weight is finite, else sk_conv_nonfinite_taps */
};

static int sk_layout_valid(sk_layout l) { return l == SK_LAYOUT_NHWC || l == SK_LAYOUT_NCHW; }

sk_status sk_conv2d_create(const sk_conv2d_desc *desc_in, const float *weights, const float *bias,
                           sk_conv2d **op) {
  if (op != NULL) *op = NULL;
  if (desc_in == NULL || weights == NULL || op == NULL) return SK_ERR_INVALID_ARGUMENT;
  sk_conv2d_desc d = *desc_in;
  if (!sk_layout_valid(d.layout)) return SK_ERR_INVALID_ARGUMENT;
  if (d.weights_layout != SK_WEIGHTS_OIHW && d.weights_layout != SK_WEIGHTS_OHWI)
    return SK_ERR_INVALID_ARGUMENT;
  if (!sk_isa_valid(d.isa)) return SK_ERR_INVALID_ARGUMENT;
  if ((d.flags & ~SK_FLAG_SAME_PADDING) != 0) return SK_ERR_INVALID_ARGUMENT;
  float lo, hi;
  if (!sk_activation_bounds(d.activation, d.act_min, d.act_max, &lo, &hi))
    return SK_ERR_INVALID_ARGUMENT;
  if (d.in_channels == 0 || d.out_channels == 0 || d.kernel_h == 0 || d.kernel_w == 0)
    return SK_ERR_INVALID_ARGUMENT;
  if (d.groups == 0) d.groups = 1;
  if (d.stride_h == 0) d.stride_h = 1;
  if (d.stride_w == 0) d.stride_w = 1;
  if (d.dilation_h == 0) d.dilation_h = 1;
  if (d.dilation_w == 0) d.dilation_w = 1;
  if (d.in_channels % d.groups != 0 || d.out_channels % d.groups != 0)
    return SK_ERR_INVALID_ARGUMENT;
  if ((d.flags & SK_FLAG_SAME_PADDING) &&
      (d.pad_top | d.pad_left | d.pad_bottom | d.pad_right) != 0)
    return SK_ERR_INVALID_ARGUMENT;
  /* The dilated kernel extent must fit in 32 bits. */
  if ((uint64_t)d.dilation_h * (d.kernel_h - 1) + 1 > UINT32_MAX ||
      (uint64_t)d.dilation_w * (d.kernel_w - 1) + 1 > UINT32_MAX)
    return SK_ERR_SIZE_OVERFLOW;

  const size_t in_c_g = d.in_channels / d.groups, out_c_g = d.out_channels / d.groups;
  size_t n_weights;
  if (!sk_mul4_size(d.out_channels, in_c_g, d.kernel_h, d.kernel_w, &n_weights) ||
      n_weights > SIZE_MAX / sizeof(float))
    return SK_ERR_SIZE_OVERFLOW;

  sk_isa isa;
  sk_status st = sk_isa_resolve(d.isa, &isa);
  if (st != SK_OK) return st;
  sk_functable t;
  if (!sk_functable_build(isa, &t)) return SK_ERR_UNSUPPORTED;

  sk_conv_family family;
  sk_conv_kernel k;
  if (d.groups == d.in_channels && d.in_channels > 1) {
    family = SK_CONV_DEPTHWISE;
    k = t.depthwise[d.layout];
  } else if (d.kernel_h == 1 && d.kernel_w == 1) {
    family = SK_CONV_POINTWISE;
    k = t.pointwise[d.layout];
  } else {
    family = SK_CONV_DIRECT;
    k = t.conv_direct[d.layout];
  }
  if (k.fn == NULL) return SK_ERR_UNSUPPORTED; /* family left out of this build */
  const sk_conv_kernel sk = family == SK_CONV_POINTWISE ? t.small_k_pointwise[d.layout]
                                                       : t.small_k_direct[d.layout];
  const size_t sk_taps =
      family == SK_CONV_POINTWISE ? t.small_k_max_taps_pointwise : t.small_k_max_taps;
  if (family != SK_CONV_DEPTHWISE && sk.fn != NULL && sk.nr == k.nr && d.groups == 1 &&
      d.dilation_w == 1 && (uint64_t)d.kernel_h * d.kernel_w * d.in_channels <= sk_taps)
    k = sk;
  /* Depthwise packs all output channels as one group of 1-channel filters. */
  const size_t pg = family == SK_CONV_DEPTHWISE ? 1 : d.groups;
  const size_t pocg = family == SK_CONV_DEPTHWISE ? d.out_channels : out_c_g;
  const size_t picg = family == SK_CONV_DEPTHWISE ? 1 : in_c_g;
  const size_t n_packed = sk_packed_size(pg, pocg, picg, d.kernel_h, d.kernel_w, k.nr);
  if (n_packed == 0 || n_packed > (SIZE_MAX - 63 - SK_PACKED_SLACK_BYTES) / sizeof(float))
    return SK_ERR_SIZE_OVERFLOW;

  sk_conv2d *o = (sk_conv2d *)malloc(sizeof(*o));
  if (o == NULL) return SK_ERR_OUT_OF_MEMORY;
  o->packed_mem = malloc(n_packed * sizeof(float) + 63 + SK_PACKED_SLACK_BYTES);
  o->packed = o->packed_mem == NULL
                  ? NULL
                  : (float *)(((uintptr_t)o->packed_mem + 63) & ~(uintptr_t)63);
  o->zero = (float *)calloc(d.in_channels > 64 ? d.in_channels : 64, sizeof(float));
  /* (the weights are read only once the packed buffer exists) */
  const int nonfinite = o->packed != NULL && o->zero != NULL &&
                        sk_conv_nonfinite_any(weights, n_weights);
  /* out_c * kh * kw <= n_weights: no overflow */
  o->nf_taps =
      nonfinite ? (unsigned char *)malloc((size_t)d.out_channels * d.kernel_h * d.kernel_w) : NULL;
  if (o->packed == NULL || o->zero == NULL || (nonfinite && o->nf_taps == NULL)) {
    free(o->packed_mem);
    free(o->zero);
    free(o->nf_taps);
    free(o);
    return SK_ERR_OUT_OF_MEMORY;
  }
  if (nonfinite)
    sk_conv_nonfinite_taps(weights, d.weights_layout, d.out_channels, in_c_g, d.kernel_h,
                           d.kernel_w, o->nf_taps);
  sk_pack_conv_weights(weights, d.weights_layout, bias, pg, pocg, picg, d.kernel_h, d.kernel_w,
                       k.nr, o->packed);
  o->desc = d;
  o->isa = isa;
  o->family = family;
  o->kernel = k;
  o->out_min = lo;
  o->out_max = hi;
  *op = o;
  return SK_OK;
}

static sk_status sk_conv2d_dims(const sk_conv2d *op, uint32_t in_h, uint32_t in_w, sk_dim *h,
                                sk_dim *w) {
  const sk_conv2d_desc *d = &op->desc;
  const int same = (d->flags & SK_FLAG_SAME_PADDING) != 0;
  sk_status st = sk_resolve_dim(in_h, d->kernel_h, d->stride_h, d->dilation_h, d->pad_top,
                                d->pad_bottom, same, 0, h);
  if (st != SK_OK) return st;
  return sk_resolve_dim(in_w, d->kernel_w, d->stride_w, d->dilation_w, d->pad_left, d->pad_right,
                        same, 0, w);
}

sk_status sk_conv2d_output_size(const sk_conv2d *op, uint32_t in_h, uint32_t in_w,
                                uint32_t *out_h, uint32_t *out_w) {
  if (op == NULL || out_h == NULL || out_w == NULL) return SK_ERR_INVALID_ARGUMENT;
  sk_dim h, w;
  const sk_status st = sk_conv2d_dims(op, in_h, in_w, &h, &w);
  if (st != SK_OK) return st;
  *out_h = h.out;
  *out_w = w.out;
  return SK_OK;
}

sk_status sk_conv2d_run(const sk_conv2d *op, uint32_t batch, uint32_t in_h, uint32_t in_w,
                        const float *input, float *output) {
  if (op == NULL || input == NULL || output == NULL || batch == 0) return SK_ERR_INVALID_ARGUMENT;
  sk_dim h, w;
  sk_status st = sk_conv2d_dims(op, in_h, in_w, &h, &w);
  if (st != SK_OK) return st;
  const sk_conv2d_desc *d = &op->desc;
  size_t in_image, out_image;
  const sk_status bst = sk_check_run_buffers(batch, in_h, in_w, d->in_channels, h.out, w.out,
                                             d->out_channels, input, output, &in_image, &out_image);
  if (bst != SK_OK) return bst;

  sk_conv_params p;
  p.in_h = in_h;
  p.in_w = in_w;
  p.out_h = h.out;
  p.out_w = w.out;
  p.in_c = d->in_channels;
  p.out_c = d->out_channels;
  if (op->family == SK_CONV_DEPTHWISE) {
    p.groups = 1;
    p.in_c_g = 1;
    p.out_c_g = d->out_channels;
    p.mult = d->out_channels / d->in_channels;
  } else {
    p.groups = d->groups;
    p.in_c_g = d->in_channels / d->groups;
    p.out_c_g = d->out_channels / d->groups;
    p.mult = 1;
  }
  p.kernel_h = d->kernel_h;
  p.kernel_w = d->kernel_w;
  p.stride_h = d->stride_h;
  p.stride_w = d->stride_w;
  p.dil_h = d->dilation_h;
  p.dil_w = d->dilation_w;
  p.pad_top = h.pad_begin;
  p.pad_left = w.pad_begin;
  p.nr = op->kernel.nr;
  p.out_min = op->out_min;
  p.out_max = op->out_max;
  p.zero = op->zero;
  for (size_t n = 0; n < batch; n++) {
    op->kernel.fn(&p, op->packed, input + n * in_image, output + n * out_image);
    if (op->nf_taps != NULL) sk_conv_pad_nan(op->nf_taps, &p, d->layout, output + n * out_image);
  }
  return SK_OK;
}

const char *sk_conv2d_kernel_name(const sk_conv2d *op) { return op ? op->kernel.name : ""; }

void sk_conv2d_destroy(sk_conv2d *op) {
  if (op == NULL) return;
  free(op->packed_mem);
  free(op->zero);
  free(op->nf_taps);
  free(op);
}
