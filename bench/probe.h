/*
 * Machine probes run at the start of simdkern_bench: the one-core peak
 * floating-point rate of each ISA and the copy bandwidth at three working-set
 * sizes. Each ISA's probe is its own file built with that ISA's flags only;
 * call it only when the CPU runs that ISA. Rates are best-of-blocks, timed
 * with the thread's CPU clock (the harness's rates divide by CPU time too).
 */
#ifndef SIMDKERN_BENCH_PROBE_H
#define SIMDKERN_BENCH_PROBE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CPU seconds used by the calling thread. */
double sk_probe_thread_seconds(void);

/* Peak GFLOP/s (2 flops per multiply-add) of one core for about `seconds`:
 * many independent chains of a = a * b + c, so only throughput limits it.
 *   scalar: one float per op, separate multiply and add (baseline code,
 *           not vectorized): scalar code as written.
 *   avx2:   _mm256_fmadd_ps, 8 lanes (x86-64 with AVX2 + FMA only).
 *   avx512: _mm512_fmadd_ps, 16 lanes (CPUs with AVX-512F only).
 *   neon:   vfmaq_f32, 4 lanes (AArch64, or ARMv7 with NEON + VFPv4 only). */
/* The best GFLOP/s of chains(steps, b, c), flops_per_step flops a step, over repeated calls
 * for about `seconds` of thread CPU time (b and c read from volatiles, so the chains cannot be
 * folded). Shared by the FMA probes below. */
typedef float (*sk_probe_chains_fn)(long steps, float b, float c);
double sk_probe_fma_best(sk_probe_chains_fn chains, long steps, double flops_per_step,
                         double seconds);

double sk_probe_fma_scalar(double seconds);
/* baseline SIMD: the scalar chains on 4-float compiler vectors (SSE2 on
 * x86-64), the ceiling of the scalar kernels once auto-vectorized. */
double sk_probe_fma_baseline_simd(double seconds);
double sk_probe_fma_avx2(double seconds);
double sk_probe_fma_avx512(double seconds);
double sk_probe_fma_neon(double seconds);

/* Copy bandwidth in GB/s counting bytes read + bytes written (as the
 * pooling GB/s counter counts input + output), copying n floats from src to
 * dst repeatedly for about `seconds`. The avx2 one uses 256-bit loads and
 * stores; the portable one memcpy. */
double sk_probe_copy_avx2(float *dst, const float *src, size_t n, double seconds);
double sk_probe_copy_portable(float *dst, const float *src, size_t n, double seconds);

#ifdef __cplusplus
}
#endif

#endif /* SIMDKERN_BENCH_PROBE_H */
