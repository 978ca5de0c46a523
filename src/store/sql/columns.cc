#include "store/sql/columns.h"

#include <boost/json.hpp>

#include "core/encoding.h"

namespace hookd::store::sql {

namespace json = boost::json;

namespace {

std::optional<json::value> parse(std::string_view text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_map(const StringMap& map) {
  json::object object;
  for (const auto& [key, value] : map) object[key] = value;
  return json::serialize(object);
}

StringMap decode_map(std::string_view text) {
  StringMap map;
  const auto value = parse(text);
  if (!value || !value->is_object()) return map;
  for (const auto& [key, item] : value->as_object()) {
    if (item.is_string()) map.emplace(std::string(key), std::string(item.as_string()));
  }
  return map;
}

std::string encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json::array array;
  // Header values may hold any byte but NUL and controls: kept as text, others replaced (core::as_text).
  for (const auto& [name, value] : pairs) {
    array.push_back(json::array{json::string(core::as_text(name)), json::string(core::as_text(value))});
  }
  return json::serialize(array);
}

std::vector<std::pair<std::string, std::string>> decode_pairs(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  const auto value = parse(text);
  if (!value || !value->is_array()) return pairs;
  for (const auto& item : value->as_array()) {
    if (!item.is_array() || item.as_array().size() != 2 || !item.as_array()[0].is_string() ||
        !item.as_array()[1].is_string()) {
      continue;
    }
    pairs.emplace_back(std::string(item.as_array()[0].as_string()), std::string(item.as_array()[1].as_string()));
  }
  return pairs;
}

std::optional<std::string> encode_list(const std::optional<std::vector<std::string>>& list) {
  if (!list) return std::nullopt;
  json::array array;
  for (const auto& item : *list) array.emplace_back(item);
  return json::serialize(array);
}

std::optional<std::vector<std::string>> decode_list(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const auto value = parse(*text);
  if (!value || !value->is_array()) return std::nullopt;
  std::vector<std::string> list;
  for (const auto& item : value->as_array()) {
    if (item.is_string()) list.emplace_back(item.as_string());
  }
  return list;
}

std::optional<std::string> encode_int_list(const std::optional<std::vector<int>>& list) {
  if (!list) return std::nullopt;
  json::array array;
  for (int item : *list) array.emplace_back(item);
  return json::serialize(array);
}

std::optional<std::vector<int>> decode_int_list(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const auto value = parse(*text);
  if (!value || !value->is_array()) return std::nullopt;
  std::vector<int> list;
  for (const auto& item : value->as_array()) {
    if (item.is_int64()) list.push_back(static_cast<int>(item.as_int64()));
  }
  return list;
}

std::string encode_keys(const std::vector<EndpointKey>& keys) {
  json::array array;
  for (const auto& key : keys) {
    json::object object;
    object["key"] = key.secret;
    if (key.expires_at) object["expires"] = micros(*key.expires_at);
    array.push_back(std::move(object));
  }
  return json::serialize(array);
}

std::vector<EndpointKey> decode_keys(std::string_view text) {
  std::vector<EndpointKey> keys;
  const auto value = parse(text);
  if (!value || !value->is_array()) return keys;
  for (const auto& item : value->as_array()) {
    if (!item.is_object()) continue;
    const auto& object = item.as_object();
    const auto* key = object.if_contains("key");
    if (!key || !key->is_string()) continue;
    EndpointKey out{std::string(key->as_string()), std::nullopt};
    if (const auto* expires = object.if_contains("expires"); expires && expires->is_int64()) {
      out.expires_at = time_at(expires->as_int64());
    }
    keys.push_back(std::move(out));
  }
  return keys;
}

std::int64_t micros(TimePoint t) { return core::to_micros(t); }
TimePoint time_at(std::int64_t value) { return core::from_micros(value); }
std::optional<std::int64_t> micros(const std::optional<TimePoint>& t) {
  return t ? std::optional<std::int64_t>(micros(*t)) : std::nullopt;
}
std::optional<TimePoint> time_at(const std::optional<std::int64_t>& value) {
  return value ? std::optional<TimePoint>(time_at(*value)) : std::nullopt;
}

}  // namespace hookd::store::sql
