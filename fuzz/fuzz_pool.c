/*
 * Fuzz target: sk_pool2d_* from decoded bytes, as fuzz_conv.c: statuses within the model's
 * set (fuzz_common.h), failed creates leave *op NULL, failed runs leave the output untouched,
 * valid small ops on every supported ISA match the reference (max pooling exactly, average
 * pooling within the sum tolerance), overlapping buffers are refused.
 */
#include "fuzz_common.h"
#include "common/rel_ops.h"
#include "common/test_util.h"

#define POOL_FLAGS \
  (SK_FLAG_SAME_PADDING | SK_POOL_CEIL_MODE | SK_POOL_COUNT_INCLUDE_PAD | SK_POOL_GLOBAL)

typedef struct pool_case {
  sk_pool2d_desc d;
  uint32_t batch, in_h, in_w;
  const char *stage;
} pool_case;

static pool_case C;

static void fz_describe_case(FILE *f) {
  const sk_pool2d_desc *d = &C.d;
  fprintf(f,
          "  stage: %s\n  pool desc: kind %u layout %u channels %u kernel %ux%u stride %ux%u "
          "dilation %ux%u pads(t,l,b,r) %u,%u,%u,%u flags %#x activation %u [%g, %g] isa %u\n"
          "  run: batch %u, image %ux%u\n",
          C.stage, (unsigned)d->kind, (unsigned)d->layout, d->channels, d->kernel_h, d->kernel_w,
          d->stride_h, d->stride_w, d->dilation_h, d->dilation_w, d->pad_top, d->pad_left,
          d->pad_bottom, d->pad_right, d->flags, (unsigned)d->activation, (double)d->act_min,
          (double)d->act_max, (unsigned)d->isa, C.batch, C.in_h, C.in_w);
}

static void decode(fz_reader *r) {
  memset(&C, 0, sizeof C);
  sk_pool2d_desc *d = &C.d;
  const unsigned mode = fz_u8(r);
  d->kind = (sk_pool_kind)fz_enum(r, 2);
  d->layout = (sk_layout)fz_enum(r, 2);
  d->channels = fz_dim(r, 140);
  d->kernel_h = fz_dim(r, 5);
  d->kernel_w = fz_dim(r, 5);
  d->stride_h = fz_dim(r, 3);
  d->stride_w = fz_dim(r, 3);
  d->dilation_h = fz_dim(r, 3);
  d->dilation_w = fz_dim(r, 3);
  d->pad_top = fz_dim(r, 3);
  d->pad_left = fz_dim(r, 3);
  d->pad_bottom = fz_dim(r, 3);
  d->pad_right = fz_dim(r, 3);
  d->flags = fz_flags(r, POOL_FLAGS);
  d->activation = (sk_activation)fz_enum(r, 4);
  d->act_min = fz_float(r);
  d->act_max = fz_float(r);
  d->isa = (sk_isa)fz_enum(r, 4);
  if (mode & 1) { /* a consistent global pool */
    d->flags = (d->flags & (SK_POOL_COUNT_INCLUDE_PAD)) | SK_POOL_GLOBAL;
    d->kernel_h = d->kernel_w = d->stride_h = d->stride_w = 0;
    d->pad_top = d->pad_left = d->pad_bottom = d->pad_right = 0;
    d->dilation_h = d->dilation_w = mode & 2 ? 1 : 0;
  }
  if (mode & 4) { /* pads within half the window: every window sees input */
    d->pad_top = d->kernel_h ? d->pad_top % (d->kernel_h / 2 + 1) : 0;
    d->pad_bottom = d->kernel_h ? d->pad_bottom % (d->kernel_h / 2 + 1) : 0;
    d->pad_left = d->kernel_w ? d->pad_left % (d->kernel_w / 2 + 1) : 0;
    d->pad_right = d->kernel_w ? d->pad_right % (d->kernel_w / 2 + 1) : 0;
  }
  C.batch = fz_dim(r, 3);
  C.in_h = fz_dim(r, 12);
  C.in_w = fz_dim(r, 12);
}

static uint32_t create_model(void) {
  const sk_pool2d_desc *d = &C.d;
  const uint32_t I = FZ_BIT(SK_ERR_INVALID_ARGUMENT), O = FZ_BIT(SK_ERR_SIZE_OVERFLOW);
  uint32_t e = 0;
  if ((unsigned)d->kind > SK_POOL_AVG || (unsigned)d->layout > 1) e |= I;
  if (!fz_isa_valid((unsigned)d->isa)) e |= I;
  if (d->flags & ~(uint32_t)POOL_FLAGS) e |= I;
  if (!fz_act_valid((unsigned)d->activation, d->act_min, d->act_max)) e |= I;
  if (d->channels == 0) e |= I;
  if (d->flags & SK_POOL_GLOBAL) {
    if (d->kernel_h | d->kernel_w | d->stride_h | d->stride_w | d->pad_top | d->pad_left |
        d->pad_bottom | d->pad_right)
      e |= I;
    if (d->dilation_h > 1 || d->dilation_w > 1) e |= I;
    if (d->flags & (SK_FLAG_SAME_PADDING | SK_POOL_CEIL_MODE)) e |= I;
  } else {
    if (d->kernel_h == 0 || d->kernel_w == 0) e |= I;
    if (d->kind == SK_POOL_AVG && (d->dilation_h > 1 || d->dilation_w > 1)) e |= I;
    if ((d->flags & SK_FLAG_SAME_PADDING) &&
        (d->pad_top | d->pad_left | d->pad_bottom | d->pad_right))
      e |= I;
    const uint64_t dh = d->dilation_h ? d->dilation_h : 1, dw = d->dilation_w ? d->dilation_w : 1;
    const uint64_t eh = d->kernel_h ? dh * (d->kernel_h - 1) + 1 : 1;
    const uint64_t ew = d->kernel_w ? dw * (d->kernel_w - 1) + 1 : 1;
    if (eh > UINT32_MAX || ew > UINT32_MAX) e |= O;
    if (d->pad_top >= eh || d->pad_bottom >= eh || d->pad_left >= ew || d->pad_right >= ew) e |= I;
  }
  if (fz_isa_valid((unsigned)d->isa) && d->isa != SK_ISA_AUTO && !sk_isa_supported(d->isa))
    e |= FZ_BIT(SK_ERR_UNSUPPORTED);
  return e;
}

static uint32_t dims_model(uint64_t *oh, uint64_t *ow) {
  const sk_pool2d_desc *d = &C.d;
  if (d->flags & SK_POOL_GLOBAL) {
    *oh = *ow = 1;
    return C.in_h == 0 || C.in_w == 0 ? FZ_BIT(SK_ERR_INVALID_ARGUMENT) : 0;
  }
  const int same = (d->flags & SK_FLAG_SAME_PADDING) != 0;
  const int ceil_mode = (d->flags & SK_POOL_CEIL_MODE) != 0;
  const uint64_t sh = d->stride_h ? d->stride_h : d->kernel_h;
  const uint64_t sw = d->stride_w ? d->stride_w : d->kernel_w;
  const uint64_t dh = d->dilation_h ? d->dilation_h : 1, dw = d->dilation_w ? d->dilation_w : 1;
  uint32_t e =
      fz_dim_model(C.in_h, d->kernel_h, sh, dh, d->pad_top, d->pad_bottom, same, ceil_mode, oh);
  e |= fz_dim_model(C.in_w, d->kernel_w, sw, dw, d->pad_left, d->pad_right, same, ceil_mode, ow);
  return e;
}

static fz_stats S;

void sk_fuzz_stats(char *buf, size_t n) { fz_stats_format(&S, buf, n); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader rd = {data, size, 0};
  decode(&rd);
  S.inputs++;
  char b1[128];

  C.stage = "create";
  const uint32_t ce = create_model();
  sk_pool2d *op = (sk_pool2d *)&op;
  sk_status st = sk_pool2d_create(&C.d, &op);
  FZ_CHECK(ce == 0 ? st == SK_OK : (ce & FZ_BIT(st)) != 0 && st != SK_OK,
           "create returned %d (%s), the model allows: %s", (int)st, sk_status_string(st),
           fz_status_list(ce, b1, sizeof b1));
  if (st != SK_OK) {
    S.create_failed++;
    FZ_CHECK(op == NULL, "failed create left *op non-NULL");
    if (ce != FZ_BIT(SK_ERR_UNSUPPORTED)) return 0;
    /* only the ISA is missing here: go on with the best one */
    C.d.isa = SK_ISA_AUTO;
    st = sk_pool2d_create(&C.d, &op);
    FZ_CHECK(st == SK_OK, "create with SK_ISA_AUTO returned %s", sk_status_string(st));
  }
  FZ_CHECK(sk_pool2d_kernel_name(op)[0] != '\0', "empty kernel name");

  C.stage = "output_size";
  uint64_t oh, ow;
  const uint32_t de = dims_model(&oh, &ow);
  uint32_t got_h = 77, got_w = 77;
  st = sk_pool2d_output_size(op, C.in_h, C.in_w, &got_h, &got_w);
  FZ_CHECK(de == 0 ? st == SK_OK && got_h == oh && got_w == ow : (de & FZ_BIT(st)) && st != SK_OK,
           "output_size returned %d (%s) %ux%u; the model: %s %llux%llu", (int)st,
           sk_status_string(st), got_h, got_w, fz_status_list(de, b1, sizeof b1),
           (unsigned long long)oh, (unsigned long long)ow);

  C.stage = "run";
  size_t in_n = 0, out_n = 0;
  uint32_t re = de | (C.batch == 0 ? FZ_BIT(SK_ERR_INVALID_ARGUMENT) : 0);
  if (de == 0)
    re |= fz_buffers_model(C.batch, C.in_h, C.in_w, C.d.channels, oh, ow, C.d.channels, &in_n,
                           &out_n);
  const uint64_t taps = (C.d.flags & SK_POOL_GLOBAL) ? (uint64_t)C.in_h * C.in_w
                                                     : (uint64_t)C.d.kernel_h * C.d.kernel_w;
  if (re != 0) {
    S.run_failed++;
    float in_small[8] = {0}, out_small[8];
    for (int i = 0; i < 8; i++) out_small[i] = FZ_SENTINEL;
    st = sk_pool2d_run(op, C.batch, C.in_h, C.in_w, in_small, out_small);
    FZ_CHECK((re & FZ_BIT(st)) && st != SK_OK, "run returned %d (%s), the model allows: %s",
             (int)st, sk_status_string(st), fz_status_list(re, b1, sizeof b1));
    for (int i = 0; i < 8; i++) FZ_CHECK(out_small[i] == FZ_SENTINEL, "failed run wrote output");
  } else if (in_n <= FZ_MAX_ELEMS && out_n <= FZ_MAX_ELEMS && out_n > 0 &&
             (double)out_n * (double)taps <= FZ_MAX_MACS) {
    float *in = (float *)malloc(in_n * sizeof(float)),
          *out = (float *)malloc(out_n * sizeof(float));
    double *want = (double *)malloc(out_n * sizeof(double));
    double *bound = (double *)malloc(out_n * sizeof(double));
    float *copy = (float *)malloc(in_n * sizeof(float));
    if (!in || !out || !want || !bound || !copy) abort();
    S.compared++;
    fz_fill(&rd, in, in_n, 4.0f);
    rop ro;
    memset(&ro, 0, sizeof ro);
    ro.is_conv = 0;
    ro.pd = C.d;
    rop_reference(&ro, C.batch, C.in_h, C.in_w, in, NULL, NULL, want, bound);
    sk_isa isas[3];
    const size_t nisa = fz_isas(isas);
    for (size_t k = 0; k <= nisa; k++) {
      sk_pool2d *o = op;
      if (k > 0) {
        sk_pool2d_desc d = C.d;
        d.isa = isas[k - 1];
        st = sk_pool2d_create(&d, &o);
        FZ_CHECK(st == SK_OK, "create on isa %s failed: %s", sk_isa_name(isas[k - 1]),
                 sk_status_string(st));
      }
      for (size_t i = 0; i < out_n; i++) out[i] = FZ_SENTINEL;
      st = sk_pool2d_run(o, C.batch, C.in_h, C.in_w, in, out);
      FZ_CHECK(st == SK_OK, "run (kernel %s) returned %s", sk_pool2d_kernel_name(o),
               sk_status_string(st));
      cmp_report rep;
      const int ok = C.d.kind == SK_POOL_MAX ? compare_exact(out, want, out_n, &rep)
                                             : compare_tolerance(out, want, bound, out_n, &rep);
      FZ_CHECK(ok, "kernel %s: %zu of %zu outputs wrong, first [%zu] = %.9g, want %.9g (tol %.3g)",
               sk_pool2d_kernel_name(o), rep.mismatches, out_n, rep.first, rep.got, rep.want,
               rep.tol);
      if (k > 0) sk_pool2d_destroy(o);
    }
    memcpy(copy, in, in_n * sizeof(float));
    st = sk_pool2d_run(op, C.batch, C.in_h, C.in_w, in, in + (in_n > 1 ? 1 : 0));
    FZ_CHECK(st == SK_ERR_INVALID_ARGUMENT, "overlapping run returned %s", sk_status_string(st));
    FZ_CHECK(memcmp(copy, in, in_n * sizeof(float)) == 0,
             "a refused overlapping run modified the input");
    free(in);
    free(out);
    free(want);
    free(bound);
    free(copy);
  } else {
    S.too_big++;
  }
  sk_pool2d_destroy(op);
  return 0;
}
