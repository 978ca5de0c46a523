// Twilio: X-Twilio-Signature = base64 HMAC-SHA1(auth token, url + each POST parameter sorted by name,
// name then value). For JSON bodies Twilio puts bodySHA256 (hex SHA-256 of the body) in the URL's query
// and signs the URL alone. Twilio signs the URL as it dialled it, which may or may not name the default
// port, so verification accepts either spelling.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"

namespace hookd::sign {

using FormParams = std::vector<std::pair<std::string, std::string>>;

// Decodes an application/x-www-form-urlencoded body ('+' is a space, %XX escapes). Fails with
// Reason::malformed_body on a broken escape.
Result<FormParams> parse_form(std::string_view body);

std::string sign_twilio(std::string_view auth_token, std::string_view url, const FormParams& params);

// `url` is the full URL Twilio requested, query included. With a bodySHA256 query parameter the body
// must hash to it; otherwise the body is read as form parameters.
Status verify_twilio(std::string_view auth_token, std::string_view url, const HeaderSource& headers,
                     std::string_view body);

}  // namespace hookd::sign
