# CMake toolchain file: AArch64 Linux (Debian/Ubuntu cross compiler).
#
# Targets: Raspberry Pi 3 / Zero 2 W (Cortex-A53), Pi 4 / Pi 400 (Cortex-A72)
# and Pi 5 (Cortex-A76) running a 64-bit OS (Raspberry Pi OS 64-bit, Debian
# arm64, Ubuntu arm64). NEON (ASIMD) is part of the AArch64 baseline.
#
# Use:
#   cmake -S . -B build/aarch64 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake \
#     [-DSIMDKERN_CPU=cortex-a72] [-DSIMDKERN_BUILD_TESTS=ON]
#   cmake --build build/aarch64 && ctest --test-dir build/aarch64   # under qemu
#
# Needs (Debian 12): gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user, and
# for the tests `dpkg --add-architecture arm64` + libcmocka-dev:arm64
# (scripts/setup.sh test installs all of it).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SK_TRIPLE aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${SK_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${SK_TRIPLE}-g++)
# Compiler checks link a test program: fine, the cross libc is installed.

# -mcpu= tuning for a given board; "generic" keeps the plain armv8-a baseline
# (runs on every 64-bit Pi).
set(SIMDKERN_CPU "generic" CACHE STRING
  "Target CPU: generic | cortex-a53 (Pi 3, Zero 2 W) | cortex-a72 (Pi 4) | cortex-a76 (Pi 5)")
set_property(CACHE SIMDKERN_CPU PROPERTY STRINGS generic cortex-a53 cortex-a72 cortex-a76)
if(NOT SIMDKERN_CPU STREQUAL "generic")
  set(CMAKE_C_FLAGS_INIT "-mcpu=${SIMDKERN_CPU}")
  set(CMAKE_CXX_FLAGS_INIT "-mcpu=${SIMDKERN_CPU}")
endif()

# Where to look for target libraries and headers: the cross toolchain's own
# root (libc, libm) and the Debian multiarch dirs under / (libcmocka-dev:arm64
# lives in /usr/lib/aarch64-linux-gnu). Programs (ninja, pkg-config, qemu) come
# from the host.
set(CMAKE_LIBRARY_ARCHITECTURE ${SK_TRIPLE})
set(CMAKE_FIND_ROOT_PATH /usr/${SK_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config: only the target's .pc files (never the host's x86_64 ones).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${SK_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Run target programs (ctest, try_run) under qemu-user. The Debian multiarch
# runtime (libc6:arm64, pulled in by libcmocka0:arm64) puts the loader at
# /lib/ld-linux-aarch64.so.1, so qemu needs no prefix and loader, libc and
# libcmocka all come from the same multiarch set. Without it, fall back to the
# cross toolchain's root for the loader and libc.
set(SIMDKERN_QEMU_CPU "cortex-a72" CACHE STRING "CPU model for qemu-aarch64 -cpu")
find_program(SK_QEMU qemu-aarch64)
if(SK_QEMU)
  if(EXISTS /lib/ld-linux-aarch64.so.1)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${SK_QEMU} -cpu ${SIMDKERN_QEMU_CPU})
  else()
    set(CMAKE_CROSSCOMPILING_EMULATOR ${SK_QEMU} -L /usr/${SK_TRIPLE} -cpu ${SIMDKERN_QEMU_CPU})
  endif()
endif()

# Pass the choices on to try_compile/try_run projects.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SIMDKERN_CPU SIMDKERN_QEMU_CPU)
