// Fuzzes the payload extractor of message creation: for any JSON object a parser accepts, the raw text
// raw_member finds for a key must parse to the same value the parser holds for that key.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/raw_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  boost::system::error_code error;
  boost::json::parse_options options;
  options.max_depth = 64;
  const boost::json::value parsed = boost::json::parse(text, error, {}, options);
  if (error || !parsed.is_object()) return 0;
  for (const auto& [key, value] : parsed.as_object()) {
    const auto raw = hookd::api::raw_member(text, key);
    if (!raw) std::abort();
    const boost::json::value reparsed = boost::json::parse(*raw, error, {}, options);
    if (error || reparsed != parsed.as_object().at(key)) std::abort();
  }
  return 0;
}
