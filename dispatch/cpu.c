/*
 * CPU feature detection, run once per process, and the ISA choice for
 * SK_ISA_AUTO. Thread-safe without locks: the detected value is a pure
 * function of the CPU and the environment, so racing first calls compute the
 * same bits and publish them with one atomic store.
 */
#if defined(__linux__) || defined(__ANDROID__)
#define _GNU_SOURCE 1
#endif

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sk_common.h"
#include "sk_dispatch.h"

/* SK_STATIC_DISPATCH (CMake SIMDKERN_RUNTIME_DISPATCH=OFF): no detection at
 * all; the build contains only the ISA its compiler flags target, and this
 * file (built with the same flags) reports it as present. */
#if defined(SK_STATIC_DISPATCH)
#if defined(SK_HAVE_AVX2) && !(defined(__AVX2__) && defined(__FMA__))
#error "SK_STATIC_DISPATCH with AVX2 needs -mavx2 -mfma (or -march=...) for the whole build"
#endif
#if defined(SK_HAVE_NEON) && !(defined(__ARM_NEON) || defined(__ARM_NEON__))
#error "SK_STATIC_DISPATCH with NEON needs NEON in the compiler flags (ARMv7: -mfpu=neon-vfpv4)"
#endif
#elif defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define SK_ARCH_X86 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

#if (defined(__aarch64__) || defined(__arm__)) && (defined(__linux__) || defined(__ANDROID__)) && \
    !defined(SK_STATIC_DISPATCH)
#include <sys/auxv.h>
#define SK_HAVE_GETAUXVAL 1
#endif

/* Bits of the detected state word. */
enum {
  SK_CPU_DETECTED = 1u << 0, /* the word below is valid */
  SK_CPU_AVX2 = 1u << 1,     /* AVX2 + FMA + OS-saved YMM */
  SK_CPU_NEON = 1u << 2,     /* NEON usable by our NEON kernels */
  SK_CAP_SHIFT = 8           /* bits 8..15: SIMDKERN_ISA cap as an sk_isa, 0 = none */
};

static _Atomic unsigned sk_cpu_state;

#if defined(SK_ARCH_X86)
static void sk_cpuid(unsigned leaf, unsigned subleaf, unsigned r[4]) {
#if defined(_MSC_VER) && !defined(__clang__)
  int v[4];
  __cpuidex(v, (int)leaf, (int)subleaf);
  for (int i = 0; i < 4; i++) r[i] = (unsigned)v[i];
#else
  __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
#endif
}

/* XCR0 via XGETBV, encoded as bytes so no -mxsave flag is needed. Only
 * called once CPUID.1:ECX.OSXSAVE[bit 27] says the instruction exists. */
static unsigned long long sk_xgetbv0(void) {
#if defined(_MSC_VER) && !defined(__clang__)
  return _xgetbv(0);
#else
  unsigned eax, edx;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
#endif
}

static unsigned sk_detect_x86(void) {
  unsigned r[4];
  sk_cpuid(0, 0, r);
  const unsigned max_leaf = r[0];
  if (max_leaf < 7) return 0;
  sk_cpuid(1, 0, r);
  const unsigned ecx1 = r[2];
  const int fma = (ecx1 >> 12) & 1;     /* CPUID.1:ECX bit 12: FMA3 (SDM vol. 2A, table 3-10) */
  const int osxsave = (ecx1 >> 27) & 1; /* CPUID.1:ECX bit 27: OSXSAVE, XGETBV usable */
  const int avx = (ecx1 >> 28) & 1;     /* CPUID.1:ECX bit 28: AVX */
  if (!fma || !osxsave || !avx) return 0;
  /* XCR0 bit 1: SSE (XMM) state, bit 2: AVX (upper YMM) state, both saved
   * by the OS on context switch (SDM vol. 1, 13.3). */
  if ((sk_xgetbv0() & 0x6) != 0x6) return 0;
  sk_cpuid(7, 0, r);
  const int avx2 = (r[1] >> 5) & 1; /* CPUID.(EAX=7,ECX=0):EBX bit 5: AVX2 */
  return avx2 ? SK_CPU_AVX2 : 0;
}
#endif

static unsigned sk_detect_arm(void) {
#if defined(SK_STATIC_DISPATCH)
  return 0; /* see sk_cpu_detect */
#elif defined(SK_NEON_VIA_SIMDE) && defined(SK_ARCH_X86)
  /* Test-only build: the NEON kernels are SIMDe code compiled with
   * -mavx2 -mfma, so "NEON" runs wherever AVX2+FMA does. */
  return (sk_detect_x86() & SK_CPU_AVX2) ? SK_CPU_NEON : 0;
#elif defined(__aarch64__) || defined(_M_ARM64)
  /* AArch64: Advanced SIMD (NEON) with FMA is architectural in ARMv8-A
   * (Linux exposes it as HWCAP_ASIMD, bit 1, always set); Apple and Android
   * arm64 guarantee it too. */
  return SK_CPU_NEON;
#elif defined(__arm__) && defined(SK_HAVE_GETAUXVAL)
  /* ARMv7 Linux: arch/arm/include/uapi/asm/hwcap.h
   *   HWCAP_NEON  = 1 << 12  (Advanced SIMD)
   *   HWCAP_VFPv4 = 1 << 16  (VFPv4: fused multiply-add, vfma/vfmaq)
   * Our ARMv7 NEON kernels are built with -mfpu=neon-vfpv4: need both. */
  const unsigned long hw = getauxval(AT_HWCAP);
  return ((hw & (1ul << 12)) && (hw & (1ul << 16))) ? SK_CPU_NEON : 0;
#elif defined(__arm__) && defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)
  /* ARMv7 elsewhere (iOS armv7s): only compile-time facts. */
  return SK_CPU_NEON;
#else
  return 0;
#endif
}

static sk_isa sk_parse_cap(const char *s) {
  if (s == NULL) return SK_ISA_AUTO;
  if (strcmp(s, "scalar") == 0) return SK_ISA_SCALAR;
  if (strcmp(s, "avx2") == 0) return SK_ISA_AVX2;
  if (strcmp(s, "neon") == 0) return SK_ISA_NEON;
  return SK_ISA_AUTO; /* unknown values are ignored */
}

static unsigned sk_cpu_detect(void) {
  unsigned st = atomic_load_explicit(&sk_cpu_state, memory_order_acquire);
  if (st & SK_CPU_DETECTED) return st;
  st = SK_CPU_DETECTED;
#if defined(SK_ARCH_X86)
  st |= sk_detect_x86();
#endif
  st |= sk_detect_arm();
#if defined(SK_STATIC_DISPATCH)
  /* Fixed at compile time: the flags this file was built with say the ISA. */
#if defined(SK_HAVE_AVX2)
  st |= SK_CPU_AVX2;
#endif
#if defined(SK_HAVE_NEON)
  st |= SK_CPU_NEON;
#endif
#endif
  st |= (unsigned)sk_parse_cap(getenv("SIMDKERN_ISA")) << SK_CAP_SHIFT;
  atomic_store_explicit(&sk_cpu_state, st, memory_order_release);
  return st;
}

int sk_cpu_has_avx2(void) { return (sk_cpu_detect() & SK_CPU_AVX2) != 0; }
int sk_cpu_has_neon(void) { return (sk_cpu_detect() & SK_CPU_NEON) != 0; }

int sk_isa_supported(sk_isa isa) {
  switch (isa) {
    case SK_ISA_AUTO:
    case SK_ISA_SCALAR:
      return 1;
    case SK_ISA_AVX2:
#if defined(SK_HAVE_AVX2)
      return sk_cpu_has_avx2();
#else
      return 0;
#endif
    case SK_ISA_NEON:
#if defined(SK_HAVE_NEON)
      return sk_cpu_has_neon();
#else
      return 0;
#endif
  }
  return 0;
}

sk_isa sk_isa_best(void) {
  const sk_isa cap = (sk_isa)((sk_cpu_detect() >> SK_CAP_SHIFT) & 0xff);
  /* A cap naming a supported ISA is used as is; an unsupported one is
   * ignored, so sk_isa_best always names an ISA that really runs. */
  if (cap != SK_ISA_AUTO && sk_isa_supported(cap)) return cap;
  if (sk_isa_supported(SK_ISA_AVX2)) return SK_ISA_AVX2;
  if (sk_isa_supported(SK_ISA_NEON)) return SK_ISA_NEON;
  return SK_ISA_SCALAR;
}
