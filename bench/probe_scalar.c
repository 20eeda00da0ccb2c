/*
 * Portable probes: the thread CPU clock, the scalar multiply-add peak (built
 * with -fno-tree-vectorize so the chains stay one float wide), the same on
 * the baseline ISA's 4-float vectors, and a memcpy copy-bandwidth probe.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <time.h>

#include "probe.h"

double sk_probe_thread_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { kChains = 12 };

/* kChains independent chains: a_i = a_i * b + c; 2 flops each per step. */
static float chains_scalar(long steps, float b, float c) {
  float a[kChains];
  for (int i = 0; i < kChains; i++) a[i] = 0.001f * (float)i;
  for (long s = 0; s < steps; s++) {
    a[0] = a[0] * b + c;
    a[1] = a[1] * b + c;
    a[2] = a[2] * b + c;
    a[3] = a[3] * b + c;
    a[4] = a[4] * b + c;
    a[5] = a[5] * b + c;
    a[6] = a[6] * b + c;
    a[7] = a[7] * b + c;
    a[8] = a[8] * b + c;
    a[9] = a[9] * b + c;
    a[10] = a[10] * b + c;
    a[11] = a[11] * b + c;
  }
  float sum = 0.0f;
  for (int i = 0; i < kChains; i++) sum += a[i];
  return sum;
}

double sk_probe_fma_best(sk_probe_chains_fn chains, long steps, double flops_per_step,
                         double seconds) {
  volatile float b = 0.9999f, c = 1e-4f, sink = 0.0f;
  double best = 0.0, spent = 0.0;
  while (spent < seconds) {
    const double t0 = sk_probe_thread_seconds();
    sink += chains(steps, b, c);
    const double t = sk_probe_thread_seconds() - t0;
    spent += t;
    if (t > 0.0) {
      const double gflops = flops_per_step * (double)steps / t * 1e-9;
      if (gflops > best) best = gflops;
    }
  }
  (void)sink;
  return best;
}

double sk_probe_fma_scalar(double seconds) {
  return sk_probe_fma_best(chains_scalar, 1L << 20, 2.0 * kChains, seconds);
}

/* The same chains on 4-float GCC/Clang vectors: the baseline ISA's SIMD
 * (SSE2 on x86-64, NEON on AArch64), which is what the compiler may
 * auto-vectorize the scalar kernels' loops to. */
typedef float sk_v4sf __attribute__((vector_size(16)));

static float chains_vec4(long steps, float bs, float cs) {
  const sk_v4sf b = {bs, bs, bs, bs}, c = {cs, cs, cs, cs};
  sk_v4sf a[kChains];
  for (int i = 0; i < kChains; i++) {
    const float v = 0.001f * (float)i;
    a[i] = (sk_v4sf){v, v, v, v};
  }
  for (long s = 0; s < steps; s++) {
    a[0] = a[0] * b + c;
    a[1] = a[1] * b + c;
    a[2] = a[2] * b + c;
    a[3] = a[3] * b + c;
    a[4] = a[4] * b + c;
    a[5] = a[5] * b + c;
    a[6] = a[6] * b + c;
    a[7] = a[7] * b + c;
    a[8] = a[8] * b + c;
    a[9] = a[9] * b + c;
    a[10] = a[10] * b + c;
    a[11] = a[11] * b + c;
  }
  sk_v4sf sum = a[0];
  for (int i = 1; i < kChains; i++) sum += a[i];
  return sum[0] + sum[1] + sum[2] + sum[3];
}

double sk_probe_fma_baseline_simd(double seconds) {
  return sk_probe_fma_best(chains_vec4, 1L << 19, 2.0 * 4.0 * kChains, seconds);
}

double sk_probe_copy_portable(float *dst, const float *src, size_t n, double seconds) {
  double best = 0.0, spent = 0.0;
  while (spent < seconds) {
    const double t0 = sk_probe_thread_seconds();
    memcpy(dst, src, n * sizeof *src);
    const double t = sk_probe_thread_seconds() - t0;
    spent += t > 0.0 ? t : 1e-6; /* a coarse clock must not spin forever */
    if (t > 0.0) {
      const double gbs = 2.0 * (double)(n * sizeof *src) / t * 1e-9;
      if (gbs > best) best = gbs;
    }
  }
  return best;
}
