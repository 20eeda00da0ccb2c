# Thin wrapper over scripts/ (the real logic lives there; see README.md).
# Each target installs what it needs via scripts/setup.sh (as root; otherwise
# it prints the apt-get command to run).
#   make demo    build and run the demo network (examples/layers.c)
#   make test    every configuration: native, ASan+UBSan, AArch64 and ARMv7
#                under qemu, shared-library export check (.ci/run runs this)
#   make bench   build and run the Google Benchmark harness (pinned to CPU 0)
#   make build   the library only, in build/release
#   make clean   remove build/
# Parallelism: JOBS=N (default: number of CPUs). Demo/bench arguments: ARGS=...

ARGS ?=
export JOBS

.PHONY: all demo test bench build clean
all: build

demo:
	@bash scripts/demo.sh $(ARGS)

test:
	@bash scripts/test_all.sh

bench:
	@bash scripts/bench.sh $(ARGS)

build:
	@bash scripts/build.sh

clean:
	rm -rf build
