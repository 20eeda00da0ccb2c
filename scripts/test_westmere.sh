#!/usr/bin/env bash
# The native (x86-64) test binaries of build/native run under
# `qemu-x86_64 -cpu Westmere` (SSE4.2, no AVX): proves the baseline library
# never executes AVX2 before detection (no SIGILL), that detection reports
# scalar there (test_dispatch with SK_EXPECT_BEST=scalar), and that every test
# passes on the scalar path. Quick sweeps (SIMDKERN_TEST_QUICK=1): qemu's
# x86 emulation is ~30-60x slower than native.
source "$(dirname "$0")/lib.sh"

case "$(uname -m)" in x86_64|amd64) ;; *) echo "westmere: not an x86-64 host, skipped"; exit 0 ;; esac
bin="$SK_ROOT/build/native/tests"
[ -x "$bin/test_dispatch" ] || { echo "westmere: build/native missing (run the native step first)" >&2; exit 1; }
qemu="qemu-x86_64 -cpu Westmere"

sk_banner "westmere: native tests under $qemu (no AVX; scalar path)"
export SIMDKERN_TEST_QUICK=1
pass=0
fail=0
run() {
  local name="$1"; shift
  if "$@" >"$SK_ROOT/build/westmere-$name.log" 2>&1; then
    pass=$((pass + 1)); echo "westmere: $name passed"
  else
    rc=$?
    fail=$((fail + 1)); echo "westmere: $name FAILED (exit $rc; log build/westmere-$name.log)"
    tail -20 "$SK_ROOT/build/westmere-$name.log"
  fi
}
run dispatch env SK_EXPECT_BEST=scalar $qemu "$bin/test_dispatch"
run dispatch_cap_avx2 env SIMDKERN_ISA=avx2 SK_EXPECT_BEST=scalar $qemu "$bin/test_dispatch"
for t in errors golden pool conv kernels guard alloc numerics; do
  run "$t" $qemu "$bin/test_$t"
done
line="$pass passed, $fail failed"
printf '%-44s %s\n' "westmere (qemu-x86_64 -cpu Westmere, quick)" "$line" >>"${SK_SUMMARY_FILE:-/dev/null}"
echo "westmere: $line"
[ "$fail" -eq 0 ]
