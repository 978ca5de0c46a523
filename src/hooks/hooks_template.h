// `webhook -template`: the hooks file is a Go text/template executed before it is parsed, with the
// `getenv` function (the only one `webhook` 2.8 adds), so that secrets stay in the environment:
//
//   "secret": "{{ getenv "GITHUB_SECRET" | js }}"
//
// hookd reads the actions real hooks files use: `getenv "NAME"` and string literals, piped through
// Go's escapers `js`, `html` and `urlquery` or through `print`/`printf "%s"`; `{{-`/`-}}` trim the
// spaces beside them and `{{/* … */}}` is a comment. Anything else is an error naming the action,
// rather than output that differs from Go's.
#pragma once

#include <string>

#include "core/error.h"

namespace hookd::hooks {

core::Result<std::string> expand_hooks_template(const std::string& text);

}  // namespace hookd::hooks
