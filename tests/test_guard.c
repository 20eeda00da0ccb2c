/*
 * Guard-page tests through the public API: every op family and kernel variant (tests/common/
 * rel_ops.c), both layouts, every ISA sk_isa_supported reports (each distinct kernel once), with
 * the weights, bias, input and output each in its own mmap'd block next to a PROT_NONE page:
 *   pass "end":   each buffer ends exactly at the page boundary before an inaccessible page;
 *   pass "start": each buffer starts exactly at the page boundary after one.
 * Weights, bias and input are read-only while the library holds them (a write faults too). Any
 * over- or under-read or write faults: a SIGSEGV/SIGBUS handler prints the op, ISA, kernel, shape
 * and pass, then hands the signal on (cmocka or ASan reports it, the test fails). Every result is
 * also compared with the reference (tests/ref), and the rest of the output block, filled with a
 * sentinel, must stay untouched. The weights and bias are overwritten with NaN between create and
 * run (create copies them).
 * Shapes: channels 1..33 (2*16+1, the widest conv channel tile) and, for pooling, around 64 and
 * 128 (2*64+1); widths 1..17 (2*8+1) and around 24 and 48 (NCHW 24-pixel tiles), heights 1..4,
 * batch 1 or 2, activations rotating. SIMDKERN_TEST_QUICK=1 and sanitizer builds keep one
 * config in eight (a fixed hash sample).
 * Arguments: [cmocka test filter | -] [skip filter].
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__) || defined(__APPLE__)
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#define GT_HAVE_PAGES 1
#else
#define GT_HAVE_PAGES 0
#endif

#include "common/rel_ops.h"
#include "common/test_util.h"
#include "simdkern.h"

#if GT_HAVE_PAGES

/* ------------------------------------------------------------------------ */
/* Guarded blocks: [PROT_NONE page][data pages][PROT_NONE page]              */

typedef struct gslot {
  char *map;
  size_t page, data_pages; /* accessible pages between the two guards */
  float *data;             /* where the buffer was placed */
  size_t n;
} gslot;

static size_t g_page;

static void gslot_free(gslot *s) {
  if (s->map) munmap(s->map, (s->data_pages + 2) * s->page);
  memset(s, 0, sizeof *s);
}

/* Places n floats ending at the upper guard (at_end) or starting at the lower guard; the
 * rest of the data pages is filled with `fill`. The pages are read-write. */
static float *gslot_place(gslot *s, size_t n, int at_end, float fill) {
  const size_t bytes = (n ? n : 1) * sizeof(float);
  const size_t need = (bytes + g_page - 1) / g_page;
  if (s->map == NULL || need > s->data_pages) {
    gslot_free(s);
    s->page = g_page;
    s->data_pages = need < 4 ? 4 : need;
    void *m =
        mmap(NULL, (s->data_pages + 2) * g_page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      perror("test_guard: mmap");
      abort();
    }
    s->map = (char *)m;
  }
  char *lo = s->map + g_page, *hi = lo + s->data_pages * g_page;
  /* only the pages the buffer touches are accessible: the guard is the page right after */
  char *start = at_end ? hi - need * g_page : lo;
  if (at_end && start > lo) mprotect(lo, (size_t)(start - lo), PROT_NONE);
  if (!at_end && start + need * g_page < hi)
    mprotect(start + need * g_page, (size_t)(hi - start - need * g_page), PROT_NONE);
  if (mprotect(start, need * g_page, PROT_READ | PROT_WRITE) != 0) {
    perror("test_guard: mprotect");
    abort();
  }
  s->n = n;
  s->data = at_end ? (float *)(start + need * g_page - bytes) : (float *)start;
  for (float *q = (float *)start; q < (float *)(start + need * g_page); q++) *q = fill;
  return s->data;
}

static void gslot_protect(gslot *s, int prot) {
  const size_t bytes = (s->n ? s->n : 1) * sizeof(float);
  const size_t need = (bytes + g_page - 1) / g_page;
  char *p = (char *)((uintptr_t)s->data & ~(uintptr_t)(g_page - 1));
  if (mprotect(p, need * g_page, prot) != 0) {
    perror("test_guard: mprotect");
    abort();
  }
}

/* The floats of the accessible pages outside the buffer still hold bits. */
static int gslot_rest_intact(const gslot *s, uint32_t bits) {
  const size_t bytes = (s->n ? s->n : 1) * sizeof(float);
  const size_t need = (bytes + g_page - 1) / g_page;
  const uint32_t *p = (const uint32_t *)((uintptr_t)s->data & ~(uintptr_t)(g_page - 1));
  const uint32_t *e = p + need * g_page / sizeof(float);
  const uint32_t *d0 = (const uint32_t *)s->data, *d1 = d0 + s->n;
  for (; p < e; p++)
    if ((p < d0 || p >= d1) && *p != bits) return 0;
  return 1;
}

/* ------------------------------------------------------------------------ */
/* Fault reporting                                                           */

static char g_ctx[768];
static volatile sig_atomic_t g_in_call;
static struct sigaction g_old_segv, g_old_bus;

static void fault_handler(int sig) {
  if (g_in_call) {
    char msg[900];
    snprintf(msg, sizeof msg,
             "\ntest_guard: FAULT (signal %d): a buffer access past a guard page in\n  %s\n", sig,
             g_ctx);
    ssize_t r = write(2, msg, strlen(msg));
    (void)r;
    g_in_call = 0;
  }
  /* hand the signal on: the access faults again under the previous handler */
  sigaction(sig, sig == SIGBUS ? &g_old_bus : &g_old_segv, NULL);
}

static void fault_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fault_handler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &g_old_segv);
  sigaction(SIGBUS, &sa, &g_old_bus);
}

static void fault_uninstall(void) {
  sigaction(SIGSEGV, &g_old_segv, NULL);
  sigaction(SIGBUS, &g_old_bus, NULL);
}

/* ------------------------------------------------------------------------ */
/* One config                                                                */

#define SENTINEL_BITS 0x7FA5A5A5u

typedef struct gstats {
  const char *sweep;
  size_t configs, runs, failures;
} gstats;

static gslot s_w, s_b, s_in, s_out;

static float sentinel(void) {
  uint32_t b = SENTINEL_BITS;
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

static void gfail(gstats *st, const char *what) {
  if (st->failures++ < 10) print_error("[%s] FAIL: %s\n  %s\n", st->sweep, what, g_ctx);
}

/* Runs op o on every distinct kernel of the supported ISAs, in both passes. */
static void guard_config(gstats *st, rop o, uint32_t batch, uint32_t h, uint32_t w, int act,
                         uint64_t seed) {
  uint32_t oh, ow;
  if (!rop_out_size(&o, h, w, &oh, &ow)) return; /* input smaller than the window */
  static const sk_activation acts[4] = {SK_ACT_NONE, SK_ACT_RELU, SK_ACT_RELU6, SK_ACT_CLAMP};
  if (o.is_conv) {
    o.cd.activation = acts[act & 3];
    o.cd.act_min = -0.25f;
    o.cd.act_max = 0.5f;
  } else {
    o.pd.activation = acts[act & 3];
    o.pd.act_min = -0.25f;
    o.pd.act_max = 0.5f;
  }
  st->configs++;
  test_rng r;
  rng_seed(&r, seed);
  const size_t wn = rop_weights_count(&o), bn = rop_out_c(&o);
  const size_t in_n = (size_t)batch * h * w * rop_in_c(&o);
  const size_t out_n = (size_t)batch * oh * ow * rop_out_c(&o);
  const int with_bias = o.is_conv && (seed & 2);
  float *wts = o.is_conv ? xmalloc(wn * sizeof(float)) : NULL;
  float *bias = with_bias ? xmalloc(bn * sizeof(float)) : NULL;
  float *in = xmalloc(in_n * sizeof(float));
  double *want = xmalloc(out_n * sizeof(double)), *bound = xmalloc(out_n * sizeof(double));
  if (wts) rng_fill(&r, wts, wn, -0.5f, 0.5f);
  if (bias) rng_fill(&r, bias, bn, -0.5f, 0.5f);
  rng_fill(&r, in, in_n, -1.0f, 1.0f);
  rop_reference(&o, batch, h, w, in, wts, bias, want, bound);

  char desc[400];
  rop_describe(&o, desc, sizeof desc);
  sk_isa isas[3];
  const size_t nisa = rop_isas(isas);
  const char *done[3];
  size_t ndone = 0;
  for (size_t k = 0; k < nisa; k++) {
    for (int pass = 0; pass < 2; pass++) {
      const int at_end = pass == 0;
      const char *pname =
          at_end ? "buffers end at a guard page" : "buffers start after a guard page";
      /* weights and bias: read-only blocks, read by create (packing) */
      float *gw = NULL, *gb = NULL;
      if (wts) {
        gw = gslot_place(&s_w, wn, at_end, NAN);
        memcpy(gw, wts, wn * sizeof(float));
        gslot_protect(&s_w, PROT_READ);
      }
      if (bias) {
        gb = gslot_place(&s_b, bn, at_end, NAN);
        memcpy(gb, bias, bn * sizeof(float));
        gslot_protect(&s_b, PROT_READ);
      }
      snprintf(g_ctx, sizeof g_ctx,
               "create: isa %s, %s, batch %u, image %ux%u, %s (weights %zu floats at %p, bias %s)",
               sk_isa_name(isas[k]), desc, batch, h, w, pname, wn, (void *)gw,
               bias ? "given" : "NULL");
      rop_handle hd;
      g_in_call = 1;
      sk_status s = rop_create(&o, isas[k], gw, gb, &hd);
      g_in_call = 0;
      if (s != SK_OK) {
        gfail(st, "create failed");
        continue;
      }
      const char *kname = rop_kernel_name(&hd);
      int dup = 0;
      for (size_t i = 0; i < ndone && pass == 0; i++) dup |= strcmp(done[i], kname) == 0;
      if (dup) { /* the same kernel as an ISA already run (a scalar fallback) */
        rop_destroy(&hd);
        break;
      }
      if (pass == 0) done[ndone++] = kname;
      /* create copied the weights: the caller may overwrite them right away */
      if (gw) {
        gslot_protect(&s_w, PROT_READ | PROT_WRITE);
        for (size_t i = 0; i < wn; i++) gw[i] = NAN;
      }
      if (gb) {
        gslot_protect(&s_b, PROT_READ | PROT_WRITE);
        for (size_t i = 0; i < bn; i++) gb[i] = NAN;
      }
      float *gi = gslot_place(&s_in, in_n, at_end, NAN);
      memcpy(gi, in, in_n * sizeof(float));
      gslot_protect(&s_in, PROT_READ);
      float *go = gslot_place(&s_out, out_n, at_end, sentinel());
      snprintf(g_ctx, sizeof g_ctx,
               "run: kernel %s (isa %s), %s, batch %u, image %ux%u -> %ux%u, %s "
               "(input %zu floats at %p, output %zu floats at %p)",
               kname, sk_isa_name(isas[k]), desc, batch, h, w, oh, ow, pname, in_n, (void *)gi,
               out_n, (void *)go);
      g_in_call = 1;
      s = rop_run(&hd, batch, h, w, gi, go);
      g_in_call = 0;
      st->runs++;
      if (s != SK_OK) {
        gfail(st, "run failed");
      } else {
        cmp_report rep;
        const int ok = rop_exact(&o) ? compare_exact(go, want, out_n, &rep)
                                     : compare_tolerance(go, want, bound, out_n, &rep);
        if (!ok) {
          char what[200];
          snprintf(what, sizeof what, "%zu wrong outputs, first [%zu] = %.9g, want %.9g%s",
                   rep.mismatches, rep.first, rep.got, rep.want,
                   rep.unwritten ? " (never written)" : "");
          gfail(st, what);
        }
        if (!gslot_rest_intact(&s_out, SENTINEL_BITS))
          gfail(st, "written outside the output buffer (inside its page)");
      }
      rop_destroy(&hd);
    }
  }
  free(wts);
  free(bias);
  free(in);
  free(want);
  free(bound);
}

/* ------------------------------------------------------------------------ */
/* Sweeps                                                                    */

static uint64_t mix(uint64_t x) {
  x ^= x >> 31;
  x *= 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  return x;
}

static int keep(uint64_t idx) { return !rop_light() || mix(idx * 7919u + 13) % 8 == 0; }

static void sweep_begin(gstats *st, const char *name) {
  memset(st, 0, sizeof *st);
  st->sweep = name;
  g_page = (size_t)sysconf(_SC_PAGESIZE);
  fault_install();
}

static void sweep_end(gstats *st) {
  fault_uninstall();
  gslot_free(&s_w);
  gslot_free(&s_b);
  gslot_free(&s_in);
  gslot_free(&s_out);
  print_message("[%s] %zu configs, %zu guarded runs%s\n", st->sweep, st->configs, st->runs,
                rop_light() ? " (quick or sanitizer build: 1 in 8)" : "");
  assert_true(st->runs > 0);
  assert_int_equal(st->failures, 0);
}

/* Every channel count 1..33 for every op variant, widths/heights rotating. */
static void guard_channels(void **state) {
  (void)state;
  gstats st;
  sweep_begin(&st, "guard_channels");
  uint64_t idx = 0;
  for (int l = 0; l < 2; l++) {
    for (uint32_t c = 1; c <= 33; c++) {
      rop ops[ROP_STANDARD_MAX];
      const size_t n = rop_standard((sk_layout)l, c, ops);
      for (size_t v = 0; v < n; v++) {
        idx++;
        if (!keep(idx)) continue;
        const uint32_t w = 1 + (uint32_t)((c * 5 + v * 3 + (uint32_t)l) % 17);
        const uint32_t h = 1 + (uint32_t)((c + v) % 4);
        const uint32_t batch = (idx % 5 == 0) ? 2 : 1;
        guard_config(&st, ops[v], batch, h, w, (int)(idx % 4), idx);
      }
    }
  }
  sweep_end(&st);
}

/* Pooling around the 32/64-channel tiles: 63..65, 127..129. */
static void guard_pool_channels(void **state) {
  (void)state;
  gstats st;
  sweep_begin(&st, "guard_pool_channels");
  static const uint32_t chans[] = {31, 32, 33, 63, 64, 65, 127, 128, 129};
  uint64_t idx = 1000000;
  for (int l = 0; l < 2; l++) {
    for (size_t ci = 0; ci < sizeof chans / sizeof chans[0]; ci++) {
      rop ops[ROP_STANDARD_MAX];
      const size_t n = rop_standard((sk_layout)l, chans[ci], ops);
      for (size_t v = 0; v < n; v++) {
        if (ops[v].is_conv) continue;
        idx++;
        if (!keep(idx)) continue;
        const uint32_t w = 1 + (uint32_t)((ci * 3 + v) % 9);
        guard_config(&st, ops[v], 1, 1 + (uint32_t)(v % 3), w, (int)(idx % 4), idx);
      }
    }
  }
  sweep_end(&st);
}

/* Every width 1..17 and around 24/48 for every op variant, with channel counts 1, 3, 8, 17. */
static void guard_widths(void **state) {
  (void)state;
  gstats st;
  sweep_begin(&st, "guard_widths");
  static const uint32_t extra[] = {23, 24, 25, 31, 32, 33, 47, 48, 49};
  static const uint32_t chans[] = {1, 3, 8, 17};
  uint64_t idx = 2000000;
  for (int l = 0; l < 2; l++) {
    for (uint32_t wi = 0; wi < 17 + sizeof extra / sizeof extra[0]; wi++) {
      const uint32_t w = wi < 17 ? wi + 1 : extra[wi - 17];
      for (size_t ci = 0; ci < sizeof chans / sizeof chans[0]; ci++) {
        rop ops[ROP_STANDARD_MAX];
        const size_t n = rop_standard((sk_layout)l, chans[ci], ops);
        for (size_t v = 0; v < n; v++) {
          idx++;
          if (!keep(idx)) continue;
          const uint32_t h = 1 + (uint32_t)((wi + v + ci) % 4);
          guard_config(&st, ops[v], 1, h, w, (int)(idx % 4), idx);
        }
      }
    }
  }
  sweep_end(&st);
}

/* The guard itself works: a deliberate read past the end of a guarded block faults (run in a
 * child process so the fault does not end the test). */
static void guard_pages_fault(void **state) {
  (void)state;
  g_page = (size_t)sysconf(_SC_PAGESIZE);
  gslot s;
  memset(&s, 0, sizeof s);
  float *p = gslot_place(&s, 5, 1, 0.0f);
  gslot_protect(&s, PROT_READ);
  fflush(NULL);
  const pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    volatile float x = p[5]; /* one past the end */
    (void)x;
    _exit(0);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  gslot_free(&s);
}

#endif /* GT_HAVE_PAGES */

int main(int argc, char **argv) {
#if GT_HAVE_PAGES
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(guard_pages_fault),
      cmocka_unit_test(guard_channels),
      cmocka_unit_test(guard_pool_channels),
      cmocka_unit_test(guard_widths),
  };
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("guard", tests, NULL, NULL);
#else
  (void)argc;
  (void)argv;
  printf("test_guard: no mmap/mprotect on this platform, skipped\n");
  return 0;
#endif
}
