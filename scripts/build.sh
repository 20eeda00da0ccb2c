#!/usr/bin/env bash
# `make build`: the library alone (Release, no tests/examples/bench) in
# build/release -> build/release/libsimdkern.a (BUILD_SHARED_LIBS=ON for .so).
source "$(dirname "$0")/lib.sh"

sh "$SK_ROOT/scripts/setup.sh" demo
sk_banner "build: configure + build the library (Release) in build/release"
sk_configure release -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS="${BUILD_SHARED_LIBS:-OFF}" \
  -DSIMDKERN_BUILD_EXAMPLES=OFF -DSIMDKERN_BUILD_TESTS=OFF -DSIMDKERN_BUILD_BENCH=OFF
sk_build release --target simdkern
