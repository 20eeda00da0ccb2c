# CMake toolchain file: ARMv7-A Linux, hard float (Debian/Ubuntu armhf).
#
# Boards: Raspberry Pi 2 (Cortex-A7), Pi 3 / Zero 2 W (Cortex-A53) and Pi 4
# (Cortex-A72) running a 32-bit OS (Raspberry Pi OS 32-bit, Debian armhf).
# The library baseline is plain ARMv7-A + VFPv3-D16 (Debian's armhf default)
# and never assumes NEON: only the *_neon.c files are built with
# -mfpu=neon-vfpv4 (set in CMakeLists.txt), and run only when HWCAP reports
# NEON and VFPv4. (Pi 1 / Zero are ARMv6 and not supported by armhf.)
#
# Use (SIMDKERN_CPU: generic | cortex-a7 | cortex-a53 | cortex-a72):
#   cmake -S . -B build/pi32 -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake -DSIMDKERN_CPU=cortex-a7
# Add -DSIMDKERN_BUILD_TESTS=ON and `ctest --test-dir build/pi32` runs the tests
# under qemu-arm; -DSIMDKERN_COMPILER=clang builds with clang instead of gcc.
#
# Needs (Debian 12): gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf, and for
# the tests qemu-user plus `dpkg --add-architecture armhf` + libcmocka-dev:armhf
# (scripts/setup.sh test installs all of it, and clang).

set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(SK_TRIPLE arm-linux-gnueabihf)

# Baseline: ARMv7-A, hard float, VFPv3-D16, no NEON. SIMDKERN_CPU adds -mcpu=
# tuning but keeps the baseline FPU, so a build for one Pi still only uses
# NEON behind the runtime check.
set(SIMDKERN_CPU "generic" CACHE STRING
  "Target CPU: generic | cortex-a7 (Pi 2) | cortex-a53 (Pi 3, Zero 2 W) | cortex-a72 (Pi 4)")
set_property(CACHE SIMDKERN_CPU PROPERTY STRINGS generic cortex-a7 cortex-a53 cortex-a72)
if(SIMDKERN_CPU STREQUAL "generic")
  set(SK_TARGET_FLAGS "-march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard")
else()
  set(SK_TARGET_FLAGS "-mcpu=${SIMDKERN_CPU} -mfpu=vfpv3-d16 -mfloat-abi=hard")
endif()

# Tests run on a Cortex-A15 by default: NEON + VFPv4 like the Pi 2's Cortex-A7,
# so the NEON path is exercised. `make test` also runs the same tree as a
# Cortex-A8 (NEON without VFPv4: the scalar path; scripts/test_armv7_a8.sh).
set(SK_QEMU_NAME qemu-arm)
set(SK_QEMU_LOADER /lib/ld-linux-armhf.so.3)
set(SK_QEMU_DEFAULT_CPU cortex-a15)

include(${CMAKE_CURRENT_LIST_DIR}/common-linux-cross.cmake)
