/*
 * layers: a small CNN run layer by layer through simdkern, on every ISA this
 * machine supports.
 *
 *   grayscale image  H x W x 1   (NHWC, batch 1, fp32)
 *   conv1  3x3, k1 = 16 filters, pad 1, ReLU
 *   conv2  5x5, k2 = 32 filters, pad 2, ReLU   (each filter is 5x5x16)
 *   maxpool 2x2, stride 2
 *   conv3  1x1, 8 filters, ReLU
 *   global average pooling                      -> 8 numbers
 *
 * For each layer it prints the shapes, the weight shape and parameter count,
 * the MACs, the kernel each ISA picks and the median time per run, then checks
 * that every ISA computes the same 8 outputs as the scalar path.
 *
 * Usage: layers [HEIGHT WIDTH]      (default 224 224)
 * SIMDKERN_ISA=scalar|avx2|neon caps the ISAs measured, as it caps SK_ISA_AUTO.
 * Exit status: 0 on success, 1 on a library error or a mismatch, 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simdkern.h"

enum { NUM_LAYERS = 5, NUM_ISAS = 3, MIN_RUNS = 3, MAX_RUNS = 51 };

/* Time budget per layer and ISA; the runs are at least MIN_RUNS. */
static const double kBudgetSeconds = 0.12;

enum { K1 = 16, K2 = 32, K3 = 8 }; /* filters of conv1, conv2, conv3 */

typedef struct layer {
  const char *name;
  int is_conv;
  sk_conv2d_desc conv; /* is_conv */
  sk_pool2d_desc pool; /* !is_conv */
  float *weights;      /* OHWI: [out][kh][kw][in/groups] */
  float *bias;
  uint32_t in_h, in_w, in_c, out_h, out_w, out_c;
  uint64_t n_weights, n_bias, macs;
} layer;

/* One created op of either kind. */
typedef struct op {
  sk_conv2d *conv;
  sk_pool2d *pool;
} op;

/* Results of one ISA. */
typedef struct isa_result {
  sk_isa isa;
  const char *kernel[NUM_LAYERS];
  double seconds[NUM_LAYERS]; /* median time per run */
  int runs[NUM_LAYERS];
  float out[K3]; /* the network's output */
} isa_result;

/* ---- errors ------------------------------------------------------------- */

static void check(sk_status status, const char *call, const layer *l, int index) {
  if (status == SK_OK) return;
  if (l)
    fprintf(stderr, "layers: %s failed for layer %d (%s): %s (status %d)\n", call, index + 1, l->name,
            sk_status_string(status), (int)status);
  else
    fprintf(stderr, "layers: %s failed: %s (status %d)\n", call, sk_status_string(status), (int)status);
  exit(EXIT_FAILURE);
}

static void *xcalloc(size_t count, size_t size) {
  void *p = (count == 0 || size == 0 || count > SIZE_MAX / size) ? NULL : calloc(count, size);
  if (!p) {
    fprintf(stderr, "layers: out of memory (%zu x %zu bytes)\n", count, size);
    exit(EXIT_FAILURE);
  }
  return p;
}

/* h * w * c, or exit if it does not fit in size_t. */
static size_t tensor_size(uint32_t h, uint32_t w, uint32_t c) {
  uint64_t n = (uint64_t)h * w;
  if (c != 0 && n > UINT64_MAX / c) n = UINT64_MAX;
  else n *= c;
  if (n > SIZE_MAX / sizeof(float)) {
    fprintf(stderr, "layers: tensor of %" PRIu32 "x%" PRIu32 "x%" PRIu32 " is too large\n", h, w, c);
    exit(EXIT_FAILURE);
  }
  return (size_t)n;
}

/* ---- deterministic pseudo-random numbers (xorshift32) ------------------- */

static uint32_t rng_state = 0x2545F491u;

static float rng_uniform(float lo, float hi) { /* in [lo, hi) */
  uint32_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng_state = x;
  return lo + (hi - lo) * (float)(x >> 8) * (1.0f / 16777216.0f);
}

/* ---- the network -------------------------------------------------------- */

static void make_conv(layer *l, const char *name, uint32_t in_c, uint32_t out_c, uint32_t k, uint32_t pad) {
  memset(l, 0, sizeof *l);
  l->name = name;
  l->is_conv = 1;
  l->conv = (sk_conv2d_desc){
      .layout = SK_LAYOUT_NHWC,
      .weights_layout = SK_WEIGHTS_OHWI,
      .in_channels = in_c,
      .out_channels = out_c,
      .groups = 1,
      .kernel_h = k,
      .kernel_w = k,
      .stride_h = 1,
      .stride_w = 1,
      .dilation_h = 1,
      .dilation_w = 1,
      .pad_top = pad,
      .pad_left = pad,
      .pad_bottom = pad,
      .pad_right = pad,
      .flags = 0,
      .activation = SK_ACT_RELU,
      .isa = SK_ISA_AUTO,
  };
  /* Every filter spans all in_c input maps: out_c x k x k x in_c weights. */
  l->n_weights = (uint64_t)out_c * k * k * in_c;
  l->n_bias = out_c;
  l->weights = xcalloc((size_t)l->n_weights, sizeof(float));
  l->bias = xcalloc(out_c, sizeof(float));
  /* He-uniform weights keep the activations' scale through the ReLUs. */
  const float scale = sqrtf(6.0f / (float)(k * k * in_c));
  for (uint64_t i = 0; i < l->n_weights; i++) l->weights[i] = rng_uniform(-scale, scale);
  for (uint32_t i = 0; i < out_c; i++) l->bias[i] = rng_uniform(-0.1f, 0.1f);
}

static void make_pool(layer *l, const char *name, sk_pool_kind kind, uint32_t channels, uint32_t k,
                      uint32_t stride, uint32_t flags) {
  memset(l, 0, sizeof *l);
  l->name = name;
  l->is_conv = 0;
  l->pool = (sk_pool2d_desc){
      .kind = kind,
      .layout = SK_LAYOUT_NHWC,
      .channels = channels,
      .kernel_h = k,
      .kernel_w = k,
      .stride_h = stride,
      .stride_w = stride,
      .flags = flags,
      .activation = SK_ACT_NONE,
      .isa = SK_ISA_AUTO,
  };
}

static void create_op(layer *l, int index, sk_isa isa, op *o) {
  o->conv = NULL;
  o->pool = NULL;
  if (l->is_conv) {
    l->conv.isa = isa;
    check(sk_conv2d_create(&l->conv, l->weights, l->bias, &o->conv), "sk_conv2d_create", l, index);
  } else {
    l->pool.isa = isa;
    check(sk_pool2d_create(&l->pool, &o->pool), "sk_pool2d_create", l, index);
  }
}

static void destroy_op(op *o) {
  sk_conv2d_destroy(o->conv); /* NULL is a no-op */
  sk_pool2d_destroy(o->pool);
  o->conv = NULL;
  o->pool = NULL;
}

static sk_status run_op(const layer *l, const op *o, const float *in, float *out) {
  return l->is_conv ? sk_conv2d_run(o->conv, 1, l->in_h, l->in_w, in, out)
                    : sk_pool2d_run(o->pool, 1, l->in_h, l->in_w, in, out);
}

static const char *kernel_name(const op *o) {
  return o->conv ? sk_conv2d_kernel_name(o->conv) : sk_pool2d_kernel_name(o->pool);
}

/* ---- timing ------------------------------------------------------------- */

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median time of one run. The first run warms caches and page tables; it
 * counts as a sample only when it is long (> 20 ms, where that warm-up is
 * noise), so slow layers are not run more than MIN_RUNS times. Then as many
 * runs as fit in kBudgetSeconds, at least MIN_RUNS and at most MAX_RUNS. */
static double time_layer(const layer *l, int index, const op *o, const float *in, float *out, int *runs) {
  const char *call = l->is_conv ? "sk_conv2d_run" : "sk_pool2d_run";
  double t[MAX_RUNS];
  int n = 0;
  double t0 = now_seconds();
  check(run_op(l, o, in, out), call, l, index);
  const double first = now_seconds() - t0;
  if (first > 0.020) t[n++] = first;
  int want = first > 0 ? (int)(kBudgetSeconds / first) : MAX_RUNS;
  want = want < MIN_RUNS ? MIN_RUNS : want > MAX_RUNS ? MAX_RUNS : want;
  while (n < want) {
    t0 = now_seconds();
    check(run_op(l, o, in, out), call, l, index);
    t[n++] = now_seconds() - t0;
  }
  qsort(t, (size_t)n, sizeof t[0], cmp_double);
  *runs = n;
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* ---- printing ----------------------------------------------------------- */

/* 642252800 -> "642,252,800" */
static const char *grouped(uint64_t v, char *buf, size_t size) {
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
  size_t j = 0;
  for (int i = 0; i < n && j + 1 < size; i++) {
    if (i > 0 && (n - i) % 3 == 0 && j + 2 < size) buf[j++] = ',';
    buf[j++] = digits[i];
  }
  buf[j] = '\0';
  return buf;
}

static const char *shape(uint32_t h, uint32_t w, uint32_t c, char *buf, size_t size) {
  snprintf(buf, size, "%" PRIu32 "x%" PRIu32 "x%" PRIu32, h, w, c);
  return buf;
}

static const char *duration(double s, char *buf, size_t size) {
  if (s < 1e-3) snprintf(buf, size, "%8.1f us", s * 1e6);
  else snprintf(buf, size, "%8.3f ms", s * 1e3);
  return buf;
}

/* Work rate of a layer: GFLOP/s (2 flops per MAC) for convs, GB/s (input +
 * output bytes) for pooling. */
static const char *rate(const layer *l, double s, char *buf, size_t size) {
  if (s <= 0) snprintf(buf, size, "%14s", "-");
  else if (l->is_conv) snprintf(buf, size, "%7.2f GFLOP/s", 2.0 * (double)l->macs / s * 1e-9);
  else {
    double bytes = 4.0 * ((double)l->in_h * l->in_w * l->in_c + (double)l->out_h * l->out_w * l->out_c);
    snprintf(buf, size, "%7.2f GB/s   ", bytes / s * 1e-9);
  }
  return buf;
}

static int parse_dim(const char *s, uint32_t *v) {
  char *end;
  errno = 0;
  unsigned long x = strtoul(s, &end, 10);
  if (errno || end == s || *end != '\0' || s[0] == '-' || x == 0 || x > UINT32_MAX) return 0;
  *v = (uint32_t)x;
  return 1;
}

int main(int argc, char **argv) {
  uint32_t height = 224, width = 224;
  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    printf("usage: %s [HEIGHT WIDTH]   (default 224 224)\n", argv[0]);
    return 0;
  }
  if (argc != 1 && !(argc == 3 && parse_dim(argv[1], &height) && parse_dim(argv[2], &width))) {
    fprintf(stderr, "usage: %s [HEIGHT WIDTH]   (positive integers, default 224 224)\n", argv[0]);
    return 2;
  }
  const double t_start = now_seconds();

  /* The network. */
  layer net[NUM_LAYERS];
  make_conv(&net[0], "conv1 3x3 pad 1", 1, (uint32_t)K1, 3, 1);
  make_conv(&net[1], "conv2 5x5 pad 2", (uint32_t)K1, (uint32_t)K2, 5, 2);
  make_pool(&net[2], "maxpool 2x2 s2", SK_POOL_MAX, (uint32_t)K2, 2, 2, 0);
  make_conv(&net[3], "conv3 1x1", (uint32_t)K2, (uint32_t)K3, 1, 0);
  make_pool(&net[4], "global avgpool", SK_POOL_AVG, (uint32_t)K3, 0, 0, SK_POOL_GLOBAL);

  /* Shapes: ask each (scalar) op for its output size. */
  uint32_t h = height, w = width, c = 1;
  for (int i = 0; i < NUM_LAYERS; i++) {
    layer *l = &net[i];
    op o;
    create_op(l, i, SK_ISA_SCALAR, &o);
    l->in_h = h;
    l->in_w = w;
    l->in_c = c;
    sk_status st = l->is_conv ? sk_conv2d_output_size(o.conv, h, w, &l->out_h, &l->out_w)
                              : sk_pool2d_output_size(o.pool, h, w, &l->out_h, &l->out_w);
    check(st, l->is_conv ? "sk_conv2d_output_size" : "sk_pool2d_output_size", l, i);
    l->out_c = l->is_conv ? l->conv.out_channels : l->pool.channels;
    if (l->is_conv)
      l->macs = (uint64_t)l->out_h * l->out_w * l->out_c * l->conv.kernel_h * l->conv.kernel_w *
                (l->in_c / (l->conv.groups ? l->conv.groups : 1));
    destroy_op(&o);
    h = l->out_h;
    w = l->out_w;
    c = l->out_c;
  }

  /* Buffers: act[i] is the input of layer i, act[NUM_LAYERS] the output.
   * Written once now, so that no page fault is timed. */
  float *act[NUM_LAYERS + 1];
  act[0] = xcalloc(tensor_size(height, width, 1), sizeof(float));
  for (int i = 0; i < NUM_LAYERS; i++) {
    const size_t n = tensor_size(net[i].out_h, net[i].out_w, net[i].out_c);
    act[i + 1] = xcalloc(n, sizeof(float));
    for (size_t j = 0; j < n; j++) act[i + 1][j] = -1.0f;
  }
  const size_t n_pixels = tensor_size(height, width, 1);
  for (size_t i = 0; i < n_pixels; i++) act[0][i] = rng_uniform(0.0f, 1.0f); /* the "image" */
  const uint32_t n_out = net[NUM_LAYERS - 1].out_c; /* K3 */

  /* ---- table 1: the network ---- */
  char b1[48], b2[48], b3[48], b4[64];
  printf("simdkern %s: a small CNN on a %" PRIu32 "x%" PRIu32 " grayscale image "
         "(NHWC, fp32, batch 1, ReLU after each conv)\n",
         sk_version(), height, width);
  /* The ISAs to measure: every one this build and CPU run (scalar always),
   * except those above a SIMDKERN_ISA cap. */
  isa_result res[NUM_ISAS];
  int n_isas = 0;
  const sk_isa isas[NUM_ISAS] = {SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON};
  const sk_isa best = sk_isa_best();
  for (int k = 0; k < NUM_ISAS; k++)
    if (sk_isa_supported(isas[k]) && (isas[k] == SK_ISA_SCALAR || isas[k] == best)) res[n_isas++].isa = isas[k];
  const char *cap = getenv("SIMDKERN_ISA");
  printf("best ISA here: %s%s%s%s; measured:", sk_isa_name(best), cap ? " (SIMDKERN_ISA=" : "", cap ? cap : "",
         cap ? ")" : "");
  for (int k = 0; k < n_isas; k++) printf(" %s", sk_isa_name(res[k].isa));
  printf("\n\n");

  printf("%2s %-16s %-13s %-13s %-12s %-33s %13s\n", "#", "layer", "input", "output", "weights", "parameters", "MACs");
  printf("%2s %-16s %-13s %-13s %-12s %s\n", "", "", "HxWxC", "HxWxC", "OxKHxKWxI", "= weights + biases");
  uint64_t total_params = 0, total_macs = 0;
  for (int i = 0; i < NUM_LAYERS; i++) {
    const layer *l = &net[i];
    char wshape[32] = "-", params[64] = "0", macs[32] = "-";
    if (l->is_conv) {
      const uint32_t in_g = l->in_c / (l->conv.groups ? l->conv.groups : 1);
      snprintf(wshape, sizeof wshape, "%" PRIu32 "x%" PRIu32 "x%" PRIu32 "x%" PRIu32, l->out_c,
               l->conv.kernel_h, l->conv.kernel_w, in_g);
      snprintf(params, sizeof params, "%" PRIu32 "*%" PRIu32 "*%" PRIu32 "*%" PRIu32 " = %" PRIu64 " + %" PRIu64
               " = %" PRIu64, l->out_c, l->conv.kernel_h, l->conv.kernel_w, in_g, l->n_weights, l->n_bias,
               l->n_weights + l->n_bias);
      grouped(l->macs, macs, sizeof macs);
    }
    total_params += l->n_weights + l->n_bias;
    total_macs += l->macs;
    printf("%2d %-16s %-13s %-13s %-12s %-33s %13s\n", i + 1, l->name, shape(l->in_h, l->in_w, l->in_c, b1, sizeof b1),
           shape(l->out_h, l->out_w, l->out_c, b2, sizeof b2), wshape, params, macs);
  }
  snprintf(b3, sizeof b3, "%" PRIu64, total_params);
  printf("   %-16s %-13s %-13s %-12s %-33s %13s\n\n", "total", "", "", "", b3, grouped(total_macs, b4, sizeof b4));

  const layer *c2 = &net[1];
  printf("Layer 2: each of its k2 = %" PRIu32 " filters is %" PRIu32 "x%" PRIu32 " and spans all k1 = %" PRIu32
         " maps that layer 1 produced,\n"
         "so it has k2*5*5*k1 = %" PRIu32 "*%" PRIu32 "*%" PRIu32 "*%" PRIu32 " = %" PRIu64 " weights + k2 = %" PRIu64
         " biases = %" PRIu64 " parameters.\n",
         c2->out_c, c2->conv.kernel_h, c2->conv.kernel_w, c2->in_c, c2->out_c, c2->conv.kernel_h, c2->conv.kernel_w,
         c2->in_c, c2->n_weights, c2->n_bias, c2->n_weights + c2->n_bias);
  printf("MACs (multiply-adds) of a conv = out_h*out_w*O*KH*KW*I, every kernel tap counted, padding included.\n"
         "Pooling has no weights; max pooling compares and global average pooling adds, no MACs.\n\n");

  /* ---- measure each ISA ---- */
  for (int k = 0; k < n_isas; k++) {
    isa_result *r = &res[k];
    for (int i = 0; i < NUM_LAYERS; i++) {
      op o;
      create_op(&net[i], i, r->isa, &o);
      r->kernel[i] = kernel_name(&o);
      r->seconds[i] = time_layer(&net[i], i, &o, act[i], act[i + 1], &r->runs[i]);
      destroy_op(&o);
    }
    memcpy(r->out, act[NUM_LAYERS], n_out * sizeof(float));
  }

  /* ---- table 2: kernels and times ---- */
  printf("%2s %-16s %-7s %-29s %19s %6s   %-16s %7s\n", "#", "layer", "isa", "kernel", "time/run (median)", "runs",
         "work rate", "speedup");
  int fallback = 0;
  for (int i = 0; i < NUM_LAYERS; i++) {
    for (int k = 0; k < n_isas; k++) {
      const isa_result *r = &res[k];
      const char *isa_name = sk_isa_name(r->isa);
      /* Kernel names start with the ISA that implements them. */
      const int fb = strncmp(r->kernel[i], isa_name, strlen(isa_name)) != 0;
      fallback |= fb;
      snprintf(b4, sizeof b4, "%s%s", r->kernel[i], fb ? " *" : "");
      char idx[8] = "";
      if (k == 0) snprintf(idx, sizeof idx, "%d", i + 1);
      printf("%2s %-16s %-7s %-29s %19s %6d   %-16s %6.2fx\n", idx, k == 0 ? net[i].name : "", isa_name, b4,
             duration(r->seconds[i], b1, sizeof b1), r->runs[i], rate(&net[i], r->seconds[i], b2, sizeof b2),
             res[0].seconds[i] / r->seconds[i]);
    }
  }
  double total_scalar = 0;
  for (int i = 0; i < NUM_LAYERS; i++) total_scalar += res[0].seconds[i];
  for (int k = 0; k < n_isas; k++) {
    double total = 0;
    for (int i = 0; i < NUM_LAYERS; i++) total += res[k].seconds[i];
    snprintf(b3, sizeof b3, "%7.2f GFLOP/s", 2.0 * (double)total_macs / total * 1e-9);
    printf("%2s %-16s %-7s %-29s %19s %6s   %-16s %6.2fx\n", "", k == 0 ? "total" : "", sk_isa_name(res[k].isa), "",
           duration(total, b1, sizeof b1), "", b3, total_scalar / total);
  }
  if (fallback)
    printf("* no kernel of this ISA for the op yet: the ISA's table keeps the scalar kernel.\n");

  /* ---- check: the whole network on each ISA against the scalar path ---- */
  printf("\nCheck: the %" PRIu32 " outputs of the whole network on each ISA vs the scalar path\n", n_out);
  printf("  scalar  outputs:");
  float scale = 0;
  for (uint32_t j = 0; j < n_out; j++) {
    printf(" %.6f", res[0].out[j]);
    if (fabsf(res[0].out[j]) > scale) scale = fabsf(res[0].out[j]);
  }
  printf("\n");
  /* fp32 sums in another order differ by rounding only: allow 1e-4 relative. */
  const double tol = 1e-4 * (double)scale + 1e-6;
  int ok = 1;
  for (int k = 1; k < n_isas; k++) {
    double maxdiff = 0;
    for (uint32_t j = 0; j < n_out; j++) {
      double d = fabs((double)res[k].out[j] - (double)res[0].out[j]);
      if (isnan(d)) {
        maxdiff = NAN;
        break;
      }
      if (d > maxdiff) maxdiff = d;
    }
    const int good = maxdiff <= tol;
    ok &= good;
    printf("  %-7s max |out - scalar| = %.3g  %s (tolerance %.3g)\n", sk_isa_name(res[k].isa), maxdiff,
           good ? "ok" : "MISMATCH", tol);
  }
  if (n_isas == 1) printf("  (only the scalar path runs here: nothing to compare)\n");

  for (int i = 0; i < NUM_LAYERS; i++) {
    free(net[i].weights);
    free(net[i].bias);
  }
  for (int i = 0; i <= NUM_LAYERS; i++) free(act[i]);
  printf("\ndemo took %.2f s\n", now_seconds() - t_start);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
