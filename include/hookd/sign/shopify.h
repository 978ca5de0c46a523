// Shopify: X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256(app secret, body).
#pragma once

#include <string>
#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"

namespace hookd::sign {

std::string sign_shopify(std::string_view secret, std::string_view body);
Status verify_shopify(std::string_view secret, const HeaderSource& headers, std::string_view body);

}  // namespace hookd::sign
