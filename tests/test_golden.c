/*
 * PyTorch golden cases (tests/golden/cases, written by make_golden.py): each
 * case runs through the API in both layouts (NHWC by transposing input and
 * expected output here), both weight layouts, on every supported ISA, and
 * is compared with PyTorch's output: within |got - want| <= 1e-5*sum|w*x| +
 * 1e-6 (the bound computed by tests/ref), max pooling exactly. The naive
 * reference itself is also checked against PyTorch on every case.
 *
 * Usage: test_golden [cases-dir]   (default: SK_GOLDEN_DIR from CMake)
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

#ifndef SK_GOLDEN_DIR
#define SK_GOLDEN_DIR "golden/cases"
#endif

typedef struct golden {
  char name[128], op[16], act[16];
  uint32_t in_c, out_c, groups, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  uint32_t same, ceil, cip, global, has_bias;
  float act_min, act_max;
  uint32_t batch, in_h, in_w, out_h, out_w;
  float *input, *weights, *bias, *output;
  size_t n_input, n_weights, n_bias, n_output;
} golden;

static int read_u32(FILE *f, uint32_t *v) { return fscanf(f, "%u", v) == 1; }

static int read_float(FILE *f, float *v) {
  char tok[64];
  if (fscanf(f, "%63s", tok) != 1) return 0;
  char *end;
  *v = strtof(tok, &end);
  return *end == '\0';
}

static int read_array(FILE *f, float **data, size_t *n) {
  unsigned long count;
  if (fscanf(f, "%lu", &count) != 1 || count > 10000000ul) return 0;
  *n = count;
  *data = xmalloc(count * sizeof(float));
  for (size_t i = 0; i < count; i++)
    if (!read_float(f, &(*data)[i])) return 0;
  return 1;
}

static int parse_golden(const char *path, golden *g) {
  memset(g, 0, sizeof *g);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    return 0;
  }
  char key[64];
  int ok = 1;
  unsigned version = 0;
  if (fscanf(f, "%63s %u", key, &version) != 2 || strcmp(key, "simdkern-golden") != 0 ||
      version != 1)
    ok = 0;
  while (ok && fscanf(f, "%63s", key) == 1) {
    if (!strcmp(key, "name")) ok = fscanf(f, "%127s", g->name) == 1;
    else if (!strcmp(key, "op")) ok = fscanf(f, "%15s", g->op) == 1;
    else if (!strcmp(key, "act")) ok = fscanf(f, "%15s", g->act) == 1;
    else if (!strcmp(key, "in_c")) ok = read_u32(f, &g->in_c);
    else if (!strcmp(key, "out_c")) ok = read_u32(f, &g->out_c);
    else if (!strcmp(key, "groups")) ok = read_u32(f, &g->groups);
    else if (!strcmp(key, "kernel")) ok = read_u32(f, &g->kh) && read_u32(f, &g->kw);
    else if (!strcmp(key, "stride")) ok = read_u32(f, &g->sh) && read_u32(f, &g->sw);
    else if (!strcmp(key, "dilation")) ok = read_u32(f, &g->dh) && read_u32(f, &g->dw);
    else if (!strcmp(key, "pads"))
      ok = read_u32(f, &g->pt) && read_u32(f, &g->pl) && read_u32(f, &g->pb) && read_u32(f, &g->pr);
    else if (!strcmp(key, "same")) ok = read_u32(f, &g->same);
    else if (!strcmp(key, "ceil")) ok = read_u32(f, &g->ceil);
    else if (!strcmp(key, "count_include_pad")) ok = read_u32(f, &g->cip);
    else if (!strcmp(key, "global")) ok = read_u32(f, &g->global);
    else if (!strcmp(key, "has_bias")) ok = read_u32(f, &g->has_bias);
    else if (!strcmp(key, "act_min")) ok = read_float(f, &g->act_min);
    else if (!strcmp(key, "act_max")) ok = read_float(f, &g->act_max);
    else if (!strcmp(key, "batch")) ok = read_u32(f, &g->batch);
    else if (!strcmp(key, "in_hw")) ok = read_u32(f, &g->in_h) && read_u32(f, &g->in_w);
    else if (!strcmp(key, "out_hw")) ok = read_u32(f, &g->out_h) && read_u32(f, &g->out_w);
    else if (!strcmp(key, "input")) ok = read_array(f, &g->input, &g->n_input);
    else if (!strcmp(key, "weights")) ok = read_array(f, &g->weights, &g->n_weights);
    else if (!strcmp(key, "bias")) ok = read_array(f, &g->bias, &g->n_bias);
    else if (!strcmp(key, "output")) ok = read_array(f, &g->output, &g->n_output);
    else ok = 0;
    if (!ok) fprintf(stderr, "%s: bad or unknown key \"%s\"\n", path, key);
  }
  fclose(f);
  if (!ok) return 0;
  const int conv = !strcmp(g->op, "conv2d");
  if (g->n_input != (size_t)g->batch * g->in_c * g->in_h * g->in_w ||
      g->n_output != (size_t)g->batch * g->out_c * g->out_h * g->out_w ||
      (conv && (g->groups == 0 ||
                g->n_weights != (size_t)g->out_c * (g->in_c / g->groups) * g->kh * g->kw)) ||
      (conv && g->has_bias && g->n_bias != g->out_c)) {
    fprintf(stderr, "%s: inconsistent sizes\n", path);
    return 0;
  }
  return 1;
}

static void free_golden(golden *g) {
  free(g->input);
  free(g->weights);
  free(g->bias);
  free(g->output);
}

static sk_activation parse_act(const char *s) {
  if (!strcmp(s, "relu")) return SK_ACT_RELU;
  if (!strcmp(s, "relu6")) return SK_ACT_RELU6;
  if (!strcmp(s, "clamp")) return SK_ACT_CLAMP;
  return SK_ACT_NONE;
}

/* Compares got with want (both in `layout`), max pooling exactly. */
static int check_output(const golden *g, const char *who, const float *got, const double *want,
                        const double *bound, size_t n, int exact) {
  cmp_report rep;
  int ok = exact ? compare_exact(got, want, n, &rep) : compare_tolerance(got, want, bound, n, &rep);
  if (!ok)
    print_error("golden %s: %s: %zu of %zu outputs wrong; first at %zu: got %.9g want %.9g "
                "(tol %.3g)\n",
                g->name, who, rep.mismatches, n, rep.first, rep.got, rep.want, rep.tol);
  return ok;
}

static void run_golden(void **state) {
  const golden *g = *state;
  const int conv = !strcmp(g->op, "conv2d");
  const int is_max = !strcmp(g->op, "maxpool");
  const size_t out_n = g->n_output, in_n = g->n_input;
  size_t failures = 0, runs = 0;

  /* bounds from the reference (NCHW), and the reference against PyTorch */
  double *ref_out = xmalloc(out_n * sizeof(double)), *bound = xmalloc(out_n * sizeof(double));
  double *want = xmalloc(out_n * sizeof(double)), *want_t = xmalloc(out_n * sizeof(double));
  double *bound_t = xmalloc(out_n * sizeof(double));
  float *in_t = xmalloc(in_n * sizeof(float)), *tmp = xmalloc(out_n * sizeof(float));
  float *w_ohwi = conv ? xmalloc(g->n_weights * sizeof(float)) : NULL;
  size_t oh = 0, ow = 0;
  if (conv) {
    ref_conv r = {SK_LAYOUT_NCHW, SK_WEIGHTS_OIHW, g->in_c, g->out_c, g->groups, g->kh, g->kw,
                  g->sh, g->sw, g->dh, g->dw, g->pt, g->pl, g->pb, g->pr, (int)g->same,
                  parse_act(g->act), g->act_min, g->act_max};
    assert_true(ref_conv_output_size(&r, g->in_h, g->in_w, &oh, &ow));
    ref_conv2d(&r, g->batch, g->in_h, g->in_w, g->input, g->weights,
               g->has_bias ? g->bias : NULL, ref_out, bound);
    oihw_to_ohwi(g->weights, w_ohwi, g->out_c, g->in_c / g->groups, g->kh, g->kw);
  } else {
    ref_pool r = {is_max ? SK_POOL_MAX : SK_POOL_AVG,
                  SK_LAYOUT_NCHW,
                  g->in_c,
                  (int)g->global,
                  g->kh, g->kw, g->sh, g->sw, g->dh, g->dw, g->pt, g->pl, g->pb, g->pr,
                  (int)g->same, (int)g->ceil, (int)g->cip,
                  parse_act(g->act), g->act_min, g->act_max};
    assert_true(ref_pool_output_size(&r, g->in_h, g->in_w, &oh, &ow));
    ref_pool2d(&r, g->batch, g->in_h, g->in_w, g->input, ref_out, bound);
  }
  if (oh != g->out_h || ow != g->out_w) {
    print_error("golden %s: reference output size %zux%zu, PyTorch %ux%u\n", g->name, oh, ow,
                g->out_h, g->out_w);
    fail();
  }
  for (size_t i = 0; i < out_n; i++) want[i] = g->output[i];
  {
    /* the reference against PyTorch, with the same tolerance */
    for (size_t i = 0; i < out_n; i++) tmp[i] = (float)ref_out[i];
    if (!check_output(g, "reference vs PyTorch", tmp, want, bound, out_n, is_max)) failures++;
  }
  /* NHWC versions of input, expected output and bounds */
  nchw_to_nhwc(g->input, in_t, g->batch, g->in_c, g->in_h, g->in_w);
  for (size_t b = 0; b < g->batch; b++)
    for (size_t c = 0; c < g->out_c; c++)
      for (size_t y = 0; y < oh; y++)
        for (size_t x = 0; x < ow; x++) {
          size_t src = ((b * g->out_c + c) * oh + y) * ow + x;
          size_t dst = ((b * oh + y) * ow + x) * g->out_c + c;
          want_t[dst] = want[src];
          bound_t[dst] = bound[src];
        }

  for (int k = 0; k < TEST_NUM_ISAS; k++) {
    const sk_isa isa = test_isas[k];
    if (!sk_isa_supported(isa)) continue;
    for (int l = 0; l < 2; l++) {
      const sk_layout layout = l ? SK_LAYOUT_NHWC : SK_LAYOUT_NCHW;
      const float *in = l ? in_t : g->input;
      const double *w_want = l ? want_t : want, *w_bound = l ? bound_t : bound;
      for (int wl = 0; wl < (conv ? 2 : 1); wl++) {
        char who[128];
        const char *kname = "";
        guarded gout;
        float *out = guarded_alloc(&gout, out_n, (size_t)(k + l + wl));
        sk_status st;
        uint32_t gh = 0, gw = 0;
        sk_conv2d *cop = NULL;
        sk_pool2d *pop = NULL;
        if (conv) {
          sk_conv2d_desc d;
          memset(&d, 0, sizeof d);
          d.layout = layout;
          d.weights_layout = wl ? SK_WEIGHTS_OHWI : SK_WEIGHTS_OIHW;
          d.in_channels = g->in_c;
          d.out_channels = g->out_c;
          d.groups = g->groups;
          d.kernel_h = g->kh;
          d.kernel_w = g->kw;
          d.stride_h = g->sh;
          d.stride_w = g->sw;
          d.dilation_h = g->dh;
          d.dilation_w = g->dw;
          d.pad_top = g->pt;
          d.pad_left = g->pl;
          d.pad_bottom = g->pb;
          d.pad_right = g->pr;
          d.flags = g->same ? SK_FLAG_SAME_PADDING : 0;
          d.activation = parse_act(g->act);
          d.act_min = g->act_min;
          d.act_max = g->act_max;
          d.isa = isa;
          st = sk_conv2d_create(&d, wl ? w_ohwi : g->weights, g->has_bias ? g->bias : NULL, &cop);
          if (st == SK_OK) {
            kname = sk_conv2d_kernel_name(cop);
            if (sk_conv2d_output_size(cop, g->in_h, g->in_w, &gh, &gw) != SK_OK) gh = gw = 0;
            st = sk_conv2d_run(cop, g->batch, g->in_h, g->in_w, in, out);
          }
        } else {
          sk_pool2d_desc d;
          memset(&d, 0, sizeof d);
          d.kind = is_max ? SK_POOL_MAX : SK_POOL_AVG;
          d.layout = layout;
          d.channels = g->in_c;
          d.kernel_h = g->kh;
          d.kernel_w = g->kw;
          d.stride_h = g->sh;
          d.stride_w = g->sw;
          d.dilation_h = g->dh;
          d.dilation_w = g->dw;
          d.pad_top = g->pt;
          d.pad_left = g->pl;
          d.pad_bottom = g->pb;
          d.pad_right = g->pr;
          d.flags = (g->same ? SK_FLAG_SAME_PADDING : 0) | (g->ceil ? SK_POOL_CEIL_MODE : 0) |
                    (g->cip ? SK_POOL_COUNT_INCLUDE_PAD : 0) | (g->global ? SK_POOL_GLOBAL : 0);
          d.activation = parse_act(g->act);
          d.act_min = g->act_min;
          d.act_max = g->act_max;
          d.isa = isa;
          st = sk_pool2d_create(&d, &pop);
          if (st == SK_OK) {
            kname = sk_pool2d_kernel_name(pop);
            if (sk_pool2d_output_size(pop, g->in_h, g->in_w, &gh, &gw) != SK_OK) gh = gw = 0;
            st = sk_pool2d_run(pop, g->batch, g->in_h, g->in_w, in, out);
          }
        }
        snprintf(who, sizeof who, "isa=%s layout=%s%s kernel=%s", sk_isa_name(isa),
                 test_layout_name(layout), conv ? (wl ? " weights=OHWI" : " weights=OIHW") : "",
                 kname);
        runs++;
        if (st != SK_OK) {
          print_error("golden %s: %s: status %d (%s)\n", g->name, who, (int)st,
                      sk_status_string(st));
          failures++;
        } else {
          if (gh != g->out_h || gw != g->out_w) {
            print_error("golden %s: %s: output_size %ux%u, PyTorch %ux%u\n", g->name, who, gh, gw,
                        g->out_h, g->out_w);
            failures++;
          }
          if (!guarded_intact(&gout)) {
            print_error("golden %s: %s: wrote outside the output buffer\n", g->name, who);
            failures++;
          }
          if (!check_output(g, who, out, w_want, w_bound, out_n, is_max)) failures++;
        }
        guarded_free(&gout);
        sk_conv2d_destroy(cop);
        sk_pool2d_destroy(pop);
      }
    }
  }
  free(ref_out);
  free(bound);
  free(want);
  free(want_t);
  free(bound_t);
  free(in_t);
  free(tmp);
  free(w_ohwi);
  assert_true(runs > 0);
  assert_int_equal(failures, 0);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : SK_GOLDEN_DIR;
  char path[4096];
  snprintf(path, sizeof path, "%s/index.txt", dir);
  FILE *idx = fopen(path, "r");
  if (idx == NULL) {
    fprintf(stderr, "test_golden: cannot open %s\n", path);
    return 1;
  }
  size_t cap = 64, n = 0;
  golden *cases = xmalloc(cap * sizeof(golden));
  struct CMUnitTest *tests = xmalloc(cap * sizeof(struct CMUnitTest));
  char file[256];
  int bad = 0;
  while (fscanf(idx, "%255s", file) == 1) {
    if (n == cap) {
      cap *= 2;
      cases = realloc(cases, cap * sizeof(golden));
      tests = realloc(tests, cap * sizeof(struct CMUnitTest));
      if (cases == NULL || tests == NULL) return 1;
    }
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (!parse_golden(path, &cases[n])) {
      bad = 1;
      continue;
    }
    n++;
  }
  fclose(idx);
  if (bad || n == 0) {
    fprintf(stderr, "test_golden: %s\n", n == 0 ? "no cases" : "unreadable cases");
    return 1;
  }
  for (size_t i = 0; i < n; i++) {
    memset(&tests[i], 0, sizeof tests[i]);
    tests[i].name = cases[i].name;
    tests[i].test_func = run_golden;
    tests[i].initial_state = &cases[i];
  }
  int rc = _cmocka_run_group_tests("golden", tests, n, NULL, NULL);
  for (size_t i = 0; i < n; i++) free_golden(&cases[i]);
  free(cases);
  free(tests);
  return rc;
}
