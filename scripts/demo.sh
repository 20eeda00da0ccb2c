#!/usr/bin/env bash
# `make demo`: install the build tools (scripts/setup.sh demo), build the
# library and examples (Release) in build/demo, and run the demo network
# (examples/layers.c) on every ISA available. Extra arguments go to the demo.
source "$(dirname "$0")/lib.sh"

sh "$SK_ROOT/scripts/setup.sh" demo
sk_banner "demo: configure + build (Release) in build/demo"
sk_configure demo -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DSIMDKERN_BUILD_EXAMPLES=ON -DSIMDKERN_BUILD_TESTS=OFF -DSIMDKERN_BUILD_BENCH=OFF
sk_build demo --target layers
sk_banner "demo: build/demo/examples/layers${*:+ $*}"
exec "$SK_ROOT/build/demo/examples/layers" "$@"
