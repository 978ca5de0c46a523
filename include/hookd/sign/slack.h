// Slack: X-Slack-Signature = "v0=" + hex HMAC-SHA256(signing secret, "v0:{timestamp}:{body}"), with the
// timestamp in X-Slack-Request-Timestamp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"
#include "hookd/sign/options.h"

namespace hookd::sign {

std::string sign_slack(std::string_view secret, std::int64_t timestamp, std::string_view body);
Status verify_slack(std::string_view secret, const HeaderSource& headers, std::string_view body,
                    const VerifyOptions& options = {});

}  // namespace hookd::sign
