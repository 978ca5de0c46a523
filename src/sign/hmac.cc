#include "hookd/sign/hmac.h"

#include "sign/mac_check.h"

namespace hookd::sign {
namespace {

MacFormat format_of(const HmacScheme& scheme) { return {scheme.algorithm, scheme.encoding, scheme.prefix}; }

}  // namespace

std::optional<HmacAlgorithm> parse_hmac_algorithm(std::string_view name) {
  if (iequals(name, "sha1")) return HmacAlgorithm::sha1;
  if (iequals(name, "sha256")) return HmacAlgorithm::sha256;
  if (iequals(name, "sha512")) return HmacAlgorithm::sha512;
  return std::nullopt;
}

std::optional<SignatureEncoding> parse_signature_encoding(std::string_view name) {
  if (iequals(name, "hex")) return SignatureEncoding::hex;
  if (iequals(name, "base64")) return SignatureEncoding::base64;
  return std::nullopt;
}

std::string sign_hmac(const HmacScheme& scheme, std::string_view secret, std::string_view body) {
  return encode_mac(format_of(scheme), secret, {body});
}

Status verify_hmac(const HmacScheme& scheme, std::string_view secret, const HeaderSource& headers,
                   std::string_view body) {
  const auto value = headers.find(scheme.header);
  if (!value) return fail(Error{Reason::missing_header, "missing " + scheme.header + " header"});
  return check_mac(format_of(scheme), secret, scheme.header, *value, {body});
}

}  // namespace hookd::sign
