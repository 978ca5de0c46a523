#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang in build-fuzz/ and runs each for
# HOOKD_FUZZ_SECONDS (default 10). Corpora grow in .fuzz/ (ignored by git) from run to run, from the
# seeds in tests/fuzz/corpus/<fuzzer>/ where there are some.
# A crash stops the script with the fuzzer's report and the input that crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${HOOKD_FUZZ_SECONDS:-10}
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DHOOKD_FUZZ=ON -DHOOKD_WERROR=ON \
  -DHOOKD_BUILD_TESTS=OFF -DHOOKD_BUILD_BENCH=OFF -DHOOKD_BUILD_CLI=OFF >/dev/null
cmake --build build-fuzz -j "${HOOKD_JOBS:-2}"
for fuzzer in build-fuzz/tests/fuzz/*_fuzz; do
  name=$(basename "$fuzzer")
  mkdir -p ".fuzz/$name"
  seeds=()
  [[ -d "tests/fuzz/corpus/$name" ]] && seeds=("tests/fuzz/corpus/$name")
  if ! "$fuzzer" ".fuzz/$name" "${seeds[@]}" -max_total_time="$seconds" -max_len=4096 -artifact_prefix=".fuzz/$name-" \
      >".fuzz/$name.log" 2>&1; then
    tail -n 60 ".fuzz/$name.log"
    echo "fuzz: $name failed; the crashing input is in .fuzz/$name-*"
    exit 1
  fi
  echo "fuzz: $name $(grep -o 'Done [0-9]* runs' ".fuzz/$name.log")"
done
