#include "hookd/sign/shopify.h"

#include "sign/mac_check.h"

namespace hookd::sign {
namespace {

constexpr std::string_view kHeader = "X-Shopify-Hmac-Sha256";
constexpr MacFormat kFormat{HmacAlgorithm::sha256, SignatureEncoding::base64, ""};

}  // namespace

std::string sign_shopify(std::string_view secret, std::string_view body) { return encode_mac(kFormat, secret, {body}); }

Status verify_shopify(std::string_view secret, const HeaderSource& headers, std::string_view body) {
  const auto value = headers.find(kHeader);
  if (!value) return fail(Error{Reason::missing_header, "missing X-Shopify-Hmac-Sha256 header"});
  return check_mac(kFormat, secret, kHeader, *value, {body});
}

}  // namespace hookd::sign
