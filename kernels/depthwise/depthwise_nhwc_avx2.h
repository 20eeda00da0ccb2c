/*
 * Shared parts of the NHWC depthwise AVX2 kernels (include only from the
 * kernels/depthwise/ *_avx2.c files): walking blocks of 8 output channels, a
 * per-pixel path with clipped taps, and the driver of the specialised KxK
 * stride-S kernels: a ring of accumulators sliding along RR output rows.
 *
 * Borders never copy the input: per output row, the tap rows inside the input
 * are one range; per output column, the taps inside are one range. Rows and
 * columns whose taps all lie inside run register-blocked code; the rest clip
 * their taps (the ring's prologue skips the columns left of the image).
 * Channel tails use masked loads and stores: no byte outside the buffers.
 */
#ifndef SK_DEPTHWISE_NHWC_AVX2_H
#define SK_DEPTHWISE_NHWC_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include <stddef.h>
#include <stdint.h>

#include "sk_avx2_util.h"
#include "sk_kernels.h"
#include "sk_window.h"

#define SK_DW_KMAX 5  /* largest kernel side of the specialised paths */
#define SK_DW_UWMAX 8 /* widest strip (output pixels) of any path */

#if defined(__clang__)
#define SK_DW_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define SK_DW_UNROLL _Pragma("GCC unroll 32")
#else
#define SK_DW_UNROLL
#endif

/* One block of (up to) 8 output channels oc0..oc0+7. Blocks are walked in
 * order (sk_dw_cb_first, sk_dw_cb_next) without divisions; the packed block
 * size nr is a multiple of 8. */
typedef struct sk_dw_cb {
  const float *w;   /* bias; tap t (= ky*kernel_w + kx) at w + (1 + t) * nr */
  size_t oc0;       /* first output channel */
  size_t in_off;    /* first input channel read: oc0 / mult */
  size_t phase;     /* oc0 % mult */
  size_t lane;      /* oc0 % nr */
  const float *blk; /* packed block holding oc0 */
  __m256i lmask;    /* input lanes inside the pixel (used if lmasked) */
  __m256i smask;    /* output lanes inside the pixel (used if smasked) */
  __m256i perm;     /* multiplier > 1: lane j reads input lane perm[j] */
  int lmasked, smasked, gather;
} sk_dw_cb;

static inline void sk_dw_cb_update(sk_dw_cb *cb, const sk_conv_params *p) {
  const size_t in_c = p->in_c, out_c = p->out_c, q0 = cb->in_off, oc0 = cb->oc0;
  cb->w = cb->blk + cb->lane;
  cb->lmasked = q0 + 8 > in_c;
  cb->lmask = sk_mask8(in_c - q0 < 8 ? in_c - q0 : 8);
  cb->smasked = oc0 + 8 > out_c;
  cb->smask = sk_mask8(out_c - oc0 < 8 ? out_c - oc0 : 8);
  cb->gather = p->mult != 1;
  if (cb->gather) {
    int32_t idx[8];
    size_t q = 0, r = cb->phase;
    for (size_t j = 0; j < 8; j++) {
      idx[j] = (int32_t)q; /* (oc0 + j) / mult - q0, at most 7 */
      if (++r == p->mult) {
        r = 0;
        q++;
      }
    }
    cb->perm = _mm256_loadu_si256((const __m256i *)idx);
  } else {
    cb->perm = _mm256_setzero_si256();
  }
}

static inline void sk_dw_cb_first(sk_dw_cb *cb, const sk_conv_params *p, const float *packed) {
  cb->oc0 = cb->in_off = cb->phase = cb->lane = 0;
  cb->blk = packed;
  sk_dw_cb_update(cb, p);
}

/* Advances to the next block of 8 output channels (call while oc0 + 8 < out_c). */
static inline void sk_dw_cb_next(sk_dw_cb *cb, const sk_conv_params *p) {
  cb->oc0 += 8;
  cb->lane += 8;
  if (cb->lane == p->nr) {
    cb->lane = 0;
    cb->blk += sk_packed_block_size(p);
  }
  if (p->mult == 1) {
    cb->in_off += 8;
  } else {
    cb->phase += 8;
    while (cb->phase >= p->mult) {
      cb->phase -= p->mult;
      cb->in_off++;
    }
  }
  sk_dw_cb_update(cb, p);
}

/* The input vector for the block's 8 output lanes at one pixel (src points at
 * the pixel's input channel in_off). */
SK_ALWAYS_INLINE __m256 sk_dw_load(const float *src, int masked, int gather, __m256i lmask,
                                   __m256i perm) {
  const __m256 x = masked ? _mm256_maskload_ps(src, lmask) : _mm256_loadu_ps(src);
  return gather ? _mm256_permutevar8x32_ps(x, perm) : x;
}

SK_ALWAYS_INLINE void sk_dw_store(float *dst, __m256 v, int masked, __m256i smask) {
  if (masked)
    _mm256_maskstore_ps(dst, smask, v);
  else
    _mm256_storeu_ps(dst, v);
}

/* Output columns [*ox_a, *ox_b) whose kernel_w taps all lie inside the input. */
static inline void sk_dw_interior_cols(const sk_conv_params *p, size_t *ox_a, size_t *ox_b) {
  const size_t s = p->stride_w, pl = p->pad_left, out_w = p->out_w;
  const size_t ext = (p->kernel_w - 1) * p->dil_w + 1;
  size_t a = (pl + s - 1) / s, b = 0;
  if (a > out_w) a = out_w;
  if (p->in_w + pl >= ext) b = (p->in_w + pl - ext) / s + 1;
  if (b > out_w) b = out_w;
  if (b < a) b = a;
  *ox_a = a;
  *ox_b = b;
}

/* One output pixel, one channel block, any geometry: taps clipped to the
 * input (row taps [ky_lo, ky_hi) starting at input row iy0). */
static inline void sk_dw_pixel(const sk_conv_params *p, const sk_dw_cb *cb, const float *input,
                               size_t ky_lo, size_t ky_hi, size_t iy0, size_t ox, float *dst,
                               __m256 lo, __m256 hi) {
  const size_t in_c = p->in_c, in_w = p->in_w, kw = p->kernel_w, nr = p->nr;
  size_t kx_lo, kx_hi, ix0;
  sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, kw, in_w, &kx_lo, &kx_hi, &ix0);
  const size_t row_step = p->dil_h * in_w * in_c, col_step = p->dil_w * in_c;
  const float *base = input + (iy0 * in_w + ix0) * in_c + cb->in_off;
  __m256 acc = _mm256_loadu_ps(cb->w), acc2 = _mm256_setzero_ps();
  const size_t kx_n = kx_hi - kx_lo;
  for (size_t ky = ky_lo; ky < ky_hi; ky++) {
    const float *src = base + (ky - ky_lo) * row_step; /* tap kx_lo + j at src + j * col_step */
    const float *w = cb->w + (1 + ky * kw + kx_lo) * nr;
    size_t j = 0;
    for (; j + 2 <= kx_n; j += 2) {
      acc = _mm256_fmadd_ps(
          sk_dw_load(src + j * col_step, cb->lmasked, cb->gather, cb->lmask, cb->perm),
          _mm256_loadu_ps(w + j * nr), acc);
      acc2 = _mm256_fmadd_ps(
          sk_dw_load(src + (j + 1) * col_step, cb->lmasked, cb->gather, cb->lmask, cb->perm),
          _mm256_loadu_ps(w + (j + 1) * nr), acc2);
    }
    if (j < kx_n)
      acc = _mm256_fmadd_ps(
          sk_dw_load(src + j * col_step, cb->lmasked, cb->gather, cb->lmask, cb->perm),
          _mm256_loadu_ps(w + j * nr), acc);
  }
  sk_dw_store(dst, sk_clamp8(_mm256_add_ps(acc, acc2), lo, hi), cb->smasked, cb->smask);
}

/* Border columns of one output row for one channel block. */
static inline void sk_dw_row_borders(const sk_conv_params *p, const sk_dw_cb *cb,
                                     const float *input, size_t ky_lo, size_t ky_hi, size_t iy0,
                                     size_t ox_a, size_t ox_b, float *orow, size_t oc0, __m256 lo,
                                     __m256 hi) {
  const size_t out_c = p->out_c;
  for (size_t ox = 0; ox < ox_a; ox++)
    sk_dw_pixel(p, cb, input, ky_lo, ky_hi, iy0, ox, orow + ox * out_c + oc0, lo, hi);
  for (size_t ox = ox_b; ox < p->out_w; ox++)
    sk_dw_pixel(p, cb, input, ky_lo, ky_hi, iy0, ox, orow + ox * out_c + oc0, lo, hi);
}

/* The generic kernel (depthwise_nhwc_generic_8x8_avx2.c) on output rows
 * [oy0, oy1), channel blocks from oc_begin (a multiple of 8) on: what the
 * specialised kernels hand over (border rows, the channel tail). */
void sk_dw_nhwc_generic_part(const sk_conv_params *p, const float *packed, const float *input,
                             float *output, size_t oy0, size_t oy1, size_t oc_begin);

/* ------------------------------------------------------------------------ */
/* Specialised KxK, stride S, dilation 1, multiplier 1 (K, S constant).      */

/* Keeps an offset in a register as written (stops the compiler from turning
 * every unrolled address into its own induction variable and spilling). */
#if defined(__GNUC__)
#define SK_DW_OPAQUE(v) __asm__("" : "+r"(v))
#else
#define SK_DW_OPAQUE(v) (void)0
#endif

/* Most output rows one ring pass computes, and input rows it reads. */
#define SK_DW_RRMAX 2
#define SK_DW_NIMAX (SK_DW_KMAX + (SK_DW_RRMAX - 1) * 2)

/*
 * One step of the accumulator ring along RR output rows: output t (ring slot
 * ph) of each row gets its last S input columns; each input vector loaded
 * feeds every output of the ring that reads it (any of the RR rows, any kx),
 * with the weight of that tap. Then output t of each row is stored and its
 * slot restarts from the bias for output t + A.
 * rows[i] + off[s] is the step's new column s of input row i (output row r
 * reads input rows r*S + ky).
 */
SK_ALWAYS_INLINE void sk_dw_ring_step(size_t K, size_t S, size_t RR, size_t ph,
                                      const char *const *rows, const size_t *off, const __m256 *wr,
                                      __m256 (*acc)[SK_DW_KMAX], __m256 bias, float *dst,
                                      size_t orow_step, __m256 lo, __m256 hi) {
  const size_t A = (K + S - 1) / S;
  SK_DW_UNROLL
  for (size_t i = 0; i < K + (RR - 1) * S; i++) {
    SK_DW_UNROLL
    for (size_t s = 0; s < S; s++) {
      const __m256 x = _mm256_loadu_ps((const float *)(rows[i] + off[s]));
      const size_t jj = K - S + s; /* column relative to output t's first column */
      SK_DW_UNROLL
      for (size_t r = 0; r < RR; r++) {
        if (i < r * S || i - r * S >= K) continue;
        const size_t ky = i - r * S;
        SK_DW_UNROLL
        for (size_t kx = 0; kx < K; kx++) {
          if (kx > jj || (jj - kx) % S != 0) continue;
          const size_t slot = (ph + (jj - kx) / S) % A;
          acc[r][slot] = _mm256_fmadd_ps(x, wr[ky * K + kx], acc[r][slot]);
        }
      }
    }
  }
  SK_DW_UNROLL
  for (size_t r = 0; r < RR; r++) {
    _mm256_storeu_ps(dst + r * orow_step, sk_clamp8(acc[r][ph], lo, hi));
    acc[r][ph] = bias;
  }
}

/*
 * Outputs [o0, o_end) of RR rows (1 or 2), one full channel block, all taps
 * inside the input but, with o0 = 0, columns left of the image (pad_left <=
 * K - S; the prologue skips them): a ring of A = ceil(K/S) accumulators per
 * row slides along the rows, so each input vector is loaded once; the K*K
 * weights are hoisted (the compiler keeps what fits in registers and reads
 * the rest from the stack as FMA memory operands). rows[i]: input row i of
 * the pass at the block's first channel.
 */
SK_ALWAYS_INLINE void sk_dw_ring_rows(size_t K, size_t S, size_t RR, const sk_conv_params *p,
                                      const float *w, const float *const *rows, size_t o0,
                                      size_t o_end, float *orow, __m256 lo, __m256 hi) {
  const size_t A = (K + S - 1) / S, NI = K + (RR - 1) * S;
  const size_t C = p->in_c, nr = p->nr, in_w = p->in_w;
  const size_t cb_bytes = C * sizeof(float);
  const size_t ostep = p->out_c, orow_step = p->out_w * ostep;
  const __m256 bias = _mm256_loadu_ps(w);
  __m256 wr[SK_DW_KMAX * SK_DW_KMAX];
  SK_DW_UNROLL
  for (size_t t = 0; t < K * K; t++) wr[t] = _mm256_loadu_ps(w + (1 + t) * nr);
  /* Input column of output o0's tap kx = j is c0 + j (c0 < 0 only if o0 = 0). */
  const ptrdiff_t c0 = (ptrdiff_t)(o0 * S) - (ptrdiff_t)p->pad_left;
  __m256 acc[SK_DW_RRMAX][SK_DW_KMAX];
  SK_DW_UNROLL
  for (size_t r = 0; r < RR; r++) {
    SK_DW_UNROLL
    for (size_t a = 0; a < A; a++) acc[r][a] = bias;
  }
  /* prologue: columns c0 + [0, K - S) feed outputs o0..o0+A-1 of the ring */
  SK_DW_UNROLL
  for (size_t i = 0; i < NI; i++) {
    SK_DW_UNROLL
    for (size_t j = 0; j + S < K; j++) {
      const ptrdiff_t c = c0 + (ptrdiff_t)j;
      if (c < 0 || c >= (ptrdiff_t)in_w) continue;
      const __m256 x = _mm256_loadu_ps(rows[i] + (size_t)c * C);
      SK_DW_UNROLL
      for (size_t r = 0; r < RR; r++) {
        if (i < r * S || i - r * S >= K) continue;
        const size_t ky = i - r * S;
        SK_DW_UNROLL
        for (size_t kx = 0; kx < K; kx++) {
          if (kx > j || (j - kx) % S != 0) continue;
          acc[r][(j - kx) / S] = _mm256_fmadd_ps(x, wr[ky * K + kx], acc[r][(j - kx) / S]);
        }
      }
    }
  }
  /* rb[i]: the first step's first new column, c0 + K - S >= 0 */
  const size_t col = (size_t)(c0 + (ptrdiff_t)(K - S));
  const char *rb[SK_DW_NIMAX];
  SK_DW_UNROLL
  for (size_t i = 0; i < NI; i++) rb[i] = (const char *)(rows[i] + col * C);
  size_t off[2]; /* S <= 2 */
  SK_DW_UNROLL
  for (size_t s = 0; s < S; s++) off[s] = s * cb_bytes;
  const size_t step = S * cb_bytes;
  float *dst = orow + o0 * ostep;
  size_t t = o0;
  for (; t + A <= o_end; t += A) {
    SK_DW_UNROLL
    for (size_t ph = 0; ph < A; ph++) {
      sk_dw_ring_step(K, S, RR, ph, rb, off, wr, acc, bias, dst, orow_step, lo, hi);
      SK_DW_UNROLL
      for (size_t s = 0; s < S; s++) {
        off[s] += step;
        SK_DW_OPAQUE(off[s]);
      }
      dst += ostep;
    }
  }
  SK_DW_UNROLL
  for (size_t ph = 0; ph + 1 < A; ph++) {
    if (t + ph < o_end) {
      sk_dw_ring_step(K, S, RR, ph, rb, off, wr, acc, bias, dst, orow_step, lo, hi);
      SK_DW_UNROLL
      for (size_t s = 0; s < S; s++) off[s] += step;
      dst += ostep;
    }
  }
}

/*
 * Output columns per chunk, so that the cache lines a chunk touches (NI input
 * rows and RR output rows; two channel blocks share a pixel's 64-byte line)
 * stay in L1 while the channel blocks pass over them. A pixel stride that is
 * a multiple of 128 bytes maps a row onto a fraction of the L1 sets, which
 * shrinks the budget by that fraction. At least 8 outputs.
 */
#define SK_DW_CHUNK_BYTES 12288

static inline size_t sk_dw_chunk_width(size_t K, size_t S, size_t RR, size_t C) {
  const size_t px_bytes = C * 4 < 64 ? C * 4 : 64; /* bytes of a pixel one pass touches */
  size_t sets = 64;                                /* of 64 L1 sets, those a row maps to */
  if ((C * 4) % 64 == 0) {
    size_t a = (C * 4 / 64) % 64, b = 64; /* sets = 64 / gcd(line stride, 64) */
    while (a != 0) {
      const size_t t = b % a;
      b = a;
      a = t;
    }
    sets = 64 / b;
  }
  const size_t budget = SK_DW_CHUNK_BYTES / 64 * sets / px_bytes; /* pixels */
  const size_t ni = K + (RR - 1) * S, halo = ni * (K - S), per_out = ni * S + RR;
  return budget > halo + 8 * per_out ? (budget - halo) / per_out : 8;
}

/* RR output rows from oy (all tap rows inside the input), the full channel
 * blocks, in chunks of columns: rings over [o0, o_main), per-pixel clipped
 * taps for the borders [0, o0) and [o_main, out_w). */
SK_ALWAYS_INLINE void sk_dw_pass(size_t K, size_t S, size_t RR, const sk_conv_params *p,
                                 const float *packed, const float *input, float *output, size_t oy,
                                 size_t o0, size_t o_main, size_t cw, __m256 lo, __m256 hi) {
  const size_t C = p->in_c, in_w = p->in_w, out_w = p->out_w, c_full = C / 8 * 8;
  const float *rows[SK_DW_NIMAX];
  for (size_t i = 0; i < K + (RR - 1) * S; i++)
    rows[i] = input + (oy * S - p->pad_top + i) * in_w * C;
  float *orow = output + oy * out_w * C;
  for (size_t oa = o0; oa < o_main; oa += cw) {
    const size_t ob = o_main - oa < cw ? o_main : oa + cw;
    sk_dw_cb cb;
    sk_dw_cb_first(&cb, p, packed);
    for (size_t c0 = 0; c0 < c_full; c0 += 8) {
      if (c0 != 0) sk_dw_cb_next(&cb, p);
      const float *r[SK_DW_NIMAX];
      for (size_t i = 0; i < K + (RR - 1) * S; i++) r[i] = rows[i] + c0;
      sk_dw_ring_rows(K, S, RR, p, cb.w, r, oa, ob, orow + c0, lo, hi);
    }
  }
  if (o0 == 0 && o_main == out_w) return;
  sk_dw_cb cb;
  sk_dw_cb_first(&cb, p, packed);
  for (size_t c0 = 0; c0 < c_full; c0 += 8) {
    if (c0 != 0) sk_dw_cb_next(&cb, p);
    for (size_t rr = 0; rr < RR; rr++) {
      const size_t iy = (oy + rr) * S - p->pad_top;
      float *o = orow + rr * out_w * C + c0;
      for (size_t ox = 0; ox < o0; ox++)
        sk_dw_pixel(p, &cb, input, 0, K, iy, ox, o + ox * C, lo, hi);
      for (size_t ox = o_main; ox < out_w; ox++)
        sk_dw_pixel(p, &cb, input, 0, K, iy, ox, o + ox * C, lo, hi);
    }
  }
}

/*
 * Specialised KxK, stride S, dilation 1, multiplier 1 driver: the rows whose
 * tap rows all lie inside the input run the ring over the full channel
 * blocks, RR rows at a time (the last group moved up to end with them: it
 * recomputes rows with the same sums); border rows, the last partial channel
 * block (C % 8), and everything if fewer than RR rows qualify, go to the
 * generic kernel.
 */
SK_ALWAYS_INLINE void sk_dw_nhwc_ks(size_t K, size_t S, size_t RR, const sk_conv_params *p,
                                    const float *packed, const float *input, float *output) {
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t in_w = p->in_w, out_w = p->out_w, pl = p->pad_left, pt = p->pad_top;
  const size_t C = p->in_c, c_full = C / 8 * 8;
  size_t ox_a, ox_b;
  sk_dw_interior_cols(p, &ox_a, &ox_b);
  /* The rings start at output 0 if its left padding fits their prologue,
   * else at ox_a, and end at o_main: the outputs that read no column right
   * of the input. */
  const size_t o0 = pl <= K - S ? 0 : ox_a;
  size_t o_main = in_w + pl >= K ? (in_w + pl - K) / S + 1 : 0;
  if (o_main > out_w) o_main = out_w;
  if (o_main < o0) o_main = o0;
  /* chunk width: the chunks as even as possible */
  size_t cw = sk_dw_chunk_width(K, S, RR, C);
  const size_t ring_w = o_main - o0, nchunks = ring_w / cw + (ring_w % cw != 0);
  if (nchunks > 0) cw = ring_w / nchunks + (ring_w % nchunks != 0);
  if (cw == 0) cw = 1;
  /* rows [oy_a, oy_b) have all K tap rows inside the input */
  size_t oy_a = (pt + S - 1) / S, oy_b = p->in_h + pt >= K ? (p->in_h + pt - K) / S + 1 : 0;
  if (oy_b > p->out_h) oy_b = p->out_h;
  if (oy_a > oy_b) oy_a = oy_b;
  if (oy_b - oy_a < RR) oy_b = oy_a; /* too few: all generic */
  if (oy_a > 0) sk_dw_nhwc_generic_part(p, packed, input, output, 0, oy_a, 0);
  if (c_full != 0 && oy_b > oy_a) {
    for (size_t oy = oy_a;; oy += RR) {
      if (oy + RR > oy_b) oy = oy_b - RR;
      sk_dw_pass(K, S, RR, p, packed, input, output, oy, o0, o_main, cw, lo, hi);
      if (oy + RR == oy_b) break;
    }
  }
  if (c_full != C) sk_dw_nhwc_generic_part(p, packed, input, output, oy_a, oy_b, c_full);
  if (oy_b < p->out_h) sk_dw_nhwc_generic_part(p, packed, input, output, oy_b, p->out_h, 0);
}

#endif /* SK_DEPTHWISE_NHWC_AVX2_H */
