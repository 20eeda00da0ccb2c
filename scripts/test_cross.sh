#!/usr/bin/env bash
# Cross build through a toolchain file and ctest under qemu-user
# (CMAKE_CROSSCOMPILING_EMULATOR, toolchains/qemu-run.sh), with
# SIMDKERN_TEST_QUICK=1 to shrink the sweeps. Usage:
#   scripts/test_cross.sh aarch64        gcc, generic armv8-a, qemu cortex-a72 (Pi 4)   build/aarch64
#   scripts/test_cross.sh armv7          gcc, ARMv7-A + NEON files, qemu cortex-a15     build/armv7
#   scripts/test_cross.sh clang-aarch64  clang 14 --target=aarch64-linux-gnu (the NDK /
#                                        Xcode compiler), -mcpu=cortex-a76, qemu
#                                        cortex-a76 (Pi 5)                             build/clang-aarch64
# All with -Werror. (scripts/test_armv7_a8.sh reruns build/armv7 as a Cortex-A8.)
source "$(dirname "$0")/lib.sh"
# The configured CPU, not a developer's run-time override, is what we test.
unset SIMDKERN_QEMU_CPU SIMDKERN_QEMU_FLAGS

step="${1:?usage: $0 aarch64|armv7|clang-aarch64}"
case "$step" in
  aarch64)
    tc=aarch64-linux-gnu.cmake; cc=gcc; cpu=generic; qcpu=cortex-a72; emu=qemu-aarch64 ;;
  armv7)  # cortex-a15: NEON + VFPv4, so the NEON kernels run
    tc=arm-linux-gnueabihf.cmake; cc=gcc; cpu=generic; qcpu=cortex-a15; emu=qemu-arm ;;
  clang-aarch64)
    tc=aarch64-linux-gnu.cmake; cc=clang; cpu=cortex-a76; qcpu=cortex-a76; emu=qemu-aarch64 ;;
  *) echo "usage: $0 aarch64|armv7|clang-aarch64" >&2; exit 2 ;;
esac
emu="$emu -cpu $qcpu"

sk_banner "$step: configure + build (toolchains/$tc, $cc, SIMDKERN_CPU=$cpu, Release, -Werror) in build/$step"
sk_configure "$step" \
  -DCMAKE_TOOLCHAIN_FILE="$SK_ROOT/toolchains/$tc" -DSIMDKERN_COMPILER="$cc" \
  -DSIMDKERN_CPU="$cpu" -DSIMDKERN_QEMU_CPU="$qcpu" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DSIMDKERN_WERROR=ON -DSIMDKERN_SANITIZE=OFF \
  -DSIMDKERN_BUILD_TESTS=ON -DSIMDKERN_BUILD_EXAMPLES=ON -DSIMDKERN_BUILD_BENCH=OFF
sk_build "$step"

sk_banner "$step: ctest under $emu, SIMDKERN_TEST_QUICK=1"
SIMDKERN_TEST_QUICK=1 sk_ctest "$step ($emu, quick)" "$step"
