// A regex rule's pattern, compiled once by RE2 (hooks/rules.h). Apart from the rest of the rules so that
// the hooks file's fuzzer, which compiles patterns as the file is read, needs RE2 alone.
#include <re2/re2.h>

#include "hooks/rules.h"

namespace hookd::hooks {

void compile_regex(Rule& rule) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  auto compiled = std::make_shared<const re2::RE2>(rule.regex, options);
  if (compiled->ok()) {
    rule.compiled_regex = std::move(compiled);
    rule.regex_error.clear();
  } else {
    rule.compiled_regex.reset();
    rule.regex_error = compiled->error();
  }
}

}  // namespace hookd::hooks
