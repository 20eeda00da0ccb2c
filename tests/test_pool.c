/*
 * sk_pool2d_* against the naive reference (tests/ref) over sweeps of shapes,
 * options and ISAs. Max pooling must match bitwise (up to the sign of a
 * zero; NaN in a window gives NaN); average pooling within the sum
 * tolerance. Every config runs on every supported ISA plus SK_ISA_AUTO, into
 * a guarded, misaligned output buffer. SIMDKERN_TEST_QUICK=1 shrinks sweeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "ref/ref.h"
#include "simdkern.h"

typedef struct pool_case {
  sk_pool_kind kind;
  sk_layout layout;
  uint32_t channels;
  uint32_t kh, kw, sh, sw, dh, dw; /* as given to desc: stride 0 = kernel, dilation 0 = 1 */
  uint32_t pt, pl, pb, pr, flags;
  sk_activation act;
  float act_min, act_max;
  uint32_t batch, h, w;
  uint32_t nan_inputs, inf_inputs; /* input elements set to NaN / +-inf */
  uint64_t seed;
} pool_case;

static pool_case pool_default(void) {
  pool_case c;
  memset(&c, 0, sizeof c);
  c.kind = SK_POOL_MAX;
  c.layout = SK_LAYOUT_NHWC;
  c.channels = 3;
  c.kh = c.kw = 2;
  c.act = SK_ACT_NONE;
  c.act_min = -0.5f;
  c.act_max = 0.7f;
  c.batch = 1;
  c.h = 7;
  c.w = 8;
  return c;
}

static void pool_describe(const pool_case *c, char *buf, size_t n) {
  snprintf(buf, n,
           "kind=%s layout=%s channels=%u kernel=%ux%u stride=%ux%u dilation=%ux%u "
           "pads(t,l,b,r)=%u,%u,%u,%u flags=%s%s%s%s act=%s[%g,%g] batch=%u image=%ux%u "
           "nan_inputs=%u inf_inputs=%u seed=%llu",
           c->kind == SK_POOL_MAX ? "max" : "avg", test_layout_name(c->layout), c->channels, c->kh,
           c->kw, c->sh, c->sw, c->dh, c->dw, c->pt, c->pl, c->pb, c->pr,
           (c->flags & SK_FLAG_SAME_PADDING) ? "SAME " : "",
           (c->flags & SK_POOL_CEIL_MODE) ? "CEIL " : "",
           (c->flags & SK_POOL_COUNT_INCLUDE_PAD) ? "COUNT_INCLUDE_PAD " : "",
           (c->flags & SK_POOL_GLOBAL) ? "GLOBAL" : "", test_act_name(c->act), (double)c->act_min,
           (double)c->act_max, c->batch, c->h, c->w, c->nan_inputs, c->inf_inputs,
           (unsigned long long)c->seed);
}

static sk_pool2d_desc pool_desc(const pool_case *c, sk_isa isa) {
  sk_pool2d_desc d;
  memset(&d, 0, sizeof d);
  d.kind = c->kind;
  d.layout = c->layout;
  d.channels = c->channels;
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

static ref_pool pool_ref_params(const pool_case *c) {
  const sk_pool2d_desc d = pool_desc(c, SK_ISA_AUTO);
  return ref_pool_from_desc(&d);
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

static void sweep_end(sweep *s) {
  print_message("[%s] %zu configs, %zu op runs%s\n", s->name, s->configs, s->runs,
                test_quick() ? " (quick)" : "");
  if (s->failures) print_error("[%s] %zu failures\n", s->name, s->failures);
  assert_true(s->configs > 0);
  assert_int_equal(s->failures, 0);
}

#define MAX_PRINTED_FAILURES 10

static void pool_fail(sweep *s, const pool_case *c, sk_isa isa, const char *kernel,
                      const char *what) {
  s->failures++;
  if (s->failures <= MAX_PRINTED_FAILURES) {
    char buf[512];
    pool_describe(c, buf, sizeof buf);
    print_error("[%s] FAIL isa=%s kernel=%s: %s\n  config: %s\n", s->name, sk_isa_name(isa),
                kernel ? kernel : "-", what, buf);
  }
}

/* Is this config one the library must accept (each pad < dilated extent,
 * and an output of at least 1x1)? Sweeps use it to skip impossible shapes. */
static int pool_valid(const pool_case *c) {
  ref_pool r = pool_ref_params(c);
  if (!r.global && !r.same) {
    size_t eh = r.dh * (r.kh - 1) + 1, ew = r.dw * (r.kw - 1) + 1;
    if (r.pt >= eh || r.pb >= eh || r.pl >= ew || r.pr >= ew) return 0;
  }
  size_t oh, ow;
  return ref_pool_output_size(&r, c->h, c->w, &oh, &ow);
}

/* Grows the image until the config is valid; 0 if no image size helps. */
static int pool_grow_until_valid(pool_case *c) {
  for (int i = 0; i < 64; i++) {
    if (pool_valid(c)) return 1;
    c->h++;
    c->w++;
  }
  return 0;
}

static void pool_check(sweep *s, pool_case c) {
  s->configs++;
  if (c.seed == 0) c.seed = s->salt * 1000003u + s->configs;
  test_rng rng;
  rng_seed(&rng, c.seed);
  const ref_pool rp = pool_ref_params(&c);
  size_t oh, ow;
  if (!pool_valid(&c) || !ref_pool_output_size(&rp, c.h, c.w, &oh, &ow)) {
    pool_fail(s, &c, SK_ISA_AUTO, NULL, "test bug: config has no valid output");
    return;
  }
  const size_t in_n = (size_t)c.batch * c.h * c.w * c.channels;
  const size_t out_n = (size_t)c.batch * oh * ow * c.channels;
  float *input = xmalloc(in_n * sizeof(float));
  double *want = xmalloc(out_n * sizeof(double));
  double *bound = xmalloc(out_n * sizeof(double));
  rng_fill(&rng, input, in_n, -1.0f, 1.0f);
  if (c.act != SK_ACT_NONE) /* spread values so RELU6 and CLAMP bite */
    for (size_t i = 0; i < in_n; i++) input[i] *= 8.0f;
  for (uint32_t i = 0; i < c.nan_inputs; i++) input[rng_range(&rng, 0, (uint32_t)in_n - 1)] = NAN;
  for (uint32_t i = 0; i < c.inf_inputs; i++)
    input[rng_range(&rng, 0, (uint32_t)in_n - 1)] = (i & 1) ? -INFINITY : INFINITY;
  ref_pool2d(&rp, c.batch, c.h, c.w, input, want, bound);

  for (int k = 0; k < TEST_NUM_ISAS; k++) {
    const sk_isa isa = test_isas[k];
    if (!sk_isa_supported(isa)) continue;
    s->runs++;
    char what[256];
    sk_pool2d_desc d = pool_desc(&c, isa);
    sk_pool2d *op = NULL;
    sk_status st = sk_pool2d_create(&d, &op);
    if (st != SK_OK || op == NULL) {
      snprintf(what, sizeof what, "create returned %d (%s)", (int)st, sk_status_string(st));
      pool_fail(s, &c, isa, NULL, what);
      continue;
    }
    const char *kname = sk_pool2d_kernel_name(op);
    const char *family = c.kind == SK_POOL_MAX ? "max" : "avg";
    if (!test_kernel_name_prefix_ok(kname, isa)) {
      pool_fail(s, &c, isa, kname, "kernel name does not start with the ISA's name");
    } else if (strstr(kname, family) == NULL) {
      snprintf(what, sizeof what, "kernel name should contain \"%s\"", family);
      pool_fail(s, &c, isa, kname, what);
    }
    uint32_t got_h = 0, got_w = 0;
    st = sk_pool2d_output_size(op, c.h, c.w, &got_h, &got_w);
    if (st != SK_OK || got_h != oh || got_w != ow) {
      snprintf(what, sizeof what, "output_size: status %d, %ux%u, reference %zux%zu", (int)st,
               got_h, got_w, oh, ow);
      pool_fail(s, &c, isa, kname, what);
    }
    /* the input ends exactly at the end of its allocation, so that reads
     * past it are caught by ASan; it starts misaligned by 0..3 floats */
    const size_t in_mis = ((size_t)(c.seed >> 3) + (size_t)k) & 3;
    float *in_base = xmalloc((in_n + in_mis) * sizeof(float));
    float *in_buf = in_base + in_mis;
    memcpy(in_buf, input, in_n * sizeof(float));
    guarded gout;
    float *out = guarded_alloc(&gout, out_n, (size_t)(c.seed >> 5) + (size_t)k * 3);
    st = sk_pool2d_run(op, c.batch, c.h, c.w, in_buf, out);
    if (st != SK_OK) {
      snprintf(what, sizeof what, "run returned %d (%s)", (int)st, sk_status_string(st));
      pool_fail(s, &c, isa, kname, what);
    } else {
      cmp_report rep;
      int ok = c.kind == SK_POOL_MAX ? compare_exact(out, want, out_n, &rep)
                                     : compare_tolerance(out, want, bound, out_n, &rep);
      if (!guarded_intact(&gout)) pool_fail(s, &c, isa, kname, "wrote outside the output buffer");
      if (memcmp(in_buf, input, in_n * sizeof(float)) != 0)
        pool_fail(s, &c, isa, kname, "modified the input buffer");
      if (!ok) {
        snprintf(what, sizeof what,
                 "%zu of %zu outputs wrong; first at index %zu: got %.9g want %.9g (tol %.3g)%s",
                 rep.mismatches, out_n, rep.first, rep.got, rep.want, rep.tol,
                 rep.unwritten ? " [never written]" : "");
        pool_fail(s, &c, isa, kname, what);
      }
    }
    free(in_base);
    guarded_free(&gout);
    sk_pool2d_destroy(op);
  }
  free(input);
  free(want);
  free(bound);
}

static const sk_layout layouts[2] = {SK_LAYOUT_NHWC, SK_LAYOUT_NCHW};
static const sk_pool_kind kinds[2] = {SK_POOL_MAX, SK_POOL_AVG};

/* ------------------------------------------------------------------------ */

static void pool_sweep_channels(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_channels");
  uint32_t chans[40];
  size_t nch = 0;
  for (uint32_t ch = 1; ch <= 33; ch++) chans[nch++] = ch;
  chans[nch++] = 96;
  chans[nch++] = 130;
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int k = 0; k < 2; k++)
      for (size_t i = 0; i < nch; i++)
        for (int geo = 0; geo < 3; geo++) {
          if (!test_keep(idx++, geo == 0 ? 1 : 4)) continue;
          pool_case c = pool_default();
          c.layout = layouts[l];
          c.kind = kinds[k];
          c.channels = chans[i];
          c.h = 6;
          c.w = 7;
          if (geo == 1) {
            c.kh = c.kw = 3;
            c.sh = c.sw = 2;
            c.pt = c.pl = c.pb = c.pr = 1;
            c.flags = SK_POOL_CEIL_MODE | (i & 1 ? SK_POOL_COUNT_INCLUDE_PAD : 0);
          } else if (geo == 2) {
            c.kh = c.kw = 0;
            c.flags = SK_POOL_GLOBAL;
          }
          pool_check(&s, c);
        }
  sweep_end(&s);
}

static void pool_sweep_kernel_stride(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_kernel_stride");
  const uint32_t strides[][2] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {1, 2}, {3, 1}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int k = 0; k < 2; k++)
      for (uint32_t kh = 1; kh <= 4; kh++)
        for (uint32_t kw = 1; kw <= 4; kw++)
          for (size_t st = 0; st < 6; st++)
            for (int ceil = 0; ceil <= 1; ceil++) {
              if (!test_keep(idx++, 9)) continue;
              pool_case c = pool_default();
              c.layout = layouts[l];
              c.kind = kinds[k];
              c.kh = kh;
              c.kw = kw;
              c.sh = strides[st][0];
              c.sw = strides[st][1];
              c.flags = ceil ? SK_POOL_CEIL_MODE : 0;
              c.channels = 3 + (uint32_t)(idx % 6);
              c.h = 9;
              c.w = 11;
              pool_check(&s, c);
            }
  sweep_end(&s);
}

static void pool_sweep_dilation(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_dilation");
  const uint32_t ks[][2] = {{2, 2}, {3, 3}, {2, 3}, {1, 3}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (size_t k = 0; k < 4; k++)
      for (uint32_t dh = 1; dh <= 3; dh++)
        for (uint32_t dw = 1; dw <= 3; dw++)
          for (uint32_t st = 1; st <= 2; st++)
            for (int ceil = 0; ceil <= 1; ceil++) {
              if (!test_keep(idx++, 7)) continue;
              pool_case c = pool_default();
              c.layout = layouts[l];
              c.kh = ks[k][0];
              c.kw = ks[k][1];
              c.dh = dh;
              c.dw = dw;
              c.sh = c.sw = st;
              c.pt = c.pl = 1;
              c.pb = c.pr = c.kh > 1 ? 1 : 0;
              if (c.kh == 1) c.pt = 0;
              c.flags = ceil ? SK_POOL_CEIL_MODE : 0;
              c.channels = 5 + (uint32_t)(idx % 4);
              c.h = 11;
              c.w = 10;
              pool_check(&s, c);
            }
  sweep_end(&s);
}

/* Every combination of pads 0..3 (up to the extent - 1, beyond PyTorch's
 * pad <= kernel/2), with ceil mode and count_include_pad, including
 * dilated max windows that cover no input element. */
static void pool_sweep_pads(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_pads");
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int v = 0; v < 4; v++)
      for (uint32_t p = 0; p < 256; p++) {
        if (!test_keep(idx++, 19)) continue;
        pool_case c = pool_default();
        c.layout = layouts[l];
        c.pt = p & 3;
        c.pl = (p >> 2) & 3;
        c.pb = (p >> 4) & 3;
        c.pr = (p >> 6) & 3;
        c.kh = c.kw = 4;
        c.channels = 2 + (p % 5);
        switch (v) {
          case 0: c.kind = SK_POOL_MAX; c.sh = c.sw = 2; break;
          case 1: c.kind = SK_POOL_AVG; c.sh = c.sw = 3; c.flags = SK_POOL_COUNT_INCLUDE_PAD; break;
          case 2: c.kind = SK_POOL_AVG; c.sh = c.sw = 1; break;
          default: c.kind = SK_POOL_MAX; c.kh = c.kw = 2; c.dh = c.dw = 3; c.sh = c.sw = 1; break;
        }
        if (idx & 1) c.flags |= SK_POOL_CEIL_MODE;
        /* small images, where padded windows dominate; grow if invalid */
        c.h = 1 + (p % 3);
        c.w = 2 + (p % 4);
        assert_true(pool_grow_until_valid(&c));
        pool_check(&s, c);
      }
  sweep_end(&s);
}

/* Average pooling divisors: ceil mode x count_include_pad. */
static void pool_sweep_avg_divisor(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_avg_divisor");
  const uint32_t ks[][2] = {{2, 2}, {3, 3}, {3, 2}};
  const uint32_t imgs[][2] = {{5, 5}, {6, 7}, {8, 8}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int ceil = 0; ceil <= 1; ceil++)
      for (int cip = 0; cip <= 1; cip++)
        for (size_t k = 0; k < 3; k++)
          for (uint32_t st = 1; st <= 3; st++)
            for (uint32_t pad = 0; pad <= 1; pad++)
              for (size_t im = 0; im < 3; im++) {
                if (!test_keep(idx++, 9)) continue;
                pool_case c = pool_default();
                c.kind = SK_POOL_AVG;
                c.layout = layouts[l];
                c.kh = ks[k][0];
                c.kw = ks[k][1];
                c.sh = c.sw = st;
                c.pt = c.pl = c.pb = c.pr = pad;
                c.flags = (ceil ? SK_POOL_CEIL_MODE : 0) | (cip ? SK_POOL_COUNT_INCLUDE_PAD : 0);
                c.h = imgs[im][0];
                c.w = imgs[im][1];
                c.channels = 4 + (uint32_t)(idx % 5);
                pool_check(&s, c);
              }
  sweep_end(&s);
}

static void pool_sweep_same(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_same");
  const uint32_t ks[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {2, 3}};
  const uint32_t imgs[][2] = {{1, 1}, {4, 4}, {5, 7}, {17, 23}};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (size_t k = 0; k < 5; k++)
      for (uint32_t st = 0; st <= 3; st++)
        for (int v = 0; v < 4; v++)
          for (size_t im = 0; im < 4; im++) {
            if (!test_keep(idx++, 9)) continue;
            pool_case c = pool_default();
            c.layout = layouts[l];
            c.flags = SK_FLAG_SAME_PADDING;
            c.kh = ks[k][0];
            c.kw = ks[k][1];
            c.sh = c.sw = st;
            switch (v) {
              case 0: c.kind = SK_POOL_MAX; break;
              case 1: c.kind = SK_POOL_MAX; c.dh = c.dw = 2; c.flags |= SK_POOL_CEIL_MODE; break;
              case 2: c.kind = SK_POOL_AVG; break;
              default: c.kind = SK_POOL_AVG; c.flags |= SK_POOL_COUNT_INCLUDE_PAD; break;
            }
            c.h = imgs[im][0];
            c.w = imgs[im][1];
            pool_check(&s, c);
          }
  sweep_end(&s);
}

static void pool_sweep_global(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_global");
  const uint32_t imgs[][2] = {{1, 1}, {1, 7}, {3, 5}, {7, 7}, {17, 23}};
  const uint32_t chans[] = {1, 5, 8, 17, 33, 130};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int k = 0; k < 2; k++)
      for (size_t im = 0; im < 5; im++)
        for (size_t ch = 0; ch < 6; ch++)
          for (uint32_t b = 1; b <= 3; b += 2) {
            if (!test_keep(idx++, 7)) continue;
            pool_case c = pool_default();
            c.layout = layouts[l];
            c.kind = kinds[k];
            c.kh = c.kw = 0;
            c.flags = SK_POOL_GLOBAL | (idx & 2 ? SK_POOL_COUNT_INCLUDE_PAD : 0);
            c.channels = chans[ch];
            c.h = imgs[im][0];
            c.w = imgs[im][1];
            c.batch = b;
            pool_check(&s, c);
          }
  sweep_end(&s);
}

static void pool_sweep_images(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_images_batch");
  const uint32_t hs[] = {1, 2, 3, 5, 8, 17};
  const uint32_t ws[] = {1, 2, 3, 4, 7, 16, 23};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int k = 0; k < 2; k++)
      for (uint32_t b = 1; b <= 3; b += 2)
        for (size_t hi = 0; hi < 6; hi++)
          for (size_t wi = 0; wi < 7; wi++)
            for (int geo = 0; geo < 2; geo++) {
              if (!test_keep(idx++, 11)) continue;
              pool_case c = pool_default();
              c.layout = layouts[l];
              c.kind = kinds[k];
              c.batch = b;
              c.h = hs[hi];
              c.w = ws[wi];
              c.channels = 6;
              if (geo == 1) {
                c.kh = c.kw = 3;
                c.sh = c.sw = 1;
                c.pt = c.pl = c.pb = c.pr = 1;
              } else {
                c.flags = SK_POOL_CEIL_MODE; /* 2x2 s2 on 1-wide images */
                if (c.h < 2) c.pb = 1;
                if (c.w < 2) c.pr = 1;
              }
              pool_check(&s, c);
            }
  sweep_end(&s);
}

static void pool_sweep_activation(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_activation");
  struct { sk_activation a; float lo, hi; } acts[] = {
      {SK_ACT_NONE, 0, 0},       {SK_ACT_RELU, 0, 0},        {SK_ACT_RELU6, 0, 0},
      {SK_ACT_CLAMP, -0.5f, 0.7f}, {SK_ACT_CLAMP, 0.25f, 0.25f}, {SK_ACT_CLAMP, -7.0f, -1.0f}};
  for (int l = 0; l < 2; l++)
    for (int k = 0; k < 2; k++)
      for (size_t a = 0; a < 6; a++)
        for (int geo = 0; geo < 3; geo++) {
          pool_case c = pool_default();
          c.layout = layouts[l];
          c.kind = kinds[k];
          c.act = acts[a].a;
          c.act_min = acts[a].lo;
          c.act_max = acts[a].hi;
          c.channels = 17;
          c.h = 9;
          c.w = 8;
          if (geo == 0) {
            c.kh = c.kw = 3;
            c.sh = c.sw = 2;
            c.pt = c.pl = c.pb = c.pr = 1;
          } else if (geo == 1) {
            c.kh = c.kw = 0;
            c.flags = SK_POOL_GLOBAL;
            c.batch = 3;
          } else if (c.kind == SK_POOL_MAX) {
            /* windows with no input element: -inf through the activation */
            c.kh = c.kw = 2;
            c.dh = c.dw = 3;
            c.sh = c.sw = 1;
            c.pt = c.pl = 2;
            c.pb = c.pr = 1;
            c.h = c.w = 1;
          } else {
            c.kh = c.kw = 4;
            c.pt = c.pl = c.pb = c.pr = 3;
            c.sh = c.sw = 1;
            c.h = 2;
            c.w = 3;
          }
          pool_check(&s, c);
        }
  sweep_end(&s);
}

/* NaN anywhere in a window gives NaN (max and avg), also through the
 * activations; infinities are exact. */
static void pool_nan_inf_propagation(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_nan_inf");
  const sk_activation acts[] = {SK_ACT_NONE, SK_ACT_RELU, SK_ACT_CLAMP};
  const uint32_t chans[] = {1, 8, 17, 40};
  size_t idx = 0;
  for (int l = 0; l < 2; l++)
    for (int k = 0; k < 2; k++)
      for (int geo = 0; geo < 6; geo++)
        for (size_t ch = 0; ch < 4; ch++)
          for (size_t a = 0; a < 3; a++) {
            if (!test_keep(idx++, 5)) continue;
            pool_case c = pool_default();
            c.layout = layouts[l];
            c.kind = kinds[k];
            c.channels = chans[ch];
            c.act = acts[a];
            c.h = 11;
            c.w = 12;
            c.nan_inputs = 4;
            c.inf_inputs = k == 0 ? 4 : 0;
            switch (geo) {
              case 0: break; /* 2x2 s2 */
              case 1: c.kh = c.kw = 3; c.sh = c.sw = 1; c.pt = c.pl = c.pb = c.pr = 1; break;
              case 2:
                c.kh = c.kw = 3;
                c.sh = c.sw = 2;
                if (c.kind == SK_POOL_MAX) c.dh = c.dw = 2;
                break;
              case 3: c.kh = c.kw = 0; c.flags = SK_POOL_GLOBAL; c.nan_inputs = 1; break;
              case 4: c.kh = c.kw = 3; c.sh = c.sw = 2; c.pt = c.pl = c.pb = c.pr = 1; break;
              default: c.sh = c.sw = 1; break; /* 2x2 s1 */
            }
            pool_check(&s, c);
          }
  sweep_end(&s);
}

/* A NaN at each position of a 3x3 window (first, middle, last, ...) in
 * some channels and not others: SIMD max instructions return one operand
 * when either is NaN, so the position matters. */
static void pool_max_nan_every_position(void **state) {
  (void)state;
  size_t checked = 0;
  for (int l = 0; l < 2; l++)
    for (uint32_t C = 1; C <= 20; C += (test_quick() ? 6 : 1))
      for (uint32_t shift = 0; shift < 9; shift++) {
        const size_t n = 9 * (size_t)C;
        float *in = xmalloc(n * sizeof(float));
        test_rng r;
        rng_seed(&r, C * 16 + shift);
        rng_fill(&r, in, n, -1.0f, 1.0f);
        for (uint32_t ch = 0; ch < C; ch++) {
          if (ch % 3 == 2) continue; /* these channels stay NaN-free */
          uint32_t pos = (ch + shift) % 9;
          size_t i = l ? (size_t)ch * 9 + pos : (size_t)pos * C + ch;
          in[i] = NAN;
        }
        for (int k = 0; k < TEST_NUM_ISAS; k++) {
          const sk_isa isa = test_isas[k];
          if (!sk_isa_supported(isa)) continue;
          for (int global = 0; global <= 1; global++) {
            sk_pool2d_desc d;
            memset(&d, 0, sizeof d);
            d.kind = SK_POOL_MAX;
            d.layout = layouts[l];
            d.channels = C;
            d.kernel_h = d.kernel_w = global ? 0 : 3;
            d.flags = global ? SK_POOL_GLOBAL : 0;
            d.activation = (shift & 1) ? SK_ACT_RELU : SK_ACT_NONE;
            d.isa = isa;
            sk_pool2d *op = NULL;
            assert_int_equal(sk_pool2d_create(&d, &op), SK_OK);
            guarded g;
            float *out = guarded_alloc(&g, C, shift);
            assert_int_equal(sk_pool2d_run(op, 1, 3, 3, in, out), SK_OK);
            assert_true(guarded_intact(&g));
            for (uint32_t ch = 0; ch < C; ch++) {
              float m = -INFINITY;
              for (int p = 0; p < 9; p++) {
                float v = in[l ? (size_t)ch * 9 + (size_t)p : (size_t)p * C + ch];
                if (v > m) m = v;
              }
              if (d.activation == SK_ACT_RELU && m < 0) m = 0;
              int want_nan = ch % 3 != 2;
              if (want_nan ? !isnan(out[ch]) : !(out[ch] == m)) {
                print_error("max pool NaN: isa=%s kernel=%s layout=%s C=%u channel %u NaN at "
                            "window position %u: got %g, want %s\n",
                            sk_isa_name(isa), sk_pool2d_kernel_name(op), test_layout_name(d.layout),
                            C, ch, (ch + shift) % 9, (double)out[ch], want_nan ? "NaN" : "max");
                fail();
              }
            }
            checked++;
            guarded_free(&g);
            sk_pool2d_destroy(op);
          }
        }
        free(in);
      }
  print_message("[pool_max_nan_every_position] %zu op runs\n", checked);
  assert_true(checked > 0);
}

static void pool_random(void **state) {
  (void)state;
  sweep s;
  sweep_begin(&s, "pool_random");
  test_rng r;
  rng_seed(&r, 4242);
  const size_t n = test_quick() ? 120 : 1000;
  for (size_t i = 0; i < n; i++) {
    pool_case c = pool_default();
    c.layout = layouts[rng_range(&r, 0, 1)];
    c.kind = kinds[rng_range(&r, 0, 1)];
    c.channels = rng_range(&r, 0, 9) == 0 ? rng_range(&r, 34, 140) : rng_range(&r, 1, 33);
    c.batch = rng_range(&r, 1, 3);
    uint32_t mode = rng_range(&r, 0, 9);
    if (mode == 0) {
      c.kh = c.kw = 0;
      c.flags = SK_POOL_GLOBAL;
    } else {
      c.kh = rng_range(&r, 1, 5);
      c.kw = rng_range(&r, 1, 5);
      c.sh = rng_range(&r, 0, 3);
      c.sw = rng_range(&r, 0, 3);
      if (c.kind == SK_POOL_MAX) {
        c.dh = rng_range(&r, 0, 3);
        c.dw = rng_range(&r, 0, 3);
      }
      if (mode == 1) {
        c.flags |= SK_FLAG_SAME_PADDING;
      } else {
        uint32_t eh = (c.dh ? c.dh : 1) * (c.kh - 1) + 1, ew = (c.dw ? c.dw : 1) * (c.kw - 1) + 1;
        c.pt = rng_range(&r, 0, eh - 1 < 3 ? eh - 1 : 3);
        c.pb = rng_range(&r, 0, eh - 1 < 3 ? eh - 1 : 3);
        c.pl = rng_range(&r, 0, ew - 1 < 3 ? ew - 1 : 3);
        c.pr = rng_range(&r, 0, ew - 1 < 3 ? ew - 1 : 3);
      }
      if (rng_range(&r, 0, 1)) c.flags |= SK_POOL_CEIL_MODE;
    }
    if (rng_range(&r, 0, 1)) c.flags |= SK_POOL_COUNT_INCLUDE_PAD;
    c.act = (sk_activation)rng_range(&r, 0, 3);
    c.act_min = rng_float(&r, -3.0f, 0.0f);
    c.act_max = c.act_min + rng_float(&r, 0.0f, 4.0f);
    c.h = rng_range(&r, 1, 19);
    c.w = rng_range(&r, 1, 23);
    assert_true(pool_grow_until_valid(&c));
    pool_check(&s, c);
  }
  sweep_end(&s);
}

/* One op run on several input sizes in turn (SAME recomputed each time). */
static void pool_reuse_across_sizes(void **state) {
  (void)state;
  const uint32_t sizes[][2] = {{1, 1}, {9, 4}, {3, 17}, {6, 6}};
  size_t runs = 0;
  for (int v = 0; v < 3; v++)
    for (int l = 0; l < 2; l++)
      for (int k = 0; k < TEST_NUM_ISAS; k++) {
        const sk_isa isa = test_isas[k];
        if (!sk_isa_supported(isa)) continue;
        pool_case c = pool_default();
        c.layout = layouts[l];
        c.channels = 9;
        c.kh = c.kw = 3;
        c.sh = c.sw = 2;
        if (v == 0) {
          c.flags = SK_FLAG_SAME_PADDING;
        } else if (v == 1) {
          c.kind = SK_POOL_AVG;
          c.flags = SK_FLAG_SAME_PADDING;
        } else {
          c.kind = SK_POOL_AVG;
          c.kh = c.kw = 0;
          c.sh = c.sw = 0;
          c.flags = SK_POOL_GLOBAL;
        }
        ref_pool rp = pool_ref_params(&c);
        sk_pool2d_desc d = pool_desc(&c, isa);
        sk_pool2d *op = NULL;
        assert_int_equal(sk_pool2d_create(&d, &op), SK_OK);
        test_rng r;
        rng_seed(&r, 99 + (uint64_t)v);
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
          const uint32_t h = sizes[i][0], w = sizes[i][1];
          size_t oh, ow;
          assert_true(ref_pool_output_size(&rp, h, w, &oh, &ow));
          uint32_t gh, gw;
          assert_int_equal(sk_pool2d_output_size(op, h, w, &gh, &gw), SK_OK);
          assert_int_equal(gh, oh);
          assert_int_equal(gw, ow);
          const size_t in_n = (size_t)h * w * 9, out_n = oh * ow * 9;
          float *in = xmalloc(in_n * sizeof(float));
          double *want = xmalloc(out_n * sizeof(double)), *bound = xmalloc(out_n * sizeof(double));
          rng_fill(&r, in, in_n, -1.0f, 1.0f);
          ref_pool2d(&rp, 1, h, w, in, want, bound);
          guarded g;
          float *out = guarded_alloc(&g, out_n, i);
          assert_int_equal(sk_pool2d_run(op, 1, h, w, in, out), SK_OK);
          cmp_report rep;
          int ok = c.kind == SK_POOL_MAX ? compare_exact(out, want, out_n, &rep)
                                         : compare_tolerance(out, want, bound, out_n, &rep);
          if (!ok || !guarded_intact(&g)) {
            print_error("pool reuse: isa=%s variant=%d size %ux%u: first mismatch %zu got %g "
                        "want %g\n",
                        sk_isa_name(isa), v, h, w, rep.first, rep.got, rep.want);
            fail();
          }
          runs++;
          guarded_free(&g);
          free(in);
          free(want);
          free(bound);
        }
        sk_pool2d_destroy(op);
      }
  assert_true(runs > 0);
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pool_sweep_channels),
      cmocka_unit_test(pool_sweep_kernel_stride),
      cmocka_unit_test(pool_sweep_dilation),
      cmocka_unit_test(pool_sweep_pads),
      cmocka_unit_test(pool_sweep_avg_divisor),
      cmocka_unit_test(pool_sweep_same),
      cmocka_unit_test(pool_sweep_global),
      cmocka_unit_test(pool_sweep_images),
      cmocka_unit_test(pool_sweep_activation),
      cmocka_unit_test(pool_nan_inf_propagation),
      cmocka_unit_test(pool_max_nan_every_position),
      cmocka_unit_test(pool_random),
      cmocka_unit_test(pool_reuse_across_sizes),
  };
  /* argv[1]: only tests matching this pattern ("-" for all); argv[2]: skip these */
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
