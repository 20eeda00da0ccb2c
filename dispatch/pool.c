/* sk_pool2d_*: argument checks, kernel choice, run. */
#include <stdlib.h>

#include "sk_common.h"
#include "sk_dispatch.h"

#define SK_POOL_ALL_FLAGS \
  (SK_FLAG_SAME_PADDING | SK_POOL_CEIL_MODE | SK_POOL_COUNT_INCLUDE_PAD | SK_POOL_GLOBAL)

struct sk_pool2d {
  sk_pool2d_desc desc; /* defaults resolved (non-global: strides, dilations >= 1) */
  sk_isa isa;
  sk_pool_kernel kernel;
  float out_min, out_max;
};

sk_status sk_pool2d_create(const sk_pool2d_desc *desc_in, sk_pool2d **op) {
  if (op != NULL) *op = NULL;
  if (desc_in == NULL || op == NULL) return SK_ERR_INVALID_ARGUMENT;
  sk_pool2d_desc d = *desc_in;
  if (d.kind != SK_POOL_MAX && d.kind != SK_POOL_AVG) return SK_ERR_INVALID_ARGUMENT;
  if (d.layout != SK_LAYOUT_NHWC && d.layout != SK_LAYOUT_NCHW) return SK_ERR_INVALID_ARGUMENT;
  if (!sk_isa_valid(d.isa)) return SK_ERR_INVALID_ARGUMENT;
  if ((d.flags & ~(uint32_t)SK_POOL_ALL_FLAGS) != 0) return SK_ERR_INVALID_ARGUMENT;
  float lo, hi;
  if (!sk_activation_bounds(d.activation, d.act_min, d.act_max, &lo, &hi))
    return SK_ERR_INVALID_ARGUMENT;
  if (d.channels == 0) return SK_ERR_INVALID_ARGUMENT;
  const int global = (d.flags & SK_POOL_GLOBAL) != 0;
  if (global) {
    if ((d.kernel_h | d.kernel_w | d.stride_h | d.stride_w | d.pad_top | d.pad_left |
         d.pad_bottom | d.pad_right) != 0 ||
        d.dilation_h > 1 || d.dilation_w > 1 ||
        (d.flags & (SK_FLAG_SAME_PADDING | SK_POOL_CEIL_MODE)) != 0)
      return SK_ERR_INVALID_ARGUMENT;
    d.dilation_h = d.dilation_w = 1;
  } else {
    if (d.kernel_h == 0 || d.kernel_w == 0) return SK_ERR_INVALID_ARGUMENT;
    if (d.stride_h == 0) d.stride_h = d.kernel_h;
    if (d.stride_w == 0) d.stride_w = d.kernel_w;
    if (d.dilation_h == 0) d.dilation_h = 1;
    if (d.dilation_w == 0) d.dilation_w = 1;
    if (d.kind == SK_POOL_AVG && (d.dilation_h > 1 || d.dilation_w > 1))
      return SK_ERR_INVALID_ARGUMENT;
    if ((d.flags & SK_FLAG_SAME_PADDING) &&
        (d.pad_top | d.pad_left | d.pad_bottom | d.pad_right) != 0)
      return SK_ERR_INVALID_ARGUMENT;
    const uint64_t ext_h = (uint64_t)d.dilation_h * (d.kernel_h - 1) + 1;
    const uint64_t ext_w = (uint64_t)d.dilation_w * (d.kernel_w - 1) + 1;
    if (ext_h > UINT32_MAX || ext_w > UINT32_MAX) return SK_ERR_SIZE_OVERFLOW;
    /* Each pad must leave a real input element in every edge window. */
    if (d.pad_top >= ext_h || d.pad_bottom >= ext_h || d.pad_left >= ext_w ||
        d.pad_right >= ext_w)
      return SK_ERR_INVALID_ARGUMENT;
  }

  sk_isa isa;
  const sk_status st = sk_isa_resolve(d.isa, &isa);
  if (st != SK_OK) return st;
  sk_functable t;
  if (!sk_functable_build(isa, &t)) return SK_ERR_UNSUPPORTED;
  sk_pool_kernel k;
  if (d.kind == SK_POOL_MAX)
    k = global ? t.global_maxpool[d.layout] : t.maxpool[d.layout];
  else
    k = global ? t.global_avgpool[d.layout] : t.avgpool[d.layout];
  if (k.fn == NULL) return SK_ERR_UNSUPPORTED; /* pooling left out of this build */

  sk_pool2d *o = (sk_pool2d *)malloc(sizeof(*o));
  if (o == NULL) return SK_ERR_OUT_OF_MEMORY;
  o->kernel = k;
  o->desc = d;
  o->isa = isa;
  o->out_min = lo;
  o->out_max = hi;
  *op = o;
  return SK_OK;
}

static sk_status sk_pool2d_dims(const sk_pool2d *op, uint32_t in_h, uint32_t in_w, sk_dim *h,
                                sk_dim *w) {
  const sk_pool2d_desc *d = &op->desc;
  if (d->flags & SK_POOL_GLOBAL) {
    if (in_h == 0 || in_w == 0) return SK_ERR_INVALID_ARGUMENT;
    h->out = w->out = 1;
    h->pad_begin = h->pad_end = w->pad_begin = w->pad_end = 0;
    return SK_OK;
  }
  const int same = (d->flags & SK_FLAG_SAME_PADDING) != 0;
  const int ceil_mode = (d->flags & SK_POOL_CEIL_MODE) != 0;
  const sk_status st = sk_resolve_dim(in_h, d->kernel_h, d->stride_h, d->dilation_h, d->pad_top,
                                      d->pad_bottom, same, ceil_mode, h);
  if (st != SK_OK) return st;
  return sk_resolve_dim(in_w, d->kernel_w, d->stride_w, d->dilation_w, d->pad_left, d->pad_right,
                        same, ceil_mode, w);
}

sk_status sk_pool2d_output_size(const sk_pool2d *op, uint32_t in_h, uint32_t in_w,
                                uint32_t *out_h, uint32_t *out_w) {
  if (op == NULL || out_h == NULL || out_w == NULL) return SK_ERR_INVALID_ARGUMENT;
  sk_dim h, w;
  const sk_status st = sk_pool2d_dims(op, in_h, in_w, &h, &w);
  if (st != SK_OK) return st;
  *out_h = h.out;
  *out_w = w.out;
  return SK_OK;
}

sk_status sk_pool2d_run(const sk_pool2d *op, uint32_t batch, uint32_t in_h, uint32_t in_w,
                        const float *input, float *output) {
  if (op == NULL || input == NULL || output == NULL || batch == 0) return SK_ERR_INVALID_ARGUMENT;
  sk_dim h, w;
  const sk_status st = sk_pool2d_dims(op, in_h, in_w, &h, &w);
  if (st != SK_OK) return st;
  const sk_pool2d_desc *d = &op->desc;
  size_t in_image, out_image;
  const sk_status bst = sk_check_run_buffers(batch, in_h, in_w, d->channels, h.out, w.out,
                                             d->channels, input, output, &in_image, &out_image);
  if (bst != SK_OK) return bst;

  const int global = (d->flags & SK_POOL_GLOBAL) != 0;
  sk_pool_params p;
  p.in_h = in_h;
  p.in_w = in_w;
  p.out_h = h.out;
  p.out_w = w.out;
  p.channels = d->channels;
  p.kernel_h = global ? in_h : d->kernel_h;
  p.kernel_w = global ? in_w : d->kernel_w;
  p.stride_h = global ? 1 : d->stride_h;
  p.stride_w = global ? 1 : d->stride_w;
  p.dil_h = d->dilation_h;
  p.dil_w = d->dilation_w;
  p.pad_top = h.pad_begin;
  p.pad_bottom = h.pad_end;
  p.pad_left = w.pad_begin;
  p.pad_right = w.pad_end;
  p.count_include_pad = (d->flags & SK_POOL_COUNT_INCLUDE_PAD) != 0;
  p.out_min = op->out_min;
  p.out_max = op->out_max;
  for (size_t n = 0; n < batch; n++)
    op->kernel.fn(&p, input + n * in_image, output + n * out_image);
  return SK_OK;
}

const char *sk_pool2d_kernel_name(const sk_pool2d *op) { return op ? op->kernel.name : ""; }

void sk_pool2d_destroy(sk_pool2d *op) { free(op); }
