#include "hooks/hook_request.h"

#include <algorithm>
#include <charconv>

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

std::string url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_pairs(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view item = text.substr(0, amp);
    if (!item.empty()) {
      const auto eq = item.find('=');
      pairs.emplace_back(url_decode(item.substr(0, eq)),
                         eq == std::string_view::npos ? std::string() : url_decode(item.substr(eq + 1)));
    }
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
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

// The value of `name`=… in a header's parameters ("multipart/form-data; boundary=x"), unquoted.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while ((at = header.find(name, at)) != std::string_view::npos) {
    const bool starts = at == 0 || header[at - 1] == ';' || header[at - 1] == ' ';
    if (starts && at + name.size() < header.size() && header[at + name.size()] == '=') {
      std::string_view value = header.substr(at + name.size() + 1);
      if (!value.empty() && value.front() == '"') {
        value.remove_prefix(1);
        return std::string(value.substr(0, value.find('"')));
      }
      return std::string(value.substr(0, value.find(';')));
    }
    at += name.size();
  }
  return std::nullopt;
}

struct Part {
  std::string name;
  bool file = false;
  std::string content_type;
  std::string body;
};

// multipart/form-data (RFC 7578); nullopt when the body does not follow it.
std::optional<std::vector<Part>> parse_multipart(std::string_view body, const std::string& boundary) {
  if (boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + boundary;
  std::size_t at = body.find(delimiter);
  if (at == std::string_view::npos) return std::nullopt;
  std::vector<Part> parts;
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return parts;
    if (body.substr(at, 2) != "\r\n") return std::nullopt;
    at += 2;
    const auto head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) return std::nullopt;
    Part part;
    std::string_view head = body.substr(at, head_end - at);
    while (!head.empty()) {
      const auto line_end = head.find("\r\n");
      const std::string_view line = head.substr(0, line_end);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string_view name = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (sign::iequals(name, "Content-Disposition")) {
          part.name = header_parameter(value, "name").value_or("");
          part.file = header_parameter(value, "filename").has_value();
        } else if (sign::iequals(name, "Content-Type")) {
          part.content_type = std::string(value);
        }
      }
      head = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
    }
    const auto next = body.find("\r\n" + delimiter, head_end + 4);
    if (next == std::string_view::npos) return std::nullopt;
    part.body = std::string(body.substr(head_end + 4, next - head_end - 4));
    parts.push_back(std::move(part));
    at = next + 2;
  }
}

}  // namespace

std::string canonical_header(std::string_view name) {
  std::string out(name);
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    upper = c == '-';
  }
  return out;
}

HookRequest make_request(std::string method, std::string remote_addr,
                         std::vector<std::pair<std::string, std::string>> headers, std::string_view query,
                         std::string body, const Hook& hook) {
  HookRequest request;
  request.method = std::move(method);
  request.remote_addr = std::move(remote_addr);
  request.headers = std::move(headers);
  request.query = parse_pairs(query);
  request.body = std::move(body);

  std::string header_type;
  for (const auto& [name, value] : request.headers) {
    if (sign::iequals(name, "Content-Type")) {
      header_type = value;
      break;
    }
  }
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
    GoObject payload;
    for (Part& part : *parts) {
      if (payload.contains(part.name)) continue;
      if (!part.file) {
        payload.emplace(part.name, GoJson{std::move(part.body)});
        continue;
      }
      const bool as_json = part.content_type == "application/json" ||
                           std::any_of(hook.parse_parameters_as_json.begin(), hook.parse_parameters_as_json.end(),
                                       [&](const Argument& a) { return a.source == "payload" && a.name == part.name; });
      if (!as_json) continue;
      auto parsed = parse_go_json(part.body);
      payload.emplace(part.name, parsed && parsed->object() ? std::move(*parsed) : GoJson{});
    }
    request.payload = GoJson{std::move(payload)};
  } else if (content_type.find("json") != std::string::npos) {
    if (auto parsed = parse_go_json(request.body)) {
      // A list at the top is kept under "root", as `webhook` does.
      request.payload = parsed->array() ? GoJson{GoObject{{"root", std::move(*parsed)}}} : std::move(*parsed);
    } else {
      request.payload_error = "the body is not valid JSON";
    }
  } else if (content_type.find("x-www-form-urlencoded") != std::string::npos) {
    request.payload = GoJson{first_values(parse_pairs(request.body))};
  } else if (content_type.find("xml") != std::string::npos) {
    if (auto parsed = parse_xml_payload(request.body)) {
      request.payload = std::move(*parsed);
    } else {
      request.payload_error = "the body is not well-formed XML";
    }
  }

  for (const Argument& argument : hook.parse_parameters_as_json) {
    if (argument.source != "payload") continue;
    GoJson* target = lookup_mutable(request.payload, argument.name);
    if (!target || !target->string()) continue;
    if (auto parsed = parse_go_json(*target->string())) *target = std::move(*parsed);
  }
  return request;
}

std::optional<std::string> value_of(const Argument& argument, const HookRequest& request) {
  const std::string& source = argument.source;
  if (source == "string") return argument.name;
  if (source == "header") {
    for (const auto& [name, value] : request.headers) {
      if (sign::iequals(name, argument.name)) return value;
    }
    return std::nullopt;
  }
  if (source == "url" || source == "query") {
    for (const auto& [name, value] : request.query) {
      if (name == argument.name) return value;
    }
    return std::nullopt;
  }
  if (source == "payload") {
    const GoJson* value = lookup(request.payload, argument.name);
    if (!value) return std::nullopt;
    return go_text(*value);
  }
  if (source == "request") {
    if (argument.name == "method") return request.method;
    if (argument.name == "remote-addr") return request.remote_addr;
    return std::nullopt;
  }
  if (source == "raw-request-body") return request.body;
  if (source == "entire-payload") return to_go_json(request.payload);
  if (source == "entire-query") return to_go_json(GoJson{first_values(request.query)});
  if (source == "entire-headers") {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [name, value] : request.headers) {
      if (!sign::iequals(name, "Host")) headers.emplace_back(canonical_header(name), value);
    }
    return to_go_json(GoJson{first_values(headers)});
  }
  return std::nullopt;
}

}  // namespace hookd::hooks
