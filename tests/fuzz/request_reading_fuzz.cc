// Fuzzes what the ingress reads from a verified request: the first byte picks the source's scheme, the
// rest is the body. Any body must give a reading whose payload is a JSON object.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingress/request_reading.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kSchemes[] = {"github", "stripe", "shopify",  "slack",
                                         "gitlab", "twilio", "standard", "none"};
  hookd::store::Source source;
  source.scheme = kSchemes[data[0] % 8];
  if (data[0] & 0x80) source.dedupe_field = "data.object.id";
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const hookd::sign::Headers headers{{"Content-Type", "application/json"}, {"X-GitHub-Event", "push"}};
  const auto reading = hookd::ingress::read_request(source, headers, body);
  boost::system::error_code error;
  const auto payload = boost::json::parse(reading.payload, error);
  if (error || !payload.is_object()) std::abort();
  if (!hookd::ingress::event_type_name(reading.event_type)) std::abort();
  return 0;
}
