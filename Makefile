# Wraps CMake for people and scripts. On a fresh Debian 12 machine:
#   make demo    installs what is needed, builds, and shows leea at work
#   make test    installs what is needed, builds, and runs every test
BUILD   ?= build
JOBS    ?= $(shell nproc)
# Warnings are fatal in CI (CI=true) and whenever WERROR=ON.
WERROR  ?= $(if $(CI),ON,OFF)
CMAKE_FLAGS ?=

.PHONY: all build deps configure test demo bench asan fuzz format clean install pool-up pool-down

# The sanitized build: clang, AddressSanitizer + UndefinedBehaviorSanitizer, and the fuzz
# harnesses as libFuzzer binaries of the same objects.
SANITIZE_FLAGS = -DCMAKE_BUILD_TYPE=Debug -DLEEA_SANITIZE=ON -DLEEA_FUZZ=ON \
                 -DCMAKE_CXX_COMPILER=clang++-14
FUZZ_SECONDS ?= 600

all: build

deps:
	scripts/install-deps

configure:
	cmake -S . -B $(BUILD) -DLEEA_WERROR=$(WERROR) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j$(JOBS)

# In CI the unit, integration and fault tests run a second time, built with
# AddressSanitizer and UndefinedBehaviorSanitizer (as `make asan` does, without the QEMU
# boots, whose initramfs cannot hold a sanitized binary), and each fuzz harness runs for
# 10 s on its committed corpus.
test: deps
	$(MAKE) build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)
ifneq ($(CI),)
	$(MAKE) build BUILD=$(BUILD)-asan WERROR=ON CMAKE_FLAGS="$(SANITIZE_FLAGS) -DLEEA_FUZZ_SECONDS=10"
	ctest --test-dir $(BUILD)-asan --output-on-failure -j$(JOBS) -LE 'e2e|lint'
endif

# The demo needs the leea binary only, not the test suite: built quietly, log on failure.
demo: deps
	@echo "demo: building leea (log in $(BUILD)-demo-build.log)"
	@$(MAKE) --no-print-directory configure >$(BUILD)-demo-build.log 2>&1 && \
	  cmake --build $(BUILD) --target leea -j$(JOBS) >>$(BUILD)-demo-build.log 2>&1 || \
	  { tail -n 30 $(BUILD)-demo-build.log; exit 1; }
	scripts/demo $(BUILD)/cmd/leea

bench: deps
	$(MAKE) build BUILD=build-bench CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Release -DLEEA_BUILD_BENCH=ON"
	build-bench/bench/leea_bench --benchmark_counters_tabular=true
	bench/key-split-peers.sh build-bench/cmd/leea
	bench/attest-peers.sh build-bench/cmd/leea build-bench/bench/leea_attest_load
	bench/image-encrypt-peers.sh build-bench/cmd/leea
	bench/boot-peers.sh build-bench/cmd/leea

# AddressSanitizer + UndefinedBehaviorSanitizer build and tests (the fuzz tests for 10 s each).
asan: deps
	$(MAKE) build BUILD=build-asan CMAKE_FLAGS="$(SANITIZE_FLAGS) -DLEEA_FUZZ_SECONDS=10"
	ctest --test-dir build-asan --output-on-failure -j$(JOBS) -LE e2e

# Every fuzz harness for FUZZ_SECONDS (default 600) under ASan+UBSan, JOBS at a time. New
# inputs collect in build-asan/tests/fuzz-work/<harness>/corpus; a crash input lands beside
# it, and the harness's log says how to reproduce it (FUZZING.md).
fuzz: deps
	$(MAKE) build BUILD=build-asan CMAKE_FLAGS="$(SANITIZE_FLAGS) -DLEEA_FUZZ_SECONDS=$(FUZZ_SECONDS)"
	ctest --test-dir build-asan --output-on-failure -j$(JOBS) -L fuzz

# clang-format-14 when installed, as the ctest format check uses.
CLANG_FORMAT ?= $(shell command -v clang-format-14 || command -v clang-format)
format:
	find cmd core tests bench \( -name '*.cpp' -o -name '*.h' \) -print | xargs $(CLANG_FORMAT) -i

# A validator pool on free loopback ports: make pool-up DIR=d [N=5]; make pool-down DIR=d.
N ?= 5
pool-up: build
	@test -n "$(DIR)" || { echo "usage: make pool-up DIR=d [N=5]" >&2; exit 2; }
	scripts/pool-up $(DIR) $(N) $(BUILD)/cmd/leea

pool-down:
	@test -n "$(DIR)" || { echo "usage: make pool-down DIR=d" >&2; exit 2; }
	scripts/pool-down $(DIR)

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) build-bench build-asan
