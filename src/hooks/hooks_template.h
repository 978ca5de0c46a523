// `webhook -template`: the hooks file is a Go text/template executed before it is parsed, with the
// `getenv` function (the only one `webhook` 2.8 adds), so that secrets stay in the environment:
//
//   "secret": "{{ getenv "GITHUB_SECRET" | js }}"
//
// hookd runs Go's text/template as far as a file executed with no data can use it: pipelines and
// parentheses; string, integer, boolean and nil literals; variables; if / else if / else / with / end;
// and, or, not, eq, ne, lt, le, gt, ge, len, print, printf (%s %v %d %t %q), println, js, html,
// urlquery; `{{-`/`-}}` trimming and `{{/* … */}}` comments. Anything else (range, define, template,
// index, fields) is an error naming it, rather than output that differs from Go's.
#pragma once

#include <string>

#include "core/error.h"

namespace hookd::hooks {

core::Result<std::string> expand_hooks_template(const std::string& text);

}  // namespace hookd::hooks
