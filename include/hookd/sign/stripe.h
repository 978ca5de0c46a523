// Stripe: Stripe-Signature = "t=<unix>,v1=<hex>[,v1=<hex>…]" where each v1 is HMAC-SHA256 of
// "{t}.{body}" keyed with the endpoint secret string itself ("whsec_…" as bytes, not base64-decoded).
// Other schemes in the header (v0) are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"
#include "hookd/sign/options.h"

namespace hookd::sign {

std::string sign_stripe(std::string_view secret, std::int64_t timestamp, std::string_view body);

Status verify_stripe(std::string_view secret, std::string_view signature_header, std::string_view body,
                     const VerifyOptions& options = {});
Status verify_stripe(std::string_view secret, const HeaderSource& headers, std::string_view body,
                     const VerifyOptions& options = {});

}  // namespace hookd::sign
