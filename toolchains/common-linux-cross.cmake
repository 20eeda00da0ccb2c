# Shared part of the Linux cross toolchain files (aarch64-linux-gnu.cmake,
# arm-linux-gnueabihf.cmake); not a toolchain file on its own. The including
# file sets, before include():
#   CMAKE_SYSTEM_PROCESSOR  aarch64 | armv7l
#   SK_TRIPLE               Debian multiarch triple, e.g. aarch64-linux-gnu
#   SK_TARGET_FLAGS         -mcpu/-march/-mfpu flags for every file ("" = none)
#   SK_QEMU_NAME            qemu-aarch64 | qemu-arm
#   SK_QEMU_LOADER          the target's dynamic loader, e.g. /lib/ld-linux-aarch64.so.1
#   SK_QEMU_DEFAULT_CPU     default for the SIMDKERN_QEMU_CPU cache variable
#
# Cache variables (pass with -D at the first configure of a build tree):
#   SIMDKERN_COMPILER  gcc (default: ${SK_TRIPLE}-gcc) or clang
#                      (clang --target=${SK_TRIPLE}, linking through the GNU
#                      cross binutils and libgcc that gcc-${SK_TRIPLE} installs)
#   SIMDKERN_QEMU_CPU  the qemu -cpu model ctest runs the tests on; the
#                      environment variable of the same name overrides it at
#                      run time (toolchains/qemu-run.sh)

set(CMAKE_SYSTEM_NAME Linux)

set(SIMDKERN_COMPILER "gcc" CACHE STRING
  "Cross compiler: gcc (${SK_TRIPLE}-gcc) or clang (clang --target=${SK_TRIPLE})")
set_property(CACHE SIMDKERN_COMPILER PROPERTY STRINGS gcc clang)
if(SIMDKERN_COMPILER STREQUAL "gcc")
  set(CMAKE_C_COMPILER ${SK_TRIPLE}-gcc)
  set(CMAKE_CXX_COMPILER ${SK_TRIPLE}-g++)
elseif(SIMDKERN_COMPILER STREQUAL "clang")
  # clang finds Debian's GNU cross installation (/usr/lib/gcc-cross/<triple>:
  # crt files, libgcc, and <triple>-ld as the linker) by itself. The archive
  # tools must understand target objects too: use the triple's binutils.
  set(CMAKE_C_COMPILER clang)
  set(CMAKE_CXX_COMPILER clang++)
  set(CMAKE_C_COMPILER_TARGET ${SK_TRIPLE})
  set(CMAKE_CXX_COMPILER_TARGET ${SK_TRIPLE})
  foreach(tool ar ranlib nm objdump objcopy strip)
    string(TOUPPER ${tool} TOOL)
    find_program(CMAKE_${TOOL} ${SK_TRIPLE}-${tool})
  endforeach()
else()
  message(FATAL_ERROR "SIMDKERN_COMPILER must be gcc or clang, not '${SIMDKERN_COMPILER}'")
endif()
# Compiler checks link a test program: fine, the cross libc is installed.

set(CMAKE_C_FLAGS_INIT "${SK_TARGET_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${SK_TARGET_FLAGS}")

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

# Run target programs (ctest, try_run) under qemu-user through qemu-run.sh,
# which reads SIMDKERN_QEMU_CPU / SIMDKERN_QEMU_FLAGS from the environment at
# run time, so one build tree can be tested as several CPUs. With the Debian
# multiarch runtime (libc6:arm64 / libc6:armhf, pulled in by libcmocka0) the
# loader is under /lib and qemu needs no prefix, so loader, libc and libcmocka
# all come from the same multiarch set; without it, use the cross toolchain's
# root (-L) for the loader and libc.
set(SIMDKERN_QEMU_CPU "${SK_QEMU_DEFAULT_CPU}" CACHE STRING
  "CPU model for ${SK_QEMU_NAME} -cpu (env SIMDKERN_QEMU_CPU overrides it when tests run)")
find_program(SK_QEMU ${SK_QEMU_NAME})
if(SK_QEMU)
  if(EXISTS ${SK_QEMU_LOADER})
    set(SK_QEMU_PREFIX "-")
  else()
    set(SK_QEMU_PREFIX /usr/${SK_TRIPLE})
  endif()
  set(CMAKE_CROSSCOMPILING_EMULATOR
    sh ${CMAKE_CURRENT_LIST_DIR}/qemu-run.sh ${SK_QEMU} ${SIMDKERN_QEMU_CPU} ${SK_QEMU_PREFIX})
endif()

# Pass the choices on to try_compile/try_run projects.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SIMDKERN_COMPILER SIMDKERN_CPU SIMDKERN_QEMU_CPU)
