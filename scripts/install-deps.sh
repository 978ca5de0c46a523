#!/usr/bin/env bash
# Installs every Debian package hookd needs to build, test and benchmark, and the npm packages of the
# interop tests. Idempotent: packages already present are skipped, and apt-get update runs only when
# something is missing. Needs root (or sudo) for the Debian part.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  g++ cmake ninja-build pkg-config ccache
  # clang for the fuzzers, the sanitizer runtimes, clang-format 14
  clang clang-format libclang-rt-14-dev
  # libraries (DESIGN.md §7)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libpq-dev libjwt-dev libtomlplusplus-dev
  libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libc-ares-dev libre2-dev prometheus-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the PostgreSQL server the store tests will start, curl, and wrk for the benchmarks
  postgresql curl wrk openssl
  # Debian's `webhook`, which the hooks tests run side by side with `hookd hooks`
  webhook
  # the Prometheus server (and promtool) that scrapes hookd in the metrics test
  prometheus
  # the Debian package (scripts/package.sh) and its test: man pages, shlibs, lintian, the unit's check
  help2man dpkg-dev file lintian systemd adduser
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian starts the Prometheus it installs as a service; the tests run their own, so stop the one
  # installed just now (one the machine already ran is left alone).
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [[ -d /run/systemd/system ]]; then
    $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# npm packages of the interop tests, exactly as the lock file pins them.
if [[ -f tests/interop/package-lock.json ]]; then
  lock_hash=$(sha256sum tests/interop/package-lock.json | cut -d' ' -f1)
  stamp=tests/interop/node_modules/.hookd-lock-hash
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" >"$stamp"
  fi
fi
