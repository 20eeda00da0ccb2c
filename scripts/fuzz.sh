#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (fuzz/fuzz_conv.c, fuzz/fuzz_pool.c) with clang
# -fsanitize=fuzzer,address,undefined (the library too, with the NEON kernels via SIMDe on
# an AVX2 machine, so scalar, AVX2 and NEON code all run) in build/fuzz, then fuzzes each
# target for SK_FUZZ_SECONDS (default 60) seconds, starting from the committed seed corpus
# fuzz/corpus/<target> (read only) and a work corpus build/fuzz/corpus-<target> (kept between
# runs). A failure leaves build/fuzz/artifacts/<target>-crash-* and prints how to replay it;
# add a minimized copy to fuzz/corpus/<target>/ with the fix (make test replays that corpus).
# Usage: scripts/fuzz.sh [target...]   env: SK_FUZZ_SECONDS, SK_FUZZ_DIR (default fuzz), JOBS
source "$(dirname "$0")/lib.sh"

dir="${SK_FUZZ_DIR:-fuzz}"
secs="${SK_FUZZ_SECONDS:-60}"
targets="${*:-conv pool}"
simde=OFF
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo; then simde=ON; fi

sk_banner "fuzz: configure + build (clang, libFuzzer + ASan + UBSan, NEON via SIMDe: $simde) in build/$dir"
sk_configure "$dir" \
  -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" \
  -DBUILD_SHARED_LIBS=OFF -DSIMDKERN_WERROR=ON -DSIMDKERN_SANITIZE=ON \
  -DSIMDKERN_NEON_VIA_SIMDE="$simde" -DSIMDKERN_BUILD_FUZZERS=ON \
  -DSIMDKERN_BUILD_TESTS=ON -DSIMDKERN_BUILD_EXAMPLES=OFF -DSIMDKERN_BUILD_BENCH=OFF
bins=""
for t in $targets; do bins="$bins fuzz_$t"; done
# shellcheck disable=SC2086
sk_build "$dir" --target $bins

out="$SK_ROOT/build/$dir"
mkdir -p "$out/artifacts"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
rc=0
for t in $targets; do
  sk_banner "fuzz: $t for ${secs}s (seeds fuzz/corpus/$t, work corpus build/$dir/corpus-$t)"
  mkdir -p "$out/corpus-$t"
  if ! "$out/tests/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=256 -timeout=20 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
      "$out/corpus-$t" "$SK_ROOT/fuzz/corpus/$t"; then
    rc=1
    echo "fuzz: $t FAILED; reproduce with:"
    for a in "$out/artifacts/$t-"*; do
      [ -e "$a" ] && echo "  $out/tests/fuzz/fuzz_$t $a   (or build/native/tests/fuzz/fuzz_replay_$t $a)"
    done
  fi
done
[ "$rc" -eq 0 ] && echo "fuzz: OK ($targets, ${secs}s each)"
exit "$rc"
