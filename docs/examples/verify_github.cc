// A receiver checking a GitHub webhook with the hookd signing library (docs/library.md).
// Built by the project's CMake as `example_verify_github`, linked against hookd::sign alone.
#include <cstdio>
#include <string>

#include "hookd/sign/sign.h"

int main() {
  const std::string secret = "It's a Secret to Everybody";
  const std::string body = "Hello, World!";

  // The headers as your HTTP server received them; names match case-insensitively.
  hookd::sign::Headers headers;
  headers.add("x-hub-signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");

  const hookd::sign::Status status = hookd::sign::verify_github(secret, headers, body);
  if (!status) {
    std::printf("rejected: %s (%s)\n", std::string(hookd::sign::reason_name(status.error().reason)).c_str(),
                status.error().detail.c_str());
    return 1;
  }
  std::printf("valid\n");

  // Standard Webhooks: parse the key once, verify many requests.
  const auto key = hookd::sign::Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").value();
  const std::vector<hookd::sign::Secret> keys{key};
  const hookd::sign::Headers standard{{"webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"},
                                      {"webhook-timestamp", "1614265330"},
                                      {"webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}};
  const hookd::sign::VerifyOptions at_signing_time{hookd::sign::kDefaultTolerance, 1614265330};
  if (!hookd::sign::verify_standard(keys, standard, R"({"test": 2432232314})", at_signing_time)) return 1;
  std::printf("valid\n");
  return 0;
}
