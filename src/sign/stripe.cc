#include "hookd/sign/stripe.h"

#include <optional>
#include <string>

#include "core/encoding.h"
#include "sign/crypto.h"
#include "sign/mac_check.h"
#include "sign/timestamp.h"

namespace hookd::sign {
namespace {

constexpr std::string_view kHeader = "Stripe-Signature";

Error malformed(std::string detail) { return Error{Reason::malformed_header, std::move(detail)}; }

}  // namespace

std::string sign_stripe(std::string_view secret, std::int64_t timestamp, std::string_view body) {
  const std::string t = std::to_string(timestamp);
  const auto mac = crypto::hmac(HmacAlgorithm::sha256, secret, {t, ".", body});
  return "t=" + t + ",v1=" + core::hex_encode(mac.view());
}

Status verify_stripe(std::string_view secret, std::string_view signature_header, std::string_view body,
                     const VerifyOptions& options) {
  if (secret.empty()) return fail(Error{Reason::malformed_secret, "the secret is empty"});
  if (signature_header.size() > kMaxMacHeaderBytes) return fail(malformed("Stripe-Signature is larger than 8 KiB"));

  // "t=…,v1=…,v1=…,v0=…": the timestamp, then signatures under several schemes; only v1 counts.
  std::optional<std::string_view> timestamp;
  std::vector<std::string_view> signatures;
  std::string_view rest = signature_header;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) return fail(malformed("Stripe-Signature items must be key=value"));
    const std::string_view key = item.substr(0, equals);
    const std::string_view value = item.substr(equals + 1);
    if (key == "t" && !timestamp) timestamp = value;
    if (key == "v1") signatures.push_back(value);
  }
  if (!timestamp) return fail(malformed("Stripe-Signature has no t= timestamp"));
  auto seconds = parse_timestamp(*timestamp);
  if (!seconds) return fail(std::move(seconds).error());
  if (auto in_window = check_tolerance(*seconds, options); !in_window) return in_window;
  if (signatures.empty()) {
    return fail(Error{Reason::no_matching_signature, "Stripe-Signature has no v1 signature"});
  }

  const auto expected = crypto::hmac(HmacAlgorithm::sha256, secret, {*timestamp, ".", body});
  bool matched = false;
  for (std::string_view signature : signatures) {
    const auto received = core::hex_decode(signature);
    matched = matched || (received && crypto::constant_time_equal(expected.view(), *received));
  }
  if (!matched) {
    return fail(Error{Reason::no_matching_signature, "no v1 signature in Stripe-Signature matches the secret"});
  }
  return {};
}

Status verify_stripe(std::string_view secret, const HeaderSource& headers, std::string_view body,
                     const VerifyOptions& options) {
  const auto value = headers.find(kHeader);
  if (!value) return fail(Error{Reason::missing_header, "missing Stripe-Signature header"});
  return verify_stripe(secret, *value, body, options);
}

}  // namespace hookd::sign
