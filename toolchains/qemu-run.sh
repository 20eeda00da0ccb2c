#!/bin/sh
# CMAKE_CROSSCOMPILING_EMULATOR of the Linux cross toolchain files: runs one
# target program under qemu-user (ctest and try_run call it).
# Usage: qemu-run.sh QEMU DEFAULT_CPU LD_PREFIX PROGRAM [ARGS...]
#   QEMU         qemu-aarch64 | qemu-arm (full path)
#   DEFAULT_CPU  the -cpu model the build tree was configured with
#                (cache variable SIMDKERN_QEMU_CPU)
#   LD_PREFIX    directory for qemu -L (target loader and libc), "-" for none
# Environment, read when the program runs, so one build tree can be tested as
# several CPUs without reconfiguring:
#   SIMDKERN_QEMU_CPU    overrides DEFAULT_CPU when non-empty, e.g.
#                        SIMDKERN_QEMU_CPU=cortex-a8 ctest --test-dir build/armv7
#   SIMDKERN_QEMU_FLAGS  extra qemu options (word-split), e.g. "-d in_asm -D log-%d"
set -eu
[ "$#" -ge 4 ] || { echo "usage: $0 QEMU DEFAULT_CPU LD_PREFIX PROGRAM [ARGS...]" >&2; exit 2; }
qemu="$1"
cpu="${SIMDKERN_QEMU_CPU:-$2}"
prefix="$3"
shift 3
if [ "$prefix" != "-" ]; then
  set -- -L "$prefix" "$@"
fi
# shellcheck disable=SC2086 # SIMDKERN_QEMU_FLAGS is a list of options
exec "$qemu" -cpu "$cpu" ${SIMDKERN_QEMU_FLAGS:-} "$@"
