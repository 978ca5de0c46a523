// The comparison at the heart of every "HMAC of something in a header" scheme. Internal.
#pragma once

#include <initializer_list>
#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/hmac.h"

namespace hookd::sign {

struct MacFormat {
  HmacAlgorithm algorithm;
  SignatureEncoding encoding;
  std::string_view prefix;  // required at the start of the value, compared case-insensitively
};

// Checks that `value` (a header called `header_name`, named in errors) is `format`'s spelling of the HMAC
// of `signed_parts` under `secret`. Fails with malformed_secret (empty secret), malformed_header
// (oversized, wrong prefix or encoding) or no_matching_signature.
Status check_mac(const MacFormat& format, std::string_view secret, std::string_view header_name, std::string_view value,
                 std::initializer_list<std::string_view> signed_parts);

// The header value `format` would carry: prefix + encoded HMAC.
std::string encode_mac(const MacFormat& format, std::string_view secret,
                       std::initializer_list<std::string_view> signed_parts);

// The largest signature header value accepted by the provider schemes.
inline constexpr std::size_t kMaxMacHeaderBytes = 8 * 1024;

}  // namespace hookd::sign
