// Fuzzes the base64 and hex decoders: what decodes must re-encode to the same bytes' canonical text and
// decode back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto bytes = hookd::core::base64_decode(text)) {
    if (hookd::core::base64_decode(hookd::core::base64_encode(*bytes)) != *bytes) std::abort();
  }
  if (auto bytes = hookd::core::hex_decode(text)) {
    if (hookd::core::hex_decode(hookd::core::hex_encode(*bytes)) != *bytes) std::abort();
  }
  return 0;
}
