// Fuzzes the XML reader of command hooks: any body either gives up or gives a payload whose JSON the
// Go-flavoured JSON reader reads back; read and written once more, it stays the same text (not at once:
// bytes that are not UTF-8 are written \ufffd, which reads back as U+FFFD itself, written as is).
// Nothing crashes, however deep or malformed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hooks/go_json.h"
#include "hooks/xml_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto payload = hookd::hooks::parse_xml_payload(body);
  if (!payload) return 0;
  if (!payload->object() || payload->object()->size() != 1) std::abort();  // one root element
  const auto again = hookd::hooks::parse_go_json(hookd::hooks::to_go_json(*payload));
  if (!again) std::abort();
  const std::string written = hookd::hooks::to_go_json(*again);
  const auto third = hookd::hooks::parse_go_json(written);
  if (!third || hookd::hooks::to_go_json(*third) != written) std::abort();
  return 0;
}
