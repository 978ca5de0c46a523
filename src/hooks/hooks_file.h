// Reading hooks files, JSON or YAML, in the `webhook` tool's format: a list of hooks. Unknown fields are
// ignored, as `webhook` ignores them; a hook without an id, a rule of an unknown shape or a repeated id is
// an error naming the hook.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "hooks/hook.h"

namespace hookd::hooks {

// Parses a file's text; `yaml` chooses the syntax (JSON is also valid YAML, but errors read better).
core::Result<std::vector<Hook>> parse_hooks(const std::string& text, bool yaml);

// Reads a file: YAML when its name ends .yaml or .yml, JSON otherwise; with `as_template`, the file is
// first expanded as `webhook -template` does (hooks_template.h).
core::Result<std::vector<Hook>> load_hooks_file(const std::string& path, bool as_template = false);

}  // namespace hookd::hooks
