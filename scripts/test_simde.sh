#!/usr/bin/env bash
# NEON kernels compiled on x86-64 through SIMDe (SIMDKERN_NEON_VIA_SIMDE=ON,
# test-only): sk_isa_supported(SK_ISA_NEON) is true here, so every test that
# loops over the supported ISAs runs the NEON code natively; then ctest once
# more with SIMDKERN_ISA=neon so SK_ISA_AUTO picks NEON too.
source "$(dirname "$0")/lib.sh"

if ! grep -qw avx2 /proc/cpuinfo 2>/dev/null || ! grep -qw fma /proc/cpuinfo; then
  echo "simde: this CPU lacks AVX2+FMA (the SIMDe build needs them); step skipped"
  exit 0
fi

sk_banner "simde: configure + build (gcc, Release, -Werror, NEON via SIMDe) in build/simde"
sk_configure simde \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DSIMDKERN_WERROR=ON -DSIMDKERN_SANITIZE=OFF \
  -DSIMDKERN_NEON_VIA_SIMDE=ON \
  -DSIMDKERN_BUILD_TESTS=ON -DSIMDKERN_BUILD_EXAMPLES=ON -DSIMDKERN_BUILD_BENCH=OFF
sk_build simde

sk_banner "simde: ctest (scalar, avx2, neon via SIMDe)"
sk_ctest "simde (scalar avx2 neon-via-simde)" simde

sk_banner "simde: ctest with SIMDKERN_ISA=neon"
SIMDKERN_ISA=neon sk_ctest "simde SIMDKERN_ISA=neon" simde
