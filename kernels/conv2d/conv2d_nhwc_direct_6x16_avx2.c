/*
 * Direct KxK (and 1x1) convolution, NHWC, AVX2+FMA: tiles of 6 output pixels
 * (row-major, crossing rows) x 16 output channels in 12 ymm accumulators; a
 * short last tile repeats its last pixel and stores only its own rows, a
 * 1-pixel last tile (49 = 8 * 6 + 1 on 7x7) splits K into four accumulator
 * pairs instead (FMA-latency bound otherwise, 6 rows' cost for 1).
 * K runs over (ky, kx, c): interior tiles with groups = 1 and dil_w = 1 read a
 * whole kernel row (kw * c contiguous floats) per segment, others one tap (K <= 512 with
 * groups 1 and dil_w 1, first layers included, go to conv2d_nhwc_direct_smallk_avx2.c);
 * border tiles point each padded tap at a zero row (p->zero). The K loop is unrolled by 4
 * (the 4-wide front end was the limit: 24 uops per k at 1 k) and prefetches the weights
 * 2 KB ahead (the first tile over a block reads them from L3); its steps are asm
 * (SK_6X16_STEP in sk_conv_avx2.h, shared with the small-K kernel). Channel blocks < 16 store
 * masked. Pixels go in chunks whose input fits in L2; groups of 16-channel weight blocks that
 * fit half of L2 run over a whole chunk before the next group, each tile over all blocks of the
 * group: weights come from L2, the tile's input from L1, and each pass writes a run of the
 * group's channels per output pixel, not 16 (one block per pass ran large outputs at 60-75% of
 * peak: 1x1 320->1280 on 14x14, 60%). 1x1 convs of <= 64 pixels whose weights pass 512 KB run
 * one block at a time over the image instead, prefetching the next block (sk_conv_1x1_blocks).
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include <stddef.h>

#include "sk_avx2_util.h"
#include "sk_conv_avx2.h"
#include "sk_kernels.h"

#define MR 6
#define NR 16
/* Weight prefetch distance in floats: w + SK_PF + 48 plus a line stays within the packed
 * weights' SK_PACKED_SLACK_BYTES (kernels/sk_kernels.h). */
#define SK_PF 512
#if (SK_PF + 48 + 16) * 4 > SK_PACKED_SLACK_BYTES
#error "SK_PF prefetches past the packed weights' slack"
#endif

/* Input bytes one chunk of output rows may span (kept in L2 across blocks). */
#define SK_CHUNK_INPUT_BYTES (256u * 1024u)
/* Packed weight bytes a group of blocks may span (kept in L2 over a chunk). */
#define SK_BLOCK_GROUP_BYTES (256u * 1024u)

/* One pixel: a += src[o] * w[o][0..7], b += src[o] * w[o][8..15]. */
#define SK_K_PHASE(o, a, b)                                     \
  do {                                                          \
    const __m256 x = _mm256_broadcast_ss(s0 + (o));             \
    a = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + (o)*NR), a);     \
    b = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + (o)*NR + 8), b); \
  } while (0)

/* The one-pixel tile's K loop up to w4 (four k phases in rows 0..3), then to w1; SK_1PX_SUM
 * adds the phases into row 0. */
#define SK_1PX_KLOOP()                                      \
  do {                                                      \
    for (; w != w4; w += 4 * NR, s0 += 4) {                 \
      SK_K_PHASE(0, c00, c01);                              \
      SK_K_PHASE(1, c10, c11);                              \
      SK_K_PHASE(2, c20, c21);                              \
      SK_K_PHASE(3, c30, c31);                              \
    }                                                       \
    for (; w != w1; w += NR, s0++) SK_K_PHASE(0, c00, c01); \
  } while (0)
#define SK_1PX_SUM()                                                       \
  do {                                                                     \
    c00 = _mm256_add_ps(_mm256_add_ps(c00, c10), _mm256_add_ps(c20, c30)); \
    c01 = _mm256_add_ps(_mm256_add_ps(c01, c11), _mm256_add_ps(c21, c31)); \
  } while (0)

/* Clamp and store of a tile's rows below t->mr (n channels from oc0). */
#define SK_STORE_ROW(m, a, b) \
  if ((m) < t->mr) sk_store16(t->out[m] + oc0, sk_clamp8(a, lo, hi), sk_clamp8(b, lo, hi), n)
#define SK_STORE_6X16()        \
  do {                         \
    SK_STORE_ROW(0, c00, c01); \
    SK_STORE_ROW(1, c10, c11); \
    SK_STORE_ROW(2, c20, c21); \
    SK_STORE_ROW(3, c30, c31); \
    SK_STORE_ROW(4, c40, c41); \
    SK_STORE_ROW(5, c50, c51); \
  } while (0)

typedef struct sk_tile {
  ptrdiff_t iy[MR], ix[MR]; /* top-left input position of each window */
  const float *r[MR];       /* interior tiles: each window's top-left input */
  float *out[MR];           /* output pixel (first channel of the group) */
  size_t mr;                /* rows to store (1..6) */
  int interior;             /* every window of the tile inside the image */
} sk_tile;

/* The input address of tap (dy, dx) of row m, or the zero row. */
static inline const float *sk_tap(const sk_conv_params *p, const float *in, const sk_tile *t,
                                  size_t m, ptrdiff_t dy, ptrdiff_t dx) {
  const ptrdiff_t y = t->iy[m] + dy, x = t->ix[m] + dx;
  return ((size_t)y < p->in_h && (size_t)x < p->in_w)
             ? in + ((size_t)y * p->in_w + (size_t)x) * p->in_c
             : p->zero;
}

/* One 6x16 tile over all of K, then bias/clamp/store. in: the group's first
 * input channel; w: the block's packed weights (bias first). */
__attribute__((noinline)) static void sk_tile_6x16(const sk_conv_params *p, const float *in,
                                                   const float *w, const sk_tile *t, size_t oc0,
                                                   size_t n, __m256 lo, __m256 hi) {
  const size_t kc = p->in_c_g, kh = p->kernel_h, kw = p->kernel_w;
  const ptrdiff_t dh = (ptrdiff_t)p->dil_h, dw = (ptrdiff_t)p->dil_w;
  const ptrdiff_t pix = (ptrdiff_t)p->in_c, row = (ptrdiff_t)(p->in_w * p->in_c);
  __m256 c00 = _mm256_loadu_ps(w), c01 = _mm256_loadu_ps(w + 8);
  __m256 c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  __m256 c40 = c00, c41 = c01, c50 = c00, c51 = c01;
  if (t->mr == 1) c10 = c11 = c20 = c21 = c30 = c31 = _mm256_setzero_ps();
  w += NR;
  /* Interior tiles with groups 1 and dil_w 1 read a kernel row (kw * kc
   * contiguous floats) per segment, others one tap (kc floats) per segment. */
  const int rows = t->interior && kc == p->in_c && dw == 1;
  const size_t len = rows ? kw * kc : kc, nx = rows ? 1 : kw;
  for (size_t ky = 0; ky < kh; ky++) {
    for (size_t kx = 0; kx < nx; kx++) {
      const ptrdiff_t dy = (ptrdiff_t)ky * dh, dx = (ptrdiff_t)kx * dw;
      const float *s0, *s1, *s2, *s3, *s4, *s5;
      if (t->interior) {
        const ptrdiff_t off = dy * row + dx * pix;
        s0 = t->r[0] + off, s1 = t->r[1] + off, s2 = t->r[2] + off;
        s3 = t->r[3] + off, s4 = t->r[4] + off, s5 = t->r[5] + off;
      } else {
        s0 = sk_tap(p, in, t, 0, dy, dx), s1 = sk_tap(p, in, t, 1, dy, dx);
        s2 = sk_tap(p, in, t, 2, dy, dx), s3 = sk_tap(p, in, t, 3, dy, dx);
        s4 = sk_tap(p, in, t, 4, dy, dx), s5 = sk_tap(p, in, t, 5, dy, dx);
      }
      const float *const w4 = w + (len & ~(size_t)3) * NR, *const w1 = w + len * NR;
      if (t->mr == 1) { /* one pixel (a chunk's last): phases summed at the end */
        SK_1PX_KLOOP();
        continue;
      }
      ptrdiff_t i = 0; /* bytes into each row */
      SK_6X16_PINNED(for (; w != w4; w += 4 * NR, i += 4 * (ptrdiff_t)sizeof(float)) {
        _mm_prefetch((const char *)(w + SK_PF), _MM_HINT_T0);
        _mm_prefetch((const char *)(w + SK_PF + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(w + SK_PF + 32), _MM_HINT_T0);
        _mm_prefetch((const char *)(w + SK_PF + 48), _MM_HINT_T0);
        SK_6X16_STEPP(0, q)
        SK_6X16_STEPP(1, q)
        SK_6X16_STEPP(2, q)
        SK_6X16_STEPP(3, q)
      } for (; w != w1; w += NR, i += (ptrdiff_t)sizeof(float)) SK_6X16_STEPP(0, q));
    }
  }
  if (t->mr == 1) SK_1PX_SUM();
  SK_STORE_6X16();
}

/* One 6x16 tile of a 1x1 conv (groups 1) over all K taps, for sk_conv_1x1_blocks: as
 * sk_tile_6x16, but each step of 4 taps prefetches pf into L1 and advances it by pfs (the next
 * block's weights, in shares per tile) instead of the block's own weights 2 KB ahead. */
__attribute__((noinline)) static void sk_tile_6x16_pf(const sk_tile *t, const float *w, size_t K,
                                                      size_t oc0, size_t n, const char *pf,
                                                      size_t pfs, __m256 lo, __m256 hi) {
  __m256 c00 = _mm256_loadu_ps(w), c01 = _mm256_loadu_ps(w + 8);
  __m256 c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  __m256 c40 = c00, c41 = c01, c50 = c00, c51 = c01;
  w += NR;
  const float *s0 = t->r[0], *s1 = t->r[1], *s2 = t->r[2];
  const float *s3 = t->r[3], *s4 = t->r[4], *s5 = t->r[5];
  const float *const w4 = w + (K & ~(size_t)3) * NR, *const w1 = w + K * NR;
  if (t->mr == 1) { /* four k phases in rows 0..3, as sk_tile_6x16 */
    c10 = c11 = c20 = c21 = c30 = c31 = _mm256_setzero_ps();
    SK_1PX_KLOOP();
    SK_1PX_SUM();
  } else {
    ptrdiff_t i = 0; /* bytes into each pixel's taps */
    SK_6X16_PINNED(for (; w != w4; w += 4 * NR, i += 4 * (ptrdiff_t)sizeof(float), pf += pfs) {
      _mm_prefetch(pf, _MM_HINT_T0);
      SK_6X16_STEPP(0, q)
      SK_6X16_STEPP(1, q)
      SK_6X16_STEPP(2, q)
      SK_6X16_STEPP(3, q)
    } for (; w != w1; w += NR, i += (ptrdiff_t)sizeof(float)) SK_6X16_STEPP(0, q));
  }
  SK_STORE_6X16();
}

/* 1x1 convs (groups 1, no padding) with at most SK_BLOCKS_MAX_PIXELS output pixels and packed
 * weights past SK_BLOCKS_MIN_WEIGHT_BYTES (they come from L3 on every run): one 16-channel block
 * at a time over every tile of the image, the tiles prefetching the next block's weights in
 * shares. The grouped loop below read each group's weights from L3 in its first tile's pass,
 * the other tiles from L2: 1x1 2048->512 on 7x7 1.2x, 320->1280 1.07x, 1024->1024 1.13x, 1x1 s2
 * 1024->2048 on 14x14 1.17x (median of 7 interleaved runs; chunks of the taps, partial sums in
 * the output and each chunk's weights in L1 for every tile, were no faster). */
#define SK_BLOCKS_MAX_PIXELS 64
#define SK_BLOCKS_MIN_WEIGHT_BYTES (512u * 1024u)

/* (every window inside the input: no padding on any side that an output reaches) */
static int sk_blocks_apply(const sk_conv_params *p, size_t packed_bytes) {
  return p->kernel_h == 1 && p->kernel_w == 1 && p->groups == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && (p->out_h - 1) * p->stride_h < p->in_h &&
         (p->out_w - 1) * p->stride_w < p->in_w && p->out_h * p->out_w <= SK_BLOCKS_MAX_PIXELS &&
         packed_bytes > SK_BLOCKS_MIN_WEIGHT_BYTES;
}

static void sk_conv_1x1_blocks(const sk_conv_params *p, const float *packed, const float *input,
                               float *output, __m256 lo, __m256 hi) {
  const size_t total = p->out_h * p->out_w, K = p->in_c, oc = p->out_c;
  const size_t blocks = (oc + NR - 1) / NR, bsize = sk_packed_block_size(p);
  const size_t ntiles = (total + MR - 1) / MR, iters = K / 4 ? K / 4 : 1;
  sk_tile tiles[(SK_BLOCKS_MAX_PIXELS + MR - 1) / MR];
  for (size_t ti = 0; ti < ntiles; ti++) {
    sk_tile *t = &tiles[ti];
    t->mr = total - ti * MR < MR ? total - ti * MR : MR;
    for (size_t m = 0; m < MR; m++) { /* a short tile repeats its last pixel, not stored */
      const size_t px = ti * MR + (m < t->mr ? m : t->mr - 1);
      const size_t oy = px / p->out_w, ox = px % p->out_w;
      t->r[m] = input + (oy * p->stride_h * p->in_w + ox * p->stride_w) * K;
      t->out[m] = output + px * oc;
    }
  }
  /* tile ti prefetches share bytes of the next block from next + ti * share (the last block:
   * its own, already there) */
  const size_t share = (bsize * sizeof(float) + ntiles - 1) / ntiles;
  for (size_t b = 0; b < blocks; b++) {
    const float *w = packed + b * bsize;
    const size_t n = oc - b * NR < NR ? oc - b * NR : NR;
    const char *next = (const char *)(b + 1 < blocks ? w + bsize : w);
    for (size_t ti = 0; ti < ntiles; ti++)
      sk_tile_6x16_pf(&tiles[ti], w, K, b * NR, n, next + ti * share, share / iters, lo, hi);
  }
}

/* Small K (kh * kw * in_c, first layers included) with groups 1 and dil_w 1 runs the per-row
 * kernel of conv2d_nhwc_direct_smallk_avx2.c, faster there (3x32 tiles, no per-tile set-up):
 * create picks it (the table's small_k_*), and this entry hands such calls to it too, but for
 * the narrow rows that kernel hands here (sk_conv_nhwc_smallk_runs in sk_kernels.h). */
void sk_conv2d_nhwc_direct_6x16__avx2(const sk_conv_params *p, const float *packed,
                                      const float *input, float *output) {
  if (sk_conv_nhwc_smallk_runs(p)) {
    sk_conv2d_nhwc_direct_smallk__avx2(p, packed, input, output);
    return;
  }
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t blocks = (p->out_c_g + NR - 1) / NR;
  const size_t bsize = sk_packed_block_size(p);
  if (sk_blocks_apply(p, blocks * bsize * sizeof(float))) {
    sk_conv_1x1_blocks(p, packed, input, output, lo, hi);
    return;
  }
  const ptrdiff_t ext_h = (ptrdiff_t)((p->kernel_h - 1) * p->dil_h);
  const ptrdiff_t ext_w = (ptrdiff_t)((p->kernel_w - 1) * p->dil_w);
  const ptrdiff_t in_h = (ptrdiff_t)p->in_h, in_w = (ptrdiff_t)p->in_w;
  const size_t total = p->out_h * p->out_w;
  const ptrdiff_t in_pix = (ptrdiff_t)p->in_c, in_row = (ptrdiff_t)(p->in_w * p->in_c);

  /* Chunk of output rows whose input fits SK_CHUNK_INPUT_BYTES, counting only the input the
   * windows touch: a stride past the kernel's extent skips rows and columns (1x1 stride 2
   * reads a quarter of its input; counted whole, 1x1 s2 1024->2048 on 14x14 ran 12-pixel chunks
   * and streamed its 8 MB of weights from L3 for each). */
  const size_t ew = (size_t)ext_w + 1, eh = (size_t)ext_h + 1;
  const size_t cols = p->stride_w > ew ? p->out_w * ew : p->in_w;
  const size_t row_bytes = cols * p->in_c * sizeof(float);
  const size_t fit_rows = SK_CHUNK_INPUT_BYTES / (row_bytes ? row_bytes : 1);
  /* r output rows touch r * eh input rows if the stride skips rows, else (r - 1) * stride + eh
   * (kept to r * stride + eh: a row to spare) */
  size_t chunk_rows = p->stride_h > eh ? fit_rows / eh
                      : fit_rows > eh  ? (fit_rows - eh) / p->stride_h
                                       : 0;
  if (chunk_rows < 1) chunk_rows = 1;
  size_t chunk = chunk_rows * p->out_w;
  chunk = (chunk + MR - 1) / MR * MR;

  /* Weight blocks run in groups that fit half of L2, each over a whole chunk. */
  const size_t bbytes = bsize * sizeof(float);
  size_t bgroup = SK_BLOCK_GROUP_BYTES / bbytes;
  if (bgroup < 1) bgroup = 1;
  if (bgroup > blocks) bgroup = blocks;

  for (size_t c0 = 0; c0 < total; c0 += chunk) {
    const size_t c1 = total - c0 < chunk ? total : c0 + chunk;
    for (size_t g = 0; g < p->groups; g++) {
      const float *in = input + g * p->in_c_g;
      for (size_t b0 = 0; b0 < blocks; b0 += bgroup) {
        const size_t b1 = blocks - b0 < bgroup ? blocks : b0 + bgroup;
        size_t oy = c0 / p->out_w, ox = c0 % p->out_w;
        for (size_t pix = c0; pix < c1; pix += MR) {
          sk_tile t;
          t.mr = c1 - pix < MR ? c1 - pix : MR;
          if (t.mr == MR && ox + MR <= p->out_w) {
            /* six pixels of one row: the common case, set up directly */
            const ptrdiff_t iy = (ptrdiff_t)(oy * p->stride_h) - (ptrdiff_t)p->pad_top;
            const ptrdiff_t ix = (ptrdiff_t)(ox * p->stride_w) - (ptrdiff_t)p->pad_left;
            const ptrdiff_t sw = (ptrdiff_t)p->stride_w;
            float *out0 = output + (oy * p->out_w + ox) * p->out_c + g * p->out_c_g;
            for (size_t m = 0; m < MR; m++) {
              t.iy[m] = iy;
              t.ix[m] = ix + (ptrdiff_t)m * sw;
              t.out[m] = out0 + m * p->out_c;
            }
            t.interior = iy >= 0 && iy + ext_h < in_h && ix >= 0 && t.ix[MR - 1] + ext_w < in_w;
            ox += MR;
            if (ox == p->out_w) {
              ox = 0;
              oy++;
            }
          } else {
            t.interior = 1;
            ptrdiff_t iy = 0, ix = 0; /* a short tile repeats its last pixel, not stored */
            float *out = output;
            for (size_t m = 0; m < MR; m++) {
              if (m < t.mr) {
                iy = (ptrdiff_t)(oy * p->stride_h) - (ptrdiff_t)p->pad_top;
                ix = (ptrdiff_t)(ox * p->stride_w) - (ptrdiff_t)p->pad_left;
                out = output + (oy * p->out_w + ox) * p->out_c + g * p->out_c_g;
                t.interior &= iy >= 0 && iy + ext_h < in_h && ix >= 0 && ix + ext_w < in_w;
                if (++ox == p->out_w) {
                  ox = 0;
                  oy++;
                }
              }
              t.iy[m] = iy;
              t.ix[m] = ix;
              t.out[m] = out;
            }
          }
          if (t.interior)
            for (size_t m = 0; m < MR; m++) t.r[m] = in + (t.iy[m] * in_row + t.ix[m] * in_pix);
          for (size_t b = b0; b < b1; b++) {
            const size_t left = p->out_c_g - b * NR;
            sk_tile_6x16(p, in, packed + (g * blocks + b) * bsize, &t, b * NR,
                         left < NR ? left : NR, lo, hi);
          }
        }
      }
    }
  }
}
