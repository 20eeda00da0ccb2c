#!/usr/bin/env bash
# `make test` step 'size': the binary-size budget. For each target it builds
# the library alone (scripts/lib_embed.sh: Release, build/embed/<target>-*)
# as a shared and as a static library and prints
#   - the stripped size of libsimdkern.so (the budget below), its .text, and
#   - the stripped size of the demo (examples/layers.c) linked against
#     libsimdkern.a with -Wl,--gc-sections (what an application pays),
# then checks the budget on the stripped shared library:
#   x86_64 (scalar + AVX2) <= 256 KiB, aarch64 <= 192 KiB, armv7 <= 192 KiB.
# Over budget, it lists the objects that contribute most (.text + .rodata +
# .data per object file, before section GC) and exits 1.
# Usage: scripts/size_report.sh [x86_64|aarch64|armv7 ...]   (default: all three)
# SK_SIZE_BREAKDOWN=1 prints the per-object list even within budget;
# SK_SIZE_WARN_ONLY=1 still prints FAIL but exits 0 (report-only).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_embed.sh"

targets="${*:-x86_64 aarch64 armv7}"
fails=0
ok=0
report="$SK_EMBED_DIR/size-report.txt"
mkdir -p "$SK_EMBED_DIR"
: >"$report"

# tools TARGET: sets CC, STRIP, SIZE for the target.
tools() {
  case "$1" in
    x86_64) CC=gcc STRIP=strip SIZE=size BUDGET=256 ;;
    aarch64) CC=aarch64-linux-gnu-gcc STRIP=aarch64-linux-gnu-strip SIZE=aarch64-linux-gnu-size BUDGET=192 ;;
    armv7) CC=arm-linux-gnueabihf-gcc STRIP=arm-linux-gnueabihf-strip SIZE=arm-linux-gnueabihf-size BUDGET=192 ;;
    *) echo "size_report: unknown target '$1' (x86_64, aarch64, armv7)" >&2; exit 2 ;;
  esac
}

kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }

# breakdown DIR: the biggest objects of a build tree (text + rodata + data).
breakdown() {
  local dir="$1"
  find "$dir/CMakeFiles/simdkern.dir" -name '*.o' -print0 | xargs -0 "$SIZE" -A 2>/dev/null |
    awk -v root="$dir/CMakeFiles/simdkern.dir/" '
      /:[[:space:]]*\(ex/ || /^.*\.o[[:space:]]*:/ { f = $1; sub(/:$/, "", f); sub(root, "", f); next }
      $1 ~ /^\.(text|rodata|data)/ { sz[f] += $2; total += $2 }
      END { for (k in sz) printf "%9d  %5.1f%%  %s\n", sz[k], 100 * sz[k] / total, k
            printf "%9d  100.0%%  (all objects)\n", total > "/dev/stderr" }' 2>"$dir.total" |
    sort -rn | head -n 15
  cat "$dir.total"
}

for t in $targets; do
  tools "$t"
  bt="$t"
  [ "$t" = x86_64 ] && bt=native
  sk_banner "size: $t ($CC)"
  sk_embed_lib "$bt" shared
  sk_embed_lib "$bt" static
  shared_dir="$SK_EMBED_DIR/$bt-shared"
  static_dir="$SK_EMBED_DIR/$bt-static"
  so="$(readlink -f "$shared_dir/libsimdkern.so")"
  "$STRIP" -o "$shared_dir/libsimdkern.stripped.so" "$so"
  so_size=$(stat -c %s "$shared_dir/libsimdkern.stripped.so")
  so_text=$("$SIZE" -A "$so" | awk '$1 == ".text" { print $2 }')
  # Bytes the loader maps from the file (PT_LOAD p_filesz); the rest of the
  # stripped file is headers and the zero padding that keeps the RELRO end
  # aligned to the linker's max page size (64 KiB on AArch64 with binutils
  # 2.40: up to 64 KiB of padding; -Wl,-z,max-page-size=16384 cuts it).
  loaded=0
  for h in $(readelf -l -W "$shared_dir/libsimdkern.stripped.so" | awk '$1 == "LOAD" { print $5 }'); do
    loaded=$((loaded + h))
  done
  pad=$((so_size - loaded))
  # The demo against the static library, unused sections dropped.
  demo="$static_dir/layers-gc"
  "$CC" -std=c11 -O2 -I"$SK_ROOT/include" -o "$demo" "$SK_ROOT/examples/layers.c" \
    "$static_dir/libsimdkern.a" -lm -Wl,--gc-sections
  "$STRIP" -o "$demo.stripped" "$demo"
  demo_size=$(stat -c %s "$demo.stripped")
  budget=$((BUDGET * 1024))
  verdict="ok"
  [ "$so_size" -le "$budget" ] || verdict="FAIL (over by $(kib $((so_size - budget))))"
  line="$(printf '%-8s libsimdkern.so stripped %10s (.text %10s, headers+padding %9s), budget %3d KiB: %-26s layers (static, gc-sections) stripped %10s' \
    "$t" "$(kib "$so_size")" "$(kib "$so_text")" "$(kib "$pad")" "$BUDGET" "$verdict" "$(kib "$demo_size")")"
  echo "$line" | tee -a "$report"
  if [ "$verdict" != ok ] || [ "${SK_SIZE_BREAKDOWN:-0}" = 1 ]; then
    echo "  biggest objects of the $t library (bytes of .text+.rodata+.data, before GC):"
    breakdown "$shared_dir" | sed 's/^/  /'
    if [ "$pad" -gt 16384 ]; then
      echo "  note: $(kib "$pad") of the stripped file is headers and RELRO alignment padding to the"
      echo "  linker's max page size ($(readelf -l -W "$shared_dir/libsimdkern.stripped.so" | awk '$1 == "LOAD" { print $NF; exit }'))," \
        "not code; -Wl,-z,max-page-size=16384 (4K/16K-page kernels only) shrinks it"
    fi
  fi
  if [ "$verdict" = ok ]; then ok=$((ok + 1)); else fails=$((fails + 1)); fi
  sk_phase "$t"
done

echo
echo "==== size summary (stripped; command: scripts/size_report.sh) ===="
cat "$report"
echo "size: $ok passed, $fails failed"
[ -z "$SK_SUMMARY_FILE" ] ||
  printf '%-44s %s\n' "size (budget: stripped libsimdkern.so)" "$ok passed, $fails failed" >>"$SK_SUMMARY_FILE"
if [ "$fails" -ne 0 ] && [ "${SK_SIZE_WARN_ONLY:-0}" = 1 ]; then
  echo "size: over budget, but SK_SIZE_WARN_ONLY=1: not failing"
  exit 0
fi
[ "$fails" -eq 0 ]
