// JSON as the `webhook` tool (Go's encoding/json with UseNumber) sees it: numbers keep their text
// ("1.50" stays 1.50), objects are written with their keys sorted and without spaces, and <, >, & and
// U+2028/U+2029 are escaped as \u003c…, and bytes that are not UTF-8 read as U+FFFD and are written as
// \ufffd, so that values passed to commands are byte for byte the ones `webhook` passes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hookd::hooks {

struct GoJson;
using GoObject = std::map<std::string, GoJson>;  // sorted, as Go writes maps; a repeated key keeps the last
using GoArray = std::vector<GoJson>;

struct GoNumber {
  std::string text;  // as written in the input
};

struct GoJson {
  std::variant<std::monostate, bool, GoNumber, std::string, GoArray, GoObject> value;  // monostate: null

  bool is_null() const { return std::holds_alternative<std::monostate>(value); }
  const GoObject* object() const { return std::get_if<GoObject>(&value); }
  const GoArray* array() const { return std::get_if<GoArray>(&value); }
  const std::string* string() const { return std::get_if<std::string>(&value); }
};

// Parses one JSON document (at most 64 levels deep, at most 1,000,000 values); nullopt when it is not
// valid JSON or goes past those bounds.
std::optional<GoJson> parse_go_json(std::string_view text);

// The first JSON value of `text`, as Go's json.Decoder.Decode reads it: bytes after that value are not
// read; nullopt when the text does not start with a valid value.
std::optional<GoJson> decode_first_go_json(std::string_view text);

// `text` as Go reads it rune by rune (for range, regexp): each byte that is not part of well-formed
// UTF-8 becomes U+FFFD.
std::string go_runes(std::string_view text);

// Writes `value` as Go's json.Marshal does.
std::string to_go_json(const GoJson& value);

// A value as `webhook` turns a parameter into a command argument: strings as they are, numbers as
// written, booleans as true/false, null as "<nil>" (Go's %v), arrays and objects as JSON.
std::string go_text(const GoJson& value);

}  // namespace hookd::hooks
