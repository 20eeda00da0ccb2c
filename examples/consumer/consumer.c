/*
 * consumer: the smallest program that uses an installed simdkern; built by
 * scripts/test_package.sh against the CMake package, pkg-config and
 * add_subdirectory/FetchContent (README "Embedding and installing").
 *
 * It runs a 3x3 convolution (pad 1, ReLU), a 3x3 depthwise convolution and
 * a 2x2 max pooling on a 4x4 image and checks every output against values
 * worked out by hand; an op left out of the build (SIMDKERN_ENABLE_POOLING=OFF,
 * SIMDKERN_ENABLE_DEPTHWISE=OFF) must say SK_ERR_UNSUPPORTED. Prints one line
 * per check; exit status 0 if all pass.
 */
#include <stdio.h>
#include <string.h>

#include <simdkern.h>

static int failures = 0;

static void expect(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

int main(void) {
  char version[32];
  snprintf(version, sizeof version, "%d.%d.%d", SK_VERSION_MAJOR, SK_VERSION_MINOR,
           SK_VERSION_PATCH);
  printf("simdkern %s (header %s), best ISA %s\n", sk_version(), version,
         sk_isa_name(sk_isa_best()));
  expect(strcmp(sk_version(), version) == 0, "library version matches the header");

  /* 4x4x1 input 1..16 (NHWC, batch 1). */
  float in[16];
  for (int i = 0; i < 16; i++) in[i] = (float)(i + 1);

  /* 3x3 box filter with bias -10, pad 1, ReLU: each output is the sum of
   * its 3x3 neighbourhood (zeros outside) minus 10, at least 0. */
  sk_conv2d_desc cd;
  memset(&cd, 0, sizeof cd);
  cd.layout = SK_LAYOUT_NHWC;
  cd.weights_layout = SK_WEIGHTS_OIHW;
  cd.in_channels = cd.out_channels = 1;
  cd.kernel_h = cd.kernel_w = 3;
  cd.pad_top = cd.pad_left = cd.pad_bottom = cd.pad_right = 1;
  cd.activation = SK_ACT_RELU;
  float w[9], bias = -10.0f;
  for (int i = 0; i < 9; i++) w[i] = 1.0f;
  sk_conv2d *conv = NULL;
  sk_status st = sk_conv2d_create(&cd, w, &bias, &conv);
  expect(st == SK_OK, "sk_conv2d_create");
  if (st == SK_OK) {
    const float want[16] = {4, 14, 20, 12, 23, 44, 53, 35, 47, 80, 89, 59, 36, 62, 68, 44};
    float out[16];
    uint32_t oh = 0, ow = 0;
    expect(sk_conv2d_output_size(conv, 4, 4, &oh, &ow) == SK_OK && oh == 4 && ow == 4,
           "conv output is 4x4");
    st = sk_conv2d_run(conv, 1, 4, 4, in, out);
    int same = st == SK_OK;
    for (int i = 0; same && i < 16; i++) same = out[i] == want[i];
    printf("conv kernel %s\n", sk_conv2d_kernel_name(conv));
    expect(same, "conv 3x3 + bias + ReLU computes the hand-worked values");
    sk_conv2d_destroy(conv);
  }

  /* Depthwise 3x3 (groups = channels = 2), pad 1, no bias: channel 0 the
   * box filter on 1..16, channel 1 twice its input 16..1 (centre tap 2). */
  cd.in_channels = cd.out_channels = cd.groups = 2;
  cd.activation = SK_ACT_NONE;
  float dw[18] = {0}, in2[32];
  for (int i = 0; i < 9; i++) dw[i] = 1.0f; /* OIHW: [2][1][3][3] */
  dw[9 + 4] = 2.0f;
  for (int i = 0; i < 16; i++) {
    in2[2 * i] = (float)(i + 1);
    in2[2 * i + 1] = (float)(16 - i);
  }
  sk_conv2d *dwc = NULL;
  st = sk_conv2d_create(&cd, dw, NULL, &dwc);
  if (st == SK_ERR_UNSUPPORTED) {
    expect(dwc == NULL, "depthwise left out of this build: SK_ERR_UNSUPPORTED, no op");
    printf("depthwise: unsupported in this build\n");
  } else {
    expect(st == SK_OK, "sk_conv2d_create (depthwise)");
    const float box[16] = {14, 24, 30, 22, 33, 54, 63, 45, 57, 90, 99, 69, 46, 72, 78, 54};
    float out[32];
    st = sk_conv2d_run(dwc, 1, 4, 4, in2, out);
    int same = st == SK_OK;
    for (int i = 0; same && i < 16; i++)
      same = out[2 * i] == box[i] && out[2 * i + 1] == 2.0f * (float)(16 - i);
    printf("depthwise kernel %s\n", sk_conv2d_kernel_name(dwc));
    expect(same, "depthwise 3x3 computes the hand-worked values");
    sk_conv2d_destroy(dwc);
  }

  /* 2x2 max pooling, stride 2: the maximum of each 2x2 block. */
  sk_pool2d_desc pd;
  memset(&pd, 0, sizeof pd);
  pd.kind = SK_POOL_MAX;
  pd.layout = SK_LAYOUT_NHWC;
  pd.channels = 1;
  pd.kernel_h = pd.kernel_w = 2;
  sk_pool2d *pool = NULL;
  st = sk_pool2d_create(&pd, &pool);
  if (st == SK_ERR_UNSUPPORTED) {
    expect(pool == NULL, "pooling left out of this build: SK_ERR_UNSUPPORTED, no op");
    printf("pool: unsupported in this build\n");
  } else {
    expect(st == SK_OK, "sk_pool2d_create");
    float out[4] = {0};
    st = sk_pool2d_run(pool, 1, 4, 4, in, out);
    expect(st == SK_OK && out[0] == 6 && out[1] == 8 && out[2] == 14 && out[3] == 16,
           "max pool 2x2 computes the block maxima");
    printf("pool kernel %s\n", sk_pool2d_kernel_name(pool));
    sk_pool2d_destroy(pool);
  }

  printf("consumer: %s\n", failures ? "FAILED" : "all checks passed");
  return failures ? 1 : 0;
}
