/*
 * Depthwise conv, NHWC, NEON, any kernel/stride/dilation/multiplier: strips of 8 output pixels x
 * 4 channels, tap by tap (one weight vector each); tails and multipliers > 1: load + TBL.
 * Remainders: strips of 4 that skip taps outside the image (rows under 4: one); C_in < 4: lanes.
 */
#include "depthwise_neon.h"

/* ---- helpers shared with the other depthwise NEON kernels (cold) ---- */

void sk_ndw_store_part(float *dst, float32x4_t v, size_t n) {
  float32x2_t d = vget_low_f32(v);
  if (n >= 2) {
    vst1_f32(dst, d);
    dst += 2;
    n -= 2;
    d = vget_high_f32(v);
  }
  if (n) vst1_lane_f32(dst, d, 0);
}

uint8x16_t sk_ndw_tbl_index(const int f[4]) {
  uint8_t b[16];
  for (size_t l = 0; l < 4; l++)
    for (size_t k = 0; k < 4; k++) b[4 * l + k] = f[l] < 0 ? 0xff : (uint8_t)(4 * f[l] + (int)k);
  return vld1q_u8(b);
}

void sk_ndw_cb_update(sk_ndw_cb *cb, const sk_conv_params *p) {
  const size_t in_c = p->in_c, mult = p->mult;
  size_t ch[4], q = cb->q0, r = cb->ph;
  for (size_t l = 0; l < 4; l++) { /* ch[l] = (oc0 + l) / mult */
    ch[l] = q;
    if (++r == mult) {
      r = 0;
      q++;
    }
  }
  cb->nout = p->out_c - cb->oc0 < 4 ? p->out_c - cb->oc0 : 4;
  cb->idx = vdupq_n_u8(0xff);
  cb->lmask = vdupq_n_u32(0);
  cb->in_off = 0;
  if (mult == 1 && cb->nout == 4) {
    cb->mode = SK_NDW_PLAIN;
    cb->in_off = cb->oc0;
  } else if (in_c >= 4) {
    /* 4 channels from b hold every lane's channel: ch[nout-1] <= min(q0 + 3, in_c - 1) */
    const size_t b = cb->q0 < in_c - 4 ? cb->q0 : in_c - 4;
    int f[4];
    for (size_t l = 0; l < 4; l++) f[l] = l < cb->nout ? (int)(ch[l] - b) : -1;
    cb->mode = SK_NDW_TBL;
    cb->in_off = b;
    cb->idx = sk_ndw_tbl_index(f);
  } else {
    uint32_t m[4];
    for (size_t l = 0; l < 4; l++) {
      m[l] = l < cb->nout ? 0xffffffffu : 0;
      cb->loff[l] = l < cb->nout ? ch[l] : 0;
    }
    cb->mode = SK_NDW_LANES;
    cb->lmask = vld1q_u32(m);
  }
}

/* ---- the generic kernel ---- */

/* Outputs [0, n_o) of a strip, lanes [0, nout) of each (the slow path). */
SK_NDW_NOINLINE static void sk_ndw_store_outs(const sk_conv_params *p, float *dst,
                                              const float32x4_t *acc, size_t n_o, size_t nout) {
  const float32x4_t lo = vdupq_n_f32(p->out_min), hi = vdupq_n_f32(p->out_max);
  SK_NDW_NOUNROLL
  for (size_t o = 0; o < n_o; o++) {
    const float32x4_t v = sk_ndw_clamp(acc[o], lo, hi);
    if (nout >= 4)
      vst1q_f32(dst + o * p->out_c, v);
    else
      sk_ndw_store_part(dst + o * p->out_c, v, nout);
  }
}

/* UW outputs of one row from column pos, one channel vector. edge: only the
 * first n_o outputs are computed and stored, and taps outside the row are
 * skipped (else all lie inside and n_o = UW). */
SK_ALWAYS_INLINE void sk_ndw_strip(size_t UW, int mode, int edge, const sk_conv_params *p,
                                   const sk_ndw_cb *cb, const sk_ndw_row *rw, size_t pos,
                                   size_t n_o) {
  const size_t C = p->in_c, in_w = p->in_w, kw = p->kernel_w, S = p->stride_w, D = p->dil_w;
  const size_t row_step = p->dil_h * in_w * C, out_c = p->out_c, px = S * C;
  const ptrdiff_t col0 = (ptrdiff_t)(pos * S) - (ptrdiff_t)p->pad_left;
  float32x4_t acc[8];
  const float32x4_t bias = vld1q_f32(cb->w);
  SK_NDW_UNROLL
  for (size_t o = 0; o < UW; o++) acc[o] = bias;
  const float *w = cb->w + 4 * (1 + rw->ky_lo * kw);
  const float *row = rw->in + cb->in_off;
  for (size_t ky = 0; ky < rw->ky_n; ky++) {
    for (size_t kx = 0; kx < kw; kx++) {
      const float32x4_t wv = vld1q_f32(w + 4 * kx);
      const ptrdiff_t c = col0 + (ptrdiff_t)(kx * D);
      if (edge) {
        size_t m = n_o;
        SK_NDW_OPAQUE(m); /* no unswitching of the loops on o < m */
        SK_NDW_UNROLL
        for (size_t o = 0; o < UW; o++) {
          const ptrdiff_t cc = c + (ptrdiff_t)(o * S);
          if (o >= m || (size_t)cc >= in_w) continue; /* outside the row (cc < 0 wraps) */
          const float *a = row + (size_t)cc * C;
          SK_NDW_OPAQUE(a); /* no loop versions for unit strides */
          acc[o] = vfmaq_f32(acc[o], sk_ndw_load(mode, a, cb), wv);
        }
      } else {
        const float *src = row + c * (ptrdiff_t)C;
        SK_NDW_OPAQUE(src);
        SK_NDW_UNROLL
        for (size_t o = 0; o < UW; o++) {
          acc[o] = vfmaq_f32(acc[o], sk_ndw_load(mode, src, cb), wv);
          if (o + 1 < UW) src += px;
          SK_NDW_OPAQUE(src); /* one pointer (no loop versions for S * C == 1) */
        }
      }
    }
    row += row_step;
    w += 4 * kw;
    SK_NDW_OPAQUE(row); /* no loop versions for a row step of 1 */
  }
  float *dst = rw->out + pos * out_c + cb->oc0;
  if (cb->nout < 4 || (edge && n_o < UW)) {
    float32x4_t t[8]; /* a copy: acc itself must not escape (it would live in memory) */
    SK_NDW_UNROLL
    for (size_t o = 0; o < UW; o++) t[o] = acc[o];
    sk_ndw_store_outs(p, dst, t, n_o, cb->nout);
    return;
  }
  float32x4_t lo, hi;
  sk_ndw_bounds(p, &lo, &hi);
  SK_NDW_UNROLL
  for (size_t o = 0; o < UW; o++) vst1q_f32(dst + o * out_c, sk_ndw_clamp(acc[o], lo, hi));
}

/* One row of one channel vector: edge strips of 4 over [0, ox_a), main
 * strips of 8 over the interior (PLAIN only), edge strips of 4 from there on
 * (the last moved back to end at out_w, recomputing outputs with the same
 * sums); a row under 4 outputs is one edge strip. */
SK_ALWAYS_INLINE void sk_ndw_cols(int mode, const sk_conv_params *p, const sk_ndw_cb *cb,
                                  const sk_ndw_row *rw, size_t ox_a, size_t ox_b) {
  const size_t out_w = p->out_w, n_o = out_w < 4 ? out_w : 4;
  for (size_t ox = 0; ox < out_w;) {
    if (mode == SK_NDW_PLAIN && ox >= ox_a && ox + 8 <= ox_b) {
      sk_ndw_strip(8, mode, 0, p, cb, rw, ox, 8);
      ox += 8;
    } else {
      sk_ndw_strip(4, mode, 1, p, cb, rw, ox + 4 <= out_w ? ox : out_w - n_o, n_o);
      ox += 4;
    }
  }
}

void sk_ndw_nhwc_generic_part(const sk_conv_params *p, const float *packed, const float *input,
                              float *output, size_t oy0, size_t oy1, size_t oc_begin) {
  size_t ox_a, ox_b;
  sk_ndw_interior_cols(p, &ox_a, &ox_b);
  for (size_t oy = oy0; oy < oy1; oy++) {
    sk_ndw_row rw;
    sk_ndw_row_init(&rw, p, input, output, oy);
    sk_ndw_cb cb;
    sk_ndw_cb_first(&cb, p, packed);
    for (size_t oc0 = 0;;) {
      size_t first = oc_begin;
      SK_NDW_OPAQUE(first); /* one copy of the loop (no splitting on oc0 < first) */
      if (oc0 >= first) {
        if (cb.mode == SK_NDW_PLAIN)
          sk_ndw_cols(SK_NDW_PLAIN, p, &cb, &rw, ox_a, ox_b);
        else if (cb.mode == SK_NDW_TBL)
          sk_ndw_cols(SK_NDW_TBL, p, &cb, &rw, ox_a, ox_b);
        else
          sk_ndw_cols(SK_NDW_LANES, p, &cb, &rw, ox_a, ox_b);
      }
      oc0 += 4;
      if (oc0 >= p->out_c) break;
      sk_ndw_cb_next(&cb, p);
    }
  }
}

void sk_depthwise_nhwc_generic_8x4__neon(const sk_conv_params *p, const float *packed,
                                         const float *input, float *output) {
  sk_ndw_nhwc_generic_part(p, packed, input, output, 0, p->out_h, 0);
}
