// Fuzzes the single-header provider schemes (GitHub, Shopify, Slack, GitLab, generic HMAC): the first
// line is the header value, the second a timestamp, the rest the body.
#include <cstdint>
#include <string>
#include <string_view>

#include "hookd/sign/github.h"
#include "hookd/sign/gitlab.h"
#include "hookd/sign/hmac.h"
#include "hookd/sign/shopify.h"
#include "hookd/sign/slack.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookd::sign;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t first = input.find('\n');
  const std::string value(input.substr(0, first));
  input = first == std::string_view::npos ? std::string_view{} : input.substr(first + 1);
  const std::size_t second = input.find('\n');
  const std::string timestamp(input.substr(0, second));
  const std::string_view body = second == std::string_view::npos ? std::string_view{} : input.substr(second + 1);

  (void)verify_github("secret", Headers{{"X-Hub-Signature-256", value}}, body);
  (void)verify_github("secret", Headers{{"X-Hub-Signature", value}}, body);
  (void)verify_shopify("secret", Headers{{"X-Shopify-Hmac-Sha256", value}}, body);
  (void)verify_slack("secret", Headers{{"X-Slack-Signature", value}, {"X-Slack-Request-Timestamp", timestamp}}, body,
                     {std::chrono::seconds(0), 0});
  (void)verify_gitlab("secret", Headers{{"X-Gitlab-Token", value}});
  const HmacScheme base64{"X-Sig", HmacAlgorithm::sha512, SignatureEncoding::base64, "sha512="};
  (void)verify_hmac(base64, "secret", Headers{{"X-Sig", value}}, body);
  return 0;
}
