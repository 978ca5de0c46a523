#include "api/jwt.h"

#include <boost/json.hpp>

#include "core/encoding.h"
#include "hookd/sign/hmac.h"
#include "sign/crypto.h"

namespace hookd::api {
namespace {

namespace json = boost::json;
using core::ErrorCode;

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::int64_t kClockSkewSeconds = 60;

std::string signature_of(std::string_view signing_input, std::string_view secret) {
  const sign::HmacScheme scheme{"", sign::HmacAlgorithm::sha256, sign::SignatureEncoding::base64, ""};
  const auto raw = core::base64_decode(sign::sign_hmac(scheme, secret, signing_input));
  return core::base64url_encode(raw.value_or(""));
}

hookd::Failure<core::Error> unauthorized(std::string detail) {
  return core::error(ErrorCode::unauthorized, std::move(detail));
}

std::optional<json::object> decode_object(std::string_view part) {
  const auto text = core::base64url_decode(part);
  if (!text) return std::nullopt;
  boost::system::error_code error;
  json::value value = json::parse(*text, error);
  if (error || !value.is_object()) return std::nullopt;
  return value.as_object();
}

std::optional<std::int64_t> number_claim(const json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->as_uint64());
  if (value->is_double()) return static_cast<std::int64_t>(value->as_double());
  return std::nullopt;
}

}  // namespace

std::string issue_token(const TokenClaims& claims, std::string_view secret, core::TimePoint now) {
  json::object body;
  const std::int64_t issued = core::to_unix_seconds(now);
  body["iat"] = issued;
  body["nbf"] = issued;
  body["iss"] = "hookd";
  body["sub"] = claims.subject;
  if (claims.org) body["org"] = *claims.org;
  if (claims.expires_at) body["exp"] = core::to_unix_seconds(*claims.expires_at);
  const std::string signing_input =
      core::base64url_encode(kHeader) + "." + core::base64url_encode(json::serialize(body));
  return signing_input + "." + signature_of(signing_input, secret);
}

core::Result<TokenClaims> verify_token(std::string_view token, std::string_view secret, core::TimePoint now) {
  if (token.empty()) return unauthorized("missing bearer token");
  // Compared by digest in constant time: neither the secret's bytes nor its length show in the timing.
  if (sign::crypto::constant_time_equal(sign::crypto::sha256(token).view(), sign::crypto::sha256(secret).view())) {
    return unauthorized(
        "the token is the JWT signing secret itself; send a token made from it "
        "(hookd jwt generate) instead");
  }
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return unauthorized("the token is not a JWT (header.claims.signature)");
  }
  const auto header = decode_object(token.substr(0, first));
  if (!header) return unauthorized("the token's header is not base64url JSON");
  const auto* algorithm = header->if_contains("alg");
  if (!algorithm || !algorithm->is_string() || algorithm->as_string() != "HS256") {
    return unauthorized("the token must be signed with HS256");
  }
  const std::string expected = signature_of(token.substr(0, second), secret);
  const auto given_bytes = core::base64url_decode(token.substr(second + 1));
  const auto expected_bytes = core::base64url_decode(expected);
  if (!given_bytes || !expected_bytes || given_bytes->size() != expected_bytes->size()) {
    return unauthorized("invalid token signature");
  }
  unsigned char difference = 0;  // compared in constant time
  for (std::size_t i = 0; i < given_bytes->size(); ++i) {
    difference |= static_cast<unsigned char>((*given_bytes)[i] ^ (*expected_bytes)[i]);
  }
  if (difference != 0) return unauthorized("invalid token signature");

  const auto claims = decode_object(token.substr(first + 1, second - first - 1));
  if (!claims) return unauthorized("the token's claims are not base64url JSON");
  const std::int64_t seconds = core::to_unix_seconds(now);
  if (auto exp = number_claim(*claims, "exp"); exp && seconds >= *exp + kClockSkewSeconds) {
    return unauthorized("the token has expired");
  }
  if (auto nbf = number_claim(*claims, "nbf"); nbf && seconds + kClockSkewSeconds < *nbf) {
    return unauthorized("the token is not valid yet");
  }
  const auto* subject = claims->if_contains("sub");
  if (!subject || !subject->is_string() || subject->as_string().empty())
    return unauthorized("the token has no subject");
  TokenClaims out;
  out.subject = std::string(subject->as_string());
  if (const auto* org = claims->if_contains("org"); org && org->is_string()) out.org = std::string(org->as_string());
  if (auto exp = number_claim(*claims, "exp")) out.expires_at = core::from_micros(*exp * 1000000);
  return out;
}

}  // namespace hookd::api
