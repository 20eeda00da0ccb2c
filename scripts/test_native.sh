#!/usr/bin/env bash
# Native build (gcc, Release, -Wall -Wextra -Werror, tests + examples) and its
# tests. The tests loop over every ISA this CPU supports (sk_isa_supported);
# then ctest runs once more with SIMDKERN_ISA=scalar capping the automatic
# choice, as CI does per ISA (libjpeg-turbo style).
source "$(dirname "$0")/lib.sh"

isas="scalar"
grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && isas="$isas avx2"
grep -qwE 'asimd|neon' /proc/cpuinfo 2>/dev/null && isas="$isas neon"

sk_banner "native: configure + build (gcc, Release, -Werror) in build/native"
sk_configure native \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DSIMDKERN_WERROR=ON -DSIMDKERN_SANITIZE=OFF \
  -DSIMDKERN_BUILD_TESTS=ON -DSIMDKERN_BUILD_EXAMPLES=ON -DSIMDKERN_BUILD_BENCH=OFF
sk_build native

sk_banner "native: ctest (every ISA of this CPU: $isas)"
sk_ctest "native ($isas)" native

sk_banner "native: ctest with SIMDKERN_ISA=scalar"
SIMDKERN_ISA=scalar sk_ctest "native SIMDKERN_ISA=scalar" native
