#!/bin/sh
# Installs what `make demo`, `make test` and `make bench` need on Debian 12.
# Usage: scripts/setup.sh [demo|test|bench|golden]
# Runs apt-get itself when root; otherwise prints the exact command to run.
set -eu
what="${1:-test}"

native="cmake ninja-build gcc g++ make pkg-config"
case "$what" in
  demo)   pkgs="$native" ;;
  test)   pkgs="$native clang libcmocka-dev libsimde-dev libclang-rt-14-dev \
                gcc-aarch64-linux-gnu g++-aarch64-linux-gnu \
                gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf qemu-user \
                libcmocka-dev:arm64 libcmocka-dev:armhf libc6-dev-arm64-cross libc6-dev-armhf-cross" ;;
  bench)  pkgs="$native libbenchmark-dev util-linux libxnnpack-dev libpthreadpool-dev libdnnl-dev \
                python3 python3-matplotlib" ;;
  golden) pkgs="python3-torch python3-numpy" ;;
  *) echo "usage: $0 [demo|test|bench|golden]" >&2; exit 2 ;;
esac

need_arch=""
case "$what" in test) need_arch="arm64 armhf" ;; esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
missing_arch=""
for a in $need_arch; do
  dpkg --print-foreign-architectures | grep -qx "$a" || missing_arch="$missing_arch $a"
done

[ -z "$missing" ] && [ -z "$missing_arch" ] && exit 0

cmd=""
for a in $missing_arch; do cmd="${cmd}dpkg --add-architecture $a && "; done
cmd="${cmd}{ apt-get update || { sleep 5; apt-get update; } || true; } && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"

if [ "$(id -u)" -ne 0 ]; then
  echo "simdkern: missing packages:$missing" >&2
  echo "simdkern: run as root: $cmd" >&2
  exit 1
fi
echo "simdkern: installing:$missing" >&2
for a in $missing_arch; do dpkg --add-architecture "$a"; done
# A mirror can serve one index mid-sync ("File has unexpected size"). With
# multiarch that matters: libc6:arm64/armhf must have the same version as
# libc6:amd64, so a stale foreign index makes the install fail. Retry the
# update, and the install after a fresh update.
do_update() {
  for delay in 5 15 30; do
    apt-get update && return 0
    echo "simdkern: apt-get update failed, retrying in ${delay}s" >&2
    sleep "$delay"
  done
  apt-get update || true
}
do_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; }
do_update
if ! do_install; then
  echo "simdkern: apt-get install failed, updating the indexes and retrying" >&2
  sleep 20
  do_update
  do_install
fi
