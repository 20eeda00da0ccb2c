/* Internal helpers shared by dispatch/ sources: checked size arithmetic,
 * output-size formulas, activation bounds. Not used by kernels/. */
#ifndef SK_COMMON_H
#define SK_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "simdkern.h"

/* *r = a * b; returns 0 on size_t overflow. */
static inline int sk_mul_size(size_t a, size_t b, size_t *r) {
#if defined(__GNUC__) || defined(__clang__)
  return !__builtin_mul_overflow(a, b, r);
#else
  if (a != 0 && b > SIZE_MAX / a) return 0;
  *r = a * b;
  return 1;
#endif
}

/* *r = a * b * c * d (size_t, checked). */
static inline int sk_mul4_size(size_t a, size_t b, size_t c, size_t d, size_t *r) {
  size_t t;
  return sk_mul_size(a, b, &t) && sk_mul_size(t, c, &t) && sk_mul_size(t, d, r);
}

/* Geometry of one spatial dimension, resolved for an input size. */
typedef struct sk_dim {
  uint32_t out;
  uint32_t pad_begin, pad_end;
} sk_dim;

/*
 * Resolves one spatial dimension (PyTorch semantics, DESIGN.md section 1).
 * same: TensorFlow SAME padding (pads computed from in); ceil: pooling ceil
 * mode. Returns SK_OK, SK_ERR_INVALID_ARGUMENT (in == 0 or a padded input
 * smaller than the dilated kernel) or SK_ERR_SIZE_OVERFLOW (in + pads or the
 * dilated kernel extent beyond 32 bits).
 */
sk_status sk_resolve_dim(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t dilation,
                         uint32_t pad_begin, uint32_t pad_end, int same, int ceil_mode,
                         sk_dim *d);

/* Activation -> [lo, hi]; returns 0 for an invalid activation or bounds. */
int sk_activation_bounds(sk_activation act, float act_min, float act_max, float *lo, float *hi);

/* Nonzero if isa is one of the sk_isa values. */
int sk_isa_valid(sk_isa isa);

/* Resolves a requested ISA (AUTO -> best) to a concrete supported one.
 * Returns SK_ERR_INVALID_ARGUMENT for unknown values, SK_ERR_UNSUPPORTED for
 * an ISA this build or CPU lacks. */
sk_status sk_isa_resolve(sk_isa requested, sk_isa *isa);

/* The run-time buffer checks shared by conv and pool: per-image element
 * counts (set in *in_image, *out_image) and whole-batch byte sizes must fit
 * in size_t (else SK_ERR_SIZE_OVERFLOW), and input and output must not
 * overlap (else SK_ERR_INVALID_ARGUMENT). Touches no buffer. */
sk_status sk_check_run_buffers(uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                               uint32_t out_h, uint32_t out_w, uint32_t out_c, const void *input,
                               const void *output, size_t *in_image, size_t *out_image);

/* Nonzero if [a, a+an) and [b, b+bn) (bytes) overlap. */
int sk_ranges_overlap(const void *a, size_t an, const void *b, size_t bn);

#endif /* SK_COMMON_H */
