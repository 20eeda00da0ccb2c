/*
 * Naive reference convolution and pooling for the tests, written straight
 * from DESIGN.md section 1 (PyTorch semantics). Accumulates in double.
 * Shares no code with dispatch/ or kernels/: only the public enum values
 * from simdkern.h are used to name layouts and activations.
 *
 * All parameters are explicit and already resolved (no "0 means 1"
 * defaults): strides, dilations and groups are >= 1.
 */
#ifndef SK_TEST_REF_H
#define SK_TEST_REF_H

#include <stddef.h>

#include "simdkern.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ref_conv {
  sk_layout layout;                 /* input and output */
  sk_weights_layout weights_layout; /* of the weights passed to ref_conv2d */
  size_t in_c, out_c, groups;
  size_t kh, kw, sh, sw, dh, dw;
  size_t pt, pl, pb, pr; /* explicit pads (ignored with same) */
  int same;              /* TensorFlow SAME padding */
  sk_activation act;
  float act_min, act_max; /* for SK_ACT_CLAMP */
} ref_conv;

typedef struct ref_pool {
  sk_pool_kind kind;
  sk_layout layout;
  size_t channels;
  int global; /* window = whole input, output 1x1; geometry fields ignored */
  size_t kh, kw, sh, sw, dh, dw;
  size_t pt, pl, pb, pr;
  int same, ceil_mode, count_include_pad;
  sk_activation act;
  float act_min, act_max;
} ref_pool;

/* The reference parameters of an API descriptor, defaults resolved as the API
 * documents them (0 means stride 1, dilation 1, groups 1; pool stride =
 * kernel). weights_layout is the descriptor's. */
ref_conv ref_conv_from_desc(const sk_conv2d_desc *d);
ref_pool ref_pool_from_desc(const sk_pool2d_desc *d);

/* One spatial dimension: output size for explicit pads (PyTorch formula,
 * optionally ceil mode). Returns 0 (and *out = 0) if the padded input is
 * smaller than the dilated kernel, else 1. */
int ref_out_dim(size_t in, size_t k, size_t s, size_t d, size_t pad_begin, size_t pad_end,
                int ceil_mode, size_t *out);

/* TensorFlow SAME: out = ceil(in / s), pads with the odd element at the end. */
void ref_same_dim(size_t in, size_t k, size_t s, size_t d, size_t *out, size_t *pad_begin,
                  size_t *pad_end);

/* Resolved pads for an input size (SAME derives them; otherwise explicit). */
void ref_conv_pads(const ref_conv *p, size_t in_h, size_t in_w, size_t *pt, size_t *pl,
                   size_t *pb, size_t *pr);
void ref_pool_pads(const ref_pool *p, size_t in_h, size_t in_w, size_t *pt, size_t *pl,
                   size_t *pb, size_t *pr);

/* Output size; returns 0 if there is no valid output (zero input size or
 * padded input smaller than the dilated kernel), else 1. */
int ref_conv_output_size(const ref_conv *p, size_t in_h, size_t in_w, size_t *out_h,
                         size_t *out_w);
int ref_pool_output_size(const ref_pool *p, size_t in_h, size_t in_w, size_t *out_h,
                         size_t *out_w);

/* Number of weights (out_c * in_c/groups * kh * kw). */
size_t ref_conv_weights_count(const ref_conv *p);

/* Convolution of batch images (layout p->layout). weights in
 * p->weights_layout; bias may be NULL. output[i] is the activated result;
 * bound[i] (if not NULL) is sum|w*x| + |bias| for that output, for the
 * tolerance |got - ref| <= 1e-5 * bound + 1e-6. Output size from
 * ref_conv_output_size (must be valid). */
void ref_conv2d(const ref_conv *p, size_t batch, size_t in_h, size_t in_w, const float *input,
                const float *weights, const float *bias, double *output, double *bound);

/* Pooling. For max, output holds the exact float result (NaN if any window
 * element is NaN; -inf for a window with no input element) and bound is 0;
 * for avg, bound is sum|x| / divisor. */
void ref_pool2d(const ref_pool *p, size_t batch, size_t in_h, size_t in_w, const float *input,
                double *output, double *bound);

/* The activation as the reference applies it (NaN passes). */
double ref_activate(double v, sk_activation act, float act_min, float act_max);

/* Tolerance for a sum-like output with the given bound. */
static inline double ref_tolerance(double bound) { return 1e-5 * bound + 1e-6; }

#ifdef __cplusplus
}
#endif

#endif /* SK_TEST_REF_H */
