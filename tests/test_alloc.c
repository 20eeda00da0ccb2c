/*
 * Allocation discipline and size arithmetic, through a counting allocator: the test binary is
 * linked with -Wl,--wrap=malloc,... (tests/CMakeLists.txt; static library only), so every
 * malloc/calloc/realloc/aligned_alloc/posix_memalign/free the library makes goes through the
 * __wrap_* functions below, which count, remember live blocks, and can fail on demand.
 *   run_allocates_nothing   every op family, layout and ISA: run (and output_size,
 *                           kernel_name, failing runs) makes no allocation and no free
 *   create_destroy_balanced every op: each block create allocates is freed by destroy
 *   oom_each_allocation     create with the k-th allocation failing, for every k: each gives
 *                           SK_ERR_OUT_OF_MEMORY, *op == NULL, and nothing stays allocated
 *                           (conv ops also with a NaN weight, which allocates one more block)
 *   size_overflow_*         dimensions near UINT32_MAX and products past SIZE_MAX (more of them
 *                           on 32-bit, e.g. the ARMv7 build) give SK_ERR_SIZE_OVERFLOW without
 *                           allocating or touching the (tiny, guard-paged) weights
 * The allocator also refuses any single request over 256 MiB, so a bug that tries to allocate a
 * huge size shows as a status instead of taking the machine's memory.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#define AT_HAVE_PAGES 1
#else
#define AT_HAVE_PAGES 0
#endif

#include "common/rel_ops.h"
#include "common/test_util.h"
#include "simdkern.h"

/* ------------------------------------------------------------------------ */
/* The counting allocator                                                    */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t s);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
void __wrap_free(void *p);

#define HUGE_REQUEST ((size_t)1 << 28)
#define MAX_LIVE 64

/* Counting is on only between arm() and disarm(), on the test's thread. */
static struct {
  int armed;
  long allocs, frees, failed;
  long fail_at;   /* fail the allocation with this index (0-based since arm), -1: none */
  long fail_from; /* fail this one and every later one, -1: none */
  void *live[MAX_LIVE];
  size_t nlive;
  int overflowed; /* more live blocks than MAX_LIVE: a test bug */
} A = {0, 0, 0, 0, -1, -1, {0}, 0, 0};

static void arm(long fail_at) {
  A.allocs = A.frees = A.failed = 0;
  A.fail_at = fail_at;
  A.fail_from = -1;
  A.nlive = 0;
  A.overflowed = 0;
  A.armed = 1;
}

static void disarm(void) { A.armed = 0; }

/* Decides whether this request fails; counts it. */
static int alloc_should_fail(size_t n) {
  if (!A.armed) return n > HUGE_REQUEST;
  const long idx = A.allocs++;
  if (n > HUGE_REQUEST || idx == A.fail_at || (A.fail_from >= 0 && idx >= A.fail_from)) {
    A.failed++;
    return 1;
  }
  return 0;
}

static void note_alloc(void *p) {
  if (!A.armed || p == NULL) return;
  if (A.nlive < MAX_LIVE)
    A.live[A.nlive++] = p;
  else
    A.overflowed = 1;
}

static void note_free(void *p) {
  if (!A.armed || p == NULL) return;
  A.frees++;
  for (size_t i = 0; i < A.nlive; i++)
    if (A.live[i] == p) {
      A.live[i] = A.live[--A.nlive];
      return;
    }
}

void *__wrap_malloc(size_t n) {
  if (alloc_should_fail(n)) return NULL;
  void *p = __real_malloc(n);
  note_alloc(p);
  return p;
}

void *__wrap_calloc(size_t n, size_t s) {
  size_t bytes;
  if (__builtin_mul_overflow(n, s, &bytes)) bytes = SIZE_MAX;
  if (alloc_should_fail(bytes)) return NULL;
  void *p = __real_calloc(n, s);
  note_alloc(p);
  return p;
}

void *__wrap_realloc(void *old, size_t n) {
  if (alloc_should_fail(n)) return NULL;
  void *p = __real_realloc(old, n);
  if (p != NULL) {
    note_free(old);
    if (A.armed && old != NULL) A.frees--; /* a move, not a free by the caller */
    note_alloc(p);
  }
  return p;
}

void *__wrap_aligned_alloc(size_t a, size_t n) {
  if (alloc_should_fail(n)) return NULL;
  void *p = __real_aligned_alloc(a, n);
  note_alloc(p);
  return p;
}

int __wrap_posix_memalign(void **out, size_t a, size_t n) {
  if (alloc_should_fail(n)) return 12; /* ENOMEM */
  const int r = __real_posix_memalign(out, a, n);
  if (r == 0) note_alloc(*out);
  return r;
}

void __wrap_free(void *p) {
  note_free(p);
  __real_free(p);
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static void fill(float *x, size_t n, uint64_t seed) {
  test_rng r;
  rng_seed(&r, seed);
  rng_fill(&r, x, n, -1.0f, 1.0f);
}

/* Every standard op (rel_ops.c) with a few channel counts, both layouts. */
typedef void (*op_fn)(const rop *o, sk_isa isa, size_t *failures);

static size_t for_each_op(op_fn fn) {
  static const uint32_t chans[] = {1, 5, 17, 33};
  size_t failures = 0, n_ops = 0;
  sk_isa isas[3];
  const size_t nisa = rop_isas(isas);
  for (int l = 0; l < 2; l++)
    for (size_t ci = 0; ci < sizeof chans / sizeof chans[0]; ci++) {
      if (test_quick() && ci != 1) continue;
      rop ops[ROP_STANDARD_MAX];
      const size_t n = rop_standard((sk_layout)l, chans[ci], ops);
      for (size_t v = 0; v < n; v++)
        for (size_t k = 0; k < nisa; k++) {
          fn(&ops[v], isas[k], &failures);
          n_ops++;
        }
    }
  print_message("%zu op configs x ISAs checked\n", n_ops);
  return failures;
}

static void report(size_t *failures, const rop *o, sk_isa isa, const char *what) {
  if ((*failures)++ < 10) {
    char d[400];
    rop_describe(o, d, sizeof d);
    print_error("FAIL (isa %s, %s): %s\n", sk_isa_name(isa), d, what);
  }
}

/* ------------------------------------------------------------------------ */
/* run allocates nothing; create/destroy balanced                            */

static void check_run_no_alloc(const rop *o, sk_isa isa, size_t *failures) {
  const uint32_t h = 9, w = 7, batch = 2;
  uint32_t oh, ow;
  if (!rop_out_size(o, h, w, &oh, &ow)) return;
  const size_t wn = rop_weights_count(o);
  const size_t in_n = (size_t)batch * h * w * rop_in_c(o);
  const size_t out_n = (size_t)batch * oh * ow * rop_out_c(o);
  float *wts = xmalloc((wn ? wn : 1) * sizeof(float));
  float *in = xmalloc(in_n * sizeof(float)), *out = xmalloc(out_n * sizeof(float));
  fill(wts, wn, 1);
  fill(in, in_n, 2);
  rop_handle hd;
  arm(-1);
  sk_status st = rop_create(o, isa, wts, o->is_conv ? wts : NULL, &hd);
  const long create_allocs = A.allocs;
  disarm();
  if (st != SK_OK) {
    report(failures, o, isa, "create failed");
    goto out;
  }
  if (create_allocs < 1) report(failures, o, isa, "create allocated nothing (is --wrap active?)");
  arm(-1);
  uint32_t a, b;
  st = rop_run(&hd, batch, h, w, in, out);
  (void)rop_output_size(&hd, h, w, &a, &b);
  (void)rop_kernel_name(&hd);
  /* failing runs too: zero batch, too small an input, overlapping buffers */
  (void)rop_run(&hd, 0, h, w, in, out);
  (void)rop_run(&hd, 1, 1, 0, in, out);
  (void)rop_run(&hd, 1, h, w, in, (float *)in);
  (void)rop_run(&hd, 1, UINT32_MAX, UINT32_MAX, in, out);
  const long run_allocs = A.allocs, run_frees = A.frees;
  disarm();
  if (st != SK_OK) report(failures, o, isa, "run failed");
  if (run_allocs != 0 || run_frees != 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "run/output_size/kernel_name made %ld allocations and %ld frees",
             run_allocs, run_frees);
    report(failures, o, isa, msg);
  }
  rop_destroy(&hd);
out:
  free(wts);
  free(in);
  free(out);
}

static void run_allocates_nothing(void **state) {
  (void)state;
  assert_int_equal(for_each_op(check_run_no_alloc), 0);
}

static void check_balanced(const rop *o, sk_isa isa, size_t *failures) {
  const size_t wn = rop_weights_count(o);
  float *wts = xmalloc((wn ? wn : 1) * sizeof(float));
  fill(wts, wn, 3);
  for (int with_bias = 0; with_bias < 2; with_bias++) {
    rop_handle hd;
    arm(-1);
    const sk_status st = rop_create(o, isa, wts, with_bias ? wts : NULL, &hd);
    const long made = A.allocs;
    if (st == SK_OK) rop_destroy(&hd);
    disarm();
    if (st != SK_OK) {
      report(failures, o, isa, "create failed");
      continue;
    }
    if (A.overflowed || A.nlive != 0 || A.frees != made) {
      char msg[160];
      snprintf(msg, sizeof msg, "create+destroy: %ld allocations, %ld frees, %zu blocks leaked",
               made, A.frees, A.nlive);
      report(failures, o, isa, msg);
    }
  }
  free(wts);
}

static void create_destroy_balanced(void **state) {
  (void)state;
  assert_int_equal(for_each_op(check_balanced), 0);
}

/* ------------------------------------------------------------------------ */
/* Out of memory at each allocation of create                                */

static void check_oom_weights(const rop *o, sk_isa isa, size_t *failures, const float *wts) {
  rop_handle hd;
  arm(-1);
  sk_status st = rop_create(o, isa, wts, NULL, &hd);
  const long total = A.allocs;
  if (st == SK_OK) rop_destroy(&hd);
  disarm();
  if (st != SK_OK || total < 1) {
    report(failures, o, isa, "create failed or allocated nothing");
    return;
  }
  for (long k = 0; k < total; k++) {
    arm(k);
    memset(&hd, 0xAB, sizeof hd); /* garbage the library must overwrite with NULL */
    st = rop_create(o, isa, wts, NULL, &hd);
    const int op_null = hd.is_conv ? hd.conv == NULL : hd.pool == NULL;
    if (st == SK_OK) rop_destroy(&hd);
    disarm();
    char msg[200];
    if (st != SK_ERR_OUT_OF_MEMORY || !op_null || A.failed != 1) {
      snprintf(msg, sizeof msg,
               "allocation %ld of %ld failing: status %d (%s), op %s, %ld refused (want 1)", k,
               total, (int)st, sk_status_string(st), op_null ? "NULL" : "not NULL", A.failed);
      report(failures, o, isa, msg);
    }
    if (A.nlive != 0 || A.overflowed) {
      snprintf(msg, sizeof msg, "allocation %ld of %ld failing: %zu blocks leaked", k, total,
               A.nlive);
      report(failures, o, isa, msg);
    }
  }
  /* every allocation from the k-th on failing (an allocator that stays out of memory) */
  for (long k = 0; k < total; k++) {
    arm(-1);
    A.fail_from = k;
    st = rop_create(o, isa, wts, NULL, &hd);
    if (st == SK_OK) rop_destroy(&hd);
    disarm();
    if (st != SK_ERR_OUT_OF_MEMORY || A.nlive != 0) {
      char msg[160];
      snprintf(msg, sizeof msg, "allocations %ld.. failing: status %d, %zu blocks leaked", k,
               (int)st, A.nlive);
      report(failures, o, isa, msg);
    }
  }
}

/* Finite weights, then (conv) a NaN weight: such ops also allocate the map of non-finite taps. */
static void check_oom(const rop *o, sk_isa isa, size_t *failures) {
  const size_t wn = rop_weights_count(o);
  float *wts = xmalloc((wn ? wn : 1) * sizeof(float));
  fill(wts, wn, 4);
  check_oom_weights(o, isa, failures, wts);
  if (wn > 0) {
    wts[wn / 2] = NAN;
    check_oom_weights(o, isa, failures, wts);
  }
  free(wts);
}

static void oom_each_allocation(void **state) {
  (void)state;
  assert_int_equal(for_each_op(check_oom), 0);
}

/* ------------------------------------------------------------------------ */
/* Size arithmetic                                                           */

/* A few floats at the very end of a read-only page before an inaccessible one: a library that
 * read the weights of a shape it should reject would fault. */
typedef struct tiny {
  float *p;
  void *map;
  size_t len;
} tiny;

static float *tiny_alloc(tiny *t, size_t n) {
#if AT_HAVE_PAGES
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  t->len = 2 * page;
  t->map = mmap(NULL, t->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(t->map != MAP_FAILED);
  assert_int_equal(mprotect((char *)t->map + page, page, PROT_NONE), 0);
  t->p = (float *)((char *)t->map + page) - n;
  for (size_t i = 0; i < n; i++) t->p[i] = 0.5f;
  assert_int_equal(mprotect(t->map, page, PROT_READ), 0);
#else
  t->map = NULL;
  t->p = xmalloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) t->p[i] = 0.5f;
#endif
  return t->p;
}

static void tiny_free(tiny *t) {
#if AT_HAVE_PAGES
  munmap(t->map, t->len);
#else
  free(t->p);
#endif
}

typedef struct conv_size_case {
  const char *what;
  uint32_t in_c, out_c, groups, kh, kw, dh, dw;
  sk_status want32, want64; /* with a 32-bit / 64-bit size_t */
} conv_size_case;

#define U32MAX UINT32_MAX
#define OVF SK_ERR_SIZE_OVERFLOW
#define OOM SK_ERR_OUT_OF_MEMORY /* the allocator refuses > 256 MiB: tries, fails, cleans up */

static const conv_size_case conv_size_cases[] = {
    {"weights 2^128 (all UINT32_MAX)", U32MAX, U32MAX, 1, U32MAX, U32MAX, 1, 1, OVF, OVF},
    {"1x1, 2^32-1 x 2^32-1 channels", U32MAX, U32MAX, 1, 1, 1, 1, 1, OVF, OVF},
    {"kernel UINT32_MAX x 2, dilation 2: extent past 32 bits", 1, 1, 1, U32MAX, 2, 2, 1, OVF, OVF},
    {"kernel 2 x 2, dilation UINT32_MAX: extent 2^32", 1, 1, 1, 2, 2, 1, U32MAX, OVF, OVF},
    {"kernel 3, dilation 2^31: extent 2^32 + 1", 1, 1, 1, 3, 1, 1u << 31, 1, OVF, OVF},
    {"weights 2^32 floats (65536 x 65536, 1x1)", 65536, 65536, 1, 1, 1, 1, 1, OVF, OOM},
    {"weights 2^30 floats = 2^32 bytes", 32768, 32768, 1, 1, 1, 1, 1, OVF, OOM},
    {"weights 2^31 x 3x3 (depthwise, multiplier 1)", 1u << 31, 1u << 31, 1u << 31, 3, 3, 1, 1, OVF,
     OOM},
    {"weights fit, packed blocks of nr do not (groups 2^26, 1 filter each)", 1u << 27, 1u << 26,
     1u << 26, 1, 1, 1, 1, OVF, OOM},
    {"kernel UINT32_MAX x 1 with 1 channel: 2^32-1 weights", 1, 1, 1, U32MAX, 1, 1, 1, OVF, OOM},
    {"kernel 65536 x 65536", 1, 1, 1, 65536, 65536, 1, 1, OVF, OOM},
    {"depthwise 2^16 channels x multiplier 2^16, 1x1", 65536, U32MAX - 65535, 65536, 1, 1, 1, 1,
     OVF, OOM},
};

static void size_overflow_create(void **state) {
  (void)state;
  const int is32 = SIZE_MAX <= UINT32_MAX;
  tiny t;
  float *wts = tiny_alloc(&t, 4);
  size_t bad = 0;
  for (size_t i = 0; i < sizeof conv_size_cases / sizeof conv_size_cases[0]; i++) {
    const conv_size_case *c = &conv_size_cases[i];
    sk_isa isas[3];
    const size_t nisa = rop_isas(isas);
    for (size_t k = 0; k < nisa; k++) {
      rop o =
          rop_conv(ROP_DIRECT, SK_LAYOUT_NHWC, c->in_c, c->out_c, c->groups, c->kh, c->kw, 1, 0);
      o.cd.dilation_h = c->dh;
      o.cd.dilation_w = c->dw;
      for (int l = 0; l < 2; l++) {
        o.cd.layout = (sk_layout)l;
        rop_handle hd;
        memset(&hd, 0xAB, sizeof hd);
        arm(-1);
        const sk_status st = rop_create(&o, isas[k], wts, wts, &hd);
        disarm();
        const sk_status want = is32 ? c->want32 : c->want64;
        /* SIZE_OVERFLOW: decided before any allocation. OOM: the allocator refused a huge
         * request (a 64-bit size_t fits it) and everything else was freed. */
        const int ok = st == want && hd.conv == NULL && A.nlive == 0 &&
                       (want == OVF ? A.allocs == 0 : A.failed >= 1);
        if (!ok) {
          print_error(
              "FAIL %s (isa %s, %s): status %d (%s), want %d (%s); %ld allocations, "
              "%ld refused, %zu live\n",
              c->what, sk_isa_name(isas[k]), l ? "NCHW" : "NHWC", (int)st, sk_status_string(st),
              (int)want, sk_status_string(want), A.allocs, A.failed, A.nlive);
          bad++;
          if (st == SK_OK) rop_destroy(&hd);
        }
      }
    }
  }
  tiny_free(&t);
  print_message("%zu cases (size_t is %zu bits)\n",
                sizeof conv_size_cases / sizeof conv_size_cases[0], sizeof(size_t) * 8);
  assert_int_equal(bad, 0);
}

typedef struct run_size_case {
  const char *what;
  uint32_t batch, h, w;
  sk_status want32, want64; /* 0 (SK_OK) in want64: not run on 64-bit (it would be valid) */
} run_size_case;

static const run_size_case run_size_cases[] = {
    {"batch, h, w all UINT32_MAX", U32MAX, U32MAX, U32MAX, OVF, OVF},
    {"h, w UINT32_MAX: in + pads past 32 bits", 1, U32MAX, U32MAX, OVF, OVF},
    {"2^30 x 2^16 x 2^16 x C elements", 1u << 30, 1u << 16, 1u << 16, OVF, OVF},
    {"2^28 x 2^16 x 2^16 x C: 2^62 x C bytes", 1u << 28, 1u << 16, 1u << 16, OVF, OVF},
    {"65536 x 65536 image (2^32 x C elements)", 1, 65536, 65536, OVF, SK_OK},
    {"32768 x 32768 image (2^30 x C elements: bytes past 2^32)", 1, 32768, 32768, OVF, SK_OK},
    {"batch 2^16 of 256 x 256 images", 1u << 16, 256, 256, OVF, SK_OK},
    {"batch UINT32_MAX of 1x1 images", U32MAX, 1, 1, OVF, SK_OK},
};

static void size_overflow_run(void **state) {
  (void)state;
  const int is32 = SIZE_MAX <= UINT32_MAX;
  size_t bad = 0, checked = 0;
  float in[64], out[64];
  for (size_t i = 0; i < 64; i++) in[i] = out[i] = 0.25f;
  for (int l = 0; l < 2; l++) {
    rop ops[ROP_STANDARD_MAX];
    const size_t n = rop_standard((sk_layout)l, 4, ops);
    for (size_t v = 0; v < n; v++) {
      const size_t wn = rop_weights_count(&ops[v]);
      float *wts = xmalloc((wn ? wn : 1) * sizeof(float));
      fill(wts, wn, 5);
      rop_handle hd;
      assert_int_equal(rop_create(&ops[v], SK_ISA_AUTO, wts, NULL, &hd), SK_OK);
      for (size_t i = 0; i < sizeof run_size_cases / sizeof run_size_cases[0]; i++) {
        const run_size_case *c = &run_size_cases[i];
        const sk_status want = is32 ? c->want32 : c->want64;
        if (want == SK_OK) continue; /* a valid size on this platform: we have no such buffer */
        /* an input too small for the window may be rejected first */
        uint32_t oh, ow;
        const int small = c->h <= 65536 && c->w <= 65536;
        const sk_status alt =
            small && !rop_out_size(&ops[v], c->h, c->w, &oh, &ow) ? SK_ERR_INVALID_ARGUMENT : want;
        arm(-1);
        const sk_status st = rop_run(&hd, c->batch, c->h, c->w, in, out);
        disarm();
        checked++;
        /* Sizes that fit in size_t but not in the address space (the input would wrap past
         * the end of memory) may also be rejected as overlapping buffers. */
        const double in_bytes = (double)c->batch * c->h * c->w * rop_in_c(&ops[v]) * 4.0;
        const sk_status alt2 = in_bytes > (double)SIZE_MAX ? want : SK_ERR_INVALID_ARGUMENT;
        const int ok = (st == want || st == alt || st == alt2) && A.allocs == 0 && out[0] == 0.25f;
        if (!ok) {
          char d[400];
          rop_describe(&ops[v], d, sizeof d);
          print_error("FAIL run %s on %s: status %d (%s), want %d; %ld allocations\n", c->what, d,
                      (int)st, sk_status_string(st), (int)want, A.allocs);
          bad++;
        }
      }
      rop_destroy(&hd);
      free(wts);
    }
  }
  print_message("%zu failing runs checked (size_t is %zu bits)\n", checked, sizeof(size_t) * 8);
  assert_true(checked > 0);
  assert_int_equal(bad, 0);
}

/* output_size with strides, pads and kernels near UINT32_MAX: exact sizes or statuses, no
 * allocation. */
static void size_output_extremes(void **state) {
  (void)state;
  float w[4] = {1, 1, 1, 1};
  uint32_t oh = 0, ow = 0;
  rop_handle hd;
  /* conv 2x2, stride UINT32_MAX: span 2^32-3 < stride, one output */
  rop o = rop_conv(ROP_DIRECT, SK_LAYOUT_NHWC, 1, 1, 1, 2, 2, U32MAX, 0);
  assert_int_equal(rop_create(&o, SK_ISA_AUTO, w, NULL, &hd), SK_OK);
  arm(-1);
  assert_int_equal(rop_output_size(&hd, U32MAX, U32MAX, &oh, &ow), SK_OK);
  disarm();
  assert_int_equal(A.allocs, 0);
  assert_int_equal(oh, 1);
  assert_int_equal(ow, 1);
  rop_destroy(&hd);
  /* conv 1x1, pads UINT32_MAX - 1 on top: in 1 gives exactly UINT32_MAX rows, in 2 overflows */
  o = rop_conv(ROP_POINTWISE, SK_LAYOUT_NCHW, 1, 1, 1, 1, 1, 1, 0);
  o.cd.pad_top = U32MAX - 1;
  assert_int_equal(rop_create(&o, SK_ISA_AUTO, w, NULL, &hd), SK_OK);
  arm(-1);
  assert_int_equal(rop_output_size(&hd, 1, 3, &oh, &ow), SK_OK);
  assert_int_equal(oh, U32MAX);
  assert_int_equal(ow, 3);
  assert_int_equal(rop_output_size(&hd, 2, 3, &oh, &ow), SK_ERR_SIZE_OVERFLOW);
  /* a run of that size: 2^32-1 x 3 output elements (fits in 64 bits, not in a 32-bit size_t
   * in bytes); only the failing case is run */
  float in[8] = {0}, out[8] = {0};
  assert_int_equal(rop_run(&hd, 1, 2, 3, in, out), SK_ERR_SIZE_OVERFLOW);
  if (SIZE_MAX <= UINT32_MAX)
    assert_int_equal(rop_run(&hd, 1, 1, 3, in, out), SK_ERR_SIZE_OVERFLOW);
  disarm();
  assert_int_equal(A.allocs, 0);
  rop_destroy(&hd);
  /* max pool kernel UINT32_MAX, pads UINT32_MAX - 1 (< the extent): 1 + 2 pads overflows */
  o = rop_pool(ROP_MAXPOOL, SK_LAYOUT_NHWC, 1, U32MAX, 1, U32MAX - 1, 0);
  assert_int_equal(rop_create(&o, SK_ISA_AUTO, NULL, NULL, &hd), SK_OK);
  arm(-1);
  assert_int_equal(rop_output_size(&hd, 1, 1, &oh, &ow), SK_ERR_SIZE_OVERFLOW);
  disarm();
  assert_int_equal(A.allocs, 0);
  rop_destroy(&hd);
  /* max pool kernel 2^31, dilation 2: extent 2^32 - 1 fits; 2^31 + 1 does not */
  o = rop_pool(ROP_MAXPOOL, SK_LAYOUT_NHWC, 1, 1u << 31, 1, 0, 0);
  o.pd.dilation_h = o.pd.dilation_w = 2;
  assert_int_equal(rop_create(&o, SK_ISA_AUTO, NULL, NULL, &hd), SK_OK);
  assert_int_equal(rop_output_size(&hd, U32MAX, U32MAX, &oh, &ow), SK_OK);
  assert_int_equal(oh, 1);
  assert_int_equal(ow, 1);
  rop_destroy(&hd);
  o.pd.kernel_h = (1u << 31) + 1;
  memset(&hd, 0xAB, sizeof hd);
  arm(-1);
  assert_int_equal(rop_create(&o, SK_ISA_AUTO, NULL, NULL, &hd), SK_ERR_SIZE_OVERFLOW);
  disarm();
  assert_null(hd.pool);
  assert_int_equal(A.allocs, 0);
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(run_allocates_nothing), cmocka_unit_test(create_destroy_balanced),
      cmocka_unit_test(oom_each_allocation),   cmocka_unit_test(size_overflow_create),
      cmocka_unit_test(size_overflow_run),     cmocka_unit_test(size_output_extremes),
  };
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
