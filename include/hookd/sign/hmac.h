// Generic HMAC signatures, as many providers use them: an HMAC of the raw body, hex or base64, in a
// header of the provider's choosing, sometimes behind a prefix such as "sha256=".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"

namespace hookd::sign {

enum class HmacAlgorithm { sha1, sha256, sha512 };
enum class SignatureEncoding { hex, base64 };

struct HmacScheme {
  std::string header = "X-Signature";  // looked up case-insensitively
  HmacAlgorithm algorithm = HmacAlgorithm::sha256;
  SignatureEncoding encoding = SignatureEncoding::hex;
  std::string prefix;  // e.g. "sha256="; must lead the header value (compared case-insensitively)
};

std::optional<HmacAlgorithm> parse_hmac_algorithm(std::string_view name);          // "sha1", "sha256", "sha512"
std::optional<SignatureEncoding> parse_signature_encoding(std::string_view name);  // "hex", "base64"

// The header value for `body`: prefix + encoded HMAC.
std::string sign_hmac(const HmacScheme& scheme, std::string_view secret, std::string_view body);

// Fails with malformed_secret for an empty secret, missing_header, malformed_header (wrong prefix or
// encoding), or no_matching_signature.
Status verify_hmac(const HmacScheme& scheme, std::string_view secret, const HeaderSource& headers,
                   std::string_view body);

}  // namespace hookd::sign
