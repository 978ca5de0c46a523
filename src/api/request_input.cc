#include "api/request_input.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "core/encoding.h"

namespace hookd::api {
namespace {

constexpr std::size_t kMaxDepth = 64;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) << 4 | hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Text that stores keep must not hold U+0000: PostgreSQL's text columns cannot, and C strings end there.
constexpr std::string_view kNoNul = "must not contain the character U+0000";

bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

}  // namespace

core::Result<json::object> parse_body_object(std::string_view body) {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code error;
  json::value value = json::parse(body, error, {}, options);
  if (error) return core::error(core::ErrorCode::bad_request, "the body is not valid JSON: " + error.message());
  if (!value.is_object()) return core::invalid({"body"}, "the body must be a JSON object");
  return std::move(value.as_object());
}

bool is_name(std::string_view text, std::size_t max_length) {
  return !text.empty() && text.size() <= max_length && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

void FieldReader::invalid(std::string_view key, std::string message) {
  std::vector<std::string> at = location_;
  at.emplace_back(key);
  errors_.push_back({std::move(at), std::move(message)});
}

void FieldReader::add_problems_of(const FieldReader& inner) {
  errors_.insert(errors_.end(), inner.errors_.begin(), inner.errors_.end());
}

core::Status FieldReader::status() const {
  if (errors_.empty()) return {};
  return fail(core::Error{core::ErrorCode::validation, errors_.front().message, errors_});
}

std::optional<std::string> FieldReader::string(std::string_view key, bool required) {
  const auto* value = body_.if_contains(key);
  if (!value || value->is_null()) {
    if (required) invalid(key, "field required");
    return std::nullopt;
  }
  if (!value->is_string()) {
    invalid(key, "must be a string");
    return std::nullopt;
  }
  if (has_nul(value->as_string())) {
    invalid(key, std::string(kNoNul));
    return std::nullopt;
  }
  return std::string(value->as_string());
}

Nullable<std::string> FieldReader::nullable_string(std::string_view key) {
  const auto* value = body_.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) {
    invalid(key, "must be a string or null");
    return std::nullopt;
  }
  if (has_nul(value->as_string())) {
    invalid(key, std::string(kNoNul));
    return std::nullopt;
  }
  return std::optional<std::string>(std::string(value->as_string()));
}

Nullable<std::string> FieldReader::nullable_name(std::string_view key) {
  auto text = nullable_string(key);
  if (text && *text && !is_name(**text)) {
    invalid(key, "must be 1 to 256 characters of a-z, A-Z, 0-9, '-', '_' and '.'");
    return std::nullopt;
  }
  return text;
}

std::optional<bool> FieldReader::boolean(std::string_view key) {
  const auto* value = body_.if_contains(key);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_bool()) {
    invalid(key, "must be a boolean");
    return std::nullopt;
  }
  return value->as_bool();
}

Nullable<std::int64_t> FieldReader::nullable_integer(std::string_view key, std::int64_t min, std::int64_t max) {
  const auto* value = body_.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_null()) return std::optional<std::int64_t>();
  std::optional<std::int64_t> number;
  if (value->is_int64()) number = value->as_int64();
  if (value->is_uint64() && value->as_uint64() <= static_cast<std::uint64_t>(max)) {
    number = static_cast<std::int64_t>(value->as_uint64());
  }
  if (!number || *number < min || *number > max) {
    invalid(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return std::optional<std::int64_t>(*number);
}

std::optional<std::int64_t> FieldReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  auto number = nullable_integer(key, min, max);
  if (number && !*number) {
    invalid(key, "must not be null");
    return std::nullopt;
  }
  return number ? *number : std::nullopt;
}

Nullable<std::vector<std::string>> FieldReader::nullable_names(std::string_view key, std::size_t max_items,
                                                               std::size_t max_length) {
  const auto* value = body_.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_null()) return std::optional<std::vector<std::string>>();
  if (!value->is_array()) {
    invalid(key, "must be a list of names or null");
    return std::nullopt;
  }
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& item : value->as_array()) {
    if (!item.is_string() || !is_name(item.as_string(), max_length)) {
      invalid(key, "each item must be 1 to " + std::to_string(max_length) +
                       " characters of a-z, A-Z, 0-9, '-', '_' and '.'");
      return std::nullopt;
    }
    if (!seen.insert(std::string(item.as_string())).second) {
      invalid(key, "items must be unique");
      return std::nullopt;
    }
    names.emplace_back(item.as_string());
  }
  if (names.empty() || names.size() > max_items) {
    invalid(key, "must have 1 to " + std::to_string(max_items) + " items, or be null");
    return std::nullopt;
  }
  return std::optional<std::vector<std::string>>(std::move(names));
}

std::optional<store::StringMap> FieldReader::string_map(std::string_view key) {
  const auto* value = body_.if_contains(key);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_object()) {
    invalid(key, "must be an object of strings");
    return std::nullopt;
  }
  store::StringMap map;
  for (const auto& [name, item] : value->as_object()) {
    if (!item.is_string()) {
      invalid(key, "every value must be a string");
      return std::nullopt;
    }
    if (has_nul(name) || has_nul(item.as_string())) {
      invalid(key, std::string(kNoNul));
      return std::nullopt;
    }
    map.emplace(std::string(name), std::string(item.as_string()));
  }
  return map;
}

std::optional<std::map<std::string, std::optional<std::string>>> FieldReader::nullable_string_map(
    std::string_view key) {
  const auto* value = body_.if_contains(key);
  if (!value || !value->is_object()) {
    invalid(key, "must be an object of strings or nulls");
    return std::nullopt;
  }
  std::map<std::string, std::optional<std::string>> map;
  for (const auto& [name, item] : value->as_object()) {
    if (has_nul(name) || (item.is_string() && has_nul(item.as_string()))) {
      invalid(key, std::string(kNoNul));
      return std::nullopt;
    }
    if (item.is_null()) {
      map.emplace(std::string(name), std::nullopt);
    } else if (item.is_string()) {
      map.emplace(std::string(name), std::string(item.as_string()));
    } else {
      invalid(key, "every value must be a string or null");
      return std::nullopt;
    }
  }
  return map;
}

QueryReader::QueryReader(std::string_view query) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    const std::size_t equals = item.find('=');
    parameters_.emplace_back(percent_decode(item.substr(0, equals)), equals == std::string_view::npos
                                                                         ? std::string()
                                                                         : percent_decode(item.substr(equals + 1)));
    // Percent-encoding can make any bytes: what is not text is refused (and never reaches a store).
    const auto& [name, value] = parameters_.back();
    if (!core::is_text(name) || !core::is_text(value)) {
      invalid(core::as_text(name), "must be UTF-8 text without the character U+0000");
      parameters_.pop_back();
    }
  }
}

std::optional<std::string> QueryReader::get(std::string_view name) const {
  for (const auto& [key, value] : parameters_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> QueryReader::list(std::string_view name) const {
  std::vector<std::string> values;
  bool present = false;
  for (const auto& [key, value] : parameters_) {
    if (key != name && key != std::string(name) + "[]") continue;
    present = true;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      if (comma != 0) values.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  if (!present) return std::nullopt;
  return values;
}

void QueryReader::invalid(std::string_view name, std::string message) {
  errors_.push_back({{"query", std::string(name)}, std::move(message)});
}

core::Status QueryReader::status() const {
  if (errors_.empty()) return {};
  return fail(core::Error{core::ErrorCode::validation, errors_.front().message, errors_});
}

std::optional<std::int64_t> QueryReader::integer(std::string_view name, std::int64_t min, std::int64_t max) {
  const auto text = get(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const bool digits = !text->empty() && text->size() <= 18 &&
                      std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) value = std::stoll(*text);
  if (!digits || value < min || value > max) {
    invalid(name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

bool QueryReader::boolean(std::string_view name, bool fallback) {
  const auto text = get(name);
  if (!text) return fallback;
  if (*text == "true" || *text == "1") return true;
  if (*text == "false" || *text == "0") return false;
  invalid(name, "must be true or false");
  return fallback;
}

std::optional<core::TimePoint> QueryReader::time(std::string_view name) {
  const auto text = get(name);
  if (!text) return std::nullopt;
  auto parsed = core::parse_rfc3339(*text);
  if (!parsed) invalid(name, "must be an RFC 3339 date-time");
  return parsed;
}

store::PageQuery QueryReader::page(bool ascending_by_default) {
  store::PageQuery page;
  page.ascending = ascending_by_default;
  if (auto limit = integer("limit", 1, 250)) page.limit = static_cast<int>(*limit);
  if (auto iterator = get("iterator"); iterator && !iterator->empty()) {
    if (iterator->size() > 300) {
      invalid("iterator", "is too long");
    } else {
      page.iterator = *iterator;
    }
  }
  if (auto order = get("order")) {
    if (*order == "ascending") {
      page.ascending = true;
    } else if (*order == "descending") {
      page.ascending = false;
    } else {
      invalid("order", "must be ascending or descending");
    }
  }
  return page;
}

}  // namespace hookd::api
