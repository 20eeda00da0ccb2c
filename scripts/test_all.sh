#!/usr/bin/env bash
# `make test`: installs the test dependencies (scripts/setup.sh test), then
# builds and tests every configuration in sequence, stopping at the first
# failure with a non-zero exit:
#   native   gcc Release -Werror, tests over every ISA of this CPU,
#            then again with SIMDKERN_ISA=scalar          (build/native)
#   westmere the native tests under qemu-x86_64 -cpu Westmere (no AVX):
#            detection says scalar, no SIGILL, quick sweeps pass
#   simde    NEON kernels on x86 through SIMDe, tests over
#            scalar, avx2 and neon, then SIMDKERN_ISA=neon (build/simde)
#   asan     ASan+UBSan, -fno-sanitize-recover=all        (build/asan)
#   tsan     ThreadSanitizer (gcc), thread tests in full, the rest quick
#                                                         (build/tsan)
#   aarch64  cross build, ctest under qemu-aarch64, quick (build/aarch64)
#   armv7    cross build, ctest under qemu-arm, quick     (build/armv7)
#   armv7-a8 build/armv7 again under qemu-arm -cpu cortex-a8 (NEON, no
#            VFPv4): detection says scalar, no SIGILL, quick suite passes,
#            no VFPv4 instruction in the qemu execution trace
#   clang-aarch64  clang --target=aarch64-linux-gnu -mcpu=cortex-a76
#            -Werror, ctest under qemu-aarch64 -cpu cortex-a76, quick
#                                                         (build/clang-aarch64)
#   shared   BUILD_SHARED_LIBS=ON + nm -D export check    (build/shared)
#   package  install (static + shared, and AArch64) into fresh prefixes and
#            build examples/consumer via find_package, pkg-config (run under
#            qemu for AArch64), add_subdirectory and FetchContent (LTO),
#            with some SIMDKERN_ENABLE_* options off; embedding checks
#            (scripts/test_package.sh; build/embed, build/package)
#   size     binary-size budget of the stripped shared library, x86-64 /
#            AArch64 / ARMv7, + static demo sizes (scripts/size_report.sh)
# Ends with one summary line per ctest run and the time of each step.
# Run a subset with e.g. `SK_STEPS="native asan" make test`.
source "$(dirname "$0")/lib.sh"

steps="${SK_STEPS:-native westmere simde asan tsan aarch64 armv7 armv7-a8 clang-aarch64 shared package size}"

t_all=$SECONDS
sk_banner "setup: scripts/setup.sh test"
sh "$SK_ROOT/scripts/setup.sh" test
t_setup=$((SECONDS - t_all))

mkdir -p "$SK_ROOT/build"
export SK_SUMMARY_FILE="$SK_ROOT/build/test-summary.txt"
: >"$SK_SUMMARY_FILE"
times="setup $(sk_fmt_time "$t_setup")"

summary() {
  echo
  echo "==== make test summary ($(nproc 2>/dev/null || echo '?') cores, JOBS=$JOBS) ===="
  cat "$SK_SUMMARY_FILE"
  echo "step times: $times"
}

for step in $steps; do
  t0=$SECONDS
  sk_child_cpu
  c0=$SK_CPU
  rc=0
  case "$step" in
    native)        bash "$SK_ROOT/scripts/test_native.sh" || rc=$? ;;
    westmere)      bash "$SK_ROOT/scripts/test_westmere.sh" || rc=$? ;;
    simde)         bash "$SK_ROOT/scripts/test_simde.sh" || rc=$? ;;
    asan)          bash "$SK_ROOT/scripts/test_asan.sh" || rc=$? ;;
    tsan)          bash "$SK_ROOT/scripts/test_tsan.sh" || rc=$? ;;
    aarch64|armv7) bash "$SK_ROOT/scripts/test_cross.sh" "$step" || rc=$? ;;
    armv7-a8)      bash "$SK_ROOT/scripts/test_armv7_a8.sh" || rc=$? ;;
    clang-aarch64) bash "$SK_ROOT/scripts/test_cross.sh" "$step" || rc=$? ;;
    shared)        bash "$SK_ROOT/scripts/test_shared.sh" || rc=$? ;;
    package)       bash "$SK_ROOT/scripts/test_package.sh" || rc=$? ;;
    size)          bash "$SK_ROOT/scripts/size_report.sh" || rc=$? ;;
    *) echo "test_all: unknown step '$step'" >&2; rc=2 ;;
  esac
  sk_child_cpu
  times="$times, $step $(sk_fmt_time $((SECONDS - t0))) (cpu $(sk_fmt_time $((SK_CPU - c0))))"
  if [ "$rc" -ne 0 ]; then
    grep -q "^$step" "$SK_SUMMARY_FILE" || printf '%-44s FAILED (configure or build, exit %s)\n' "$step" "$rc" >>"$SK_SUMMARY_FILE"
    summary
    echo "make test: FAILED in step '$step' after $(sk_fmt_time $((SECONDS - t_all)))"
    exit "$rc"
  fi
done
summary
sk_child_cpu
echo "make test: OK, all steps passed ($steps) in $(sk_fmt_time $((SECONDS - t_all))) (cpu $(sk_fmt_time "$SK_CPU"))"
# One plain closing line with the totals over every step's test runs.
awk '/tests failed out of/ { for (i = 1; i <= NF; i++) if ($i == "of") t += $(i + 1); for (i = 1; i <= NF; i++) if ($i == "tests" && $(i + 1) == "failed") f += $(i - 1) }
     / passed, [0-9]+ failed/ { for (i = 1; i <= NF; i++) { if ($(i + 1) == "passed,") t += $i; if ($(i + 1) == "failed") { t += $i; f += $i } } }
     END { printf "total: %d passed, %d failed\n", t - f, f }' "$SK_SUMMARY_FILE"
