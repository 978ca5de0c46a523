#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this and nothing else). On a fresh Debian 12 machine
# it installs what it needs, then: checks formatting, builds everything with warnings as errors, runs
# every test (unit, integration, interop), builds the Debian package and tests it installed, runs the
# unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer, fuzzes every parser briefly,
# and smoke-runs the benchmarks.
#
# HOOKD_JOBS (default 2) sets build parallelism; HOOKD_FUZZ_SECONDS (default 10) the time per fuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${HOOKD_JOBS:-2}
step() { printf '\n== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

step "formatting (clang-format 14)"
scripts/check-format.sh

step "build, warnings as errors"
cmake -S . -B build -G Ninja -DHOOKD_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

step "tests"
ctest --test-dir build --output-on-failure -j "$jobs"

step "the Debian package: build, install, check, run, remove, purge"
scripts/test-package.sh

step "unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHOOKD_WERROR=ON \
  -DHOOKD_SANITIZE=address,undefined -DHOOKD_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -L 'unit|integration' --output-on-failure -j "$jobs"

step "fuzzing every parser for ${HOOKD_FUZZ_SECONDS:-10} s"
scripts/fuzz.sh

step "benchmarks (smoke run; see bench/ for the real figures)"
build/bench/sign_bench --benchmark_min_time=0.01 >/dev/null

step "all tests passed"
