#include "ingress/source_gate.h"

#include <openssl/crypto.h>

#include "core/encoding.h"

namespace hookd::ingress {
namespace {

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool is_source_scheme(std::string_view name) { return name == "basic" || name == "none" || sign::parse_scheme(name); }

core::Result<SourceGate> SourceGate::create(const store::Source& source) {
  SourceGate gate;
  if (source.scheme == "none") return gate;
  if (source.secrets.empty())
    return core::invalid({"body", "secrets"}, "the " + source.scheme + " scheme needs a secret");
  if (source.scheme == "basic") {
    gate.kind_ = Kind::basic;
    for (const auto& credential : source.secrets) {
      if (credential.find(':') == std::string::npos) {
        return core::invalid({"body", "secrets"}, "basic auth secrets are written user:password");
      }
      gate.credentials_.push_back("Basic " + core::base64_encode(credential));
    }
    return gate;
  }
  const auto scheme = sign::parse_scheme(source.scheme);
  if (!scheme) return core::invalid({"body", "scheme"}, "unknown scheme '" + source.scheme + "'");
  sign::VerifierConfig config;
  config.scheme = *scheme;
  config.secrets = source.secrets;
  if (source.tolerance_seconds) config.options.tolerance = std::chrono::seconds(*source.tolerance_seconds);
  if (*scheme == sign::Scheme::hmac) {
    if (auto it = source.hmac.find("header"); it != source.hmac.end()) config.hmac.header = it->second;
    if (auto it = source.hmac.find("algorithm"); it != source.hmac.end()) {
      auto algorithm = sign::parse_hmac_algorithm(it->second);
      if (!algorithm) return core::invalid({"body", "hmac", "algorithm"}, "must be sha1, sha256 or sha512");
      config.hmac.algorithm = *algorithm;
    }
    if (auto it = source.hmac.find("encoding"); it != source.hmac.end()) {
      auto encoding = sign::parse_signature_encoding(it->second);
      if (!encoding) return core::invalid({"body", "hmac", "encoding"}, "must be hex or base64");
      config.hmac.encoding = *encoding;
    }
    if (auto it = source.hmac.find("prefix"); it != source.hmac.end()) config.hmac.prefix = it->second;
  }
  auto verifier = sign::Verifier::create(std::move(config));
  if (!verifier) return core::invalid({"body", "secrets"}, verifier.error().detail);
  gate.kind_ = Kind::signature;
  gate.verifier_.emplace(std::move(*verifier));
  return gate;
}

sign::Status SourceGate::check(const sign::HeaderSource& headers, std::string_view body, std::string_view url) const {
  switch (kind_) {
    case Kind::none:
      return {};
    case Kind::basic: {
      const auto given = headers.find("Authorization");
      if (!given) return hookd::fail(sign::Error{sign::Reason::missing_header, "the Authorization header is missing"});
      bool matched = false;
      for (const auto& credential : credentials_) matched |= equal_in_constant_time(*given, credential);
      if (!matched) {
        return hookd::fail(sign::Error{sign::Reason::no_matching_signature, "the basic auth credentials do not match"});
      }
      return {};
    }
    case Kind::signature:
      return verifier_->verify({headers, body, url});
  }
  return {};
}

}  // namespace hookd::ingress
