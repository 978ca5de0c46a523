// Reading hooks files in the `webhook` tool's format, as `webhook` reads them: every file, whatever its
// name, as YAML turned into JSON (go_yaml.h), decoded as Go decodes JSON into its structs (unknown fields
// ignored, keys in any case, numbers and booleans taken as text where text is expected; a value of
// another type fails the file). A hook may lack an id (it answers at the prefix itself) and an id may be
// repeated in one file (the first is served), as in `webhook`.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "hooks/hook.h"

namespace hookd::hooks {

// Parses a file's text.
core::Result<std::vector<Hook>> parse_hooks(const std::string& text);

// Reads a file; with `as_template`, the file is first expanded as `webhook -template` does
// (hooks_template.h).
core::Result<std::vector<Hook>> load_hooks_file(const std::string& path, bool as_template = false);

}  // namespace hookd::hooks
