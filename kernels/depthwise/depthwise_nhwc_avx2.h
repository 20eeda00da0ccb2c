/*
 * Shared parts of the NHWC depthwise AVX2 kernels (include only from the
 * kernels/depthwise/depthwise_nhwc_*_avx2.c files).
 *
 * Specialised K x K stride S kernels (dilation 1, multiplier 1): an output
 * row is cut into slots of 8 output pixels; a slot runs a group (8
 * accumulators) over every block of 8 channels before the next slot starts,
 * so the input pixels it reads are used by all blocks while in L1 (3x3 on
 * channels a multiple of 512, or 256 at stride 2: two halves of 4 pixels x
 * 16 channels, see sk_dw_group4x16). Per tap
 * row, a group loads the row's K weights once and each input column once,
 * feeding every output of the group that reads it. Tap rows outside the
 * input are skipped (the tap-row loop runs over the valid ones only); the
 * columns of the first and last slots that lie in the padding are skipped
 * at compile time (variants for up to K / 2 such columns). What remains (the
 * channel tail C % 8, wider pads, rows narrower than the slots) loads each
 * column through a table made once per call: a byte offset clamped into the
 * row and the lanes to load (none for columns outside the input: zeros).
 * Tiles of slots x rows keep a row's input in L1 for the next output rows.
 * No byte outside the caller's buffers is read or written.
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

#if defined(__clang__)
#define SK_DW_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define SK_DW_UNROLL _Pragma("GCC unroll 32")
#else
#define SK_DW_UNROLL
#endif

/* Keeps v in a register here: stops the compiler from folding the load that
 * made it into each of its uses (a load per FMA, and indexed FMA memory
 * operands take two uops each). */
#if defined(__GNUC__)
#define SK_DW_REG(v) __asm__("" : "+x"(v))
#else
#define SK_DW_REG(v) (void)0
#endif

/* Keeps a pointer as computed here (stops the compiler from giving each
 * unrolled address its own register). */
#if defined(__GNUC__)
#define SK_DW_OPAQUE(v) __asm__("" : "+r"(v))
#else
#define SK_DW_OPAQUE(v) (void)0
#endif

#define SK_DW_W 8                           /* output pixels per group */
#define SK_DW_NJMAX ((SK_DW_W - 1) * 2 + 5) /* input columns of a group, K <= 5, S <= 2 */
#define SK_DW_NTAB 4                        /* most table groups per row (narrow rows) */

/* Column j of a table group loads base + off[j] bytes with lanes mask[t][j]
 * (t = 0: a full block of 8 channels, 1: the channel tail; no lanes for
 * columns outside the input). */
typedef struct sk_dw_tab {
  __m256i mask[2][SK_DW_NJMAX];
  ptrdiff_t off[SK_DW_NJMAX];
} sk_dw_tab;

/*
 * One call's geometry (made by sk_dw_nhwc_drive). A row is cut into slots of
 * 8 outputs: slot s < n_grid covers outputs from 8 s and reads only columns
 * inside the input, but for the first L (left padding); then nright (0..2)
 * slots cover the outputs left, the last one ending at out_w (overlapping its
 * neighbour), slot n_grid + r from right_pos[r], its last right_R[r] columns
 * in the padding. Full channel blocks load directly (skipping the columns in
 * the padding), the channel tail through tables: tab[0] for slot 0 if L > 0,
 * tab[1 + r] for right slot r (offsets from the row's column 0), tab[3] for
 * the other slots (offsets from the slot's first column). Rows too narrow
 * for this ("narrow") run every block of slot s (from 8 s) through tab[s].
 */
typedef struct sk_dw_ctx {
  const float *input, *packed; /* packed block b (channels 8b..): bias, then taps */
  float *output;
  size_t bsize;      /* floats per packed block */
  size_t nfull, ncb; /* full channel blocks, all blocks (with the tail) */
  size_t cs, rs;     /* pixel and input row strides, bytes */
  size_t out_w, in_h, pad_top, pad_left;
  size_t nslot, n_grid, L, nright, right_pos[2], right_R[2];
  int narrow;    /* see above */
  int n7;        /* narrow, 7 outputs, L = K / 2, R7 = K / 2 - 1 or K / 2: one direct slot */
  size_t R7;     /* that slot's columns right of the input */
  int prefetch;  /* stride 1, input past L2: prefetch the next output row's new input row */
  int pairs;     /* 3x3, channels a multiple of 512 (or 256 at stride 2): 4x16 groups */
  __m256i smask; /* output lanes of the channel tail */
  __m256 lo, hi; /* activation clamp */
  sk_dw_tab tab[SK_DW_NTAB];
} sk_dw_ctx;

/* Output rows [oy0, oy1), slots [s0, s1), all channels. */
typedef void (*sk_dw_tile_fn)(const sk_dw_ctx *c, size_t oy0, size_t oy1, size_t s0, size_t s1);

/* Runs a specialised kernel: sets up c, calls tile over bands of rows and
 * chunks of slots (so that the input a tile reads stays in L1 from one
 * output row to the next, and a band's in L2). Returns 0 (having done
 * nothing) for geometries the slots do not cover (pads of K or more, rows
 * narrower than 33 outputs that need more than the tables). */
int sk_dw_nhwc_drive(const sk_conv_params *p, const float *packed, const float *input,
                     float *output, size_t K, size_t S, sk_dw_tile_fn tile);

/* Stores the 8 accumulators of a group (n of them, lanes smask if masked). */
SK_ALWAYS_INLINE void sk_dw_group_store(size_t NO, int masked, const __m256 *acc, float *dst,
                                        size_t cs, size_t n, __m256i smask, __m256 lo, __m256 hi) {
  SK_DW_UNROLL
  for (size_t o = 0; o < NO; o++) {
    float *d = (float *)((char *)dst + o * cs);
    const __m256 v = sk_clamp8(acc[o], lo, hi);
    if (!masked)
      _mm256_storeu_ps(d, v);
    else if (o < n)
      _mm256_maskstore_ps(d, smask, v);
  }
}

/*
 * One group of NO (<= 8) output pixels x 8 channels, kernel K x K, stride S
 * (all constant): input column j (0 <= j < NJ) feeds output o = (j - kx) / S
 * with tap kx. nky tap rows, rs bytes apart, weights at w (tap (ky, kx) at
 * w + (ky * K + kx) * 8). Direct (masked = 0): the first L and last R
 * columns lie in the padding (skipped: zeros), column j >= L loads at
 * in + (j - L) * cs. masked: column j loads at in + off[j] with lanes
 * mask[j]; n outputs stored with lanes smask.
 */
SK_ALWAYS_INLINE void sk_dw_group(size_t K, size_t S, size_t NO, size_t L, size_t R, int masked,
                                  const char *in, size_t cs, size_t rs, size_t nky, const float *w,
                                  __m256 bias, const ptrdiff_t *off, const __m256i *mask,
                                  float *dst, size_t n, __m256i smask, __m256 lo, __m256 hi) {
  const size_t NJ = (NO - 1) * S + K;
  /* column L + i at q + ci[i % 4], q advancing by 4 columns: base + index
   * addressing, the multiples of cs opaque so that they stay so */
  size_t ci[4] = {0, cs, 2 * cs, 3 * cs}, c4 = 4 * cs;
  SK_DW_OPAQUE(ci[1]);
  SK_DW_OPAQUE(ci[2]);
  SK_DW_OPAQUE(ci[3]);
  SK_DW_OPAQUE(c4);
  __m256 acc[SK_DW_W];
  SK_DW_UNROLL
  for (size_t o = 0; o < NO; o++) acc[o] = bias;
  for (size_t r = 0; r < nky; r++) {
    __m256 wk[5];
    SK_DW_UNROLL
    for (size_t kx = 0; kx < K; kx++) wk[kx] = _mm256_loadu_ps(w + kx * 8);
    const char *q = in;
    SK_DW_UNROLL
    for (size_t j = L; j < NJ - R; j++) {
      if (!masked && (j - L) % 4 == 0 && j != L) q += c4;
      __m256 x = masked ? _mm256_maskload_ps((const float *)(in + off[j]), mask[j])
                        : _mm256_loadu_ps((const float *)(q + ci[(j - L) % 4]));
      SK_DW_REG(x); /* one load per column, however many taps use it */
      SK_DW_UNROLL
      for (size_t kx = 0; kx < K; kx++) {
        if (j >= kx && (j - kx) % S == 0 && (j - kx) / S < NO)
          acc[(j - kx) / S] = _mm256_fmadd_ps(x, wk[kx], acc[(j - kx) / S]);
      }
    }
    in += rs;
    w += K * 8;
  }
  sk_dw_group_store(NO, masked, acc, dst, cs, n, smask, lo, hi);
}

/*
 * sk_dw_group's direct case for 4 output pixels x 16 channels (blocks w0 and w1 of the packed
 * weights, K <= 3): each input line's two halves feed their blocks back to back. Pixels 2 KB
 * apart (channels a multiple of 512) put a channel block's columns in 2 of L1's 64 sets: an
 * 8-pixel group's 30 lines were gone from L1 when the next block read their other halves (dw
 * 3x3 s1 on 512 channels, 14x14, ran 1.45x slower per FLOP than on 520). Used for channels a
 * multiple of 512 (1.09-1.17x on 512 and 1024 channels, median of 11 interleaved runs; 256
 * channels, 4 sets, lost: 0.88x), and for 256 channels at stride 2 (see sk_dw_nhwc_drive).
 */
SK_ALWAYS_INLINE void sk_dw_group4x16(size_t K, size_t S, size_t L, size_t R, const char *in,
                                      size_t cs, size_t rs, size_t nky, const float *w0,
                                      const float *w1, __m256 b0, __m256 b1, float *dst, __m256 lo,
                                      __m256 hi) {
  const size_t NO = 4, NJ = (NO - 1) * S + K;
  size_t ci[4] = {0, cs, 2 * cs, 3 * cs}, c4 = 4 * cs;
  SK_DW_OPAQUE(ci[1]);
  SK_DW_OPAQUE(ci[2]);
  SK_DW_OPAQUE(ci[3]);
  SK_DW_OPAQUE(c4);
  __m256 a[4], b[4];
  SK_DW_UNROLL
  for (size_t o = 0; o < NO; o++) a[o] = b0, b[o] = b1;
  for (size_t r = 0; r < nky; r++) {
    __m256 u[3], v[3];
    SK_DW_UNROLL
    for (size_t kx = 0; kx < K; kx++) u[kx] = _mm256_loadu_ps(w0 + kx * 8);
    SK_DW_UNROLL
    for (size_t kx = 0; kx < K; kx++) v[kx] = _mm256_loadu_ps(w1 + kx * 8);
    const char *q = in;
    SK_DW_UNROLL
    for (size_t j = L; j < NJ - R; j++) {
      if ((j - L) % 4 == 0 && j != L) q += c4;
      const float *col = (const float *)(q + ci[(j - L) % 4]);
      __m256 x = _mm256_loadu_ps(col);
      SK_DW_REG(x);
      SK_DW_UNROLL
      for (size_t kx = 0; kx < K; kx++)
        if (j >= kx && (j - kx) % S == 0 && (j - kx) / S < NO)
          a[(j - kx) / S] = _mm256_fmadd_ps(x, u[kx], a[(j - kx) / S]);
      __m256 y = _mm256_loadu_ps(col + 8);
      SK_DW_REG(y);
      SK_DW_UNROLL
      for (size_t kx = 0; kx < K; kx++)
        if (j >= kx && (j - kx) % S == 0 && (j - kx) / S < NO)
          b[(j - kx) / S] = _mm256_fmadd_ps(y, v[kx], b[(j - kx) / S]);
    }
    in += rs;
    w0 += K * 8;
    w1 += K * 8;
  }
  SK_DW_UNROLL
  for (size_t o = 0; o < NO; o++) {
    float *d = (float *)((char *)dst + o * cs);
    _mm256_storeu_ps(d, sk_clamp8(a[o], lo, hi));
    _mm256_storeu_ps(d + 8, sk_clamp8(b[o], lo, hi));
  }
}

/* A group through a table (sk_dw_group with masked = 1, out of line: one
 * per kernel file). blk: the channel block's packed weights. */
typedef void (*sk_dw_masked_fn)(const sk_dw_ctx *c, const char *base, const sk_dw_tab *t, int tail,
                                size_t nky, const float *blk, size_t wofs, char *dst, size_t n);

SK_ALWAYS_INLINE void sk_dw_masked(size_t K, size_t S, const sk_dw_ctx *c, const char *base,
                                   const sk_dw_tab *t, int tail, size_t nky, const float *blk,
                                   size_t wofs, char *dst, size_t n) {
  sk_dw_group(K, S, SK_DW_W, 0, 0, 1, base, c->cs, c->rs, nky, blk + wofs, _mm256_loadu_ps(blk),
              t->off, t->mask[tail], (float *)dst, n, tail ? c->smask : _mm256_set1_epi32(-1),
              c->lo, c->hi);
}

/* All channel blocks of one slot: the full ones load directly from in (the
 * slot's first column inside: its output 0's tap 0 plus L columns), the
 * channel tail through table t (offsets from tbase). */
SK_ALWAYS_INLINE void sk_dw_slot(size_t K, size_t S, size_t NO, size_t L, size_t R,
                                 sk_dw_masked_fn masked, const sk_dw_ctx *c, const char *in,
                                 const char *tbase, const sk_dw_tab *t, size_t nky, size_t wofs,
                                 char *dst) {
  const size_t cs = c->cs, rs = c->rs, bsize = c->bsize, nfull = c->nfull;
  const float *blk = c->packed;
  if (K <= 3 && NO == SK_DW_W && c->pairs) { /* pairs of blocks, 4x16 groups (no tail) */
    const char *in1 = in + (4 * S - L) * cs; /* the second half's first column */
    for (size_t cb = 0; cb < nfull; cb += 2, blk += 2 * bsize, in += 64, in1 += 64, dst += 64) {
      const float *blk1 = blk + bsize;
      const __m256 b0 = _mm256_loadu_ps(blk), b1 = _mm256_loadu_ps(blk1);
      sk_dw_group4x16(K, S, L, 0, in, cs, rs, nky, blk + wofs, blk1 + wofs, b0, b1, (float *)dst,
                      c->lo, c->hi);
      sk_dw_group4x16(K, S, 0, R, in1, cs, rs, nky, blk + wofs, blk1 + wofs, b0, b1,
                      (float *)(dst + 4 * cs), c->lo, c->hi);
    }
    return;
  }
  for (size_t cb = 0; cb < nfull; cb++, blk += bsize, in += 32, dst += 32)
    sk_dw_group(K, S, NO, L, R, 0, in, cs, rs, nky, blk + wofs, _mm256_loadu_ps(blk), NULL, NULL,
                (float *)dst, NO, c->smask, c->lo, c->hi);
  if (nfull < c->ncb) masked(c, tbase + nfull * 32, t, 1, nky, blk, wofs, dst, NO);
}

/* Prefetches the input columns [col, col + n) of the row at pf (if on). */
SK_ALWAYS_INLINE void sk_dw_prefetch(const sk_dw_ctx *c, uintptr_t pf, size_t col, size_t n) {
  if (!c->prefetch) return;
  const uintptr_t a = pf + col * c->cs, e = a + n * c->cs;
  for (uintptr_t q = a; q < e; q += 64) _mm_prefetch((const char *)q, _MM_HINT_T0);
}

/* The tile function of a specialised kernel (see sk_dw_tile_fn): direct
 * slots for L, R in {0, 1} (3x3) or {0, 1, 2} (5x5), tables for the rest. */
SK_ALWAYS_INLINE void sk_dw_tile(size_t K, size_t S, sk_dw_masked_fn masked, const sk_dw_ctx *c,
                                 size_t oy0, size_t oy1, size_t s0, size_t s1) {
  const size_t cs = c->cs, pl = c->pad_left, n_grid = c->n_grid;
  for (size_t oy = oy0; oy < oy1; oy++) {
    size_t ky_lo, ky_hi, iy0;
    sk_tap_range(oy, S, c->pad_top, 1, K, c->in_h, &ky_lo, &ky_hi, &iy0);
    const size_t nky = ky_hi - ky_lo, wofs = 8 + ky_lo * K * 8;
    const char *in_row = (const char *)c->input + iy0 * c->rs;
    char *out_row = (char *)c->output + oy * c->out_w * cs;
    /* the next output row's new input row (prefetched along) */
    const uintptr_t pf = (uintptr_t)in_row + (nky + S - 1) * c->rs;
    size_t s = s0;
    if (c->narrow && c->n7) { /* one slot of 7 outputs: L = K / 2, R = K / 2 - 1 or K / 2 */
      if (c->R7 < K / 2)
        sk_dw_slot(K, S, 7, K / 2, K / 2 - 1, masked, c, in_row, in_row, &c->tab[0], nky, wofs,
                   out_row);
      else
        sk_dw_slot(K, S, 7, K / 2, K / 2, masked, c, in_row, in_row, &c->tab[0], nky, wofs,
                   out_row);
      continue;
    }
    if (c->narrow) { /* every block of slot s through table s */
      for (; s < s1; s++) {
        const size_t pos = s * SK_DW_W, left = c->out_w - pos, n = left < SK_DW_W ? left : SK_DW_W;
        const float *blk = c->packed;
        for (size_t cb = 0; cb < c->ncb; cb++, blk += c->bsize)
          masked(c, in_row + cb * 32, &c->tab[s], cb == c->nfull, nky, blk, wofs,
                 out_row + pos * cs + cb * 32, n);
      }
      continue;
    }
    if (s == 0 && c->L > 0) { /* columns from -L: the first inside is column 0 */
      sk_dw_prefetch(c, pf, 0, SK_DW_W * S);
      if (c->L == 1)
        sk_dw_slot(K, S, SK_DW_W, 1, 0, masked, c, in_row, in_row, &c->tab[0], nky, wofs, out_row);
      else if (K > 3 && c->L == 2)
        sk_dw_slot(K, S, SK_DW_W, 2, 0, masked, c, in_row, in_row, &c->tab[0], nky, wofs, out_row);
      else
        for (size_t cb = 0; cb < c->ncb; cb++)
          masked(c, in_row + cb * 32, &c->tab[0], cb == c->nfull, nky, c->packed + cb * c->bsize,
                 wofs, out_row + cb * 32, SK_DW_W);
      s = 1;
    }
    const size_t g_end = s1 < n_grid ? s1 : n_grid;
    if (s < g_end) { /* the slots on the grid, all columns inside */
      const char *in = in_row + (s * SK_DW_W * S - pl) * cs;
      char *dst = out_row + s * SK_DW_W * cs;
      for (; s < g_end; s++, in += SK_DW_W * S * cs, dst += SK_DW_W * cs) {
        sk_dw_prefetch(c, pf, s * SK_DW_W * S - pl + K - S, SK_DW_W * S);
        sk_dw_slot(K, S, SK_DW_W, 0, 0, masked, c, in, in, &c->tab[3], nky, wofs, dst);
      }
    }
    for (; s < s1; s++) { /* the right slots */
      const size_t r = s - n_grid, pos = c->right_pos[r], R = c->right_R[r];
      const char *in = in_row + (pos * S - pl) * cs;
      char *dst = out_row + pos * cs;
      const sk_dw_tab *t = &c->tab[1 + r];
      if (R == 0)
        sk_dw_slot(K, S, SK_DW_W, 0, 0, masked, c, in, in, &c->tab[3], nky, wofs, dst);
      else if (R == 1)
        sk_dw_slot(K, S, SK_DW_W, 0, 1, masked, c, in, in_row, t, nky, wofs, dst);
      else if (K > 3 && R == 2)
        sk_dw_slot(K, S, SK_DW_W, 0, 2, masked, c, in, in_row, t, nky, wofs, dst);
      else
        for (size_t cb = 0; cb < c->ncb; cb++)
          masked(c, in_row + cb * 32, t, cb == c->nfull, nky, c->packed + cb * c->bsize, wofs,
                 dst + cb * 32, SK_DW_W);
    }
  }
}

#endif /* SK_DEPTHWISE_NHWC_AVX2_H */
