/*
 * Depthwise conv, NCHW, AVX2+FMA: the table entry and the driver shared by the NCHW kernels.
 * Picks per call the 3x3/5x5 stride 1/2 kernel (dilation 1, square kernel and stride, any
 * multiplier) or the generic 8x8 one; tiles and remainders are documented in each kernel's file.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nchw_avx2.h"

/* How to load columns c .. c + 7 of any row of n floats (0 outside [0, n))
 * without reading outside the row: a masked load of the columns inside at
 * row + off, then a lane permute shifting them right by the columns missing
 * on the left (the lanes shifted in pick masked-off lanes: zeros). */
typedef struct sk_dwc_rec {
  __m256i mask, idx;
  size_t off;
} sk_dwc_rec;

static void sk_dwc_rec_init(sk_dwc_rec *r, ptrdiff_t c, ptrdiff_t n) {
  const ptrdiff_t lo = c > 0 ? c : 0, end = c + 8 < n ? c + 8 : n;
  const ptrdiff_t m = end > lo ? end - lo : 0; /* columns inside */
  r->off = m > 0 ? (size_t)lo : 0;
  r->mask = sk_mask8((size_t)m);
  r->idx = _mm256_and_si256(
      _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)(c - lo))),
      _mm256_set1_epi32(7)); /* lane j < lo - c: 8 + j + c - lo >= m, a zero */
}

SK_ALWAYS_INLINE __m256 sk_dwc_rec_load(const float *row, const sk_dwc_rec *r) {
  return _mm256_permutevar8x32_ps(_mm256_maskload_ps(row + r->off, r->mask), r->idx);
}

/*
 * The padded row as units of 8 columns: unit j = columns c0 + 8 j .. + 7,
 * j < nu. Units [ua, ub) lie inside the row (plain loads); unit ua - 1 (if
 * any) and unit ub (if < nu) load through the recipes rl, rr (all zeros if
 * outside the row); the units before and after those are zeros.
 */
typedef struct sk_dwc_units {
  size_t ua, ub, nu;
  sk_dwc_rec rl, rr;
} sk_dwc_units;

static void sk_dwc_units_init(sk_dwc_units *u, ptrdiff_t c0, ptrdiff_t n, size_t nu) {
  size_t ua = c0 < 0 ? (size_t)(-c0 + 7) / 8 : 0,
         ub = n - c0 >= 8 ? (size_t)(n - c0 - 8) / 8 + 1 : 0;
  if (ua > nu) ua = nu;
  if (ub > nu) ub = nu;
  if (ub < ua) ub = ua;
  u->ua = ua;
  u->ub = ub;
  u->nu = nu;
  sk_dwc_rec_init(&u->rl, c0 + 8 * ((ptrdiff_t)ua - 1), n);
  sk_dwc_rec_init(&u->rr, c0 + 8 * (ptrdiff_t)ub, n);
}

/* Unit j of row (src: the row at input column c0). */
SK_ALWAYS_INLINE __m256 sk_dwc_unit(const float *row, const float *src, const sk_dwc_units *u,
                                    size_t j) {
  if (j >= u->ua && j < u->ub) return _mm256_loadu_ps(src + 8 * j);
  if (j + 1 == u->ua) return sk_dwc_rec_load(row, &u->rl);
  if (j == u->ub) return sk_dwc_rec_load(row, &u->rr);
  return _mm256_setzero_ps();
}

/* Evens of x:y to ev, odds to od. */
SK_ALWAYS_INLINE void sk_dwc_split(float *ev, float *od, __m256 x, __m256 y) {
  const __m256 e = _mm256_shuffle_ps(x, y, _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 o = _mm256_shuffle_ps(x, y, _MM_SHUFFLE(3, 1, 3, 1));
  /* [x0 x2 y0 y2 x4 x6 y4 y6] -> [x0 x2 x4 x6 y0 y2 y4 y6] */
  _mm256_store_ps(ev, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8)));
  _mm256_store_ps(od, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), 0xD8)));
}

/*
 * Scratch rows i < nrows of a band: input row iy0 + i of plane (zeros
 * outside the plane), phase ph (of sw) element e = input column
 * c0 + e * sw + ph (0 outside the row), pw elements per phase, rows rs
 * apart; unsplit (split = 0): element e = input column c0 + e, sw * pw of
 * them. Each 8-float block is written once with an aligned store
 * (loads spanning stores still in flight would stall). Prefetches (to L2)
 * the input pf_step floats further on (what the next band copies).
 */
static void sk_dwc_copy_band(float *buf, size_t rs, size_t pw, size_t sw, const float *plane,
                             size_t in_h, size_t in_w, ptrdiff_t iy0, size_t nrows, ptrdiff_t c0,
                             int split, size_t pf_step) {
  __m256 z = _mm256_setzero_ps();
  SK_DWC_REG(z); /* no memset calls for the zero stores (a call per row) */
  const ptrdiff_t n = (ptrdiff_t)in_w;
  sk_dwc_units u;
  sk_dwc_units_init(&u, c0, n, sw <= 2 ? sw * pw / 8 : 0);
  const size_t ua = u.ua, ub = u.ub, nu = u.nu;
  const size_t pa = (ua + 1) / 2 * 2, pb = ub / 2 * 2 > pa ? ub / 2 * 2 : pa;
  for (size_t i = 0; i < nrows; i++) {
    const ptrdiff_t iy = iy0 + (ptrdiff_t)i;
    float *row = buf + i * rs;
    if (iy < 0 || iy >= (ptrdiff_t)in_h) {
      for (size_t e = 0; e < sw * pw; e += 8) _mm256_store_ps(row + e, z);
      continue;
    }
    const float *src = plane + (size_t)iy * in_w;
    if (pf_step != 0)
      for (size_t e = 0; e < in_w; e += 16)
        _mm_prefetch((const char *)(src + pf_step + e), _MM_HINT_T1);
    /* the row at column c0 (only dereferenced for columns >= 0) */
    const float *s0 = (const float *)((uintptr_t)src + (uintptr_t)(c0 * (ptrdiff_t)sizeof(float)));
    if (sw == 1 || !split) {
      size_t j = 0;
      for (; j + 1 < ua; j++) _mm256_store_ps(row + 8 * j, z);
      if (ua > 0) _mm256_store_ps(row + 8 * j++, sk_dwc_rec_load(src, &u.rl));
      for (; j < ub; j++) { /* (opaque: no memmove call per row) */
        __m256 x = _mm256_loadu_ps(s0 + 8 * j);
        SK_DWC_REG(x);
        _mm256_store_ps(row + 8 * j, x);
      }
      if (j < nu) _mm256_store_ps(row + 8 * j++, sk_dwc_rec_load(src, &u.rr));
      for (; j < nu; j++) _mm256_store_ps(row + 8 * j, z);
    } else if (sw == 2) {
      /* unit pairs [pa, pb) lie inside the row: two plain loads */
      for (size_t j = 0; j < nu; j += 2) {
        __m256 x, y;
        if (j >= pa && j < pb) {
          x = _mm256_loadu_ps(s0 + 8 * j);
          y = _mm256_loadu_ps(s0 + 8 * j + 8);
        } else {
          x = sk_dwc_unit(src, s0, &u, j);
          y = sk_dwc_unit(src, s0, &u, j + 1);
        }
        sk_dwc_split(row + 4 * j, row + pw + 4 * j, x, y);
      }
    } else {
      for (size_t ph = 0; ph < sw; ph++)
        for (size_t e = 0; e < pw; e++) {
          const ptrdiff_t c = c0 + (ptrdiff_t)(e * sw + ph);
          row[ph * pw + e] = c >= 0 && c < n ? src[c] : 0.0f;
        }
    }
  }
}

static size_t sk_dwc_round8(size_t n) { return (n + 7) / 8 * 8; }

int sk_dwc_nchw_drive(const sk_conv_params *p, const float *packed, const float *input,
                      float *output, int split, sk_dwc_band_fn band) {
  const size_t kh = p->kernel_h, kw = p->kernel_w, sh = p->stride_h, sw = p->stride_w;
  const size_t dh = p->dil_h, dw = p->dil_w, in_h = p->in_h, in_w = p->in_w;
  const size_t out_h = p->out_h, out_w = p->out_w;
  const size_t ext_h = (kh - 1) * dh + 1, hw = (kw - 1) * dw / sw;
  /* Chunks of cw output columns: phases of pw floats, rows of rs; at least
   * a tile of 8 rows (rows8 scratch rows) fits. */
  const size_t rows8 = 7 * sh + ext_h;
  size_t cw = sk_dwc_round8(out_w), pw, rs;
  for (;;) {
    pw = sk_dwc_round8(cw + hw);
    rs = sw * pw;
    if (rows8 * rs <= SK_DWC_CAP || cw == 8) break;
    cw -= 8;
  }
  if (rows8 * rs > SK_DWC_CAP) return 0;
  /* Bands of br output rows (a multiple of 8) whose scratch rows fit. */
  const size_t avail = SK_DWC_CAP / rs;
  size_t br = (avail - ext_h) / sh + 1;
  br = br / 8 * 8;
  _Alignas(32) float buf[SK_DWC_CAP];
  sk_dwc_band b;
  b.buf = buf;
  b.rs = rs;
  b.pw = pw;
  b.nr = p->nr;
  b.out_w = out_w;
  b.lo = _mm256_set1_ps(p->out_min);
  b.hi = _mm256_set1_ps(p->out_max);
  b.kh = kh;
  b.kw = kw;
  b.sh = sh;
  b.sw = sw;
  b.dh = dh;
  b.dw = dw;
  const size_t bsize = sk_packed_block_size(p), mult = p->mult;
  /* A plane in one band and one chunk: copy np planes (up to 16) before
   * computing them, so that the tiles never load what the copy just
   * stored (unaligned loads spanning stores in flight stall). */
  const size_t rows_all = ((out_h - 1) / 8 * 8 + ((out_h - 1) % 8 < 4 ? 4 : 8) - 1) * sh + ext_h;
  size_t np = 1;
  if (out_h <= br && out_w <= cw) {
    np = SK_DWC_CAP / (rows_all * rs);
    if (np > 16) np = 16;
  }
  const float *blk = packed; /* block and lane of output channel q * mult + m */
  size_t lane = 0;
  for (size_t q0 = 0; q0 < p->in_c; q0 += np) {
    const size_t nq = p->in_c - q0 < np ? p->in_c - q0 : np;
    for (size_t ox0 = 0; ox0 < out_w; ox0 += cw) {
      const size_t cols = out_w - ox0 < cw ? out_w - ox0 : cw;
      const ptrdiff_t c0 = (ptrdiff_t)(ox0 * sw) - (ptrdiff_t)p->pad_left;
      for (size_t oy0 = 0; oy0 < out_h; oy0 += br) {
        const size_t rows = out_h - oy0 < br ? out_h - oy0 : br;
        /* scratch rows the tiles read: the last tile has 8 rows, or 4 */
        const size_t last = (rows - 1) / 8 * 8, lr = rows - last > 4 ? 8 : 4;
        const size_t nrows = (last + lr - 1) * sh + ext_h;
        const ptrdiff_t iy0 = (ptrdiff_t)(oy0 * sh) - (ptrdiff_t)p->pad_top;
        const int more = q0 + nq < p->in_c || oy0 + br < out_h;
        /* prefetched: the rows the next band (or the next planes) copies */
        const size_t pf = !more ? 0 : (oy0 + br < out_h ? br * sh * in_w : nq * in_h * in_w) * 2;
        for (size_t i = 0; i < nq; i++)
          sk_dwc_copy_band(buf + i * nrows * rs, rs, pw, sw, input + (q0 + i) * in_h * in_w, in_h,
                           in_w, iy0, nrows, c0, split, pf);
        b.rows = rows;
        b.cols = cols;
        const float *bk = blk;
        size_t ln = lane;
        for (size_t i = 0; i < nq; i++) {
          b.buf = buf + i * nrows * rs;
          for (size_t m = 0; m < mult; m++) {
            b.bias = bk[ln];
            b.w = bk + b.nr + ln;
            b.out = output + (((q0 + i) * mult + m) * out_h + oy0) * out_w + ox0;
            band(&b);
            if (++ln == b.nr) {
              ln = 0;
              bk += bsize;
            }
          }
        }
      }
    }
    for (size_t i = 0; i < nq * mult; i++)
      if (++lane == b.nr) {
        lane = 0;
        blk += bsize;
      }
  }
  return 1;
}

void sk_depthwise_nchw__avx2(const sk_conv_params *p, const float *packed, const float *input,
                             float *output) {
  if (p->dil_h == 1 && p->dil_w == 1 && p->kernel_h == p->kernel_w && p->stride_h == p->stride_w) {
    const size_t k = p->kernel_h, s = p->stride_h;
    if (k == 3 && s == 1) {
      sk_depthwise_nchw_3x3s1__avx2(p, packed, input, output);
      return;
    }
    if (k == 3 && s == 2) {
      sk_depthwise_nchw_3x3s2__avx2(p, packed, input, output);
      return;
    }
    if (k == 5 && s == 1) {
      sk_depthwise_nchw_5x5s1__avx2(p, packed, input, output);
      return;
    }
    if (k == 5 && s == 2) {
      sk_depthwise_nchw_5x5s2__avx2(p, packed, input, output);
      return;
    }
  }
  sk_depthwise_nchw_generic_8x8__avx2(p, packed, input, output);
}
