/*
 * Depthwise conv, NHWC, AVX2+FMA, any kernel/stride/dilation/multiplier: strips of 8 output pixels
 * x 8 channels over the columns whose taps lie inside, a weight vector per tap; multiplier > 1:
 * input lanes oc/mult by masked load + permute. Remainders: single pixels with clipped taps.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nhwc_avx2.h"

/* One block of (up to) 8 output channels oc0..oc0+7 (any multiplier). */
typedef struct sk_dw_cb {
  const float *w; /* bias; tap t (= ky*kernel_w + kx) at w + (1 + t) * nr */
  size_t in_off;  /* first input channel read: oc0 / mult */
  __m256i lmask;  /* input lanes inside the pixel */
  __m256i smask;  /* output lanes inside the pixel */
  __m256i perm;   /* lane j reads input lane perm[j] (identity for multiplier 1) */
  int plain;      /* multiplier 1 and a full block: plain loads and stores */
} sk_dw_cb;

/* The block of output channels oc0..oc0+7. */
static void sk_dw_cb_init(sk_dw_cb *cb, const sk_conv_params *p, const float *packed, size_t oc0) {
  const size_t nr = p->nr, mult = p->mult, in_c = p->in_c, out_c = p->out_c;
  cb->w = packed + oc0 / nr * sk_packed_block_size(p) + oc0 % nr;
  cb->in_off = oc0 / mult;
  const size_t n_out = out_c - oc0 < 8 ? out_c - oc0 : 8, n_in = in_c - cb->in_off;
  cb->lmask = sk_mask8(n_in < 8 ? n_in : 8);
  cb->smask = sk_mask8(n_out);
  int32_t idx[8];
  for (size_t j = 0; j < 8; j++)
    idx[j] = (int32_t)((oc0 + (j < n_out ? j : 0)) / mult - cb->in_off);
  cb->perm = _mm256_loadu_si256((const __m256i *)idx);
  cb->plain = mult == 1 && n_out == 8;
}

/* The input vector of the block's 8 output lanes at one pixel (src: the
 * pixel's input channel in_off). */
SK_ALWAYS_INLINE __m256 sk_dw_load(int plain, const sk_dw_cb *cb, const float *src) {
  if (plain) return _mm256_loadu_ps(src);
  return _mm256_permutevar8x32_ps(_mm256_maskload_ps(src, cb->lmask), cb->perm);
}

/* 8 output pixels whose kernel_w taps lie inside the input; nky tap rows
 * from ky_lo, base: output 0's tap (ky_lo, 0) at the block's input channel. */
SK_ALWAYS_INLINE void sk_dw_strip(int plain, const sk_conv_params *p, const sk_dw_cb *cb,
                                  const float *base, size_t ky_lo, size_t nky, float *dst,
                                  __m256 lo, __m256 hi) {
  const size_t C = p->in_c, kw = p->kernel_w, nr = p->nr;
  const size_t row_step = p->dil_h * p->in_w * C, col_step = p->dil_w * C;
  const size_t px_step = p->stride_w * C;
  __m256 acc[8];
  const __m256 bias = _mm256_loadu_ps(cb->w);
  SK_DW_UNROLL
  for (size_t o = 0; o < 8; o++) acc[o] = bias;
  const float *w = cb->w + (1 + ky_lo * kw) * nr;
  for (size_t r = 0; r < nky; r++, base += row_step) {
    const float *src = base;
    for (size_t kx = 0; kx < kw; kx++, src += col_step, w += nr) {
      const __m256 wv = _mm256_loadu_ps(w);
      SK_DW_UNROLL
      for (size_t o = 0; o < 8; o++)
        acc[o] = _mm256_fmadd_ps(sk_dw_load(plain, cb, src + o * px_step), wv, acc[o]);
    }
  }
  SK_DW_UNROLL
  for (size_t o = 0; o < 8; o++) {
    const __m256 v = sk_clamp8(acc[o], lo, hi);
    if (plain)
      _mm256_storeu_ps(dst + o * p->out_c, v);
    else
      _mm256_maskstore_ps(dst + o * p->out_c, cb->smask, v);
  }
}

/* One output pixel, taps clipped to the input (tap rows [ky_lo, ky_lo + nky)
 * from input row iy0). */
static void sk_dw_pixel(const sk_conv_params *p, const sk_dw_cb *cb, const float *input,
                        size_t ky_lo, size_t nky, size_t iy0, size_t ox, float *dst, __m256 lo,
                        __m256 hi) {
  const size_t C = p->in_c, kw = p->kernel_w, nr = p->nr;
  size_t kx_lo, kx_hi, ix0;
  sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, kw, p->in_w, &kx_lo, &kx_hi, &ix0);
  const float *base = input + (iy0 * p->in_w + ix0) * C + cb->in_off;
  __m256 acc = _mm256_loadu_ps(cb->w);
  for (size_t r = 0; r < nky; r++) {
    const float *src = base + r * p->dil_h * p->in_w * C;
    const float *w = cb->w + (1 + (ky_lo + r) * kw + kx_lo) * nr;
    for (size_t kx = kx_lo; kx < kx_hi; kx++, src += p->dil_w * C, w += nr)
      acc = _mm256_fmadd_ps(sk_dw_load(0, cb, src), _mm256_loadu_ps(w), acc);
  }
  _mm256_maskstore_ps(dst, cb->smask, sk_clamp8(acc, lo, hi));
}

void sk_depthwise_nhwc_generic_8x8__avx2(const sk_conv_params *p, const float *packed,
                                         const float *input, float *output) {
  const __m256 lo = _mm256_set1_ps(p->out_min), hi = _mm256_set1_ps(p->out_max);
  const size_t in_w = p->in_w, out_w = p->out_w, C = p->in_c, out_c = p->out_c;
  const size_t s = p->stride_w, pl = p->pad_left, ext = (p->kernel_w - 1) * p->dil_w + 1;
  /* outputs [ox_a, ox_b) have all kernel_w taps inside the input */
  size_t ox_a = (pl + s - 1) / s, ox_b = in_w + pl >= ext ? (in_w + pl - ext) / s + 1 : 0;
  if (ox_b > out_w) ox_b = out_w;
  if (ox_a > ox_b) ox_a = ox_b;
  for (size_t oy = 0; oy < p->out_h; oy++) {
    size_t ky_lo, ky_hi, iy0;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy0);
    float *orow = output + oy * out_w * out_c;
    for (size_t oc0 = 0; oc0 < out_c; oc0 += 8) {
      sk_dw_cb cb;
      sk_dw_cb_init(&cb, p, packed, oc0);
      size_t ox = 0;
      for (; ox < ox_a; ox++)
        sk_dw_pixel(p, &cb, input, ky_lo, ky_hi - ky_lo, iy0, ox, orow + ox * out_c + oc0, lo, hi);
      for (; ox + 8 <= ox_b; ox += 8) {
        const float *base = input + (iy0 * in_w + ox * s - pl) * C + cb.in_off;
        if (cb.plain)
          sk_dw_strip(1, p, &cb, base, ky_lo, ky_hi - ky_lo, orow + ox * out_c + oc0, lo, hi);
        else
          sk_dw_strip(0, p, &cb, base, ky_lo, ky_hi - ky_lo, orow + ox * out_c + oc0, lo, hi);
      }
      for (; ox < out_w; ox++)
        sk_dw_pixel(p, &cb, input, ky_lo, ky_hi - ky_lo, iy0, ox, orow + ox * out_c + oc0, lo, hi);
    }
  }
}
