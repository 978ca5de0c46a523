#include "hookd/sign/scheme.h"

#include <array>
#include <utility>

#include "hookd/sign/github.h"
#include "hookd/sign/gitlab.h"
#include "hookd/sign/shopify.h"
#include "hookd/sign/slack.h"
#include "hookd/sign/standard.h"
#include "hookd/sign/stripe.h"
#include "hookd/sign/twilio.h"

namespace hookd::sign {
namespace {

constexpr std::array<std::pair<Scheme, std::string_view>, 9> kSchemeNames{{
    {Scheme::standard, "standard"},
    {Scheme::svix, "svix"},
    {Scheme::github, "github"},
    {Scheme::stripe, "stripe"},
    {Scheme::shopify, "shopify"},
    {Scheme::slack, "slack"},
    {Scheme::gitlab, "gitlab"},
    {Scheme::twilio, "twilio"},
    {Scheme::hmac, "hmac"},
}};

bool uses_standard_keys(Scheme scheme) { return scheme == Scheme::standard || scheme == Scheme::svix; }

Status verify_with_secret(const VerifierConfig& config, std::string_view secret, const InboundRequest& request) {
  switch (config.scheme) {
    case Scheme::github:
      return verify_github(secret, request.headers, request.body);
    case Scheme::stripe:
      return verify_stripe(secret, request.headers, request.body, config.options);
    case Scheme::shopify:
      return verify_shopify(secret, request.headers, request.body);
    case Scheme::slack:
      return verify_slack(secret, request.headers, request.body, config.options);
    case Scheme::gitlab:
      return verify_gitlab(secret, request.headers);
    case Scheme::twilio:
      return verify_twilio(secret, request.url, request.headers, request.body);
    case Scheme::hmac:
      return verify_hmac(config.hmac, secret, request.headers, request.body);
    case Scheme::standard:
    case Scheme::svix:
      break;
  }
  return fail(Error{Reason::malformed_secret, "scheme has no single-secret verifier"});
}

}  // namespace

std::optional<Scheme> parse_scheme(std::string_view name) {
  for (const auto& [scheme, scheme_text] : kSchemeNames) {
    if (iequals(name, scheme_text)) return scheme;
  }
  return std::nullopt;
}

std::string_view scheme_name(Scheme scheme) {
  for (const auto& [candidate, name] : kSchemeNames) {
    if (candidate == scheme) return name;
  }
  return "unknown";
}

Result<Verifier> Verifier::create(VerifierConfig config) {
  if (config.secrets.empty()) return fail(Error{Reason::malformed_secret, "no secret configured"});
  Verifier verifier(std::move(config));
  for (const std::string& text : verifier.config_.secrets) {
    if (uses_standard_keys(verifier.config_.scheme)) {
      auto key = Secret::parse(text);
      if (!key) return fail(std::move(key).error());
      verifier.standard_keys_.push_back(std::move(*key));
    } else if (text.empty()) {
      return fail(Error{Reason::malformed_secret, "the secret is empty"});
    }
  }
  return verifier;
}

Status Verifier::verify(const InboundRequest& request) const {
  if (uses_standard_keys(config_.scheme)) {
    return verify_standard(standard_keys_, request.headers, request.body, config_.options);
  }
  // Try each key of a rotation; a failure that does not depend on the key ends the search at once.
  Status last;
  for (const std::string& secret : config_.secrets) {
    last = verify_with_secret(config_, secret, request);
    if (last || last.error().reason != Reason::no_matching_signature) return last;
  }
  return last;
}

}  // namespace hookd::sign
