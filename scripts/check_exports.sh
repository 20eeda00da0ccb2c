#!/bin/sh
# Checks that a shared libsimdkern exports exactly the public API: every
# function declared in include/simdkern.h, and nothing else (no internal
# dispatch/kernel symbol, no data symbol).
# Usage: scripts/check_exports.sh path/to/libsimdkern.so [include/simdkern.h]
# NM may name the nm to use (e.g. aarch64-linux-gnu-nm for a cross build).
set -eu
lib="${1:?usage: $0 libsimdkern.so [simdkern.h]}"
header="${2:-$(dirname "$0")/../include/simdkern.h}"
NM="${NM:-nm}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Public functions: sk_* names followed by '(' in the header, comments removed.
perl -0777 -pe 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g' "$header" |
  grep -oE '\bsk_[A-Za-z0-9_]+[[:space:]]*\(' | sed -E 's/[[:space:]]*\($//' |
  sort -u >"$tmp/api"

# Exported (defined, dynamic) symbols. Ignore the linker's own markers
# (absolute symbols such as _edata/_end/__bss_start, and _init/_fini).
"$NM" -D --defined-only "$lib" >"$tmp/nm"
awk '$2 != "A" && $3 != "_init" && $3 != "_fini" { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" |
  sort -u >"$tmp/exported"
awk '$2 ~ /^[TtWi]$/ { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" | sort -u >"$tmp/functions"

napi=$(wc -l <"$tmp/api")
if [ "$napi" -eq 0 ]; then
  echo "check_exports: no sk_* functions found in $header" >&2
  exit 1
fi
extra="$(comm -13 "$tmp/api" "$tmp/exported")"
missing="$(comm -23 "$tmp/api" "$tmp/functions")"
status=0
if [ -n "$extra" ]; then
  echo "check_exports: exported but not in the public API ($header):" >&2
  grep -F -w -f /dev/stdin "$tmp/nm" <<EOT >&2 || true
$extra
EOT
  status=1
fi
if [ -n "$missing" ]; then
  echo "check_exports: declared in $header but not exported as functions:" >&2
  echo "$missing" | sed 's/^/  /' >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "check_exports: OK, $(basename "$lib") exports exactly the $napi public functions"
exit "$status"
