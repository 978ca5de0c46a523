// Fuzzes the Stripe-Signature parser: the first line is the header, the rest the body.
#include <cstdint>
#include <string_view>

#include "hookd/sign/stripe.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  (void)hookd::sign::verify_stripe("whsec_test_secret", header, body, {std::chrono::seconds(0), 0});
  return 0;
}
