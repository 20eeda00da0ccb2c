/*
 * Shared parts of the NCHW depthwise AVX2 kernels (include only from the
 * kernels/depthwise/depthwise_nchw_*_avx2.c files).
 *
 * Each channel plane is independent and vectorized over output width, 8
 * outputs per ymm. The plane is cut into bands of output rows x chunks of
 * output columns; the input rows a band reads are copied into a stack
 * scratch (at most SK_DWC_CAP floats) with the padding made explicit (zero
 * columns, zero rows), so that the register tiles (8 or 4 output rows x 8
 * outputs) have no border cases: rows and lanes past the output are computed
 * but not stored. The specialised kernels keep the padded columns in order
 * (stride 2: two loads and a shuffle deal a tap's even or odd columns); the
 * generic one splits them by stride phase (phase p holds the padded columns
 * p, p + S, ...: tap kx of output ox is element ox + kx * dil / S of phase
 * kx * dil % S, one unaligned load for 8 outputs). Small planes are copied
 * several at a time before being computed, so that no tile loads what the
 * copy has just stored; the copy serves every output channel of an input
 * channel (multiplier). No byte outside the caller's buffers is read or
 * written.
 */
#ifndef SK_DEPTHWISE_NCHW_AVX2_H
#define SK_DEPTHWISE_NCHW_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include <stddef.h>
#include <stdint.h>

#include "sk_avx2_util.h"
#include "sk_kernels.h"
#include "sk_window.h"

#if defined(__clang__)
#define SK_DWC_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define SK_DWC_UNROLL _Pragma("GCC unroll 32")
#else
#define SK_DWC_UNROLL
#endif

/* Keeps a value as computed here: SK_DWC_OPAQUE stops the compiler from
 * giving each unrolled address its own register, SK_DWC_REG from folding the
 * load that made a vector into each of its uses (indexed FMA memory operands
 * take two uops each). */
#if defined(__GNUC__)
#define SK_DWC_OPAQUE(v) __asm__("" : "+r"(v))
#define SK_DWC_REG(v) __asm__("" : "+x"(v))
#else
#define SK_DWC_OPAQUE(v) (void)0
#define SK_DWC_REG(v) (void)0
#endif

#define SK_DWC_CAP 4096 /* floats of scratch (16 KiB, on the stack) */

/* One band of one plane, as the band functions see it. */
typedef struct sk_dwc_band {
  const float *buf; /* scratch: band row i (input row oy0 * S_h - pad_top + i) at buf + i * rs */
  size_t rs;        /* floats between scratch rows */
  size_t pw;        /* floats per phase */
  const float *w;   /* tap t's weight at w[t * nr] */
  size_t nr;
  float bias;
  float *out;        /* output (oy0, ox0) */
  size_t out_w;      /* output row stride (floats) */
  size_t rows, cols; /* outputs of the band */
  __m256 lo, hi;     /* activation clamp */
  /* geometry (the generic kernel's; the specialised ones use constants) */
  size_t kh, kw, sh, sw, dh, dw;
} sk_dwc_band;

typedef void (*sk_dwc_band_fn)(const sk_dwc_band *b);

/* Runs a kernel: plans bands and chunks, copies, calls band for each output
 * channel. split: scratch rows split by stride phase (else the padded
 * columns in order, S_w * pw of them). Returns 0 (having done nothing) if
 * the window is too large for the scratch. */
int sk_dwc_nchw_drive(const sk_conv_params *p, const float *packed, const float *input,
                      float *output, int split, sk_dwc_band_fn band);

/* Stores the R accumulators of a tile: rows < nrow, the first n (1..8) lanes. */
SK_ALWAYS_INLINE void sk_dwc_store(size_t R, const __m256 *acc, float *dst, size_t out_w,
                                   size_t nrow, size_t n, __m256 lo, __m256 hi) {
  const __m256i m = sk_mask8(n);
  SK_DWC_UNROLL
  for (size_t r = 0; r < R; r++) {
    const __m256 v = sk_clamp8(acc[r], lo, hi);
    if (r < nrow) { /* (no early exit: the loop must unroll) */
      if (n == 8)
        _mm256_storeu_ps(dst + r * out_w, v);
      else
        _mm256_maskstore_ps(dst + r * out_w, m, v);
    }
  }
}

/* Even (odd = 0) or odd (odd = 1) elements of p[0..15], in the lane order
 * [0 1 4 5 2 3 6 7] (fixed at the store). */
SK_ALWAYS_INLINE __m256 sk_dwc_deal(const float *p, int odd) {
  const __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
  return odd ? _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))
             : _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
}

/*
 * A tile of R output rows x 8 outputs, kernel K x K stride S (1 or 2),
 * dilation 1 (constants): src = the tile's first output's tap (0, 0) in
 * band row r0 * S (scratch rows unsplit: the padded columns in order).
 * Kernel column kx outermost (not unrolled), its K weights in registers;
 * each scratch row loaded once per kx feeds every output row that reads it.
 * Stride 2 deals the even or odd columns of two loads (accumulators in a
 * permuted lane order, restored at the store).
 */
SK_ALWAYS_INLINE void sk_dwc_tile(size_t K, size_t S, size_t R, const sk_dwc_band *b,
                                  const float *src, float *dst, size_t nrow, size_t n) {
  const size_t NI = (R - 1) * S + K; /* scratch rows read */
  size_t ri[4] = {0, b->rs, 2 * b->rs, 3 * b->rs}, r4 = 4 * b->rs;
  SK_DWC_OPAQUE(ri[1]);
  SK_DWC_OPAQUE(ri[2]);
  SK_DWC_OPAQUE(ri[3]);
  SK_DWC_OPAQUE(r4);
  __m256 acc[8];
  const __m256 bias = _mm256_set1_ps(b->bias);
  SK_DWC_UNROLL
  for (size_t r = 0; r < R; r++) acc[r] = bias;
  const float *w = b->w;
  for (size_t kx = 0; kx < K; kx++, w += b->nr) {
    __m256 wk[5];
    SK_DWC_UNROLL
    for (size_t ky = 0; ky < K; ky++) wk[ky] = _mm256_broadcast_ss(w + ky * K * b->nr);
    const int odd = S == 2 && (kx & 1);
    const float *q = src + kx - (size_t)odd;
    SK_DWC_UNROLL
    for (size_t i = 0; i < NI; i++) {
      if (i % 4 == 0 && i != 0) q += r4;
      __m256 x = S == 1 ? _mm256_loadu_ps(q + ri[i % 4]) : sk_dwc_deal(q + ri[i % 4], odd);
      SK_DWC_REG(x); /* one load per row, however many taps use it */
      SK_DWC_UNROLL
      for (size_t r = 0; r < R; r++)
        if (i >= r * S && i - r * S < K) acc[r] = _mm256_fmadd_ps(x, wk[i - r * S], acc[r]);
    }
  }
  if (S == 2) {
    SK_DWC_UNROLL
    for (size_t r = 0; r < R; r++) /* [0 1 4 5 2 3 6 7] -> [0 .. 7] */
      acc[r] = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(acc[r]), 0xD8));
  }
  sk_dwc_store(R, acc, dst, b->out_w, nrow, n, b->lo, b->hi);
}

/* The band function of a specialised kernel: tiles of 8 rows (4 for the
 * last 1..4 rows) x 8 outputs. */
SK_ALWAYS_INLINE void sk_dwc_band_ks(size_t K, size_t S, const sk_dwc_band *b) {
  for (size_t r0 = 0; r0 < b->rows; r0 += 8) {
    const size_t nrow = b->rows - r0;
    const float *src = b->buf + r0 * S * b->rs;
    float *dst = b->out + r0 * b->out_w;
    for (size_t c0 = 0; c0 < b->cols; c0 += 8) {
      const size_t n = b->cols - c0 < 8 ? b->cols - c0 : 8;
      const float *s = src + c0 * S;
      if (nrow > 4)
        sk_dwc_tile(K, S, 8, b, s, dst + c0, nrow, n);
      else
        sk_dwc_tile(K, S, 4, b, s, dst + c0, nrow, n);
    }
  }
}

#endif /* SK_DEPTHWISE_NCHW_AVX2_H */
