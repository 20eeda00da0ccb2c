/*
 * Thread safety of the public API:
 *   concurrent_runs          one created op run from 8 threads at once (released together by a
 *                            barrier), each on its own input and output, for every op family and
 *                            variant (tests/common/rel_ops.c), both layouts and every distinct
 *                            kernel of the supported ISAs: every result bitwise equal to a
 *                            single-threaded run of the same input
 *   concurrent_create_destroy 8 threads creating, running and destroying ops of their own at once
 *   init race (ctest entry "threads_init_race": test_threads --init-race): fresh processes (one
 *                            fork per round, the parent never calls the library) whose first
 *                            library calls come from 16 threads at once: sk_isa_best,
 *                            sk_isa_supported, create and run with SK_ISA_AUTO; every thread must
 *                            see the same ISA, kernel and bitwise result
 * Run under ThreadSanitizer by scripts/test_tsan.sh (make test step "tsan").
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__) || defined(__APPLE__)
#include <sys/wait.h>
#include <unistd.h>
#define TT_HAVE_FORK 1
#else
#define TT_HAVE_FORK 0
#endif

#include "common/rel_ops.h"
#include "common/test_util.h"
#include "simdkern.h"

#define NTHREADS 8

/* ------------------------------------------------------------------------ */
/* One op, many threads                                                      */

/* A pool of NTHREADS workers kept for the whole test (creating threads is slow under qemu):
 * each round the main thread fills args[], and the workers, released together by a barrier,
 * run their op on their buffers. */
typedef struct run_arg {
  const rop_handle *h;
  uint32_t batch, in_h, in_w;
  const float *in;
  float *out;
  int reps;
  sk_status st;
} run_arg;

static struct {
  pthread_t th[NTHREADS];
  pthread_barrier_t start, done; /* NTHREADS workers + the main thread */
  run_arg args[NTHREADS];
  int stop;
} P;

static void *worker_main(void *p) {
  run_arg *a = p;
  for (;;) {
    pthread_barrier_wait(&P.start);
    if (P.stop) return NULL;
    a->st = SK_OK;
    for (int i = 0; i < a->reps && a->st == SK_OK; i++)
      a->st = rop_run(a->h, a->batch, a->in_h, a->in_w, a->in, a->out);
    pthread_barrier_wait(&P.done);
  }
}

static void pool_start(void) {
  P.stop = 0;
  pthread_barrier_init(&P.start, NULL, NTHREADS + 1);
  pthread_barrier_init(&P.done, NULL, NTHREADS + 1);
  for (int t = 0; t < NTHREADS; t++)
    if (pthread_create(&P.th[t], NULL, worker_main, &P.args[t]) != 0) {
      print_error("pthread_create failed\n");
      abort();
    }
}

/* One round: every worker runs its args[] at once. */
static void pool_round(void) {
  pthread_barrier_wait(&P.start);
  pthread_barrier_wait(&P.done);
}

static void pool_stop(void) {
  P.stop = 1;
  pthread_barrier_wait(&P.start);
  for (int t = 0; t < NTHREADS; t++) pthread_join(P.th[t], NULL);
  pthread_barrier_destroy(&P.start);
  pthread_barrier_destroy(&P.done);
}

/* Returns the number of failures. */
static size_t threads_one(const rop *o, sk_isa isa, const char **seen, size_t *nseen, uint64_t seed,
                          size_t *runs) {
  const uint32_t batch = 2, h = rop_light() ? 5 : 9, w = rop_light() ? 6 : 10;
  uint32_t oh, ow;
  if (!rop_out_size(o, h, w, &oh, &ow)) return 0;
  const size_t wn = rop_weights_count(o);
  float *wts = xmalloc((wn ? wn : 1) * sizeof(float));
  test_rng r;
  rng_seed(&r, seed);
  rng_fill(&r, wts, wn, -0.5f, 0.5f);
  rop_handle hd;
  if (rop_create(o, isa, wts, o->is_conv ? wts : NULL, &hd) != SK_OK) {
    free(wts);
    print_error("create failed (isa %s)\n", sk_isa_name(isa));
    return 1;
  }
  const char *kname = rop_kernel_name(&hd);
  for (size_t i = 0; i < *nseen; i++)
    if (strcmp(seen[i], kname) == 0) { /* a kernel already tested (a scalar fallback) */
      rop_destroy(&hd);
      free(wts);
      return 0;
    }
  seen[(*nseen)++] = kname;
  const size_t in_n = (size_t)batch * h * w * rop_in_c(o);
  const size_t out_n = (size_t)batch * oh * ow * rop_out_c(o);
  float *in[NTHREADS], *out[NTHREADS], *solo[NTHREADS];
  for (int t = 0; t < NTHREADS; t++) {
    in[t] = xmalloc(in_n * sizeof(float));
    out[t] = xmalloc(out_n * sizeof(float));
    solo[t] = xmalloc(out_n * sizeof(float));
    rng_fill(&r, in[t], in_n, -1.0f, 1.0f);
    memset(out[t], 0, out_n * sizeof(float));
  }
  size_t fails = 0;
  for (int t = 0; t < NTHREADS; t++)
    if (rop_run(&hd, batch, h, w, in[t], solo[t]) != SK_OK) fails++;
  run_arg *args = P.args;
  for (int t = 0; t < NTHREADS; t++)
    args[t] = (run_arg){&hd, batch, h, w, in[t], out[t], rop_light() ? 1 : 4, SK_OK};
  pool_round();
  (*runs)++;
  for (int t = 0; t < NTHREADS; t++) {
    if (args[t].st != SK_OK || memcmp(out[t], solo[t], out_n * sizeof(float)) != 0) {
      char d[400];
      rop_describe(o, d, sizeof d);
      print_error(
          "FAIL thread %d of %d: %s (kernel %s, %s): concurrent result differs from "
          "the single-threaded one\n",
          t, NTHREADS, args[t].st != SK_OK ? sk_status_string(args[t].st) : "ok", kname, d);
      fails++;
    }
    free(in[t]);
    free(out[t]);
    free(solo[t]);
  }
  rop_destroy(&hd);
  free(wts);
  return fails;
}

static void concurrent_runs(void **state) {
  (void)state;
  size_t fails = 0, runs = 0;
  sk_isa isas[3];
  const size_t nisa = rop_isas(isas);
  pool_start();
  for (int l = 0; l < 2; l++) {
    rop ops[ROP_STANDARD_MAX];
    const size_t n = rop_standard((sk_layout)l, 19, ops);
    for (size_t v = 0; v < n; v++) {
      const char *seen[3];
      size_t nseen = 0;
      for (size_t k = 0; k < nisa; k++)
        fails += threads_one(&ops[v], isas[k], seen, &nseen, 100 + v, &runs);
    }
  }
  pool_stop();
  print_message("%zu ops x kernels, each run by %d threads at once\n", runs, NTHREADS);
  assert_true(runs > 0);
  assert_int_equal(fails, 0);
}

/* ------------------------------------------------------------------------ */
/* Many threads creating and destroying ops of their own                     */

typedef struct cd_arg {
  int id;
  pthread_barrier_t *start;
  size_t fails;
} cd_arg;

static void *cd_main(void *p) {
  cd_arg *a = p;
  pthread_barrier_wait(a->start);
  sk_isa isas[3];
  const size_t nisa = rop_isas(isas);
  const int rounds = rop_light() ? 2 : 6;
  for (int round = 0; round < rounds; round++) {
    rop ops[ROP_STANDARD_MAX];
    const size_t n = rop_standard((sk_layout)((a->id + round) & 1), 3 + (uint32_t)a->id, ops);
    for (size_t v = 0; v < n; v++) {
      const rop *o = &ops[v];
      const size_t wn = rop_weights_count(o);
      float *wts = xmalloc((wn ? wn : 1) * sizeof(float));
      for (size_t i = 0; i < wn; i++) wts[i] = (float)((i * 7 + (size_t)a->id) % 13) * 0.1f;
      rop_handle hd;
      if (rop_create(o, isas[(v + (size_t)round) % nisa], wts, NULL, &hd) != SK_OK) {
        a->fails++;
      } else {
        uint32_t oh, ow;
        float in[5 * 6 * 128], out[5 * 6 * 128];
        for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) in[i] = (float)(i % 11) * 0.25f;
        if (rop_out_size(o, 5, 6, &oh, &ow) && rop_run(&hd, 1, 5, 6, in, out) != SK_OK) a->fails++;
        rop_destroy(&hd);
      }
      free(wts);
    }
  }
  return NULL;
}

static void concurrent_create_destroy(void **state) {
  (void)state;
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, NTHREADS);
  cd_arg args[NTHREADS];
  pthread_t th[NTHREADS];
  for (int t = 0; t < NTHREADS; t++) {
    args[t] = (cd_arg){t, &start, 0};
    assert_int_equal(pthread_create(&th[t], NULL, cd_main, &args[t]), 0);
  }
  size_t fails = 0;
  for (int t = 0; t < NTHREADS; t++) {
    pthread_join(th[t], NULL);
    fails += args[t].fails;
  }
  pthread_barrier_destroy(&start);
  assert_int_equal(fails, 0);
}

/* ------------------------------------------------------------------------ */
/* First-time initialization racing (fresh processes)                        */

#define RACE_THREADS 16

typedef struct race_arg {
  pthread_barrier_t *start;
  sk_isa best;
  int sup[4];
  const char *conv_kernel, *pool_kernel;
  float out[2 * 3 * 5 * 5];
  float pout[2 * 3 * 2 * 2];
  sk_status st;
} race_arg;

static void *race_main(void *p) {
  race_arg *a = p;
  float w[3 * 4 * 3 * 3], x[2 * 4 * 5 * 5];
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) w[i] = (float)((int)(i % 9) - 4) * 0.125f;
  for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) x[i] = (float)((int)(i % 7) - 3) * 0.5f;
  pthread_barrier_wait(a->start);
  /* the very first library calls of the process, all threads at once */
  a->best = sk_isa_best();
  for (int i = 0; i < 4; i++) a->sup[i] = sk_isa_supported((sk_isa)i);
  sk_conv2d_desc d;
  memset(&d, 0, sizeof d);
  d.layout = SK_LAYOUT_NCHW;
  d.in_channels = 4;
  d.out_channels = 3;
  d.kernel_h = d.kernel_w = 3;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
  sk_conv2d *c = NULL;
  a->st = sk_conv2d_create(&d, w, NULL, &c);
  if (a->st == SK_OK) {
    a->conv_kernel = sk_conv2d_kernel_name(c);
    a->st = sk_conv2d_run(c, 2, 5, 5, x, a->out);
    sk_conv2d_destroy(c);
  }
  sk_pool2d_desc pd;
  memset(&pd, 0, sizeof pd);
  pd.kind = SK_POOL_MAX;
  pd.layout = SK_LAYOUT_NHWC;
  pd.channels = 3;
  pd.kernel_h = pd.kernel_w = 3;
  pd.stride_h = pd.stride_w = 2;
  pd.pad_top = pd.pad_left = pd.pad_bottom = pd.pad_right = 1;
  sk_pool2d *pl = NULL;
  if (a->st == SK_OK) a->st = sk_pool2d_create(&pd, &pl);
  if (a->st == SK_OK) {
    a->pool_kernel = sk_pool2d_kernel_name(pl);
    a->st = sk_pool2d_run(pl, 2, 4, 4, x, a->pout);
    sk_pool2d_destroy(pl);
  }
  return NULL;
}

/* One round in this (fresh) process; returns 0 if every thread saw the same thing. */
static int race_round(void) {
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, RACE_THREADS);
  static race_arg args[RACE_THREADS];
  pthread_t th[RACE_THREADS];
  for (int t = 0; t < RACE_THREADS; t++) {
    memset(&args[t], 0, sizeof args[t]);
    args[t].start = &start;
    if (pthread_create(&th[t], NULL, race_main, &args[t]) != 0) return 2;
  }
  for (int t = 0; t < RACE_THREADS; t++) pthread_join(th[t], NULL);
  pthread_barrier_destroy(&start);
  int bad = 0;
  for (int t = 0; t < RACE_THREADS; t++) {
    const race_arg *a = &args[t], *z = &args[0];
    if (a->st != SK_OK) {
      fprintf(stderr, "init race: thread %d: %s\n", t, sk_status_string(a->st));
      bad = 1;
      continue;
    }
    if (a->best != z->best || memcmp(a->sup, z->sup, sizeof a->sup) != 0 ||
        strcmp(a->conv_kernel, z->conv_kernel) != 0 ||
        strcmp(a->pool_kernel, z->pool_kernel) != 0 || memcmp(a->out, z->out, sizeof a->out) != 0 ||
        memcmp(a->pout, z->pout, sizeof a->pout)) {
      fprintf(stderr, "init race: thread %d saw best %s kernels %s, %s; thread 0 %s %s, %s\n", t,
              sk_isa_name(a->best), a->conv_kernel, a->pool_kernel, sk_isa_name(z->best),
              z->conv_kernel, z->pool_kernel);
      bad = 1;
    }
  }
  /* and what a later single call says */
  if (!bad && args[0].best != sk_isa_best()) bad = 1;
  return bad;
}

/* --init-race [rounds]: each round forks a fresh child (the parent never calls the library). */
static int init_race_main(int rounds) {
#if TT_HAVE_FORK
  int failed = 0;
  for (int i = 0; i < rounds; i++) {
    fflush(NULL);
    const pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 2;
    }
    if (pid == 0) _exit(race_round());
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "init race: round %d failed (status %#x)\n", i, status);
      failed++;
    }
  }
  printf("init race: %d fresh processes, %d threads each: %d failed\n", rounds, RACE_THREADS,
         failed);
  return failed ? 1 : 0;
#else
  (void)rounds;
  return race_round();
#endif
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--init-race") == 0) {
    const char *q = getenv("SIMDKERN_TEST_QUICK");
    const int quick = q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
    return init_race_main(argc > 2 ? atoi(argv[2]) : quick ? 4 : 24);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(concurrent_runs),
      cmocka_unit_test(concurrent_create_destroy),
  };
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
