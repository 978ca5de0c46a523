// One entry point for every scheme: what `hookd verify` and the inbound sources use. A Verifier is
// built once from its configuration (keys parsed, options checked) and then verifies many requests;
// it is immutable and safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"
#include "hookd/sign/hmac.h"
#include "hookd/sign/options.h"
#include "hookd/sign/secret.h"

namespace hookd::sign {

enum class Scheme { standard, svix, github, stripe, shopify, slack, gitlab, twilio, hmac };

std::optional<Scheme> parse_scheme(std::string_view name);
std::string_view scheme_name(Scheme scheme);

struct VerifierConfig {
  Scheme scheme = Scheme::standard;
  // One or more keys; a request passes when it verifies with any of them (key rotation).
  std::vector<std::string> secrets;
  VerifyOptions options;  // tolerance, for the timestamped schemes
  HmacScheme hmac;        // for Scheme::hmac only
};

// What a verifier looks at in a request.
struct InboundRequest {
  const HeaderSource& headers;
  std::string_view body;
  std::string_view url;  // the full URL as the sender requested it; Twilio signs it
};

class Verifier {
 public:
  // Fails with malformed_secret when there is no key or a key cannot be used by the scheme.
  static Result<Verifier> create(VerifierConfig config);

  Status verify(const InboundRequest& request) const;
  const VerifierConfig& config() const { return config_; }

 private:
  explicit Verifier(VerifierConfig config) : config_(std::move(config)) {}

  VerifierConfig config_;
  std::vector<Secret> standard_keys_;  // parsed once, for standard and svix
};

}  // namespace hookd::sign
