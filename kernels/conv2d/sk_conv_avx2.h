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
#define SK_6X16_STEP(j) SK_6X16_STEPP(j, c)
/* As SK_6X16_STEP, on the accumulators P00..P51. */
#define SK_6X16_STEPP(j, P)                                                                        \
  {                                                                                                \
    __m256 a_, b_, x_;                                                                             \
    __asm__("vmovups " #j "*64(%[w]), %[a]\n\t"                                                    \
            "vmovups " #j "*64+32(%[w]), %[b]\n\t" SK_6X16_B(j, 0) SK_6X16_B(j, 1) SK_6X16_B(j, 2) \
            : [c00] "+x"(P##00), [c01] "+x"(P##01), [c10] "+x"(P##10), [c11] "+x"(P##11),          \
              [c20] "+x"(P##20), [c21] "+x"(P##21), [a] "=&x"(a_), [b] "=&x"(b_), [x] "=&x"(x_)    \
            : [s0] "r"(s0), [s1] "r"(s1), [s2] "r"(s2), [i] "r"(i), [w] "r"(w) : "memory");        \
    __asm__(SK_6X16_B(j, 3) SK_6X16_B(j, 4) SK_6X16_B(j, 5)                                        \
            : [c30] "+x"(P##30), [c31] "+x"(P##31), [c40] "+x"(P##40), [c41] "+x"(P##41),          \
              [c50] "+x"(P##50), [c51] "+x"(P##51), [x] "=&x"(x_)                                  \
            : [a] "x"(a_), [b] "x"(b_), [s3] "r"(s3), [s4] "r"(s4), [s5] "r"(s5), [i] "r"(i)       \
            : "memory");                                                                           \
  }
// clang-format on

/* Runs the statements that follow (loops of SK_6X16_STEPP(j, q)) on copies q00..q51 of the
 * accumulators c00..c51 held in ymm0..ymm11 (local register variables), then copies them back:
 * left to GCC 12, the 6x16 kernel's K loop moved 6 accumulators between registers and passed a
 * weight vector through the stack on each pass (96 instructions per 48 FMAs, not 88). The
 * statements must not call a function (the registers are caller-saved, and GCC does not save
 * register variables across calls): only asm, prefetches and pointer arithmetic. */
#define SK_6X16_PINNED(...)                                                 \
  do {                                                                      \
    register __m256 q00 __asm__("ymm0") = c00, q01 __asm__("ymm1") = c01;   \
    register __m256 q10 __asm__("ymm2") = c10, q11 __asm__("ymm3") = c11;   \
    register __m256 q20 __asm__("ymm4") = c20, q21 __asm__("ymm5") = c21;   \
    register __m256 q30 __asm__("ymm6") = c30, q31 __asm__("ymm7") = c31;   \
    register __m256 q40 __asm__("ymm8") = c40, q41 __asm__("ymm9") = c41;   \
    register __m256 q50 __asm__("ymm10") = c50, q51 __asm__("ymm11") = c51; \
    __VA_ARGS__                                                             \
    c00 = q00, c01 = q01, c10 = q10, c11 = q11, c20 = q20, c21 = q21;       \
    c30 = q30, c31 = q31, c40 = q40, c41 = q41, c50 = q50, c51 = q51;       \
  } while (0)

#endif
