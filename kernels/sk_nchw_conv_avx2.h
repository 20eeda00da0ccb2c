/*
 * Engine shared by the NCHW direct and pointwise AVX2+FMA kernels
 * (kernels/conv2d/conv2d_nchw_direct_4x24_avx2.c,
 * kernels/pointwise/pointwise_nchw_4x24_avx2.c); include only from those.
 *
 * NCHW convolution is a GEMM per group, output[oc][pixel] = bias[oc] + sum
 * over (ky, kx, ci) of w[oc][ci][ky][kx] * input[ci][the pixel's tap],
 * vectorized over output pixels (8 a ymm). Weights are packed with nr = 8
 * (sk_kernels.h): for each tap and input channel, 8 output channels side by
 * side, so a tile broadcasts w[tap][ci][m] and loads 8 consecutive pixels.
 *
 * Three paths, picked per call:
 *  - tiles (any in_c): 4 output channels x 3 vectors of 8 pixels ("4x24",
 *    12 ymm accumulators), input channels innermost for each tap. Vectors
 *    run along the flattened plane when the stride is 1 and in_w == out_w
 *    (a tap is then one constant offset for every pixel, across rows too:
 *    3x3 pad 1, every 1x1 stride 1), else along one output row. Stride 2
 *    loads 16 floats a vector and keeps the even ones with one SHUFPS (the
 *    lanes come out permuted; they are put back once, at the store). Tiles
 *    whose windows all lie inside the input use plain loads. For the others
 *    each tap's lanes are checked once per tile (row and column in range):
 *    taps wholly in the padding are skipped, full ones use plain loads,
 *    partial ones a plain load ANDed with the lane mask when the whole
 *    vector lies inside the input buffer, else masked loads (nothing outside
 *    the buffer is read). The tap list is made once per tile and shared by
 *    all output channels. Input channels go in passes that keep the tile's
 *    input in L1 (partial sums in the output between passes). Remainders: 2
 *    vectors left run a 4x16 tile, 1 vector an 8x8 tile, fewer than 8 pixels
 *    (per row, or at the end of the plane) the pixel kernel.
 *  - pixel kernel: one output pixel x up to 64 output channels (8 blocks in
 *    ymm lanes, NHWC style: broadcast the input, load 8 packed weights), tap
 *    ranges clipped per pixel: any stride, dilation and padding. Also the
 *    whole path for strides above 2.
 *  - first layers (in_c_g <= 8, stride 1 or 2): per output row and 24
 *    pixels, the needed input rows (all ci, valid ky) are copied once into a
 *    zero-padded stack buffer, split into stride phases (deinterleaved for
 *    stride 2); stride 1 reads the input in place where no tap clips. Every
 *    4x24 tile then reads each (ky, kx, ci) tap as plain loads at a table
 *    offset: no masks, no shuffles in the FMA loop.
 *
 * Loop order of the tiles: pixel chunks whose input fits in L2, output
 * channel groups whose weights fit in L2 (all channels when they fit), pixel
 * tiles, input-channel passes, output channels. Stack: at most ~12 KiB
 * (first-layer scratch and tables) or ~2 KiB (tap list).
 */
#ifndef SK_NCHW_CONV_AVX2_H
#define SK_NCHW_CONV_AVX2_H

#include <stddef.h>
#include <stdint.h>

#include "sk_avx2_util.h"
#include "sk_kernels.h"
#include "sk_window.h"

#define SKN_NR 8     /* packed block (output channels), the table's nr */
#define SKN_NV 3     /* vectors of 8 pixels in the main tile */
#define SKN_SCR 2048 /* floats of stack scratch for the first-layer path */
#define SKN_TAB 512  /* taps (ci, ky, kx) in its offset table */
#ifndef SKN_L2_IN
#define SKN_L2_IN 524288 /* bytes of input per pixel chunk */
#endif
#ifndef SKN_L2_W
#define SKN_L2_W 262144 /* bytes of weights per output-channel group */
#endif
#ifndef SKN_L1_IN
#define SKN_L1_IN 16384 /* bytes of a slot's input per pass over input channels */
#endif

/* Fully unrolls a loop over tile rows/vectors (constant trip counts after
 * inlining), so the accumulator arrays live in registers. GCC needs it early,
 * before loop distribution turns the accumulator stores into a memcpy from a
 * stack array; clang ignores its trip-count hint unless told "full". */
#if defined(__clang__)
#define SKN_UNROLL _Pragma("clang loop unroll(full)")
#else
#define SKN_UNROLL _Pragma("GCC unroll 16")
#endif

typedef struct skn_geom {
  const float *in;  /* the group's first input channel */
  float *out;       /* the group's first output channel */
  const float *w;   /* the group's first packed block */
  const float *buf; /* the image's input (all groups) and its length in floats */
  ptrdiff_t buf_len;
  size_t bsize, nblk, cin, cout;
  size_t in_h_u, in_w_u, kh_u, kw_u, sh_u, sw_u, dh_u, dw_u, pt_u, pl_u;
  ptrdiff_t in_h, in_w, out_h, out_w, in_plane, out_plane;
  ptrdiff_t kh, kw, sh, sw, dh, dw, pt, pl;
  __m256 lo, hi;
  int act; /* bit 0: clamp below (out_min > -inf), bit 1: above (out_max < inf) */
} skn_geom;

/* A pixel tile: NV vectors of 8 output pixels. */
typedef struct skn_slot {
  ptrdiff_t in_off;    /* input offset of lane 0 at tap (0, 0) (may be outside) */
  ptrdiff_t out_off;   /* output offset of lane 0 in a plane */
  size_t nv;           /* vectors, 1..3 */
  size_t ky_lo, ky_hi; /* taps rows to visit */
  int interior;        /* every lane's every tap in [ky_lo, ky_hi) x [0, kw) is inside */
  /* Not interior: per vector, each lane's input row and column at tap (0, 0)
   * (stride 2: the columns of the first 8 of the 16 loaded floats). */
  __m256i y[SKN_NV], x[SKN_NV];
} skn_slot;

/* base + off floats for an address that may lie outside the buffer: only
 * ever passed to masked loads whose lanes outside the buffer are off. */
static inline uintptr_t skn_addr(const float *base, ptrdiff_t off) {
  return (uintptr_t)base + (uintptr_t)off * sizeof(float);
}

/* Lanes with 0 <= v <= nm1 (unsigned compare through min). */
static inline __m256i skn_in_range(__m256i v, __m256i nm1) {
  return _mm256_cmpeq_epi32(_mm256_min_epu32(v, nm1), v);
}

SK_ALWAYS_INLINE __m256 skn_act(const skn_geom *g, __m256 v) {
  /* MAXPS/MINPS return the second operand for NaN: v second keeps NaN. */
  if (g->act & 1) v = _mm256_max_ps(g->lo, v);
  if (g->act & 2) v = _mm256_min_ps(g->hi, v);
  return v;
}

/* Stride-2 pixel vector from 16 consecutive floats: the even ones, in the
 * lane order (0 1 4 5 2 3 6 7) of SHUFPS; skn_unpermute restores it. */
SK_ALWAYS_INLINE __m256 skn_evens(__m256 a, __m256 b) {
  return _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
}
SK_ALWAYS_INLINE __m256 skn_unpermute(__m256 v) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* Stores NV vectors of MR output channels (mvalid of them real), the last
 * vector's first nlast lanes only. */
SK_ALWAYS_INLINE void skn_store(const size_t MR, const size_t NV, const size_t S, const skn_geom *g,
                                const __m256 *acc, float *out, size_t nlast, size_t mvalid) {
  const int act = g->act; /* locals: the stores below may alias *g */
  const __m256 lo = g->lo, hi = g->hi;
  __m256 r[12];
  SKN_UNROLL for (size_t i = 0; i < MR * NV; i++) {
    r[i] = S == 2 ? skn_unpermute(acc[i]) : acc[i];
    if (act & 1) r[i] = _mm256_max_ps(lo, r[i]); /* v second: NaN passes */
    if (act & 2) r[i] = _mm256_min_ps(hi, r[i]);
  }
  const ptrdiff_t op = g->out_plane;
  if (mvalid >= MR && nlast == 8) { /* the common case, no checks */
    SKN_UNROLL for (size_t i = 0; i < MR * NV; i++) {
      _mm256_storeu_ps(out + (ptrdiff_t)(i / NV) * op + 8 * (i % NV), r[i]);
    }
    return;
  }
  const __m256i tail = sk_mask8(nlast);
  SKN_UNROLL for (size_t m = 0; m < MR; m++) {
    if (m >= mvalid) continue;
    float *o = out + (ptrdiff_t)m * op;
    SKN_UNROLL for (size_t v = 0; v < NV; v++) {
      if (v + 1 == NV && nlast < 8)
        _mm256_maskstore_ps(o + 8 * v, tail, r[m * NV + v]);
      else
        _mm256_storeu_ps(o + 8 * v, r[m * NV + v]);
    }
  }
}

/* Loads vector v of a pixel tile: stride 1 one unaligned load, stride 2
 * the even floats of two (SHUFPS lane order). */
SK_ALWAYS_INLINE __m256 skn_load(const size_t S, const float *src, size_t v) {
  if (S == 1) return _mm256_loadu_ps(src + 8 * v);
  return skn_evens(_mm256_loadu_ps(src + 16 * v), _mm256_loadu_ps(src + 16 * v + 8));
}

/* The same, lanes outside mk (stride 2: mk[2v], mk[2v+1]) zeroed by AND; the
 * whole vector must lie inside the input buffer. */
SK_ALWAYS_INLINE __m256 skn_load_and(const size_t S, const float *src, size_t v, const __m256 *mk) {
  if (S == 1) return _mm256_and_ps(_mm256_loadu_ps(src + 8 * v), mk[v]);
  return skn_evens(_mm256_and_ps(_mm256_loadu_ps(src + 16 * v), mk[2 * v]),
                   _mm256_and_ps(_mm256_loadu_ps(src + 16 * v + 8), mk[2 * v + 1]));
}

/* The same through masked loads: lanes outside mk are never read, so the
 * address may lie partly outside the buffer. */
SK_ALWAYS_INLINE __m256 skn_load_mask(const size_t S, uintptr_t src, size_t v, const __m256i *mk) {
  if (S == 1) return _mm256_maskload_ps((const float *)(src + 32 * v), mk[v]);
  return skn_evens(_mm256_maskload_ps((const float *)(src + 64 * v), mk[2 * v]),
                   _mm256_maskload_ps((const float *)(src + 64 * v + 32), mk[2 * v + 1]));
}

/* acc[m * NV + v] += w[8 * c + m] * x[v] for one input channel. */
SK_ALWAYS_INLINE void skn_fma(const size_t MR, const size_t NV, __m256 *acc, const float *w,
                              const __m256 *xv) {
  SKN_UNROLL for (size_t m = 0; m < MR; m++) {
    const __m256 b = _mm256_broadcast_ss(w + m);
    SKN_UNROLL for (size_t v = 0; v < NV; v++) {
      acc[m * NV + v] = _mm256_fmadd_ps(b, xv[v], acc[m * NV + v]);
    }
  }
}

/* One tap of a slot for a pass over input channels [c0, c1). */
typedef struct skn_tap {
  ptrdiff_t off;            /* input offset of lane 0, channel c0 */
  size_t woff;              /* weight offset (floats past the bias) of channel c0 */
  int mode;                 /* 0: plain loads, 1: load + AND, 2: masked loads */
  uint8_t bits[2 * SKN_NV]; /* modes 1, 2: lanes read, per loaded vector */
} skn_tap;

#define SKN_MAXTAP 64 /* taps listed at once (more: passes, like channel blocks) */

/* Lane mask from 8 bits. */
static inline __m256i skn_bits_mask(unsigned bits) {
  const __m256i sel = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), sel), sel);
}

/*
 * Lists taps [k0, k1) of the slot (k = (ky - ky_lo) * kw + kx) for channels
 * [c0, c1): the ones with any lane inside the input, how to load them, and
 * their masks. Returns the count.
 */
SK_ALWAYS_INLINE size_t skn_slot_taps(const size_t S, const size_t NV, const skn_geom *g,
                                      const skn_slot *t, size_t k0, size_t k1, size_t c0, size_t c1,
                                      skn_tap *list) {
  const ptrdiff_t plane = g->in_plane;
  const __m256i hm1 = _mm256_set1_epi32((int)(g->in_h - 1));
  const __m256i wm1 = _mm256_set1_epi32((int)(g->in_w - 1));
  /* span of one tap's reads over the channels, for the in-buffer test */
  const ptrdiff_t span = (ptrdiff_t)(c1 - c0 - 1) * plane + (ptrdiff_t)(8 * S * NV);
  size_t n = 0;
  ptrdiff_t ky = (ptrdiff_t)(t->ky_lo + k0 / g->kw_u), kx = (ptrdiff_t)(k0 % g->kw_u) - 1;
  for (size_t k = k0; k < k1; k++) {
    if (++kx == g->kw) {
      kx = 0;
      ky++;
    }
    skn_tap *e = list + n;
    e->off = t->in_off + ky * g->dh * g->in_w + kx * g->dw + (ptrdiff_t)c0 * plane;
    e->woff = ((size_t)(ky * g->kw + kx) * g->cin + c0) * SKN_NR;
    e->mode = 0;
    if (!t->interior) {
      const __m256i dy = _mm256_set1_epi32((int)(ky * g->dh));
      const __m256i dx = _mm256_set1_epi32((int)(kx * g->dw));
      unsigned all = 0xff, any = 0;
      for (size_t v = 0; v < NV; v++) {
        __m256i m0, m1 = _mm256_setzero_si256();
        if (S == 1) {
          m0 = _mm256_and_si256(skn_in_range(_mm256_add_epi32(t->y[v], dy), hm1),
                                skn_in_range(_mm256_add_epi32(t->x[v], dx), wm1));
        } else {
          const __m256i xa = _mm256_add_epi32(t->x[v], dx);
          m0 = skn_in_range(xa, wm1);
          m1 = skn_in_range(_mm256_add_epi32(xa, _mm256_set1_epi32(8)), wm1);
        }
        const unsigned b0 = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m0));
        const unsigned b1 = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m1));
        if (S == 1) {
          e->bits[v] = (uint8_t)b0;
          all &= b0;
          any |= b0;
        } else {
          e->bits[2 * v] = (uint8_t)b0;
          e->bits[2 * v + 1] = (uint8_t)b1;
          all &= b0 & b1;
          any |= b0 | b1;
        }
      }
      if (!any) continue; /* tap entirely in the padding */
      if (all != 0xff) {
        const ptrdiff_t lo = g->in - g->buf + e->off;
        e->mode = lo >= 0 && lo + span <= g->buf_len ? 1 : 2;
      }
    }
    n++;
  }
  return n;
}

/*
 * Tile of MR (4 or 8) output channels x NV vectors, stride S (1 or 2), over
 * the listed taps and kc input channels. w: the tile's first channel in its
 * packed block, past the bias; bias: its bias; out: its first output channel
 * at the slot's first pixel. first: start from the bias, else from the partial
 * sums in out; last: apply the activation.
 */
SK_ALWAYS_INLINE void skn_tile(const size_t MR, const size_t NV, const size_t S, const skn_geom *g,
                               const skn_tap *taps, size_t ntap, size_t kc, const float *w,
                               const float *bias, float *out, size_t mvalid, int first, int last) {
  __m256 acc[12]; /* acc[m * NV + v], MR * NV <= 12 */
  if (first) {
    SKN_UNROLL for (size_t m = 0; m < MR; m++) {
      const __m256 b = _mm256_broadcast_ss(bias + m);
      SKN_UNROLL for (size_t v = 0; v < NV; v++) { acc[m * NV + v] = b; }
    }
  } else {
    SKN_UNROLL for (size_t m = 0; m < MR; m++) {
      /* partial sums (rows past mvalid: anything, they are not stored) */
      const float *o = out + (ptrdiff_t)(m < mvalid ? m : 0) * g->out_plane;
      SKN_UNROLL for (size_t v = 0; v < NV; v++) {
        const __m256 r = _mm256_loadu_ps(o + 8 * v);
        acc[m * NV + v] = S == 2 ? skn_unpermute(r) : r; /* the permutation is an involution */
      }
    }
  }
  const ptrdiff_t plane = g->in_plane;
  for (size_t k = 0; k < ntap; k++) {
    const skn_tap *e = taps + k;
    const float *wt = w + e->woff, *const wend = wt + kc * SKN_NR;
    if (e->mode == 0) {
      const float *src = g->in + e->off;
      _Pragma("GCC unroll 2") for (; wt != wend; wt += SKN_NR) {
        __m256 xv[SKN_NV];
        SKN_UNROLL for (size_t v = 0; v < NV; v++) { xv[v] = skn_load(S, src, v); }
        skn_fma(MR, NV, acc, wt, xv);
        src += plane;
      }
    } else if (e->mode == 1) {
      __m256 mf[2 * SKN_NV];
      SKN_UNROLL for (size_t v = 0; v < S * NV; v++) {
        mf[v] = _mm256_castsi256_ps(skn_bits_mask(e->bits[v]));
      }
      const float *src = g->in + e->off;
      _Pragma("GCC unroll 2") for (; wt != wend; wt += SKN_NR) {
        __m256 xv[SKN_NV];
        SKN_UNROLL for (size_t v = 0; v < NV; v++) { xv[v] = skn_load_and(S, src, v, mf); }
        skn_fma(MR, NV, acc, wt, xv);
        src += plane;
      }
    } else {
      __m256i mk[2 * SKN_NV];
      SKN_UNROLL for (size_t v = 0; v < S * NV; v++) { mk[v] = skn_bits_mask(e->bits[v]); }
      uintptr_t src = skn_addr(g->in, e->off);
      for (; wt != wend; wt += SKN_NR) {
        __m256 xv[SKN_NV];
        SKN_UNROLL for (size_t v = 0; v < NV; v++) { xv[v] = skn_load_mask(S, src, v, mk); }
        skn_fma(MR, NV, acc, wt, xv);
        src += (uintptr_t)plane * sizeof(float);
      }
    }
  }
  if (last) {
    skn_store(MR, NV, S, g, acc, out, 8, mvalid);
  } else {
    SKN_UNROLL for (size_t m = 0; m < MR; m++) {
      if (m >= mvalid) continue;
      float *o = out + (ptrdiff_t)m * g->out_plane;
      SKN_UNROLL for (size_t v = 0; v < NV; v++)
          _mm256_storeu_ps(o + 8 * v, S == 2 ? skn_unpermute(acc[m * NV + v]) : acc[m * NV + v]);
    }
  }
}

/* All tiles of one shape for one slot: output channels of blocks [b0, b1)
 * (MR = 4: two tiles a block), input channels [c0, c1). The slot's taps are
 * listed once for all of them (in passes of SKN_MAXTAP, accumulating in the
 * output like channel passes). One function per shape: the register
 * allocator then sees one small loop nest (inlined into the drivers it
 * spilled accumulators). Stride 1: one copy of the tile serves one-pass and
 * multi-pass slots (first/last tested once per tile; a one-pass copy measured
 * no faster and cost ~1.2-1.7 KB per shape). Stride 2 keeps its one-pass copy
 * (without it, multi-pass stride-2 slots measured ~2% slower). */
#define SKN_TILE_FN(MR, NV, S)                                                                  \
  static __attribute__((noinline)) void skn_tiles_##MR##x##NV##_s##S(                           \
      const skn_geom *g, const skn_slot *t, size_t b0, size_t b1, size_t c0, size_t c1) {       \
    skn_tap taps[SKN_MAXTAP];                                                                   \
    const size_t ktot = (t->ky_hi - t->ky_lo) * g->kw_u;                                        \
    size_t k0 = 0;                                                                              \
    do {                                                                                        \
      const size_t k1 = ktot - k0 < SKN_MAXTAP ? ktot : k0 + SKN_MAXTAP;                        \
      const size_t n = skn_slot_taps(S, NV, g, t, k0, k1, c0, c1, taps);                        \
      const int first = c0 == 0 && k0 == 0, last = c1 == g->cin && k1 == ktot;                  \
      for (size_t b = b0; b < b1; b++) {                                                        \
        const float *blk = g->w + b * g->bsize;                                                 \
        float *out = g->out + (ptrdiff_t)(b * SKN_NR) * g->out_plane + t->out_off;              \
        const size_t left = g->cout - b * SKN_NR;                                               \
        for (size_t h = 0; h < SKN_NR && h < left; h += MR) {                                   \
          float *o = out + (ptrdiff_t)h * g->out_plane;                                         \
          if (S == 2 && first && last) /* one pass: its own copy */                             \
            skn_tile(MR, NV, S, g, taps, n, c1 - c0, blk + SKN_NR + h, blk + h, o, left - h, 1, \
                     1);                                                                        \
          else                                                                                  \
            skn_tile(MR, NV, S, g, taps, n, c1 - c0, blk + SKN_NR + h, blk + h, o, left - h,    \
                     first, last);                                                              \
        }                                                                                       \
      }                                                                                         \
      k0 = k1;                                                                                  \
    } while (k0 < ktot);                                                                        \
  }
SKN_TILE_FN(4, 3, 1)
SKN_TILE_FN(4, 2, 1)
SKN_TILE_FN(8, 1, 1)
SKN_TILE_FN(4, 3, 2)
SKN_TILE_FN(4, 2, 2)
SKN_TILE_FN(8, 1, 2)

/* Input channels per pass over a slot: the slot's input for them stays in
 * about half of L1 while every output-channel tile of the group reads it. */
static inline size_t skn_kc(const skn_geom *g, size_t S, int flat) {
  ptrdiff_t per; /* floats of one channel a slot reads */
  if (flat) {
    per = 8 * SKN_NV + (g->kh - 1) * g->dh * g->in_w + (g->kw - 1) * g->dw;
    if (per > g->in_plane) per = g->in_plane;
  } else {
    per = g->kh * ((ptrdiff_t)(8 * SKN_NV * (S ? S : 1)) + (g->kw - 1) * g->dw);
  }
  size_t kc = SKN_L1_IN / (sizeof(float) * (size_t)per);
  if (kc < 16) kc = 16;
  if (kc >= g->cin) return g->cin;
  const size_t passes = (g->cin + kc - 1) / kc; /* even passes */
  return (g->cin + passes - 1) / passes;
}

/* All output channels of blocks [b0, b1) for one slot, kc input channels a pass. */
SK_ALWAYS_INLINE void skn_slot_channels(const size_t S, const skn_geom *g, const skn_slot *t,
                                        size_t b0, size_t b1, size_t kc) {
  for (size_t c0 = 0; c0 < g->cin; c0 += kc) {
    const size_t c1 = g->cin - c0 < kc ? g->cin : c0 + kc;
    if (S == 1) {
      if (t->nv == 3)
        skn_tiles_4x3_s1(g, t, b0, b1, c0, c1);
      else if (t->nv == 2)
        skn_tiles_4x2_s1(g, t, b0, b1, c0, c1);
      else
        skn_tiles_8x1_s1(g, t, b0, b1, c0, c1);
    } else {
      if (t->nv == 3)
        skn_tiles_4x3_s2(g, t, b0, b1, c0, c1);
      else if (t->nv == 2)
        skn_tiles_4x2_s2(g, t, b0, b1, c0, c1);
      else
        skn_tiles_8x1_s2(g, t, b0, b1, c0, c1);
    }
  }
}

/* One output pixel's taps: the input at its first valid tap (channel 0),
 * the valid tap rows/columns, and the weight offset (floats past a block's
 * bias) of that tap. Computed once per pixel, shared by its block chunks. */
typedef struct skn_px {
  const float *src;
  size_t nky, nkx, woff;
} skn_px;

/*
 * One output pixel x B blocks (B * 8 output channels) in ymm lanes, with SETS
 * independent accumulator sets over ci (so B * SETS = 8 FMA chains hide the
 * latency), summed into res[0..B). wb: the first block's bias.
 */
SK_ALWAYS_INLINE void skn_pixel_b(const size_t B, const size_t SETS, const skn_geom *g,
                                  const skn_px *px, const float *wb, __m256 *res) {
  const size_t bs = g->bsize, cin = g->cin;
  const ptrdiff_t plane = g->in_plane;
  __m256 acc[8]; /* acc[s * B + b], B * SETS = 8 */
  SKN_UNROLL for (size_t b = 0; b < B; b++) {
    acc[b] = _mm256_loadu_ps(wb + b * bs);
    SKN_UNROLL for (size_t s = 1; s < SETS; s++) { acc[s * B + b] = _mm256_setzero_ps(); }
  }
  for (size_t ky = 0; ky < px->nky; ky++) {
    const float *row = px->src + (ptrdiff_t)(ky * g->dh_u) * g->in_w;
    const float *wrow = wb + px->woff + ky * g->kw_u * cin * SKN_NR;
    for (size_t kx = 0; kx < px->nkx; kx++) {
      const float *src = row + kx * g->dw_u;
      const float *wt = wrow + kx * cin * SKN_NR;
      size_t c = 0;
      for (; c + SETS <= cin; c += SETS) {
        SKN_UNROLL for (size_t s = 0; s < SETS; s++) {
          const __m256 xv = _mm256_broadcast_ss(src + (ptrdiff_t)(c + s) * plane);
          SKN_UNROLL for (size_t b = 0; b < B; b++) {
            acc[s * B + b] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(wt + b * bs + (c + s) * SKN_NR),
                                             acc[s * B + b]);
          }
        }
      }
      for (; c < cin; c++) {
        const __m256 xv = _mm256_broadcast_ss(src + (ptrdiff_t)c * plane);
        SKN_UNROLL for (size_t b = 0; b < B; b++) {
          acc[b] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(wt + b * bs + c * SKN_NR), acc[b]);
        }
      }
    }
  }
  SKN_UNROLL for (size_t b = 0; b < B; b++) {
    __m256 r = acc[b];
    SKN_UNROLL for (size_t s = 1; s < SETS; s++) { r = _mm256_add_ps(r, acc[s * B + b]); }
    res[b] = r;
  }
}

/* One output pixel, blocks [b0, b1): chunks of 8, then 4, 2, 1 blocks. The
 * tap ranges and the stores are shared by the chunk shapes. */
static void skn_pixel(const skn_geom *g, size_t oy, size_t ox, size_t b0, size_t b1) {
  size_t ky_lo, ky_hi, iy0, kx_lo, kx_hi, ix0;
  sk_tap_range(oy, g->sh_u, g->pt_u, g->dh_u, g->kh_u, g->in_h_u, &ky_lo, &ky_hi, &iy0);
  sk_tap_range(ox, g->sw_u, g->pl_u, g->dw_u, g->kw_u, g->in_w_u, &kx_lo, &kx_hi, &ix0);
  skn_px px;
  px.src = g->in + (ptrdiff_t)iy0 * g->in_w + (ptrdiff_t)ix0;
  px.nky = ky_hi - ky_lo;
  px.nkx = kx_hi - kx_lo;
  px.woff = SKN_NR + (ky_lo * g->kw_u + kx_lo) * g->cin * SKN_NR;
  float *out = g->out + (ptrdiff_t)oy * g->out_w + (ptrdiff_t)ox;
  for (size_t b = b0; b < b1;) {
    __m256 res[8];
    const float *wb = g->w + b * g->bsize;
    size_t nb;
    if (b1 - b >= 8) {
      skn_pixel_b(8, 1, g, &px, wb, res);
      nb = 8;
    } else if (b1 - b >= 4) {
      skn_pixel_b(4, 2, g, &px, wb, res);
      nb = 4;
    } else if (b1 - b >= 2) {
      skn_pixel_b(2, 4, g, &px, wb, res);
      nb = 2;
    } else {
      skn_pixel_b(1, 8, g, &px, wb, res);
      nb = 1;
    }
    for (size_t i = 0; i < nb; i++, b++) {
      float lanes[8];
      _mm256_storeu_ps(lanes, skn_act(g, res[i]));
      const size_t oc0 = b * SKN_NR;
      const size_t n = g->cout - oc0 < SKN_NR ? g->cout - oc0 : SKN_NR;
      for (size_t j = 0; j < n; j++) out[(ptrdiff_t)(oc0 + j) * g->out_plane] = lanes[j];
    }
  }
}

/* Slot of nv vectors starting at flat pixel q (stride 1, in_w == out_w). */
static inline void skn_slot_flat(const skn_geom *g, size_t q, size_t nv, skn_slot *t) {
  t->in_off = (ptrdiff_t)q - g->pt * g->in_w - g->pl;
  t->out_off = (ptrdiff_t)q;
  t->nv = nv;
  t->ky_lo = 0;
  t->ky_hi = g->kh_u;
  int32_t ys[8 * SKN_NV], xs[8 * SKN_NV];
  ptrdiff_t oy = (ptrdiff_t)q / g->out_w, ox = (ptrdiff_t)q % g->out_w;
  ptrdiff_t ymin = oy - g->pt, ymax = ymin, xmin = ox - g->pl, xmax = xmin;
  for (size_t i = 0; i < 8 * nv; i++) {
    const ptrdiff_t y = oy - g->pt, x = ox - g->pl;
    ys[i] = (int32_t)y;
    xs[i] = (int32_t)x;
    ymax = y;
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (++ox == g->out_w) {
      ox = 0;
      oy++;
    }
  }
  t->interior = ymin >= 0 && ymax + (g->kh - 1) * g->dh < g->in_h && xmin >= 0 &&
                xmax + (g->kw - 1) * g->dw < g->in_w;
  if (!t->interior)
    for (size_t v = 0; v < nv; v++) {
      t->y[v] = _mm256_loadu_si256((const __m256i *)(ys + 8 * v));
      t->x[v] = _mm256_loadu_si256((const __m256i *)(xs + 8 * v));
    }
}

/* Slot of nv vectors at output row oy, column ox (stride S along the row). */
static inline void skn_slot_row(const size_t S, const skn_geom *g, size_t oy, size_t ox, size_t nv,
                                skn_slot *t) {
  const ptrdiff_t iy = (ptrdiff_t)oy * g->sh - g->pt, ix = (ptrdiff_t)ox * g->sw - g->pl;
  size_t iy0;
  sk_tap_range(oy, g->sh_u, g->pt_u, g->dh_u, g->kh_u, g->in_h_u, &t->ky_lo, &t->ky_hi, &iy0);
  t->in_off = iy * g->in_w + ix;
  t->out_off = (ptrdiff_t)oy * g->out_w + (ptrdiff_t)ox;
  t->nv = nv;
  const ptrdiff_t last = ix + (ptrdiff_t)(8 * S * nv) - 1 + (g->kw - 1) * g->dw;
  t->interior = ix >= 0 && last < g->in_w;
  if (!t->interior) {
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (size_t v = 0; v < nv; v++) {
      t->y[v] = _mm256_set1_epi32((int)iy); /* the clipped ky range keeps rows inside */
      t->x[v] = _mm256_add_epi32(iota, _mm256_set1_epi32((int)(ix + (ptrdiff_t)(8 * S * v))));
    }
  }
}

/* Output-channel group: blocks whose weights fit in SKN_L2_W bytes. */
static inline size_t skn_ocg_blocks(const skn_geom *g) {
  const size_t per_block = g->bsize * sizeof(float);
  size_t n = SKN_L2_W / per_block;
  if (n >= 8) n -= n % 8; /* whole 64-channel groups for the pixel kernel */
  return n < 1 ? 1 : n;
}

/* Tile path, stride S along rows (S = 0: no vector tiles, every pixel by
 * the pixel kernel: strides > 2). flat: vectors along the flattened plane. */
SK_ALWAYS_INLINE void skn_run_tiles(const size_t S, const skn_geom *g, int flat) {
  const size_t ocg = skn_ocg_blocks(g);
  const size_t kc = skn_kc(g, S, flat);
  const size_t out_w = (size_t)g->out_w, out_h = (size_t)g->out_h;
  skn_slot t;
  if (flat) {
    const size_t n = out_h * out_w, nfull = n / 8 * 8;
    size_t chunk = SKN_L2_IN / (g->cin * sizeof(float)) / (8 * SKN_NV) * (8 * SKN_NV);
    if (chunk < 8 * SKN_NV) chunk = 8 * SKN_NV;
    for (size_t c0 = 0; c0 < n; c0 += chunk) {
      const size_t c1 = n - c0 < chunk ? n : c0 + chunk;
      const size_t v1 = c1 < nfull ? c1 : nfull;
      for (size_t b0 = 0; b0 < g->nblk; b0 += ocg) {
        const size_t b1 = g->nblk - b0 < ocg ? g->nblk : b0 + ocg;
        for (size_t q = c0; q + 8 <= v1; q += 8 * SKN_NV) {
          const size_t nv = (v1 - q) / 8 < SKN_NV ? (v1 - q) / 8 : SKN_NV;
          skn_slot_flat(g, q, nv, &t);
          skn_slot_channels(1, g, &t, b0, b1, kc);
        }
        for (size_t q = v1 > c0 ? v1 : c0; q < c1; q++) skn_pixel(g, q / out_w, q % out_w, b0, b1);
      }
    }
    return;
  }
  const size_t vfull = S ? out_w / 8 * 8 : 0;
  size_t rows = SKN_L2_IN / (g->cin * sizeof(float) * (size_t)g->in_w * (size_t)g->sh);
  if (rows < 1) rows = 1;
  for (size_t r0 = 0; r0 < out_h; r0 += rows) {
    const size_t r1 = out_h - r0 < rows ? out_h : r0 + rows;
    for (size_t b0 = 0; b0 < g->nblk; b0 += ocg) {
      const size_t b1 = g->nblk - b0 < ocg ? g->nblk : b0 + ocg;
      for (size_t oy = r0; oy < r1; oy++) {
        if (S) {
          for (size_t ox = 0; ox + 8 <= vfull; ox += 8 * SKN_NV) {
            const size_t nv = (vfull - ox) / 8 < SKN_NV ? (vfull - ox) / 8 : SKN_NV;
            skn_slot_row(S ? S : 1, g, oy, ox, nv, &t);
            skn_slot_channels(S ? S : 1, g, &t, b0, b1, kc);
          }
        }
        for (size_t ox = vfull; ox < out_w; ox++) skn_pixel(g, oy, ox, b0, b1);
      }
    }
  }
}

/* ---- first-layer path: zero-padded, phase-split rows in stack scratch ---- */

/* Row length (per stride phase) of the scratch: 24 pixels plus the kernel's
 * reach, a multiple of 8. */
static inline size_t skn_small_rl(const skn_geom *g) {
  const size_t reach = (g->kw_u - 1) * g->dw_u / g->sw_u;
  return (reach + 8 * SKN_NV + 7) / 8 * 8;
}

static inline int skn_small_fits(const skn_geom *g) {
  if (g->sw_u > 2 || g->cin > 8) return 0;
  if (g->cin * g->kh_u * g->kw_u > SKN_TAB) return 0;
  const size_t rl = skn_small_rl(g);
  return g->cin * g->kh_u * g->sw_u * rl <= SKN_SCR;
}

/* Tile of MR x NV reading tap t's vectors at scr + tab[t] + 8 v. */
/* Tile of MR x NV reading tap k's vectors at (char *)scr + tab[k] + 32 v
 * (byte offsets: plain base + index addressing). The first tap starts the
 * accumulators from the bias (no register copies). */
SK_ALWAYS_INLINE void skn_tab_tile(const size_t MR, const size_t NV, const skn_geom *g,
                                   const float *scr, const int32_t *tab, size_t ntap,
                                   const float *w, const float *bias, float *out, size_t nlast,
                                   size_t mvalid) {
  __m256 acc[12]; /* acc[m * NV + v] */
  const char *base = (const char *)scr;
  size_t k = 0;
  if (ntap == 0) {
    SKN_UNROLL for (size_t m = 0; m < MR; m++) {
      const __m256 b = _mm256_broadcast_ss(bias + m);
      SKN_UNROLL for (size_t v = 0; v < NV; v++) { acc[m * NV + v] = b; }
    }
  } else {
    const float *x = (const float *)(base + tab[0]);
    __m256 xv[SKN_NV];
    SKN_UNROLL for (size_t v = 0; v < NV; v++) { xv[v] = _mm256_loadu_ps(x + 8 * v); }
    SKN_UNROLL for (size_t m = 0; m < MR; m++) {
      const __m256 b = _mm256_broadcast_ss(w + m), c = _mm256_broadcast_ss(bias + m);
      SKN_UNROLL for (size_t v = 0; v < NV; v++) { acc[m * NV + v] = _mm256_fmadd_ps(b, xv[v], c); }
    }
    w += SKN_NR;
    k = 1;
  }
  for (; k < ntap; k++) {
    const float *x = (const float *)(base + tab[k]);
    __m256 xv[SKN_NV];
    SKN_UNROLL for (size_t v = 0; v < NV; v++) { xv[v] = _mm256_loadu_ps(x + 8 * v); }
    skn_fma(MR, NV, acc, w, xv);
    w += SKN_NR;
  }
  skn_store(MR, NV, 1, g, acc, out, nlast, mvalid);
}

/* Fills rl floats per phase of input row `row` from column ix (stride sw),
 * zeros outside [0, in_w). */
static inline void skn_fill_row(const skn_geom *g, const float *row, ptrdiff_t ix, size_t rl,
                                float *dst) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i wm1 = _mm256_set1_epi32((int)(g->in_w - 1));
  if (g->sw_u == 1) {
    for (size_t i = 0; i < rl; i += 8) {
      const ptrdiff_t c = ix + (ptrdiff_t)i;
      __m256 v;
      if (c >= 0 && c + 8 <= g->in_w) {
        v = _mm256_loadu_ps(row + c);
      } else {
        const __m256i m = skn_in_range(_mm256_add_epi32(iota, _mm256_set1_epi32((int)c)), wm1);
        v = _mm256_maskload_ps((const float *)skn_addr(row, c), m);
      }
      _mm256_storeu_ps(dst + i, v);
    }
    return;
  }
  for (size_t i = 0; i < rl; i += 8) {
    const ptrdiff_t c = ix + 2 * (ptrdiff_t)i;
    __m256 a, b;
    if (c >= 0 && c + 16 <= g->in_w) {
      a = _mm256_loadu_ps(row + c);
      b = _mm256_loadu_ps(row + c + 8);
    } else {
      const __m256i ca = _mm256_add_epi32(iota, _mm256_set1_epi32((int)c));
      const __m256i cb = _mm256_add_epi32(ca, _mm256_set1_epi32(8));
      a = _mm256_maskload_ps((const float *)skn_addr(row, c), skn_in_range(ca, wm1));
      b = _mm256_maskload_ps((const float *)skn_addr(row, c + 8), skn_in_range(cb, wm1));
    }
    /* true order here: the scratch is read as contiguous pixels */
    _mm256_storeu_ps(dst + i, skn_unpermute(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))));
    _mm256_storeu_ps(dst + rl + i, skn_unpermute(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))));
  }
}

/* All output channels of the group for one 24-pixel chunk (MR = 4: two
 * tiles a block); w: past the bias at the first tap of the table. */
#define SKN_TAB_FN(MR, NV)                                                               \
  static __attribute__((noinline)) void skn_tab_tiles_##MR##x##NV(                       \
      const skn_geom *g, const float *src, const int32_t *tab, size_t ntap, size_t woff, \
      ptrdiff_t out_off, size_t nlast) {                                                 \
    for (size_t b = 0; b < g->nblk; b++) {                                               \
      const float *blk = g->w + b * g->bsize;                                            \
      float *out = g->out + (ptrdiff_t)(b * SKN_NR) * g->out_plane + out_off;            \
      const size_t left = g->cout - b * SKN_NR;                                          \
      for (size_t h = 0; h < SKN_NR && h < left; h += MR)                                \
        skn_tab_tile(MR, NV, g, src, tab, ntap, blk + woff + h, blk + h,                 \
                     out + (ptrdiff_t)h * g->out_plane, nlast, left - h);                \
    }                                                                                    \
  }
SKN_TAB_FN(4, 3)
SKN_TAB_FN(4, 2)
SKN_TAB_FN(8, 1)

static inline void skn_run_small(const skn_geom *g) {
  float scr[SKN_SCR];
  int32_t tab[SKN_TAB], tab_in[SKN_TAB]; /* scratch / input byte offsets per tap */
  const size_t rl = skn_small_rl(g), rs = g->sw_u * rl;
  const size_t cin = g->cin, kw = g->kw_u, out_w = (size_t)g->out_w;
  /* stride 1: chunks whose taps all lie inside the row read the input
   * directly (offsets fit in 32 bits); the others go through the scratch */
  const int direct = g->sw_u == 1 && (ptrdiff_t)cin * g->in_plane < INT32_MAX / 4;
  const ptrdiff_t reach = (g->kw - 1) * g->dw;
  size_t cur_lo = 1, cur_hi = 0, ntap = 0; /* no table yet */
  for (size_t oy = 0; oy < (size_t)g->out_h; oy++) {
    size_t ky_lo, ky_hi, iy0;
    sk_tap_range(oy, g->sh_u, g->pt_u, g->dh_u, g->kh_u, g->in_h_u, &ky_lo, &ky_hi, &iy0);
    const size_t nky = ky_hi - ky_lo;
    if (ky_lo != cur_lo || ky_hi != cur_hi) {
      /* taps in packing order (ky, kx, ci): the weights are then contiguous */
      ntap = 0;
      for (size_t ky = ky_lo; ky < ky_hi; ky++)
        for (size_t kx = 0; kx < kw; kx++)
          for (size_t ci = 0; ci < cin; ci++) {
            const size_t d = kx * g->dw_u;
            tab[ntap] = (int32_t)(sizeof(float) * (((ky - ky_lo) * cin + ci) * rs +
                                                   d % g->sw_u * rl + d / g->sw_u));
            if (direct)
              tab_in[ntap] =
                  (int32_t)(sizeof(float) *
                            ((ptrdiff_t)ci * g->in_plane +
                             (ptrdiff_t)((ky - ky_lo) * g->dh_u) * g->in_w + (ptrdiff_t)d));
            ntap++;
          }
      cur_lo = ky_lo;
      cur_hi = ky_hi;
    }
    const size_t woff = SKN_NR + ky_lo * kw * cin * SKN_NR;
    const float *rows = g->in + (ptrdiff_t)iy0 * g->in_w; /* first valid row, channel 0 */
    for (size_t ox = 0; ox < out_w; ox += 8 * SKN_NV) {
      const size_t left = out_w - ox;
      const size_t nv = left >= 8 * SKN_NV ? SKN_NV : (left + 7) / 8;
      const size_t nlast = left - 8 * (nv - 1) < 8 ? left - 8 * (nv - 1) : 8;
      const ptrdiff_t ix = (ptrdiff_t)ox * g->sw - g->pl;
      const float *src;
      const int32_t *t;
      if (direct && nky && ix >= 0 && ix + (ptrdiff_t)(8 * nv) + reach <= g->in_w) {
        src = rows + ix;
        t = tab_in;
      } else {
        /* rows in the order the taps read them, so the first tiles' loads
         * find the oldest stores already in L1 */
        for (size_t ky = ky_lo; ky < ky_hi; ky++)
          for (size_t ci = 0; ci < cin; ci++)
            skn_fill_row(
                g,
                rows + (ptrdiff_t)ci * g->in_plane + (ptrdiff_t)((ky - ky_lo) * g->dh_u) * g->in_w,
                ix, rl, scr + ((ky - ky_lo) * cin + ci) * rs);
        src = scr;
        t = tab;
      }
      const ptrdiff_t out_off = (ptrdiff_t)oy * g->out_w + (ptrdiff_t)ox;
      if (nv == 3)
        skn_tab_tiles_4x3(g, src, t, ntap, woff, out_off, nlast);
      else if (nv == 2)
        skn_tab_tiles_4x2(g, src, t, ntap, woff, out_off, nlast);
      else
        skn_tab_tiles_8x1(g, src, t, ntap, woff, out_off, nlast);
    }
  }
}

/* The kernel: every group of one image. pointwise: 1x1 (no first-layer path). */
SK_ALWAYS_INLINE void skn_conv(const sk_conv_params *p, const float *packed, const float *input,
                               float *output, int pointwise) {
  skn_geom g;
  g.cin = p->in_c_g;
  g.cout = p->out_c_g;
  g.nblk = (g.cout + SKN_NR - 1) / SKN_NR;
  g.bsize = sk_packed_block_size(p);
  g.in_h_u = p->in_h;
  g.in_w_u = p->in_w;
  g.kh_u = p->kernel_h;
  g.kw_u = p->kernel_w;
  g.sh_u = p->stride_h;
  g.sw_u = p->stride_w;
  g.dh_u = p->dil_h;
  g.dw_u = p->dil_w;
  g.pt_u = p->pad_top;
  g.pl_u = p->pad_left;
  g.in_h = (ptrdiff_t)p->in_h;
  g.in_w = (ptrdiff_t)p->in_w;
  g.out_h = (ptrdiff_t)p->out_h;
  g.out_w = (ptrdiff_t)p->out_w;
  g.in_plane = g.in_h * g.in_w;
  g.out_plane = g.out_h * g.out_w;
  g.kh = (ptrdiff_t)p->kernel_h;
  g.kw = (ptrdiff_t)p->kernel_w;
  g.sh = (ptrdiff_t)p->stride_h;
  g.sw = (ptrdiff_t)p->stride_w;
  g.dh = (ptrdiff_t)p->dil_h;
  g.dw = (ptrdiff_t)p->dil_w;
  g.pt = (ptrdiff_t)p->pad_top;
  g.pl = (ptrdiff_t)p->pad_left;
  g.lo = _mm256_set1_ps(p->out_min);
  g.hi = _mm256_set1_ps(p->out_max);
  g.act = (p->out_min > -__builtin_inff()) | (p->out_max < __builtin_inff()) << 1;
  g.buf = input;
  g.buf_len = (ptrdiff_t)p->in_c * g.in_plane;
  const int flat = p->stride_h == 1 && p->stride_w == 1 && p->in_w == p->out_w;
  const int small = !pointwise && skn_small_fits(&g);
  for (size_t grp = 0; grp < p->groups; grp++) {
    g.in = input + (ptrdiff_t)(grp * g.cin) * g.in_plane;
    g.out = output + (ptrdiff_t)(grp * g.cout) * g.out_plane;
    g.w = packed + grp * g.nblk * g.bsize;
    if (small)
      skn_run_small(&g);
    else if (flat)
      skn_run_tiles(1, &g, 1);
    else if (p->stride_w == 1)
      skn_run_tiles(1, &g, 0);
    else if (p->stride_w == 2)
      skn_run_tiles(2, &g, 0);
    else
      skn_run_tiles(0, &g, 0);
  }
}

#endif /* SK_NCHW_CONV_AVX2_H */
