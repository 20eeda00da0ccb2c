#!/usr/bin/env bash
# `make test` step 'package': install and embed the library the ways the README
# "Embedding and installing" section describes, each checked by building and
# running examples/consumer (a 3x3 conv and a max pool against hand-worked
# values; exit 0 only if all match):
#   1. native: static and shared library (-Werror, no tests/examples) into one
#      fresh prefix; the installed tree, SONAME and embedding checks
#      (scripts/check_lib.sh); the consumer through find_package (static, and
#      SIMDKERN_SHARED_LIBS=ON for the shared one) and through pkg-config
#   2. aarch64: toolchains/aarch64-linux-gnu.cmake, static, into its own
#      prefix; the consumer cross-built through find_package and pkg-config,
#      run under qemu-aarch64
#   3. add_subdirectory with SIMDKERN_ENABLE_AVX2=OFF SIMDKERN_ENABLE_POOLING=OFF
#      (no tests/examples/bench targets when not top level; pooling says
#      SK_ERR_UNSUPPORTED)
#   4. FetchContent from the local tree with SIMDKERN_RUNTIME_DISPATCH=OFF,
#      SIMDKERN_ENABLE_DEPTHWISE=OFF, -mavx2 -mfma -flto and -Wl,--gc-sections
#      (AVX2 fixed at compile time: no CPUID in the program; depthwise says
#      SK_ERR_UNSUPPORTED; the consumer and the demo examples/layers.c link
#      with LTO and section GC and run)
# Everything lives in build/package/ (prefixes recreated on each run).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_embed.sh"

W="$SK_ROOT/build/package"
mkdir -p "$W"
P="$W/prefix-native"
PA="$W/prefix-aarch64"
rm -rf "$P" "$PA"
consumer="$SK_ROOT/examples/consumer"
ok=0
fails=0
pass() { echo "package: ok: $*"; ok=$((ok + 1)); }
bad() { echo "package: FAIL: $*" >&2; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND...: runs COMMAND, records pass/fail.
check() {
  local what="$1"
  shift
  if "$@"; then pass "$what"; else bad "$what"; fi
}

# lib TARGET KIND PREFIX: build (scripts/lib_embed.sh) and install into PREFIX.
lib() {
  sk_banner "package: library $1-$2 -> $(basename "$3")"
  sk_embed_lib "$1" "$2"
  cmake --install "$SK_EMBED_DIR/$1-$2" --prefix "$3" >"$W/install-$1-$2.log"
}

# consumer NAME [cmake args...]: configure + build examples/consumer in build/package/NAME.
build_consumer() {
  local name="$1"
  shift
  rm -rf "${W:?}/$name"
  cmake -S "$consumer" -B "$W/$name" -G Ninja "$@" >"$W/$name.configure.log" 2>&1 ||
    { cat "$W/$name.configure.log"; return 1; }
  cmake --build "$W/$name" --parallel "$JOBS" >"$W/$name.build.log" 2>&1 ||
    { cat "$W/$name.build.log"; return 1; }
}

# run_consumer EXE LOG [runner...]: runs it, keeps its output, needs exit 0
# and the closing "all checks passed".
run_consumer() {
  local exe="$1" log="$2"
  shift 2
  "$@" "$exe" >"$log" 2>&1 || { cat "$log"; return 1; }
  sed 's/^/    /' "$log"
  grep -q '^consumer: all checks passed$' "$log"
}

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }

# ---- 1. native: static + shared into one prefix ----------------------------
lib native static "$P"
sk_phase "native static library"
lib native shared "$P"
sk_phase "native shared library"
sk_banner "package: native checks"
libdir="$(dirname "$(find "$P" -name libsimdkern.a | head -n 1)")"
echo "installed:"
(cd "$P" && find . \( -type f -o -type l \) | sort | sed 's/^\.\//    /')
rel="${libdir#"$P"/}"
for f in include/simdkern.h "$rel/libsimdkern.a" "$rel/libsimdkern.so" "$rel/libsimdkern.so.0" \
  "$rel/pkgconfig/simdkern.pc" "$rel/cmake/simdkern/simdkernConfig.cmake" \
  "$rel/cmake/simdkern/simdkernConfigVersion.cmake" \
  "$rel/cmake/simdkern/simdkern-static-targets.cmake" \
  "$rel/cmake/simdkern/simdkern-shared-targets.cmake"; do
  if [ -e "$P/$f" ]; then pass "installed: $f"; else bad "not installed: $f"; fi
done
check "nothing but the header under include/" test "$(ls "$P/include")" = "simdkern.h"
so="$(readlink -f "$libdir/libsimdkern.so")"
check "SONAME libsimdkern.so.0 -> $(basename "$so")" \
  sh -c "readelf -d '$so' | grep -q 'SONAME.*\[libsimdkern.so.0\]'"
check "exported symbols = the header's functions" sh "$SK_ROOT/scripts/check_exports.sh" "$so" "$P/include/simdkern.h"
check "embedding checks on the .so" sh "$SK_ROOT/scripts/check_lib.sh" "$so"
check "embedding checks on the .a" sh "$SK_ROOT/scripts/check_lib.sh" "$libdir/libsimdkern.a"

# The version file: 0.1 and 0.0.9 are compatible requests, 1.0 and 0.2 are not.
cat >"$W/version-check.cmake" <<'EOT'
foreach(req 0.1 0.0.9 0.1.0 1.0 0.2)
  set(PACKAGE_FIND_VERSION ${req})
  string(REPLACE "." ";" parts "${req}.0.0")
  list(GET parts 0 PACKAGE_FIND_VERSION_MAJOR)
  list(GET parts 1 PACKAGE_FIND_VERSION_MINOR)
  list(GET parts 2 PACKAGE_FIND_VERSION_PATCH)
  set(PACKAGE_VERSION_COMPATIBLE)
  set(PACKAGE_VERSION_EXACT)
  include(${VERSION_FILE})
  message("${req}=${PACKAGE_VERSION_COMPATIBLE}")
endforeach()
EOT
vres="$(cmake -DVERSION_FILE="$libdir/cmake/simdkern/simdkernConfigVersion.cmake" -P "$W/version-check.cmake" 2>&1 | tr '\n' ' ')"
check "package version $vres(want 0.1/0.0.9/0.1.0 yes, 1.0/0.2 no)" \
  test "$vres" = "0.1=TRUE 0.0.9=TRUE 0.1.0=TRUE 1.0=FALSE 0.2=FALSE "

sk_banner "package: consumer via find_package (native)"
if build_consumer consumer-cmake-static -DCMAKE_PREFIX_PATH="$P" &&
  run_consumer "$W/consumer-cmake-static/consumer" "$W/consumer-cmake-static.log"; then
  n="$(needed "$W/consumer-cmake-static/consumer")"
  check "find_package, static (NEEDED: $n)" sh -c "! echo '$n' | grep -q simdkern"
else bad "find_package, static"; fi
if build_consumer consumer-cmake-shared -DCMAKE_PREFIX_PATH="$P" -DSIMDKERN_SHARED_LIBS=ON &&
  run_consumer "$W/consumer-cmake-shared/consumer" "$W/consumer-cmake-shared.log"; then
  n="$(needed "$W/consumer-cmake-shared/consumer")"
  check "find_package, SIMDKERN_SHARED_LIBS=ON (NEEDED: $n)" sh -c "echo '$n' | grep -q 'libsimdkern.so.0 '"
else bad "find_package, shared"; fi

sk_banner "package: consumer via pkg-config (native)"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
check "pkg-config --modversion = 0.1.0" test "$(pkg-config --modversion simdkern)" = "0.1.0"
echo "    cflags: $(pkg-config --cflags simdkern)  libs: $(pkg-config --libs simdkern)"
mkdir -p "$W/consumer-pc"
# shellcheck disable=SC2046
if gcc -std=c11 -Wall -Wextra -Werror -o "$W/consumer-pc/consumer" "$consumer/consumer.c" \
  $(pkg-config --cflags --libs simdkern) &&
  run_consumer "$W/consumer-pc/consumer" "$W/consumer-pc.log" env LD_LIBRARY_PATH="$libdir"; then
  n="$(needed "$W/consumer-pc/consumer")"
  check "pkg-config, shared (NEEDED: $n)" sh -c "echo '$n' | grep -q 'libsimdkern.so.0 '"
else bad "pkg-config, native"; fi
unset PKG_CONFIG_PATH

# ---- 2. aarch64 cross build, installed, consumer under qemu -----------------
sk_phase "native consumers"
tc="$SK_ROOT/toolchains/aarch64-linux-gnu.cmake"
lib aarch64 static "$PA"
sk_phase "aarch64 static library"
sk_banner "package: aarch64 checks"
alibdir="$(dirname "$(find "$PA" -name libsimdkern.a | head -n 1)")"
check "aarch64 embedding checks on the .a" env READELF=aarch64-linux-gnu-readelf NM=aarch64-linux-gnu-nm \
  sh "$SK_ROOT/scripts/check_lib.sh" "$alibdir/libsimdkern.a"
qemu=(qemu-aarch64 -cpu cortex-a72)
[ -e /lib/ld-linux-aarch64.so.1 ] || qemu+=(-L /usr/aarch64-linux-gnu)
is_a64() { readelf -h "$1" | grep -q 'Machine:.*AArch64'; }
if build_consumer consumer-cmake-aarch64 -DCMAKE_TOOLCHAIN_FILE="$tc" -DCMAKE_PREFIX_PATH="$PA" &&
  is_a64 "$W/consumer-cmake-aarch64/consumer" &&
  run_consumer "$W/consumer-cmake-aarch64/consumer" "$W/consumer-cmake-aarch64.log" "${qemu[@]}"; then
  check "aarch64 find_package, run under qemu, NEON picked" grep -q 'best ISA neon' "$W/consumer-cmake-aarch64.log"
else bad "aarch64 find_package"; fi
mkdir -p "$W/consumer-pc-aarch64"
apc=(env PKG_CONFIG_LIBDIR="$alibdir/pkgconfig" PKG_CONFIG_PATH= pkg-config)
echo "    aarch64 pkg-config --static: $("${apc[@]}" --cflags --libs --static simdkern)"
# shellcheck disable=SC2046
if aarch64-linux-gnu-gcc -std=c11 -Wall -Wextra -Werror -o "$W/consumer-pc-aarch64/consumer" \
  "$consumer/consumer.c" $("${apc[@]}" --cflags --libs --static simdkern) &&
  is_a64 "$W/consumer-pc-aarch64/consumer" &&
  run_consumer "$W/consumer-pc-aarch64/consumer" "$W/consumer-pc-aarch64.log" "${qemu[@]}"; then
  pass "aarch64 pkg-config (static), run under qemu"
else bad "aarch64 pkg-config"; fi

sk_phase "aarch64 consumers"

# ---- 3. add_subdirectory, options off ---------------------------------------
sk_banner "package: consumer with add_subdirectory (SIMDKERN_ENABLE_AVX2=OFF, SIMDKERN_ENABLE_POOLING=OFF)"
if build_consumer consumer-subdir -DSIMDKERN_CONSUMER_MODE=subdirectory -DSIMDKERN_WERROR=ON \
  -DSIMDKERN_ENABLE_AVX2=OFF -DSIMDKERN_ENABLE_POOLING=OFF &&
  run_consumer "$W/consumer-subdir/consumer" "$W/consumer-subdir.log"; then
  check "add_subdirectory: scalar only, pooling says SK_ERR_UNSUPPORTED, depthwise runs" \
    sh -c "grep -q 'best ISA scalar' '$W/consumer-subdir.log' && grep -q '^pool: unsupported' '$W/consumer-subdir.log' &&
           grep -q '^depthwise kernel scalar/' '$W/consumer-subdir.log'"
  targets="$(ninja -C "$W/consumer-subdir" -t targets all | grep -E '(test_[a-z]+|layers|bench[a-z_]*|check_exports)(:| )' || true)"
  check "add_subdirectory: no test/example/bench targets" test -z "$targets"
  check "add_subdirectory: the parent's empty CMAKE_BUILD_TYPE left alone" \
    grep -qx 'CMAKE_BUILD_TYPE:STRING=' "$W/consumer-subdir/CMakeCache.txt"
  check "add_subdirectory: no pooling kernels in the build" \
    sh -c "! ls '$W/consumer-subdir/simdkern/CMakeFiles/simdkern.dir/kernels' | grep -qx pool"
else bad "add_subdirectory"; fi

sk_phase "add_subdirectory consumer"

# ---- 4. FetchContent, fixed ISA, LTO + gc-sections -----------------------------
sk_banner "package: consumer with FetchContent (SIMDKERN_RUNTIME_DISPATCH=OFF, SIMDKERN_ENABLE_DEPTHWISE=OFF, -mavx2 -mfma -flto, --gc-sections)"
if build_consumer consumer-fetch -DSIMDKERN_CONSUMER_MODE=fetchcontent -DCMAKE_BUILD_TYPE=Release \
  -DSIMDKERN_WERROR=ON -DSIMDKERN_RUNTIME_DISPATCH=OFF -DSIMDKERN_ENABLE_DEPTHWISE=OFF \
  -DCMAKE_C_FLAGS="-mavx2 -mfma -flto=auto" -DSIMDKERN_CONSUMER_DEMO=ON \
  -DCMAKE_EXE_LINKER_FLAGS="-flto=auto -Wl,--gc-sections" &&
  run_consumer "$W/consumer-fetch/consumer" "$W/consumer-fetch.log"; then
  check "FetchContent: AVX2 fixed at compile time (best ISA avx2)" grep -q 'best ISA avx2' "$W/consumer-fetch.log"
  # The demo too (its depthwise-free layers; every ISA must match scalar).
  check "FetchContent: the demo (layers 16 16) links with LTO + --gc-sections and runs" \
    sh -c "'$W/consumer-fetch/layers' 16 16 >'$W/consumer-fetch-layers.log' 2>&1 || { cat '$W/consumer-fetch-layers.log'; exit 1; }"
  check "FetchContent: depthwise says SK_ERR_UNSUPPORTED" grep -q '^depthwise: unsupported' "$W/consumer-fetch.log"
  check "FetchContent: no CPUID in the program" sh -c "! objdump -d '$W/consumer-fetch/consumer' | grep -qw cpuid"
  check "FetchContent: LTO really used (no simdkern .o code, GIMPLE objects)" \
    sh -c "readelf -S -W '$W/consumer-fetch/_deps/simdkern-build/CMakeFiles/simdkern.dir/dispatch/conv.c.o' | grep -q gnu.lto"
else bad "FetchContent"; fi

sk_phase "FetchContent consumer"

line="package: $ok passed, $fails failed"
echo
echo "$line"
[ -z "$SK_SUMMARY_FILE" ] || printf '%-44s %s\n' "package (install, find_package, pkg-config)" "$ok passed, $fails failed" >>"$SK_SUMMARY_FILE"
[ "$fails" -eq 0 ]
