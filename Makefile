# Thin wrapper over scripts/ (the real logic lives there; see README.md).
# Each target installs what it needs via scripts/setup.sh (as root; otherwise
# it prints the apt-get command to run).
#   make demo    build and run the demo network (examples/layers.c)
#   make test    every configuration: native, ASan+UBSan, AArch64 and ARMv7
#                under qemu, shared-library export check (.ci/run runs this)
#   make bench   build and run the benchmark suite with the peers (XNNPACK,
#                oneDNN), pinned to CPU 0; writes docs/performance.md + plots
#   make bench-quick  the same on issue 3's layers only (report in build/bench/quick)
#   make fuzz    libFuzzer targets (clang, ASan+UBSan), 60 s each (FUZZ_SECONDS=N)
#   make build   the library only, in build/release
#   make install PREFIX=dir [TARGET=native|aarch64|armv7] [KIND=both|static|shared]
#                build and install header, library, CMake package and
#                simdkern.pc (scripts/install.sh; README "Embedding and installing")
#   make clean   remove build/
# Parallelism: JOBS=N (default: number of CPUs). Demo/bench arguments: ARGS=...

ARGS ?=
export JOBS

PREFIX ?= /usr/local
TARGET ?= native
KIND ?= both

.PHONY: all demo test bench bench-quick bench-ratios build clean fuzz install
all: build

demo:
	@bash scripts/demo.sh $(ARGS)

test:
	@bash scripts/test_all.sh

bench:
	@bash scripts/bench.sh $(ARGS)

FUZZ_SECONDS ?= 60
fuzz:
	@bash scripts/setup.sh test
	@SK_FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh $(ARGS)

bench-quick:
	@bash scripts/bench.sh --quick $(ARGS)

bench-ratios:
	@bash scripts/bench.sh --ratios $(ARGS)

build:
	@bash scripts/build.sh

install:
	@PREFIX="$(PREFIX)" TARGET="$(TARGET)" KIND="$(KIND)" bash scripts/install.sh

clean:
	rm -rf build
