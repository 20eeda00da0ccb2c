/*
 * Max and average pooling, NHWC, NEON: 16 channels (4 q; 8 on ARMv7) per step, then steps of 4,
 * the last one overlapping its predecessor; < 4 channels: scalar kernel. Border pixels loop their
 * clipped taps; max with (kernel_w, stride_w) = (2,1), (3,2), (3,1) carries column maxima.
 */
#include "sk_pool_neon.h"

#define NV (SK_NEON_A64 ? 4 : 2) /* q vectors per channel step */

typedef struct {
  const float *in; /* first valid window row, pixel 0, channel 0 */
  size_t nrows;    /* valid window rows */
  size_t rstep;    /* floats between them */
  size_t rows_div; /* divisor rows (average) */
  skp_act act;
} sk_rows;

/* Finishes the accumulators of channels [0, 4*nv): max or sum times scale, activation, stored. */
SK_ALWAYS_INLINE void put_out(int op, size_t nv, const skp_acc *acc, float scale, float *out,
                              const skp_act *act, uint32x4_t *bad) {
  for (size_t j = 0; j < nv; j++) {
    float32x4_t v = skp_get(op, acc[j], bad);
    if (op == SKP_AVG) v = vmulq_n_f32(v, scale);
    vst1q_f32(out + 4 * j, skp_clamp(act, v));
  }
}

/* One pixel, channels [0, 4*nv): nrows x ncols taps (rows rstep, columns cstep floats apart). */
SK_ALWAYS_INLINE void px(int op, size_t nv, const float *in, size_t nrows, size_t rstep,
                         size_t ncols, size_t cstep, float *out, float scale, const skp_act *act,
                         uint32x4_t *bad) {
  skp_acc acc[NV];
  for (size_t j = 0; j < nv; j++) acc[j] = skp_init(op);
  for (size_t r = 0; r < nrows; r++, in += rstep) {
    const float *q = in;
    for (size_t k = 0; k < ncols; k++, q += cstep)
      for (size_t j = 0; j < nv; j++) acc[j] = skp_put(op, acc[j], vld1q_f32(q + 4 * j));
  }
  put_out(op, nv, acc, scale, out, act, bad);
}

/* Puts the valid rows of one column, channels [0, 4*nv), into the max accumulators v. */
SK_ALWAYS_INLINE void col_into(size_t nv, const float *q, const sk_rows *rw, skp_acc *v) {
  for (size_t r = 0; r < rw->nrows; r++, q += rw->rstep)
    for (size_t j = 0; j < nv; j++) v[j] = skp_put(SKP_MAX, v[j], vld1q_f32(q + 4 * j));
}

/* Max over the valid rows of one column, channels [0, 4*nv). */
SK_ALWAYS_INLINE void col(size_t nv, const float *q, const sk_rows *rw, skp_acc *v) {
  for (size_t j = 0; j < nv; j++) v[j] = skp_init(SKP_MAX);
  col_into(nv, q, rw, v);
}

/* Max, dil_w = 1, (kw, sw) = (2,1), (3,2), (3,1): the n pixels from out, windows from column in,
 * stepping by sw. The kw - sw columns a window shares with the next (column maxima c0, c1) stay
 * in registers; a column shared with no other window goes straight into the window's max. */
SK_ALWAYS_INLINE void carry(size_t nv, size_t kw, size_t sw, const float *in, const sk_rows *rw,
                            size_t c_n, float *out, size_t n, uint32x4_t *bad) {
  skp_acc c0[NV], c1[NV];
  col(nv, in, rw, c0);
  if (kw - sw == 2) col(nv, in + c_n, rw, c1);
  in += (kw - sw) * c_n; /* the window's first column not shared with the previous one */
  for (size_t i = 0; i < n; i++, in += sw * c_n, out += c_n) {
    skp_acc m[NV], t[NV];
    for (size_t j = 0; j < nv; j++) m[j] = kw - sw == 2 ? skp_join(SKP_MAX, c0[j], c1[j]) : c0[j];
    if (sw == 2) col_into(nv, in, rw, m);
    col(nv, in + (sw - 1) * c_n, rw, t); /* shared with the next window */
    for (size_t j = 0; j < nv; j++) {
      m[j] = skp_join(SKP_MAX, m[j], t[j]);
      if (kw - sw == 2) {
        c0[j] = c1[j];
        c1[j] = t[j];
      } else {
        c0[j] = t[j];
      }
    }
    put_out(SKP_MAX, nv, m, 0.0f, out, &rw->act, bad);
  }
}

/* Channels [c, c + 4*nv) of one output row: border pixels, then the interior [ox_a, ox_b)
 * (mode 0: per pixel; 1, 2, 3: carry for (kernel_w, stride_w) = (2,1), (3,2), (3,1)). */
SK_ALWAYS_INLINE void blk(int op, size_t nv, const sk_pool_params *p, const sk_rows *rw, size_t c,
                          float *out_row, size_t ox_a, size_t ox_b, float scale_in, int mode,
                          uint32x4_t *bad) {
  const size_t c_n = p->channels, sw = p->stride_w, kw = p->kernel_w, cstep = p->dil_w * c_n;
  const float *in = rw->in + c;
  float *out = out_row + c;
  for (size_t ox = 0; ox < p->out_w; ox++) {
    if (ox == ox_a && ox_b > ox_a) {
      ox = ox_b - 1;
      continue;
    }
    size_t kx_lo, kx_hi, ix;
    sk_tap_range(ox, sw, p->pad_left, p->dil_w, kw, p->in_w, &kx_lo, &kx_hi, &ix);
    const float scale = op == SKP_AVG ? skp_inv(rw->rows_div * skp_cols(p, ox, kx_lo, kx_hi)) : 0;
    px(op, nv, in + ix * c_n, rw->nrows, rw->rstep, kx_hi - kx_lo, cstep, out + ox * c_n, scale,
       &rw->act, bad);
  }
  if (ox_b == ox_a) return;
  const float *q = in + (ox_a * sw - p->pad_left) * c_n;
  out += ox_a * c_n;
  const size_t n = ox_b - ox_a;
  if (op == SKP_MAX && mode == 1) {
    carry(nv, 2, 1, q, rw, c_n, out, n, bad);
  } else if (op == SKP_MAX && mode == 2) {
    carry(nv, 3, 2, q, rw, c_n, out, n, bad);
  } else if (op == SKP_MAX && mode == 3) {
    carry(nv, 3, 1, q, rw, c_n, out, n, bad);
  } else {
    for (size_t i = 0; i < n; i++, q += sw * c_n, out += c_n)
      px(op, nv, q, rw->nrows, rw->rstep, kw, cstep, out, scale_in, &rw->act, bad);
  }
}

SK_ALWAYS_INLINE void pool(int op, const sk_pool_params *p, const float *input, float *output) {
  const size_t c_n = p->channels, in_w = p->in_w, out_w = p->out_w;
  const size_t sw = p->stride_w, kw = p->kernel_w;
  size_t ox_a, ox_b;
  skp_interior(out_w, sw, p->pad_left, p->dil_w, kw, in_w, &ox_a, &ox_b);
  int mode = 0;
  if (op == SKP_MAX && p->dil_w == 1)
    mode = kw == 2 && sw == 1 ? 1 : kw == 3 && sw == 2 ? 2 : kw == 3 && sw == 1 ? 3 : 0;
  const size_t cols_in = ox_b > ox_a ? skp_cols(p, ox_a, 0, kw) : 0;
  sk_rows rw;
  rw.act = skp_act_of(p);
  for (size_t oy = 0; oy < p->out_h; oy++) {
    size_t ky_lo, ky_hi, iy;
    sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi, &iy);
    rw.in = input + iy * in_w * c_n;
    rw.nrows = ky_hi - ky_lo;
    rw.rstep = p->dil_h * in_w * c_n;
    rw.rows_div = op == SKP_AVG ? skp_rows(p, oy, ky_lo, ky_hi) : 0;
    const float scale_in = op == SKP_AVG ? skp_inv(rw.rows_div * cols_in) : 0.0f;
    float *out_row = output + oy * out_w * c_n;
    uint32x4_t bad = vdupq_n_u32(0);
    size_t c = 0;
    for (; c + 4 * NV <= c_n; c += 4 * NV)
      blk(op, NV, p, &rw, c, out_row, ox_a, ox_b, scale_in, mode, &bad);
    for (; c < c_n; c += 4) /* the last step overlaps its predecessor (same values again) */
      blk(op, 1, p, &rw, c + 4 <= c_n ? c : c_n - 4, out_row, ox_a, ox_b, scale_in, mode, &bad);
    if (op == SKP_MAX && skp_any(bad))
      skp_scalar_row(sk_maxpool_nhwc__scalar, p, c_n, rw.nrows, rw.in, out_row);
  }
}

void sk_maxpool_nhwc_c16__neon(const sk_pool_params *p, const float *input, float *output) {
  if (p->channels < 4 || skp_odd_bounds(p))
    sk_maxpool_nhwc__scalar(p, input, output);
  else
    pool(SKP_MAX, p, input, output);
}

void sk_avgpool_nhwc_c16__neon(const sk_pool_params *p, const float *input, float *output) {
  if (p->channels < 4)
    sk_avgpool_nhwc__scalar(p, input, output);
  else
    pool(SKP_AVG, p, input, output);
}
