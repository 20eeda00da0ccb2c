/*
 * Kernel-level edge tests: every entry of every supported ISA's kernel table
 * (sk_functable_build; scalar, AVX2, NEON), both layouts, all seven
 * families, called directly with hand-built sk_conv_params / sk_pool_params
 * and weights packed for the entry's nr, against the naive reference
 * (tests/ref). Each config runs on every ISA's entry of its family and
 * layout against one reference result. Sweeps each kernel's edges:
 *   conv_channels  every channel count 1..2*nr+1 (out, in, per group;
 *                  depthwise with multipliers 1..3), plus a few > 64
 *   conv_pixels    output widths 1..17 x heights 1..5 (every remainder of a
 *                  tile of up to 8 pixels, also crossing rows) and wide rows
 *                  around multiples of 8/16/24 (vectors over width)
 *   conv_borders   every pad 0..2 per side x stride 1..3 x kernel 1/3/5 x
 *                  dilation 1/2, on sizes varying the right/bottom leftover
 *   conv_asym      kh != kw, sh != sw, dh != dw, random pads
 *   conv_align     input x output offsets 0..7 floats from 32 bytes
 *   conv_large     sizes past blocking thresholds (L1/L2 chunks, scratch)
 *   pool_*         the same for pooling (channels 1..129, kernel 2 too, ceil
 *                  mode, count_include_pad; global pooling over channels
 *                  and plane sizes around 8, 64 and 256 elements)
 * Elsewhere the input offset rotates over 1..7 floats past a 32-byte
 * boundary, the output offset over 0..7, activations, bias and NaN/inf
 * inputs rotate too.
 *
 * Every call: the input ends exactly at the end of its allocation (ASan
 * catches over-reads) and the floats before it hold NaN (a read-and-use
 * before the start shows in the result); the output sits between guard
 * zones of a sentinel that must stay untouched; the input, the packed
 * weights and the zero row (max(in_c, 64) zeros) must be unchanged
 * afterwards. Sums within 1e-5*sum|w*x| + 1e-6, max pooling exact
 * (NaN == NaN).
 *
 * On Linux, one config in three instead puts the input, the packed weights
 * and the zero row read-only at the very end of their own mmap, before an
 * inaccessible page (and after one): any over-read faults, also through
 * intrinsics GCC's ASan does not instrument (e.g. _mm256_broadcast_ss) and
 * without ASan at all (native, qemu); the crash handler prints the config
 * before cmocka reports the signal.
 *
 * An ISA table entry identical to one already listed (same function and
 * nr: an ISA that keeps the scalar kernel) is tested once.
 * SIMDKERN_TEST_QUICK=1 keeps a representative subset (~1/8 of the runs:
 * the block edges and every width once, plus a fixed hash sample).
 * Arguments: [cmocka test filter | -] [skip filter], as the other tests.
 * Needs the static library: sk_functable_build and sk_pack_conv_weights are
 * hidden symbols (tests/CMakeLists.txt skips this test in shared builds).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#define KT_HAVE_PAGES 1
#else
#define KT_HAVE_PAGES 0
#endif

#include "common/test_util.h"
#include "ref/ref.h"
#include "simdkern.h"
#include "sk_dispatch.h"
#include "sk_pack.h"

/* ------------------------------------------------------------------------ */
/* Kernel table entries                                                      */

typedef enum kfam {
  F_DIRECT,
  F_POINTWISE,
  F_DEPTHWISE,
  F_MAXPOOL,
  F_AVGPOOL,
  F_GMAXPOOL,
  F_GAVGPOOL,
  F_COUNT
} kfam;

static const char *const fam_names[F_COUNT] = {"conv_direct", "pointwise",      "depthwise",
                                               "maxpool",     "avgpool",        "global_maxpool",
                                               "global_avgpool"};

static int fam_is_conv(kfam f) { return f <= F_DEPTHWISE; }
static int fam_is_max(kfam f) { return f == F_MAXPOOL || f == F_GMAXPOOL; }
static int fam_is_global(kfam f) { return f == F_GMAXPOOL || f == F_GAVGPOOL; }

typedef struct kentry {
  sk_isa isa;
  kfam fam;
  sk_layout layout;
  const char *name;
  size_t nr; /* conv only */
  sk_conv_fn conv;
  sk_pool_fn pool;
} kentry;

#define MAX_ENTRIES (3 * F_COUNT * 2)
static kentry g_entries[MAX_ENTRIES];
static size_t g_num_entries;
static int g_collected;

static void add_entry(sk_isa isa, kfam f, sk_layout l, const char *name, size_t nr,
                      sk_conv_fn conv, sk_pool_fn pool) {
  for (size_t i = 0; i < g_num_entries; i++) {
    const kentry *o = &g_entries[i];
    if (o->fam == f && o->layout == l && o->conv == conv && o->pool == pool && o->nr == nr)
      return; /* the same kernel, already listed (e.g. a scalar fallback) */
  }
  if (g_num_entries >= MAX_ENTRIES) return;
  kentry *e = &g_entries[g_num_entries++];
  e->isa = isa;
  e->fam = f;
  e->layout = l;
  e->name = name;
  e->nr = nr;
  e->conv = conv;
  e->pool = pool;
}

static void collect_entries(void) {
  if (g_collected) return;
  g_collected = 1;
  const sk_isa isas[3] = {SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON};
  for (int i = 0; i < 3; i++) {
    if (!sk_isa_supported(isas[i])) continue;
    sk_functable t;
    memset(&t, 0, sizeof t);
    if (!sk_functable_build(isas[i], &t)) continue; /* checked in kernel_table */
    for (int l = 0; l < 2; l++) {
      const sk_layout L = (sk_layout)l;
      add_entry(isas[i], F_DIRECT, L, t.conv_direct[l].name, t.conv_direct[l].nr,
                t.conv_direct[l].fn, NULL);
      add_entry(isas[i], F_POINTWISE, L, t.pointwise[l].name, t.pointwise[l].nr,
                t.pointwise[l].fn, NULL);
      add_entry(isas[i], F_DEPTHWISE, L, t.depthwise[l].name, t.depthwise[l].nr,
                t.depthwise[l].fn, NULL);
      add_entry(isas[i], F_MAXPOOL, L, t.maxpool[l].name, 0, NULL, t.maxpool[l].fn);
      add_entry(isas[i], F_AVGPOOL, L, t.avgpool[l].name, 0, NULL, t.avgpool[l].fn);
      add_entry(isas[i], F_GMAXPOOL, L, t.global_maxpool[l].name, 0, NULL,
                t.global_maxpool[l].fn);
      add_entry(isas[i], F_GAVGPOOL, L, t.global_avgpool[l].name, 0, NULL,
                t.global_avgpool[l].fn);
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Sweep bookkeeping, quick mode                                             */

/* The entries of one family and layout, one per ISA that has its own
 * kernel there: every config runs on all of them against one reference.
 * nr: the largest of theirs (the channel sweeps cover every entry's). */
typedef struct kgroup {
  kfam fam;
  sk_layout layout;
  size_t nr;
  size_t n;
  const kentry *e[3];
} kgroup;

static size_t entry_index(const kentry *e) { return (size_t)(e - g_entries); }

typedef struct stats {
  const char *sweep;
  uint64_t salt;
  size_t configs[MAX_ENTRIES], failures[MAX_ENTRIES], printed[MAX_ENTRIES]; /* per entry */
} stats;

#define MAX_PRINTED_PER_ENTRY 6

static uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/* Quick mode keeps config idx of a sweep with probability 1/ratio (a fixed
 * hash, so the subset differs between sweeps but not between runs). */
static int kt_keep(const stats *s, size_t idx, unsigned ratio) {
  if (!test_quick() || ratio <= 1) return 1;
  return mix64(s->salt ^ ((uint64_t)idx * 0x100000001B3ull)) % ratio == 0;
}

static uint64_t cfg_seed(const stats *s, size_t idx) { return mix64(s->salt + idx) | 1u; }

static const sk_activation acts[4] = {SK_ACT_NONE, SK_ACT_RELU, SK_ACT_RELU6, SK_ACT_CLAMP};
#define ACT_MIN (-0.5f)
#define ACT_MAX 0.7f

static void act_bounds(sk_activation a, float *lo, float *hi) {
  switch (a) {
    case SK_ACT_RELU: *lo = 0.0f; *hi = INFINITY; return;
    case SK_ACT_RELU6: *lo = 0.0f; *hi = 6.0f; return;
    case SK_ACT_CLAMP: *lo = ACT_MIN; *hi = ACT_MAX; return;
    default: *lo = -INFINITY; *hi = INFINITY; return;
  }
}

/* ------------------------------------------------------------------------ */
/* Buffers                                                                   */

static float *aligned_block(size_t nfloats) {
  void *p = NULL;
  if (posix_memalign(&p, 32, (nfloats ? nfloats : 1) * sizeof(float)) != 0 || p == NULL) {
    fprintf(stderr, "test: out of memory (%zu floats)\n", nfloats);
    abort();
  }
  return (float *)p;
}

/* An output of n floats at `off` (0..7) floats past a 32-byte boundary,
 * between guard zones of TEST_GUARD_FLOATS+ sentinels (tests/common). */
static float *place_output(guarded *g, size_t n, size_t off) {
  const uint32_t bits = TEST_SENTINEL_BITS;
  float s;
  memcpy(&s, &bits, sizeof s);
  g->n = n;
  g->total = n + 2 * TEST_GUARD_FLOATS + 8;
  g->base = aligned_block(g->total);
  for (size_t i = 0; i < g->total; i++) g->base[i] = s;
  g->data = g->base + TEST_GUARD_FLOATS + (off & 7);
  return g->data;
}

/* Read-only buffers that end at a page boundary, between inaccessible
 * pages (KT_HAVE_PAGES); the floats before the data in its first page hold
 * NaN. Elsewhere: aligned_block. */
typedef struct pgbuf {
  char *map;
  size_t len, page;
  float *block; /* !KT_HAVE_PAGES */
} pgbuf;

static float *pg_alloc(pgbuf *b, size_t n) {
  memset(b, 0, sizeof *b);
#if KT_HAVE_PAGES
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const size_t bytes = (n ? n : 1) * sizeof(float);
  const size_t dpages = (bytes + page - 1) / page;
  b->page = page;
  b->len = (dpages + 2) * page;
  void *m = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    perror("test: mmap");
    abort();
  }
  b->map = (char *)m;
  if (mprotect(b->map, page, PROT_NONE) != 0 ||
      mprotect(b->map + (dpages + 1) * page, page, PROT_NONE) != 0) {
    perror("test: mprotect");
    abort();
  }
  float *data = (float *)(b->map + (dpages + 1) * page - bytes);
  for (float *q = (float *)(b->map + page); q < data; q++) *q = NAN;
  return data;
#else
  b->block = aligned_block(n);
  return b->block;
#endif
}

static void pg_readonly(pgbuf *b) {
#if KT_HAVE_PAGES
  if (mprotect(b->map + b->page, b->len - 2 * b->page, PROT_READ) != 0) {
    perror("test: mprotect");
    abort();
  }
#else
  (void)b;
#endif
}

static void pg_free(pgbuf *b) {
#if KT_HAVE_PAGES
  munmap(b->map, b->len);
#else
  free(b->block);
#endif
}


/* A buffer the kernel only reads (input, packed weights, zero row): n
 * floats at `off` floats past a 32-byte boundary, ending exactly at the end
 * of the allocation, the `off` floats before holding NaN; or, paged, at
 * the end of read-only pages between inaccessible ones (pg_alloc). */
typedef struct rbuf {
  int paged;
  pgbuf pg;
  float *block, *data;
} rbuf;

static float *rbuf_alloc(rbuf *r, size_t n, size_t off, int paged) {
  memset(r, 0, sizeof *r);
  r->paged = paged && KT_HAVE_PAGES;
  if (r->paged) {
    r->data = pg_alloc(&r->pg, n);
  } else {
    r->block = aligned_block(off + n);
    for (size_t i = 0; i < off; i++) r->block[i] = NAN;
    r->data = r->block + off;
  }
  return r->data;
}

/* Paged: make it read-only (call once filled). */
static void rbuf_seal(rbuf *r) {
  if (r->paged) pg_readonly(&r->pg);
}

static int rbuf_prefix_intact(const rbuf *r) {
  if (r->paged) return 1; /* read-only: a write would have faulted */
  for (const float *q = r->block; q < r->data; q++)
    if (!isnan(*q)) return 0;
  return 1;
}

static void rbuf_free(rbuf *r) {
  if (r->paged)
    pg_free(&r->pg);
  else
    free(r->block);
}

/* "(c, y, x)" of output index i for a C x H x W image in layout l. */
static void out_coords(sk_layout l, size_t C, size_t H, size_t W, size_t i, char *buf,
                       size_t n) {
  size_t c, y, x;
  if (l == SK_LAYOUT_NCHW) {
    x = i % W;
    y = (i / W) % H;
    c = i / (W * H);
  } else {
    c = i % C;
    x = (i / C) % W;
    y = i / (C * W);
  }
  snprintf(buf, n, "(c=%zu, y=%zu, x=%zu)", c, y, x);
}

static void report_fail(stats *s, const kentry *e, const char *config, const char *what) {
  const size_t i = entry_index(e);
  s->failures[i]++;
  if (s->printed[i]++ < MAX_PRINTED_PER_ENTRY) {
    char nr[32] = "";
    if (fam_is_conv(e->fam)) snprintf(nr, sizeof nr, ", nr %zu", e->nr);
    print_error("[%s] FAIL %s (isa %s, %s, %s%s): %s\n  config: %s\n", s->sweep, e->name,
                sk_isa_name(e->isa), fam_names[e->fam], test_layout_name(e->layout), nr, what,
                config);
  }
}

/* ------------------------------------------------------------------------ */
/* Crash reporting: a kernel that faults (a paged buffer over-read, a wild
 * write) gets its config printed before the signal goes on to cmocka's (or
 * ASan's) handler.                                                          */

struct conv_cfg;
struct pool_cfg;
static struct {
  const char *sweep;
  const kentry *e;
  const struct conv_cfg *conv;
  const struct pool_cfg *pool;
  size_t oh, ow;
} g_crash;

static void crash_enter(const kentry *e, const struct conv_cfg *conv,
                        const struct pool_cfg *pool, size_t oh, size_t ow) {
  g_crash.e = e;
  g_crash.conv = conv;
  g_crash.pool = pool;
  g_crash.oh = oh;
  g_crash.ow = ow;
}

static void crash_leave(void) { g_crash.e = NULL; }

/* ------------------------------------------------------------------------ */
/* Convolution                                                               */

typedef struct geo {
  size_t kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
} geo;

typedef struct conv_cfg {
  size_t in_c, out_c, groups; /* direct/pointwise; out_c/groups per group */
  size_t mult;                /* depthwise: out_c = in_c * mult */
  geo g;
  size_t in_h, in_w;
  sk_activation act;
  int bias;
  size_t nan_inputs;
  size_t in_off, out_off, w_off; /* floats past a 32-byte boundary */
  int paged; /* input, weights, zero row at page ends instead (rbuf) */
  uint64_t seed;
} conv_cfg;

static geo mkgeo(size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt,
                 size_t pl, size_t pb, size_t pr) {
  geo g = {kh, kw, sh, sw, dh, dw, pt, pl, pb, pr};
  return g;
}
static geo sq(size_t k, size_t s, size_t p, size_t d) { return mkgeo(k, k, s, s, d, d, p, p, p, p); }
static size_t ext_of(size_t k, size_t d) { return d * (k - 1) + 1; }

/* Input extent that gives `out` outputs (plus `extra` < stride leftover
 * columns), at least 1. */
static size_t in_for_out(size_t out, size_t k, size_t s, size_t d, size_t p0, size_t p1,
                         size_t extra) {
  const size_t need = (out - 1) * s + ext_of(k, d) + extra;
  return need > p0 + p1 ? need - p0 - p1 : 1;
}

/* Per-config variety shared by every sweep: offsets, activation, bias, NaN. */
static void conv_vary(conv_cfg *c, const stats *s, size_t idx) {
  c->in_off = 1 + idx % 7;
  c->out_off = (idx * 3) % 8;
  c->w_off = ((idx >> 1) & 1) * 4;
  c->act = acts[(idx / 3) % 4];
  c->bias = idx % 5 != 4;
  c->nan_inputs = idx % 11 == 7 ? 2 : 0;
  c->paged = KT_HAVE_PAGES && idx % 3 == 0;
  c->seed = cfg_seed(s, idx);
}

static void conv_describe(const kentry *e, const conv_cfg *c, size_t oh, size_t ow, char *buf,
                          size_t n) {
  char place[96];
  if (c->paged)
    snprintf(place, sizeof place, "input+weights+zero at page ends, output offset %zu",
             c->out_off);
  else
    snprintf(place, sizeof place, "offsets(in,out,weights)=%zu,%zu,%zu", c->in_off, c->out_off,
             c->w_off);
  snprintf(buf, n,
           "in_c=%zu out_c=%zu groups=%zu mult=%zu kernel=%zux%zu stride=%zux%zu "
           "dilation=%zux%zu pads(t,l,b,r)=%zu,%zu,%zu,%zu input=%zux%zu output=%zux%zu act=%s "
           "bias=%d nan_inputs=%zu %s seed=%llu",
           c->in_c, e->fam == F_DEPTHWISE ? c->in_c * c->mult : c->out_c,
           e->fam == F_DEPTHWISE ? c->in_c : c->groups, e->fam == F_DEPTHWISE ? c->mult : 1,
           c->g.kh, c->g.kw, c->g.sh, c->g.sw, c->g.dh, c->g.dw, c->g.pt, c->g.pl, c->g.pb,
           c->g.pr, c->in_h, c->in_w, oh, ow, test_act_name(c->act), c->bias, c->nan_inputs,
           place, (unsigned long long)c->seed);
}

static void conv_run(const kgroup *G, stats *s, const conv_cfg *c) {
  const int dw = G->fam == F_DEPTHWISE;
  const size_t in_c = c->in_c;
  const size_t out_c = dw ? c->in_c * c->mult : c->out_c;
  const size_t groups = dw ? c->in_c : c->groups;
  char desc[640];

  ref_conv rp;
  memset(&rp, 0, sizeof rp);
  rp.layout = G->layout;
  rp.weights_layout = SK_WEIGHTS_OIHW;
  rp.in_c = in_c;
  rp.out_c = out_c;
  rp.groups = groups;
  rp.kh = c->g.kh;
  rp.kw = c->g.kw;
  rp.sh = c->g.sh;
  rp.sw = c->g.sw;
  rp.dh = c->g.dh;
  rp.dw = c->g.dw;
  rp.pt = c->g.pt;
  rp.pl = c->g.pl;
  rp.pb = c->g.pb;
  rp.pr = c->g.pr;
  rp.act = c->act;
  rp.act_min = ACT_MIN;
  rp.act_max = ACT_MAX;
  size_t oh = 0, ow = 0;
  if (groups == 0 || in_c % groups || out_c % groups ||
      !ref_conv_output_size(&rp, c->in_h, c->in_w, &oh, &ow)) {
    conv_describe(G->e[0], c, oh, ow, desc, sizeof desc);
    report_fail(s, G->e[0], desc, "test bug: config has no valid output");
    return;
  }
  const size_t cin_g = in_c / groups, cout_g = out_c / groups;
  const size_t in_n = c->in_h * c->in_w * in_c, out_n = oh * ow * out_c;
  const size_t wn = ref_conv_weights_count(&rp);

  test_rng rng;
  rng_seed(&rng, c->seed);
  float *input = xmalloc(in_n * sizeof(float));
  float *w = xmalloc(wn * sizeof(float));
  float *bias = xmalloc(out_c * sizeof(float));
  double *want = xmalloc(out_n * sizeof(double));
  double *bound = xmalloc(out_n * sizeof(double));
  rng_fill(&rng, input, in_n, -1.0f, 1.0f);
  for (size_t i = 0; i < c->nan_inputs; i++)
    input[rng_range(&rng, 0, (uint32_t)(in_n - 1))] = NAN;
  /* output std ~3 so RELU6 and CLAMP both bite */
  const float a = 9.0f / sqrtf((float)(cin_g * c->g.kh * c->g.kw));
  rng_fill(&rng, w, wn, -a, a);
  rng_fill(&rng, bias, out_c, -2.0f, 2.0f);
  ref_conv2d(&rp, 1, c->in_h, c->in_w, input, w, c->bias ? bias : NULL, want, bound);

  /* packed weights exactly as dispatch/conv.c packs them for this family */
  const size_t pg = dw ? 1 : groups, pocg = dw ? out_c : cout_g, picg = dw ? 1 : cin_g;
  const size_t nzero = in_c > 64 ? in_c : 64; /* the zero row, as dispatch/conv.c */

  for (size_t k = 0; k < G->n; k++) { /* every ISA's kernel on the same data */
    const kentry *e = G->e[k];
    char what[320];
    s->configs[entry_index(e)]++;
    const size_t npk = sk_packed_size(pg, pocg, picg, c->g.kh, c->g.kw, e->nr);
    rbuf pk_buf, zero_buf, in_buf;
    float *packed = rbuf_alloc(&pk_buf, npk, c->w_off, c->paged);
    sk_pack_conv_weights(w, SK_WEIGHTS_OIHW, c->bias ? bias : NULL, pg, pocg, picg, c->g.kh,
                         c->g.kw, e->nr, packed);
    float *packed_copy = xmalloc(npk * sizeof(float));
    memcpy(packed_copy, packed, npk * sizeof(float));
    float *zero = rbuf_alloc(&zero_buf, nzero, 0, c->paged);
    memset(zero, 0, nzero * sizeof(float));

    sk_conv_params p;
    memset(&p, 0, sizeof p);
    p.in_h = c->in_h;
    p.in_w = c->in_w;
    p.out_h = oh;
    p.out_w = ow;
    p.in_c = in_c;
    p.out_c = out_c;
    p.groups = pg;
    p.in_c_g = picg;
    p.out_c_g = pocg;
    p.mult = dw ? c->mult : 1;
    p.kernel_h = c->g.kh;
    p.kernel_w = c->g.kw;
    p.stride_h = c->g.sh;
    p.stride_w = c->g.sw;
    p.dil_h = c->g.dh;
    p.dil_w = c->g.dw;
    p.pad_top = c->g.pt;
    p.pad_left = c->g.pl;
    p.nr = e->nr;
    act_bounds(c->act, &p.out_min, &p.out_max);
    p.zero = zero;

    float *in = rbuf_alloc(&in_buf, in_n, c->in_off, c->paged);
    memcpy(in, input, in_n * sizeof(float));
    rbuf_seal(&in_buf);
    rbuf_seal(&pk_buf);
    rbuf_seal(&zero_buf);
    guarded gout;
    float *out = place_output(&gout, out_n, c->out_off);

    crash_enter(e, c, NULL, oh, ow);
    e->conv(&p, packed, in, out);
    crash_leave();

    if (!guarded_intact(&gout)) {
      conv_describe(e, c, oh, ow, desc, sizeof desc);
      report_fail(s, e, desc, "wrote outside the output (guard sentinel changed)");
    }
    if (!rbuf_prefix_intact(&in_buf) || memcmp(in, input, in_n * sizeof(float)) != 0 ||
        memcmp(packed, packed_copy, npk * sizeof(float)) != 0) {
      conv_describe(e, c, oh, ow, desc, sizeof desc);
      report_fail(s, e, desc, "modified its input or packed weights");
    }
    for (size_t i = 0; i < nzero; i++)
      if (zero[i] != 0.0f) {
        conv_describe(e, c, oh, ow, desc, sizeof desc);
        report_fail(s, e, desc, "modified the zero row (params.zero)");
        break;
      }
    cmp_report rep;
    if (!compare_tolerance(out, want, bound, out_n, &rep)) {
      char where[96];
      out_coords(e->layout, out_c, oh, ow, rep.first, where, sizeof where);
      snprintf(what, sizeof what,
               "%zu of %zu outputs wrong; first at %zu %s: got %.9g want %.9g (tol %.3g)%s",
               rep.mismatches, out_n, rep.first, where, rep.got, rep.want, rep.tol,
               rep.unwritten ? " [never written]" : "");
      conv_describe(e, c, oh, ow, desc, sizeof desc);
      report_fail(s, e, desc, what);
    }

    rbuf_free(&in_buf);
    guarded_free(&gout);
    rbuf_free(&zero_buf);
    free(packed_copy);
    rbuf_free(&pk_buf);
  }
  free(input);
  free(w);
  free(bias);
  free(want);
  free(bound);
}

/* Geometries each conv family gets in the channel and pixel sweeps
 * (pointwise: 1x1 only; direct: never 1x1, as dispatch/conv.c picks). */
static size_t conv_geos(kfam f, geo *out) {
  size_t n = 0;
  switch (f) {
    case F_POINTWISE:
      out[n++] = sq(1, 1, 0, 1);
      out[n++] = sq(1, 2, 0, 1);
      out[n++] = sq(1, 1, 1, 1);
      out[n++] = mkgeo(1, 1, 2, 2, 1, 1, 0, 1, 1, 0);
      out[n++] = sq(1, 3, 0, 1);
      break;
    case F_DIRECT:
      out[n++] = sq(3, 1, 1, 1);
      out[n++] = sq(3, 1, 0, 1);
      out[n++] = sq(3, 2, 1, 1);
      out[n++] = sq(5, 1, 2, 1);
      out[n++] = mkgeo(1, 3, 1, 1, 1, 1, 0, 1, 0, 1);
      out[n++] = mkgeo(3, 1, 2, 1, 1, 1, 1, 0, 1, 0);
      break;
    case F_DEPTHWISE:
      out[n++] = sq(3, 1, 1, 1);
      out[n++] = sq(3, 2, 1, 1);
      out[n++] = sq(5, 1, 2, 1);
      out[n++] = sq(5, 2, 2, 1);
      out[n++] = sq(3, 1, 2, 2);
      out[n++] = sq(1, 1, 0, 1);
      out[n++] = mkgeo(7, 7, 1, 1, 1, 1, 3, 3, 3, 3);
      break;
    default: break;
  }
  return n;
}

/* Channel counts 1..2*nr+1 (in quick mode the block edges plus a sample). */
static int chan_edge(size_t c, size_t nr) {
  return c <= 2 || (c + 1 >= nr && c <= nr + 1) || c + 1 >= 2 * nr || c == 3;
}

static void conv_sweep_channels_entry(const kgroup *e, stats *s) {
  geo geos[8];
  const size_t ng = conv_geos(e->fam, geos);
  const size_t nr = e->nr, maxc = 2 * nr + 1;
  static const size_t small_in[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17};
  static const size_t small_g[] = {1, 2, 3, 5};
  size_t idx = 0;
  for (size_t c = 1; c <= maxc; c++) {
    const int edge = chan_edge(c, nr);
    if (e->fam == F_DEPTHWISE) {
      /* every geometry with multiplier 1, then multipliers 2 and 3 */
      for (size_t v = 0; v < ng + 2; v++, idx++) {
        if (!(edge && v == 0) && !kt_keep(s, idx, 10)) continue;
        conv_cfg cfg;
        memset(&cfg, 0, sizeof cfg);
        conv_vary(&cfg, s, idx);
        cfg.in_c = c;
        cfg.mult = v < ng ? 1 : v - ng + 2;
        cfg.g = geos[v < ng ? v : (c + v) % ng];
        cfg.in_h = 5 + c % 3;
        cfg.in_w = 6 + (c * 5) % 7;
        conv_run(e, s, &cfg);
      }
      continue;
    }
    const size_t outs[] = {1, 3, 8, 9, nr, nr + 1, 2 * nr + 1};
    for (size_t v = 0; v < 3; v++, idx++) {
      if (!(edge && v == 0) && !kt_keep(s, idx, 10)) continue;
      conv_cfg cfg;
      memset(&cfg, 0, sizeof cfg);
      conv_vary(&cfg, s, idx);
      cfg.g = geos[(c + v) % ng];
      cfg.groups = 1;
      if (v == 0) { /* out_c = c: the nr blocks and the masked tail */
        cfg.out_c = c;
        cfg.in_c = small_in[(c * 3) % 10];
      } else if (v == 1) { /* in_c = c: the K loop, the few-channel paths */
        cfg.in_c = c;
        cfg.out_c = outs[(c * 5) % 7];
      } else { /* grouped, c output channels per group */
        cfg.groups = 2 + (c & 1);
        cfg.out_c = cfg.groups * c;
        cfg.in_c = cfg.groups * small_g[c % 4];
      }
      cfg.in_h = 4 + c % 3;
      cfg.in_w = 5 + (c * 7) % 6;
      conv_run(e, s, &cfg);
    }
  }
  /* a few large counts: several nr blocks, more than 64 channels (the
   * size of the smallest zero row), odd sizes */
  static const size_t big[][2] = {{63, 65}, {65, 64}, {130, 17}, {17, 130}, {96, 33}};
  for (size_t b = 0; b < 5; b++, idx++) {
    if (!kt_keep(s, idx, 3)) continue;
    conv_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    conv_vary(&cfg, s, idx);
    cfg.g = geos[b % ng];
    cfg.groups = 1;
    cfg.in_c = big[b][0];
    cfg.out_c = big[b][1];
    cfg.mult = 1 + (b & 1);
    cfg.in_h = 4;
    cfg.in_w = 5 + b;
    conv_run(e, s, &cfg);
  }
}

/* Channels for the geometry sweeps, from the config's seed: output (or
 * depthwise) counts 1..2*nr+1 so every masked tail shows up at every
 * border, input counts 1..9 (the few-channel first-layer paths and K
 * remainders); depthwise multiplier 2 now and then. */
static void conv_pick_channels(const kgroup *e, conv_cfg *cfg) {
  const uint64_t h = mix64(cfg->seed ^ 0x5A5A5A5Aull);
  const size_t nr = e->nr;
  if (e->fam == F_DEPTHWISE) {
    cfg->in_c = 1 + h % (2 * nr + 1);
    cfg->mult = (h >> 20) % 6 == 0 ? 2 : 1;
  } else {
    static const size_t ci[] = {1, 3, 2, 4, 5, 8, 9, 3, 1, 16};
    cfg->groups = 1;
    cfg->out_c = 1 + h % (2 * nr + 1);
    cfg->in_c = ci[(h >> 20) % 10];
  }
}

/* Output widths 1..17 (every remainder of a tile of up to 8 pixels, also
 * for tiles crossing rows: heights 1..5) and wide rows around multiples of
 * 8, 16 and 24 (vectors over width, 4x24 NCHW tiles and their 16/8/<8
 * remainders). */
static const size_t wide_widths[] = {23, 24, 25, 31, 32, 33, 40, 47, 48, 49, 56, 57, 71, 72, 73};
#define NUM_WIDE (sizeof wide_widths / sizeof wide_widths[0])

static void conv_sweep_pixels_entry(const kgroup *e, stats *s) {
  geo geos[8];
  const size_t ng = conv_geos(e->fam, geos);
  size_t idx = 0;
  for (size_t gi = 0; gi < ng; gi++)
    for (size_t wi = 0; wi < 17 + NUM_WIDE; wi++) {
      const size_t ow = wi < 17 ? wi + 1 : wide_widths[wi - 17];
      const size_t max_h = wi < 17 ? 5 : 3;
      for (size_t oh = 1; oh <= max_h; oh++, idx++) {
        /* quick: every width once (rotating geometry) plus a sample */
        if (!(oh == 1 + wi % max_h && gi == wi % ng) && !kt_keep(s, idx, 12)) continue;
        conv_cfg cfg;
        memset(&cfg, 0, sizeof cfg);
        conv_vary(&cfg, s, idx);
        cfg.g = geos[gi];
        const geo *g = &cfg.g;
        cfg.in_h = in_for_out(oh, g->kh, g->sh, g->dh, g->pt, g->pb, idx % g->sh);
        cfg.in_w = in_for_out(ow, g->kw, g->sw, g->dw, g->pl, g->pr, (idx / 2) % g->sw);
        conv_pick_channels(e, &cfg);
        conv_run(e, s, &cfg);
      }
    }
}

/* Every pad 0..2 on each side x stride 1..3 x kernel (pointwise 1, direct
 * 3 and 5, depthwise 1, 3, 5) x dilation 1..2, twice, on image sizes that
 * vary the leftover at the right/bottom edge and the number of interior
 * outputs. */
static void conv_sweep_borders_entry(const kgroup *e, stats *s) {
  size_t ks[3], nk = 0;
  if (e->fam == F_POINTWISE) ks[nk++] = 1;
  if (e->fam == F_DEPTHWISE) ks[nk++] = 1;
  if (e->fam != F_POINTWISE) {
    ks[nk++] = 3;
    ks[nk++] = 5;
  }
  static const size_t extra_w[] = {0, 1, 2, 5, 8, 13, 21, 30};
  size_t idx = 0;
  for (size_t ki = 0; ki < nk; ki++)
    for (size_t d = 1; d <= (ks[ki] == 1 ? 1u : 2u); d++)
      for (size_t st = 1; st <= 3; st++)
        for (size_t pads = 0; pads < 81; pads++)
          for (size_t v = 0; v < 2; v++, idx++) { /* two sizes and channel sets */
            if (!kt_keep(s, idx, 10)) continue;
            conv_cfg cfg;
            memset(&cfg, 0, sizeof cfg);
            conv_vary(&cfg, s, idx);
            const size_t k = ks[ki];
            cfg.g = mkgeo(k, k, st, st, d, d, pads % 3, (pads / 3) % 3, (pads / 9) % 3,
                          (pads / 27) % 3);
            const size_t ext = ext_of(k, d);
            const size_t ph = cfg.g.pt + cfg.g.pb, pw = cfg.g.pl + cfg.g.pr;
            cfg.in_h = (ext > ph ? ext - ph : 1) + idx % 5;
            cfg.in_w = (ext > pw ? ext - pw : 1) + extra_w[(idx * 5) % 8];
            conv_pick_channels(e, &cfg);
            conv_run(e, s, &cfg);
          }
}

/* Asymmetric kernels, strides and dilations (kh != kw, sh != sw, dh != dw)
 * with pseudo-random pads 0..2 per side. */
static void conv_sweep_asym_entry(const kgroup *e, stats *s) {
  static const size_t kk[] = {1, 2, 3, 5};
  const size_t nr = e->nr;
  size_t idx = 0;
  for (size_t a = 0; a < 4; a++)
    for (size_t b = 0; b < 4; b++)
      for (size_t st = 0; st < 9; st++)
        for (size_t dl = 0; dl < 4; dl++, idx++) {
          const size_t kh = kk[a], kw = kk[b];
          if (e->fam == F_POINTWISE && (kh != 1 || kw != 1)) continue;
          if (e->fam == F_DIRECT && kh == 1 && kw == 1) continue;
          if (!kt_keep(s, idx, 10)) continue;
          conv_cfg cfg;
          memset(&cfg, 0, sizeof cfg);
          conv_vary(&cfg, s, idx);
          const uint64_t h = mix64(cfg.seed);
          cfg.g = mkgeo(kh, kw, 1 + st / 3, 1 + st % 3, 1 + (dl >> 1), 1 + (dl & 1), h % 3,
                        (h >> 8) % 3, (h >> 16) % 3, (h >> 24) % 3);
          const size_t eh = ext_of(kh, cfg.g.dh), ew = ext_of(kw, cfg.g.dw);
          const size_t ph = cfg.g.pt + cfg.g.pb, pw = cfg.g.pl + cfg.g.pr;
          cfg.in_h = (eh > ph ? eh - ph : 1) + (h >> 32) % 6;
          cfg.in_w = (ew > pw ? ew - pw : 1) + (h >> 40) % 20;
          if (e->fam == F_DEPTHWISE) {
            cfg.in_c = 1 + (h >> 48) % (2 * nr + 1);
            cfg.mult = 1 + ((h >> 56) % 4 == 0);
          } else {
            cfg.groups = 1;
            cfg.out_c = 1 + (h >> 48) % (2 * nr + 1);
            cfg.in_c = 1 + (h >> 56) % 9;
          }
          conv_run(e, s, &cfg);
        }
}

/* Every input offset 0..7 x output offset 0..7 from a 32-byte boundary
 * (weights at 0 or 16 bytes), on shapes with interior and border tiles. */
static void conv_sweep_align_entry(const kgroup *e, stats *s) {
  const size_t nr = e->nr;
  size_t idx = 0;
  for (size_t io = 0; io < 8; io++)
    for (size_t oo = 0; oo < 8; oo++, idx++) {
      if (!(io == oo || io == 7 - oo) && !kt_keep(s, idx, 8)) continue;
      conv_cfg cfg;
      memset(&cfg, 0, sizeof cfg);
      conv_vary(&cfg, s, idx);
      cfg.in_off = io;
      cfg.out_off = oo;
      cfg.w_off = (idx & 1) * 4;
      cfg.paged = 0;
      const size_t st = 1 + (idx & 1);
      cfg.g = e->fam == F_POINTWISE ? sq(1, st, 0, 1) : sq(3, st, 1, 1);
      cfg.in_h = 6;
      cfg.in_w = 13 + idx % 5;
      if (e->fam == F_DEPTHWISE) {
        cfg.in_c = idx % 3 == 0 ? 3 : nr + 1;
        cfg.mult = 1;
      } else {
        cfg.groups = 1;
        cfg.in_c = idx % 3 == 0 ? 1 : 5;
        cfg.out_c = nr + 1;
      }
      conv_run(e, s, &cfg);
    }
}

/* Sizes past the kernels' blocking thresholds: many input channels (the
 * NCHW engine's 512 KB input chunks and 256 KB weight groups), large planes,
 * wide first-layer rows (the stack scratch path), wide depthwise rows with
 * channel counts on and off 16 (the NHWC L1 column chunks), more than 256
 * channels, AVX2 NHWC small-K convs with several 128 KB weight block groups. */
static void conv_sweep_large_entry(const kgroup *e, stats *s) {
  typedef struct { size_t in_c, out_c, mult; geo g; size_t h, w; } big;
  big list[12];
  size_t n = 0;
  if (e->fam == F_DIRECT) {
    list[n++] = (big){600, 9, 1, sq(3, 1, 1, 1), 15, 17};
    list[n++] = (big){600, 9, 1, sq(3, 2, 0, 1), 23, 21};
    list[n++] = (big){96, 97, 1, sq(3, 1, 1, 1), 9, 11};
    list[n++] = (big){3, 33, 1, sq(3, 2, 1, 1), 31, 229};
    list[n++] = (big){1, 16, 1, sq(3, 1, 1, 1), 20, 230};
    list[n++] = (big){64, 9, 1, sq(3, 1, 1, 1), 47, 53};
    list[n++] = (big){3, 64, 1, mkgeo(7, 7, 2, 2, 1, 1, 3, 3, 3, 3), 29, 61};
    list[n++] = (big){28, 150, 1, sq(3, 1, 1, 1), 9, 14}; /* AVX2 small-K: 2 block groups */
    list[n++] = (big){40, 70, 1, sq(3, 1, 1, 1), 13, 29}; /* AVX2 small-K, K 360 */
    list[n++] = (big){48, 40, 1, sq(3, 1, 1, 1), 7, 7};   /* K 432, narrow: AVX2 6x16 */
  } else if (e->fam == F_POINTWISE) {
    list[n++] = (big){600, 17, 1, sq(1, 1, 0, 1), 15, 17};
    list[n++] = (big){600, 9, 1, sq(1, 2, 0, 1), 23, 21};
    list[n++] = (big){300, 230, 1, sq(1, 1, 0, 1), 7, 9};
    list[n++] = (big){64, 19, 1, sq(1, 1, 0, 1), 47, 53};
    list[n++] = (big){3, 33, 1, sq(1, 2, 0, 1), 31, 229};
    list[n++] = (big){130, 70, 1, sq(1, 1, 1, 1), 13, 101};
    list[n++] = (big){256, 130, 1, sq(1, 1, 1, 1), 5, 19}; /* AVX2 small-K: 2 block groups */
    list[n++] = (big){40, 56, 1, sq(1, 1, 0, 1), 9, 31}; /* AVX2 small-K: 4x24 at block 2, 2 rows */
    /* AVX2 NHWC 1x1 block by block (<= 64 pixels, weights > 512 KB): a tap tail, a last tile
     * of 3 pixels, a masked last block; stride 2, a 1-pixel last tile */
    list[n++] = (big){602, 230, 1, sq(1, 1, 0, 1), 7, 9};
    list[n++] = (big){700, 200, 1, sq(1, 2, 0, 1), 13, 13};
    /* bottom and right padding: the last output row and column lie in it (the 6x16 engine) */
    list[n++] = (big){602, 230, 1, mkgeo(1, 1, 1, 1, 1, 1, 0, 0, 1, 1), 6, 8};
  } else {
    list[n++] = (big){64, 0, 1, sq(3, 1, 1, 1), 9, 230};
    list[n++] = (big){19, 0, 1, sq(3, 1, 1, 1), 7, 199};
    list[n++] = (big){32, 0, 1, sq(3, 2, 1, 1), 9, 301};
    list[n++] = (big){16, 0, 1, sq(5, 1, 2, 1), 7, 170};
    list[n++] = (big){48, 0, 1, sq(5, 2, 2, 1), 11, 260};
    list[n++] = (big){300, 0, 1, sq(3, 1, 1, 1), 6, 29};
    list[n++] = (big){24, 0, 2, sq(3, 1, 1, 1), 8, 150};
    list[n++] = (big){33, 0, 1, sq(3, 1, 2, 2), 57, 61};
    list[n++] = (big){12, 0, 1, sq(3, 2, 1, 1), 13, 61}; /* 5 band rows (AArch64 NCHW LD4) */
    list[n++] = (big){512, 0, 1, sq(3, 1, 1, 1), 4, 30}; /* AVX2 NHWC 4x16 pairs, 3 slots */
    list[n++] = (big){1024, 0, 1, sq(3, 2, 1, 1), 5, 37}; /* the same, stride 2 */
    list[n++] = (big){256, 0, 1, sq(3, 2, 1, 1), 7, 23};  /* pairs on 256 channels, stride 2 */
  }
  for (size_t i = 0; i < n; i++) {
    if (test_quick() && i % 3 != 1 && i != 8) continue; /* quick: a third, and list[8] */
    conv_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    conv_vary(&cfg, s, i);
    cfg.in_c = list[i].in_c;
    cfg.out_c = list[i].out_c;
    cfg.groups = 1;
    cfg.mult = list[i].mult;
    cfg.g = list[i].g;
    cfg.in_h = list[i].h;
    cfg.in_w = list[i].w;
    cfg.nan_inputs = 0;
    conv_run(e, s, &cfg);
  }
}

/* ------------------------------------------------------------------------ */
/* Pooling                                                                   */

typedef struct pool_cfg {
  size_t channels;
  geo g; /* ignored (whole input) for global pooling */
  int ceil_mode, count_include_pad;
  size_t in_h, in_w;
  sk_activation act;
  size_t nan_inputs, inf_inputs;
  size_t in_off, out_off;
  int paged; /* input at a page end instead (rbuf) */
  uint64_t seed;
} pool_cfg;

static void pool_vary(pool_cfg *c, const kgroup *e, const stats *s, size_t idx) {
  c->in_off = 1 + idx % 7;
  c->out_off = (idx * 3) % 8;
  c->act = acts[(idx / 3) % 4];
  c->nan_inputs = idx % 6 == 1 ? 1 + idx % 3 : 0;
  c->inf_inputs = fam_is_max(e->fam) && idx % 6 == 4 ? 2 : 0;
  c->paged = KT_HAVE_PAGES && idx % 3 == 0;
  c->seed = cfg_seed(s, idx);
}

static void pool_describe(const kentry *e, const pool_cfg *c, size_t oh, size_t ow, char *buf,
                          size_t n) {
  char place[96];
  if (c->paged)
    snprintf(place, sizeof place, "input at a page end, output offset %zu", c->out_off);
  else
    snprintf(place, sizeof place, "offsets(in,out)=%zu,%zu", c->in_off, c->out_off);
  if (fam_is_global(e->fam)) {
    snprintf(buf, n,
             "channels=%zu input=%zux%zu (global) act=%s nan_inputs=%zu inf_inputs=%zu "
             "%s seed=%llu",
             c->channels, c->in_h, c->in_w, test_act_name(c->act), c->nan_inputs,
             c->inf_inputs, place, (unsigned long long)c->seed);
    return;
  }
  snprintf(buf, n,
           "channels=%zu kernel=%zux%zu stride=%zux%zu dilation=%zux%zu "
           "pads(t,l,b,r)=%zu,%zu,%zu,%zu ceil=%d count_include_pad=%d input=%zux%zu "
           "output=%zux%zu act=%s nan_inputs=%zu inf_inputs=%zu %s seed=%llu",
           c->channels, c->g.kh, c->g.kw, c->g.sh, c->g.sw, c->g.dh, c->g.dw, c->g.pt, c->g.pl,
           c->g.pb, c->g.pr, c->ceil_mode, c->count_include_pad, c->in_h, c->in_w, oh, ow,
           test_act_name(c->act), c->nan_inputs, c->inf_inputs, place,
           (unsigned long long)c->seed);
}

/* The API's rule (sk_pool2d_create): each pad < the dilated kernel extent;
 * average pooling has no dilation. */
static int pool_geo_valid(kfam f, const geo *g) {
  if (f == F_AVGPOOL && (g->dh != 1 || g->dw != 1)) return 0;
  const size_t eh = ext_of(g->kh, g->dh), ew = ext_of(g->kw, g->dw);
  return g->pt < eh && g->pb < eh && g->pl < ew && g->pr < ew;
}

static void pool_run(const kgroup *G, stats *s, const pool_cfg *c) {
  const int global = fam_is_global(G->fam);
  const int is_max = fam_is_max(G->fam);
  char desc[640];
  ref_pool rp;
  memset(&rp, 0, sizeof rp);
  rp.kind = is_max ? SK_POOL_MAX : SK_POOL_AVG;
  rp.layout = G->layout;
  rp.channels = c->channels;
  rp.global = global;
  rp.kh = c->g.kh;
  rp.kw = c->g.kw;
  rp.sh = c->g.sh;
  rp.sw = c->g.sw;
  rp.dh = c->g.dh;
  rp.dw = c->g.dw;
  rp.pt = c->g.pt;
  rp.pl = c->g.pl;
  rp.pb = c->g.pb;
  rp.pr = c->g.pr;
  rp.ceil_mode = c->ceil_mode;
  rp.count_include_pad = c->count_include_pad;
  rp.act = c->act;
  rp.act_min = ACT_MIN;
  rp.act_max = ACT_MAX;
  size_t oh = 0, ow = 0;
  if ((!global && !pool_geo_valid(G->fam, &c->g)) ||
      !ref_pool_output_size(&rp, c->in_h, c->in_w, &oh, &ow)) {
    pool_describe(G->e[0], c, oh, ow, desc, sizeof desc);
    report_fail(s, G->e[0], desc, "test bug: config has no valid output");
    return;
  }
  const size_t C = c->channels;
  const size_t in_n = c->in_h * c->in_w * C, out_n = oh * ow * C;
  test_rng rng;
  rng_seed(&rng, c->seed);
  float *input = xmalloc(in_n * sizeof(float));
  double *want = xmalloc(out_n * sizeof(double));
  double *bound = xmalloc(out_n * sizeof(double));
  rng_fill(&rng, input, in_n, -1.0f, 1.0f);
  if (c->act != SK_ACT_NONE) /* spread values so RELU6 and CLAMP bite */
    for (size_t i = 0; i < in_n; i++) input[i] *= 8.0f;
  for (size_t i = 0; i < c->nan_inputs; i++)
    input[rng_range(&rng, 0, (uint32_t)(in_n - 1))] = NAN;
  for (size_t i = 0; i < c->inf_inputs; i++)
    input[rng_range(&rng, 0, (uint32_t)(in_n - 1))] = (i & 1) ? -INFINITY : INFINITY;
  ref_pool2d(&rp, 1, c->in_h, c->in_w, input, want, bound);

  for (size_t k = 0; k < G->n; k++) { /* every ISA's kernel on the same data */
    const kentry *e = G->e[k];
    char what[320];
    s->configs[entry_index(e)]++;
    sk_pool_params p;
    memset(&p, 0, sizeof p);
    p.in_h = c->in_h;
    p.in_w = c->in_w;
    p.out_h = oh;
    p.out_w = ow;
    p.channels = C;
    if (global) { /* as dispatch/pool.c: the window is the whole input */
      p.kernel_h = c->in_h;
      p.kernel_w = c->in_w;
      p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
    } else {
      p.kernel_h = c->g.kh;
      p.kernel_w = c->g.kw;
      p.stride_h = c->g.sh;
      p.stride_w = c->g.sw;
      p.dil_h = c->g.dh;
      p.dil_w = c->g.dw;
      p.pad_top = c->g.pt;
      p.pad_left = c->g.pl;
      p.pad_bottom = c->g.pb;
      p.pad_right = c->g.pr;
    }
    p.count_include_pad = c->count_include_pad;
    act_bounds(c->act, &p.out_min, &p.out_max);

    rbuf in_buf;
    float *in = rbuf_alloc(&in_buf, in_n, c->in_off, c->paged);
    memcpy(in, input, in_n * sizeof(float));
    rbuf_seal(&in_buf);
    guarded gout;
    float *out = place_output(&gout, out_n, c->out_off);

    crash_enter(e, NULL, c, oh, ow);
    e->pool(&p, in, out);
    crash_leave();

    if (!guarded_intact(&gout)) {
      pool_describe(e, c, oh, ow, desc, sizeof desc);
      report_fail(s, e, desc, "wrote outside the output (guard sentinel changed)");
    }
    if (!rbuf_prefix_intact(&in_buf) || memcmp(in, input, in_n * sizeof(float)) != 0) {
      pool_describe(e, c, oh, ow, desc, sizeof desc);
      report_fail(s, e, desc, "modified its input");
    }
    cmp_report rep;
    const int ok = is_max ? compare_exact(out, want, out_n, &rep)
                          : compare_tolerance(out, want, bound, out_n, &rep);
    if (!ok) {
      char where[96];
      out_coords(e->layout, C, oh, ow, rep.first, where, sizeof where);
      snprintf(what, sizeof what,
               "%zu of %zu outputs wrong; first at %zu %s: got %.9g want %.9g (tol %.3g)%s",
               rep.mismatches, out_n, rep.first, where, rep.got, rep.want, rep.tol,
               rep.unwritten ? " [never written]" : "");
      pool_describe(e, c, oh, ow, desc, sizeof desc);
      report_fail(s, e, desc, what);
    }
    rbuf_free(&in_buf);
    guarded_free(&gout);
  }
  free(input);
  free(want);
  free(bound);
}

/* Channels for the geometry sweeps, from the config's seed: NHWC counts
 * whose tails cover every 8/16/32/64-channel step and every masked
 * remainder 1..7; NCHW (vectorized over width) 1..3 planes. */
static size_t pool_pick_channels(const kgroup *e, const pool_cfg *cfg) {
  static const size_t cs[] = {1, 3, 10, 13, 22, 36, 47, 65, 71, 102, 8, 16, 32, 64, 5, 7};
  const uint64_t h = mix64(cfg->seed ^ 0xA5A5A5A5ull);
  if (e->layout != SK_LAYOUT_NHWC) return 1 + h % 3;
  return cs[h % 16];
}

/* Window geometries for the channel and pixel sweeps (specialised paths:
 * 3x3 s2, 2x2 s2, kernel = stride + 1, ceil mode, dilation for max). */
static size_t pool_geos(kfam f, geo *out, int *ceil, int *cip) {
  size_t n = 0;
  const int avg = f == F_AVGPOOL;
  ceil[n] = 0, cip[n] = 0, out[n++] = sq(3, 2, 1, 1);
  ceil[n] = 0, cip[n] = 0, out[n++] = sq(2, 2, 0, 1);
  ceil[n] = 0, cip[n] = avg, out[n++] = sq(3, 1, 1, 1);
  ceil[n] = 0, cip[n] = 0, out[n++] = sq(2, 1, 0, 1);
  ceil[n] = 1, cip[n] = 0, out[n++] = sq(3, 2, 0, 1);
  ceil[n] = 1, cip[n] = avg, out[n++] = sq(3, 2, 1, 1);
  ceil[n] = 0, cip[n] = 0, out[n++] = sq(1, 1, 0, 1);
  ceil[n] = 0, cip[n] = avg, out[n++] = sq(5, 3, 2, 1);
  if (!avg) ceil[n] = 0, cip[n] = 0, out[n++] = sq(3, 1, 2, 2);
  return n;
}

static void pool_global_sweep_entry(const kgroup *e, stats *s, int channels_sweep);

/* Channel counts 1..129: every tail of 64/32/16/8-channel steps, with each
 * window geometry. */
static void pool_sweep_channels_entry(const kgroup *e, stats *s) {
  if (fam_is_global(e->fam)) {
    pool_global_sweep_entry(e, s, 1);
    return;
  }
  geo geos[10];
  int ceil[10], cip[10];
  const size_t ng = pool_geos(e->fam, geos, ceil, cip);
  size_t idx = 0;
  for (size_t C = 1; C <= 129; C++)
    for (size_t gi = 0; gi < ng; gi++, idx++) {
      /* NCHW pools vectorize over width: one geometry per count is plenty */
      if (e->layout == SK_LAYOUT_NCHW && gi != C % ng) continue;
      const int edge = C <= 3 || C % 8 == 0 || C % 8 == 1 || C % 8 == 7;
      if (!(edge && gi == C % ng) && !kt_keep(s, idx, 12)) continue;
      pool_cfg cfg;
      memset(&cfg, 0, sizeof cfg);
      pool_vary(&cfg, e, s, idx);
      cfg.channels = C;
      cfg.g = geos[gi];
      cfg.ceil_mode = ceil[gi];
      cfg.count_include_pad = cip[gi];
      cfg.in_h = 5 + C % 3;
      cfg.in_w = 6 + (C * 5) % 7;
      pool_run(e, s, &cfg);
    }
}

static void pool_sweep_pixels_entry(const kgroup *e, stats *s) {
  if (fam_is_global(e->fam)) {
    pool_global_sweep_entry(e, s, 0);
    return;
  }
  geo geos[10];
  int ceil[10], cip[10];
  const size_t ng = pool_geos(e->fam, geos, ceil, cip);
  size_t idx = 0;
  for (size_t gi = 0; gi < ng; gi++)
    for (size_t wi = 0; wi < 17 + NUM_WIDE; wi++) {
      const size_t ow = wi < 17 ? wi + 1 : wide_widths[wi - 17];
      const size_t max_h = wi < 17 ? 4 : 2;
      for (size_t oh = 1; oh <= max_h; oh++, idx++) {
        if (!(oh == 1 + wi % max_h && gi == wi % ng) && !kt_keep(s, idx, 12)) continue;
        pool_cfg cfg;
        memset(&cfg, 0, sizeof cfg);
        pool_vary(&cfg, e, s, idx);
        cfg.g = geos[gi];
        cfg.ceil_mode = ceil[gi];
        cfg.count_include_pad = cip[gi];
        const geo *g = &cfg.g;
        cfg.in_h = in_for_out(oh, g->kh, g->sh, g->dh, g->pt, g->pb, idx % g->sh);
        cfg.in_w = in_for_out(ow, g->kw, g->sw, g->dw, g->pl, g->pr, (idx / 2) % g->sw);
        cfg.channels = pool_pick_channels(e, &cfg);
        pool_run(e, s, &cfg);
      }
    }
}

/* Every pad 0..2 per side (below the dilated extent) x stride 1..3 x
 * kernel 1, 2, 3, 5 x dilation 1..2 (max) x ceil mode x count_include_pad
 * (avg). */
static void pool_sweep_borders_entry(const kgroup *e, stats *s) {
  if (fam_is_global(e->fam)) return;
  static const size_t ks[] = {1, 2, 3, 5};
  static const size_t extra_w[] = {0, 1, 2, 5, 8, 13, 21, 30};
  const int avg = e->fam == F_AVGPOOL;
  size_t idx = 0;
  for (size_t ki = 0; ki < 4; ki++)
    for (size_t d = 1; d <= (avg || ks[ki] == 1 ? 1u : 2u); d++)
      for (size_t st = 1; st <= 3; st++)
        for (int cm = 0; cm < 2; cm++)
          for (int ci = 0; ci <= avg; ci++)
            for (size_t pads = 0; pads < 81; pads++) {
              pool_cfg cfg;
              memset(&cfg, 0, sizeof cfg);
              const size_t k = ks[ki];
              cfg.g = mkgeo(k, k, st, st, d, d, pads % 3, (pads / 3) % 3, (pads / 9) % 3,
                            (pads / 27) % 3);
              if (!pool_geo_valid(e->fam, &cfg.g)) continue;
              idx++;
              if (!kt_keep(s, idx, 10)) continue;
              pool_vary(&cfg, e, s, idx);
              cfg.ceil_mode = cm;
              cfg.count_include_pad = ci;
              const size_t ext = ext_of(k, d);
              const size_t ph = cfg.g.pt + cfg.g.pb, pw = cfg.g.pl + cfg.g.pr;
              cfg.in_h = (ext > ph ? ext - ph : 1) + idx % 5;
              cfg.in_w = (ext > pw ? ext - pw : 1) + extra_w[(idx * 5) % 8];
              cfg.channels = pool_pick_channels(e, &cfg);
              pool_run(e, s, &cfg);
            }
}

/* Asymmetric windows, strides, dilations, pads. */
static void pool_sweep_asym_entry(const kgroup *e, stats *s) {
  if (fam_is_global(e->fam)) return;
  static const size_t kk[] = {1, 2, 3, 5};
  const int avg = e->fam == F_AVGPOOL;
  size_t idx = 0;
  for (size_t a = 0; a < 4; a++)
    for (size_t b = 0; b < 4; b++)
      for (size_t st = 0; st < 9; st++)
        for (size_t dl = 0; dl < (avg ? 1u : 4u); dl++)
          for (int cm = 0; cm < 2; cm++, idx++) {
            if (!kt_keep(s, idx, 10)) continue;
            pool_cfg cfg;
            memset(&cfg, 0, sizeof cfg);
            pool_vary(&cfg, e, s, idx);
            const uint64_t h = mix64(cfg.seed);
            cfg.g = mkgeo(kk[a], kk[b], 1 + st / 3, 1 + st % 3, 1 + (dl >> 1), 1 + (dl & 1),
                          h % 3, (h >> 8) % 3, (h >> 16) % 3, (h >> 24) % 3);
            const size_t eh = ext_of(cfg.g.kh, cfg.g.dh), ew = ext_of(cfg.g.kw, cfg.g.dw);
            /* clip pads to the API's rule */
            if (cfg.g.pt >= eh) cfg.g.pt = eh - 1;
            if (cfg.g.pb >= eh) cfg.g.pb = eh - 1;
            if (cfg.g.pl >= ew) cfg.g.pl = ew - 1;
            if (cfg.g.pr >= ew) cfg.g.pr = ew - 1;
            cfg.ceil_mode = cm;
            cfg.count_include_pad = avg && ((h >> 30) & 1);
            const size_t ph = cfg.g.pt + cfg.g.pb, pw = cfg.g.pl + cfg.g.pr;
            cfg.in_h = (eh > ph ? eh - ph : 1) + (h >> 32) % 6;
            cfg.in_w = (ew > pw ? ew - pw : 1) + (h >> 40) % 24;
            cfg.channels = e->layout == SK_LAYOUT_NHWC ? 1 + (h >> 48) % 70 : 1 + (h >> 48) % 3;
            pool_run(e, s, &cfg);
          }
}

static void pool_sweep_align_entry(const kgroup *e, stats *s) {
  size_t idx = 0;
  for (size_t io = 0; io < 8; io++)
    for (size_t oo = 0; oo < 8; oo++, idx++) {
      if (!(io == oo || io == 7 - oo) && !kt_keep(s, idx, 8)) continue;
      pool_cfg cfg;
      memset(&cfg, 0, sizeof cfg);
      pool_vary(&cfg, e, s, idx);
      cfg.in_off = io;
      cfg.out_off = oo;
      cfg.paged = 0;
      const size_t st = 1 + (idx & 1);
      cfg.g = sq(3, st, 1, 1);
      cfg.count_include_pad = e->fam == F_AVGPOOL && (idx & 2);
      cfg.in_h = 6;
      cfg.in_w = 19 + idx % 5;
      cfg.channels = e->layout == SK_LAYOUT_NHWC ? (idx % 3 == 0 ? 7 : 41) : 2;
      pool_run(e, s, &cfg);
    }
}

/* Large sizes: more than 256 channels (the NHWC max pool's carry buffer),
 * large planes, many 256-element partial sums in global pooling. */
static void pool_sweep_large_entry(const kgroup *e, stats *s) {
  typedef struct { size_t c; geo g; int ceil, cip; size_t h, w; } big;
  big list[8];
  size_t n = 0;
  const int nhwc = e->layout == SK_LAYOUT_NHWC, avg = e->fam == F_AVGPOOL;
  if (fam_is_global(e->fam)) {
    list[n++] = (big){nhwc ? 300 : 5, sq(1, 1, 0, 1), 0, 0, 17, 19};
    list[n++] = (big){nhwc ? 67 : 3, sq(1, 1, 0, 1), 0, 0, 64, 67};
    list[n++] = (big){nhwc ? 520 : 9, sq(1, 1, 0, 1), 0, 0, 7, 7};
  } else {
    list[n++] = (big){nhwc ? 257 : 3, sq(3, 2, 1, 1), 0, avg, 9, nhwc ? 13 : 227};
    list[n++] = (big){nhwc ? 300 : 2, sq(2, 1, 0, 1), 0, 0, 7, nhwc ? 11 : 301};
    list[n++] = (big){nhwc ? 520 : 4, sq(3, 1, 1, 1), 1, avg, 6, nhwc ? 9 : 150};
    list[n++] = (big){nhwc ? 64 : 2, sq(2, 2, 0, 1), 1, 0, 57, 113};
    list[n++] = (big){nhwc ? 259 : 3, sq(3, 2, 0, 1), 1, 0, 12, nhwc ? 17 : 203};
    if (!nhwc) { /* NCHW rows in several 128-output chunks (stride 2, a last chunk under 8),
                    windows 31-32 columns wide (row buffer limit) and one over it */
      list[n++] = (big){3, sq(3, 2, 1, 1), 1, 0, 7, 521};
      list[n++] = (big){2, sq(avg ? 32 : 16, 2, 5, avg ? 1 : 2), 0, avg, 40, 300};
      list[n++] = (big){2, sq(avg ? 33 : 17, 1, 4, avg ? 1 : 2), 1, 0, 36, 70};
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (test_quick() && i % 2 != 0) continue;
    pool_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    pool_vary(&cfg, e, s, i);
    cfg.channels = list[i].c;
    cfg.g = list[i].g;
    cfg.ceil_mode = list[i].ceil;
    cfg.count_include_pad = list[i].cip;
    cfg.in_h = list[i].h;
    cfg.in_w = list[i].w;
    pool_run(e, s, &cfg);
  }
}

/* Global pooling: channel counts 1..129 on rotating sizes, or image sizes
 * h 1..5 x w 1..17 plus planes around 8, 64 and 256 elements (8-wide
 * vectors and 256-element partial sums). */
static void pool_global_sweep_entry(const kgroup *e, stats *s, int channels_sweep) {
  size_t idx = 0;
  if (channels_sweep) {
    static const size_t sizes[][2] = {{1, 1}, {3, 5}, {7, 7}, {2, 9}, {5, 3}, {4, 4}};
    for (size_t C = 1; C <= 129; C++, idx++) {
      const int edge = C <= 3 || C % 8 == 0 || C % 8 == 1 || C % 8 == 7;
      if (!edge && !kt_keep(s, idx, 8)) continue;
      pool_cfg cfg;
      memset(&cfg, 0, sizeof cfg);
      pool_vary(&cfg, e, s, idx);
      cfg.channels = C;
      cfg.in_h = sizes[C % 6][0];
      cfg.in_w = sizes[C % 6][1];
      pool_run(e, s, &cfg);
    }
    return;
  }
  static const size_t big[][2] = {{8, 8},  {16, 16}, {17, 17}, {1, 255}, {1, 256}, {1, 257},
                                  {257, 1}, {16, 17}, {9, 29},  {33, 32}, {23, 45}, {64, 9}};
  const size_t nbig = sizeof big / sizeof big[0];
  for (size_t i = 0; i < 5 * 17 + nbig; i++, idx++) {
    const size_t h = i < 85 ? 1 + i / 17 : big[i - 85][0];
    const size_t w = i < 85 ? 1 + i % 17 : big[i - 85][1];
    if (!(i < 85 && h == 1 + (w % 5)) && !(i >= 85 && (i & 1)) && !kt_keep(s, idx, 10))
      continue;
    pool_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    pool_vary(&cfg, e, s, idx);
    if (e->layout == SK_LAYOUT_NHWC) {
      const size_t cs[] = {1, 9, 33, 65, 8, 71, 3};
      cfg.channels = cs[(idx * 5) % 7];
    } else {
      const size_t cs[] = {1, 3, 8, 9, 17, 7};
      cfg.channels = cs[(idx * 5) % 6];
    }
    cfg.in_h = h;
    cfg.in_w = w;
    pool_run(e, s, &cfg);
  }
}

/* ------------------------------------------------------------------------ */
/* Drivers                                                                   */

typedef void (*group_sweep_fn)(const kgroup *g, stats *s);

#if KT_HAVE_PAGES
static struct sigaction g_old_segv, g_old_bus;

static void crash_handler(int sig) {
  const kentry *e = g_crash.e;
  if (e != NULL) {
    char desc[640], msg[1024];
    if (g_crash.conv)
      conv_describe(e, g_crash.conv, g_crash.oh, g_crash.ow, desc, sizeof desc);
    else
      pool_describe(e, g_crash.pool, g_crash.oh, g_crash.ow, desc, sizeof desc);
    snprintf(msg, sizeof msg, "[%s] CRASH (signal %d) in %s (isa %s, %s, %s)\n  config: %s\n",
             g_crash.sweep ? g_crash.sweep : "?", sig, e->name, sk_isa_name(e->isa),
             fam_names[e->fam], test_layout_name(e->layout), desc);
    ssize_t r = write(2, msg, strlen(msg));
    (void)r;
    g_crash.e = NULL;
  }
  /* hand the signal on: the faulting access runs again under the previous
   * handler (cmocka's records the failure and goes on with the next test) */
  sigaction(sig, sig == SIGBUS ? &g_old_bus : &g_old_segv, NULL);
}

static void crash_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = crash_handler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &g_old_segv);
  sigaction(SIGBUS, &sa, &g_old_bus);
}

static void crash_uninstall(void) {
  sigaction(SIGSEGV, &g_old_segv, NULL);
  sigaction(SIGBUS, &g_old_bus, NULL);
}
#else
static void crash_install(void) {}
static void crash_uninstall(void) {}
#endif

static void run_sweep(const char *name, int conv, group_sweep_fn fn) {
  collect_entries();
  static stats s; /* a few KB: not on cmocka's stack */
  memset(&s, 0, sizeof s);
  s.sweep = name;
  for (const char *p = name; *p; p++) s.salt = s.salt * 131 + (unsigned char)*p;
  g_crash.sweep = name;
  crash_install();
  for (int f = 0; f < F_COUNT; f++) {
    if (fam_is_conv((kfam)f) != conv) continue;
    for (int l = 0; l < 2; l++) {
      kgroup g;
      memset(&g, 0, sizeof g);
      g.fam = (kfam)f;
      g.layout = (sk_layout)l;
      for (size_t i = 0; i < g_num_entries && g.n < 3; i++) {
        const kentry *e = &g_entries[i];
        if (e->fam != g.fam || e->layout != g.layout) continue;
        g.e[g.n++] = e;
        if (e->nr > g.nr) g.nr = e->nr;
      }
      if (g.n) fn(&g, &s);
    }
  }
  crash_uninstall();
  size_t entries = 0, configs = 0, failures = 0;
  for (size_t i = 0; i < g_num_entries; i++) {
    const kentry *e = &g_entries[i];
    if (s.configs[i] == 0) continue;
    entries++;
    configs += s.configs[i];
    failures += s.failures[i];
    print_message("[%s] %-34s %5zu configs%s\n", name, e->name, s.configs[i],
                  s.failures[i] ? ", FAILURES (see above)" : "");
    if (s.failures[i] > MAX_PRINTED_PER_ENTRY)
      print_error("[%s] %s: %zu failures (first %d printed)\n", name, e->name, s.failures[i],
                  MAX_PRINTED_PER_ENTRY);
  }
  print_message("[%s] %zu entries, %zu kernel runs%s\n", name, entries, configs,
                test_quick() ? " (quick)" : "");
  assert_true(configs > 0);
  assert_int_equal(failures, 0);
}

/* The tables themselves: every supported ISA builds one, every entry has a
 * name "<isa or scalar>/<family>_<layout>...", a function and (conv) an nr. */
static void kernel_table(void **state) {
  (void)state;
  size_t bad = 0;
  const sk_isa isas[3] = {SK_ISA_SCALAR, SK_ISA_AVX2, SK_ISA_NEON};
  for (int i = 0; i < 3; i++) {
    if (!sk_isa_supported(isas[i])) continue;
    sk_functable t;
    memset(&t, 0, sizeof t);
    if (!sk_functable_build(isas[i], &t)) {
      print_error("sk_isa_supported(%s) but sk_functable_build fails\n", sk_isa_name(isas[i]));
      bad++;
      continue;
    }
    for (int l = 0; l < 2; l++) {
      const char *lname = l == SK_LAYOUT_NHWC ? "nhwc" : "nchw";
      const sk_conv_kernel *ck[3] = {&t.conv_direct[l], &t.pointwise[l], &t.depthwise[l]};
      const char *cfam[3] = {"direct", "pointwise", "depthwise"};
      for (int f = 0; f < 3; f++) {
        const sk_conv_kernel *k = ck[f];
        const int ok = k->fn != NULL && k->nr >= 1 && k->nr <= 256 &&
                       test_kernel_name_prefix_ok(k->name, isas[i]) &&
                       strstr(k->name, cfam[f]) != NULL && strstr(k->name, lname) != NULL;
        if (!ok) {
          print_error("%s table: bad %s %s entry (name %s, nr %zu)\n", sk_isa_name(isas[i]),
                      cfam[f], lname, k->name ? k->name : "(null)", k->nr);
          bad++;
        }
      }
      const sk_pool_kernel *pk[4] = {&t.maxpool[l], &t.avgpool[l], &t.global_maxpool[l],
                                     &t.global_avgpool[l]};
      const char *pfam[4] = {"maxpool", "avgpool", "global_maxpool", "global_avgpool"};
      for (int f = 0; f < 4; f++) {
        const sk_pool_kernel *k = pk[f];
        const int ok = k->fn != NULL && test_kernel_name_prefix_ok(k->name, isas[i]) &&
                       strstr(k->name, pfam[f]) != NULL && strstr(k->name, lname) != NULL &&
                       (f >= 2 || strstr(k->name, "global") == NULL);
        if (!ok) {
          print_error("%s table: bad %s %s entry (name %s)\n", sk_isa_name(isas[i]), pfam[f],
                      lname, k->name ? k->name : "(null)");
          bad++;
        }
      }
    }
  }
  collect_entries();
  for (size_t i = 0; i < g_num_entries; i++) {
    const kentry *e = &g_entries[i];
    if (fam_is_conv(e->fam))
      print_message("  %-34s %-15s %s nr=%zu\n", e->name, fam_names[e->fam],
                    test_layout_name(e->layout), e->nr);
    else
      print_message("  %-34s %-15s %s\n", e->name, fam_names[e->fam],
                    test_layout_name(e->layout));
  }
  print_message("%zu distinct kernel entries under test\n", g_num_entries);
  assert_int_equal(bad, 0);
  assert_true(g_num_entries >= 2 * F_COUNT);
}

static void conv_channels(void **state) {
  (void)state;
  run_sweep("conv_channels", 1, conv_sweep_channels_entry);
}
static void conv_pixels(void **state) {
  (void)state;
  run_sweep("conv_pixels", 1, conv_sweep_pixels_entry);
}
static void conv_borders(void **state) {
  (void)state;
  run_sweep("conv_borders", 1, conv_sweep_borders_entry);
}
static void conv_asym(void **state) {
  (void)state;
  run_sweep("conv_asym", 1, conv_sweep_asym_entry);
}
static void conv_align(void **state) {
  (void)state;
  run_sweep("conv_align", 1, conv_sweep_align_entry);
}
static void pool_channels(void **state) {
  (void)state;
  run_sweep("pool_channels", 0, pool_sweep_channels_entry);
}
static void pool_pixels(void **state) {
  (void)state;
  run_sweep("pool_pixels", 0, pool_sweep_pixels_entry);
}
static void pool_borders(void **state) {
  (void)state;
  run_sweep("pool_borders", 0, pool_sweep_borders_entry);
}
static void pool_asym(void **state) {
  (void)state;
  run_sweep("pool_asym", 0, pool_sweep_asym_entry);
}
static void conv_large(void **state) {
  (void)state;
  run_sweep("conv_large", 1, conv_sweep_large_entry);
}
static void pool_large(void **state) {
  (void)state;
  run_sweep("pool_large", 0, pool_sweep_large_entry);
}
static void pool_align(void **state) {
  (void)state;
  run_sweep("pool_align", 0, pool_sweep_align_entry);
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kernel_table),  cmocka_unit_test(conv_channels),
      cmocka_unit_test(conv_pixels),   cmocka_unit_test(conv_borders),
      cmocka_unit_test(conv_asym),     cmocka_unit_test(conv_align),
      cmocka_unit_test(conv_large),    cmocka_unit_test(pool_channels),
      cmocka_unit_test(pool_pixels),   cmocka_unit_test(pool_borders),
      cmocka_unit_test(pool_asym),     cmocka_unit_test(pool_align),
      cmocka_unit_test(pool_large),
  };
  /* argv[1]: only tests matching this pattern ("-" for all); argv[2]: skip these */
  if (argc > 1 && strcmp(argv[1], "-") != 0) cmocka_set_test_filter(argv[1]);
  if (argc > 2) cmocka_set_skip_filter(argv[2]);
  return cmocka_run_group_tests_name("kernels", tests, NULL, NULL);
}
