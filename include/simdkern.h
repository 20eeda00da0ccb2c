/*
 * simdkern: hand-vectorized fp32 CNN kernels (direct, pointwise and depthwise
 * 2D convolution, max and average pooling) with runtime CPU dispatch.
 *
 * This header is the whole public API and a binary contract: names, values,
 * field order and struct layouts below never change; new functions, enum
 * values after the existing ones and struct fields at the end may be added.
 *
 * Semantics follow PyTorch (torch.nn.functional.conv2d, max_pool2d,
 * avg_pool2d). Tensors are dense fp32 arrays, batch outermost:
 *   SK_LAYOUT_NHWC: [batch][height][width][channels]
 *   SK_LAYOUT_NCHW: [batch][channels][height][width]
 *
 * Threading: creation and destruction of different ops may run concurrently;
 * one created op may be run from any number of threads at once (run only
 * reads the op). The library starts no threads and has no global constructors.
 * Memory: create allocates (malloc) and destroy frees; run allocates nothing.
 */
#ifndef SIMDKERN_H
#define SIMDKERN_H

#include <stddef.h>
#include <stdint.h>

#define SK_VERSION_MAJOR 0
#define SK_VERSION_MINOR 1
#define SK_VERSION_PATCH 0

#if defined(_WIN32) && defined(SIMDKERN_SHARED)
#if defined(SIMDKERN_BUILDING)
#define SK_API __declspec(dllexport)
#else
#define SK_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && defined(SIMDKERN_BUILDING)
#define SK_API __attribute__((visibility("default")))
#else
#define SK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Status codes. Every function that can fail returns one of these.         */

typedef enum sk_status {
  /* Success. */
  SK_OK = 0,
  /* A NULL pointer, a zero size, an unknown enum value or flag bit, an
   * inconsistent or out-of-range value (e.g. groups not dividing the
   * channel counts, act_min > act_max, a NaN bound, an input smaller than
   * the dilated kernel), or input and output buffers that overlap. */
  SK_ERR_INVALID_ARGUMENT = 1,
  /* A valid request that this build or this CPU cannot run, e.g. forcing
   * SK_ISA_NEON on x86 or SK_ISA_AVX2 on a CPU without AVX2+FMA. */
  SK_ERR_UNSUPPORTED = 2,
  /* malloc failed while creating an op. */
  SK_ERR_OUT_OF_MEMORY = 3,
  /* A tensor or buffer size (elements or bytes) does not fit in size_t, or
   * a padded extent (input + pads) does not fit in 32 bits. */
  SK_ERR_SIZE_OVERFLOW = 4
} sk_status;

/* A short constant English description of a status ("ok", "invalid
 * argument", ...); "unknown status" for values not listed above. Never NULL. */
SK_API const char *sk_status_string(sk_status status);

/* ------------------------------------------------------------------------ */
/* Instruction sets.                                                         */

typedef enum sk_isa {
  SK_ISA_AUTO = 0,   /* the best one available in this process */
  SK_ISA_SCALAR = 1, /* portable C, always available */
  SK_ISA_AVX2 = 2,   /* x86-64 with AVX2 + FMA and OS-saved YMM state */
  SK_ISA_NEON = 3    /* AArch64, or ARMv7 with NEON and VFPv4 */
} sk_isa;

/* What SK_ISA_AUTO picks in this process: the best ISA that this build
 * contains and this CPU runs, capped by the environment variable
 * SIMDKERN_ISA=scalar|avx2|neon (read once; an unknown or unsupported value
 * is ignored). Never SK_ISA_AUTO. */
SK_API sk_isa sk_isa_best(void);

/* Nonzero if an op can be created with this isa here (the build contains it
 * and the CPU runs it; SIMDKERN_ISA does not affect this). SK_ISA_AUTO and
 * SK_ISA_SCALAR are always supported; unknown values are not. */
SK_API int sk_isa_supported(sk_isa isa);

/* "auto", "scalar", "avx2", "neon"; "unknown" for other values. */
SK_API const char *sk_isa_name(sk_isa isa);

/* ------------------------------------------------------------------------ */
/* Layouts, activations, flags.                                              */

typedef enum sk_layout { SK_LAYOUT_NHWC = 0, SK_LAYOUT_NCHW = 1 } sk_layout;

typedef enum sk_weights_layout {
  SK_WEIGHTS_OIHW = 0, /* [out_channels][in_channels/groups][kernel_h][kernel_w], PyTorch */
  SK_WEIGHTS_OHWI = 1  /* [out_channels][kernel_h][kernel_w][in_channels/groups], TFLite/XNNPACK */
} sk_weights_layout;

/* Applied to every output after bias. NaN outputs stay NaN. */
typedef enum sk_activation {
  SK_ACT_NONE = 0,  /* identity */
  SK_ACT_RELU = 1,  /* max(x, 0) */
  SK_ACT_RELU6 = 2, /* min(max(x, 0), 6) */
  SK_ACT_CLAMP = 3  /* min(max(x, act_min), act_max); act_min <= act_max, neither NaN */
} sk_activation;

/* TensorFlow SAME padding: per spatial dim out = ceil(in / stride), total pad
 * max((out-1)*stride + dilation*(k-1) + 1 - in, 0), the odd element at the
 * bottom/right; recomputed for each input size. Explicit pads must be 0. */
#define SK_FLAG_SAME_PADDING (1u << 0)
/* Pooling: output size rounds up (PyTorch ceil_mode); a last window that
 * would start at or past input + pad_begin is dropped. */
#define SK_POOL_CEIL_MODE (1u << 1)
/* Average pooling: divide by the window clipped to the padded input
 * (PyTorch count_include_pad=True). Without it, divide by the number of real
 * input elements in the window. Ignored by max pooling. */
#define SK_POOL_COUNT_INCLUDE_PAD (1u << 2)
/* Pooling: window = the whole input, output 1x1; kernel, stride, dilation
 * and pads must be 0, and SK_FLAG_SAME_PADDING / SK_POOL_CEIL_MODE unset. */
#define SK_POOL_GLOBAL (1u << 3)

/* ------------------------------------------------------------------------ */
/* 2D convolution (direct, 1x1 pointwise, depthwise, grouped).               */

typedef struct sk_conv2d_desc {
  sk_layout layout;                 /* activations' layout, input and output */
  sk_weights_layout weights_layout; /* layout of the weights given to create */
  uint32_t in_channels, out_channels; /* both >= 1 */
  uint32_t groups;                 /* 0 means 1; must divide both channel counts */
  uint32_t kernel_h, kernel_w;     /* both >= 1 */
  uint32_t stride_h, stride_w;     /* 0 means 1 */
  uint32_t dilation_h, dilation_w; /* 0 means 1 */
  uint32_t pad_top, pad_left, pad_bottom, pad_right; /* zero padding */
  uint32_t flags;                  /* SK_FLAG_SAME_PADDING; other bits invalid */
  sk_activation activation;
  float act_min, act_max;          /* used by SK_ACT_CLAMP; act_min <= act_max */
  sk_isa isa;                      /* SK_ISA_AUTO: the best available */
} sk_conv2d_desc;

/* A created convolution: shape, chosen kernel and packed weights. */
typedef struct sk_conv2d sk_conv2d;

/* Validates desc, picks a kernel and ISA, packs weights (copied: the caller
 * may free them). weights holds out_channels * in_channels/groups * kernel_h
 * * kernel_w floats in desc->weights_layout; bias holds out_channels floats
 * or is NULL (zero bias). On success *op is a new op; on any error *op is set
 * to NULL (if op is not NULL). The kernel family follows the shape:
 * depthwise when groups == in_channels > 1 (channel multiplier
 * out_channels / in_channels), pointwise for other 1x1 kernels (any stride,
 * padding or groups), direct otherwise; sk_conv2d_kernel_name says which. */
SK_API sk_status sk_conv2d_create(const sk_conv2d_desc *desc, const float *weights,
                                  const float *bias, sk_conv2d **op);

/* The output height and width for an input of in_h x in_w. Fails with
 * SK_ERR_INVALID_ARGUMENT for a zero size or an input (plus pads) smaller than
 * the dilated kernel, SK_ERR_SIZE_OVERFLOW if in + pads exceeds 32 bits. */
SK_API sk_status sk_conv2d_output_size(const sk_conv2d *op, uint32_t in_h, uint32_t in_w,
                                       uint32_t *out_h, uint32_t *out_w);

/* Runs the op on batch images of in_h x in_w x in_channels in the op's
 * layout, writing batch x out_h x out_w x out_channels. input and output must
 * not overlap. Thread-safe for concurrent calls on one op; allocates nothing.
 * On any error the output buffer is untouched. */
SK_API sk_status sk_conv2d_run(const sk_conv2d *op, uint32_t batch, uint32_t in_h, uint32_t in_w,
                               const float *input, float *output);

/* "<isa>/<kernel>" of the kernel that runs, e.g. "scalar/conv2d_nhwc_direct";
 * "" for NULL. The string lives as long as the process. */
SK_API const char *sk_conv2d_kernel_name(const sk_conv2d *op);

/* Frees the op. NULL is a no-op. */
SK_API void sk_conv2d_destroy(sk_conv2d *op);

/* ------------------------------------------------------------------------ */
/* 2D pooling (max, average, global).                                        */

typedef enum sk_pool_kind { SK_POOL_MAX = 0, SK_POOL_AVG = 1 } sk_pool_kind;

typedef struct sk_pool2d_desc {
  sk_pool_kind kind;
  sk_layout layout;
  uint32_t channels;               /* >= 1 */
  uint32_t kernel_h, kernel_w;     /* >= 1 (0 with SK_POOL_GLOBAL) */
  uint32_t stride_h, stride_w;     /* 0 means the kernel size (PyTorch's default) */
  uint32_t dilation_h, dilation_w; /* 0 means 1; > 1 only for max pooling */
  uint32_t pad_top, pad_left, pad_bottom, pad_right; /* each < dilated kernel extent */
  uint32_t flags;                  /* SK_FLAG_SAME_PADDING, SK_POOL_* */
  sk_activation activation;
  float act_min, act_max;          /* used by SK_ACT_CLAMP */
  sk_isa isa;                      /* SK_ISA_AUTO: the best available */
} sk_pool2d_desc;

/* A created pooling op. */
typedef struct sk_pool2d sk_pool2d;

/* Validates desc and picks a kernel. On any error *op is set to NULL.
 * Padding is never part of a max (padded elements count as -infinity); a
 * window that covers no input element (possible only with pads over half the
 * window) gives -infinity for max and 0 for average pooling without
 * SK_POOL_COUNT_INCLUDE_PAD. */
SK_API sk_status sk_pool2d_create(const sk_pool2d_desc *desc, sk_pool2d **op);

/* As sk_conv2d_output_size. */
SK_API sk_status sk_pool2d_output_size(const sk_pool2d *op, uint32_t in_h, uint32_t in_w,
                                       uint32_t *out_h, uint32_t *out_w);

/* As sk_conv2d_run, with channels in and out. */
SK_API sk_status sk_pool2d_run(const sk_pool2d *op, uint32_t batch, uint32_t in_h, uint32_t in_w,
                               const float *input, float *output);

/* As sk_conv2d_kernel_name, e.g. "scalar/maxpool_nhwc". */
SK_API const char *sk_pool2d_kernel_name(const sk_pool2d *op);

/* Frees the op. NULL is a no-op. */
SK_API void sk_pool2d_destroy(sk_pool2d *op);

/* ------------------------------------------------------------------------ */

/* "MAJOR.MINOR.PATCH" of the library actually linked. */
SK_API const char *sk_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SIMDKERN_H */
