#!/usr/bin/env bash
# `make install PREFIX=DIR [TARGET=native|aarch64|armv7] [KIND=both|static|shared]
#  [CMAKE_ARGS="-DSIMDKERN_ENABLE_POOLING=OFF ..."]`:
# builds the library alone (Release, no tests/examples/bench) in
# build/install/<target>-<kind> and installs the header, the static and/or
# shared library, the CMake package and simdkern.pc into PREFIX (default
# /usr/local). TARGET=aarch64|armv7 cross-builds with toolchains/ (Raspberry
# Pi 64/32-bit); point consumers at the prefix with CMAKE_PREFIX_PATH or
# PKG_CONFIG_LIBDIR (README "Embedding and installing").
source "$(dirname "$0")/lib.sh"

prefix="${PREFIX:-/usr/local}"
target="${TARGET:-native}"
kind="${KIND:-both}"
case "$target" in
  native) tc=() ;;
  aarch64) tc=(-DCMAKE_TOOLCHAIN_FILE="$SK_ROOT/toolchains/aarch64-linux-gnu.cmake") ;;
  armv7) tc=(-DCMAKE_TOOLCHAIN_FILE="$SK_ROOT/toolchains/arm-linux-gnueabihf.cmake") ;;
  *) echo "install: TARGET must be native, aarch64 or armv7" >&2; exit 2 ;;
esac
case "$kind" in
  both) kinds="static shared" ;;
  static|shared) kinds="$kind" ;;
  *) echo "install: KIND must be both, static or shared" >&2; exit 2 ;;
esac
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac

sh "$SK_ROOT/scripts/setup.sh" demo
for k in $kinds; do
  shared=OFF
  [ "$k" = shared ] && shared=ON
  dir="$SK_ROOT/build/install/$target-$k"
  sk_banner "install: $target $k library -> $prefix"
  # shellcheck disable=SC2086
  cmake -S "$SK_ROOT" -B "$dir" -G Ninja "${tc[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=$shared -DSIMDKERN_BUILD_TESTS=OFF -DSIMDKERN_BUILD_EXAMPLES=OFF \
    -DSIMDKERN_BUILD_BENCH=OFF -DSIMDKERN_INSTALL=ON ${CMAKE_ARGS:-}
  cmake --build "$dir" --parallel "$JOBS"
  cmake --install "$dir" --prefix "$prefix"
done
echo
echo "install: simdkern installed into $prefix ($target: $kinds)"
echo "  CMake:      cmake -DCMAKE_PREFIX_PATH=$prefix ...   then find_package(simdkern CONFIG REQUIRED)"
pc="$(find "$prefix" -path '*/pkgconfig/simdkern.pc' | head -n 1)"
[ -z "$pc" ] || echo "  pkg-config: PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs simdkern"
