#!/usr/bin/env bash
# Cross build through a toolchain file and ctest under qemu-user
# (CMAKE_CROSSCOMPILING_EMULATOR), with SIMDKERN_TEST_QUICK=1 to shrink the
# sweeps. Usage: scripts/test_cross.sh aarch64|armv7
source "$(dirname "$0")/lib.sh"

arch="${1:?usage: $0 aarch64|armv7}"
case "$arch" in
  aarch64) tc=aarch64-linux-gnu.cmake; emu="qemu-aarch64 -cpu cortex-a72" ;;
  armv7)   tc=arm-linux-gnueabihf.cmake; emu="qemu-arm -cpu cortex-a15" ;;  # NEON + VFPv4
  *) echo "usage: $0 aarch64|armv7" >&2; exit 2 ;;
esac

sk_banner "$arch: configure + build (toolchains/$tc, Release, -Werror) in build/$arch"
sk_configure "$arch" \
  -DCMAKE_TOOLCHAIN_FILE="$SK_ROOT/toolchains/$tc" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DSIMDKERN_WERROR=ON -DSIMDKERN_SANITIZE=OFF \
  -DSIMDKERN_BUILD_TESTS=ON -DSIMDKERN_BUILD_EXAMPLES=ON -DSIMDKERN_BUILD_BENCH=OFF
sk_build "$arch"

sk_banner "$arch: ctest under $emu, SIMDKERN_TEST_QUICK=1"
SIMDKERN_TEST_QUICK=1 sk_ctest "$arch ($emu, quick)" "$arch"
