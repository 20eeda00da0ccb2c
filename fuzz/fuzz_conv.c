/*
 * Fuzz target: sk_conv2d_* from decoded bytes. Every descriptor, image size and batch goes
 * through create / output_size / run; the status must be one the model (fuzz_common.h) allows,
 * a failed create leaves *op NULL, a failed run leaves the output untouched. Valid ops small
 * enough (FZ_MAX_*) run on every supported ISA and must match the reference (tests/ref) within
 * the sum tolerance; overlapping buffers must be refused.
 * Build: libFuzzer (scripts/fuzz.sh, `make fuzz`) or the plain replay driver (replay_main.c).
 */
#include "fuzz_common.h"
#include "common/rel_ops.h"
#include "common/test_util.h"

typedef struct conv_case {
  sk_conv2d_desc d;
  unsigned mode;
  int with_bias, null_weights;
  uint32_t batch, in_h, in_w;
  const char *stage;
} conv_case;

static conv_case C;

static void fz_describe_case(FILE *f) {
  const sk_conv2d_desc *d = &C.d;
  fprintf(f,
          "  stage: %s\n  conv desc: layout %u weights_layout %u in %u out %u groups %u kernel "
          "%ux%u stride %ux%u dilation %ux%u pads(t,l,b,r) %u,%u,%u,%u flags %#x activation %u "
          "[%g, %g] isa %u; bias %s, weights %s\n  run: batch %u, image %ux%u\n",
          C.stage, (unsigned)d->layout, (unsigned)d->weights_layout, d->in_channels,
          d->out_channels, d->groups, d->kernel_h, d->kernel_w, d->stride_h, d->stride_w,
          d->dilation_h, d->dilation_w, d->pad_top, d->pad_left, d->pad_bottom, d->pad_right,
          d->flags, (unsigned)d->activation, (double)d->act_min, (double)d->act_max,
          (unsigned)d->isa, C.with_bias ? "given" : "NULL", C.null_weights ? "NULL" : "given",
          C.batch, C.in_h, C.in_w);
}

static uint32_t clamp_u32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static void decode(fz_reader *r) {
  memset(&C, 0, sizeof C);
  sk_conv2d_desc *d = &C.d;
  C.mode = fz_u8(r);
  d->layout = (sk_layout)fz_enum(r, 2);
  d->weights_layout = (sk_weights_layout)fz_enum(r, 2);
  d->in_channels = fz_dim(r, 24);
  d->out_channels = fz_dim(r, 24);
  d->groups = fz_dim(r, 4);
  if (C.mode & 1) d->groups = d->in_channels; /* depthwise */
  if (C.mode & 2)                             /* multiplier 1..3 */
    d->out_channels = clamp_u32((uint64_t)d->in_channels * (1 + d->out_channels % 3));
  if ((C.mode & 4) && d->groups > 0) { /* consistent grouped shape */
    d->in_channels = clamp_u32((uint64_t)d->groups * (1 + d->in_channels % 4));
    d->out_channels = clamp_u32((uint64_t)d->groups * (1 + d->out_channels % 4));
  }
  d->kernel_h = fz_dim(r, 7);
  d->kernel_w = fz_dim(r, 7);
  d->stride_h = fz_dim(r, 3);
  d->stride_w = fz_dim(r, 3);
  d->dilation_h = fz_dim(r, 3);
  d->dilation_w = fz_dim(r, 3);
  d->pad_top = fz_dim(r, 3);
  d->pad_left = fz_dim(r, 3);
  d->pad_bottom = fz_dim(r, 3);
  d->pad_right = fz_dim(r, 3);
  d->flags = fz_flags(r, SK_FLAG_SAME_PADDING);
  d->activation = (sk_activation)fz_enum(r, 4);
  d->act_min = fz_float(r);
  d->act_max = fz_float(r);
  d->isa = (sk_isa)fz_enum(r, 4);
  C.with_bias = (C.mode & 8) != 0;
  C.null_weights = (C.mode & 0x30) == 0x30;
  C.batch = fz_dim(r, 3);
  C.in_h = fz_dim(r, 12);
  C.in_w = fz_dim(r, 12);
}

/* Status bits create may return for C; *n_weights: the weights count (0 if it overflows). */
static uint32_t create_model(size_t *n_weights) {
  const sk_conv2d_desc *d = &C.d;
  uint32_t e = 0;
  const uint32_t I = FZ_BIT(SK_ERR_INVALID_ARGUMENT), O = FZ_BIT(SK_ERR_SIZE_OVERFLOW);
  if (C.null_weights) e |= I;
  if ((unsigned)d->layout > 1 || (unsigned)d->weights_layout > 1) e |= I;
  if (!fz_isa_valid((unsigned)d->isa)) e |= I;
  if (d->flags & ~SK_FLAG_SAME_PADDING) e |= I;
  if (!fz_act_valid((unsigned)d->activation, d->act_min, d->act_max)) e |= I;
  if (d->in_channels == 0 || d->out_channels == 0 || d->kernel_h == 0 || d->kernel_w == 0) e |= I;
  const uint32_t g = d->groups ? d->groups : 1;
  if (d->in_channels % g || d->out_channels % g) e |= I;
  if ((d->flags & SK_FLAG_SAME_PADDING) &&
      (d->pad_top | d->pad_left | d->pad_bottom | d->pad_right))
    e |= I;
  const uint64_t dh = d->dilation_h ? d->dilation_h : 1, dw = d->dilation_w ? d->dilation_w : 1;
  if (d->kernel_h && dh * (d->kernel_h - 1) + 1 > UINT32_MAX) e |= O;
  if (d->kernel_w && dw * (d->kernel_w - 1) + 1 > UINT32_MAX) e |= O;
  size_t n = 0;
  int fits = !__builtin_mul_overflow((size_t)d->out_channels, (size_t)(d->in_channels / g), &n) &&
             !__builtin_mul_overflow(n, (size_t)d->kernel_h, &n) &&
             !__builtin_mul_overflow(n, (size_t)d->kernel_w, &n) && n <= SIZE_MAX / sizeof(float);
  if (!fits) {
    e |= O;
    n = 0;
  }
  if (fz_isa_valid((unsigned)d->isa) && d->isa != SK_ISA_AUTO && !sk_isa_supported(d->isa))
    e |= FZ_BIT(SK_ERR_UNSUPPORTED);
  *n_weights = n;
  return e;
}

/* Status bits output_size (and run) may return for the image size; *oh, *ow when 0. */
static uint32_t run_model(uint64_t *oh, uint64_t *ow) {
  const sk_conv2d_desc *d = &C.d;
  const int same = (d->flags & SK_FLAG_SAME_PADDING) != 0;
  const uint64_t sh = d->stride_h ? d->stride_h : 1, sw = d->stride_w ? d->stride_w : 1;
  const uint64_t dh = d->dilation_h ? d->dilation_h : 1, dw = d->dilation_w ? d->dilation_w : 1;
  uint32_t e = fz_dim_model(C.in_h, d->kernel_h, sh, dh, d->pad_top, d->pad_bottom, same, 0, oh);
  e |= fz_dim_model(C.in_w, d->kernel_w, sw, dw, d->pad_left, d->pad_right, same, 0, ow);
  return e;
}

static fz_stats S;

void sk_fuzz_stats(char *buf, size_t n) { fz_stats_format(&S, buf, n); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader rd = {data, size, 0};
  decode(&rd);
  S.inputs++;
  char b1[128], b2[128];

  /* ---- create ---- */
  C.stage = "create";
  size_t nw;
  const uint32_t ce = create_model(&nw);
  if (ce == 0 && nw > FZ_MAX_WEIGHTS) { /* valid but too big to afford here */
    S.too_big++;
    return 0;
  }
  const size_t wbuf = nw == 0 ? 1 : nw > FZ_MAX_WEIGHTS ? FZ_MAX_WEIGHTS : nw;
  const size_t bbuf = C.d.out_channels == 0               ? 1
                      : C.d.out_channels > FZ_MAX_WEIGHTS ? FZ_MAX_WEIGHTS
                                                          : C.d.out_channels;
  float *w = (float *)malloc(wbuf * sizeof(float)), *bias = (float *)malloc(bbuf * sizeof(float));
  if (w == NULL || bias == NULL) abort();
  fz_fill(&rd, w, wbuf, 0.5f);
  fz_fill(&rd, bias, bbuf, 0.5f);
  sk_conv2d *op = (sk_conv2d *)&op;
  sk_status st = sk_conv2d_create(&C.d, C.null_weights ? NULL : w, C.with_bias ? bias : NULL, &op);
  FZ_CHECK(ce == 0 ? st == SK_OK : (ce & FZ_BIT(st)) != 0 && st != SK_OK,
           "create returned %d (%s), the model allows: %s", (int)st, sk_status_string(st),
           fz_status_list(ce, b1, sizeof b1));
  if (st != SK_OK) {
    S.create_failed++;
    FZ_CHECK(op == NULL, "failed create left *op non-NULL");
    if (ce != FZ_BIT(SK_ERR_UNSUPPORTED)) {
      free(w);
      free(bias);
      return 0;
    }
    /* only the ISA is missing here: go on with the best one, so that every machine runs
     * the rest of the case */
    C.d.isa = SK_ISA_AUTO;
    st = sk_conv2d_create(&C.d, C.null_weights ? NULL : w, C.with_bias ? bias : NULL, &op);
    FZ_CHECK(st == SK_OK, "create with SK_ISA_AUTO returned %s", sk_status_string(st));
  }
  FZ_CHECK(sk_conv2d_kernel_name(op)[0] != '\0', "empty kernel name");

  /* ---- output_size ---- */
  C.stage = "output_size";
  uint64_t oh, ow;
  size_t in_n = 0, out_n = 0;
  const uint32_t de = run_model(&oh, &ow);
  uint32_t got_h = 77, got_w = 77;
  st = sk_conv2d_output_size(op, C.in_h, C.in_w, &got_h, &got_w);
  FZ_CHECK(de == 0 ? st == SK_OK && got_h == oh && got_w == ow : (de & FZ_BIT(st)) && st != SK_OK,
           "output_size returned %d (%s) %ux%u; the model: %s %llux%llu", (int)st,
           sk_status_string(st), got_h, got_w, fz_status_list(de, b1, sizeof b1),
           (unsigned long long)oh, (unsigned long long)ow);

  /* ---- run ---- */
  C.stage = "run";
  uint32_t re = de | (C.batch == 0 ? FZ_BIT(SK_ERR_INVALID_ARGUMENT) : 0);
  if (de == 0)
    re |= fz_buffers_model(C.batch, C.in_h, C.in_w, C.d.in_channels, oh, ow, C.d.out_channels,
                           &in_n, &out_n);
  if (re != 0) {
    S.run_failed++;
    /* must fail without touching anything: tiny buffers are enough */
    float in_small[8] = {0}, out_small[8];
    for (int i = 0; i < 8; i++) out_small[i] = FZ_SENTINEL;
    st = sk_conv2d_run(op, C.batch, C.in_h, C.in_w, in_small, out_small);
    FZ_CHECK((re & FZ_BIT(st)) && st != SK_OK, "run returned %d (%s), the model allows: %s",
             (int)st, sk_status_string(st), fz_status_list(re, b2, sizeof b2));
    for (int i = 0; i < 8; i++) FZ_CHECK(out_small[i] == FZ_SENTINEL, "failed run wrote output");
  } else if (in_n <= FZ_MAX_ELEMS && out_n <= FZ_MAX_ELEMS && out_n > 0 &&
             (double)out_n * (double)C.d.kernel_h * C.d.kernel_w *
                     (C.d.in_channels / (C.d.groups ? C.d.groups : 1)) <=
                 FZ_MAX_MACS) {
    float *in = (float *)malloc(in_n * sizeof(float)),
          *out = (float *)malloc(out_n * sizeof(float));
    double *want = (double *)malloc(out_n * sizeof(double));
    double *bound = (double *)malloc(out_n * sizeof(double));
    if (!in || !out || !want || !bound) abort();
    S.compared++;
    fz_fill(&rd, in, in_n, 1.0f);
    rop ro;
    memset(&ro, 0, sizeof ro);
    ro.is_conv = 1;
    ro.cd = C.d;
    rop_reference(&ro, C.batch, C.in_h, C.in_w, in, w, C.with_bias ? bias : NULL, want, bound);
    /* the op as created, then the same desc on every supported ISA */
    sk_isa isas[3];
    const size_t nisa = fz_isas(isas);
    for (size_t k = 0; k <= nisa; k++) {
      sk_conv2d *o = op;
      if (k > 0) {
        sk_conv2d_desc d = C.d;
        d.isa = isas[k - 1];
        st = sk_conv2d_create(&d, w, C.with_bias ? bias : NULL, &o);
        FZ_CHECK(st == SK_OK, "create on isa %s failed: %s", sk_isa_name(isas[k - 1]),
                 sk_status_string(st));
      }
      for (size_t i = 0; i < out_n; i++) out[i] = FZ_SENTINEL;
      st = sk_conv2d_run(o, C.batch, C.in_h, C.in_w, in, out);
      FZ_CHECK(st == SK_OK, "run (kernel %s) returned %s", sk_conv2d_kernel_name(o),
               sk_status_string(st));
      cmp_report rep;
      FZ_CHECK(compare_tolerance(out, want, bound, out_n, &rep),
               "kernel %s: %zu of %zu outputs wrong, first [%zu] = %.9g, want %.9g (tol %.3g)",
               sk_conv2d_kernel_name(o), rep.mismatches, out_n, rep.first, rep.got, rep.want,
               rep.tol);
      if (k > 0) sk_conv2d_destroy(o);
    }
    /* overlapping input and output: refused, nothing written */
    float *copy = (float *)malloc(in_n * sizeof(float));
    if (!copy) abort();
    memcpy(copy, in, in_n * sizeof(float));
    st = sk_conv2d_run(op, C.batch, C.in_h, C.in_w, in, in + (in_n > 1 ? 1 : 0));
    FZ_CHECK(st == SK_ERR_INVALID_ARGUMENT, "overlapping run returned %s", sk_status_string(st));
    FZ_CHECK(memcmp(copy, in, in_n * sizeof(float)) == 0,
             "a refused overlapping run modified the input");
    free(copy);
    free(in);
    free(out);
    free(want);
    free(bound);
  } else {
    S.too_big++;
  }
  sk_conv2d_destroy(op);
  free(w);
  free(bias);
  return 0;
}
