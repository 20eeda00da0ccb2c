/*
 * Shared helpers for the simdkern tests: a fixed-seed LCG, quick mode,
 * the ISA list, guarded output buffers, layout transposes and comparisons.
 * Nothing here computes what the library computes (see ref/ for that).
 */
#ifndef SK_TEST_UTIL_H
#define SK_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "simdkern.h"

/* ---- deterministic pseudo-random numbers (64-bit LCG, Knuth's MMIX) ---- */
typedef struct test_rng {
  uint64_t state;
} test_rng;

void rng_seed(test_rng *r, uint64_t seed);
uint32_t rng_u32(test_rng *r);
/* uniform integer in [lo, hi] */
uint32_t rng_range(test_rng *r, uint32_t lo, uint32_t hi);
/* uniform float in [lo, hi) */
float rng_float(test_rng *r, float lo, float hi);
void rng_fill(test_rng *r, float *x, size_t n, float lo, float hi);

/* ---- environment ---- */
/* SIMDKERN_TEST_QUICK=1 (set by cross builds under qemu): shrink sweeps. */
int test_quick(void);
/* Keep index i of a sweep: always in full mode, one in `every` in quick mode. */
int test_keep(size_t i, size_t every);

/* ---- ISAs ---- */
#define TEST_NUM_ISAS 4
/* SK_ISA_AUTO, SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON */
extern const sk_isa test_isas[TEST_NUM_ISAS];
/* Checks a kernel name "<isa>/<kernel>" for an op created with isa: the
 * prefix must name the ISA (sk_isa_best() for AUTO) or "scalar" (an ISA
 * without that kernel keeps the scalar one). Returns 1 if good. */
int test_kernel_name_prefix_ok(const char *name, sk_isa isa);

const char *test_act_name(sk_activation a);
const char *test_layout_name(sk_layout l);

/* ---- guarded buffers ---- */
/* A float buffer with guard zones before and after, all filled with the
 * sentinel bit pattern (a signalling NaN no arithmetic produces); data may
 * be misaligned by `misalign` floats (0..3) to catch aligned-access bugs. */
#define TEST_GUARD_FLOATS 64
#define TEST_SENTINEL_BITS 0x7FA5A5A5u
typedef struct guarded {
  float *base;
  float *data;
  size_t n, total;
} guarded;

float *guarded_alloc(guarded *g, size_t n, size_t misalign);
/* 1 if both guard zones still hold the sentinel */
int guarded_intact(const guarded *g);
void guarded_free(guarded *g);
int is_sentinel(float v);

/* ---- layouts ---- */
/* NCHW <-> NHWC for batch x C x H x W */
void nchw_to_nhwc(const float *src, float *dst, size_t n, size_t c, size_t h, size_t w);
void nhwc_to_nchw(const float *src, float *dst, size_t n, size_t c, size_t h, size_t w);
/* OIHW -> OHWI weights */
void oihw_to_ohwi(const float *src, float *dst, size_t o, size_t i, size_t kh, size_t kw);

/* ---- comparisons ---- */
typedef struct cmp_report {
  size_t mismatches;
  size_t first;          /* index of the first mismatch */
  double got, want, tol; /* at the first mismatch */
  int unwritten;         /* first mismatch still holds the sentinel */
} cmp_report;

/* |got - want| <= 1e-5*bound + 1e-6; a NaN want needs a NaN got. */
int compare_tolerance(const float *got, const double *want, const double *bound, size_t n,
                      cmp_report *rep);
/* got == (float)want, or both NaN (the sign of a zero is not checked). */
int compare_exact(const float *got, const double *want, size_t n, cmp_report *rep);

/* a malloc that aborts on failure */
void *xmalloc(size_t bytes);

#endif /* SK_TEST_UTIL_H */
