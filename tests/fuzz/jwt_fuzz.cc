// Fuzzes bearer token verification: any text either fails cleanly or is a token signed with the key.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const auto now = hookd::core::from_micros(1700000000000000);
  auto claims = hookd::api::verify_token(token, "fuzzing-secret-0123456789", now);
  // Accepting a token means forging an HMAC-SHA256: the fuzzer must never get there.
  if (claims) std::abort();
  return 0;
}
