#!/usr/bin/env bash
# Fails when a C++ file differs from what clang-format 14 makes of it (.clang-format). Fix with:
#   git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
format=$(command -v clang-format-14 || command -v clang-format)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cc' '*.h')
else
  mapfile -t files < <(find include src tests bench -name '*.cc' -o -name '*.h')
fi
"$format" --dry-run -Werror "${files[@]}"
echo "formatting ok (${#files[@]} files)"
