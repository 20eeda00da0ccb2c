#!/usr/bin/env bash
# The ARMv7 tree of the armv7 step (build/armv7: baseline VFPv3-D16, NEON files
# built with -mfpu=neon-vfpv4) tested again under `qemu-arm -cpu cortex-a8`:
# NEON but no VFPv4 (old phones, BeagleBone), so no fused multiply-add. Proves:
#   - the premise: HWCAP on this qemu CPU has NEON and lacks VFPv4;
#   - detection says scalar: the dispatch test with SK_EXPECT_BEST=scalar
#     (its supported_matches_cpu also compares sk_isa_supported with HWCAP);
#   - no SIGILL and the whole quick suite passes on the scalar path;
#   - no VFPv4 instruction ever runs. qemu 7.2 raises SIGILL for the scalar
#     VFPv4 vfma on a Cortex-A8 but runs the NEON vfma.f32 q-form anyway, so
#     the run is traced (qemu -d in_asm: every translated instruction) and the
#     trace must contain no vfma/vfms/vfnma/vfnms.
# Reuses the build; the CPU is switched at run time through SIMDKERN_QEMU_CPU
# (read by toolchains/qemu-run.sh, the tree's CMAKE_CROSSCOMPILING_EMULATOR).
source "$(dirname "$0")/lib.sh"

dir="$SK_ROOT/build/armv7"
cpu=cortex-a8
[ -x "$dir/tests/test_dispatch" ] || { echo "armv7-a8: build/armv7 missing (run the armv7 step first)" >&2; exit 1; }
grep -q 'qemu-run\.sh' "$dir/tests/CTestTestfile.cmake" || {
  echo "armv7-a8: build/armv7 does not run its tests through toolchains/qemu-run.sh (rerun the armv7 step)" >&2
  exit 1
}
work="$dir/a8"
ctest_rc=0
rm -rf "$work"
mkdir -p "$work/trace"

sk_banner "armv7-a8: HWCAP under qemu-arm -cpu $cpu"
cat >"$work/hwcap.c" <<'EOF'
/* Prints the ARM Linux HWCAP bits the NEON dispatch reads. */
#include <stdio.h>
#include <sys/auxv.h>
int main(void) {
  const unsigned long hw = getauxval(AT_HWCAP);
  printf("HWCAP=0x%lx NEON=%d VFPv4=%d\n", hw, (int)((hw >> 12) & 1), (int)((hw >> 16) & 1));
  return 0;
}
EOF
arm-linux-gnueabihf-gcc -O1 -march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard \
  "$work/hwcap.c" -o "$work/hwcap"
hw="$(sh "$SK_ROOT/toolchains/qemu-run.sh" qemu-arm "$cpu" - "$work/hwcap")"
echo "qemu-arm -cpu $cpu: $hw"
case "$hw" in
  *"NEON=1 VFPv4=0"*) ;;
  *) echo "armv7-a8: expected NEON without VFPv4 on qemu's $cpu" >&2; exit 1 ;;
esac

sk_banner "armv7-a8: ctest in build/armv7 under qemu-arm -cpu $cpu (traced), SIMDKERN_TEST_QUICK=1"
SIMDKERN_QEMU_CPU="$cpu" SIMDKERN_QEMU_FLAGS="-d in_asm -D $work/trace/%d.log" \
  SK_EXPECT_BEST=scalar SIMDKERN_TEST_QUICK=1 \
  sk_ctest "armv7-a8 (qemu-arm -cpu $cpu, quick)" armv7 || ctest_rc=$?

sk_banner "armv7-a8: no VFPv4 instruction in the execution trace (checked even if ctest failed)"
# In the library: how many VFPv4 FMA instructions exist (all in NEON code).
objdump="$(sed -n 's/^CMAKE_OBJDUMP:[A-Z]*=//p' "$dir/CMakeCache.txt")"
vfp4_re='[[:space:]]vfn?m[as]\.f(32|64)[[:space:]]'
in_lib="$("${objdump:-arm-linux-gnueabihf-objdump}" -d "$dir/libsimdkern.a" | grep -Ec "$vfp4_re" || true)"
# The trace must really hold the disassembly (0xADDR: ENCODING mnemonic ...;
# a 32-bit Thumb-2 encoding is printed as two halfwords).
traced="$(cat "$work"/trace/*.log | grep -Ec '^0x[0-9a-f]+:[[:space:]]+[0-9a-f]+( [0-9a-f]+)?[[:space:]]+[a-z]' || true)"
hits="$(cat "$work"/trace/*.log | grep -E "$vfp4_re" || true)"
echo "libsimdkern.a holds $in_lib VFPv4 FMA instructions; trace: $(ls "$work/trace" | wc -l) processes, $traced instructions translated"
if [ "$traced" -lt 1000 ]; then
  echo "armv7-a8: the qemu trace is missing or empty (-d in_asm not honoured?)" >&2
  exit 1
fi
if [ -n "$hits" ]; then
  echo "armv7-a8: VFPv4 instructions ran on a Cortex-A8 (would SIGILL on hardware):" >&2
  echo "$hits" | head -20 >&2
  printf '%-44s %s\n' "armv7-a8 trace" "FAILED: VFPv4 instructions executed" >>"${SK_SUMMARY_FILE:-/dev/null}"
  exit 1
fi
printf '%-44s %s\n' "armv7-a8 trace (no VFPv4 executed)" \
  "OK: 0 of $in_lib in the library, $traced instructions traced" >>"${SK_SUMMARY_FILE:-/dev/null}"
echo "armv7-a8: no VFPv4 instruction executed"
rm -rf "$work/trace"
exit "$ctest_rc"
