/* Global average and max pooling, NHWC and NCHW, scalar: one output per channel over in_h*in_w.
 * NHWC: channels innermost (chunks of 64), pixels in blocks of 256; NCHW: 8 lanes over the plane.
 * Sums are blocked (block partials added to a total) to bound fp32 error; max propagates NaN. */
#include <math.h>
#include <stddef.h>

#include "sk_kernels.h"

#define SK_C_CHUNK 64 /* channels per pass in NHWC (stack partials) */
#define SK_BLOCK 256  /* pixels per partial sum */
#define SK_LANES 8    /* independent accumulators in NCHW */

static inline float max_nan(float v, float x) { return (x > v || x != x) ? x : v; }

void sk_global_avgpool_nhwc__scalar(const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, n = p->in_h * p->in_w;
  const float div = (float)n;
  float total[SK_C_CHUNK], part[SK_C_CHUNK];
  for (size_t c0 = 0; c0 < c_n; c0 += SK_C_CHUNK) {
    const size_t cn = c_n - c0 < SK_C_CHUNK ? c_n - c0 : SK_C_CHUNK;
    for (size_t c = 0; c < cn; c++) total[c] = 0.0f;
    for (size_t i0 = 0; i0 < n; i0 += SK_BLOCK) {
      const size_t i1 = n - i0 < SK_BLOCK ? n : i0 + SK_BLOCK;
      for (size_t c = 0; c < cn; c++) part[c] = 0.0f;
      for (size_t i = i0; i < i1; i++) {
        const float *in = input + i * c_n + c0;
        for (size_t c = 0; c < cn; c++) part[c] += in[c];
      }
      for (size_t c = 0; c < cn; c++) total[c] += part[c];
    }
    for (size_t c = 0; c < cn; c++)
      output[c0 + c] = sk_clampf(total[c] / div, p->out_min, p->out_max);
  }
}

void sk_global_avgpool_nchw__scalar(const sk_pool_params *p, const float *input, float *output) {
  const size_t n = p->in_h * p->in_w;
  const float div = (float)n;
  for (size_t c = 0; c < p->channels; c++) {
    const float *in = input + c * n;
    float total = 0.0f;
    for (size_t i0 = 0; i0 < n; i0 += SK_BLOCK) {
      const size_t len = n - i0 < SK_BLOCK ? n - i0 : SK_BLOCK;
      const float *src = in + i0;
      float acc[SK_LANES] = {0.0f};
      size_t i = 0;
      for (; i + SK_LANES <= len; i += SK_LANES) {
        for (size_t j = 0; j < SK_LANES; j++) acc[j] += src[i + j];
      }
      for (size_t j = 0; i + j < len; j++) acc[j] += src[i + j];
      float s = 0.0f;
      for (size_t j = 0; j < SK_LANES; j++) s += acc[j];
      total += s;
    }
    output[c] = sk_clampf(total / div, p->out_min, p->out_max);
  }
}

void sk_global_maxpool_nhwc__scalar(const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, n = p->in_h * p->in_w;
  for (size_t c = 0; c < c_n; c++) output[c] = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const float *in = input + i * c_n;
    for (size_t c = 0; c < c_n; c++) output[c] = max_nan(output[c], in[c]);
  }
  for (size_t c = 0; c < c_n; c++) output[c] = sk_clampf(output[c], p->out_min, p->out_max);
}

void sk_global_maxpool_nchw__scalar(const sk_pool_params *p, const float *input, float *output) {
  const size_t n = p->in_h * p->in_w;
  for (size_t c = 0; c < p->channels; c++) {
    const float *in = input + c * n;
    float acc[SK_LANES];
    for (size_t j = 0; j < SK_LANES; j++) acc[j] = -INFINITY;
    size_t i = 0;
    for (; i + SK_LANES <= n; i += SK_LANES) {
      for (size_t j = 0; j < SK_LANES; j++) acc[j] = max_nan(acc[j], in[i + j]);
    }
    for (size_t j = 0; i + j < n; j++) acc[j] = max_nan(acc[j], in[i + j]);
    float v = acc[0];
    for (size_t j = 1; j < SK_LANES; j++) v = max_nan(v, acc[j]);
    output[c] = sk_clampf(v, p->out_min, p->out_max);
  }
}
