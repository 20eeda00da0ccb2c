#!/usr/bin/env bash
# `make bench`: install Google Benchmark (scripts/setup.sh bench), build the
# harness in build/bench (Release, -DSIMDKERN_BUILD_BENCH=ON) and run it,
# pinned to CPU 0 with taskset when available. Extra arguments go to the
# benchmark binary (e.g. --benchmark_filter=pointwise).
source "$(dirname "$0")/lib.sh"

target="${SK_BENCH_TARGET:-simdkern_bench}"
sh "$SK_ROOT/scripts/setup.sh" bench
sk_banner "bench: configure + build (Release) in build/bench"
sk_configure bench -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DSIMDKERN_BUILD_BENCH=ON -DSIMDKERN_BUILD_EXAMPLES=OFF -DSIMDKERN_BUILD_TESTS=OFF
sk_build bench --target "$target"

exe="$(find "$SK_ROOT/build/bench" -type f -name "$target" -perm -u+x | head -n 1)"
[ -n "$exe" ] || { echo "bench: no executable '$target' under build/bench" >&2; exit 1; }
pin=()
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
  pin=(taskset -c 0)
fi
sk_banner "bench: ${pin[*]} ${exe#"$SK_ROOT"/} $*"
exec "${pin[@]}" "$exe" "$@"
