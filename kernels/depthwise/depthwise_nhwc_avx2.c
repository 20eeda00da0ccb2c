/*
 * Depthwise conv, NHWC, AVX2+FMA: the table entry and the driver of the specialised kernels. Picks
 * per call the 3x3/5x5 stride 1/2 kernel (multiplier 1, dilation 1, square kernel and stride) or
 * the generic 8x8 one; tiles and remainders are documented in each kernel's file.
 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "compile with -mavx2 -mfma"
#endif

#include "depthwise_nhwc_avx2.h"

/* Table t: column j reads input column col0 + j (no lanes outside [0, in_w)). */
static void sk_dw_tab_init(sk_dw_tab *t, size_t NJ, ptrdiff_t col0, ptrdiff_t in_w, size_t cs,
                           __m256i tail) {
  const __m256i ones = _mm256_set1_epi32(-1), none = _mm256_setzero_si256();
  for (size_t j = 0; j < SK_DW_NJMAX; j++) {
    const ptrdiff_t col = col0 + (ptrdiff_t)j;
    const int in = j < NJ && col >= 0 && col < in_w;
    t->off[j] = in ? col * (ptrdiff_t)cs : 0;
    t->mask[0][j] = in ? ones : none;
    t->mask[1][j] = in ? tail : none;
  }
}

/* L1 and L2 budgets of a tile and a band (bytes). */
#define SK_DW_L1_BYTES 16384
#define SK_DW_L2_BYTES 262144

int sk_dw_nhwc_drive(const sk_conv_params *p, const float *packed, const float *input,
                     float *output, size_t K, size_t S, sk_dw_tile_fn tile) {
  const size_t C = p->in_c, in_w = p->in_w, out_w = p->out_w, pl = p->pad_left;
  const size_t NJ = (SK_DW_W - 1) * S + K;
  if (pl >= K || p->pad_top >= K) return 0;
  sk_dw_ctx c;
  c.input = input;
  c.packed = packed;
  c.output = output;
  c.bsize = sk_packed_block_size(p);
  c.nfull = C / 8;
  c.ncb = (C + 7) / 8;
  c.cs = C * sizeof(float);
  c.rs = in_w * c.cs;
  c.out_w = out_w;
  c.in_h = p->in_h;
  c.pad_top = p->pad_top;
  c.pad_left = pl;
  const __m256i tail = sk_mask8(C % 8);
  c.smask = tail;
  /* input past L2, stride 1: prefetch the next row (stride 2 ran without it 1.05-1.19x faster:
   * 3x3 s2 144 channels on 56x56 1.19x, 64 on 112x112 1.08x; stride 1 with it up to 1.05x) */
  c.prefetch = S == 1 && p->in_h * c.rs > (1u << 20);
  /* 4x16 pair groups (see sk_dw_group4x16): channel counts a multiple of 512, and 256 at stride
   * 2 (17 columns a row in 4 L1 sets: 3x3 s2 on 256 channels 28x28 and 56x56 1.27x; 768 channels
   * at stride 2 ran 0.9x, 256 at stride 1 0.88x) */
  c.pairs = K == 3 && (C % 512 == 0 || (S == 2 && C == 256));
  c.lo = _mm256_set1_ps(p->out_min);
  c.hi = _mm256_set1_ps(p->out_max);
  /* Slots on the grid: 8 s .. 8 s + 7, the first skipping L = pl columns,
   * all reading no column right of the input. */
  size_t n_grid = in_w + pl >= NJ ? (in_w + pl - NJ) / (SK_DW_W * S) + 1 : 0;
  if (n_grid > out_w / SK_DW_W) n_grid = out_w / SK_DW_W;
  c.n_grid = n_grid;
  c.L = pl;
  c.nright = 0;
  c.narrow = n_grid == 0;
  if (!c.narrow) { /* the outputs left: one or two slots, the last ending at out_w */
    const size_t rest = out_w - n_grid * SK_DW_W;
    if (rest > 0) c.right_pos[c.nright++] = out_w - SK_DW_W;
    if (rest > SK_DW_W) c.right_pos[c.nright++] = n_grid * SK_DW_W;
    for (size_t r = 0; r < c.nright; r++) {
      const size_t first = c.right_pos[r] * S, last = first + NJ - 1; /* padded columns */
      c.right_R[r] = last >= in_w + pl ? last - (in_w + pl - 1) : 0;
      if (first < pl || c.right_R[r] >= K || rest > 2 * SK_DW_W) c.narrow = 1;
    }
  }
  c.n7 = 0;
  c.R7 = 0;
  if (c.narrow && out_w == 7 && pl == K / 2) {
    const size_t last = 6 * S + K - 1; /* padded column */
    c.R7 = last >= in_w + pl ? last - (in_w + pl - 1) : 0;
    c.n7 = c.R7 + 1 == K / 2 || c.R7 == K / 2;
  }
  if (c.narrow) {
    c.nslot = (out_w + SK_DW_W - 1) / SK_DW_W;
    c.n_grid = c.nslot;
    if (c.nslot > SK_DW_NTAB) return 0;
    for (size_t s = 0; s < c.nslot; s++)
      sk_dw_tab_init(&c.tab[s], NJ, (ptrdiff_t)(s * SK_DW_W * S) - (ptrdiff_t)pl, (ptrdiff_t)in_w,
                     c.cs, tail);
  } else {
    c.nslot = n_grid + c.nright;
    sk_dw_tab_init(&c.tab[0], NJ, -(ptrdiff_t)pl, (ptrdiff_t)in_w, c.cs, tail);
    for (size_t r = 0; r < c.nright; r++)
      sk_dw_tab_init(&c.tab[1 + r], NJ, (ptrdiff_t)(c.right_pos[r] * S) - (ptrdiff_t)pl,
                     (ptrdiff_t)in_w, c.cs, tail);
    sk_dw_tab_init(&c.tab[3], NJ, 0, PTRDIFF_MAX, c.cs, tail);
  }
  /* Tiles: chunks of slots whose K input rows and output row (all channel
   * blocks) fit the L1 budget, so that a row's input stays in L1 for the
   * next K - 1 output rows; over bands of output rows whose input rows fit
   * the L2 budget. */
  const size_t px = c.cs;
  const size_t per_slot = (K * SK_DW_W * S + SK_DW_W) * px, halo = K * (K - S) * px;
  size_t chunk = SK_DW_L1_BYTES > halo + per_slot ? (SK_DW_L1_BYTES - halo) / per_slot : 1;
  size_t band = SK_DW_L2_BYTES / (c.rs + 1);
  band = band > K ? (band - K) / S + 1 : 1;
  for (size_t oy0 = 0; oy0 < p->out_h; oy0 += band) {
    const size_t oy1 = p->out_h - oy0 < band ? p->out_h : oy0 + band;
    for (size_t s0 = 0; s0 < c.nslot; s0 += chunk)
      tile(&c, oy0, oy1, s0, c.nslot - s0 < chunk ? c.nslot : s0 + chunk);
  }
  return 1;
}

void sk_depthwise_nhwc__avx2(const sk_conv_params *p, const float *packed, const float *input,
                             float *output) {
  if (p->mult == 1 && p->dil_h == 1 && p->dil_w == 1 && p->kernel_h == p->kernel_w &&
      p->stride_h == p->stride_w && p->nr == 8) {
    const size_t k = p->kernel_h, s = p->stride_h;
    if (k == 3 && s == 1) {
      sk_depthwise_nhwc_3x3s1__avx2(p, packed, input, output);
      return;
    }
    if (k == 3 && s == 2) {
      sk_depthwise_nhwc_3x3s2__avx2(p, packed, input, output);
      return;
    }
    if (k == 5 && s == 1) {
      sk_depthwise_nhwc_5x5s1__avx2(p, packed, input, output);
      return;
    }
    if (k == 5 && s == 2) {
      sk_depthwise_nhwc_5x5s2__avx2(p, packed, input, output);
      return;
    }
  }
  sk_depthwise_nhwc_generic_8x8__avx2(p, packed, input, output);
}
