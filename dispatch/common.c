/* Shared argument checks and size formulas for dispatch/. */
#include <math.h>

#include "sk_common.h"

sk_status sk_resolve_dim(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t dilation,
                         uint32_t pad_begin, uint32_t pad_end, int same, int ceil_mode,
                         sk_dim *d) {
  if (in == 0 || kernel == 0 || stride == 0 || dilation == 0) return SK_ERR_INVALID_ARGUMENT;
  /* All arithmetic in 64 bits: every term below is < 2^34. */
  const uint64_t extent = (uint64_t)dilation * (kernel - 1) + 1;
  if (extent > UINT32_MAX) return SK_ERR_SIZE_OVERFLOW;
  uint64_t pb = pad_begin, pe = pad_end;
  if (same) {
    const uint64_t out = ((uint64_t)in + stride - 1) / stride;
    const uint64_t need = (out - 1) * stride + extent;
    const uint64_t total = need > in ? need - in : 0;
    pb = total / 2;
    pe = total - pb;
  }
  const uint64_t padded = (uint64_t)in + pb + pe;
  if (padded > UINT32_MAX) return SK_ERR_SIZE_OVERFLOW;
  if (padded < extent) return SK_ERR_INVALID_ARGUMENT;
  const uint64_t span = padded - extent;
  uint64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  /* Ceil mode: drop a last window that starts at or past in + pad_begin. */
  if (ceil_mode && (out - 1) * stride >= (uint64_t)in + pb) out--;
  d->out = (uint32_t)out; /* out <= padded <= UINT32_MAX */
  d->pad_begin = (uint32_t)pb;
  d->pad_end = (uint32_t)pe;
  return SK_OK;
}

int sk_activation_bounds(sk_activation act, float act_min, float act_max, float *lo, float *hi) {
  switch (act) {
    case SK_ACT_NONE:
      *lo = -INFINITY;
      *hi = INFINITY;
      return 1;
    case SK_ACT_RELU:
      *lo = 0.0f;
      *hi = INFINITY;
      return 1;
    case SK_ACT_RELU6:
      *lo = 0.0f;
      *hi = 6.0f;
      return 1;
    case SK_ACT_CLAMP:
      if (isnan(act_min) || isnan(act_max) || act_min > act_max) return 0;
      *lo = act_min;
      *hi = act_max;
      return 1;
  }
  return 0;
}

int sk_isa_valid(sk_isa isa) {
  switch (isa) {
    case SK_ISA_AUTO:
    case SK_ISA_SCALAR:
    case SK_ISA_AVX2:
    case SK_ISA_NEON:
      return 1;
  }
  return 0;
}

sk_status sk_isa_resolve(sk_isa requested, sk_isa *isa) {
  if (!sk_isa_valid(requested)) return SK_ERR_INVALID_ARGUMENT;
  if (requested == SK_ISA_AUTO) {
    *isa = sk_isa_best();
    return SK_OK;
  }
  if (!sk_isa_supported(requested)) return SK_ERR_UNSUPPORTED;
  *isa = requested;
  return SK_OK;
}

int sk_ranges_overlap(const void *a, size_t an, const void *b, size_t bn) {
  const uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;
  /* Ranges whose end would wrap around the address space cannot be real
   * buffers; treat them as overlapping everything. */
  if (pa + an < pa || pb + bn < pb) return 1;
  return pa < pb + bn && pb < pa + an;
}

sk_status sk_check_run_buffers(uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                               uint32_t out_h, uint32_t out_w, uint32_t out_c, const void *input,
                               const void *output, size_t *in_image, size_t *out_image) {
  size_t in_total, out_total;
  if (!sk_mul4_size(in_h, in_w, in_c, 1, in_image) ||
      !sk_mul4_size(out_h, out_w, out_c, 1, out_image) ||
      !sk_mul4_size(batch, *in_image, sizeof(float), 1, &in_total) ||
      !sk_mul4_size(batch, *out_image, sizeof(float), 1, &out_total))
    return SK_ERR_SIZE_OVERFLOW;
  if (sk_ranges_overlap(input, in_total, output, out_total)) return SK_ERR_INVALID_ARGUMENT;
  return SK_OK;
}
