#!/usr/bin/env bash
# Sanitizer build (with the NEON kernels via SIMDe too): ASan + UBSan with -fno-sanitize-recover=all (any report
# fails the test), Debug (-O0 -g, asserts on), -Werror, gcc. Debug rather than
# RelWithDebInfo: gcc needs ~10x longer (45 s CPU per file) to compile the
# unrolled AVX2 kernels with ASan+UBSan at -O2, which costs far more than the
# slower -O0 test run (measured: build+tests ~100 s CPU at -O0, ~330 s at -O2).
# SK_ASAN_CC=clang builds it with clang instead (needs libclang-rt-14-dev,
# installed by scripts/setup.sh test).
source "$(dirname "$0")/lib.sh"

cc="${SK_ASAN_CC:-gcc}"

sk_banner "asan: configure + build ($cc, ASan+UBSan, Debug, -Werror) in build/asan"
sk_configure asan \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
  -DBUILD_SHARED_LIBS=OFF -DSIMDKERN_WERROR=ON -DSIMDKERN_SANITIZE=ON \
  -DSIMDKERN_NEON_VIA_SIMDE=ON \
  -DSIMDKERN_BUILD_TESTS=ON -DSIMDKERN_BUILD_EXAMPLES=ON -DSIMDKERN_BUILD_BENCH=OFF
sk_build asan

sk_banner "asan: ctest"
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
sk_ctest "asan ($cc, ASan+UBSan)" asan
