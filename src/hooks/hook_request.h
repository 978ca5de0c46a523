// A request as hooks see it, and the values the hooks file refers to (`webhook`'s
// Referencing-Request-Values): header, url, payload (dot paths, with list indexes), request (method,
// remote-addr), raw-request-body, entire-payload, entire-query, entire-headers and string.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hooks/go_json.h"
#include "hooks/hook.h"

namespace hookd::hooks {

struct HookRequest {
  std::string method;
  std::string remote_addr;                                   // "ip:port"
  std::vector<std::pair<std::string, std::string>> headers;  // as received (signature schemes read these)
  GoJson header_values;  // as Go's Request.Header gives them: canonical name -> first value, without Host
  GoJson query_values;   // as Go's URL.Query: name -> first value; pairs Go cannot decode are left out
  std::string body;
  GoJson payload;  // the body parsed by its content type (JSON, XML, or a form's fields); null otherwise
  std::optional<std::string> payload_error;  // why the body could not be parsed, for the log
  bool bad_multipart = false;                // a multipart body that does not parse: the answer is 500
};

// Builds the request: splits the query (Go's url.ParseQuery) and parses the body as its content type says (or the
// hook's incoming-payload-content-type): JSON, XML (hooks/xml_payload.h), a form, or multipart/form-data (fields as
// strings; file parts as JSON objects when they are application/json or named in parse-parameters-as-json; the raw body
// is then empty, as in `webhook`). Then applies parse-parameters-as-json.
HookRequest make_request(std::string method, std::string remote_addr,
                         std::vector<std::pair<std::string, std::string>> headers, std::string_view query,
                         std::string body, const Hook& hook);

// The value an argument refers to, as text, or why there is none: the request does not have it
// (`missing`, Go's ParameterNodeError, which rules take as a plain "no"), or the argument cannot be read at
// all (an unknown source or request key: a rule that reads it errs).
struct Lookup {
  std::optional<std::string> text;
  bool missing = false;
  std::string error;
};
Lookup look_up(const Argument& argument, const HookRequest& request);

// The value an argument refers to, as text; nullopt when there is none, for whatever reason.
std::optional<std::string> value_of(const Argument& argument, const HookRequest& request);

// Text with its %XX escapes decoded (and '+' as a space when `plus_as_space`, as in a query), as Go's
// url.PathUnescape / QueryUnescape; nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

// Go's canonical header name: "x-github-event" -> "X-Github-Event".
std::string canonical_header(std::string_view name);

}  // namespace hookd::hooks
