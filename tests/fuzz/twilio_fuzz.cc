// Fuzzes Twilio verification: the first line is the URL, the second the signature, the rest the form
// or JSON body. Exercises the URL port rewriting, the query scan and the form decoder.
#include <cstdint>
#include <string>
#include <string_view>

#include "hookd/sign/twilio.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookd::sign;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t first = input.find('\n');
  const std::string_view url = input.substr(0, first);
  input = first == std::string_view::npos ? std::string_view{} : input.substr(first + 1);
  const std::size_t second = input.find('\n');
  const std::string signature(input.substr(0, second));
  const std::string_view body = second == std::string_view::npos ? std::string_view{} : input.substr(second + 1);
  (void)verify_twilio("token", url, Headers{{"X-Twilio-Signature", signature}}, body);
  (void)parse_form(body);
  return 0;
}
