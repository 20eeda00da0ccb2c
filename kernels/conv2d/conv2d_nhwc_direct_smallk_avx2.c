/*
 * Direct conv, NHWC, AVX2+FMA, K = kh*kw*in_c <= 512 (first layers): per output row, 3x32 tiles
 * over pairs of 16-channel blocks, 4x24 (a lone full block and a last one of n <= 8), 12x8 (in_c
 * 1, stride 1, kw 3), 6x8 (a last block of n <= 8) or 6x16 for the rest; the last tile of a row
 * overlaps the one before, n < 16 stores masked, border pixels go one at a time.
 * Blocks run in groups whose weights fit 128 KB, each group over every row; 1x1 stride-1
 * convs without padding run as rows of 32 KB of output across image rows.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include <math.h>
#include <stddef.h>

#include "sk_avx2_util.h"
#include "sk_conv_avx2.h"
#include "sk_kernels.h"

#define MR 6
#define NR 16
/* Packed weight bytes of the blocks that run over every row before the next (kept in L2). */
#define SK_SMALLK_GROUP_BYTES (128u * 1024u)
/* Output bytes of a row of a 1x1 stride-1 conv's pixels (see the entry; 128 KB of input + output
 * ran 1x1 24->144 on 56x56 ~25% slower: the output no longer stayed in L1 across the blocks). */
#define SK_SMALLK_FLAT_BYTES (32u * 1024u)

/* One pixel x 16 channels: rows [0, nky) of runs of len floats (input step is, weight step ws). */
__attribute__((noinline, cold)) static void sk_px_1x16(const float *s, const float *w,
                                                       const float *bias, size_t nky, size_t len,
                                                       ptrdiff_t is, size_t ws, float *out,
                                                       size_t n, __m256 lo, __m256 hi) {
  __m256 a0 = _mm256_loadu_ps(bias), a1 = _mm256_loadu_ps(bias + 8);
  __m256 b0 = _mm256_setzero_ps(), b1 = b0, c0 = b0, c1 = b0, d0 = b0, d1 = b0;
  for (size_t ky = 0; ky < nky; ky++, s += is, w += ws) {
    size_t k = 0; /* 4 taps a step into 8 chains (2 were FMA-latency bound) */
    for (; k + 4 <= len; k += 4) {
      const float *v = w + k * NR;
      __m256 x = _mm256_broadcast_ss(s + k);
      a0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v), a0);
      a1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + 8), a1);
      x = _mm256_broadcast_ss(s + k + 1);
      b0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + NR), b0);
      b1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + NR + 8), b1);
      x = _mm256_broadcast_ss(s + k + 2);
      c0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + 2 * NR), c0);
      c1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + 2 * NR + 8), c1);
      x = _mm256_broadcast_ss(s + k + 3);
      d0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + 3 * NR), d0);
      d1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + 3 * NR + 8), d1);
    }
    for (; k < len; k++) {
      const __m256 x = _mm256_broadcast_ss(s + k);
      a0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + k * NR), a0);
      a1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + k * NR + 8), a1);
    }
  }
  a0 = _mm256_add_ps(_mm256_add_ps(a0, b0), _mm256_add_ps(c0, d0));
  a1 = _mm256_add_ps(_mm256_add_ps(a1, b1), _mm256_add_ps(c1, d1));
  sk_store16(out, sk_clamp8(a0, lo, hi), sk_clamp8(a1, lo, hi), n);
}

/* One pixel x 32 channels (two full blocks, bs floats apart), as sk_px_1x16. */
__attribute__((noinline, cold)) static void sk_px_1x32(const float *s, const float *w,
                                                       const float *bias, size_t bs, size_t nky,
                                                       size_t len, ptrdiff_t is, size_t ws,
                                                       float *out, __m256 lo, __m256 hi) {
  __m256 a0 = _mm256_loadu_ps(bias), a1 = _mm256_loadu_ps(bias + 8);
  __m256 a2 = _mm256_loadu_ps(bias + bs), a3 = _mm256_loadu_ps(bias + bs + 8);
  __m256 b0 = _mm256_setzero_ps(), b1 = b0, b2 = b0, b3 = b0;
  for (size_t ky = 0; ky < nky; ky++, s += is, w += ws) {
    size_t k = 0; /* 2 taps a step into 8 chains (4 were FMA-latency bound) */
    for (; k + 2 <= len; k += 2) {
      const float *v = w + k * NR;
      const __m256 x = _mm256_broadcast_ss(s + k), y = _mm256_broadcast_ss(s + k + 1);
      a0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v), a0);
      a1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + 8), a1);
      a2 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + bs), a2);
      a3 = _mm256_fmadd_ps(x, _mm256_loadu_ps(v + bs + 8), a3);
      b0 = _mm256_fmadd_ps(y, _mm256_loadu_ps(v + NR), b0);
      b1 = _mm256_fmadd_ps(y, _mm256_loadu_ps(v + NR + 8), b1);
      b2 = _mm256_fmadd_ps(y, _mm256_loadu_ps(v + bs + NR), b2);
      b3 = _mm256_fmadd_ps(y, _mm256_loadu_ps(v + bs + NR + 8), b3);
    }
    for (; k < len; k++) {
      const __m256 x = _mm256_broadcast_ss(s + k);
      a0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + k * NR), a0);
      a1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + k * NR + 8), a1);
      a2 = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + bs + k * NR), a2);
      a3 = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + bs + k * NR + 8), a3);
    }
  }
  a0 = _mm256_add_ps(a0, b0), a1 = _mm256_add_ps(a1, b1);
  a2 = _mm256_add_ps(a2, b2), a3 = _mm256_add_ps(a3, b3);
  _mm256_storeu_ps(out, sk_clamp8(a0, lo, hi));
  _mm256_storeu_ps(out + 8, sk_clamp8(a1, lo, hi));
  _mm256_storeu_ps(out + 16, sk_clamp8(a2, lo, hi));
  _mm256_storeu_ps(out + 24, sk_clamp8(a3, lo, hi));
}

/* The activation on a tile's named accumulators (6 or 12), only the bounds j asks for (the bound
 * first: MAXPS/MINPS return the second operand for NaN, so NaN passes). */
#define SK_MAP6(F, v, a0, a1, a2, a3, a4, a5) \
  a0 = F(v, a0), a1 = F(v, a1), a2 = F(v, a2), a3 = F(v, a3), a4 = F(v, a4), a5 = F(v, a5)
#define SK_MAP12(F, v, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) \
  SK_MAP6(F, v, a0, a1, a2, a3, a4, a5), SK_MAP6(F, v, a6, a7, a8, a9, a10, a11)
/* MAP: SK_MAP6 or SK_MAP12, over the accumulators that follow. */
#define SK_ACT(j, MAP, ...)                            \
  do {                                                 \
    if ((j)->act_lo) {                                 \
      const __m256 v_ = _mm256_broadcast_ss(&(j)->lo); \
      MAP(_mm256_max_ps, v_, __VA_ARGS__);             \
    }                                                  \
    if ((j)->act_hi) {                                 \
      const __m256 v_ = _mm256_broadcast_ss(&(j)->hi); \
      MAP(_mm256_min_ps, v_, __VA_ARGS__);             \
    }                                                  \
  } while (0)
#define SK_ACT12(j, ...) SK_ACT(j, SK_MAP12, __VA_ARGS__)

/* The K loop of a row tile (job jb): kernel rows [0, nky) of len contiguous taps each; U steps
 * (STEP(0) .. STEP(U - 1) in BODY) per iteration, then TAIL (STEP(0)) per remaining tap; it
 * defines the byte index i and advances the tile's weight pointer w. The asm reads tap i / 4 + j
 * of a pixel's window at byte j * 4 + i from its pointer: no load of a per-tap offset (one of 8
 * loads per 12 FMAs). */
#define SK_KLOOP(jb, U, BODY, TAIL)                                  \
  for (size_t r_ = 0; r_ < (jb)->nky; r_++) {                        \
    ptrdiff_t i = (ptrdiff_t)r_ * (jb)->isb;                         \
    size_t t = (jb)->len;                                            \
    for (; t >= (U); t -= (U), i += 4 * (U), w += (U) * NR) { BODY } \
    for (; t > 0; t--, i += 4, w += NR) { TAIL }                     \
  }

/* Every tile's step is asm like SK_6X16_STEP (the 6x16 tile's, from sk_conv_avx2.h, which says
 * why), each statement clobbering "memory". */

/* The interior tiles of one output row for one block of 16 channels (6x16) or two (3x32). */
typedef struct sk_rowjob {
  const float *s;       /* window of the first tile's first pixel (first valid kernel row) */
  const float *w;       /* weights of the first valid kernel row */
  const float *bias;    /* 16 (3x32: 16 per block) */
  size_t bstride;       /* 3x32, 4x24: floats from one block's packed weights to the next's */
  size_t nky, len;      /* kernel rows, each of len contiguous taps (floats) */
  ptrdiff_t isb;        /* bytes from one kernel row's input to the next's */
  size_t xs;            /* floats between neighbouring windows */
  size_t tiles, back;   /* tiles in the row; the last one moved back by back pixels */
  float *out;           /* first tile's first pixel */
  size_t oc, n;         /* output pixel stride; channels to store (1..16; 4x24: 17..24) */
  float lo, hi;         /* the activation: max(lo, .) if act_lo, min(hi, .) if act_hi (value */
  int act_lo, act_hi;   /* second: NaN passes, as in sk_clamp8) */
} sk_rowjob;

/* The first n (1..15) channels of 6 pixels of tmp to out (pixels oc floats apart). */
__attribute__((noinline, cold)) static void sk_copy_tail(const float *tmp, float *out, size_t oc,
                                                         size_t n) {
  const __m256i m0 = sk_mask8(n), m1 = sk_mask8(n > 8 ? n - 8 : 0);
  for (size_t m = 0; m < MR; m++, tmp += NR, out += oc) {
    _mm256_maskstore_ps(out, m0, _mm256_loadu_ps(tmp));
    _mm256_maskstore_ps(out + 8, m1, _mm256_loadu_ps(tmp + 8));
  }
}

__attribute__((noinline)) static void sk_row_6x16(const sk_rowjob *j) {
  const float *s = j->s, *bias = j->bias;
  const size_t xs = j->xs, oc = j->oc, n = j->n;
  float *out = j->out;
  float tmp[MR * NR];
  for (size_t tile = 0; tile < j->tiles; tile++) {
    if (tile + 1 == j->tiles && tile > 0) s -= j->back * xs, out -= j->back * oc;
    const float *s0 = s, *s1 = s + xs, *s2 = s + 2 * xs, *s3 = s + 3 * xs;
    const float *s4 = s + 4 * xs, *s5 = s + 5 * xs;
    __m256 c00 = _mm256_loadu_ps(bias), c01 = _mm256_loadu_ps(bias + 8);
    __m256 c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
    __m256 c40 = c00, c41 = c01, c50 = c00, c51 = c01;
    const float *w = j->w;
    SK_KLOOP(j, 3, SK_6X16_STEP(0) SK_6X16_STEP(1) SK_6X16_STEP(2), SK_6X16_STEP(0))
    SK_ACT12(j, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    const size_t ds = n == NR ? oc : NR; /* n < 16: through tmp, then n floats per pixel */
    float *d = n == NR ? out : tmp;
    _mm256_storeu_ps(d, c00), _mm256_storeu_ps(d + 8, c01), d += ds;
    _mm256_storeu_ps(d, c10), _mm256_storeu_ps(d + 8, c11), d += ds;
    _mm256_storeu_ps(d, c20), _mm256_storeu_ps(d + 8, c21), d += ds;
    _mm256_storeu_ps(d, c30), _mm256_storeu_ps(d + 8, c31), d += ds;
    _mm256_storeu_ps(d, c40), _mm256_storeu_ps(d + 8, c41), d += ds;
    _mm256_storeu_ps(d, c50), _mm256_storeu_ps(d + 8, c51);
    if (n != NR) sk_copy_tail(tmp, out, oc, n);
    s += MR * xs, out += MR * oc;
  }
}

/* One step j of the 6x8 tile (a last block of n <= 8 channels) into accumulator set c or d:
 * c_m += s_m[i / 4 + j] * w[j][0..7]. Two sets over alternate steps: 12 FMA chains, not 6. */
// clang-format off
#define SK_B8(j, m, c)                                                                             \
  "vbroadcastss " #j "*4(%[s" #m "],%[i]), %[x]\n\t"                                               \
  "vfmadd231ps %[a], %[x], %[" #c #m "]\n\t"
#define SK_STEP8(j, c)                                                                             \
  {                                                                                                \
    __m256 a_, x_;                                                                                 \
    __asm__("vmovups " #j "*64(%[w]), %[a]\n\t"                                                    \
            SK_B8(j, 0, c) SK_B8(j, 1, c) SK_B8(j, 2, c)                                           \
            SK_B8(j, 3, c) SK_B8(j, 4, c) SK_B8(j, 5, c)                                           \
            : [c##0] "+x"(c##0), [c##1] "+x"(c##1), [c##2] "+x"(c##2), [c##3] "+x"(c##3),          \
              [c##4] "+x"(c##4), [c##5] "+x"(c##5), [a] "=&x"(a_), [x] "=&x"(x_)                   \
            : [s0] "r"(s0), [s1] "r"(s1), [s2] "r"(s2), [s3] "r"(s3), [s4] "r"(s4), [s5] "r"(s5),  \
              [i] "r"(i), [w] "r"(w) : "memory");                                                  \
  }
// clang-format on

/* 6 pixels x the first n <= 8 channels of a block: with the 6x16 tile the upper half of the FMAs
 * were wasted and the stores went through tmp (pointwise 144->24 and 96->24: half their time). */
__attribute__((noinline)) static void sk_row_6x8(const sk_rowjob *j) {
  const float *s = j->s;
  const size_t xs = j->xs, oc = j->oc;
  const __m256i m = sk_mask8(j->n);
  float *out = j->out;
  for (size_t tile = 0; tile < j->tiles; tile++) {
    if (tile + 1 == j->tiles && tile > 0) s -= j->back * xs, out -= j->back * oc;
    const float *s0 = s, *s1 = s + xs, *s2 = s + 2 * xs, *s3 = s + 3 * xs;
    const float *s4 = s + 4 * xs, *s5 = s + 5 * xs;
    __m256 c0 = _mm256_loadu_ps(j->bias), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    __m256 d0 = _mm256_setzero_ps(), d1 = d0, d2 = d0, d3 = d0, d4 = d0, d5 = d0;
    const float *w = j->w;
    SK_KLOOP(j, 2, SK_STEP8(0, c) SK_STEP8(1, d), SK_STEP8(0, c))
    c0 = _mm256_add_ps(c0, d0), c1 = _mm256_add_ps(c1, d1), c2 = _mm256_add_ps(c2, d2);
    c3 = _mm256_add_ps(c3, d3), c4 = _mm256_add_ps(c4, d4), c5 = _mm256_add_ps(c5, d5);
    SK_ACT(j, SK_MAP6, c0, c1, c2, c3, c4, c5);
    float *d = out;
    _mm256_maskstore_ps(d, m, c0), _mm256_maskstore_ps(d + oc, m, c1);
    _mm256_maskstore_ps(d + 2 * oc, m, c2), _mm256_maskstore_ps(d + 3 * oc, m, c3);
    _mm256_maskstore_ps(d + 4 * oc, m, c4), _mm256_maskstore_ps(d + 5 * oc, m, c5);
    s += MR * xs, out += MR * oc;
  }
}

/* One step j of the 3x32 tile: c[m][q] += s_m[i / 4 + j] * w[q / 2 block][j][8 (q % 2)..];
 * three broadcasts, then each of the 4 weight vectors feeds 3 FMAs (16 ymm registers). */
// clang-format off
#define SK_F(q, m) "vfmadd231ps %[a], %[x" #m "], %[c" #m #q "]\n\t"
#define SK_STEP32(j)                                                                               \
  {                                                                                                \
    __m256 a_, x0_, x1_, x2_;                                                                      \
    __asm__("vbroadcastss " #j "*4(%[s0],%[i]), %[x0]\n\t"                                         \
            "vbroadcastss " #j "*4(%[s1],%[i]), %[x1]\n\t"                                         \
            "vbroadcastss " #j "*4(%[s2],%[i]), %[x2]\n\t"                                         \
            "vmovups " #j "*64(%[w]), %[a]\n\t" SK_F(0, 0) SK_F(0, 1) SK_F(0, 2)                   \
            "vmovups " #j "*64+32(%[w]), %[a]\n\t" SK_F(1, 0) SK_F(1, 1) SK_F(1, 2)                \
            : [c00] "+x"(c00), [c10] "+x"(c10), [c20] "+x"(c20), [c01] "+x"(c01),                  \
              [c11] "+x"(c11), [c21] "+x"(c21), [a] "=&x"(a_), [x0] "=&x"(x0_),                    \
              [x1] "=&x"(x1_), [x2] "=&x"(x2_)                                                     \
            : [s0] "r"(s0), [s1] "r"(s1), [s2] "r"(s2), [i] "r"(i), [w] "r"(w) : "memory");        \
    __asm__("vmovups " #j "*64(%[w],%[bs]), %[a]\n\t" SK_F(2, 0) SK_F(2, 1) SK_F(2, 2)             \
            "vmovups " #j "*64+32(%[w],%[bs]), %[a]\n\t" SK_F(3, 0) SK_F(3, 1) SK_F(3, 2)          \
            : [c02] "+x"(c02), [c12] "+x"(c12), [c22] "+x"(c22), [c03] "+x"(c03),                  \
              [c13] "+x"(c13), [c23] "+x"(c23), [a] "=&x"(a_)                                      \
            : [x0] "x"(x0_), [x1] "x"(x1_), [x2] "x"(x2_), [w] "r"(w), [bs] "r"(bs) : "memory");   \
  }
// clang-format on

__attribute__((noinline)) static void sk_row_3x32(const sk_rowjob *j) {
  const float *s = j->s, *b0 = j->bias, *b1 = j->bias + j->bstride;
  const size_t xs = j->xs, oc = j->oc;
  const ptrdiff_t bs = (ptrdiff_t)(j->bstride * sizeof(float));
  float *out = j->out;
  for (size_t tile = 0; tile < j->tiles; tile++) {
    if (tile + 1 == j->tiles && tile > 0) s -= j->back * xs, out -= j->back * oc;
    const float *s0 = s, *s1 = s + xs, *s2 = s + 2 * xs;
    __m256 c00 = _mm256_loadu_ps(b0), c01 = _mm256_loadu_ps(b0 + 8);
    __m256 c02 = _mm256_loadu_ps(b1), c03 = _mm256_loadu_ps(b1 + 8);
    __m256 c10 = c00, c11 = c01, c12 = c02, c13 = c03, c20 = c00, c21 = c01, c22 = c02, c23 = c03;
    const float *w = j->w;
    SK_KLOOP(j, 3, SK_STEP32(0) SK_STEP32(1) SK_STEP32(2), SK_STEP32(0))
    SK_ACT12(j, c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23);
    float *d = out;
    _mm256_storeu_ps(d, c00), _mm256_storeu_ps(d + 8, c01);
    _mm256_storeu_ps(d + 16, c02), _mm256_storeu_ps(d + 24, c03), d += oc;
    _mm256_storeu_ps(d, c10), _mm256_storeu_ps(d + 8, c11);
    _mm256_storeu_ps(d + 16, c12), _mm256_storeu_ps(d + 24, c13), d += oc;
    _mm256_storeu_ps(d, c20), _mm256_storeu_ps(d + 8, c21);
    _mm256_storeu_ps(d + 16, c22), _mm256_storeu_ps(d + 24, c23);
    s += 3 * xs, out += 3 * oc;
  }
}

/* One step j of the 4x24 tile: c[m][q] += s_m[i / 4 + j] * (w[j][0..15], then the next block's
 * w[j][0..7], bs bytes on); each of the 4 broadcasts feeds 3 FMAs (16 ymm registers). */
// clang-format off
#define SK_G(j, m) "vbroadcastss " #j "*4(%[s" #m "],%[i]), %[x]\n\t"                              \
  "vfmadd231ps %[a], %[x], %[c" #m "0]\n\t"                                                        \
  "vfmadd231ps %[b], %[x], %[c" #m "1]\n\t"                                                        \
  "vfmadd231ps %[e], %[x], %[c" #m "2]\n\t"
#define SK_STEP24(j)                                                                               \
  {                                                                                                \
    __m256 a_, b_, e_, x_;                                                                         \
    __asm__("vmovups " #j "*64(%[w]), %[a]\n\t"                                                    \
            "vmovups " #j "*64+32(%[w]), %[b]\n\t"                                                 \
            "vmovups " #j "*64(%[w],%[bs]), %[e]\n\t" SK_G(j, 0) SK_G(j, 1)                        \
            : [c00] "+x"(c00), [c01] "+x"(c01), [c02] "+x"(c02), [c10] "+x"(c10),                  \
              [c11] "+x"(c11), [c12] "+x"(c12), [a] "=&x"(a_), [b] "=&x"(b_), [e] "=&x"(e_),       \
              [x] "=&x"(x_)                                                                        \
            : [s0] "r"(s0), [s1] "r"(s1), [i] "r"(i), [w] "r"(w), [bs] "r"(bs) : "memory");        \
    __asm__(SK_G(j, 2) SK_G(j, 3)                                                                  \
            : [c20] "+x"(c20), [c21] "+x"(c21), [c22] "+x"(c22), [c30] "+x"(c30),                  \
              [c31] "+x"(c31), [c32] "+x"(c32), [x] "=&x"(x_)                                      \
            : [a] "x"(a_), [b] "x"(b_), [e] "x"(e_), [s2] "r"(s2), [s3] "r"(s3), [i] "r"(i)        \
            : "memory");                                                                           \
  }
// clang-format on

/* 4 pixels x a full block and the first n - 16 <= 8 channels of the next (the last): with 6x16
 * and 6x8 tiles the input went twice and 6x8 was load-bound (8 loads per 6 FMAs: 1x1 96->24). */
__attribute__((noinline)) static void sk_row_4x24(const sk_rowjob *j) {
  const float *s = j->s, *b0 = j->bias, *b1 = j->bias + j->bstride;
  const size_t xs = j->xs, oc = j->oc;
  const ptrdiff_t bs = (ptrdiff_t)(j->bstride * sizeof(float));
  const __m256i m = sk_mask8(j->n - NR);
  float *out = j->out;
  for (size_t tile = 0; tile < j->tiles; tile++) {
    if (tile + 1 == j->tiles && tile > 0) s -= j->back * xs, out -= j->back * oc;
    const float *s0 = s, *s1 = s + xs, *s2 = s + 2 * xs, *s3 = s + 3 * xs;
    __m256 c00 = _mm256_loadu_ps(b0), c01 = _mm256_loadu_ps(b0 + 8), c02 = _mm256_loadu_ps(b1);
    __m256 c10 = c00, c11 = c01, c12 = c02, c20 = c00, c21 = c01, c22 = c02;
    __m256 c30 = c00, c31 = c01, c32 = c02;
    const float *w = j->w;
    SK_KLOOP(j, 3, SK_STEP24(0) SK_STEP24(1) SK_STEP24(2), SK_STEP24(0))
    SK_ACT12(j, c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32);
    float *d = out;
    _mm256_storeu_ps(d, c00), _mm256_storeu_ps(d + 8, c01), _mm256_maskstore_ps(d + 16, m, c02);
    d += oc;
    _mm256_storeu_ps(d, c10), _mm256_storeu_ps(d + 8, c11), _mm256_maskstore_ps(d + 16, m, c12);
    d += oc;
    _mm256_storeu_ps(d, c20), _mm256_storeu_ps(d + 8, c21), _mm256_maskstore_ps(d + 16, m, c22);
    d += oc;
    _mm256_storeu_ps(d, c30), _mm256_storeu_ps(d + 8, c31), _mm256_maskstore_ps(d + 16, m, c32);
    s += 4 * xs, out += 4 * oc;
  }
}

/* One kernel row of the 12x8 tile (in_c 1, stride 1, kernel width 3): the 14 input floats at s
 * broadcast once each, into every pixel m = j - kx whose window holds float j, with the 3 taps'
 * weights w[kx][0..7] (64 bytes apart) held in registers. */
// clang-format off
#define SK_X(j) "vbroadcastss " #j "*4(%[s]), %[x]\n\t"
#define SK_FW(k, m) "vfmadd231ps %[w" #k "], %[x], %[c" #m "]\n\t"
#define SK_ROW12()                                                                                 \
  {                                                                                                \
    __m256 x_, w0_, w1_, w2_;                                                                      \
    __asm__("vmovups (%[w]), %[w0]\n\t"                                                            \
            "vmovups 64(%[w]), %[w1]\n\t"                                                          \
            "vmovups 128(%[w]), %[w2]\n\t"                                                         \
            SK_X(0) SK_FW(0, 0)                                                                    \
            SK_X(1) SK_FW(0, 1) SK_FW(1, 0)                                                        \
            SK_X(2) SK_FW(0, 2) SK_FW(1, 1) SK_FW(2, 0)                                            \
            SK_X(3) SK_FW(0, 3) SK_FW(1, 2) SK_FW(2, 1)                                            \
            SK_X(4) SK_FW(0, 4) SK_FW(1, 3) SK_FW(2, 2)                                            \
            SK_X(5) SK_FW(0, 5) SK_FW(1, 4) SK_FW(2, 3)                                            \
            SK_X(6) SK_FW(0, 6) SK_FW(1, 5) SK_FW(2, 4)                                            \
            : [c0] "+x"(c0), [c1] "+x"(c1), [c2] "+x"(c2), [c3] "+x"(c3), [c4] "+x"(c4),           \
              [c5] "+x"(c5), [c6] "+x"(c6), [x] "=&x"(x_), [w0] "=&x"(w0_), [w1] "=&x"(w1_),       \
              [w2] "=&x"(w2_)                                                                      \
            : [s] "r"(s), [w] "r"(w) : "memory");                                                  \
    __asm__(                                                                                       \
            SK_X(7) SK_FW(0, 7) SK_FW(1, 6) SK_FW(2, 5)                                            \
            SK_X(8) SK_FW(0, 8) SK_FW(1, 7) SK_FW(2, 6)                                            \
            SK_X(9) SK_FW(0, 9) SK_FW(1, 8) SK_FW(2, 7)                                            \
            SK_X(10) SK_FW(0, 10) SK_FW(1, 9) SK_FW(2, 8)                                          \
            SK_X(11) SK_FW(0, 11) SK_FW(1, 10) SK_FW(2, 9)                                         \
            SK_X(12) SK_FW(1, 11) SK_FW(2, 10)                                                     \
            SK_X(13) SK_FW(2, 11)                                                                  \
            : [c5] "+x"(c5), [c6] "+x"(c6), [c7] "+x"(c7), [c8] "+x"(c8), [c9] "+x"(c9),           \
              [c10] "+x"(c10), [c11] "+x"(c11), [x] "=&x"(x_)                                      \
            : [w0] "x"(w0_), [w1] "x"(w1_), [w2] "x"(w2_), [s] "r"(s) : "memory");                 \
  }
// clang-format on

/* 12 pixels x 8 channels (half h of a 16-channel block) per tile; in_c 1, stride 1, kw 3. */
__attribute__((noinline)) static void sk_row_12x8(const sk_rowjob *j, size_t nky, ptrdiff_t is) {
  const size_t oc = j->oc, halves = j->n > 8 ? 2 : 1;
  const float *s = j->s;
  float *out = j->out;
  for (size_t tile = 0; tile < j->tiles; tile++) {
    if (tile + 1 == j->tiles && tile > 0) s -= j->back, out -= j->back * oc;
    for (size_t h = 0; h < halves; h++) {
      __m256 c0 = _mm256_loadu_ps(j->bias + 8 * h), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
      __m256 c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
      const float *w = j->w + 8 * h, *r = s;
      for (size_t ky = 0; ky < nky; ky++, r += is, w += 3 * NR) {
        const float *const s = r; /* (the name the asm uses) */
        SK_ROW12()
      }
      SK_ACT12(j, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
      /* pixels m, m+1, m+2 from one base (index addressing) */
      float *d0 = out + 8 * h, *d3 = d0 + 3 * oc, *d6 = d3 + 3 * oc, *d9 = d6 + 3 * oc;
      _mm256_storeu_ps(d0, c0), _mm256_storeu_ps(d0 + oc, c1), _mm256_storeu_ps(d0 + 2 * oc, c2);
      _mm256_storeu_ps(d3, c3), _mm256_storeu_ps(d3 + oc, c4), _mm256_storeu_ps(d3 + 2 * oc, c5);
      _mm256_storeu_ps(d6, c6), _mm256_storeu_ps(d6 + oc, c7), _mm256_storeu_ps(d6 + 2 * oc, c8);
      _mm256_storeu_ps(d9, c9), _mm256_storeu_ps(d9 + oc, c10), _mm256_storeu_ps(d9 + 2 * oc, c11);
    }
    s += 12, out += 12 * oc;
  }
}

/* Output pixel ox of a row (row: its first valid kernel row's input, ky0 of nky; out: the
 * pixel's first channel), blocks [b0, b1), taps clipped to the input. */
__attribute__((noinline, cold)) static void sk_border_px(const sk_conv_params *p,
                                                         const float *packed, const float *input,
                                                         const float *row, float *out, size_t ox,
                                                         size_t ky0, size_t nky, size_t b0,
                                                         size_t b1) {
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t kc = p->in_c, kw = p->kernel_w, oc = p->out_c, len = kw * kc, ws = len * NR;
  const size_t bsize = sk_packed_block_size(p), full = oc / NR;
  const ptrdiff_t in_w = (ptrdiff_t)p->in_w, is = (ptrdiff_t)(p->dil_h * p->in_w * kc);
  const ptrdiff_t ix = (ptrdiff_t)(ox * p->stride_w) - (ptrdiff_t)p->pad_left;
  const size_t kx0 = ix < 0 ? (size_t)-ix : 0;
  const size_t kx1 = ix >= in_w ? 0 : (in_w - ix < (ptrdiff_t)kw ? (size_t)(in_w - ix) : kw);
  const size_t cut = kx0 < kx1 ? (kx1 - kx0) * kc : 0;
  const float *src = cut ? row + (ix + (ptrdiff_t)kx0) * (ptrdiff_t)kc : input;
  if (cut == 0) nky = 0;
  for (size_t b = b0; b < b1; b++) {
    const float *blk = packed + b * bsize, *w = blk + NR + ky0 * ws;
    if (cut) w += kx0 * kc * NR;
    if (b + 2 <= full && b + 2 <= b1) {
      sk_px_1x32(src, w, blk, bsize, nky, cut, is, ws, out + b * NR, lo, hi);
      b++;
    } else {
      sk_px_1x16(src, w, blk, nky, cut, is, ws, out + b * NR, oc - b * NR < NR ? oc - b * NR : NR,
                 lo, hi);
    }
  }
}

static void sk_smallk_rows(const sk_conv_params *p, const float *packed, const float *input,
                           float *output) {
  const size_t kc = p->in_c, kh = p->kernel_h, kw = p->kernel_w, oc = p->out_c;
  const size_t sw = p->stride_w, len = kw * kc, xs = sw * kc, ws = len * NR;
  const size_t blocks = (oc + NR - 1) / NR, bsize = sk_packed_block_size(p);
  const ptrdiff_t in_h = (ptrdiff_t)p->in_h, in_w = (ptrdiff_t)p->in_w;
  const ptrdiff_t dh = (ptrdiff_t)p->dil_h, pl = (ptrdiff_t)p->pad_left;
  const ptrdiff_t in_row = in_w * (ptrdiff_t)kc, is = dh * in_row;
  /* Interior columns [xa, xb): every tap of the window inside the input row. */
  const size_t xa0 = ((size_t)pl + sw - 1) / sw;
  const size_t xa = xa0 < p->out_w ? xa0 : p->out_w;
  size_t xb = in_w + pl >= (ptrdiff_t)kw ? (size_t)(in_w + pl - (ptrdiff_t)kw) / sw + 1 : 0;
  if (xb > p->out_w) xb = p->out_w;
  if (xb < xa + MR) xb = xa; /* too few for a tile: all pixels go one at a time */

  sk_rowjob job;
  job.nky = 0, job.len = len, job.isb = is * (ptrdiff_t)sizeof(float), job.xs = xs, job.oc = oc;
  job.lo = p->out_min, job.hi = p->out_max;
  job.act_lo = p->out_min != -INFINITY, job.act_hi = p->out_max != INFINITY;
  job.bstride = bsize;
  const size_t width = xb - xa, full = oc / NR;
  const size_t tiles6 = (width + MR - 1) / MR, tiles3 = (width + 2) / 3, tiles4 = (width + 3) / 4;
  /* one input channel, stride 1, width 3: 12x8 tiles reuse each broadcast for 3 pixels */
  const size_t tiles12 = kc == 1 && sw == 1 && kw == 3 && width >= 12 ? (width + 11) / 12 : 0;
  /* Blocks in groups of an even count whose weights fit SK_SMALLK_GROUP_BYTES, each group over
   * every row: with one pass of all blocks per row, 1x1 256->1024 on 14x14 read its 1 MB of
   * weights from L3 for each row: 1.5x faster in groups). */
  size_t bg = (SK_SMALLK_GROUP_BYTES / (bsize * sizeof(float))) & ~(size_t)1;
  if (bg < 2) bg = 2;
  for (size_t g0 = 0; g0 < blocks; g0 += bg) {
    const size_t g1 = blocks - g0 < bg ? blocks : g0 + bg;
    for (size_t oy = 0; oy < p->out_h; oy++) {
      const ptrdiff_t iy = (ptrdiff_t)(oy * p->stride_h) - (ptrdiff_t)p->pad_top;
      /* Kernel rows [ky0, ky1) inside the input. */
      size_t ky0 = 0, ky1 = 0;
      if (dh == 1) { /* (no divisions per row) */
        ky0 = iy < 0 ? (size_t)-iy : 0;
        if (iy < in_h) ky1 = (size_t)(in_h - iy);
      } else {
        ky0 = iy < 0 ? (size_t)((-iy + dh - 1) / dh) : 0;
        if (iy < in_h) ky1 = (size_t)((in_h - 1 - iy) / dh) + 1;
      }
      if (ky1 > kh) ky1 = kh;
      if (ky0 > ky1) ky0 = ky1;
      const size_t nky = ky1 - ky0;
      const float *row = nky ? input + (iy + (ptrdiff_t)ky0 * dh) * in_row : input;
      float *orow = output + oy * p->out_w * oc;
      /* interior: tiles of 3 x 32 over pairs of full blocks, 4 x 24 over a lone full block and
       * a last one of <= 8 channels, 12 x 8, 6 x 8 or 6 x 16 for the rest; the last tile of a
       * row overlaps the one before; then the border columns of those blocks (while their
       * weights are in L1: conv1 7x7 s2 read its 37 KB from L2 per border pixel), one pixel at a
       * time, taps clipped to the input */
      job.s = row + ((ptrdiff_t)(xa * sw) - pl) * (ptrdiff_t)kc;
      job.nky = nky;
      for (size_t b = g0; b < g1; b++) {
        const size_t bb = b; /* (the first of this step's blocks) */
        const float *blk = packed + b * bsize;
        job.w = blk + NR + ky0 * ws;
        job.bias = blk;
        job.out = orow + xa * oc + b * NR;
        job.n = oc - b * NR < NR ? oc - b * NR : NR;
        if (b + 2 <= full) {
          job.tiles = tiles3, job.back = tiles3 * 3 - width;
          if (width) sk_row_3x32(&job);
          b++;
        } else if (b + 1 == full && oc - full * NR <= 8 && oc > full * NR) {
          job.n = oc - b * NR, job.tiles = tiles4, job.back = tiles4 * 4 - width;
          if (width) sk_row_4x24(&job);
          b++;
        } else if (tiles12 > 0 && (job.n == NR || job.n == 8)) {
          job.tiles = tiles12, job.back = tiles12 * 12 - width;
          sk_row_12x8(&job, nky, is);
        } else if (width) {
          job.tiles = tiles6, job.back = tiles6 * MR - width;
          if (job.n <= 8)
            sk_row_6x8(&job);
          else
            sk_row_6x16(&job);
        }
        for (size_t ox = 0; ox < p->out_w; ox++) {
          if (ox == xa) ox = xb;
          if (ox >= p->out_w) break;
          sk_border_px(p, packed, input, row, orow + ox * oc, ox, ky0, nky, bb, b + 1);
        }
      }
    }
  }
}

/* Any conv the 6x16 entry takes: calls sk_conv_nhwc_smallk_runs turns down (K past
 * SK_CONV_NHWC_SMALLK_MAX_TAPS, groups, dilations, some narrow rows) go to it. 1x1, stride 1, no
 * padding: the image's pixels are contiguous, so they run as rows of
 * SK_SMALLK_FLAT_BYTES of output (a multiple of 12 pixels: no tile overlaps the one before but
 * the image's last; per image row, 7 pixels ran 3 3x32 tiles, 9 pixels; 1x1 160->960 on 7x7:
 * 1.27x). */
void sk_conv2d_nhwc_direct_smallk__avx2(const sk_conv_params *p, const float *packed,
                                        const float *input, float *output) {
  if (!sk_conv_nhwc_smallk_runs(p)) {
    sk_conv2d_nhwc_direct_6x16__avx2(p, packed, input, output);
    return;
  }
  if (sk_conv_nhwc_flat(p) && p->out_h > 1) {
    const size_t total = p->out_h * p->out_w;
    size_t cw = SK_SMALLK_FLAT_BYTES / (p->out_c * sizeof(float)) / 12 * 12;
    if (cw < 12) cw = 12;
    sk_conv_params q = *p;
    q.in_h = q.out_h = 1;
    for (size_t x0 = 0; x0 < total; x0 += cw) {
      const size_t n = total - x0;
      q.in_w = q.out_w = n < cw + 12 ? n : cw; /* (a last row of < 12 pixels joins this one) */
      sk_smallk_rows(&q, packed, input + x0 * p->in_c, output + x0 * p->out_c);
      if (q.out_w == n) break;
    }
    return;
  }
  sk_smallk_rows(p, packed, input, output);
}
