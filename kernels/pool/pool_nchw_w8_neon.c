/*
 * Max and average pooling, NCHW, NEON: 8 output columns (2 q) per step over a row's interior, 4
 * when it has < 8, the last step overlapping; stride 2 deinterleaves with vld2q_f32. Clipped
 * border windows and rows with < 4 interior outputs: scalar per output; stride > 2: scalar kernel.
 */
#include "sk_pool_neon.h"

typedef struct {
  const float *in; /* first valid window row of the plane */
  size_t nrows;    /* valid window rows */
  size_t rstep;    /* floats between them (dil_h * in_w) */
  size_t rows_div; /* divisor rows (average) */
} sk_rows;

/* Stride 2: columns t, t+2, t+4, t+6 of q, reading only columns of the 4 windows starting at q,
 * 0, 2, 4, 6 (span 6 + ext for a window extent ext): t - 1 .. t + 6, or 0 .. 7 at t = 0. */
SK_ALWAYS_INLINE float32x4_t s2_tap(const float *q, size_t t, size_t ext) {
  if (t != 0) return vld2q_f32(q + t - 1).val[1];
  if (ext >= 2) return vld2q_f32(q).val[0];
  const float32x4_t a = vld1q_f32(q), b = vld1q_f32(q + 3); /* 1-column windows: 0 .. 6 */
  return vuzpq_f32(a, vextq_f32(b, b, 1)).val[0];
}

/* Tap at column offset t (stride 1: 4 columns from q + t). */
SK_ALWAYS_INLINE float32x4_t tap(size_t sw, const float *q, size_t t, size_t ext) {
  return sw == 2 ? s2_tap(q, t, ext) : vld1q_f32(q + t);
}

/* Outputs [0, 4*nv) whose windows start at column pointer q (first valid row), stride sw: op
 * over the taps into v. Even and odd taps go to separate accumulators (2*nv chains). */
SK_ALWAYS_INLINE void step(int op, size_t sw, size_t nv, const float *q, const sk_rows *rw,
                           size_t kw, size_t dw, skp_acc *v) {
  const size_t ext = (kw - 1) * dw + 1, ustep = 4 * sw;
  skp_acc e[2], o[2];
  for (size_t u = 0; u < nv; u++) e[u] = o[u] = skp_init(op);
  for (size_t r = 0; r < rw->nrows; r++, q += rw->rstep) {
    size_t kx = 0;
    if (sw == 2 && dw == 1) {
      for (; kx + 1 < kw; kx += 2)
        for (size_t u = 0; u < nv; u++) {
          const float32x4x2_t x = vld2q_f32(q + ustep * u + kx);
          e[u] = skp_put(op, e[u], x.val[0]);
          o[u] = skp_put(op, o[u], x.val[1]);
        }
    } else {
      for (; kx + 1 < kw; kx += 2)
        for (size_t u = 0; u < nv; u++) {
          e[u] = skp_put(op, e[u], tap(sw, q + ustep * u, kx * dw, ext));
          o[u] = skp_put(op, o[u], tap(sw, q + ustep * u, (kx + 1) * dw, ext));
        }
    }
    if (kx < kw)
      for (size_t u = 0; u < nv; u++)
        e[u] = skp_put(op, e[u], tap(sw, q + ustep * u, kx * dw, ext));
  }
  for (size_t u = 0; u < nv; u++) v[u] = skp_join(op, e[u], o[u]);
}

/* Outputs [ox, ox + 4*nv) of a row: step, then max or sum times scale, activation, stored. */
SK_ALWAYS_INLINE void vec(int op, size_t sw, size_t nv, const sk_pool_params *p, const sk_rows *rw,
                          size_t ox, float *row, float scale, const skp_act *act, uint32x4_t *bad) {
  skp_acc v[2];
  step(op, sw, nv, rw->in + (ox * sw - p->pad_left), rw, p->kernel_w, p->dil_w, v);
  for (size_t u = 0; u < nv; u++) {
    float32x4_t x = skp_get(op, v[u], bad);
    if (op == SKP_AVG) x = vmulq_n_f32(x, scale);
    vst1q_f32(row + ox + 4 * u, skp_clamp(act, x));
  }
}

/* Output column ox, scalar: the scalar kernel's operation and tap order (kx outer, ky inner). */
static float edge(int op, const sk_pool_params *p, const sk_rows *rw, size_t ox) {
  size_t kx_lo, kx_hi, ix;
  sk_tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->kernel_w, p->in_w, &kx_lo, &kx_hi, &ix);
  float v = op == SKP_MAX ? -INFINITY : 0.0f;
  for (size_t kx = kx_lo; kx < kx_hi; kx++) {
    const float *q = rw->in + ix + (kx - kx_lo) * p->dil_w;
    for (size_t r = 0; r < rw->nrows; r++) {
      const float x = q[r * rw->rstep];
      v = op == SKP_AVG ? v + x : (x > v || x != x) ? x : v;
    }
  }
  if (op == SKP_AVG) {
    const size_t count = rw->rows_div * skp_cols(p, ox, kx_lo, kx_hi);
    v = count != 0 ? v / (float)count : 0.0f;
  }
  return sk_clampf(v, p->out_min, p->out_max);
}

/* One output row; returns nonzero if a vector step needs the scalar rerun (max). */
SK_ALWAYS_INLINE int row_out(int op, size_t sw, const sk_pool_params *p, const sk_rows *rw,
                             float *row, size_t ox_a, size_t ox_b, float scale,
                             const skp_act *act) {
  uint32x4_t bad = vdupq_n_u32(0);
  const size_t n = ox_b - ox_a;
  if (n >= 8) {
    for (size_t ox = ox_a;; ox += 8) {
      if (ox + 8 > ox_b) ox = ox_b - 8; /* overlaps its predecessor: same values again */
      vec(op, sw, 2, p, rw, ox, row, scale, act, &bad);
      if (ox + 8 == ox_b) break;
    }
  } else if (n >= 4) {
    for (size_t ox = ox_a; ox < ox_b; ox += 4)
      vec(op, sw, 1, p, rw, ox + 4 <= ox_b ? ox : ox_b - 4, row, scale, act, &bad);
  } else {
    ox_b = ox_a; /* all scalar */
  }
  for (size_t ox = 0; ox < p->out_w; ox++) {
    if (ox == ox_a && ox_b > ox_a) {
      ox = ox_b - 1;
      continue;
    }
    row[ox] = edge(op, p, rw, ox);
  }
  return skp_any(bad);
}

SK_ALWAYS_INLINE void pool(int op, size_t sw, const sk_pool_params *p, const float *input,
                           float *output) {
  const size_t in_w = p->in_w, out_w = p->out_w;
  const size_t in_plane = p->in_h * in_w, out_plane = p->out_h * out_w;
  const skp_act act = skp_act_of(p);
  size_t ox_a, ox_b;
  skp_interior(out_w, sw, p->pad_left, p->dil_w, p->kernel_w, in_w, &ox_a, &ox_b);
  const size_t cols_in = ox_b > ox_a ? skp_cols(p, ox_a, 0, p->kernel_w) : 0;
  for (size_t c = 0; c < p->channels; c++) {
    for (size_t oy = 0; oy < p->out_h; oy++) {
      size_t ky_lo, ky_hi, iy;
      sk_tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->kernel_h, p->in_h, &ky_lo, &ky_hi,
                   &iy);
      sk_rows rw = {input + c * in_plane + iy * in_w, ky_hi - ky_lo, p->dil_h * in_w, 0};
      rw.rows_div = op == SKP_AVG ? skp_rows(p, oy, ky_lo, ky_hi) : 0;
      const float scale = op == SKP_AVG ? skp_inv(rw.rows_div * cols_in) : 0.0f;
      float *row = output + c * out_plane + oy * out_w;
      if (row_out(op, sw, p, &rw, row, ox_a, ox_b, scale, &act) && op == SKP_MAX)
        skp_scalar_row(sk_maxpool_nchw__scalar, p, 1, rw.nrows, rw.in, row);
    }
  }
}

static void max_s1(const sk_pool_params *p, const float *in, float *out) {
  pool(SKP_MAX, 1, p, in, out);
}
static void max_s2(const sk_pool_params *p, const float *in, float *out) {
  pool(SKP_MAX, 2, p, in, out);
}
static void avg_s1(const sk_pool_params *p, const float *in, float *out) {
  pool(SKP_AVG, 1, p, in, out);
}
static void avg_s2(const sk_pool_params *p, const float *in, float *out) {
  pool(SKP_AVG, 2, p, in, out);
}

void sk_maxpool_nchw_w8__neon(const sk_pool_params *p, const float *input, float *output) {
  if (p->stride_w > 2 || skp_odd_bounds(p))
    sk_maxpool_nchw__scalar(p, input, output);
  else
    (p->stride_w == 1 ? max_s1 : max_s2)(p, input, output);
}

void sk_avgpool_nchw_w8__neon(const sk_pool_params *p, const float *input, float *output) {
  if (p->stride_w > 2)
    sk_avgpool_nchw__scalar(p, input, output);
  else
    (p->stride_w == 1 ? avg_s1 : avg_s2)(p, input, output);
}
