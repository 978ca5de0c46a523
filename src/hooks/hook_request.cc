#include "hooks/hook_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "hookd/sign/headers.h"
#include "hooks/xml_payload.h"

namespace hookd::hooks {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.ParseQuery (1.17 and later): pairs split on '&' only; a pair holding ';' or an escape that
// does not decode is left out, and `complete` says whether any was.
std::vector<std::pair<std::string, std::string>> parse_pairs(std::string_view text, bool* complete = nullptr) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (complete) *complete = true;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view item = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (item.find(';') != std::string_view::npos) {
      if (complete) *complete = false;
      continue;
    }
    if (item.empty()) continue;
    const auto eq = item.find('=');
    auto name = percent_decode(item.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1), true);
    if (!name || !value) {
      if (complete) *complete = false;
      continue;
    }
    pairs.emplace_back(std::move(*name), std::move(*value));
  }
  return pairs;
}

// The first value of each name, as Go's url.Values.Get gives it, in a sorted object.
GoObject first_values(const std::vector<std::pair<std::string, std::string>>& pairs) {
  GoObject object;
  for (const auto& [name, value] : pairs) object.emplace(name, GoJson{value});
  return object;
}

// Go's GetParameter: the whole name as a key first, else the part before the first dot, recursively;
// lists take a numeric index.
const GoJson* lookup(const GoJson& node, std::string_view name) {
  if (const GoArray* array = node.array()) {
    const auto dot = name.find('.');
    const std::string_view head = name.substr(0, dot);
    std::size_t index = 0;
    const auto [end, error] = std::from_chars(head.data(), head.data() + head.size(), index);
    if (head.empty() || error != std::errc() || end != head.data() + head.size() || index >= array->size()) {
      return nullptr;
    }
    if (dot == std::string_view::npos) return &(*array)[index];
    return lookup((*array)[index], name.substr(dot + 1));
  }
  if (const GoObject* object = node.object()) {
    if (auto it = object->find(std::string(name)); it != object->end()) return &it->second;
    const auto dot = name.find('.');
    auto it = object->find(std::string(name.substr(0, dot)));
    if (it == object->end()) return nullptr;
    if (dot == std::string_view::npos) return &it->second;
    return lookup(it->second, name.substr(dot + 1));
  }
  return nullptr;
}

GoJson* lookup_mutable(GoJson& node, std::string_view name) { return const_cast<GoJson*>(lookup(node, name)); }

// The value of `name`=… in a header's parameters ("multipart/form-data; boundary=x"), unquoted; the
// name in any case, as Go's mime.ParseMediaType reads it.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name) {
  std::string lower(header);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t at = 0;
  while ((at = lower.find(name, at)) != std::string::npos) {
    const bool starts = at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ' || lower[at - 1] == '\t';
    if (starts && at + name.size() < lower.size() && lower[at + name.size()] == '=') {
      std::string_view value = header.substr(at + name.size() + 1);
      if (!value.empty() && value.front() == '"') {
        value.remove_prefix(1);
        return std::string(value.substr(0, value.find('"')));
      }
      return std::string(value.substr(0, value.find_first_of("; \t")));
    }
    at += name.size();
  }
  return std::nullopt;
}

struct Part {
  std::string name;
  bool file = false;
  std::vector<std::string> content_types;  // every Content-Type header of the part
  std::string body;
};

bool is_space_or_tab(char c) { return c == ' ' || c == '\t'; }

// multipart/form-data as Go's mime/multipart reads it: a preamble before the first "--boundary" line is
// skipped; lines end in CRLF, or in LF when the first boundary line does; spaces and tabs may follow a
// boundary; a part's body ends at the line break before the next boundary; parts without a form name
// are skipped. nullopt when the body does not follow it.
std::optional<std::vector<Part>> parse_multipart(std::string_view body, const std::string& boundary) {
  if (boundary.empty()) return std::nullopt;
  const std::string dash_boundary = "--" + boundary;
  std::string nl = "\r\n";
  // Whether `line` (without its line break) is a boundary line: true, "final" for the last one.
  const auto boundary_line = [&](std::string_view line, bool& final) {
    if (!line.starts_with(dash_boundary)) return false;
    std::string_view rest = line.substr(dash_boundary.size());
    final = rest.starts_with("--");
    if (final) rest.remove_prefix(2);
    while (!rest.empty() && is_space_or_tab(rest.front())) rest.remove_prefix(1);
    return rest.empty();
  };
  // The first boundary line, after the preamble.
  std::size_t at = 0;
  bool final = false;
  while (true) {
    if (at >= body.size()) return std::nullopt;
    const auto end = body.find('\n', at);
    if (end == std::string_view::npos) {
      return boundary_line(body.substr(at), final) && final ? std::optional<std::vector<Part>>(std::vector<Part>{})
                                                            : std::nullopt;
    }
    std::string_view line = body.substr(at, end - at);
    const bool crlf = line.ends_with('\r');
    if (crlf) line.remove_suffix(1);
    at = end + 1;
    if (boundary_line(line, final)) {
      if (final) return std::vector<Part>{};
      if (!crlf) nl = "\n";
      break;
    }
  }
  std::vector<Part> parts;
  while (true) {
    // The part's headers, up to an empty line (lines ending in LF or CRLF, as textproto reads them).
    Part part;
    bool named = false;
    while (true) {
      const auto end = body.find('\n', at);
      if (end == std::string_view::npos) return std::nullopt;
      std::string_view line = body.substr(at, end - at);
      if (line.ends_with('\r')) line.remove_suffix(1);
      at = end + 1;
      if (line.empty()) break;
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      const std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && is_space_or_tab(value.front())) value.remove_prefix(1);
      while (!value.empty() && is_space_or_tab(value.back())) value.remove_suffix(1);
      if (sign::iequals(name, "Content-Disposition")) {
        const std::string_view kind = value.substr(0, value.find(';'));
        if (sign::iequals(kind, "form-data")) {
          if (auto form_name = header_parameter(value, "name")) {
            part.name = *form_name;
            named = !form_name->empty();
          }
          part.file = header_parameter(value, "filename").value_or("") != "";
        }
      } else if (sign::iequals(name, "Content-Type")) {
        part.content_types.emplace_back(value);
      }
    }
    // The body: up to the line break before a boundary ("--boundary" then "-", a space, a tab or a
    // line break: "--boundaryX" is text of the part).
    const std::string delimiter = nl + dash_boundary;
    const auto ends_there = [&](std::size_t after) {
      return after == body.size() || body[after] == '-' || is_space_or_tab(body[after]) || body[after] == '\r' ||
             body[after] == '\n';
    };
    if (body.substr(at).starts_with(dash_boundary) && ends_there(at + dash_boundary.size())) {
      // An empty body with the boundary straight after the headers, as Go allows.
      if (named) parts.push_back(std::move(part));
    } else {
      std::size_t next = at;
      while (true) {
        next = body.find(delimiter, next);
        if (next == std::string_view::npos) return std::nullopt;
        if (ends_there(next + delimiter.size())) break;
        next += 1;
      }
      part.body = std::string(body.substr(at, next - at));
      if (named) parts.push_back(std::move(part));
      at = next + nl.size();
    }
    const auto end = body.find('\n', at);
    std::string_view line = body.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!boundary_line(line, final)) return std::nullopt;
    if (final) return parts;
    if (end == std::string_view::npos) return std::nullopt;
    at = end + 1;
  }
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && plus_as_space) {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size() || hex_digit(text[i + 1]) < 0 || hex_digit(text[i + 2]) < 0) return std::nullopt;
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string canonical_header(std::string_view name) {
  // As Go's textproto.CanonicalMIMEHeaderKey: a name with a byte that is not a token byte stays as it is.
  const auto token = [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  };
  if (!std::all_of(name.begin(), name.end(), token)) return std::string(name);
  std::string out(name);
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    upper = c == '-';
  }
  return out;
}

namespace {

// The body as JSON, as `webhook`'s ParseJSONPayload reads it: the first value only; a list at the top is
// kept under "root"; anything but an object or a list leaves no payload.
GoJson json_payload(std::string_view body, std::optional<std::string>& error) {
  const auto first = body.find_first_not_of(" \t\n\r\v\f");
  auto parsed = decode_first_go_json(body);
  if (!parsed) {
    error = "the body is not valid JSON";
    return {};
  }
  if (first != std::string_view::npos && body[first] == '[') return GoJson{GoObject{{"root", std::move(*parsed)}}};
  if (!parsed->object()) {
    if (!parsed->is_null()) error = "the body is JSON, but not an object";
    return {};
  }
  return std::move(*parsed);
}

// parse-parameters-as-json: each named value that is text holding a JSON object (its first value, as a
// Go decoder reads it) is replaced by that object; other values stay as they are.
void parse_parameters_as_json(HookRequest& request, const Hook& hook) {
  for (const Argument& argument : hook.parse_parameters_as_json) {
    GoJson* source = argument.source == "payload"                             ? &request.payload
                     : argument.source == "header"                            ? &request.header_values
                     : argument.source == "url" || argument.source == "query" ? &request.query_values
                                                                              : nullptr;
    if (!source) continue;
    const std::string name = argument.source == "header" ? canonical_header(argument.name) : argument.name;
    GoJson* target = lookup_mutable(*source, name);
    if (!target) continue;
    const std::string text = target->string() ? *target->string() : to_go_json(*target);
    if (auto parsed = decode_first_go_json(text); parsed && parsed->object()) *target = std::move(*parsed);
  }
}

}  // namespace

HookRequest make_request(std::string method, std::string remote_addr,
                         std::vector<std::pair<std::string, std::string>> headers, std::string_view query,
                         std::string body, const Hook& hook) {
  HookRequest request;
  request.method = std::move(method);
  request.remote_addr = std::move(remote_addr);
  request.headers = std::move(headers);
  request.query_values = GoJson{first_values(parse_pairs(query))};
  request.body = std::move(body);

  GoObject header_values;
  std::string header_type;
  for (const auto& [name, value] : request.headers) {
    if (sign::iequals(name, "Host")) continue;  // Go keeps it apart from the headers
    header_values.emplace(canonical_header(name), GoJson{value});
    if (header_type.empty() && sign::iequals(name, "Content-Type")) header_type = value;
  }
  request.header_values = GoJson{std::move(header_values)};
  const std::string content_type =
      hook.incoming_payload_content_type.empty() ? header_type : hook.incoming_payload_content_type;
  if (content_type.starts_with("multipart/form-data;")) {
    // As webhook: the parts become the payload, from the real header's boundary; the raw body is not kept.
    auto parts = parse_multipart(request.body, header_parameter(header_type, "boundary").value_or(""));
    request.body.clear();
    if (!parts) {
      request.bad_multipart = true;
      return request;
    }
    // As webhook: the first value of each field, then the first file of each name read as JSON (which
    // replaces a field of the same name) when it says application/json or is named in
    // parse-parameters-as-json.
    GoObject payload;
    for (Part& part : *parts) {
      if (!part.file) payload.emplace(part.name, GoJson{std::move(part.body)});
    }
    std::set<std::string> files_seen;
    for (Part& part : *parts) {
      if (!part.file || !files_seen.insert(part.name).second) continue;
      const bool as_json = std::find(part.content_types.begin(), part.content_types.end(), "application/json") !=
                               part.content_types.end() ||
                           std::any_of(hook.parse_parameters_as_json.begin(), hook.parse_parameters_as_json.end(),
                                       [&](const Argument& a) { return a.source == "payload" && a.name == part.name; });
      if (!as_json) continue;
      auto parsed = decode_first_go_json(part.body);
      payload[part.name] = parsed && parsed->object() ? std::move(*parsed) : GoJson{};
    }
    request.payload = GoJson{std::move(payload)};
  } else if (content_type.find("json") != std::string::npos) {
    request.payload = json_payload(request.body, request.payload_error);
  } else if (content_type.find("x-www-form-urlencoded") != std::string::npos) {
    // As Go's url.ParseQuery: one pair it cannot read, and webhook keeps no payload at all.
    bool complete = true;
    auto pairs = parse_pairs(request.body, &complete);
    if (complete) {
      request.payload = GoJson{first_values(pairs)};
    } else {
      request.payload_error = "the form does not decode";
    }
  } else if (content_type.find("xml") != std::string::npos) {
    if (auto parsed = parse_xml_payload(request.body)) {
      request.payload = std::move(*parsed);
    } else {
      request.payload_error = "the body is not well-formed XML";
    }
  }
  parse_parameters_as_json(request, hook);
  return request;
}

Lookup look_up(const Argument& argument, const HookRequest& request) {
  const std::string& source = argument.source;
  const auto found = [](const GoJson* value) {
    return value ? Lookup{go_text(*value), false, ""} : Lookup{std::nullopt, true, "parameter node not found"};
  };
  if (source == "string") return {argument.name, false, ""};
  if (source == "header") return found(lookup(request.header_values, canonical_header(argument.name)));
  if (source == "url" || source == "query") return found(lookup(request.query_values, argument.name));
  if (source == "payload") return found(lookup(request.payload, argument.name));
  if (source == "request") {
    std::string key = argument.name;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key == "method") return {request.method, false, ""};
    if (key == "remote-addr") return {request.remote_addr, false, ""};
    return {std::nullopt, false, "unsupported request key: \"" + argument.name + "\""};
  }
  if (source == "raw-request-body") return {request.body, false, ""};
  if (source == "entire-payload") return {to_go_json(request.payload), false, ""};
  if (source == "entire-query") return {to_go_json(request.query_values), false, ""};
  if (source == "entire-headers") return {to_go_json(request.header_values), false, ""};
  return {std::nullopt, false, "no source for value retrieval"};
}

std::optional<std::string> value_of(const Argument& argument, const HookRequest& request) {
  return look_up(argument, request).text;
}

}  // namespace hookd::hooks
