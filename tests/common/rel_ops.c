/* Op configurations shared by the reliability tests (see rel_ops.h). */
#include "rel_ops.h"

#include <stdio.h>
#include <string.h>

#include "ref/ref.h"
#include "test_util.h"

static const char *const kind_names[ROP_KINDS] = {"direct",     "pointwise", "depthwise",
                                                  "grouped",    "maxpool",   "avgpool",
                                                  "global_max", "global_avg"};

const char *rop_kind_name(rop_kind k) { return (unsigned)k < ROP_KINDS ? kind_names[k] : "?"; }

rop rop_conv(rop_kind kind, sk_layout layout, uint32_t in_c, uint32_t out_c, uint32_t groups,
             uint32_t kh, uint32_t kw, uint32_t stride, uint32_t pad) {
  rop o;
  memset(&o, 0, sizeof o);
  o.kind = kind;
  o.is_conv = 1;
  sk_conv2d_desc *d = &o.cd;
  d->layout = layout;
  d->weights_layout = SK_WEIGHTS_OIHW;
  d->in_channels = in_c;
  d->out_channels = out_c;
  d->groups = groups;
  d->kernel_h = kh;
  d->kernel_w = kw;
  d->stride_h = d->stride_w = stride;
  d->dilation_h = d->dilation_w = 1;
  d->pad_top = d->pad_left = d->pad_bottom = d->pad_right = pad;
  d->activation = SK_ACT_NONE;
  d->act_min = -1.0f;
  d->act_max = 1.0f;
  d->isa = SK_ISA_AUTO;
  return o;
}

rop rop_pool(rop_kind kind, sk_layout layout, uint32_t channels, uint32_t k, uint32_t stride,
             uint32_t pad, uint32_t flags) {
  rop o;
  memset(&o, 0, sizeof o);
  o.kind = kind;
  o.is_conv = 0;
  sk_pool2d_desc *d = &o.pd;
  d->kind = (kind == ROP_MAXPOOL || kind == ROP_GMAXPOOL) ? SK_POOL_MAX : SK_POOL_AVG;
  d->layout = layout;
  d->channels = channels;
  if (kind == ROP_GMAXPOOL || kind == ROP_GAVGPOOL) {
    d->flags = flags | SK_POOL_GLOBAL;
  } else {
    d->kernel_h = d->kernel_w = k;
    d->stride_h = d->stride_w = stride ? stride : k;
    d->dilation_h = d->dilation_w = 1;
    d->pad_top = d->pad_left = d->pad_bottom = d->pad_right = pad;
    d->flags = flags;
  }
  d->activation = SK_ACT_NONE;
  d->act_min = -1.0f;
  d->act_max = 1.0f;
  d->isa = SK_ISA_AUTO;
  return o;
}

/* 0 if this build left the op out (SIMDKERN_ENABLE_POOLING/DEPTHWISE=OFF: create says
 * SK_ERR_UNSUPPORTED even on the scalar path). */
static int rop_available(const rop *o) {
  static const float w[4 * 2 * 3 * 3];
  rop t = *o;
  rop_handle h;
  if (t.is_conv) { /* the same family, tiny */
    const int dw = t.kind == ROP_DEPTHWISE;
    t.cd.in_channels = 2;
    t.cd.out_channels = dw ? 4 : 2;
    t.cd.groups = dw ? 2 : t.kind == ROP_GROUPED ? 2 : 1;
  } else {
    t.pd.channels = 1;
  }
  const sk_status st = rop_create(&t, SK_ISA_SCALAR, w, NULL, &h);
  if (st == SK_OK) rop_destroy(&h);
  return st != SK_ERR_UNSUPPORTED;
}

size_t rop_standard(sk_layout l, uint32_t c, rop *out) {
  rop all[ROP_STANDARD_MAX];
  const size_t n_all = rop_standard_all(l, c, all);
  int avail[ROP_KINDS];
  for (int k = 0; k < ROP_KINDS; k++) avail[k] = -1;
  size_t n = 0;
  for (size_t i = 0; i < n_all; i++) {
    if (avail[all[i].kind] < 0) avail[all[i].kind] = rop_available(&all[i]);
    if (avail[all[i].kind]) out[n++] = all[i];
  }
  return n;
}

size_t rop_standard_all(sk_layout l, uint32_t c, rop *out) {
  size_t n = 0;
  const uint32_t dc = c < 2 ? 2 : c; /* depthwise needs groups == in_channels > 1 */
  out[n++] = rop_conv(ROP_DIRECT, l, c, c, 1, 3, 3, 1, 1);
  out[n++] = rop_conv(ROP_DIRECT, l, 3, c, 1, 3, 3, 2, 1);
  rop a = rop_conv(ROP_DIRECT, l, c, c, 1, 1, 3, 1, 0);
  a.cd.pad_left = a.cd.pad_right = 1;
  out[n++] = a;
  a = rop_conv(ROP_DIRECT, l, c, c, 1, 3, 3, 1, 2);
  a.cd.dilation_h = a.cd.dilation_w = 2;
  out[n++] = a;
  out[n++] = rop_conv(ROP_POINTWISE, l, c, c, 1, 1, 1, 1, 0);
  out[n++] = rop_conv(ROP_POINTWISE, l, c, c, 1, 1, 1, 2, 0);
  out[n++] = rop_conv(ROP_DEPTHWISE, l, dc, dc, dc, 3, 3, 1, 1);
  out[n++] = rop_conv(ROP_DEPTHWISE, l, dc, dc, dc, 3, 3, 2, 1);
  out[n++] = rop_conv(ROP_DEPTHWISE, l, dc, dc, dc, 5, 5, 1, 2);
  out[n++] = rop_conv(ROP_DEPTHWISE, l, dc, dc, dc, 5, 5, 2, 2);
  a = rop_conv(ROP_DEPTHWISE, l, dc, dc, dc, 3, 3, 1, 2);
  a.cd.dilation_h = a.cd.dilation_w = 2;
  out[n++] = a;
  out[n++] = rop_conv(ROP_DEPTHWISE, l, dc, 2 * dc, dc, 3, 3, 1, 1);
  out[n++] = rop_conv(ROP_GROUPED, l, 2 * c, 2 * c, 2, 3, 3, 1, 1);
  out[n++] = rop_conv(ROP_GROUPED, l, 2 * c, 2 * c, 2, 1, 1, 1, 0);
  out[n++] = rop_pool(ROP_MAXPOOL, l, c, 3, 2, 1, 0);
  out[n++] = rop_pool(ROP_MAXPOOL, l, c, 2, 2, 1, SK_POOL_CEIL_MODE);
  out[n++] = rop_pool(ROP_MAXPOOL, l, c, 3, 1, 1, 0);
  out[n++] = rop_pool(ROP_AVGPOOL, l, c, 3, 1, 1, SK_POOL_COUNT_INCLUDE_PAD);
  out[n++] = rop_pool(ROP_AVGPOOL, l, c, 2, 2, 0, SK_POOL_CEIL_MODE);
  out[n++] = rop_pool(ROP_AVGPOOL, l, c, 3, 2, 1, 0);
  out[n++] = rop_pool(ROP_GMAXPOOL, l, c, 0, 0, 0, 0);
  out[n++] = rop_pool(ROP_GAVGPOOL, l, c, 0, 0, 0, 0);
  return n;
}

uint32_t rop_in_c(const rop *o) { return o->is_conv ? o->cd.in_channels : o->pd.channels; }
uint32_t rop_out_c(const rop *o) { return o->is_conv ? o->cd.out_channels : o->pd.channels; }

size_t rop_weights_count(const rop *o) {
  if (!o->is_conv) return 0;
  const ref_conv r = ref_conv_from_desc(&o->cd);
  return ref_conv_weights_count(&r);
}

int rop_exact(const rop *o) { return !o->is_conv && o->pd.kind == SK_POOL_MAX; }

int rop_out_size(const rop *o, uint32_t h, uint32_t w, uint32_t *oh, uint32_t *ow) {
  size_t a, b;
  int ok;
  if (o->is_conv) {
    const ref_conv r = ref_conv_from_desc(&o->cd);
    ok = ref_conv_output_size(&r, h, w, &a, &b);
  } else {
    const ref_pool r = ref_pool_from_desc(&o->pd);
    ok = ref_pool_output_size(&r, h, w, &a, &b);
  }
  *oh = (uint32_t)a;
  *ow = (uint32_t)b;
  return ok;
}

sk_status rop_create(const rop *o, sk_isa isa, const float *weights, const float *bias,
                     rop_handle *h) {
  memset(h, 0, sizeof *h);
  h->is_conv = o->is_conv;
  if (o->is_conv) {
    sk_conv2d_desc d = o->cd;
    d.isa = isa;
    return sk_conv2d_create(&d, weights, bias, &h->conv);
  }
  sk_pool2d_desc d = o->pd;
  d.isa = isa;
  return sk_pool2d_create(&d, &h->pool);
}

sk_status rop_run(const rop_handle *h, uint32_t batch, uint32_t in_h, uint32_t in_w,
                  const float *in, float *out) {
  return h->is_conv ? sk_conv2d_run(h->conv, batch, in_h, in_w, in, out)
                    : sk_pool2d_run(h->pool, batch, in_h, in_w, in, out);
}

sk_status rop_output_size(const rop_handle *h, uint32_t in_h, uint32_t in_w, uint32_t *oh,
                          uint32_t *ow) {
  return h->is_conv ? sk_conv2d_output_size(h->conv, in_h, in_w, oh, ow)
                    : sk_pool2d_output_size(h->pool, in_h, in_w, oh, ow);
}

const char *rop_kernel_name(const rop_handle *h) {
  return h->is_conv ? sk_conv2d_kernel_name(h->conv) : sk_pool2d_kernel_name(h->pool);
}

void rop_destroy(rop_handle *h) {
  if (h->is_conv)
    sk_conv2d_destroy(h->conv);
  else
    sk_pool2d_destroy(h->pool);
  h->conv = NULL;
  h->pool = NULL;
}

void rop_reference(const rop *o, uint32_t batch, uint32_t in_h, uint32_t in_w, const float *in,
                   const float *weights, const float *bias, double *want, double *bound) {
  if (o->is_conv) {
    const ref_conv r = ref_conv_from_desc(&o->cd);
    ref_conv2d(&r, batch, in_h, in_w, in, weights, bias, want, bound);
  } else {
    const ref_pool r = ref_pool_from_desc(&o->pd);
    ref_pool2d(&r, batch, in_h, in_w, in, want, bound);
  }
}

void rop_describe(const rop *o, char *buf, size_t n) {
  if (o->is_conv) {
    const sk_conv2d_desc *d = &o->cd;
    snprintf(buf, n,
             "%s %s %u->%u groups %u kernel %ux%u stride %ux%u dilation %ux%u pads(t,l,b,r) "
             "%u,%u,%u,%u flags %#x act %s",
             rop_kind_name(o->kind), test_layout_name(d->layout), d->in_channels, d->out_channels,
             d->groups, d->kernel_h, d->kernel_w, d->stride_h, d->stride_w, d->dilation_h,
             d->dilation_w, d->pad_top, d->pad_left, d->pad_bottom, d->pad_right, d->flags,
             test_act_name(d->activation));
  } else {
    const sk_pool2d_desc *d = &o->pd;
    snprintf(buf, n,
             "%s %s channels %u kernel %ux%u stride %ux%u dilation %ux%u pads(t,l,b,r) "
             "%u,%u,%u,%u flags %#x act %s",
             rop_kind_name(o->kind), test_layout_name(d->layout), d->channels, d->kernel_h,
             d->kernel_w, d->stride_h, d->stride_w, d->dilation_h, d->dilation_w, d->pad_top,
             d->pad_left, d->pad_bottom, d->pad_right, d->flags, test_act_name(d->activation));
  }
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ROP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ROP_SANITIZED 1
#endif
#endif
#ifndef ROP_SANITIZED
#define ROP_SANITIZED 0
#endif

int rop_light(void) { return ROP_SANITIZED || test_quick(); }

size_t rop_isas(sk_isa out[3]) {
  const sk_isa all[3] = {SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON};
  size_t n = 0;
  for (int i = 0; i < 3; i++)
    if (sk_isa_supported(all[i])) out[n++] = all[i];
  return n;
}
