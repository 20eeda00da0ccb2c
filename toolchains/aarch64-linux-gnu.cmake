# CMake toolchain file: AArch64 Linux (Debian/Ubuntu cross compiler).
#
# Boards: Raspberry Pi 3 / Zero 2 W (Cortex-A53), Pi 4 / Pi 400 (Cortex-A72)
# and Pi 5 (Cortex-A76) running a 64-bit OS (Raspberry Pi OS 64-bit, Debian
# arm64, Ubuntu arm64), and any other ARMv8-A Linux board. NEON (ASIMD) is
# part of the AArch64 baseline.
#
# Use (SIMDKERN_CPU: generic | cortex-a53 | cortex-a72 | cortex-a76):
#   cmake -S . -B build/pi64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake -DSIMDKERN_CPU=cortex-a72
# Add -DSIMDKERN_BUILD_TESTS=ON and `ctest --test-dir build/pi64` runs the tests
# under qemu-aarch64; -DSIMDKERN_COMPILER=clang builds with clang instead of gcc.
#
# Needs (Debian 12): gcc-aarch64-linux-gnu g++-aarch64-linux-gnu, and for the
# tests qemu-user plus `dpkg --add-architecture arm64` + libcmocka-dev:arm64
# (scripts/setup.sh test installs all of it, and clang).

set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SK_TRIPLE aarch64-linux-gnu)

# -mcpu= tuning for one board; "generic" keeps the plain armv8-a baseline
# (runs on every 64-bit Pi).
set(SIMDKERN_CPU "generic" CACHE STRING
  "Target CPU: generic | cortex-a53 (Pi 3, Zero 2 W) | cortex-a72 (Pi 4) | cortex-a76 (Pi 5)")
set_property(CACHE SIMDKERN_CPU PROPERTY STRINGS generic cortex-a53 cortex-a72 cortex-a76)
if(SIMDKERN_CPU STREQUAL "generic")
  set(SK_TARGET_FLAGS "")
else()
  set(SK_TARGET_FLAGS "-mcpu=${SIMDKERN_CPU}")
endif()

# Tests run on a Pi 4 core by default.
set(SK_QEMU_NAME qemu-aarch64)
set(SK_QEMU_LOADER /lib/ld-linux-aarch64.so.1)
set(SK_QEMU_DEFAULT_CPU cortex-a72)

include(${CMAKE_CURRENT_LIST_DIR}/common-linux-cross.cmake)
