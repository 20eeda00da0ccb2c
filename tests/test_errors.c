/*
 * Every error rule of the API, each in its own test: the status code,
 * *op == NULL after a failed create, and the output buffer byte-for-byte
 * untouched after a failed run. Each test first checks that the unmodified
 * base descriptor succeeds, so a failure is due to the one field changed.
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
#include "simdkern.h"

/* Large enough for every valid op below on an 8x8 input with 8 channels. */
#define BUF_FLOATS 4096
static float weights[BUF_FLOATS], bias[64];

/* 3x3 conv 8 -> 8, pads 1, NHWC. */
static sk_conv2d_desc conv_base(void) {
  sk_conv2d_desc d;
  memset(&d, 0, sizeof d);
  d.layout = SK_LAYOUT_NHWC;
  d.weights_layout = SK_WEIGHTS_OIHW;
  d.in_channels = d.out_channels = 8;
  d.groups = 1;
  d.kernel_h = d.kernel_w = 3;
  d.stride_h = d.stride_w = 1;
  d.dilation_h = d.dilation_w = 1;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
  d.activation = SK_ACT_NONE;
  d.act_min = -1.0f;
  d.act_max = 1.0f;
  d.isa = SK_ISA_AUTO;
  return d;
}

/* 3x3 stride 2 max pool, 8 channels, pads 1, NHWC. */
static sk_pool2d_desc pool_base(void) {
  sk_pool2d_desc d;
  memset(&d, 0, sizeof d);
  d.kind = SK_POOL_MAX;
  d.layout = SK_LAYOUT_NHWC;
  d.channels = 8;
  d.kernel_h = d.kernel_w = 3;
  d.stride_h = d.stride_w = 2;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
  d.activation = SK_ACT_NONE;
  d.act_min = -1.0f;
  d.act_max = 1.0f;
  d.isa = SK_ISA_AUTO;
  return d;
}

static int group_setup(void **state) {
  (void)state;
  test_rng r;
  rng_seed(&r, 1);
  rng_fill(&r, weights, BUF_FLOATS, -1.0f, 1.0f);
  rng_fill(&r, bias, 64, -1.0f, 1.0f);
  return 0;
}

static void base_descs_are_valid(void **state) {
  (void)state;
  sk_conv2d_desc cd = conv_base();
  sk_conv2d *c = NULL;
  assert_int_equal(sk_conv2d_create(&cd, weights, bias, &c), SK_OK);
  assert_non_null(c);
  sk_conv2d_destroy(c);
  sk_pool2d_desc pd = pool_base();
  sk_pool2d *p = NULL;
  assert_int_equal(sk_pool2d_create(&pd, &p), SK_OK);
  assert_non_null(p);
  sk_pool2d_destroy(p);
}

/* create must fail with `want` and set *op to NULL */
static void expect_conv_create(const sk_conv2d_desc *d, const float *w, const float *b,
                               sk_status want, const char *what) {
  sk_conv2d *op = (sk_conv2d *)&op; /* garbage the library must overwrite */
  sk_status st = sk_conv2d_create(d, w, b, &op);
  if (st != want || op != NULL) {
    print_error("conv create (%s): status %d (%s), want %d (%s); op %s\n", what, (int)st,
                sk_status_string(st), (int)want, sk_status_string(want),
                op == NULL ? "NULL" : "not NULL");
    if (st == SK_OK && op != NULL && op != (sk_conv2d *)&op) sk_conv2d_destroy(op);
    fail();
  }
}

static void expect_pool_create(const sk_pool2d_desc *d, sk_status want, const char *what) {
  sk_pool2d *op = (sk_pool2d *)&op;
  sk_status st = sk_pool2d_create(d, &op);
  if (st != want || op != NULL) {
    print_error("pool create (%s): status %d (%s), want %d (%s); op %s\n", what, (int)st,
                sk_status_string(st), (int)want, sk_status_string(want),
                op == NULL ? "NULL" : "not NULL");
    if (st == SK_OK && op != NULL && op != (sk_pool2d *)&op) sk_pool2d_destroy(op);
    fail();
  }
}

/* ---- conv create ---------------------------------------------------------- */

static void conv_create_null_pointers(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  sk_conv2d *op = (sk_conv2d *)&op;
  expect_conv_create(NULL, weights, bias, SK_ERR_INVALID_ARGUMENT, "NULL desc");
  expect_conv_create(&d, NULL, bias, SK_ERR_INVALID_ARGUMENT, "NULL weights");
  assert_int_equal(sk_conv2d_create(&d, weights, bias, NULL), SK_ERR_INVALID_ARGUMENT);
  /* bias NULL is allowed */
  assert_int_equal(sk_conv2d_create(&d, weights, NULL, &op), SK_OK);
  sk_conv2d_destroy(op);
}

static void conv_create_zero_channels(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  d.in_channels = 0;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "in_channels 0");
  d = conv_base();
  d.out_channels = 0;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "out_channels 0");
}

static void conv_create_zero_kernel(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  d.kernel_h = 0;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "kernel_h 0");
  d = conv_base();
  d.kernel_w = 0;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "kernel_w 0");
}

static void conv_create_groups_not_dividing(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  d.groups = 3; /* divides neither 8 */
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "groups 3 of 8/8");
  d = conv_base();
  d.in_channels = 6;
  d.out_channels = 8;
  d.groups = 3; /* divides in, not out */
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "groups 3 of 6/8");
  d = conv_base();
  d.in_channels = 8;
  d.out_channels = 6;
  d.groups = 3; /* divides out, not in */
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "groups 3 of 8/6");
  d = conv_base();
  d.groups = 16; /* more groups than channels */
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "groups 16 of 8/8");
  /* control: 8/4 with 4 groups is fine */
  d = conv_base();
  d.out_channels = 4;
  d.groups = 4;
  sk_conv2d *op = NULL;
  assert_int_equal(sk_conv2d_create(&d, weights, bias, &op), SK_OK);
  sk_conv2d_destroy(op);
}

static void conv_create_unknown_enums(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  d.layout = (sk_layout)2;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "layout 2");
  d = conv_base();
  d.layout = (sk_layout)-1;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "layout -1");
  d = conv_base();
  d.weights_layout = (sk_weights_layout)2;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "weights_layout 2");
  d = conv_base();
  d.activation = (sk_activation)4;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "activation 4");
  d = conv_base();
  d.activation = (sk_activation)1000;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "activation 1000");
  d = conv_base();
  d.isa = (sk_isa)4;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "isa 4");
  d = conv_base();
  d.isa = (sk_isa)77;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "isa 77");
}

static void conv_create_unknown_flags(void **state) {
  (void)state;
  for (unsigned bit = 1; bit < 32; bit++) {
    sk_conv2d_desc d = conv_base();
    d.flags = 1u << bit; /* only SK_FLAG_SAME_PADDING (bit 0) is valid for conv */
    char what[64];
    snprintf(what, sizeof what, "flag bit %u", bit);
    expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, what);
  }
}

static void conv_create_bad_clamp(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  d.activation = SK_ACT_CLAMP;
  d.act_min = 1.0f;
  d.act_max = 0.5f;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "act_min > act_max");
  d.act_min = NAN;
  d.act_max = 1.0f;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "act_min NaN");
  d.act_min = 0.0f;
  d.act_max = NAN;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "act_max NaN");
  d.act_min = NAN;
  d.act_max = NAN;
  expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "both NaN");
  /* control: equal bounds are fine */
  d.act_min = d.act_max = 0.5f;
  sk_conv2d *op = NULL;
  assert_int_equal(sk_conv2d_create(&d, weights, bias, &op), SK_OK);
  sk_conv2d_destroy(op);
}

static void conv_create_same_with_pads(void **state) {
  (void)state;
  for (int side = 0; side < 4; side++) {
    sk_conv2d_desc d = conv_base();
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
    d.flags = SK_FLAG_SAME_PADDING;
    uint32_t *pads[4] = {&d.pad_top, &d.pad_left, &d.pad_bottom, &d.pad_right};
    *pads[side] = 1;
    expect_conv_create(&d, weights, bias, SK_ERR_INVALID_ARGUMENT, "SAME with a pad");
  }
  sk_conv2d_desc d = conv_base();
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  d.flags = SK_FLAG_SAME_PADDING;
  sk_conv2d *op = NULL;
  assert_int_equal(sk_conv2d_create(&d, weights, bias, &op), SK_OK);
  sk_conv2d_destroy(op);
}

static sk_isa find_unsupported_isa(void) {
  if (!sk_isa_supported(SK_ISA_AVX2)) return SK_ISA_AVX2;
  if (!sk_isa_supported(SK_ISA_NEON)) return SK_ISA_NEON;
  return SK_ISA_AUTO;
}

static void conv_create_unsupported_isa(void **state) {
  (void)state;
  sk_isa isa = find_unsupported_isa();
  if (isa == SK_ISA_AUTO) {
    print_message("every ISA is supported here: nothing to force\n");
    skip();
  }
  sk_conv2d_desc d = conv_base();
  d.isa = isa;
  expect_conv_create(&d, weights, bias, SK_ERR_UNSUPPORTED, sk_isa_name(isa));
}

static void conv_create_size_overflow(void **state) {
  (void)state;
  /* out_channels * in_channels * kernel_h * kernel_w floats overflow size_t
   * (2^128): must be caught before the (tiny) weights are read. */
  sk_conv2d_desc d = conv_base();
  d.in_channels = d.out_channels = UINT32_MAX;
  d.kernel_h = d.kernel_w = UINT32_MAX;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  expect_conv_create(&d, weights, bias, SK_ERR_SIZE_OVERFLOW, "weights count overflow");
  /* 1x1 with 2^32-1 x 2^32-1 channels: 2^64 floats (no depthwise or
   * grouped shortcut applies) */
  d = conv_base();
  d.in_channels = d.out_channels = UINT32_MAX;
  d.kernel_h = d.kernel_w = 1;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  expect_conv_create(&d, weights, bias, SK_ERR_SIZE_OVERFLOW, "pointwise weights overflow");
}

/* ---- conv run --------------------------------------------------------------- */

typedef struct conv_fixture {
  sk_conv2d *op;
  float in[8 * 8 * 8 + 16];
  float out[BUF_FLOATS];
  float copy[BUF_FLOATS];
} conv_fixture;

static void conv_fixture_init(conv_fixture *f, const sk_conv2d_desc *d) {
  f->op = NULL;
  assert_int_equal(sk_conv2d_create(d, weights, bias, &f->op), SK_OK);
  for (size_t i = 0; i < sizeof f->in / sizeof f->in[0]; i++) f->in[i] = (float)i * 0.01f;
  for (size_t i = 0; i < BUF_FLOATS; i++) f->out[i] = f->copy[i] = -1234.5f + (float)i;
}

static void assert_untouched(const float *out, const float *copy, size_t n, const char *what) {
  if (memcmp(out, copy, n * sizeof(float)) != 0) {
    print_error("%s: the output buffer was modified by a failed run\n", what);
    fail();
  }
}

static void expect_conv_run(conv_fixture *f, uint32_t batch, uint32_t h, uint32_t w,
                            const float *in, float *out, sk_status want, const char *what) {
  sk_status st = sk_conv2d_run(f->op, batch, h, w, in, out);
  if (st != want) {
    print_error("conv run (%s): status %d (%s), want %d (%s)\n", what, (int)st,
                sk_status_string(st), (int)want, sk_status_string(want));
    fail();
  }
  assert_untouched(f->out, f->copy, BUF_FLOATS, what);
}

static void conv_run_null_pointers(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  conv_fixture *f = xmalloc(sizeof *f);
  conv_fixture_init(f, &d);
  assert_int_equal(sk_conv2d_run(NULL, 1, 8, 8, f->in, f->out), SK_ERR_INVALID_ARGUMENT);
  assert_untouched(f->out, f->copy, BUF_FLOATS, "NULL op");
  expect_conv_run(f, 1, 8, 8, NULL, f->out, SK_ERR_INVALID_ARGUMENT, "NULL input");
  expect_conv_run(f, 1, 8, 8, f->in, NULL, SK_ERR_INVALID_ARGUMENT, "NULL output");
  /* control */
  assert_int_equal(sk_conv2d_run(f->op, 1, 8, 8, f->in, f->out), SK_OK);
  sk_conv2d_destroy(f->op);
  free(f);
}

static void conv_run_zero_sizes(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  conv_fixture *f = xmalloc(sizeof *f);
  conv_fixture_init(f, &d);
  expect_conv_run(f, 0, 8, 8, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "batch 0");
  expect_conv_run(f, 1, 0, 8, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "height 0");
  expect_conv_run(f, 1, 8, 0, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "width 0");
  uint32_t oh = 77, ow = 77;
  assert_int_equal(sk_conv2d_output_size(f->op, 0, 8, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_conv2d_output_size(f->op, 8, 0, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  sk_conv2d_destroy(f->op);
  free(f);
}

static void conv_run_input_smaller_than_kernel(void **state) {
  (void)state;
  /* 3x3 dilation 2: extent 5; unpadded 4x4 and 5x4 are too small */
  sk_conv2d_desc d = conv_base();
  d.dilation_h = d.dilation_w = 2;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  conv_fixture *f = xmalloc(sizeof *f);
  conv_fixture_init(f, &d);
  uint32_t oh = 77, ow = 77;
  assert_int_equal(sk_conv2d_output_size(f->op, 4, 4, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_conv2d_output_size(f->op, 5, 4, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_conv2d_output_size(f->op, 4, 5, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  expect_conv_run(f, 1, 4, 4, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "4x4 < extent 5");
  expect_conv_run(f, 1, 4, 8, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "4x8 < extent 5");
  expect_conv_run(f, 1, 8, 4, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "8x4 < extent 5");
  /* control: exactly the extent gives 1x1 */
  assert_int_equal(sk_conv2d_output_size(f->op, 5, 5, &oh, &ow), SK_OK);
  assert_int_equal(oh, 1);
  assert_int_equal(ow, 1);
  sk_conv2d_destroy(f->op);
  /* padding counts: 3x3 with pad 1 on one side accepts a 2-row input */
  d = conv_base();
  d.pad_top = d.pad_left = 1;
  d.pad_bottom = d.pad_right = 0;
  conv_fixture_init(f, &d);
  assert_int_equal(sk_conv2d_output_size(f->op, 2, 2, &oh, &ow), SK_OK);
  assert_int_equal(oh, 1);
  assert_int_equal(ow, 1);
  expect_conv_run(f, 1, 1, 2, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "1x2 padded 2x3 < 3");
  sk_conv2d_destroy(f->op);
  free(f);
}

/* input and output ranges overlapping in any way are rejected; adjacent
 * ranges are not an overlap */
static void conv_run_overlap(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base(); /* 8x8x8 in, 8x8x8 out */
  sk_conv2d *op = NULL;
  assert_int_equal(sk_conv2d_create(&d, weights, bias, &op), SK_OK);
  const size_t n = 8 * 8 * 8;
  float *buf = xmalloc(4 * n * sizeof(float)), *copy = xmalloc(4 * n * sizeof(float));
  for (size_t i = 0; i < 4 * n; i++) buf[i] = copy[i] = (float)(i % 97) * 0.125f;
  float *in = buf + n;
  const struct { ptrdiff_t off; const char *what; } cases[] = {
      {0, "output == input"},
      {1, "output = input + 1"},
      {(ptrdiff_t)n - 1, "output starts on input's last element"},
      {-1, "output = input - 1"},
      {-(ptrdiff_t)n + 1, "output ends on input's first element"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sk_status st = sk_conv2d_run(op, 1, 8, 8, in, in + cases[i].off);
    if (st != SK_ERR_INVALID_ARGUMENT) {
      print_error("overlap (%s): status %d (%s)\n", cases[i].what, (int)st, sk_status_string(st));
      fail();
    }
    if (memcmp(buf, copy, 4 * n * sizeof(float)) != 0) {
      print_error("overlap (%s): buffer modified by a failed run\n", cases[i].what);
      fail();
    }
  }
  /* adjacent on either side is fine */
  assert_int_equal(sk_conv2d_run(op, 1, 8, 8, in, in + n), SK_OK);
  assert_int_equal(sk_conv2d_run(op, 1, 8, 8, in, in - n), SK_OK);
  sk_conv2d_destroy(op);
  free(buf);
  free(copy);
}

static void conv_run_size_overflow(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  d.kernel_h = d.kernel_w = 1;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  conv_fixture *f = xmalloc(sizeof *f);
  conv_fixture_init(f, &d);
  /* 2^96 * 8 elements: must be rejected without touching the tiny buffers */
  expect_conv_run(f, UINT32_MAX, UINT32_MAX, UINT32_MAX, f->in, f->out, SK_ERR_SIZE_OVERFLOW,
                  "batch*h*w*c past SIZE_MAX");
  /* 2^30 * 2^16 * 2^16 * 8 = 2^65 elements */
  expect_conv_run(f, 1u << 30, 1u << 16, 1u << 16, f->in, f->out, SK_ERR_SIZE_OVERFLOW,
                  "2^65 elements");
  /* 2^28 * 2^16 * 2^16 * 8 = 2^63 elements: 2^65 bytes */
  expect_conv_run(f, 1u << 28, 1u << 16, 1u << 16, f->in, f->out, SK_ERR_SIZE_OVERFLOW,
                  "2^65 bytes");
  sk_conv2d_destroy(f->op);
  free(f);
}

static void conv_pad_overflow(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base(); /* pads 1 */
  conv_fixture *f = xmalloc(sizeof *f);
  conv_fixture_init(f, &d);
  uint32_t oh = 77, ow = 77;
  assert_int_equal(sk_conv2d_output_size(f->op, UINT32_MAX, 8, &oh, &ow), SK_ERR_SIZE_OVERFLOW);
  assert_int_equal(sk_conv2d_output_size(f->op, 8, UINT32_MAX, &oh, &ow), SK_ERR_SIZE_OVERFLOW);
  assert_int_equal(sk_conv2d_output_size(f->op, UINT32_MAX - 1, 8, &oh, &ow),
                   SK_ERR_SIZE_OVERFLOW);
  expect_conv_run(f, 1, UINT32_MAX, 1, f->in, f->out, SK_ERR_SIZE_OVERFLOW, "in_h + pads");
  expect_conv_run(f, 1, 1, UINT32_MAX, f->in, f->out, SK_ERR_SIZE_OVERFLOW, "in_w + pads");
  sk_conv2d_destroy(f->op);
  /* SAME derives pads: 3x3 stride 1 pads 2 in total */
  d = conv_base();
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  d.flags = SK_FLAG_SAME_PADDING;
  conv_fixture_init(f, &d);
  assert_int_equal(sk_conv2d_output_size(f->op, UINT32_MAX, 8, &oh, &ow), SK_ERR_SIZE_OVERFLOW);
  expect_conv_run(f, 1, UINT32_MAX, 1, f->in, f->out, SK_ERR_SIZE_OVERFLOW, "SAME in_h + pads");
  sk_conv2d_destroy(f->op);
  free(f);
}

static void conv_output_size_bad_pointers(void **state) {
  (void)state;
  sk_conv2d_desc d = conv_base();
  sk_conv2d *op = NULL;
  assert_int_equal(sk_conv2d_create(&d, weights, bias, &op), SK_OK);
  uint32_t oh = 0, ow = 0;
  assert_int_equal(sk_conv2d_output_size(NULL, 8, 8, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_conv2d_output_size(op, 8, 8, NULL, &ow), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_conv2d_output_size(op, 8, 8, &oh, NULL), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_conv2d_output_size(op, 8, 8, &oh, &ow), SK_OK);
  assert_int_equal(oh, 8);
  assert_int_equal(ow, 8);
  sk_conv2d_destroy(op);
}

/* ---- pool create ------------------------------------------------------------ */

static void pool_create_null_pointers(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base();
  expect_pool_create(NULL, SK_ERR_INVALID_ARGUMENT, "NULL desc");
  assert_int_equal(sk_pool2d_create(&d, NULL), SK_ERR_INVALID_ARGUMENT);
}

static void pool_create_zero_sizes(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base();
  d.channels = 0;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "channels 0");
  d = pool_base();
  d.kernel_h = 0;
  d.pad_top = d.pad_bottom = 0;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "kernel_h 0");
  d = pool_base();
  d.kernel_w = 0;
  d.pad_left = d.pad_right = 0;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "kernel_w 0");
  d = pool_base();
  d.kernel_h = d.kernel_w = 0;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  d.stride_h = d.stride_w = 0;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "kernel 0x0 without GLOBAL");
}

static void pool_create_unknown_enums(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base();
  d.kind = (sk_pool_kind)2;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "kind 2");
  d = pool_base();
  d.kind = (sk_pool_kind)-1;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "kind -1");
  d = pool_base();
  d.layout = (sk_layout)2;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "layout 2");
  d = pool_base();
  d.activation = (sk_activation)4;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "activation 4");
  d = pool_base();
  d.isa = (sk_isa)4;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "isa 4");
  d = pool_base();
  d.isa = (sk_isa)-3;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "isa -3");
}

static void pool_create_unknown_flags(void **state) {
  (void)state;
  for (unsigned bit = 4; bit < 32; bit++) {
    sk_pool2d_desc d = pool_base();
    d.flags = 1u << bit; /* bits 0..3 are the four pooling flags */
    char what[64];
    snprintf(what, sizeof what, "flag bit %u", bit);
    expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, what);
  }
  /* control: the valid flags alone (SAME needs zero pads) */
  const uint32_t ok[] = {SK_POOL_CEIL_MODE, SK_POOL_COUNT_INCLUDE_PAD,
                         SK_POOL_CEIL_MODE | SK_POOL_COUNT_INCLUDE_PAD};
  for (size_t i = 0; i < 3; i++) {
    sk_pool2d_desc d = pool_base();
    d.flags = ok[i];
    sk_pool2d *op = NULL;
    assert_int_equal(sk_pool2d_create(&d, &op), SK_OK);
    sk_pool2d_destroy(op);
  }
}

static void pool_create_bad_clamp(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base();
  d.activation = SK_ACT_CLAMP;
  d.act_min = 2.0f;
  d.act_max = -2.0f;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "act_min > act_max");
  d.act_min = NAN;
  d.act_max = 1.0f;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "act_min NaN");
  d.act_min = -1.0f;
  d.act_max = NAN;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "act_max NaN");
}

static void pool_create_same_with_pads(void **state) {
  (void)state;
  for (int side = 0; side < 4; side++) {
    sk_pool2d_desc d = pool_base();
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
    d.flags = SK_FLAG_SAME_PADDING;
    uint32_t *pads[4] = {&d.pad_top, &d.pad_left, &d.pad_bottom, &d.pad_right};
    *pads[side] = 1;
    expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "SAME with a pad");
  }
}

static void pool_create_pad_too_large(void **state) {
  (void)state;
  /* each pad must be < the dilated kernel extent */
  for (int side = 0; side < 4; side++) {
    sk_pool2d_desc d = pool_base(); /* kernel 3: pads up to 2 */
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
    uint32_t *pads[4] = {&d.pad_top, &d.pad_left, &d.pad_bottom, &d.pad_right};
    *pads[side] = 2;
    sk_pool2d *op = NULL;
    assert_int_equal(sk_pool2d_create(&d, &op), SK_OK); /* 2 < 3: fine */
    sk_pool2d_destroy(op);
    *pads[side] = 3;
    expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "pad == kernel");
    *pads[side] = 100;
    expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "pad > kernel");
  }
  /* dilated max: kernel 2 dilation 3 has extent 4; pad 3 fine, 4 not */
  sk_pool2d_desc d = pool_base();
  d.kernel_h = d.kernel_w = 2;
  d.dilation_h = d.dilation_w = 3;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 3;
  sk_pool2d *op = NULL;
  assert_int_equal(sk_pool2d_create(&d, &op), SK_OK);
  sk_pool2d_destroy(op);
  d.pad_left = 4;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "pad == dilated extent");
  /* average pooling too */
  d = pool_base();
  d.kind = SK_POOL_AVG;
  d.pad_bottom = 3;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "avg pad == kernel");
}

static void pool_create_avg_dilation(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base();
  d.kind = SK_POOL_AVG;
  d.dilation_h = 2;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "avg dilation_h 2");
  d = pool_base();
  d.kind = SK_POOL_AVG;
  d.dilation_w = 3;
  expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "avg dilation_w 3");
  /* control: dilation 0 and 1 both mean 1 */
  d = pool_base();
  d.kind = SK_POOL_AVG;
  d.dilation_h = 1;
  d.dilation_w = 0;
  sk_pool2d *op = NULL;
  assert_int_equal(sk_pool2d_create(&d, &op), SK_OK);
  sk_pool2d_destroy(op);
}

static void pool_create_global_with_geometry(void **state) {
  (void)state;
  for (int kind = 0; kind < 2; kind++) {
    sk_pool2d_desc g;
    memset(&g, 0, sizeof g);
    g.kind = kind ? SK_POOL_AVG : SK_POOL_MAX;
    g.layout = SK_LAYOUT_NCHW;
    g.channels = 4;
    g.flags = SK_POOL_GLOBAL;
    sk_pool2d *op = NULL;
    assert_int_equal(sk_pool2d_create(&g, &op), SK_OK); /* control */
    sk_pool2d_destroy(op);
    const char *names[] = {"kernel_h",   "kernel_w",   "stride_h", "stride_w",
                           "dilation_h", "dilation_w", "pad_top",  "pad_left",
                           "pad_bottom", "pad_right"};
    for (int i = 0; i < 10; i++) {
      sk_pool2d_desc d = g;
      switch (i) {
        case 0: d.kernel_h = 1; break;
        case 1: d.kernel_w = 1; break;
        case 2: d.stride_h = 1; break;
        case 3: d.stride_w = 1; break;
        case 4: d.dilation_h = 2; break;
        case 5: d.dilation_w = 2; break;
        case 6: d.pad_top = 1; break;
        case 7: d.pad_left = 1; break;
        case 8: d.pad_bottom = 1; break;
        default: d.pad_right = 1; break;
      }
      char what[64];
      snprintf(what, sizeof what, "GLOBAL with nonzero %s", names[i]);
      expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, what);
    }
    sk_pool2d_desc d = g;
    d.flags |= SK_FLAG_SAME_PADDING;
    expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "GLOBAL with SAME");
    d = g;
    d.flags |= SK_POOL_CEIL_MODE;
    expect_pool_create(&d, SK_ERR_INVALID_ARGUMENT, "GLOBAL with CEIL_MODE");
  }
}

static void pool_create_unsupported_isa(void **state) {
  (void)state;
  sk_isa isa = find_unsupported_isa();
  if (isa == SK_ISA_AUTO) {
    print_message("every ISA is supported here: nothing to force\n");
    skip();
  }
  sk_pool2d_desc d = pool_base();
  d.isa = isa;
  expect_pool_create(&d, SK_ERR_UNSUPPORTED, sk_isa_name(isa));
  d = pool_base();
  d.flags = SK_POOL_GLOBAL;
  d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 0;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  d.isa = isa;
  expect_pool_create(&d, SK_ERR_UNSUPPORTED, "global, unsupported ISA");
}

/* ---- pool run ----------------------------------------------------------------- */

typedef struct pool_fixture {
  sk_pool2d *op;
  float in[8 * 8 * 8 + 16];
  float out[BUF_FLOATS];
  float copy[BUF_FLOATS];
} pool_fixture;

static void pool_fixture_init(pool_fixture *f, const sk_pool2d_desc *d) {
  f->op = NULL;
  assert_int_equal(sk_pool2d_create(d, &f->op), SK_OK);
  for (size_t i = 0; i < sizeof f->in / sizeof f->in[0]; i++) f->in[i] = (float)i * 0.01f;
  for (size_t i = 0; i < BUF_FLOATS; i++) f->out[i] = f->copy[i] = 4321.5f - (float)i;
}

static void expect_pool_run(pool_fixture *f, uint32_t batch, uint32_t h, uint32_t w,
                            const float *in, float *out, sk_status want, const char *what) {
  sk_status st = sk_pool2d_run(f->op, batch, h, w, in, out);
  if (st != want) {
    print_error("pool run (%s): status %d (%s), want %d (%s)\n", what, (int)st,
                sk_status_string(st), (int)want, sk_status_string(want));
    fail();
  }
  assert_untouched(f->out, f->copy, BUF_FLOATS, what);
}

static void pool_run_null_pointers(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base();
  pool_fixture *f = xmalloc(sizeof *f);
  pool_fixture_init(f, &d);
  assert_int_equal(sk_pool2d_run(NULL, 1, 8, 8, f->in, f->out), SK_ERR_INVALID_ARGUMENT);
  assert_untouched(f->out, f->copy, BUF_FLOATS, "NULL op");
  expect_pool_run(f, 1, 8, 8, NULL, f->out, SK_ERR_INVALID_ARGUMENT, "NULL input");
  expect_pool_run(f, 1, 8, 8, f->in, NULL, SK_ERR_INVALID_ARGUMENT, "NULL output");
  uint32_t oh, ow;
  assert_int_equal(sk_pool2d_output_size(NULL, 8, 8, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_pool2d_output_size(f->op, 8, 8, NULL, &ow), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_pool2d_output_size(f->op, 8, 8, &oh, NULL), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_pool2d_run(f->op, 1, 8, 8, f->in, f->out), SK_OK); /* control */
  sk_pool2d_destroy(f->op);
  free(f);
}

static void pool_run_zero_sizes(void **state) {
  (void)state;
  pool_fixture *f = xmalloc(sizeof *f);
  for (int global = 0; global <= 1; global++) {
    sk_pool2d_desc d = pool_base();
    if (global) {
      d.flags = SK_POOL_GLOBAL;
      d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 0;
      d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
    }
    pool_fixture_init(f, &d);
    expect_pool_run(f, 0, 8, 8, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "batch 0");
    expect_pool_run(f, 1, 0, 8, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "height 0");
    expect_pool_run(f, 1, 8, 0, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "width 0");
    uint32_t oh, ow;
    assert_int_equal(sk_pool2d_output_size(f->op, 0, 8, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
    assert_int_equal(sk_pool2d_output_size(f->op, 8, 0, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
    sk_pool2d_destroy(f->op);
  }
  free(f);
}

static void pool_run_input_smaller_than_kernel(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base();
  d.kernel_h = d.kernel_w = 3;
  d.dilation_h = d.dilation_w = 2; /* extent 5 */
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  pool_fixture *f = xmalloc(sizeof *f);
  pool_fixture_init(f, &d);
  uint32_t oh, ow;
  assert_int_equal(sk_pool2d_output_size(f->op, 4, 8, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  assert_int_equal(sk_pool2d_output_size(f->op, 8, 4, &oh, &ow), SK_ERR_INVALID_ARGUMENT);
  expect_pool_run(f, 1, 4, 8, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "4x8 < extent 5");
  expect_pool_run(f, 1, 8, 4, f->in, f->out, SK_ERR_INVALID_ARGUMENT, "8x4 < extent 5");
  assert_int_equal(sk_pool2d_output_size(f->op, 5, 5, &oh, &ow), SK_OK);
  assert_int_equal(oh, 1);
  assert_int_equal(ow, 1);
  sk_pool2d_destroy(f->op);
  free(f);
}

static void pool_run_overlap(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base(); /* 8x8x8 in -> 4x4x8 out */
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  d.kernel_h = d.kernel_w = 2;
  sk_pool2d *op = NULL;
  assert_int_equal(sk_pool2d_create(&d, &op), SK_OK);
  const size_t n = 8 * 8 * 8, on = 4 * 4 * 8;
  float *buf = xmalloc(4 * n * sizeof(float)), *copy = xmalloc(4 * n * sizeof(float));
  for (size_t i = 0; i < 4 * n; i++) buf[i] = copy[i] = (float)(i % 89) * 0.25f;
  float *in = buf + n;
  const struct { ptrdiff_t off; const char *what; } cases[] = {
      {0, "output == input"},
      {1, "output = input + 1"},
      {(ptrdiff_t)n - 1, "output starts on input's last element"},
      {-(ptrdiff_t)on + 1, "output ends on input's first element"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sk_status st = sk_pool2d_run(op, 1, 8, 8, in, in + cases[i].off);
    if (st != SK_ERR_INVALID_ARGUMENT) {
      print_error("overlap (%s): status %d (%s)\n", cases[i].what, (int)st, sk_status_string(st));
      fail();
    }
    if (memcmp(buf, copy, 4 * n * sizeof(float)) != 0) {
      print_error("overlap (%s): buffer modified by a failed run\n", cases[i].what);
      fail();
    }
  }
  assert_int_equal(sk_pool2d_run(op, 1, 8, 8, in, in + n), SK_OK);
  assert_int_equal(sk_pool2d_run(op, 1, 8, 8, in, in - on), SK_OK);
  sk_pool2d_destroy(op);
  free(buf);
  free(copy);
}

static void pool_run_size_overflow(void **state) {
  (void)state;
  pool_fixture *f = xmalloc(sizeof *f);
  for (int global = 0; global <= 1; global++) {
    sk_pool2d_desc d = pool_base();
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
    if (global) {
      d.flags = SK_POOL_GLOBAL;
      d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 0;
    }
    pool_fixture_init(f, &d);
    expect_pool_run(f, UINT32_MAX, UINT32_MAX, UINT32_MAX, f->in, f->out, SK_ERR_SIZE_OVERFLOW,
                    "batch*h*w*c past SIZE_MAX");
    expect_pool_run(f, 1u << 30, 1u << 16, 1u << 16, f->in, f->out, SK_ERR_SIZE_OVERFLOW,
                    "2^65 elements");
    expect_pool_run(f, 1u << 28, 1u << 16, 1u << 16, f->in, f->out, SK_ERR_SIZE_OVERFLOW,
                    "2^65 bytes");
    sk_pool2d_destroy(f->op);
  }
  free(f);
}

static void pool_pad_overflow(void **state) {
  (void)state;
  sk_pool2d_desc d = pool_base(); /* pads 1 */
  pool_fixture *f = xmalloc(sizeof *f);
  pool_fixture_init(f, &d);
  uint32_t oh, ow;
  assert_int_equal(sk_pool2d_output_size(f->op, UINT32_MAX, 8, &oh, &ow), SK_ERR_SIZE_OVERFLOW);
  assert_int_equal(sk_pool2d_output_size(f->op, 8, UINT32_MAX, &oh, &ow), SK_ERR_SIZE_OVERFLOW);
  expect_pool_run(f, 1, UINT32_MAX, 1, f->in, f->out, SK_ERR_SIZE_OVERFLOW, "in_h + pads");
  expect_pool_run(f, 1, 1, UINT32_MAX, f->in, f->out, SK_ERR_SIZE_OVERFLOW, "in_w + pads");
  sk_pool2d_destroy(f->op);
  d = pool_base();
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  d.stride_h = d.stride_w = 1;
  d.flags = SK_FLAG_SAME_PADDING;
  pool_fixture_init(f, &d);
  assert_int_equal(sk_pool2d_output_size(f->op, UINT32_MAX, 8, &oh, &ow), SK_ERR_SIZE_OVERFLOW);
  expect_pool_run(f, 1, UINT32_MAX, 1, f->in, f->out, SK_ERR_SIZE_OVERFLOW, "SAME in_h + pads");
  sk_pool2d_destroy(f->op);
  free(f);
}

/* ---- misc ------------------------------------------------------------------- */

static void status_strings(void **state) {
  (void)state;
  const sk_status all[] = {SK_OK, SK_ERR_INVALID_ARGUMENT, SK_ERR_UNSUPPORTED,
                           SK_ERR_OUT_OF_MEMORY, SK_ERR_SIZE_OVERFLOW};
  const size_t n = sizeof all / sizeof all[0];
  const char *unknown = sk_status_string((sk_status)99);
  assert_non_null(unknown);
  assert_string_equal(unknown, "unknown status");
  assert_non_null(sk_status_string((sk_status)-1));
  assert_string_equal(sk_status_string((sk_status)5), "unknown status");
  for (size_t i = 0; i < n; i++) {
    const char *s = sk_status_string(all[i]);
    assert_non_null(s);
    assert_true(strlen(s) > 0);
    assert_string_not_equal(s, unknown);
    for (size_t j = 0; j < i; j++) assert_string_not_equal(s, sk_status_string(all[j]));
  }
  assert_string_equal(sk_status_string(SK_OK), "ok");
  assert_string_equal(sk_status_string(SK_ERR_INVALID_ARGUMENT), "invalid argument");
}

static void isa_names(void **state) {
  (void)state;
  assert_string_equal(sk_isa_name(SK_ISA_AUTO), "auto");
  assert_string_equal(sk_isa_name(SK_ISA_SCALAR), "scalar");
  assert_string_equal(sk_isa_name(SK_ISA_AVX2), "avx2");
  assert_string_equal(sk_isa_name(SK_ISA_NEON), "neon");
  assert_string_equal(sk_isa_name((sk_isa)4), "unknown");
  assert_string_equal(sk_isa_name((sk_isa)-1), "unknown");
  assert_false(sk_isa_supported((sk_isa)4));
  assert_false(sk_isa_supported((sk_isa)-1));
}

static void version_string(void **state) {
  (void)state;
  char want[64];
  snprintf(want, sizeof want, "%d.%d.%d", SK_VERSION_MAJOR, SK_VERSION_MINOR, SK_VERSION_PATCH);
  assert_non_null(sk_version());
  assert_string_equal(sk_version(), want);
}

static void destroy_null_and_name_null(void **state) {
  (void)state;
  sk_conv2d_destroy(NULL);
  sk_pool2d_destroy(NULL);
  assert_non_null(sk_conv2d_kernel_name(NULL));
  assert_string_equal(sk_conv2d_kernel_name(NULL), "");
  assert_non_null(sk_pool2d_kernel_name(NULL));
  assert_string_equal(sk_pool2d_kernel_name(NULL), "");
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(base_descs_are_valid),
      cmocka_unit_test(conv_create_null_pointers),
      cmocka_unit_test(conv_create_zero_channels),
      cmocka_unit_test(conv_create_zero_kernel),
      cmocka_unit_test(conv_create_groups_not_dividing),
      cmocka_unit_test(conv_create_unknown_enums),
      cmocka_unit_test(conv_create_unknown_flags),
      cmocka_unit_test(conv_create_bad_clamp),
      cmocka_unit_test(conv_create_same_with_pads),
      cmocka_unit_test(conv_create_unsupported_isa),
      cmocka_unit_test(conv_create_size_overflow),
      cmocka_unit_test(conv_run_null_pointers),
      cmocka_unit_test(conv_run_zero_sizes),
      cmocka_unit_test(conv_run_input_smaller_than_kernel),
      cmocka_unit_test(conv_run_overlap),
      cmocka_unit_test(conv_run_size_overflow),
      cmocka_unit_test(conv_pad_overflow),
      cmocka_unit_test(conv_output_size_bad_pointers),
      cmocka_unit_test(pool_create_null_pointers),
      cmocka_unit_test(pool_create_zero_sizes),
      cmocka_unit_test(pool_create_unknown_enums),
      cmocka_unit_test(pool_create_unknown_flags),
      cmocka_unit_test(pool_create_bad_clamp),
      cmocka_unit_test(pool_create_same_with_pads),
      cmocka_unit_test(pool_create_pad_too_large),
      cmocka_unit_test(pool_create_avg_dilation),
      cmocka_unit_test(pool_create_global_with_geometry),
      cmocka_unit_test(pool_create_unsupported_isa),
      cmocka_unit_test(pool_run_null_pointers),
      cmocka_unit_test(pool_run_zero_sizes),
      cmocka_unit_test(pool_run_input_smaller_than_kernel),
      cmocka_unit_test(pool_run_overlap),
      cmocka_unit_test(pool_run_size_overflow),
      cmocka_unit_test(pool_pad_overflow),
      cmocka_unit_test(status_strings),
      cmocka_unit_test(isa_names),
      cmocka_unit_test(version_string),
      cmocka_unit_test(destroy_null_and_name_null),
  };
  /* argv[1]: only tests matching this pattern ("-" for all); argv[2]: skip these */
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("errors", tests, group_setup, NULL);
}
