/*
 * sk_conv2d_* against the naive reference (tests/ref) over sweeps of shapes,
 * options and ISAs. Each sweep varies a few dimensions while the others take
 * cheap values; a fixed-seed random sample combines them. Every config runs
 * on every ISA this machine supports (plus SK_ISA_AUTO), into a guarded and
 * misaligned output buffer, after the weights given to create were poisoned
 * (create must have copied them). SIMDKERN_TEST_QUICK=1 shrinks the sweeps.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "ref/ref.h"
#include "simdkern.h"

typedef struct conv_case {
  sk_layout layout;
  sk_weights_layout wl;
  int wl_fixed; /* else the sweep picks OIHW/OHWI pseudo-randomly */
  uint32_t in_c, out_c, groups; /* groups as given to desc: 0 means 1 */
  uint32_t kh, kw, sh, sw, dh, dw; /* stride/dilation as given: 0 means 1 */
  uint32_t pt, pl, pb, pr, flags;
  sk_activation act;
  float act_min, act_max;
  int bias;
  uint32_t batch, h, w;
  uint32_t nan_inputs; /* number of input elements set to NaN */
  uint64_t seed;
} conv_case;

static conv_case conv_default(void) {
  conv_case c;
  memset(&c, 0, sizeof c);
  c.layout = SK_LAYOUT_NHWC;
  c.wl = SK_WEIGHTS_OIHW;
  c.in_c = 3;
  c.out_c = 4;
  c.groups = 1;
  c.kh = c.kw = 3;
  c.sh = c.sw = c.dh = c.dw = 1;
  c.act = SK_ACT_NONE;
  c.act_min = -0.5f;
  c.act_max = 0.7f;
  c.bias = 1;
  c.batch = 1;
  c.h = 7;
  c.w = 8;
  return c;
}

static uint32_t or1(uint32_t v) { return v ? v : 1; }

static void conv_describe(const conv_case *c, char *buf, size_t n) {
  snprintf(buf, n,
           "layout=%s weights=%s in_c=%u out_c=%u groups=%u kernel=%ux%u stride=%ux%u "
           "dilation=%ux%u pads(t,l,b,r)=%u,%u,%u,%u same=%d act=%s[%g,%g] bias=%d batch=%u "
           "image=%ux%u nan_inputs=%u seed=%llu",
           test_layout_name(c->layout), c->wl == SK_WEIGHTS_OHWI ? "OHWI" : "OIHW", c->in_c,
           c->out_c, c->groups, c->kh, c->kw, c->sh, c->sw, c->dh, c->dw, c->pt, c->pl, c->pb,
           c->pr, (c->flags & SK_FLAG_SAME_PADDING) ? 1 : 0, test_act_name(c->act),
           (double)c->act_min, (double)c->act_max, c->bias, c->batch, c->h, c->w, c->nan_inputs,
           (unsigned long long)c->seed);
}

static sk_conv2d_desc conv_desc(const conv_case *c, sk_isa isa) {
  sk_conv2d_desc d;
  memset(&d, 0, sizeof d);
  d.layout = c->layout;
  d.weights_layout = c->wl;
  d.in_channels = c->in_c;
  d.out_channels = c->out_c;
  d.groups = c->groups;
  d.kernel_h = c->kh;
  d.kernel_w = c->kw;
  d.stride_h = c->sh;
  d.stride_w = c->sw;
  d.dilation_h = c->dh;
  d.dilation_w = c->dw;
  d.pad_top = c->pt;
  d.pad_left = c->pl;
  d.pad_bottom = c->pb;
  d.pad_right = c->pr;
  d.flags = c->flags;
  d.activation = c->act;
  d.act_min = c->act_min;
  d.act_max = c->act_max;
  d.isa = isa;
  return d;
}

static ref_conv conv_ref_params(const conv_case *c) {
  const sk_conv2d_desc d = conv_desc(c, SK_ISA_AUTO);
  ref_conv r = ref_conv_from_desc(&d);
  r.weights_layout = SK_WEIGHTS_OIHW; /* the reference always sees the original OIHW */
  return r;
}

/* The kernel family the contract requires for this shape. */
static const char *conv_expected_family(const conv_case *c) {
  uint32_t g = or1(c->groups);
  if (g == c->in_c && c->in_c > 1) return "depthwise";
  if (c->kh == 1 && c->kw == 1) return "pointwise";
  return "direct";
}

typedef struct sweep {
  const char *name;
  size_t configs, runs, failures;
  uint64_t salt;
} sweep;

static void sweep_begin(sweep *s, const char *name) {
  memset(s, 0, sizeof *s);
  s->name = name;
  for (const char *p = name; *p; p++) s->salt = s->salt * 131 + (unsigned char)*p;
}

#define MAX_PRINTED_FAILURES 10

static void conv_fail(sweep *s, const conv_case *c, sk_isa isa, const char *kernel,
                      const char *what) {
  s->failures++;
  if (s->failures <= MAX_PRINTED_FAILURES) {
    char buf[512];
    conv_describe(c, buf, sizeof buf);
    print_error("[%s] FAIL isa=%s kernel=%s: %s\n  config: %s\n", s->name, sk_isa_name(isa),
                kernel ? kernel : "-", what, buf);
  }
}

/* Runs one config on every supported ISA; records failures in s. */
static void conv_check(sweep *s, conv_case c) {
  s->configs++;
  if (c.seed == 0) c.seed = s->salt * 1000003u + s->configs;
  test_rng rng;
  rng_seed(&rng, c.seed);
  if (!c.wl_fixed) c.wl = (rng_u32(&rng) >> 7) & 1 ? SK_WEIGHTS_OHWI : SK_WEIGHTS_OIHW;

  const ref_conv rp = conv_ref_params(&c);
  size_t oh, ow;
  if (!ref_conv_output_size(&rp, c.h, c.w, &oh, &ow)) {
    conv_fail(s, &c, SK_ISA_AUTO, NULL, "test bug: config has no valid output");
    return;
  }
  const size_t in_n = (size_t)c.batch * c.h * c.w * c.in_c;
  const size_t out_n = (size_t)c.batch * oh * ow * c.out_c;
  const size_t cin_g = c.in_c / rp.groups;
  const size_t wn = ref_conv_weights_count(&rp);

  float *input = xmalloc(in_n * sizeof(float));
  float *w_oihw = xmalloc(wn * sizeof(float));
  float *w_lib = xmalloc(wn * sizeof(float));
  float *bias = xmalloc(c.out_c * sizeof(float));
  float *bias_lib = xmalloc(c.out_c * sizeof(float));
  double *want = xmalloc(out_n * sizeof(double));
  double *bound = xmalloc(out_n * sizeof(double));

  rng_fill(&rng, input, in_n, -1.0f, 1.0f);
  for (uint32_t i = 0; i < c.nan_inputs; i++) input[rng_range(&rng, 0, (uint32_t)in_n - 1)] = NAN;
  /* output std ~3 so RELU6 and CLAMP both bite */
  float a = 9.0f / sqrtf((float)(cin_g * c.kh * c.kw));
  rng_fill(&rng, w_oihw, wn, -a, a);
  rng_fill(&rng, bias, c.out_c, -2.0f, 2.0f);
  ref_conv2d(&rp, c.batch, c.h, c.w, input, w_oihw, c.bias ? bias : NULL, want, bound);

  for (int k = 0; k < TEST_NUM_ISAS; k++) {
    const sk_isa isa = test_isas[k];
    if (!sk_isa_supported(isa)) continue;
    s->runs++;
    char what[256];
    if (c.wl == SK_WEIGHTS_OHWI)
      oihw_to_ohwi(w_oihw, w_lib, c.out_c, cin_g, c.kh, c.kw);
    else
      memcpy(w_lib, w_oihw, wn * sizeof(float));
    memcpy(bias_lib, bias, c.out_c * sizeof(float));
    sk_conv2d_desc d = conv_desc(&c, isa);
    sk_conv2d *op = (sk_conv2d *)&op; /* must be overwritten */
    sk_status st = sk_conv2d_create(&d, w_lib, c.bias ? bias_lib : NULL, &op);
    if (st != SK_OK || op == NULL) {
      snprintf(what, sizeof what, "create returned %d (%s)", (int)st, sk_status_string(st));
      conv_fail(s, &c, isa, NULL, what);
      continue;
    }
    /* create must have copied the weights: poison the caller's copies */
    for (size_t i = 0; i < wn; i++) w_lib[i] = NAN;
    for (size_t i = 0; i < c.out_c; i++) bias_lib[i] = NAN;

    const char *kname = sk_conv2d_kernel_name(op);
    const char *family = conv_expected_family(&c);
    if (!test_kernel_name_prefix_ok(kname, isa)) {
      conv_fail(s, &c, isa, kname, "kernel name does not start with the ISA's name");
    } else if (strstr(kname, family) == NULL) {
      snprintf(what, sizeof what, "kernel name should contain \"%s\"", family);
      conv_fail(s, &c, isa, kname, what);
    }

    uint32_t got_h = 0, got_w = 0;
    st = sk_conv2d_output_size(op, c.h, c.w, &got_h, &got_w);
    if (st != SK_OK || got_h != oh || got_w != ow) {
      snprintf(what, sizeof what, "output_size: status %d, %ux%u, reference %zux%zu", (int)st,
               got_h, got_w, oh, ow);
      conv_fail(s, &c, isa, kname, what);
    }

    /* the input ends exactly at the end of its allocation, so that reads
     * past it are caught by ASan; it starts misaligned by 0..3 floats */
    const size_t in_mis = ((size_t)(c.seed >> 3) + (size_t)k) & 3;
    float *in_base = xmalloc((in_n + in_mis) * sizeof(float));
    float *in_buf = in_base + in_mis;
    memcpy(in_buf, input, in_n * sizeof(float));
    guarded gout;
    float *out = guarded_alloc(&gout, out_n, (size_t)(c.seed >> 5) + (size_t)k * 3);
    st = sk_conv2d_run(op, c.batch, c.h, c.w, in_buf, out);
    if (st != SK_OK) {
      snprintf(what, sizeof what, "run returned %d (%s)", (int)st, sk_status_string(st));
      conv_fail(s, &c, isa, kname, what);
    } else {
      cmp_report rep;
      if (!guarded_intact(&gout)) conv_fail(s, &c, isa, kname, "wrote outside the output buffer");
      if (memcmp(in_buf, input, in_n * sizeof(float)) != 0)
        conv_fail(s, &c, isa, kname, "modified the input buffer");
      if (!compare_tolerance(out, want, bound, out_n, &rep)) {
        snprintf(what, sizeof what,
                 "%zu of %zu outputs wrong; first at index %zu: got %.9g want %.9g (tol %.3g)%s",
                 rep.mismatches, out_n, rep.first, rep.got, rep.want, rep.tol,
                 rep.unwritten ? " [never written]" : "");
        conv_fail(s, &c, isa, kname, what);
      }
    }
    free(in_base);
    guarded_free(&gout);
    sk_conv2d_destroy(op);
  }
  free(input);
  free(w_oihw);
  free(w_lib);
  free(bias);
  free(bias_lib);
  free(want);
  free(bound);
}

static void sweep_end(sweep *s) {
  print_message("[%s] %zu configs, %zu op runs%s\n", s->name, s->configs, s->runs,
                test_quick() ? " (quick)" : "");
  if (s->failures) print_error("[%s] %zu failures\n", s->name, s->failures);
  assert_true(s->configs > 0);
  assert_int_equal(s->failures, 0);
}

static const sk_layout layouts[2] = {SK_LAYOUT_NHWC, SK_LAYOUT_NCHW};

/* ------------------------------------------------------------------------ */

/* Every channel count 1..33 in and out, for 1x1 (pointwise) and 3x3
 * (direct): the remainder paths of every vector width and tile. The full
 * run takes every (in, out) pair; quick mode every count on each side. */
static void conv_sweep_channels(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_channels");
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (uint32_t k = 1; k <= 3; k += 2)
      for (uint32_t ci = 1; ci <= 33; ci++)
        for (uint32_t co = 1; co <= 33; co++) {
          if (test_quick()) {
            /* the diagonal, a rotated diagonal, and in = 3 or out = 3 */
            int keep = co == ci || co == 1 + (ci * 7) % 33 || (ci == 3 && co % 2 == (uint32_t)l) ||
                       (co == 3 && ci % 2 == (uint32_t)l);
            if (!keep) continue;
          }
          conv_case c = conv_default();
          c.layout = layouts[l];
          c.in_c = ci;
          c.out_c = co;
          c.kh = c.kw = k;
          c.pt = c.pl = c.pb = c.pr = k / 2;
          c.h = 5;
          c.w = 6 + (uint32_t)(idx++ % 3); /* vary the pixel count too */
          conv_check(&s, c);
        }
  sweep_end(&s);
}

static void conv_sweep_large_channels(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_large_channels");
  const uint32_t pairs[][2] = {{96, 130}, {130, 96}, {130, 130}, {1, 130}, {130, 1}, {64, 64}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (uint32_t k = 1; k <= 3; k += 2)
      for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        if (!test_keep(idx++, 3)) continue;
        conv_case c = conv_default();
        c.layout = layouts[l];
        c.in_c = pairs[p][0];
        c.out_c = pairs[p][1];
        c.kh = c.kw = k;
        c.pt = c.pl = c.pb = c.pr = k / 2;
        c.h = 4;
        c.w = 5;
        conv_check(&s, c);
      }
  sweep_end(&s);
}

/* Depthwise (groups == in_channels) for every channel count, multiplier
 * 1 and 2, a few geometries. in_c == 1 is a plain 1-group conv. */
static void conv_sweep_depthwise(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_depthwise");
  uint32_t chans[40];
  size_t nch = 0;
  for (uint32_t ch = 1; ch <= 33; ch++) chans[nch++] = ch;
  chans[nch++] = 96;
  chans[nch++] = 130;
  struct { uint32_t k, s, p, d; } geo[] = {{3, 1, 1, 1}, {3, 2, 1, 1}, {5, 1, 2, 1}, {3, 1, 2, 2}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (size_t i = 0; i < nch; i++)
      for (uint32_t mult = 1; mult <= 2; mult++)
        for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++) {
          if (!test_keep(idx++, g == 0 && mult == 1 ? 1 : 6)) continue;
          conv_case c = conv_default();
          c.layout = layouts[l];
          c.in_c = chans[i];
          c.out_c = chans[i] * mult;
          c.groups = chans[i];
          c.kh = c.kw = geo[g].k;
          c.sh = c.sw = geo[g].s;
          c.pt = c.pl = c.pb = c.pr = geo[g].p;
          c.dh = c.dw = geo[g].d;
          c.h = 6;
          c.w = 7;
          conv_check(&s, c);
        }
  sweep_end(&s);
}

/* Every kernel size 1..7 x 1..7 (square and asymmetric). */
static void conv_sweep_kernel(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_kernel");
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (uint32_t kh = 1; kh <= 7; kh++)
      for (uint32_t kw = 1; kw <= 7; kw++) {
        if (!test_keep(idx++, 5)) continue;
        conv_case c = conv_default();
        c.layout = layouts[l];
        c.kh = kh;
        c.kw = kw;
        c.in_c = 3;
        c.out_c = 5;
        c.h = 9;
        c.w = 11;
        conv_check(&s, c);
        /* the same kernel depthwise */
        c.in_c = c.out_c = c.groups = 4;
        c.seed = 0;
        conv_check(&s, c);
      }
  sweep_end(&s);
}

static void conv_sweep_stride(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_stride");
  const uint32_t ks[][2] = {{1, 1}, {2, 2}, {3, 3}, {1, 3}, {5, 2}, {7, 7}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++)
      for (uint32_t sh = 1; sh <= 3; sh++)
        for (uint32_t sw = 1; sw <= 3; sw++) {
          if (!test_keep(idx++, 5)) continue;
          conv_case c = conv_default();
          c.layout = layouts[l];
          c.kh = ks[k][0];
          c.kw = ks[k][1];
          c.sh = sh;
          c.sw = sw;
          c.pt = c.pb = c.kh / 2;
          c.pl = c.pr = c.kw / 2;
          c.in_c = 5;
          c.out_c = 6;
          if (idx % 3 == 0) c.in_c = c.out_c = c.groups = 6; /* depthwise */
          c.h = 13;
          c.w = 17;
          conv_check(&s, c);
        }
  sweep_end(&s);
}

/* Convs the AVX2 NHWC small-K kernel (create picks it for kernel_h * kernel_w * in_c <= 512)
 * hands to the 6x16 engine when the output rows are narrower than 12 pixels
 * (sk_conv_nhwc_smallk_runs), on both sides of each bound: strided 1x1 with in_c around 128,
 * 3x3 with K around 256 (in_c 28 and 29: K 252 and 261); out_c 40 ends in an 8-channel block
 * (the small-K 4x24 tile, a masked engine tile). */
static void conv_sweep_smallk_narrow(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_smallk_narrow");
  const uint32_t ins[] = {127, 128, 200};
  const uint32_t ws[] = {21, 23, 24}; /* out_w 11, 12, 12 at stride 2 */
  size_t idx = 0;
  for (int l = 0; l < 2; l++) {
    for (size_t i = 0; i < sizeof ins / sizeof ins[0]; i++)
      for (size_t w = 0; w < sizeof ws / sizeof ws[0]; w++) {
        if (!test_keep(idx++, 3)) continue;
        conv_case c = conv_default();
        c.layout = layouts[l];
        c.kh = c.kw = 1;
        c.sh = c.sw = 2;
        c.in_c = ins[i];
        c.out_c = 40;
        c.h = 5;
        c.w = ws[w];
        conv_check(&s, c);
      }
    const uint32_t ins3[] = {28, 29, 56};
    for (size_t i = 0; i < sizeof ins3 / sizeof ins3[0]; i++)
      for (uint32_t w = 7; w <= 12; w += 5) { /* out_w 7 and 12 (pads 1) */
        if (!test_keep(idx++, 3)) continue;
        conv_case c = conv_default();
        c.layout = layouts[l];
        c.kh = c.kw = 3;
        c.pt = c.pl = c.pb = c.pr = 1;
        c.in_c = ins3[i];
        c.out_c = 40;
        c.h = 6;
        c.w = w;
        conv_check(&s, c);
      }
  }
  sweep_end(&s);
}

static void conv_sweep_dilation(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_dilation");
  const uint32_t ks[][2] = {{2, 2}, {3, 3}, {1, 3}, {5, 2}, {3, 1}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++)
      for (uint32_t dh = 1; dh <= 3; dh++)
        for (uint32_t dw = 1; dw <= 3; dw++)
          for (uint32_t st = 1; st <= 2; st++) {
            if (!test_keep(idx++, 6)) continue;
            conv_case c = conv_default();
            c.layout = layouts[l];
            c.kh = ks[k][0];
            c.kw = ks[k][1];
            c.dh = dh;
            c.dw = dw;
            c.sh = c.sw = st;
            c.pt = c.pl = 1;
            c.pb = c.pr = 2;
            c.in_c = 4;
            c.out_c = 3;
            if (idx % 2 == 0) c.in_c = c.out_c = c.groups = 5; /* depthwise */
            c.h = 13;
            c.w = 14;
            conv_check(&s, c);
          }
  sweep_end(&s);
}

/* Every combination of pads 0..3 on each side for four kernel families. */
static void conv_sweep_pads(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_pads");
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int fam = 0; fam < 4; fam++)
      for (uint32_t p = 0; p < 256; p++) {
        if (!test_keep(idx++, 17)) continue;
        conv_case c = conv_default();
        c.layout = layouts[l];
        c.pt = p & 3;
        c.pl = (p >> 2) & 3;
        c.pb = (p >> 4) & 3;
        c.pr = (p >> 6) & 3;
        c.in_c = 2;
        c.out_c = 3;
        c.h = 4;
        c.w = 5;
        switch (fam) {
          case 0: break; /* direct 3x3 */
          case 1: c.kh = c.kw = 1; break; /* pointwise with padding */
          case 2: c.in_c = c.out_c = c.groups = 5; break; /* depthwise 3x3 */
          default: c.kh = 2; c.kw = 5; c.sh = 2; break;
        }
        conv_check(&s, c);
      }
  sweep_end(&s);
}

static void conv_sweep_same(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_same");
  const uint32_t ks[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {1, 3}, {5, 2}};
  const uint32_t imgs[][2] = {{1, 1}, {2, 3}, {5, 5}, {7, 4}, {17, 23}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++)
      for (uint32_t st = 1; st <= 3; st++)
        for (uint32_t d = 1; d <= 2; d++)
          for (size_t im = 0; im < sizeof imgs / sizeof imgs[0]; im++) {
            if (!test_keep(idx++, 9)) continue;
            conv_case c = conv_default();
            c.layout = layouts[l];
            c.flags = SK_FLAG_SAME_PADDING;
            c.kh = ks[k][0];
            c.kw = ks[k][1];
            c.sh = st;
            c.sw = st == 3 ? 2 : st;
            c.dh = c.dw = d;
            c.h = imgs[im][0];
            c.w = imgs[im][1];
            if (idx % 3 == 0) c.in_c = c.out_c = c.groups = 4;
            conv_check(&s, c);
          }
  sweep_end(&s);
}

static void conv_sweep_groups(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_groups");
  const uint32_t per[] = {1, 2, 3, 5, 8, 9};
  const uint32_t gs[] = {1, 2, 4};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (size_t g = 0; g < 3; g++)
      for (size_t i = 0; i < 6; i++)
        for (size_t o = 0; o < 6; o++)
          for (uint32_t k = 1; k <= 3; k += 2) {
            if (!test_keep(idx++, 7)) continue;
            conv_case c = conv_default();
            c.layout = layouts[l];
            c.groups = gs[g];
            c.in_c = gs[g] * per[i];
            c.out_c = gs[g] * per[o];
            c.kh = c.kw = k;
            c.pt = c.pl = c.pb = c.pr = k / 2;
            c.h = 5;
            c.w = 6;
            conv_check(&s, c);
          }
  sweep_end(&s);
}

static void conv_sweep_images(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_images_batch");
  const uint32_t hs[] = {1, 2, 3, 5, 8, 17};
  const uint32_t ws[] = {1, 2, 3, 4, 7, 16, 23};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (uint32_t b = 1; b <= 3; b += 2)
      for (size_t hi = 0; hi < 6; hi++)
        for (size_t wi = 0; wi < 7; wi++)
          for (int fam = 0; fam < 4; fam++) {
            if (!test_keep(idx++, 11)) continue;
            conv_case c = conv_default();
            c.layout = layouts[l];
            c.batch = b;
            c.h = hs[hi];
            c.w = ws[wi];
            switch (fam) {
              case 0: c.kh = c.kw = 1; c.in_c = 7; c.out_c = 9; break;
              case 1: c.pt = c.pl = c.pb = c.pr = 1; break;
              case 2: c.in_c = c.out_c = c.groups = 8; c.pt = c.pl = c.pb = c.pr = 1; break;
              default: /* unpadded 2x2 where it fits, else padded */
                c.kh = c.kw = 2;
                c.in_c = 5;
                c.out_c = 3;
                if (c.h < 2) c.pt = 1;
                if (c.w < 2) c.pr = 1;
                break;
            }
            conv_check(&s, c);
          }
  sweep_end(&s);
}

static void set_family(conv_case *c, int fam) {
  switch (fam) {
    case 0: c->in_c = 5; c->out_c = 7; break;                   /* direct 3x3 */
    case 1: c->in_c = 17; c->out_c = 9; c->kh = c->kw = 1; break; /* pointwise */
    case 2: c->in_c = c->out_c = c->groups = 16; break;         /* depthwise */
    case 3: c->in_c = c->groups = 6; c->out_c = 12; break;      /* depthwise x2 */
    default: c->in_c = 8; c->out_c = 6; c->groups = 2; break;   /* grouped */
  }
}

static void conv_sweep_activation_bias(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_activation_bias");
  struct { sk_activation a; float lo, hi; } acts[] = {
      {SK_ACT_NONE, 0, 0},       {SK_ACT_RELU, 0, 0},        {SK_ACT_RELU6, 0, 0},
      {SK_ACT_CLAMP, -0.5f, 0.7f}, {SK_ACT_CLAMP, 0.25f, 0.25f}, {SK_ACT_CLAMP, -7.0f, -1.0f}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++)
      for (int bias = 0; bias <= 1; bias++)
        for (int fam = 0; fam < 5; fam++) {
          if (!test_keep(idx++, 5)) continue;
          conv_case c = conv_default();
          c.layout = layouts[l];
          c.act = acts[a].a;
          c.act_min = acts[a].lo;
          c.act_max = acts[a].hi;
          c.bias = bias;
          c.pt = c.pl = c.pb = c.pr = 1;
          c.h = 6;
          c.w = 9;
          set_family(&c, fam);
          if (c.kh == 1) c.pt = c.pl = c.pb = c.pr = 0;
          conv_check(&s, c);
        }
  sweep_end(&s);
}

static void conv_sweep_weights_layout(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_weights_layout");
  const uint32_t ks[][2] = {{1, 1}, {3, 3}, {2, 5}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int wl = 0; wl < 2; wl++)
      for (int fam = 0; fam < 5; fam++)
        for (size_t k = 0; k < 3; k++) {
          if (!test_keep(idx++, 4)) continue;
          conv_case c = conv_default();
          c.layout = layouts[l];
          c.wl = wl ? SK_WEIGHTS_OHWI : SK_WEIGHTS_OIHW;
          c.wl_fixed = 1;
          set_family(&c, fam);
          c.kh = ks[k][0];
          c.kw = ks[k][1];
          c.pt = c.pb = c.kh / 2;
          c.pl = c.pr = c.kw / 2;
          c.h = 5;
          c.w = 7;
          conv_check(&s, c);
        }
  sweep_end(&s);
}

/* stride, dilation and groups given as 0 mean 1. */
static void conv_defaults(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_defaults");
  for (int l = 0; l < 2; l++)
    for (int fam = 0; fam < 5; fam++) {
      conv_case c = conv_default();
      c.layout = layouts[l];
      set_family(&c, fam);
      if (fam == 0 || fam == 1) c.groups = 0;
      c.sh = c.sw = c.dh = c.dw = 0;
      c.pt = c.pl = 1;
      conv_check(&s, c);
    }
  sweep_end(&s);
}

/* NaN inputs give NaN exactly where they are in the receptive field, also
 * through the activations ("NaN outputs stay NaN"). */
static void conv_nan_propagation(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_nan");
  const sk_activation acts[] = {SK_ACT_NONE, SK_ACT_RELU, SK_ACT_RELU6, SK_ACT_CLAMP};
  for (int l = 0; l < 2; l++)
    for (int fam = 0; fam < 5; fam++)
      for (int a = 0; a < 4; a++) {
        conv_case c = conv_default();
        c.layout = layouts[l];
        set_family(&c, fam);
        c.act = acts[a];
        c.h = 9;
        c.w = 10;
        c.nan_inputs = 2;
        conv_check(&s, c);
      }
  sweep_end(&s);
}

/* Random combinations of everything (fixed seed), bounded in cost. */
static void conv_random(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "conv_random");
  test_rng r;
  rng_seed(&r, 20240601);
  const size_t n = test_quick() ? 120 : 1000;
  for (size_t i = 0; i < n; i++) {
    conv_case c = conv_default();
    c.layout = layouts[rng_range(&r, 0, 1)];
    uint32_t kind = rng_range(&r, 0, 5);
    uint32_t big = rng_range(&r, 0, 9) == 0;
    uint32_t cg_in = rng_range(&r, 1, big ? 70 : 20), cg_out = rng_range(&r, 1, big ? 70 : 20);
    switch (kind) {
      case 0: /* depthwise, multiplier 1..3 */
        c.in_c = c.groups = rng_range(&r, 2, big ? 140 : 40);
        c.out_c = c.in_c * rng_range(&r, 1, 3);
        break;
      case 1: { /* grouped */
        uint32_t g = rng_range(&r, 2, 6);
        c.groups = g;
        c.in_c = g * rng_range(&r, 1, 8);
        c.out_c = g * rng_range(&r, 1, 8);
        break;
      }
      default:
        c.groups = rng_range(&r, 0, 1); /* 0 means 1 */
        c.in_c = cg_in;
        c.out_c = cg_out;
        break;
    }
    if (kind == 5) {
      c.kh = c.kw = 1;
    } else {
      c.kh = rng_range(&r, 1, 7);
      c.kw = rng_range(&r, 1, 7);
    }
    c.sh = rng_range(&r, 0, 3);
    c.sw = rng_range(&r, 0, 3);
    c.dh = rng_range(&r, 0, 3);
    c.dw = rng_range(&r, 0, 3);
    if (rng_range(&r, 0, 4) == 0) {
      c.flags = SK_FLAG_SAME_PADDING;
    } else {
      c.pt = rng_range(&r, 0, 3);
      c.pl = rng_range(&r, 0, 3);
      c.pb = rng_range(&r, 0, 3);
      c.pr = rng_range(&r, 0, 3);
    }
    c.act = (sk_activation)rng_range(&r, 0, 3);
    c.act_min = rng_float(&r, -3.0f, 0.0f);
    c.act_max = c.act_min + rng_float(&r, 0.0f, 4.0f);
    c.bias = (int)rng_range(&r, 0, 1);
    c.batch = rng_range(&r, 1, 3);
    /* an image at least as large as the (padded) dilated kernel */
    uint32_t ext_h = or1(c.dh) * (c.kh - 1) + 1, ext_w = or1(c.dw) * (c.kw - 1) + 1;
    uint32_t min_h = ext_h > c.pt + c.pb ? ext_h - c.pt - c.pb : 1;
    uint32_t min_w = ext_w > c.pl + c.pr ? ext_w - c.pl - c.pr : 1;
    if (c.flags) min_h = min_w = 1;
    c.h = rng_range(&r, min_h, min_h + 12);
    c.w = rng_range(&r, min_w, min_w + 14);
    /* keep each config cheap: shrink the batch, then the image, then channels */
    for (;;) {
      double macs = (double)c.batch * c.h * c.w * c.out_c * (c.in_c / or1(c.groups)) * c.kh * c.kw;
      if (macs <= 1.5e6) break;
      if (c.batch > 1) {
        c.batch = 1;
      } else if (c.h > min_h || c.w > min_w) {
        if (c.h > min_h) c.h--;
        if (c.w > min_w) c.w--;
      } else if (kind != 0 && c.in_c / or1(c.groups) > 1) {
        c.in_c = or1(c.groups) * ((c.in_c / or1(c.groups) + 1) / 2);
      } else if (kind != 0 && c.out_c / or1(c.groups) > 1) {
        c.out_c = or1(c.groups) * ((c.out_c / or1(c.groups) + 1) / 2);
      } else {
        break;
      }
    }
    c.seed = 0;
    conv_check(&s, c);
  }
  sweep_end(&s);
}

/* One op run on several input sizes in turn (SAME pads are recomputed). */
static void conv_reuse_across_sizes(void **state) {
  (void)state;
  const uint32_t sizes[][2] = {{1, 1}, {9, 4}, {3, 17}, {6, 6}, {2, 2}};
  for (int same = 0; same <= 1; same++)
    for (int l = 0; l < 2; l++)
      for (int k = 0; k < TEST_NUM_ISAS; k++) {
        const sk_isa isa = test_isas[k];
        if (!sk_isa_supported(isa)) continue;
        conv_case c = conv_default();
        c.layout = layouts[l];
        c.in_c = 6;
        c.out_c = 10;
        c.sh = 2;
        if (same)
          c.flags = SK_FLAG_SAME_PADDING;
        else
          c.pt = c.pl = c.pb = c.pr = 1;
        ref_conv rp = conv_ref_params(&c);
        const size_t wn = ref_conv_weights_count(&rp);
        float *w = xmalloc(wn * sizeof(float));
        float bias[10];
        test_rng r;
        rng_seed(&r, 77 + (uint64_t)k);
        rng_fill(&r, w, wn, -0.5f, 0.5f);
        rng_fill(&r, bias, 10, -1.0f, 1.0f);
        sk_conv2d_desc d = conv_desc(&c, isa);
        sk_conv2d *op = NULL;
        assert_int_equal(sk_conv2d_create(&d, w, bias, &op), SK_OK);
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
          const uint32_t h = sizes[i][0], wd = sizes[i][1];
          size_t oh, ow;
          assert_true(ref_conv_output_size(&rp, h, wd, &oh, &ow));
          uint32_t gh, gw;
          assert_int_equal(sk_conv2d_output_size(op, h, wd, &gh, &gw), SK_OK);
          assert_int_equal(gh, oh);
          assert_int_equal(gw, ow);
          const size_t in_n = (size_t)h * wd * 6, out_n = oh * ow * 10;
          float *in = xmalloc(in_n * sizeof(float));
          double *want = xmalloc(out_n * sizeof(double)), *bound = xmalloc(out_n * sizeof(double));
          rng_fill(&r, in, in_n, -1.0f, 1.0f);
          ref_conv2d(&rp, 1, h, wd, in, w, bias, want, bound);
          guarded g;
          float *out = guarded_alloc(&g, out_n, i);
          assert_int_equal(sk_conv2d_run(op, 1, h, wd, in, out), SK_OK);
          cmp_report rep;
          if (!compare_tolerance(out, want, bound, out_n, &rep) || !guarded_intact(&g)) {
            print_error("reuse: isa=%s layout=%s same=%d size %ux%u: first mismatch %zu got %g "
                        "want %g\n",
                        sk_isa_name(isa), test_layout_name(c.layout), same, h, wd, rep.first,
                        rep.got, rep.want);
            fail();
          }
          guarded_free(&g);
          free(in);
          free(want);
          free(bound);
        }
        sk_conv2d_destroy(op);
        free(w);
      }
}

/* One op run from several threads at once gives the single-thread result. */
#define CONV_THREADS 4
typedef struct conv_thread_arg {
  const sk_conv2d *op;
  const float *in;
  float *out;
  uint32_t batch, h, w;
  int reps;
  sk_status st;
} conv_thread_arg;

static void *conv_thread_main(void *p) {
  conv_thread_arg *a = p;
  a->st = SK_OK;
  for (int i = 0; i < a->reps && a->st == SK_OK; i++)
    a->st = sk_conv2d_run(a->op, a->batch, a->h, a->w, a->in, a->out);
  return NULL;
}

static void conv_concurrent_runs(void **state) {
  (void)state;
  for (int k = 0; k < TEST_NUM_ISAS; k++) {
    const sk_isa isa = test_isas[k];
    if (!sk_isa_supported(isa)) continue;
    for (int fam = 0; fam < 5; fam++) {
      conv_case c = conv_default();
      c.layout = layouts[fam & 1];
      set_family(&c, fam);
      c.pt = c.pl = c.pb = c.pr = c.kh / 2;
      const uint32_t h = 12, w = 11;
      ref_conv rp = conv_ref_params(&c);
      const size_t wn = ref_conv_weights_count(&rp);
      size_t oh, ow;
      assert_true(ref_conv_output_size(&rp, h, w, &oh, &ow));
      float *wt = xmalloc(wn * sizeof(float));
      test_rng r;
      rng_seed(&r, 5 + (uint64_t)fam);
      rng_fill(&r, wt, wn, -0.3f, 0.3f);
      sk_conv2d_desc d = conv_desc(&c, isa);
      sk_conv2d *op = NULL;
      assert_int_equal(sk_conv2d_create(&d, wt, NULL, &op), SK_OK);
      const size_t in_n = (size_t)h * w * c.in_c, out_n = oh * ow * c.out_c;
      float *in[CONV_THREADS], *out[CONV_THREADS], *solo = xmalloc(out_n * sizeof(float));
      conv_thread_arg args[CONV_THREADS];
      pthread_t th[CONV_THREADS];
      for (int t = 0; t < CONV_THREADS; t++) {
        in[t] = xmalloc(in_n * sizeof(float));
        out[t] = xmalloc(out_n * sizeof(float));
        rng_fill(&r, in[t], in_n, -1.0f, 1.0f);
        args[t] = (conv_thread_arg){op, in[t], out[t], 1, h, w, test_quick() ? 3 : 20, SK_OK};
      }
      for (int t = 0; t < CONV_THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, conv_thread_main, &args[t]), 0);
      for (int t = 0; t < CONV_THREADS; t++) assert_int_equal(pthread_join(th[t], NULL), 0);
      for (int t = 0; t < CONV_THREADS; t++) {
        assert_int_equal(args[t].st, SK_OK);
        assert_int_equal(sk_conv2d_run(op, 1, h, w, in[t], solo), SK_OK);
        if (memcmp(solo, out[t], out_n * sizeof(float)) != 0) {
          print_error("concurrent run differs from a single-thread run: isa=%s family=%d\n",
                      sk_isa_name(isa), fam);
          fail();
        }
        free(in[t]);
        free(out[t]);
      }
      free(solo);
      free(wt);
      sk_conv2d_destroy(op);
    }
  }
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(conv_sweep_channels),
      cmocka_unit_test(conv_sweep_large_channels),
      cmocka_unit_test(conv_sweep_depthwise),
      cmocka_unit_test(conv_sweep_kernel),
      cmocka_unit_test(conv_sweep_stride),
      cmocka_unit_test(conv_sweep_smallk_narrow),
      cmocka_unit_test(conv_sweep_dilation),
      cmocka_unit_test(conv_sweep_pads),
      cmocka_unit_test(conv_sweep_same),
      cmocka_unit_test(conv_sweep_groups),
      cmocka_unit_test(conv_sweep_images),
      cmocka_unit_test(conv_sweep_activation_bias),
      cmocka_unit_test(conv_sweep_weights_layout),
      cmocka_unit_test(conv_defaults),
      cmocka_unit_test(conv_nan_propagation),
      cmocka_unit_test(conv_random),
      cmocka_unit_test(conv_reuse_across_sizes),
      cmocka_unit_test(conv_concurrent_runs),
  };
  /* argv[1]: only tests matching this pattern ("-" for all); argv[2]: skip these */
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("conv", tests, NULL, NULL);
}
