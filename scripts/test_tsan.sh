#!/usr/bin/env bash
# ThreadSanitizer build (make test step "tsan"): gcc -fsanitize=thread, -O1 -g, -Werror,
# static library with the NEON kernels via SIMDe on an AVX2 machine (so the thread tests run
# scalar, AVX2 and NEON code), in build/tsan. Runs every test that starts threads in full
# (threads: one op from 8 threads for every op/ISA, concurrent create/destroy; threads_init_race:
# first calls from 16 threads in fresh processes; dispatch*: concurrent first calls;
# test_conv conv_concurrent_runs), then the API-level tests quick (errors, golden, guard,
# alloc, numerics, fuzz corpus replay). The kernel sweeps (conv, conv_channels, pool, kernels)
# are single-threaded calls of code without shared state: TSan has nothing to check there and
# they would take minutes under it; ASan+UBSan runs them. Any TSan report fails the test
# (halt_on_error=1).
# SK_TSAN_CC=clang builds with clang instead; SK_TSAN_DIR changes the build directory.
source "$(dirname "$0")/lib.sh"

cc="${SK_TSAN_CC:-gcc}"
dir="${SK_TSAN_DIR:-tsan}"
simde=OFF
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo; then simde=ON; fi

sk_banner "tsan: configure + build ($cc, -fsanitize=thread, NEON via SIMDe: $simde) in build/$dir"
sk_configure "$dir" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g -fno-omit-frame-pointer" \
  -DCMAKE_C_FLAGS="-fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DBUILD_SHARED_LIBS=OFF -DSIMDKERN_WERROR=ON -DSIMDKERN_SANITIZE=OFF \
  -DSIMDKERN_NEON_VIA_SIMDE="$simde" \
  -DSIMDKERN_BUILD_TESTS=ON -DSIMDKERN_BUILD_EXAMPLES=OFF -DSIMDKERN_BUILD_BENCH=OFF
# only what runs below (test_kernels, test_pool: not run under TSan)
sk_build "$dir" --target test_threads test_dispatch test_conv test_errors test_golden \
  test_guard test_alloc test_numerics fuzz_replay_conv fuzz_replay_pool

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=4"
sk_banner "tsan: ctest, the thread tests in full"
sk_ctest "tsan ($cc, thread tests, full)" "$dir" -R '^(threads|threads_init_race|dispatch.*)$'

sk_banner "tsan: test_conv conv_concurrent_runs (one op from several threads)"
t0=$SECONDS
rc=0
"$SK_ROOT/build/$dir/tests/test_conv" conv_concurrent_runs || rc=$?
line="1 passed, 0 failed"
[ "$rc" -eq 0 ] || line="FAILED: 0 passed, 1 failed (exit $rc)"
if [ -n "$SK_SUMMARY_FILE" ]; then
  printf '%-44s %s  [%s]\n' "tsan ($cc, conv_concurrent_runs)" "$line" \
    "$(sk_fmt_time $((SECONDS - t0)))" >>"$SK_SUMMARY_FILE"
fi
[ "$rc" -eq 0 ]

sk_banner "tsan: ctest, the API-level tests quick (SIMDKERN_TEST_QUICK=1)"
SIMDKERN_TEST_QUICK=1 sk_ctest "tsan ($cc, API tests, quick)" "$dir" \
  -R '^(errors|golden|guard|alloc|numerics|fuzz_replay_.*)$'
