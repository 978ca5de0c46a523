// Proves an inbound request genuine for one source: with a signature scheme of the signing library, with
// HTTP basic auth, or not at all ("none"). Built once per version of a source; immutable and safe to
// share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "hookd/sign/scheme.h"
#include "store/model.h"

namespace hookd::ingress {

// The scheme names a source may use: the signing library's, "basic" and "none".
bool is_source_scheme(std::string_view name);

class SourceGate {
 public:
  // Fails with a validation error naming what is wrong with the source's scheme, secrets or options.
  static core::Result<SourceGate> create(const store::Source& source);

  // Passes, or says why not. `url` is the URL as the sender requested it (Twilio signs it).
  sign::Status check(const sign::HeaderSource& headers, std::string_view body, std::string_view url) const;

 private:
  enum class Kind { signature, basic, none };
  SourceGate() = default;

  Kind kind_ = Kind::none;
  std::optional<sign::Verifier> verifier_;
  std::vector<std::string> credentials_;  // basic: "Basic base64(user:password)" values
};

}  // namespace hookd::ingress
