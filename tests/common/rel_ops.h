/*
 * Op configurations shared by the reliability tests (test_guard, test_threads,
 * test_alloc, test_numerics): one value describing any op (conv or pool),
 * created and run through the public API, with its reference result (tests/ref).
 */
#ifndef SK_TEST_REL_OPS_H
#define SK_TEST_REL_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "simdkern.h"

/* The op families, each with its own kernel table entry per layout and ISA. */
typedef enum rop_kind {
  ROP_DIRECT,    /* KxK, groups 1 */
  ROP_POINTWISE, /* 1x1 */
  ROP_DEPTHWISE, /* groups == in_channels > 1, any multiplier */
  ROP_GROUPED,   /* 1 < groups < in_channels (direct or pointwise kernel) */
  ROP_MAXPOOL,
  ROP_AVGPOOL,
  ROP_GMAXPOOL, /* SK_POOL_GLOBAL */
  ROP_GAVGPOOL,
  ROP_KINDS
} rop_kind;

typedef struct rop {
  rop_kind kind;
  int is_conv;
  sk_conv2d_desc cd; /* is_conv */
  sk_pool2d_desc pd; /* !is_conv */
} rop;

/* A created op. */
typedef struct rop_handle {
  int is_conv;
  sk_conv2d *conv;
  sk_pool2d *pool;
} rop_handle;

const char *rop_kind_name(rop_kind k);

/* Descriptors with every default spelled out (groups, strides, dilations 1;
 * pool stride = kernel), NHWC/OIHW, no activation, SK_ISA_AUTO. */
rop rop_conv(rop_kind kind, sk_layout layout, uint32_t in_c, uint32_t out_c, uint32_t groups,
             uint32_t kh, uint32_t kw, uint32_t stride, uint32_t pad);
rop rop_pool(rop_kind kind, sk_layout layout, uint32_t channels, uint32_t k, uint32_t stride,
             uint32_t pad, uint32_t flags);

/* The standard list: every family and every kernel variant dispatch or a
 * kernel picks by shape (depthwise 3x3/5x5 stride 1/2, generic, multiplier
 * 2; direct stride 1/2, asymmetric; pointwise stride 1/2; grouped; max/avg
 * pooling with stride 1/2, ceil, count_include_pad; global max/avg), each
 * with `channels` channels (depthwise: at least 2). Returns the count
 * (<= ROP_STANDARD_MAX). */
#define ROP_STANDARD_MAX 24
size_t rop_standard(sk_layout layout, uint32_t channels, rop *out);
/* The same, including ops this build left out (SIMDKERN_ENABLE_POOLING/DEPTHWISE=OFF), which
 * rop_standard drops. */
size_t rop_standard_all(sk_layout layout, uint32_t channels, rop *out);

uint32_t rop_in_c(const rop *o);
uint32_t rop_out_c(const rop *o);
/* Weights count of a conv op (0 for pooling). */
size_t rop_weights_count(const rop *o);
/* Max pooling compares exactly; the rest within the sum tolerance. */
int rop_exact(const rop *o);
/* Output size (reference formulas); 0 if the input is too small. */
int rop_out_size(const rop *o, uint32_t h, uint32_t w, uint32_t *oh, uint32_t *ow);

/* Create with desc.isa = isa (weights/bias ignored for pooling). */
sk_status rop_create(const rop *o, sk_isa isa, const float *weights, const float *bias,
                     rop_handle *h);
sk_status rop_run(const rop_handle *h, uint32_t batch, uint32_t in_h, uint32_t in_w,
                  const float *in, float *out);
sk_status rop_output_size(const rop_handle *h, uint32_t in_h, uint32_t in_w, uint32_t *oh,
                          uint32_t *ow);
const char *rop_kernel_name(const rop_handle *h);
void rop_destroy(rop_handle *h);

/* The reference result of batch images (bound: see ref.h; may be NULL). */
void rop_reference(const rop *o, uint32_t batch, uint32_t in_h, uint32_t in_w, const float *in,
                   const float *weights, const float *bias, double *want, double *bound);

/* "direct NHWC 8->16 g1 3x3 s1 d1 pads 1,1,1,1 act none" and so on. */
void rop_describe(const rop *o, char *buf, size_t n);

/* Nonzero in quick mode (SIMDKERN_TEST_QUICK=1, qemu) and in sanitizer builds (ASan, TSan:
 * 5-20x slower, at -O0 for ASan): the sweeps then keep a representative subset. */
int rop_light(void);

/* The concrete ISAs ops can be created with here (scalar first). */
size_t rop_isas(sk_isa out[3]);

#endif /* SK_TEST_REL_OPS_H */
