// Fuzzes the Go-flavoured JSON reader of command hooks: whatever it accepts, it writes back as JSON that
// it reads again to the same text (Go's writing is a fixed point).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hooks/go_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = hookd::hooks::parse_go_json(text);
  if (!parsed) return 0;
  const std::string written = hookd::hooks::to_go_json(*parsed);
  const auto again = hookd::hooks::parse_go_json(written);
  if (!again || hookd::hooks::to_go_json(*again) != written) std::abort();
  (void)hookd::hooks::go_text(*parsed);
  return 0;
}
