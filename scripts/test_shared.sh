#!/usr/bin/env bash
# Shared-library build (gcc, Release, -Werror, examples, no tests: tests reach
# internal kernels, which a shared library must not export) and the export
# check: `nm -D --defined-only` must list exactly the sk_* functions of
# include/simdkern.h (ctest test check_exports -> scripts/check_exports.sh).
source "$(dirname "$0")/lib.sh"

sk_banner "shared: configure + build (gcc, Release, BUILD_SHARED_LIBS=ON, -Werror) in build/shared"
sk_configure shared \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=ON -DSIMDKERN_WERROR=ON -DSIMDKERN_SANITIZE=OFF \
  -DSIMDKERN_BUILD_TESTS=OFF -DSIMDKERN_BUILD_EXAMPLES=ON -DSIMDKERN_BUILD_BENCH=OFF
sk_build shared

sk_banner "shared: export check (nm -D)"
sk_ctest "shared (nm -D export check)" shared
