/*
 * Numerics and determinism, for every op family and variant (tests/common/rel_ops.c), both
 * layouts and every distinct kernel of the supported ISAs:
 *   nan_inf_pool        max pooling: NaN if any element of the window is NaN (one NaN, +inf or
 *                       -inf planted at every pixel in turn), +-inf kept, also through
 *                       ReLU/clamp; average pooling: NaN/inf propagate as in the reference
 *   nan_inf_conv        a NaN (or inf) input makes exactly the outputs whose taps touch it NaN
 *                       (or +-inf / NaN as the reference says): no other output changes
 *   nan_inf_weights     a NaN (or inf) weight, or bias, makes exactly the outputs the reference
 *                       says non-finite, on every kernel: padding is zeros that are multiplied,
 *                       as in PyTorch, so a non-finite weight makes NaN every output whose tap
 *                       at that weight falls in the padding (0 * NaN, 0 * inf)
 *   denormals           denormal inputs (mixed with normal ones; weights scaled so outputs are
 *                       normal or denormal) give the reference result within the usual
 *                       tolerance plus a few denormal ulps per tap, on every ISA. ARMv7 NEON
 *                       flushes denormals to zero (its Advanced SIMD unit always runs in
 *                       flush-to-zero mode), so NEON kernels in an ARMv7 build may instead drop
 *                       the denormal inputs' share and flush denormal results: only there the
 *                       test allows that difference
 *   determinism         run twice: bitwise identical; batch 4 vs every split into smaller batches
 *                       (1+1+1+1, 2+2, 3+1, 1+3): bitwise identical, output filled with garbage
 *                       before each run
 * SIMDKERN_TEST_QUICK=1 and sanitizer builds shrink the position sweeps and channel lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rel_ops.h"
#include "common/test_util.h"
#include "simdkern.h"

/* ------------------------------------------------------------------------ */
/* Shared: the distinct kernels of an op                                     */

typedef struct kset {
  size_t n;
  rop_handle h[3];
  sk_isa isa[3];
} kset;

/* Creates o on every supported ISA, keeping one op per distinct kernel name. */
static void kset_create(kset *ks, const rop *o, const float *w, const float *b) {
  memset(ks, 0, sizeof *ks);
  sk_isa isas[3];
  const size_t nisa = rop_isas(isas);
  for (size_t k = 0; k < nisa; k++) {
    rop_handle h;
    assert_int_equal(rop_create(o, isas[k], w, b, &h), SK_OK);
    int dup = 0;
    for (size_t i = 0; i < ks->n; i++)
      dup |= strcmp(rop_kernel_name(&ks->h[i]), rop_kernel_name(&h)) == 0;
    if (dup) {
      rop_destroy(&h);
      continue;
    }
    ks->isa[ks->n] = isas[k];
    ks->h[ks->n++] = h;
  }
}

static void kset_destroy(kset *ks) {
  for (size_t i = 0; i < ks->n; i++) rop_destroy(&ks->h[i]);
}

/* ARMv7 NEON kernels run with flush-to-zero (the Advanced SIMD unit ignores FPSCR.FZ and
 * always flushes). */
static int flushes_denormals(const rop_handle *h) {
#if defined(__arm__)
  return strncmp(rop_kernel_name(h), "neon/", 5) == 0;
#else
  (void)h;
  return 0;
#endif
}

static size_t g_fail;
static void nfail(const char *test, const rop *o, const rop_handle *h, const char *what) {
  if (g_fail++ < 12) {
    char d[400];
    rop_describe(o, d, sizeof d);
    print_error("[%s] FAIL kernel %s: %s\n  %s\n", test, rop_kernel_name(h), what, d);
  }
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* got matches want: NaN iff NaN, equal infinities, else within tol. */
static int close_or_special(float got, double want, double tol) {
  if (isnan(want)) return isnan(got);
  if (isinf(want)) return (double)got == want;
  if (isnan(got) || isinf(got)) return 0;
  return fabs((double)got - want) <= tol;
}

/* ------------------------------------------------------------------------ */
/* NaN and infinity                                                          */

/* Runs every kernel of ks on in and checks each output against want (NaN iff NaN, equal
 * infinities, else within the usual tolerance); planted says what the case changed. */
static void check_kernels(const char *test, const rop *o, kset *ks, uint32_t h, uint32_t w,
                          const float *in, float *out, const double *want, const double *bound,
                          size_t out_n, const char *planted) {
  size_t n_special = 0;
  for (size_t i = 0; i < out_n; i++) n_special += !isfinite(want[i]);
  for (size_t k = 0; k < ks->n; k++) {
    for (size_t i = 0; i < out_n; i++) out[i] = -7.0f;
    if (rop_run(&ks->h[k], 1, h, w, in, out) != SK_OK) {
      nfail(test, o, &ks->h[k], "run failed");
      continue;
    }
    for (size_t i = 0; i < out_n; i++) {
      const double tol = rop_exact(o) ? 0.0 : 1e-5 * bound[i] + 1e-6;
      if (!close_or_special(out[i], want[i], tol)) {
        char msg[240];
        snprintf(msg, sizeof msg, "%s: output[%zu] = %g, want %g (%zu non-finite outputs wanted)",
                 planted, i, (double)out[i], want[i], n_special);
        nfail(test, o, &ks->h[k], msg);
        break;
      }
    }
  }
}

/* Plants `special` at input position p (all channels' p-th element in turn) and checks every
 * output of every kernel against the reference. */
static void special_sweep(const char *test, const rop *o, float special, uint32_t h, uint32_t w) {
  uint32_t oh, ow;
  if (!rop_out_size(o, h, w, &oh, &ow)) return;
  const size_t wn = rop_weights_count(o);
  const size_t in_n = (size_t)h * w * rop_in_c(o), out_n = (size_t)oh * ow * rop_out_c(o);
  float *wts = xmalloc((wn ? wn : 1) * sizeof(float));
  float *in = xmalloc(in_n * sizeof(float)), *out = xmalloc(out_n * sizeof(float));
  double *want = xmalloc(out_n * sizeof(double)), *bound = xmalloc(out_n * sizeof(double));
  test_rng r;
  rng_seed(&r, 77);
  /* weights never 0 (0 * inf would hide a tap) */
  for (size_t i = 0; i < wn; i++) wts[i] = (rng_u32(&r) & 1 ? 1 : -1) * rng_float(&r, 0.1f, 0.5f);
  rng_fill(&r, in, in_n, -1.0f, 1.0f);
  kset ks;
  kset_create(&ks, o, wts, NULL);
  /* every pixel once, the channel rotating (a step of C + 1 elements in NHWC moves one pixel
   * and one channel; in NCHW one channel and one pixel up to rounding) */
  const size_t step = (rop_in_c(o) + 1) * (rop_light() ? 5 : 1);
  for (size_t p = 0; p < in_n; p += step) {
    const float keep = in[p];
    in[p] = special;
    rop_reference(o, 1, h, w, in, wts, NULL, want, bound);
    char planted[64];
    snprintf(planted, sizeof planted, "input[%zu] = %g", p, (double)special);
    check_kernels(test, o, &ks, h, w, in, out, want, bound, out_n, planted);
    in[p] = keep;
  }
  kset_destroy(&ks);
  free(wts);
  free(in);
  free(out);
  free(want);
  free(bound);
}

static void nan_inf_pool(void **state) {
  (void)state;
  g_fail = 0;
  static const uint32_t chans[] = {1, 9, 33};
  const float specials[3] = {NAN, INFINITY, -INFINITY};
  for (int l = 0; l < 2; l++)
    for (size_t ci = 0; ci < 3; ci++) {
      rop ops[ROP_STANDARD_MAX];
      const size_t n = rop_standard((sk_layout)l, chans[ci], ops);
      for (size_t v = 0; v < n; v++) {
        if (ops[v].is_conv) continue;
        for (int s = 0; s < 3; s++) {
          rop o = ops[v];
          /* ReLU on NaN: still NaN; on -inf: 0 */
          if (s == 0 && ci == 1) o.pd.activation = SK_ACT_RELU;
          special_sweep("nan_inf_pool", &o, specials[s], 6, 7);
        }
      }
    }
  /* a window of nothing but -inf gives -inf; NaN next to +inf gives NaN */
  for (int l = 0; l < 2; l++) {
    rop o = rop_pool(ROP_MAXPOOL, (sk_layout)l, 5, 2, 2, 0, 0);
    float in[4 * 4 * 5], out[2 * 2 * 5];
    for (size_t i = 0; i < 80; i++) in[i] = -INFINITY;
    in[0] = NAN; /* first window of channel 0 (either layout) */
    in[1] = INFINITY;
    kset ks;
    kset_create(&ks, &o, NULL, NULL);
    for (size_t k = 0; k < ks.n; k++) {
      assert_int_equal(rop_run(&ks.h[k], 1, 4, 4, in, out), SK_OK);
      size_t nan = 0, ninf = 0, pinf = 0;
      for (size_t i = 0; i < 20; i++) {
        nan += isnan(out[i]) != 0;
        ninf += out[i] == -INFINITY;
        pinf += out[i] == INFINITY;
      }
      assert_true(isnan(out[0]));
      /* NHWC: in[1] is channel 1 of pixel 0 (window 0 of channel 1 -> +inf); NCHW: in[1] is
       * pixel 1 of channel 0, in the NaN window */
      assert_int_equal(nan, 1);
      assert_int_equal(pinf, l == 0 ? 1 : 0);
      assert_int_equal(ninf, l == 0 ? 18 : 19);
    }
    kset_destroy(&ks);
  }
  assert_int_equal(g_fail, 0);
}

static void nan_inf_conv(void **state) {
  (void)state;
  g_fail = 0;
  static const uint32_t chans[] = {2, 17};
  const float specials[2] = {NAN, INFINITY};
  for (int l = 0; l < 2; l++)
    for (size_t ci = 0; ci < 2; ci++) {
      rop ops[ROP_STANDARD_MAX];
      const size_t n = rop_standard((sk_layout)l, chans[ci], ops);
      for (size_t v = 0; v < n; v++) {
        if (!ops[v].is_conv) continue;
        for (int s = 0; s < 2; s++) {
          if (s == 1 && ci == 1) continue;
          rop o = ops[v];
          if (s == 0 && v % 3 == 1) o.cd.activation = SK_ACT_RELU6;
          special_sweep("nan_inf_conv", &o, specials[s], 5, 6);
        }
      }
    }
  assert_int_equal(g_fail, 0);
}

/* Plants `special` at weight index p (every weight in turn; then the bias of each output
 * channel) with finite inputs, and checks every output of every kernel against the reference. */
static void weight_sweep(const char *test, const rop *o, float special, uint32_t h, uint32_t w) {
  uint32_t oh, ow;
  if (!rop_out_size(o, h, w, &oh, &ow)) return;
  const size_t wn = rop_weights_count(o), oc = rop_out_c(o);
  const size_t in_n = (size_t)h * w * rop_in_c(o), out_n = (size_t)oh * ow * oc;
  float *wts = xmalloc(wn * sizeof(float)), *bias = xmalloc(oc * sizeof(float));
  float *in = xmalloc(in_n * sizeof(float)), *out = xmalloc(out_n * sizeof(float));
  double *want = xmalloc(out_n * sizeof(double)), *bound = xmalloc(out_n * sizeof(double));
  test_rng r;
  rng_seed(&r, 78);
  rng_fill(&r, wts, wn, -0.5f, 0.5f);
  rng_fill(&r, bias, oc, -0.5f, 0.5f);
  /* inputs never 0 (0 * inf would hide a tap) */
  for (size_t i = 0; i < in_n; i++) in[i] = (rng_u32(&r) & 1 ? 1 : -1) * rng_float(&r, 0.1f, 1.0f);
  const size_t step = rop_light() ? 3 : 1;
  for (size_t p = 0; p < wn + oc; p += step) {
    float *slot = p < wn ? wts + p : bias + (p - wn);
    const float keep = *slot;
    *slot = special;
    rop_reference(o, 1, h, w, in, wts, bias, want, bound);
    kset ks;
    kset_create(&ks, o, wts, bias);
    char planted[64];
    snprintf(planted, sizeof planted, "%s[%zu] = %g", p < wn ? "weight" : "bias",
             p < wn ? p : p - wn, (double)special);
    check_kernels(test, o, &ks, h, w, in, out, want, bound, out_n, planted);
    kset_destroy(&ks);
    *slot = keep;
  }
  free(wts);
  free(bias);
  free(in);
  free(out);
  free(want);
  free(bound);
}

static void nan_inf_weights(void **state) {
  (void)state;
  g_fail = 0;
  static const uint32_t chans[] = {3, 9};
  const float specials[2] = {NAN, -INFINITY};
  for (int l = 0; l < 2; l++)
    for (size_t ci = 0; ci < 2; ci++) {
      rop ops[ROP_STANDARD_MAX];
      const size_t n = rop_standard((sk_layout)l, chans[ci], ops);
      for (size_t v = 0; v < n; v++) {
        if (!ops[v].is_conv) continue;
        for (int s = 0; s < 2; s++) {
          if (s == 1 && ci == 1) continue;
          rop o = ops[v];
          /* pad everything by 2 (and 3 at the bottom/right): taps over padding everywhere */
          o.cd.pad_top = o.cd.pad_left = 2;
          o.cd.pad_bottom = o.cd.pad_right = 3;
          weight_sweep("nan_inf_weights", &o, specials[s], 5, 6);
        }
      }
    }
  assert_int_equal(g_fail, 0);
}

/* ------------------------------------------------------------------------ */
/* Denormals                                                                 */

static void denormal_case(const rop *o, float in_scale, float w_scale, int half_normal) {
  const uint32_t h = 6, w = 7;
  uint32_t oh, ow;
  if (!rop_out_size(o, h, w, &oh, &ow)) return;
  const size_t wn = rop_weights_count(o);
  const size_t in_n = (size_t)h * w * rop_in_c(o), out_n = (size_t)oh * ow * rop_out_c(o);
  float *wts = xmalloc((wn ? wn : 1) * sizeof(float));
  float *in = xmalloc(in_n * sizeof(float)), *den = xmalloc(in_n * sizeof(float));
  float *out = xmalloc(out_n * sizeof(float));
  double *want = xmalloc(out_n * sizeof(double)), *bound = xmalloc(out_n * sizeof(double));
  double *dwant = xmalloc(out_n * sizeof(double)), *dbound = xmalloc(out_n * sizeof(double));
  test_rng r;
  rng_seed(&r, 99);
  for (size_t i = 0; i < wn; i++) wts[i] = rng_float(&r, -1.0f, 1.0f) * w_scale;
  size_t n_den = 0;
  for (size_t i = 0; i < in_n; i++) {
    /* denormal: |x| in [2^-140, 2^-127); normal (half_normal): |x| near 2^-120 */
    const float x = rng_float(&r, -1.0f, 1.0f);
    const int normal = half_normal && (rng_u32(&r) & 1);
    in[i] = normal ? x * 0x1p-120f : x * in_scale;
    den[i] = fabsf(in[i]) < FLT_MIN ? in[i] : 0.0f; /* the denormal ones, whatever made them */
    n_den += in[i] != 0.0f && fabsf(in[i]) < FLT_MIN;
  }
  assert_true(n_den > 0);
  rop_reference(o, 1, h, w, in, wts, NULL, want, bound);
  /* the denormal inputs' share of each output (what a flush-to-zero unit drops) */
  rop_reference(o, 1, h, w, den, wts, NULL, dwant, dbound);
  size_t taps = 1;
  if (o->is_conv)
    taps = (size_t)o->cd.kernel_h * o->cd.kernel_w * rop_in_c(o);
  else if (o->pd.flags & SK_POOL_GLOBAL)
    taps = (size_t)h * w;
  else
    taps = (size_t)o->pd.kernel_h * o->pd.kernel_w;
  kset ks;
  kset_create(&ks, o, wts, NULL);
  for (size_t k = 0; k < ks.n; k++) {
    const int ftz = flushes_denormals(&ks.h[k]);
    if (rop_run(&ks.h[k], 1, h, w, in, out) != SK_OK) {
      nfail("denormals", o, &ks.h[k], "run failed");
      continue;
    }
    for (size_t i = 0; i < out_n; i++) {
      double tol;
      if (rop_exact(o))
        tol = 0.0;
      else /* the usual relative tolerance, plus one denormal ulp per tap (rounding of
            * products and sums below FLT_MIN is absolute, not relative) */
        tol = 1e-5 * bound[i] + (double)taps * 0x1p-149;
      int ok = fabs((double)out[i] - want[i]) <= tol;
      if (!ok && ftz) {
        /* ARMv7 NEON: denormal inputs may count as 0 and a denormal result may be 0 */
        const double share = rop_exact(o) ? fabs(want[i]) : dbound[i];
        ok = fabs((double)out[i] - want[i]) <= tol + share + (double)taps * FLT_MIN ||
             (out[i] == 0.0f && fabs(want[i]) < FLT_MIN);
      }
      if (!ok) {
        char msg[240];
        snprintf(msg, sizeof msg,
                 "inputs x %g, weights x %g: output[%zu] = %.9g, want %.9g (tol %.3g)%s%.3g",
                 (double)in_scale, (double)w_scale, i, (double)out[i], want[i], tol,
                 ftz ? " (flush-to-zero allowed: the denormal inputs' share " : "",
                 ftz ? dbound[i] : 0.0);
        nfail("denormals", o, &ks.h[k], msg);
        break;
      }
    }
  }
  kset_destroy(&ks);
  free(wts);
  free(in);
  free(den);
  free(out);
  free(want);
  free(bound);
  free(dwant);
  free(dbound);
}

static void denormals(void **state) {
  (void)state;
  g_fail = 0;
  static const uint32_t chans[] = {3, 17};
  for (int l = 0; l < 2; l++)
    for (size_t ci = 0; ci < 2; ci++) {
      rop ops[ROP_STANDARD_MAX];
      const size_t n = rop_standard((sk_layout)l, chans[ci], ops);
      for (size_t v = 0; v < n; v++) {
        /* denormal in, denormal out (weights ~1) */
        denormal_case(&ops[v], 0x1p-127f, 1.0f, 0);
        /* denormal and normal inputs mixed, outputs normal (weights ~2^20) */
        if (ops[v].is_conv)
          denormal_case(&ops[v], 0x1p-127f, 0x1p20f, 1);
        else
          denormal_case(&ops[v], 0x1p-127f, 1.0f, 1);
      }
    }
  assert_int_equal(g_fail, 0);
}

/* ------------------------------------------------------------------------ */
/* Determinism                                                               */

static void determinism(void **state) {
  (void)state;
  g_fail = 0;
  size_t checked = 0;
  static const uint32_t chans[] = {19, 5};
  static const uint32_t splits[4][4] = {{1, 1, 1, 1}, {2, 2, 0, 0}, {3, 1, 0, 0}, {1, 3, 0, 0}};
  for (int l = 0; l < 2; l++)
    for (size_t ci = 0; ci < (rop_light() ? 1u : 2u); ci++) {
      rop ops[ROP_STANDARD_MAX];
      const size_t n = rop_standard((sk_layout)l, chans[ci], ops);
      for (size_t v = 0; v < n; v++) {
        const rop *o = &ops[v];
        const uint32_t batch = 4, h = rop_light() ? 5 : 7, w = rop_light() ? 6 : 9;
        uint32_t oh, ow;
        if (!rop_out_size(o, h, w, &oh, &ow)) continue;
        const size_t wn = rop_weights_count(o);
        const size_t in_img = (size_t)h * w * rop_in_c(o), out_img = (size_t)oh * ow * rop_out_c(o);
        float *wts = xmalloc((wn ? wn : 1) * sizeof(float)), *bias = xmalloc(rop_out_c(o) * 4);
        float *in = xmalloc(batch * in_img * sizeof(float));
        float *a = xmalloc(batch * out_img * sizeof(float));
        float *b = xmalloc(batch * out_img * sizeof(float));
        test_rng r;
        rng_seed(&r, 1234 + v);
        rng_fill(&r, wts, wn, -1.0f, 1.0f);
        rng_fill(&r, bias, rop_out_c(o), -1.0f, 1.0f);
        rng_fill(&r, in, batch * in_img, -4.0f, 4.0f);
        kset ks;
        kset_create(&ks, o, wts, o->is_conv ? bias : NULL);
        for (size_t k = 0; k < ks.n; k++) {
          memset(a, 0x55, batch * out_img * sizeof(float));
          assert_int_equal(rop_run(&ks.h[k], batch, h, w, in, a), SK_OK);
          memset(b, 0xAA, batch * out_img * sizeof(float));
          assert_int_equal(rop_run(&ks.h[k], batch, h, w, in, b), SK_OK);
          if (memcmp(a, b, batch * out_img * sizeof(float)) != 0)
            nfail("determinism", o, &ks.h[k], "two runs of the same input differ");
          for (int s = 0; s < 4; s++) {
            if (rop_light() && (s == 1 || s == 3)) continue; /* keep 1+1+1+1 and 3+1 */
            memset(b, s * 0x11 + 0x22, batch * out_img * sizeof(float));
            uint32_t done = 0;
            for (int j = 0; j < 4 && splits[s][j]; j++) {
              assert_int_equal(
                  rop_run(&ks.h[k], splits[s][j], h, w, in + done * in_img, b + done * out_img),
                  SK_OK);
              done += splits[s][j];
            }
            for (size_t i = 0; i < batch * out_img; i++)
              if (!same_bits(a[i], b[i])) {
                char msg[160];
                snprintf(msg, sizeof msg, "batch 4 vs split %u+%u+%u+%u: output[%zu] %.9g vs %.9g",
                         splits[s][0], splits[s][1], splits[s][2], splits[s][3], i, (double)a[i],
                         (double)b[i]);
                nfail("determinism", o, &ks.h[k], msg);
                break;
              }
          }
          checked++;
        }
        kset_destroy(&ks);
        free(wts);
        free(bias);
        free(in);
        free(a);
        free(b);
      }
    }
  print_message("%zu op x kernel configs bitwise deterministic\n", checked);
  assert_true(checked > 0);
  assert_int_equal(g_fail, 0);
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nan_inf_pool),
      cmocka_unit_test(nan_inf_conv),
      cmocka_unit_test(nan_inf_weights),
      cmocka_unit_test(denormals),
      cmocka_unit_test(determinism),
  };
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("numerics", tests, NULL, NULL);
}
