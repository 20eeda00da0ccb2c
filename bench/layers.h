/*
 * The benchmark suite as data: one row per layer of a real network. Each row
 * is benchmarked per ISA and per layout by bench_main.cc. Add a layer by
 * adding a row; nothing else changes.
 *
 * Shapes are PyTorch's: input N x C_in x H x W, output channels C_out,
 * a square kernel, equal pads on all four sides.
 */
#ifndef SIMDKERN_BENCH_LAYERS_H
#define SIMDKERN_BENCH_LAYERS_H

#include <stdint.h>

#include "simdkern.h"

typedef enum sk_bench_op {
  SK_BENCH_CONV = 0,       /* sk_conv2d: direct, pointwise or depthwise by shape */
  SK_BENCH_MAXPOOL = 1,    /* sk_pool2d, SK_POOL_MAX */
  SK_BENCH_AVGPOOL = 2,    /* sk_pool2d, SK_POOL_AVG */
  SK_BENCH_GLOBAL_AVG = 3  /* sk_pool2d, SK_POOL_AVG | SK_POOL_GLOBAL (kernel/stride/pad 0) */
} sk_bench_op;

typedef struct sk_bench_layer {
  const char *name; /* "<network>/<layer>": the benchmark is "<name>/<isa>/<layout>" */
  sk_bench_op op;
  uint32_t n, c_in, h, w;
  uint32_t c_out;   /* pooling: = c_in */
  uint32_t kernel;  /* kernel_h = kernel_w */
  uint32_t stride;  /* stride_h = stride_w */
  uint32_t pad;     /* all four sides */
  uint32_t groups;  /* conv only: 1, or c_in for depthwise */
  sk_activation act;
} sk_bench_layer;

/* clang-format off */
static const sk_bench_layer sk_bench_layers[] = {
  /* name                              op                    n  c_in    h    w  c_out  k  s  p  groups  act */
  /* examples/layers.c: the demo network on 224x224 */
  {"demo/conv1_3x3",                   SK_BENCH_CONV,        1,    1, 224, 224,   16,  3, 1, 1,    1, SK_ACT_RELU},
  {"demo/conv2_5x5",                   SK_BENCH_CONV,        1,   16, 224, 224,   32,  5, 1, 2,    1, SK_ACT_RELU},
  {"demo/maxpool_2x2s2",               SK_BENCH_MAXPOOL,     1,   32, 224, 224,   32,  2, 2, 0,    0, SK_ACT_NONE},
  {"demo/conv3_1x1",                   SK_BENCH_CONV,        1,   32, 112, 112,    8,  1, 1, 0,    1, SK_ACT_RELU},
  {"demo/global_avgpool",              SK_BENCH_GLOBAL_AVG,  1,    8, 112, 112,    8,  0, 0, 0,    0, SK_ACT_NONE},
  /* MobileNetV2 (ReLU6 after expansion and depthwise convs, none after projections) */
  {"mobilenetv2/conv1_3x3s2",          SK_BENCH_CONV,        1,    3, 224, 224,   32,  3, 2, 1,    1, SK_ACT_RELU6},
  {"mobilenetv2/dw_3x3_32x112",        SK_BENCH_CONV,        1,   32, 112, 112,   32,  3, 1, 1,   32, SK_ACT_RELU6},
  {"mobilenetv2/dw_3x3s2_144x56",      SK_BENCH_CONV,        1,  144,  56,  56,  144,  3, 2, 1,  144, SK_ACT_RELU6},
  {"mobilenetv2/pw_24to144_56",        SK_BENCH_CONV,        1,   24,  56,  56,  144,  1, 1, 0,    1, SK_ACT_RELU6},
  {"mobilenetv2/pw_320to1280_7",       SK_BENCH_CONV,        1,  320,   7,   7, 1280,  1, 1, 0,    1, SK_ACT_RELU6},
  /* ResNet-18 (ReLU after the convs shown; BatchNorm folded into the weights) */
  {"resnet18/conv1_7x7s2",             SK_BENCH_CONV,        1,    3, 224, 224,   64,  7, 2, 3,    1, SK_ACT_RELU},
  {"resnet18/maxpool_3x3s2",           SK_BENCH_MAXPOOL,     1,   64, 112, 112,   64,  3, 2, 1,    0, SK_ACT_NONE},
  {"resnet18/conv_3x3_64_56",          SK_BENCH_CONV,        1,   64,  56,  56,   64,  3, 1, 1,    1, SK_ACT_RELU},
  {"resnet18/conv_3x3_256_14",         SK_BENCH_CONV,        1,  256,  14,  14,  256,  3, 1, 1,    1, SK_ACT_RELU},
  {"resnet18/global_avgpool_512x7",    SK_BENCH_GLOBAL_AVG,  1,  512,   7,   7,  512,  0, 0, 0,    0, SK_ACT_NONE},
};
/* clang-format on */

#endif /* SIMDKERN_BENCH_LAYERS_H */
