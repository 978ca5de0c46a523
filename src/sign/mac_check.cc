#include "sign/mac_check.h"

#include <string>

#include "core/encoding.h"
#include "hookd/sign/headers.h"
#include "sign/crypto.h"

namespace hookd::sign {

Status check_mac(const MacFormat& format, std::string_view secret, std::string_view header_name, std::string_view value,
                 std::initializer_list<std::string_view> signed_parts) {
  if (secret.empty()) return fail(Error{Reason::malformed_secret, "the secret is empty"});
  const std::string name(header_name);
  if (value.size() > kMaxMacHeaderBytes) {
    return fail(Error{Reason::malformed_header, name + " is larger than 8 KiB"});
  }
  if (value.size() < format.prefix.size() || !iequals(value.substr(0, format.prefix.size()), format.prefix)) {
    return fail(Error{Reason::malformed_header, name + " does not start with \"" + std::string(format.prefix) + "\""});
  }
  value.remove_prefix(format.prefix.size());
  const auto received =
      format.encoding == SignatureEncoding::hex ? core::hex_decode(value) : core::base64_decode(value);
  if (!received) {
    return fail(Error{Reason::malformed_header,
                      name + " is not " + (format.encoding == SignatureEncoding::hex ? "hex" : "base64")});
  }
  const auto expected = crypto::hmac(format.algorithm, secret, signed_parts);
  if (!crypto::constant_time_equal(expected.view(), *received)) {
    return fail(Error{Reason::no_matching_signature, name + " does not match the body and secret"});
  }
  return {};
}

std::string encode_mac(const MacFormat& format, std::string_view secret,
                       std::initializer_list<std::string_view> signed_parts) {
  const auto mac = crypto::hmac(format.algorithm, secret, signed_parts);
  return std::string(format.prefix) +
         (format.encoding == SignatureEncoding::hex ? core::hex_encode(mac.view()) : core::base64_encode(mac.view()));
}

}  // namespace hookd::sign
