/*
 * AVX2+FMA NHWC conv: the K-loop step of the 6 pixels x 16 channels tile, shared by
 * conv2d_nhwc_direct_6x16_avx2.c and conv2d_nhwc_direct_smallk_avx2.c (include only from
 * *_avx2.c files).
 */
#ifndef SK_CONV_AVX2_H
#define SK_CONV_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include <immintrin.h>

/* Step j of the 6x16 tile: c[m][0..1] += s_m[i / 4 + j] * w[j][0..15] (i a byte index into every
 * pixel's window, w the packed weights, 16 floats per tap), as two asm statements (pixels 0-2
 * load the weights, 3-5 reuse them; one statement would pass 30 operands). The caller names
 * c00..c51, s0..s5, i and w. From intrinsics GCC 12 kept one pointer per pixel (and tap), copied
 * accumulators and spilled one: 96 uops per 48 FMA, the 4-wide front end's limit. The asm reads
 * the input and weights through pointer registers, so each statement clobbers "memory": no store
 * (the caller's input writes, with LTO too) can move across it, at no measured cost (the
 * accumulators live in registers). */
// clang-format off
#define SK_6X16_B(j, m)                                                                            \
  "vbroadcastss " #j "*4(%[s" #m "],%[i]), %[x]\n\t"                                               \
  "vfmadd231ps %[a], %[x], %[c" #m "0]\n\t"                                                        \
  "vfmadd231ps %[b], %[x], %[c" #m "1]\n\t"
#define SK_6X16_STEP(j)                                                                            \
  {                                                                                                \
    __m256 a_, b_, x_;                                                                             \
    __asm__("vmovups " #j "*64(%[w]), %[a]\n\t"                                                    \
            "vmovups " #j "*64+32(%[w]), %[b]\n\t" SK_6X16_B(j, 0) SK_6X16_B(j, 1) SK_6X16_B(j, 2) \
            : [c00] "+x"(c00), [c01] "+x"(c01), [c10] "+x"(c10), [c11] "+x"(c11),                  \
              [c20] "+x"(c20), [c21] "+x"(c21), [a] "=&x"(a_), [b] "=&x"(b_), [x] "=&x"(x_)        \
            : [s0] "r"(s0), [s1] "r"(s1), [s2] "r"(s2), [i] "r"(i), [w] "r"(w) : "memory");        \
    __asm__(SK_6X16_B(j, 3) SK_6X16_B(j, 4) SK_6X16_B(j, 5)                                        \
            : [c30] "+x"(c30), [c31] "+x"(c31), [c40] "+x"(c40), [c41] "+x"(c41),                  \
              [c50] "+x"(c50), [c51] "+x"(c51), [x] "=&x"(x_)                                      \
            : [a] "x"(a_), [b] "x"(b_), [s3] "r"(s3), [s4] "r"(s4), [s5] "r"(s5), [i] "r"(i)       \
            : "memory");                                                                           \
  }
// clang-format on

#endif
