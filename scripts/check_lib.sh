#!/bin/sh
# Embedding checks on a built libsimdkern (shared .so or static .a):
#   - no global constructors/destructors: no .init_array/.fini_array/.ctors/
#     .dtors/.preinit_array section in any of the library's own objects (a .so
#     also gets one .init_array entry from the toolchain's crtbegin: that one
#     is not ours and is allowed)
#   - no thread-local storage: no .tdata/.tbss section, no PT_TLS segment
#   - no C++ runtime: no libstdc++/libc++/libgcc_s in DT_NEEDED (.so), no
#     undefined __cxa_*/_Unwind_*/operator new/delete references
#   - no stdio from the library: no undefined printf/fprintf/puts/fputs/
#     fwrite/putchar/perror/write/stderr/stdout/abort references
#   - a .so: DT_NEEDED only libc (and libm), and SONAME libsimdkern.so.<major>
# Usage: scripts/check_lib.sh path/to/libsimdkern.{so,a} [expected-soname]
# READELF and NM may name cross tools (e.g. aarch64-linux-gnu-readelf).
set -eu
lib="${1:?usage: $0 libsimdkern.so|libsimdkern.a [soname]}"
want_soname="${2:-libsimdkern.so.0}"
READELF="${READELF:-readelf}"
NM="${NM:-nm}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
fail() {
  echo "check_lib: $(basename "$lib"): $*" >&2
  status=1
}

# Section names of every object (a .a lists one block per member).
"$READELF" -S -W "$lib" >"$tmp/sections"
ctor_re='\.(init_array|fini_array|ctors|dtors|preinit_array)'
tls_re='\.(tdata|tbss)'
case "$lib" in
  *.a)
    if grep -Eq " $ctor_re" "$tmp/sections"; then
      fail "global constructors/destructors in the archive:"
      grep -E "^File:| $ctor_re" "$tmp/sections" | grep -B1 -E " $ctor_re" >&2 || true
    fi
    ;;
  *)
    # The .so's .init_array: only crtbegin's frame_dummy (one pointer) may be there.
    ptr=8
    "$READELF" -h "$lib" | grep -q 'ELF32' && ptr=4
    size_hex="$(awk '$2 == ".init_array" { print $6 }' "$tmp/sections" | sed -n 1p)"
    if [ -n "$size_hex" ] && [ $((0x$size_hex)) -gt "$ptr" ]; then
      fail ".init_array has $((0x$size_hex / ptr)) entries (only the toolchain's frame_dummy is allowed)"
    fi
    if grep -Eq " \.(ctors|dtors|preinit_array) " "$tmp/sections"; then
      fail "has .ctors/.dtors/.preinit_array"
    fi
    if "$READELF" -l -W "$lib" | grep -q ' TLS '; then fail "has a PT_TLS segment"; fi
    "$READELF" -d "$lib" >"$tmp/dynamic"
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' "$tmp/dynamic" >"$tmp/needed"
    bad="$(grep -Ev '^(libc\.so\.[0-9]+|libm\.so\.[0-9]+)$' "$tmp/needed" || true)"
    [ -z "$bad" ] || fail "DT_NEEDED beyond libc/libm: $(echo $bad)"
    soname="$(sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p' "$tmp/dynamic")"
    [ "$soname" = "$want_soname" ] || fail "SONAME is '$soname', want '$want_soname'"
    ;;
esac
if grep -Eq " $tls_re" "$tmp/sections"; then fail "thread-local storage (.tdata/.tbss)"; fi

# External undefined references (dynamic ones for a .so; for a .a, those of
# all members that no member defines).
case "$lib" in
  *.a)
    "$NM" -u "$lib" 2>/dev/null | awk 'NF >= 2 { print $NF }' | sort -u >"$tmp/u"
    "$NM" --defined-only "$lib" 2>/dev/null | awk 'NF >= 3 { print $NF }' | sort -u >"$tmp/d"
    comm -23 "$tmp/u" "$tmp/d" | grep -vx '_GLOBAL_OFFSET_TABLE_' >"$tmp/undef" || true
    ;;
  *) "$NM" -D -u "$lib" | awk 'NF >= 2 { sub(/@.*/, "", $NF); print $NF }' | sort -u >"$tmp/undef" ;;
esac
# __cxa_finalize (weak, from the toolchain's crtbeginS) is allowed.
cxx="$(grep -E '^(__cxa_|__gxx_|__gcc_personality|_Unwind_|_Zn|_Zd|_ZSt|_ZNSt)' "$tmp/undef" |
  grep -vx '__cxa_finalize' || true)"
[ -z "$cxx" ] || fail "C++ runtime references: $(echo $cxx)"
stdio="$(grep -Ex '(printf|fprintf|vfprintf|vprintf|puts|fputs|fputc|putc|putchar|fwrite|perror|write|stderr|stdout|abort|__printf_chk|__fprintf_chk|__vfprintf_chk|exit|_exit)' "$tmp/undef" || true)"
[ -z "$stdio" ] || fail "output/exit calls from the library: $(echo $stdio)"

if [ "$status" -eq 0 ]; then
  echo "check_lib: OK, $(basename "$lib"): no constructors, no TLS, no C++ runtime, no stdio;" \
    "needs: $(tr '\n' ' ' <"$tmp/undef" | sed 's/ $//')"
fi
exit "$status"
