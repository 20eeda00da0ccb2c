/*
 * Internal kernel interface: what dispatch/ hands a kernel, and the packed
 * weight format kernels read. Kernels compute only: no allocation, no
 * validation, no global state. Every kernel processes one image of a batch.
 */
#ifndef SK_KERNELS_H
#define SK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Convolution geometry of one run, all sizes already validated by dispatch/.
 * Output pixel (oy, ox) reads input rows oy*stride_h - pad_top + ky*dil_h and
 * columns ox*stride_w - pad_left + kx*dil_w; taps outside the input are zero.
 * out_min/out_max: the fused activation (-inf/+inf for none); NaN passes.
 */
typedef struct sk_conv_params {
  size_t in_h, in_w, out_h, out_w;
  size_t in_c, out_c;      /* total channels */
  size_t groups;           /* 1 for depthwise (see packing below) */
  size_t in_c_g, out_c_g;  /* per group; depthwise: in_c_g = 1, out_c_g = out_c */
  size_t mult;             /* depthwise channel multiplier (out_c / in_c), else 1 */
  size_t kernel_h, kernel_w, stride_h, stride_w, dil_h, dil_w;
  size_t pad_top, pad_left;
  size_t nr;               /* output-channel block of the packed weights */
  float out_min, out_max;
  const float *zero;       /* in_c_g zeros (at least 64), for taps in the padding */
} sk_conv_params;

/*
 * Packed weights (made once by dispatch/pack.c for the kernel's nr):
 *   for g in groups, for each block of nr output channels of the group:
 *     float bias[nr];
 *     float w[kernel_h][kernel_w][in_c_g][nr];
 * Lanes past the group's last output channel are zero. Depthwise ops are
 * packed as groups = 1, in_c_g = 1, out_c_g = out_c: output channel oc reads
 * input channel oc / mult. The packed weights start on a 64-byte boundary
 * and are followed by SK_PACKED_SLACK_BYTES of the same allocation, which
 * kernels may prefetch (never read).
 */
#define SK_PACKED_SLACK_BYTES 2304
static inline size_t sk_packed_block_size(const sk_conv_params *p) {
  return p->nr * (1 + p->kernel_h * p->kernel_w * p->in_c_g);
}

/* One image: input and output in the kernel's layout (NHWC or NCHW). */
typedef void (*sk_conv_fn)(const sk_conv_params *p, const float *packed,
                           const float *input, float *output);

/*
 * Pooling geometry of one run. Windows as for convolution. For average
 * pooling the divisor of window (oy, ox) is, with count_include_pad, the
 * window clipped to [-pad_top, in_h + pad_bottom) x [-pad_left, in_w +
 * pad_right); otherwise the number of input elements in it (an empty window
 * gives 0). Max pooling ignores padding (an empty window gives -inf).
 */
typedef struct sk_pool_params {
  size_t in_h, in_w, out_h, out_w, channels;
  size_t kernel_h, kernel_w, stride_h, stride_w, dil_h, dil_w;
  size_t pad_top, pad_left, pad_bottom, pad_right;
  int count_include_pad;
  float out_min, out_max;
} sk_pool_params;

typedef void (*sk_pool_fn)(const sk_pool_params *p, const float *input, float *output);

typedef struct sk_conv_kernel {
  const char *name; /* "<isa>/<kernel>" */
  size_t nr;        /* output-channel block the kernel's packed weights use */
  sk_conv_fn fn;
} sk_conv_kernel;

typedef struct sk_pool_kernel {
  const char *name;
  sk_pool_fn fn;
} sk_pool_kernel;

/* Scalar clamp that keeps NaN (comparisons with NaN are false). */
static inline float sk_clampf(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

/* ---- scalar kernels (kernels/<op>/<op>_<layout>_scalar.c) ---- */
void sk_conv2d_nhwc_direct__scalar(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_conv2d_nchw_direct__scalar(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_pointwise_nhwc__scalar(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_pointwise_nchw__scalar(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nhwc__scalar(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nchw__scalar(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_maxpool_nhwc__scalar(const sk_pool_params *p, const float *input, float *output);
void sk_maxpool_nchw__scalar(const sk_pool_params *p, const float *input, float *output);
void sk_avgpool_nhwc__scalar(const sk_pool_params *p, const float *input, float *output);
void sk_avgpool_nchw__scalar(const sk_pool_params *p, const float *input, float *output);
void sk_global_avgpool_nhwc__scalar(const sk_pool_params *p, const float *input, float *output);
void sk_global_avgpool_nchw__scalar(const sk_pool_params *p, const float *input, float *output);
void sk_global_maxpool_nhwc__scalar(const sk_pool_params *p, const float *input, float *output);
void sk_global_maxpool_nchw__scalar(const sk_pool_params *p, const float *input, float *output);

/* ---- AVX2+FMA kernels (kernels/<op>/<name>_avx2.c, x86-64 builds only) ---- */
void sk_conv2d_nhwc_direct_6x16__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
/* Small K, first layers included: groups 1, dil_w 1 and kernel_h * kernel_w * in_c <=
 * SK_CONV_NHWC_SMALLK_MAX_TAPS (1x1: SK_CONV_NHWC_SMALLK_MAX_TAPS_1X1; 1x1 320->1280 on 7x7 ran
 * 0.75x there). Create picks it (the table's small_k_*); it and the 6x16 entry hand each call to
 * the kernel sk_conv_nhwc_smallk_runs names (same packing). The small-K kernel tiles each output
 * row on its own (3 pixels a tile) and runs border pixels one at a time, so rows narrower than
 * SK_CONV_NHWC_SMALLK_MIN_W (1x1 stride-1 unpadded convs aside: their rows join) go to the 6x16
 * engine, whose tiles cross rows, past SK_CONV_NHWC_SMALLK_NARROW_TAPS (3x3 48->64 on 7x7: 0.84x
 * in small-K) and for 1x1 with in_c >= SK_CONV_NHWC_SMALLK_MIN_W_K (1x1 s2 256->512 on 14x14 ran
 * 9 pixels of tiles per 7-pixel row: 1.28-1.55x in the engine, median of 7 interleaved runs;
 * smaller K lost, 32->64: 0.87x, as did KxK, 3x3 s2 3->32 on 14x14: 0.46x). KxK up to K 512,
 * not 256: 5x5 16->32 on 224x224 1.08-1.15x, 3x3 32->128 on 55x55 1.06-1.23x. */
#define SK_CONV_NHWC_SMALLK_MAX_TAPS 512
#define SK_CONV_NHWC_SMALLK_MAX_TAPS_1X1 256
#define SK_CONV_NHWC_SMALLK_NARROW_TAPS 256
#define SK_CONV_NHWC_SMALLK_MIN_W 12
#define SK_CONV_NHWC_SMALLK_MIN_W_K 128
/* 1x1, stride 1, no padding: the image's pixels are one contiguous row. */
static inline int sk_conv_nhwc_flat(const sk_conv_params *p) {
  return p->kernel_h == 1 && p->kernel_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
         p->pad_top == 0 && p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
}
/* 1: this call runs the small-K kernel; 0: the 6x16 engine. */
static inline int sk_conv_nhwc_smallk_runs(const sk_conv_params *p) {
  const int kxk = p->kernel_h * p->kernel_w > 1;
  const size_t taps = p->kernel_h * p->kernel_w * p->in_c;
  if (p->groups != 1 || p->dil_w != 1 ||
      taps > (kxk ? SK_CONV_NHWC_SMALLK_MAX_TAPS : SK_CONV_NHWC_SMALLK_MAX_TAPS_1X1))
    return 0;
  if (p->out_w >= SK_CONV_NHWC_SMALLK_MIN_W || sk_conv_nhwc_flat(p)) return 1;
  return taps <= SK_CONV_NHWC_SMALLK_NARROW_TAPS && (kxk || p->in_c < SK_CONV_NHWC_SMALLK_MIN_W_K);
}
void sk_conv2d_nhwc_direct_smallk__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_pointwise_nhwc_6x16__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
/* NCHW direct and pointwise, nr = 8 (engine: kernels/sk_nchw_conv_avx2.h) */
void sk_conv2d_nchw_direct_4x24__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_pointwise_nchw_4x24__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
/* The one instance of the NCHW 4x24 engine behind both entries above
 * (pointwise != 0: no first-layer path). */
void sk_nchw_conv_4x24__avx2(const sk_conv_params *p, const float *packed, const float *input,
                             float *output, int pointwise);
/* depthwise: the entries pick a variant per call (kernels/depthwise/depthwise_<layout>_avx2.c) */
void sk_depthwise_nhwc__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nhwc_3x3s1__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nhwc_3x3s2__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nhwc_5x5s1__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nhwc_5x5s2__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nhwc_generic_8x8__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nchw__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nchw_3x3s1__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nchw_3x3s2__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nchw_5x5s1__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nchw_5x5s2__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
void sk_depthwise_nchw_generic_8x8__avx2(const sk_conv_params *p, const float *packed, const float *input, float *output);
/* pooling (kernels/pool/<op>_<layout>_<tile>_avx2.c) */
void sk_maxpool_nhwc_c32__avx2(const sk_pool_params *p, const float *input, float *output);
void sk_maxpool_nchw_w8__avx2(const sk_pool_params *p, const float *input, float *output);
void sk_avgpool_nhwc_c64__avx2(const sk_pool_params *p, const float *input, float *output);
void sk_avgpool_nchw_w8__avx2(const sk_pool_params *p, const float *input, float *output);
void sk_global_maxpool_nhwc_c64__avx2(const sk_pool_params *p, const float *input, float *output);
void sk_global_maxpool_nchw_8x8__avx2(const sk_pool_params *p, const float *input, float *output);
void sk_global_avgpool_nhwc_c64__avx2(const sk_pool_params *p, const float *input, float *output);
void sk_global_avgpool_nchw_8x8__avx2(const sk_pool_params *p, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif /* SK_KERNELS_H */
