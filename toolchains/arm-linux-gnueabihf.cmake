# CMake toolchain file: ARMv7-A Linux, hard float (Debian/Ubuntu armhf).
#
# Targets: Raspberry Pi 2 (Cortex-A7), Pi 3 / Zero 2 W (Cortex-A53) and Pi 4
# (Cortex-A72) running a 32-bit OS (Raspberry Pi OS 32-bit, Debian armhf).
# The library baseline is plain ARMv7-A + VFPv3-D16 (Debian's armhf default)
# and never assumes NEON: only the *_neon.c files are built with
# -mfpu=neon-vfpv4 (set in CMakeLists.txt), and run only when HWCAP reports
# NEON and VFPv4. (Pi 1 / Zero are ARMv6 and not supported by armhf.)
#
# Use:
#   cmake -S . -B build/armv7 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake \
#     [-DSIMDKERN_CPU=cortex-a7] [-DSIMDKERN_BUILD_TESTS=ON]
#   cmake --build build/armv7 && ctest --test-dir build/armv7   # under qemu
#
# Needs (Debian 12): gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf qemu-user,
# and for the tests `dpkg --add-architecture armhf` + libcmocka-dev:armhf
# (scripts/setup.sh test installs all of it).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(SK_TRIPLE arm-linux-gnueabihf)

set(CMAKE_C_COMPILER ${SK_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${SK_TRIPLE}-g++)

# Baseline: ARMv7-A, hard float, VFPv3-D16, no NEON. SIMDKERN_CPU adds -mcpu=
# tuning but keeps the baseline FPU, so a build for one Pi still only uses
# NEON behind the runtime check.
set(SIMDKERN_CPU "generic" CACHE STRING
  "Target CPU: generic | cortex-a7 (Pi 2) | cortex-a53 (Pi 3, Zero 2 W) | cortex-a72 (Pi 4)")
set_property(CACHE SIMDKERN_CPU PROPERTY STRINGS generic cortex-a7 cortex-a53 cortex-a72)
if(SIMDKERN_CPU STREQUAL "generic")
  set(SK_ARM_FLAGS "-march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard")
else()
  set(SK_ARM_FLAGS "-mcpu=${SIMDKERN_CPU} -mfpu=vfpv3-d16 -mfloat-abi=hard")
endif()
set(CMAKE_C_FLAGS_INIT "${SK_ARM_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${SK_ARM_FLAGS}")

# Target libraries and headers: the cross toolchain's root (libc, libm) and
# the Debian multiarch dirs under / (libcmocka-dev:armhf lives in
# /usr/lib/arm-linux-gnueabihf). Programs come from the host.
set(CMAKE_LIBRARY_ARCHITECTURE ${SK_TRIPLE})
set(CMAKE_FIND_ROOT_PATH /usr/${SK_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config: only the target's .pc files.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${SK_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Run target programs under qemu-user. Cortex-A15 has NEON + VFPv4 (like the
# Pi 2's Cortex-A7), so the NEON path is exercised. With the Debian multiarch
# runtime (libc6:armhf) the loader is /lib/ld-linux-armhf.so.3 and qemu needs
# no prefix; otherwise use the cross toolchain's root.
set(SIMDKERN_QEMU_CPU "cortex-a15" CACHE STRING "CPU model for qemu-arm -cpu (cortex-a7 or cortex-a15: NEON + VFPv4)")
find_program(SK_QEMU qemu-arm)
if(SK_QEMU)
  if(EXISTS /lib/ld-linux-armhf.so.3)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${SK_QEMU} -cpu ${SIMDKERN_QEMU_CPU})
  else()
    set(CMAKE_CROSSCOMPILING_EMULATOR ${SK_QEMU} -L /usr/${SK_TRIPLE} -cpu ${SIMDKERN_QEMU_CPU})
  endif()
endif()

# Pass the choices on to try_compile/try_run projects.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SIMDKERN_CPU SIMDKERN_QEMU_CPU)
