/*
 * Shared by the fuzz targets (fuzz_conv.c, fuzz_pool.c): a byte reader that decodes fuzzer
 * input into descriptor fields, with hostile values (0, 1, huge, UINT32_MAX, unknown enum
 * values and flag bits, NaN/inf clamp bounds) reachable from one byte; an independent model of
 * the API's rules (the status sets a call may return), written from include/simdkern.h; and the
 * failure report (prints the decoded case, then abort()s so libFuzzer keeps the input).
 */
#ifndef SK_FUZZ_COMMON_H
#define SK_FUZZ_COMMON_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdkern.h"

/* Work limits: bigger (valid) shapes are only checked through *_output_size. */
#define FZ_MAX_WEIGHTS (1u << 14)
#define FZ_MAX_ELEMS (1u << 14) /* input or output floats */
#define FZ_MAX_MACS (1u << 18)

/* ---- reading the input ---------------------------------------------------- */

typedef struct fz_reader {
  const uint8_t *p;
  size_t n, i;
} fz_reader;

static inline uint8_t fz_u8(fz_reader *r) { return r->i < r->n ? r->p[r->i++] : 0; }

static inline uint32_t fz_raw32(fz_reader *r) {
  uint32_t v = 0;
  for (int k = 0; k < 4; k++) v |= (uint32_t)fz_u8(r) << (8 * k);
  return v;
}

/* A size: mostly 0..small_max, else one of the hostile values. */
static inline uint32_t fz_dim(fz_reader *r, uint32_t small_max) {
  const uint8_t b = fz_u8(r);
  if (b < 0xF0) return b % (small_max + 1);
  switch (b & 15) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return UINT32_MAX;
    case 3:
      return UINT32_MAX - 1;
    case 4:
      return 1u << 31;
    case 5:
      return (1u << 31) + 1;
    case 6:
      return 65536;
    case 7:
      return 65535;
    case 8:
      return 65537;
    case 9:
      return 1u << 20;
    case 10:
      return 1u << 30;
    case 11:
      return fz_raw32(r);
    case 12:
      return (uint32_t)fz_u8(r) | (uint32_t)fz_u8(r) << 8;
    case 13:
      return 0x7FFFFFFFu;
    case 14:
      return 46341; /* ceil(sqrt(2^31)) */
    default:
      return 0xC0000000u;
  }
}

/* An enum with `count` values: mostly valid, else an unknown value. */
static inline uint32_t fz_enum(fz_reader *r, uint32_t count) {
  const uint8_t b = fz_u8(r);
  if (b < 0xF8) return b % count;
  static const uint32_t bad[8] = {4, 5, 255, 0x7FFFFFFFu, 0xFFFFFFFFu, 1000, 0x80000000u, 16};
  const uint32_t v = bad[b & 7];
  return v < count ? count : v;
}

/* Flags: mostly valid bits (valid_mask), sometimes one unknown bit or raw bits. */
static inline uint32_t fz_flags(fz_reader *r, uint32_t valid_mask) {
  const uint8_t b = fz_u8(r);
  if (b < 0xC0) return b & valid_mask;
  if (b < 0xE0) return (b & valid_mask) | (1u << (b % 32));
  return fz_raw32(r);
}

static inline float fz_float(fz_reader *r) {
  const uint8_t b = fz_u8(r);
  static const float tab[15] = {-1.0f,    0.0f,  0.5f,  6.0f,   -0.25f, 1.0f, NAN,  -INFINITY,
                                INFINITY, -0.0f, 1e30f, -1e30f, 1e-45f, 2.0f, -6.0f};
  if ((b & 15) < 15) return tab[b & 15];
  const uint32_t bits = fz_raw32(r);
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static inline uint32_t fz_lcg(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

/* Values (inputs, weights, bias): deterministic from a seed, with a few planted specials. A NaN
 * or infinite weight makes NaN the outputs whose tap at it falls in the padding (0 * inf, as
 * PyTorch's zero padding), which the reference models. */
static inline void fz_fill(fz_reader *r, float *x, size_t n, float scale) {
  uint32_t s = fz_raw32(r) | 1u;
  for (size_t i = 0; i < n; i++) x[i] = ((float)(fz_lcg(&s) & 0xFFFF) / 32768.0f - 1.0f) * scale;
  const unsigned specials = fz_u8(r) % 5;
  for (unsigned k = 0; k < specials && n > 0; k++) {
    const size_t pos = (size_t)fz_raw32(r) % n;
    static const float sp[8] = {NAN, INFINITY, -INFINITY, 1e-40f, -0.0f, -1e-39f, 3.0f, -3.0f};
    x[pos] = sp[fz_u8(r) & 7];
  }
}

/* ---- the model: the status sets the API may return ------------------------ */

#define FZ_BIT(s) (1u << (unsigned)(s))

/* Run-time size checks once the dims are valid: SIZE_OVERFLOW if the input (batch x in_h x in_w
 * x in_c) or output (batch x oh x ow x out_c) element count or byte size exceeds size_t;
 * *in_n, *out_n the counts (0 where they overflow). */
static inline int fz_count(uint64_t h, uint64_t w, size_t c, size_t batch, size_t *n) {
  size_t a;
  const int ok = h <= SIZE_MAX && w <= SIZE_MAX &&
                 !__builtin_mul_overflow((size_t)h, (size_t)w, &a) &&
                 !__builtin_mul_overflow(a, c, &a) && !__builtin_mul_overflow(a, batch, &a) &&
                 a <= SIZE_MAX / 4;
  *n = ok ? a : 0;
  return ok;
}
static inline uint32_t fz_buffers_model(uint32_t batch, uint32_t in_h, uint32_t in_w,
                                        uint32_t in_c, uint64_t oh, uint64_t ow, uint32_t out_c,
                                        size_t *in_n, size_t *out_n) {
  const int in_ok = fz_count(in_h, in_w, in_c, batch, in_n);
  const int out_ok = fz_count(oh, ow, out_c, batch, out_n);
  return in_ok && out_ok ? 0 : FZ_BIT(SK_ERR_SIZE_OVERFLOW);
}

/* What a target's inputs reached (the replay driver prints it through sk_fuzz_stats). */
typedef struct fz_stats {
  unsigned inputs, create_failed, run_failed, compared, too_big;
} fz_stats;

static inline void fz_stats_format(const fz_stats *s, char *buf, size_t n) {
  snprintf(buf, n,
           "%u inputs: %u create refused, %u run refused, %u run and compared on every ISA, "
           "%u valid but too big to run",
           s->inputs, s->create_failed, s->run_failed, s->compared, s->too_big);
}

/* Output sentinel: a failed run must leave it, a run must overwrite it. */
#define FZ_SENTINEL 12345.5f

/* The activation rules (SK_ACT_*; SK_ACT_CLAMP: neither bound NaN, act_min <= act_max). */
static inline int fz_act_valid(uint32_t act, float lo, float hi) {
  if (act > SK_ACT_CLAMP) return 0;
  if (act == SK_ACT_CLAMP) return !isnan(lo) && !isnan(hi) && lo <= hi;
  return 1;
}

static inline int fz_isa_valid(uint32_t isa) { return isa <= SK_ISA_NEON; }

/* One spatial dimension of a created op for input size `in` (all values already defaulted).
 * Returns the status bits, *out the size when 0. */
static inline uint32_t fz_dim_model(uint64_t in, uint64_t k, uint64_t s, uint64_t d, uint64_t pb,
                                    uint64_t pe, int same, int ceil_mode, uint64_t *out) {
  *out = 0;
  if (in == 0) return FZ_BIT(SK_ERR_INVALID_ARGUMENT);
  const uint64_t extent = d * (k - 1) + 1;
  if (same) {
    const uint64_t o = (in + s - 1) / s;
    const uint64_t need = (o - 1) * s + extent;
    const uint64_t total = need > in ? need - in : 0;
    pb = total / 2;
    pe = total - pb;
  }
  const uint64_t padded = in + pb + pe;
  if (padded > UINT32_MAX) return FZ_BIT(SK_ERR_SIZE_OVERFLOW);
  if (padded < extent) return FZ_BIT(SK_ERR_INVALID_ARGUMENT);
  const uint64_t span = padded - extent;
  uint64_t o = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (o - 1) * s >= in + pb) o--;
  *out = o;
  return 0;
}

/* a*b*c*d (and times 4 bytes) fits in size_t? Uses long double to avoid wrap. */
static inline int fz_fits_size(long double elems) { return elems * 4.0L <= (long double)SIZE_MAX; }

static inline const char *fz_status_list(uint32_t bits, char *buf, size_t n) {
  buf[0] = '\0';
  for (int s = 0; s <= 4; s++)
    if (bits & FZ_BIT(s)) {
      strncat(buf, sk_status_string((sk_status)s), n - strlen(buf) - 1);
      strncat(buf, "; ", n - strlen(buf) - 1);
    }
  return bits ? buf : "ok";
}

/* ---- failures -------------------------------------------------------------- */

/* Set by each target to print its decoded case. */
static void fz_describe_case(FILE *f);

#define FZ_CHECK(cond, ...)                                            \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "\nsimdkern fuzz: check failed: %s\n  ", #cond); \
      fprintf(stderr, __VA_ARGS__);                                    \
      fprintf(stderr, "\n");                                           \
      fz_describe_case(stderr);                                        \
      abort();                                                         \
    }                                                                  \
  } while (0)

/* The concrete ISAs to run each valid op on. */
static inline size_t fz_isas(sk_isa out[3]) {
  const sk_isa all[3] = {SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON};
  size_t n = 0;
  for (int i = 0; i < 3; i++)
    if (sk_isa_supported(all[i])) out[n++] = all[i];
  return n;
}

#endif /* SK_FUZZ_COMMON_H */
