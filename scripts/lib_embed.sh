# shellcheck shell=bash
# Helpers shared by scripts/test_package.sh and scripts/size_report.sh
# (sourced after lib.sh): the library alone, built the way an embedder builds
# it (Release, -Werror, no tests/examples/bench), one tree per target and
# kind in build/embed/<target>-<static|shared>. Both steps use the same trees,
# so whichever runs second only re-checks them.

SK_EMBED_DIR="$SK_ROOT/build/embed"

# sk_embed_toolchain TARGET: the toolchain file argument for TARGET.
sk_embed_toolchain() {
  case "$1" in
    native|x86_64) ;;
    aarch64) echo "-DCMAKE_TOOLCHAIN_FILE=$SK_ROOT/toolchains/aarch64-linux-gnu.cmake" ;;
    armv7) echo "-DCMAKE_TOOLCHAIN_FILE=$SK_ROOT/toolchains/arm-linux-gnueabihf.cmake" ;;
    *) echo "sk_embed_toolchain: unknown target '$1'" >&2; return 2 ;;
  esac
}

# sk_embed_lib TARGET KIND [cmake args...]: configure + build
# build/embed/TARGET-KIND (KIND static or shared); prints nothing on success
# but the build's last line.
sk_embed_lib() {
  local target="$1" kind="$2"
  shift 2
  local dir="$SK_EMBED_DIR/$target-$kind" shared=OFF tc
  [ "$kind" = shared ] && shared=ON
  tc="$(sk_embed_toolchain "$target")"
  mkdir -p "$SK_EMBED_DIR"
  # shellcheck disable=SC2086
  cmake -S "$SK_ROOT" -B "$dir" -G Ninja $tc -DCMAKE_BUILD_TYPE=Release -DSIMDKERN_WERROR=ON \
    -DBUILD_SHARED_LIBS=$shared -DSIMDKERN_BUILD_TESTS=OFF -DSIMDKERN_BUILD_EXAMPLES=OFF \
    -DSIMDKERN_BUILD_BENCH=OFF "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log" >&2; return 1; }
  cmake --build "$dir" --parallel "$JOBS" >"$dir.build.log" 2>&1 ||
    { cat "$dir.build.log" >&2; return 1; }
  echo "  built $target-$kind: $(tail -n 1 "$dir.build.log")"
}

# sk_phase LABEL: prints the wall and CPU time since the previous sk_phase
# (or since sourcing), then starts the next phase.
SK_PHASE_T=$SECONDS
SK_PHASE_C=0
sk_phase() {
  sk_child_cpu
  echo "  [time] $1: $(sk_fmt_time $((SECONDS - SK_PHASE_T))) wall, $(sk_fmt_time $((SK_CPU - SK_PHASE_C))) cpu"
  SK_PHASE_T=$SECONDS
  SK_PHASE_C=$SK_CPU
}
