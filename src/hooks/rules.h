// Evaluating trigger rules as `webhook` 2.8 does: and (stops at the first false), or, not, and match
// rules of type value, regex (anywhere in the value), payload-hmac-sha1/-sha256/-sha512 (over the raw
// body; the header may list several signatures, with or without the "sha256=" prefix), ip-whitelist and
// scalr-signature; plus hookd's own: any scheme of the signing library (github, stripe, shopify, slack,
// gitlab, twilio, standard, svix) by name, with `secret`.
//
// As in `webhook`, a rule can be true, false, or fail. A signature that does not match, a regex that does
// not compile, an ip-range that does not parse, an unknown parameter source: the request gets 500. A
// parameter the request does not have fails too, but only as "not satisfied", and it travels as `webhook`'s
// ParameterNodeError does: "and" stops at it (not satisfied), "or" passes over it, "not" inverts the value
// and keeps it (so `not` over a missing parameter is satisfied). Inside "or", with the hook's
// trigger-signature-soft-failures, a signature that does not match counts as false.
#pragma once

#include <optional>
#include <string>

#include "hooks/hook.h"
#include "hooks/hook_request.h"

namespace hookd::hooks {

// Compiles a regex rule's pattern into Rule::compiled_regex (or says why not in Rule::regex_error).
void compile_regex(Rule& rule);

struct RuleOutcome {
  bool satisfied = false;
  std::optional<std::string> error;  // the request gets 500, unless `parameter_missing`
  bool signature_error = false;      // the error is a signature that did not match
  bool parameter_missing = false;    // the error is a parameter the request lacks: `satisfied` stands
};

RuleOutcome evaluate(const Rule& rule, const HookRequest& request, bool soft_signature_failures);

}  // namespace hookd::hooks
