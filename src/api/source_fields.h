// Reading and showing inbound sources: the JSON fields of POST/PUT/PATCH /api/v1/source, checked, and
// the source and inbound request shapes the API answers with.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "api/request_input.h"
#include "core/error.h"
#include "store/model.h"

namespace hookd::api {

struct SourceFields {
  std::optional<std::string> name;
  std::optional<std::string> scheme;
  std::optional<std::vector<std::string>> secrets;
  Nullable<std::int64_t> tolerance;
  std::optional<store::StringMap> hmac;
  std::optional<std::string> app;  // an application id or uid
  Nullable<std::string> event_type;
  Nullable<std::string> dedupe_header;
  Nullable<std::string> dedupe_field;
  std::optional<std::int64_t> dedupe_window;
};

// `required`: POST and PUT need name (PUT takes it from the path), scheme and app.
core::Result<SourceFields> read_source_fields(std::string_view body, bool required);
// Applies what was given (everything, with defaults for the rest, when `replace`).
void apply_source_fields(store::Source& source, const SourceFields& fields, bool replace);

json::object source_json(const store::Source& source, const std::string& public_url);
json::object inbound_json(const store::InboundRequest& request);

}  // namespace hookd::api
