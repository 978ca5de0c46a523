#!/usr/bin/env bash
# Installs what hookd needs, builds it, and runs its main job. Arguments are passed to hookd.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build -j "${HOOKD_JOBS:-2}" --target hookd
# hookd serve on the embedded SQLite store in ./hookd-data; arguments replace the default "serve".
exec build/src/cli/hookd "${@:-serve}"
