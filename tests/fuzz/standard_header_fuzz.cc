// Fuzzes Standard Webhooks verification: the input is split at newlines into id, timestamp, signature
// header and payload. It must never crash, and must only pass for a signature it could have made.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "hookd/sign/standard.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<hookd::sign::Secret> keys{
      hookd::sign::Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").value(),
      hookd::sign::Secret::parse("whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=").value()};
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    const std::size_t newline = input.find('\n');
    parts[i] = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  }
  parts[3] = input;
  const hookd::sign::VerifyOptions options{std::chrono::seconds(0), 0};
  auto status = hookd::sign::verify_standard(keys, parts[0], parts[1], parts[2], parts[3], options);
  if (status) {
    // A pass means the header holds, as one space-separated entry, what one of the keys signs.
    const auto timestamp = std::strtoll(std::string(parts[1]).c_str(), nullptr, 10);
    const std::string header = " " + std::string(parts[2]) + " ";
    bool found = false;
    for (const auto& key : keys) {
      const std::string entry = hookd::sign::sign_standard(key, parts[0], timestamp, parts[3]).value();
      found = found || header.find(" " + entry + " ") != std::string::npos;
    }
    if (!found) std::abort();
  }
  return 0;
}
