# Shared helpers for the build/test scripts (sourced, bash).
# Conventions: build trees live under build/<name>, Ninja, $JOBS parallel jobs.
set -euo pipefail

SK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
# make test collects one line per ctest run here (see scripts/test_all.sh).
SK_SUMMARY_FILE="${SK_SUMMARY_FILE:-}"

sk_banner() { printf '\n==== %s ====\n' "$*"; }

sk_fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# sk_child_cpu: sets SK_CPU to the CPU seconds (user + sys) used so far by
# this shell's finished children (with other jobs on the machine, wall time
# alone says little). Call it directly, not in $(...): a subshell starts at 0.
sk_child_cpu() {
  local f
  f="$(mktemp)"
  times >"$f"
  SK_CPU="$(awk 'NR == 2 {
    t = 0
    for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); t += a[1] * 60 + a[2] }
    printf "%d\n", t }' "$f")"
  rm -f "$f"
}

# sk_configure DIR [cmake args...]: configure build/DIR with Ninja. A tree
# left by another generator is removed first (CMake refuses to switch).
sk_configure() {
  local dir="$SK_ROOT/build/$1"
  shift
  if [ -f "$dir/CMakeCache.txt" ] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt"; then
    rm -rf "$dir"
  fi
  cmake -S "$SK_ROOT" -B "$dir" -G Ninja "$@"
}

# sk_build DIR [cmake --build args...]
sk_build() {
  local dir="$SK_ROOT/build/$1"
  shift
  cmake --build "$dir" --parallel "$JOBS" "$@"
}

# sk_ctest LABEL DIR [ctest args...]: run ctest in build/DIR, keep its log in
# build/DIR/ctest-LABEL.log and record its summary line for make test.
# Runs with whatever environment the caller set (SIMDKERN_ISA, ...).
sk_ctest() {
  local label="$1" dir="$SK_ROOT/build/$2"
  shift 2
  local log="$dir/ctest-${label//[^A-Za-z0-9_.-]/_}.log"
  local t0=$SECONDS rc=0
  ctest --test-dir "$dir" --output-on-failure --no-tests=error --timeout 1200 \
    -j "$JOBS" "$@" 2>&1 | tee "$log" || rc=$?
  local line
  line="$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)"
  [ -n "$line" ] || line="ctest did not finish (exit $rc)"
  [ "$rc" -eq 0 ] || line="FAILED: $line"
  if [ -n "$SK_SUMMARY_FILE" ]; then
    printf '%-44s %s  [%s]\n' "$label" "$line" "$(sk_fmt_time $((SECONDS - t0)))" >>"$SK_SUMMARY_FILE"
  fi
  return "$rc"
}

# Keep a developer's environment from changing what the tests cover.
unset SIMDKERN_ISA SIMDKERN_TEST_QUICK
