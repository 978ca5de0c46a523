#!/usr/bin/env bash
# Builds the Debian package of hookd from the build tree (build/, or $HOOKD_BUILD_DIR): hookd, its man
# pages, then CPack. Prints the path of the .deb; the debug symbols are beside it in hookd-dbgsym_….ddeb.
#   apt-get install ./build/package/hookd_<version>_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."
build=${HOOKD_BUILD_DIR:-build}
[[ -f "$build/CMakeCache.txt" ]] || cmake -S . -B "$build" -G Ninja >/dev/null
cmake --build "$build" -j "${HOOKD_JOBS:-2}" --target hookd hookd_man_pages hookd_changelog >&2
rm -rf "$build/package"
cpack --config "$build/CPackConfig.cmake" -B "$build/package" >&2
ls "$PWD/$build"/package/hookd_*.deb
