/*
 * Dispatch: sk_isa_best / sk_isa_supported / the SIMDKERN_ISA cap.
 *
 * The cap is read once per process, so CMake registers this executable
 * several times with different environments (tests/CMakeLists.txt):
 *   SIMDKERN_ISA  the cap under test (may be unset, bogus or unsupported)
 *   SK_EXPECT_BEST  what sk_isa_best() must return: "scalar", "avx2",
 *     "neon", "uncapped" (the best this CPU supports), or "derive"/unset
 *     (computed from SIMDKERN_ISA by the documented rule).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__) && defined(__arm__)
#include <sys/auxv.h>
#endif

#include "common/test_util.h"
#include "simdkern.h"

/* The best ISA the machine supports, ignoring any cap. */
static sk_isa uncapped_best(void) {
  /* AVX2 first: in the test-only SIMDe build both are supported on x86 and
   * the native ISA must win. */
  if (sk_isa_supported(SK_ISA_AVX2)) return SK_ISA_AVX2;
  if (sk_isa_supported(SK_ISA_NEON)) return SK_ISA_NEON;
  return SK_ISA_SCALAR;
}

static int parse_isa(const char *s, sk_isa *out) {
  if (strcmp(s, "scalar") == 0) *out = SK_ISA_SCALAR;
  else if (strcmp(s, "avx2") == 0) *out = SK_ISA_AVX2;
  else if (strcmp(s, "neon") == 0) *out = SK_ISA_NEON;
  else return 0;
  return 1;
}

/* What sk_isa_best() must be under the cap in the environment. */
static sk_isa derived_best(void) {
  const char *cap = getenv("SIMDKERN_ISA");
  sk_isa isa;
  if (cap == NULL || !parse_isa(cap, &isa)) return uncapped_best(); /* unset/unknown: ignored */
  if (!sk_isa_supported(isa)) return uncapped_best();               /* unsupported: ignored */
  return isa;
}

/* ---- the first library calls of the process, from 8 threads at once ---- */
#define NTHREADS 8
static pthread_barrier_t start_barrier;
static void *first_call(void *p) {
  pthread_barrier_wait(&start_barrier);
  *(sk_isa *)p = sk_isa_best();
  return NULL;
}

static void concurrent_first_calls(void **state) {
  (void)state;
  pthread_t th[NTHREADS];
  sk_isa got[NTHREADS];
  assert_int_equal(pthread_barrier_init(&start_barrier, NULL, NTHREADS), 0);
  for (int i = 0; i < NTHREADS; i++)
    assert_int_equal(pthread_create(&th[i], NULL, first_call, &got[i]), 0);
  for (int i = 0; i < NTHREADS; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
  pthread_barrier_destroy(&start_barrier);
  for (int i = 1; i < NTHREADS; i++) assert_int_equal(got[i], got[0]);
  assert_int_equal(got[0], sk_isa_best());
}

static void best_is_stable_and_supported(void **state) {
  (void)state;
  const sk_isa first = sk_isa_best();
  assert_int_not_equal(first, SK_ISA_AUTO);
  assert_true(first == SK_ISA_SCALAR || first == SK_ISA_AVX2 || first == SK_ISA_NEON);
  assert_true(sk_isa_supported(first));
  for (int i = 0; i < 1000; i++) assert_int_equal(sk_isa_best(), first);
  const int avx2 = sk_isa_supported(SK_ISA_AVX2), neon = sk_isa_supported(SK_ISA_NEON);
  for (int i = 0; i < 100; i++) {
    assert_int_equal(sk_isa_supported(SK_ISA_AVX2), avx2);
    assert_int_equal(sk_isa_supported(SK_ISA_NEON), neon);
  }
  print_message("best=%s avx2=%d neon=%d SIMDKERN_ISA=%s\n", sk_isa_name(first), avx2, neon,
                getenv("SIMDKERN_ISA") ? getenv("SIMDKERN_ISA") : "(unset)");
}

static void scalar_and_auto_always_supported(void **state) {
  (void)state;
  assert_true(sk_isa_supported(SK_ISA_SCALAR));
  assert_true(sk_isa_supported(SK_ISA_AUTO));
  assert_false(sk_isa_supported((sk_isa)4));
#if defined(SK_NEON_VIA_SIMDE)
  /* test-only SIMDe build: its NEON kernels need AVX2+FMA to run */
  assert_int_equal(sk_isa_supported(SK_ISA_NEON), sk_isa_supported(SK_ISA_AVX2));
#else
  /* one architecture's SIMD at most */
  assert_false(sk_isa_supported(SK_ISA_AVX2) && sk_isa_supported(SK_ISA_NEON));
#endif
}

/* sk_isa_supported tells the CPU's truth, independently of the cap. */
static void supported_matches_cpu(void **state) {
  (void)state;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  /* the compiler runtime checks CPUID and the OS-enabled AVX state */
  const int cpu_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#if defined(SK_TEST_HAS_AVX2) && !SK_TEST_HAS_AVX2
  (void)cpu_avx2;
  assert_false(sk_isa_supported(SK_ISA_AVX2)); /* build without AVX2 (CMake options) */
#else
  assert_int_equal(sk_isa_supported(SK_ISA_AVX2) != 0, cpu_avx2);
#endif
#if defined(SK_NEON_VIA_SIMDE)
  assert_int_equal(sk_isa_supported(SK_ISA_NEON) != 0, cpu_avx2); /* SIMDe NEON on AVX2+FMA */
#else
  assert_false(sk_isa_supported(SK_ISA_NEON));
#endif
#elif defined(__aarch64__)
#if defined(SK_TEST_HAS_NEON) && !SK_TEST_HAS_NEON
  assert_false(sk_isa_supported(SK_ISA_NEON)); /* build without NEON (CMake options) */
#else
  assert_true(sk_isa_supported(SK_ISA_NEON)); /* ASIMD is mandatory on AArch64 */
#endif
  assert_false(sk_isa_supported(SK_ISA_AVX2));
#elif defined(__linux__) && defined(__arm__)
  const unsigned long hw = getauxval(AT_HWCAP);
  const int cpu_neon = (hw & (1ul << 12)) && (hw & (1ul << 16)); /* HWCAP_NEON, HWCAP_VFPv4 */
#if defined(SK_TEST_HAS_NEON) && !SK_TEST_HAS_NEON
  (void)cpu_neon;
  assert_false(sk_isa_supported(SK_ISA_NEON)); /* build without NEON (CMake options) */
#else
  assert_int_equal(sk_isa_supported(SK_ISA_NEON) != 0, cpu_neon);
#endif
  assert_false(sk_isa_supported(SK_ISA_AVX2));
#else
  print_message("no independent CPU check on this architecture\n");
#endif
}

static void cap_from_environment(void **state) {
  (void)state;
  const char *expect = getenv("SK_EXPECT_BEST");
  const sk_isa best = sk_isa_best();
  sk_isa want = derived_best();
  if (expect != NULL && strcmp(expect, "derive") != 0) {
    if (strcmp(expect, "uncapped") == 0) {
      want = uncapped_best();
    } else if (!parse_isa(expect, &want)) {
      print_error("bad SK_EXPECT_BEST=%s\n", expect);
      fail();
    }
    /* the explicit expectation must agree with the rule */
    assert_int_equal(want, derived_best());
  }
  if (best != want) {
    print_error("SIMDKERN_ISA=%s: sk_isa_best() = %s, want %s\n",
                getenv("SIMDKERN_ISA") ? getenv("SIMDKERN_ISA") : "(unset)", sk_isa_name(best),
                sk_isa_name(want));
    fail();
  }
}

/* Ops created with SK_ISA_AUTO run the best ISA's kernels (or scalar ones
 * where that ISA has none): under SIMDKERN_ISA=scalar, scalar only. */
static void auto_ops_follow_best(void **state) {
  (void)state;
  const sk_isa best = sk_isa_best();
  float w[8 * 8 * 9];
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) w[i] = 0.01f * (float)i;
  for (int shape = 0; shape < 3; shape++) {
    sk_conv2d_desc d;
    memset(&d, 0, sizeof d);
    d.in_channels = d.out_channels = 8;
    d.kernel_h = d.kernel_w = shape == 1 ? 1 : 3;
    d.groups = shape == 2 ? 8 : 1;
    d.isa = SK_ISA_AUTO;
    sk_conv2d *op = NULL;
    assert_int_equal(sk_conv2d_create(&d, w, NULL, &op), SK_OK);
    const char *name = sk_conv2d_kernel_name(op);
    assert_true(test_kernel_name_prefix_ok(name, SK_ISA_AUTO));
    if (best == SK_ISA_SCALAR && strncmp(name, "scalar/", 7) != 0) {
      print_error("best is scalar but an AUTO op runs %s\n", name);
      fail();
    }
    sk_conv2d_destroy(op);
  }
  for (int kind = 0; kind < 2; kind++) {
    for (int global = 0; global < 2; global++) {
      sk_pool2d_desc d;
      memset(&d, 0, sizeof d);
      d.kind = kind ? SK_POOL_AVG : SK_POOL_MAX;
      d.channels = 16;
      d.kernel_h = d.kernel_w = global ? 0 : 2;
      d.flags = global ? SK_POOL_GLOBAL : 0;
      sk_pool2d *op = NULL;
      assert_int_equal(sk_pool2d_create(&d, &op), SK_OK);
      const char *name = sk_pool2d_kernel_name(op);
      assert_true(test_kernel_name_prefix_ok(name, SK_ISA_AUTO));
      if (best == SK_ISA_SCALAR && strncmp(name, "scalar/", 7) != 0) {
        print_error("best is scalar but an AUTO pool op runs %s\n", name);
        fail();
      }
      sk_pool2d_destroy(op);
    }
  }
}

/* The descriptor's isa forces one op whatever the cap says. */
static void forced_isa_ignores_cap(void **state) {
  (void)state;
  float w[4 * 4 * 9];
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) w[i] = 0.5f;
  for (int k = 1; k < TEST_NUM_ISAS; k++) {
    const sk_isa isa = test_isas[k];
    sk_conv2d_desc d;
    memset(&d, 0, sizeof d);
    d.in_channels = d.out_channels = 4;
    d.kernel_h = d.kernel_w = 3;
    d.isa = isa;
    sk_conv2d *op = NULL;
    sk_status st = sk_conv2d_create(&d, w, NULL, &op);
    if (!sk_isa_supported(isa)) {
      assert_int_equal(st, SK_ERR_UNSUPPORTED);
      assert_null(op);
      continue;
    }
    assert_int_equal(st, SK_OK);
    const char *name = sk_conv2d_kernel_name(op);
    assert_true(test_kernel_name_prefix_ok(name, isa));
    sk_conv2d_destroy(op);
  }
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(concurrent_first_calls), /* must stay first */
      cmocka_unit_test(best_is_stable_and_supported),
      cmocka_unit_test(scalar_and_auto_always_supported),
      cmocka_unit_test(supported_matches_cpu),
      cmocka_unit_test(cap_from_environment),
      cmocka_unit_test(auto_ops_follow_best),
      cmocka_unit_test(forced_isa_ignores_cap),
  };
  /* argv[1]: only tests matching this pattern ("-" for all); argv[2]: skip these */
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("dispatch", tests, NULL, NULL);
}
