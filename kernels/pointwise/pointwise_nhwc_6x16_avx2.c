/*
 * 1x1 convolution, NHWC, AVX2+FMA: 6 output pixels x 16 output channels of
 * ymm accumulators (12), weights packed in blocks of 16 (nr = 16). Pixel
 * remainders run the same tile with 1..5 rows; a channel block of < 16 stores
 * through a mask. Padded output pixels (input outside the image) get bias.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif


#include "sk_avx2_util.h"
#include "sk_kernels.h"

#define MR 6
#define NR 16

/* mr rows (compile-time constant after inlining) x 16 channels. in[m]: the
 * m-th pixel's first input channel of the group; out[m]: its output. */
static inline __attribute__((always_inline)) void sk_tile(size_t mr, size_t kc, const float *w,
                                                          const float *const *in, float *const *out,
                                                          size_t n, __m256 lo, __m256 hi) {
  __m256 a0[MR], a1[MR];
  const __m256 b0 = _mm256_loadu_ps(w), b1 = _mm256_loadu_ps(w + 8);
  for (size_t m = 0; m < mr; m++) {
    a0[m] = b0;
    a1[m] = b1;
  }
  w += NR;
  for (size_t k = 0; k < kc; k++) {
    const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);
    w += NR;
    for (size_t m = 0; m < mr; m++) {
      const __m256 x = _mm256_broadcast_ss(in[m] + k);
      a0[m] = _mm256_fmadd_ps(x, w0, a0[m]);
      a1[m] = _mm256_fmadd_ps(x, w1, a1[m]);
    }
  }
  for (size_t m = 0; m < mr; m++)
    sk_store16(out[m], sk_clamp8(a0[m], lo, hi), sk_clamp8(a1[m], lo, hi), n);
}

static void sk_tile_any(size_t mr, size_t kc, const float *w, const float *const *in,
                        float *const *out, size_t n, __m256 lo, __m256 hi) {
  switch (mr) {
    case 6:
      sk_tile(6, kc, w, in, out, n, lo, hi);
      break;
    case 5:
      sk_tile(5, kc, w, in, out, n, lo, hi);
      break;
    case 4:
      sk_tile(4, kc, w, in, out, n, lo, hi);
      break;
    case 3:
      sk_tile(3, kc, w, in, out, n, lo, hi);
      break;
    case 2:
      sk_tile(2, kc, w, in, out, n, lo, hi);
      break;
    default:
      sk_tile(1, kc, w, in, out, n, lo, hi);
      break;
  }
}

void sk_pointwise_nhwc_6x16__avx2(const sk_conv_params *p, const float *packed, const float *input,
                                  float *output) {
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t blocks = (p->out_c_g + NR - 1) / NR;
  const size_t bsize = sk_packed_block_size(p);
  const size_t in_w = p->in_w, in_h = p->in_h, out_w = p->out_w, out_h = p->out_h;
  const size_t in_c = p->in_c, out_c = p->out_c;
  const float *in[MR];
  float *out[MR];
  for (size_t g = 0; g < p->groups; g++) {
    for (size_t b = 0; b < blocks; b++) {
      const float *w = packed + (g * blocks + b) * bsize;
      const size_t oc0 = g * p->out_c_g + b * NR;
      const size_t n = p->out_c_g - b * NR < NR ? p->out_c_g - b * NR : NR;
      size_t m = 0;
      for (size_t oy = 0; oy < out_h; oy++) {
        const size_t iy = oy * p->stride_h - p->pad_top; /* wraps when in the top pad */
        for (size_t ox = 0; ox < out_w; ox++) {
          const size_t ix = ox * p->stride_w - p->pad_left;
          float *o = output + (oy * out_w + ox) * out_c + oc0;
          if (iy >= in_h || ix >= in_w) {
            /* padded pixel: bias and activation only */
            sk_tile(1, 0, w, in, &o, n, lo, hi);
            continue;
          }
          in[m] = input + (iy * in_w + ix) * in_c + g * p->in_c_g;
          out[m] = o;
          if (++m == MR) {
            sk_tile(MR, p->in_c_g, w, in, out, n, lo, hi);
            m = 0;
          }
        }
      }
      if (m) sk_tile_any(m, p->in_c_g, w, in, out, n, lo, hi);
    }
  }
}
