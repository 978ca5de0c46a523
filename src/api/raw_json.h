// Keeping message payloads byte for byte: finding the exact text of a member inside a JSON document, and
// putting raw JSON text into a serialized object.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hookd::api {

// The exact text of the value of top-level member `key` in `object_text` (the last one when the key is
// repeated, as parsers keep it), without surrounding whitespace; nullopt when absent. `object_text` must
// be a JSON object that a parser has already accepted.
std::optional<std::string_view> raw_member(std::string_view object_text, std::string_view key);

// `serialized_object` (a JSON object's text) with `"key": raw` added as its last member.
std::string with_raw_member(std::string serialized_object, std::string_view key, std::string_view raw);

}  // namespace hookd::api
