#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rng_seed(test_rng *r, uint64_t seed) {
  r->state = seed * 2862933555777941757ull + 3037000493ull;
  (void)rng_u32(r);
}

uint32_t rng_u32(test_rng *r) {
  r->state = r->state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(r->state >> 32);
}

uint32_t rng_range(test_rng *r, uint32_t lo, uint32_t hi) {
  if (hi <= lo) return lo;
  uint64_t span = (uint64_t)hi - lo + 1;
  return lo + (uint32_t)(rng_u32(r) % span);
}

float rng_float(test_rng *r, float lo, float hi) {
  float u = (float)(rng_u32(r) >> 8) * (1.0f / 16777216.0f);
  return lo + (hi - lo) * u;
}

void rng_fill(test_rng *r, float *x, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) x[i] = rng_float(r, lo, hi);
}

int test_quick(void) {
  static int cached = -1;
  if (cached < 0) {
    const char *q = getenv("SIMDKERN_TEST_QUICK");
    cached = (q != NULL && q[0] != '\0' && strcmp(q, "0") != 0) ? 1 : 0;
  }
  return cached;
}

int test_keep(size_t i, size_t every) {
  if (!test_quick() || every <= 1) return 1;
  /* sweeps pass their full-size/quick ratio for a ~60x slower emulator;
   * keep twice that, qemu-user runs these kernels faster than that */
  every = (every + 1) / 2;
  return (i % every) == 0;
}

const sk_isa test_isas[TEST_NUM_ISAS] = {SK_ISA_AUTO, SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON};

int test_kernel_name_prefix_ok(const char *name, sk_isa isa) {
  if (name == NULL) return 0;
  sk_isa resolved = isa == SK_ISA_AUTO ? sk_isa_best() : isa;
  char want[32];
  snprintf(want, sizeof want, "%s/", sk_isa_name(resolved));
  if (strncmp(name, want, strlen(want)) == 0 && name[strlen(want)] != '\0') return 1;
  if (strncmp(name, "scalar/", 7) == 0 && name[7] != '\0') return 1;
  return 0;
}

const char *test_act_name(sk_activation a) {
  switch (a) {
    case SK_ACT_NONE: return "none";
    case SK_ACT_RELU: return "relu";
    case SK_ACT_RELU6: return "relu6";
    case SK_ACT_CLAMP: return "clamp";
  }
  return "?";
}

const char *test_layout_name(sk_layout l) {
  return l == SK_LAYOUT_NCHW ? "NCHW" : l == SK_LAYOUT_NHWC ? "NHWC" : "?";
}

static float sentinel_value(void) {
  uint32_t bits = TEST_SENTINEL_BITS;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

int is_sentinel(float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  return bits == TEST_SENTINEL_BITS;
}

float *guarded_alloc(guarded *g, size_t n, size_t misalign) {
  misalign &= 3;
  g->n = n;
  g->total = n + 2 * TEST_GUARD_FLOATS + 4;
  g->base = xmalloc(g->total * sizeof(float));
  float s = sentinel_value();
  for (size_t i = 0; i < g->total; i++) memcpy(&g->base[i], &s, sizeof s);
  g->data = g->base + TEST_GUARD_FLOATS + misalign;
  return g->data;
}

int guarded_intact(const guarded *g) {
  for (float *p = g->base; p < g->data; p++)
    if (!is_sentinel(*p)) return 0;
  for (float *p = g->data + g->n; p < g->base + g->total; p++)
    if (!is_sentinel(*p)) return 0;
  return 1;
}

void guarded_free(guarded *g) {
  free(g->base);
  g->base = g->data = NULL;
}

void nchw_to_nhwc(const float *src, float *dst, size_t n, size_t c, size_t h, size_t w) {
  for (size_t b = 0; b < n; b++)
    for (size_t ch = 0; ch < c; ch++)
      for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++)
          dst[((b * h + y) * w + x) * c + ch] = src[((b * c + ch) * h + y) * w + x];
}

void nhwc_to_nchw(const float *src, float *dst, size_t n, size_t c, size_t h, size_t w) {
  for (size_t b = 0; b < n; b++)
    for (size_t ch = 0; ch < c; ch++)
      for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++)
          dst[((b * c + ch) * h + y) * w + x] = src[((b * h + y) * w + x) * c + ch];
}

void oihw_to_ohwi(const float *src, float *dst, size_t o, size_t i, size_t kh, size_t kw) {
  for (size_t a = 0; a < o; a++)
    for (size_t b = 0; b < i; b++)
      for (size_t y = 0; y < kh; y++)
        for (size_t x = 0; x < kw; x++)
          dst[((a * kh + y) * kw + x) * i + b] = src[((a * i + b) * kh + y) * kw + x];
}

static void note(cmp_report *rep, size_t i, float got, double want, double tol) {
  if (rep->mismatches++ == 0) {
    rep->first = i;
    rep->got = got;
    rep->want = want;
    rep->tol = tol;
    rep->unwritten = is_sentinel(got);
  }
}

int compare_tolerance(const float *got, const double *want, const double *bound, size_t n,
                      cmp_report *rep) {
  memset(rep, 0, sizeof *rep);
  for (size_t i = 0; i < n; i++) {
    double tol = 1e-5 * bound[i] + 1e-6;
    if (is_sentinel(got[i])) {
      note(rep, i, got[i], want[i], tol);
    } else if (isnan(want[i])) {
      if (!isnan(got[i])) note(rep, i, got[i], want[i], tol);
    } else if (isinf(want[i])) {
      if (!((double)got[i] == want[i])) note(rep, i, got[i], want[i], tol);
    } else if (!(fabs((double)got[i] - want[i]) <= tol)) {
      note(rep, i, got[i], want[i], tol);
    }
  }
  return rep->mismatches == 0;
}

int compare_exact(const float *got, const double *want, size_t n, cmp_report *rep) {
  memset(rep, 0, sizeof *rep);
  for (size_t i = 0; i < n; i++) {
    float w = (float)want[i];
    if (is_sentinel(got[i])) {
      note(rep, i, got[i], want[i], 0);
    } else if (isnan(w)) {
      if (!isnan(got[i])) note(rep, i, got[i], want[i], 0);
    } else if (!(got[i] == w)) {
      note(rep, i, got[i], want[i], 0);
    }
  }
  return rep->mismatches == 0;
}

void *xmalloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (p == NULL) {
    fprintf(stderr, "test: out of memory (%zu bytes)\n", bytes);
    abort();
  }
  return p;
}
