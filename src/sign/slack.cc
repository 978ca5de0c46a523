#include "hookd/sign/slack.h"

#include <string>

#include "sign/mac_check.h"
#include "sign/timestamp.h"

namespace hookd::sign {
namespace {

constexpr std::string_view kSignatureHeader = "X-Slack-Signature";
constexpr std::string_view kTimestampHeader = "X-Slack-Request-Timestamp";
constexpr MacFormat kFormat{HmacAlgorithm::sha256, SignatureEncoding::hex, "v0="};

}  // namespace

std::string sign_slack(std::string_view secret, std::int64_t timestamp, std::string_view body) {
  return encode_mac(kFormat, secret, {"v0:", std::to_string(timestamp), ":", body});
}

Status verify_slack(std::string_view secret, const HeaderSource& headers, std::string_view body,
                    const VerifyOptions& options) {
  const auto timestamp = headers.find(kTimestampHeader);
  if (!timestamp) return fail(Error{Reason::missing_header, "missing X-Slack-Request-Timestamp header"});
  const auto signature = headers.find(kSignatureHeader);
  if (!signature) return fail(Error{Reason::missing_header, "missing X-Slack-Signature header"});
  auto seconds = parse_timestamp(*timestamp);
  if (!seconds) return fail(std::move(seconds).error());
  if (auto in_window = check_tolerance(*seconds, options); !in_window) return in_window;
  return check_mac(kFormat, secret, kSignatureHeader, *signature, {"v0:", *timestamp, ":", body});
}

}  // namespace hookd::sign
