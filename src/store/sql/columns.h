// How structured fields are kept in SQL columns: JSON text for maps and lists, microseconds for
// times. Decoding is lenient about what this code wrote itself and never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.h"

namespace hookd::store::sql {

std::string encode_map(const StringMap& map);
StringMap decode_map(std::string_view text);

std::optional<std::string> encode_list(const std::optional<std::vector<std::string>>& list);
std::optional<std::vector<std::string>> decode_list(const std::optional<std::string>& text);

std::optional<std::string> encode_int_list(const std::optional<std::vector<int>>& list);
std::optional<std::vector<int>> decode_int_list(const std::optional<std::string>& text);

// Ordered (name, value) pairs, such as request headers, as a JSON array of two-element arrays.
std::string encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs);
std::vector<std::pair<std::string, std::string>> decode_pairs(std::string_view text);

std::string encode_keys(const std::vector<EndpointKey>& keys);
std::vector<EndpointKey> decode_keys(std::string_view text);

std::int64_t micros(TimePoint t);
TimePoint time_at(std::int64_t micros);
std::optional<std::int64_t> micros(const std::optional<TimePoint>& t);
std::optional<TimePoint> time_at(const std::optional<std::int64_t>& micros);

}  // namespace hookd::store::sql
