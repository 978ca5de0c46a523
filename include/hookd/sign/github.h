// GitHub: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(secret, body). The legacy X-Hub-Signature
// ("sha1=" + hex HMAC-SHA1) is checked only when the SHA-256 header is absent.
#pragma once

#include <string>
#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"

namespace hookd::sign {

std::string sign_github(std::string_view secret, std::string_view body);  // the X-Hub-Signature-256 value
Status verify_github(std::string_view secret, const HeaderSource& headers, std::string_view body);

}  // namespace hookd::sign
