/*
 * Internal helpers for kernels: which taps of a window fall inside the input
 * (tap ranges per output coordinate, output ranges per tap). All arithmetic
 * is unsigned and wrap-free, in padded coordinates (input at [pad, pad + in)).
 */
#ifndef SK_WINDOW_H
#define SK_WINDOW_H

#include <stddef.h>

#if defined(__GNUC__)
#define SK_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define SK_ALWAYS_INLINE static inline
#endif

/*
 * Taps k in [0, k_n) of output coordinate o read padded coordinate
 * o*stride + k*dil. Sets [*k_lo, *k_hi) to the taps that land inside the
 * input and *i_lo to the input index of tap *k_lo (0 if the range is empty,
 * so pointers built from it stay in bounds).
 */
static inline void sk_tap_range(size_t o, size_t stride, size_t pad, size_t dil, size_t k_n,
                                size_t in, size_t *k_lo, size_t *k_hi, size_t *i_lo) {
  const size_t start = o * stride;
  const size_t end = pad + in; /* exclusive */
  size_t lo = 0, hi = 0;
  if (start < end) {
    if (start < pad) lo = dil == 1 ? pad - start : (pad - start + dil - 1) / dil;
    hi = dil == 1 ? end - start : (end - 1 - start) / dil + 1;
    if (hi > k_n) hi = k_n;
    if (lo > hi) lo = hi;
  }
  *k_lo = lo;
  *k_hi = hi;
  *i_lo = lo < hi ? start + lo * dil - pad : 0;
}

/*
 * Outputs o in [0, out_n) whose tap at offset t (= k*dil) reads padded
 * coordinate o*stride + t. Sets [*o_lo, *o_hi) to the outputs for which it
 * lands inside the input and *i_lo to the input index read by *o_lo (0 if
 * the range is empty).
 */
static inline void sk_out_range(size_t t, size_t stride, size_t pad, size_t in, size_t out_n,
                                size_t *o_lo, size_t *o_hi, size_t *i_lo) {
  const size_t end = pad + in; /* exclusive */
  size_t lo = 0, hi = 0;
  if (t < end) {
    if (t < pad) lo = stride == 1 ? pad - t : (pad - t + stride - 1) / stride;
    hi = stride == 1 ? end - t : (end - 1 - t) / stride + 1;
    if (hi > out_n) hi = out_n;
    if (lo > hi) lo = hi;
  }
  *o_lo = lo;
  *o_hi = hi;
  *i_lo = lo < hi ? lo * stride + t - pad : 0;
}

#endif /* SK_WINDOW_H */
