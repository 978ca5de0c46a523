// Reading what clients send: JSON bodies into typed fields and query strings into typed parameters.
// Every problem is collected, so that one 422 answer lists them all (Svix's validation error shape).
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "store/model.h"

namespace hookd::api {

namespace json = boost::json;

// Parses a request body as a JSON object, at most 64 levels deep: 400 for broken JSON, 422 for JSON
// that is not an object.
core::Result<json::object> parse_body_object(std::string_view body);

// Whether `text` is 1 to `max_length` characters of [a-zA-Z0-9-_.] (uids, event type names, channels).
bool is_name(std::string_view text, std::size_t max_length = 256);

// A field that may be absent (outer nullopt), null (inner nullopt) or a value.
template <class T>
using Nullable = std::optional<std::optional<T>>;

class FieldReader {
 public:
  // Reads `body`, an object found at `location` (the request body, or an object inside it).
  explicit FieldReader(const json::object& body, std::vector<std::string> location = {"body"})
      : body_(body), location_(std::move(location)) {}

  bool has(std::string_view key) const { return body_.contains(key); }
  std::optional<std::string> string(std::string_view key, bool required = false);
  Nullable<std::string> nullable_string(std::string_view key);
  // A nullable uid-like name: 1-256 characters of [a-zA-Z0-9-_.].
  Nullable<std::string> nullable_name(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  Nullable<std::int64_t> nullable_integer(std::string_view key, std::int64_t min, std::int64_t max);
  // A nullable list of unique names, with at least one and at most `max_items` items.
  Nullable<std::vector<std::string>> nullable_names(std::string_view key, std::size_t max_items,
                                                    std::size_t max_length);
  std::optional<store::StringMap> string_map(std::string_view key);
  // An object whose values are strings or null (null: remove), for PATCH of headers.
  std::optional<std::map<std::string, std::optional<std::string>>> nullable_string_map(std::string_view key);
  // The raw JSON value (objects for schemas), if present.
  const json::value* value(std::string_view key) const { return body_.if_contains(key); }

  void invalid(std::string_view key, std::string message);
  // Adds the problems the reader of an object inside this one found.
  void add_problems_of(const FieldReader& inner);
  // 422 listing every problem found so far, or success.
  core::Status status() const;

 private:
  const json::object& body_;
  std::vector<std::string> location_;
  std::vector<core::FieldError> errors_;
};

// Query parameters: percent-decoded, '+' as space; a parameter may repeat or hold a comma-separated list.
class QueryReader {
 public:
  explicit QueryReader(std::string_view query);

  std::optional<std::string> get(std::string_view name) const;
  std::optional<std::vector<std::string>> list(std::string_view name) const;
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max);
  bool boolean(std::string_view name, bool fallback);
  std::optional<core::TimePoint> time(std::string_view name);

  // The list parameters every list route takes: limit (1-250, default 50), iterator, order.
  store::PageQuery page(bool ascending_by_default = false);

  void invalid(std::string_view name, std::string message);
  core::Status status() const;

 private:
  std::vector<std::pair<std::string, std::string>> parameters_;
  std::vector<core::FieldError> errors_;
};

}  // namespace hookd::api
