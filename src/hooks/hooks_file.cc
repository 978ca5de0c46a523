#include "hooks/hooks_file.h"

#include "hooks/rules.h"

#include "hooks/hooks_template.h"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace hookd::hooks {
namespace {

namespace json = boost::json;

hookd::Failure<core::Error> bad(const std::string& message) {
  return core::error(core::ErrorCode::validation, message);
}

// YAML to the JSON value it denotes: scalars that read as booleans, integers or numbers become those.
json::value from_yaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: {
      json::array array;
      for (const auto& item : node) array.push_back(from_yaml(item));
      return array;
    }
    case YAML::NodeType::Map: {
      json::object object;
      for (const auto& item : node) object[item.first.as<std::string>()] = from_yaml(item.second);
      return object;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return json::value(text);  // quoted
      if (text == "true" || text == "True" || text == "TRUE") return true;
      if (text == "false" || text == "False" || text == "FALSE") return false;
      if (text == "null" || text == "~") return nullptr;
      std::int64_t integer = 0;
      std::istringstream in(text);
      if (in >> integer && in.eof()) return integer;
      return json::value(text);
    }
    default:
      return nullptr;
  }
}

std::string text(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value && value->is_string()) return std::string(value->as_string());
  if (value && value->is_int64()) return std::to_string(value->as_int64());
  return "";
}

bool flag(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value) return false;
  if (value->is_bool()) return value->as_bool();
  if (value->is_string()) return value->as_string() == "true";
  return false;
}

int integer(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value && value->is_int64() && value->as_int64() >= 0 && value->as_int64() <= 1000000) {
    return static_cast<int>(value->as_int64());
  }
  return 0;
}

core::Result<Argument> argument(const json::value& value, const std::string& where) {
  if (!value.is_object()) return bad(where + ": an argument is an object with source and name");
  const auto& object = value.as_object();
  Argument out{text(object, "source"), text(object, "name"), text(object, "envname"), flag(object, "base64decode")};
  return out;
}

core::Result<std::vector<Argument>> arguments(const json::object& hook, std::string_view key,
                                              const std::string& where) {
  std::vector<Argument> out;
  const auto* list = hook.if_contains(key);
  if (!list || list->is_null()) return out;
  if (!list->is_array()) return bad(where + ": " + std::string(key) + " must be a list");
  for (const auto& item : list->as_array()) {
    auto parsed = argument(item, where);
    if (!parsed) return fail(std::move(parsed).error());
    out.push_back(std::move(*parsed));
  }
  return out;
}

core::Result<Rule> rule(const json::value& value, const std::string& where, int depth) {
  if (depth > 32) return bad(where + ": trigger rules nest too deep");
  if (!value.is_object() || value.as_object().size() != 1) {
    return bad(where + ": a trigger rule is one of {\"and\": […]}, {\"or\": […]}, {\"not\": {…}}, {\"match\": {…}}");
  }
  const auto& [key, inner] = *value.as_object().begin();
  Rule out;
  if (key == "and" || key == "or") {
    out.kind = key == "and" ? Rule::Kind::all : Rule::Kind::any;
    if (!inner.is_array()) return bad(where + ": \"" + std::string(key) + "\" takes a list of rules");
    for (const auto& item : inner.as_array()) {
      auto child = rule(item, where, depth + 1);
      if (!child) return child;
      out.rules.push_back(std::move(*child));
    }
    return out;
  }
  if (key == "not") {
    out.kind = Rule::Kind::negate;
    auto child = rule(inner, where, depth + 1);
    if (!child) return child;
    out.rules.push_back(std::move(*child));
    return out;
  }
  if (key != "match" || !inner.is_object()) return bad(where + ": unknown trigger rule \"" + std::string(key) + "\"");
  const auto& match = inner.as_object();
  out.kind = Rule::Kind::match;
  out.type = text(match, "type");
  out.value = text(match, "value");
  out.regex = text(match, "regex");
  if (out.type == "regex") compile_regex(out);
  out.secret = text(match, "secret");
  out.ip_range = text(match, "ip-range");
  if (const auto* parameter = match.if_contains("parameter")) {
    auto parsed = argument(*parameter, where);
    if (!parsed) return fail(std::move(parsed).error());
    out.parameter = std::move(*parsed);
  }
  return out;
}

core::Result<Hook> hook(const json::value& value, std::size_t index) {
  if (!value.is_object()) return bad("hook " + std::to_string(index) + " is not an object");
  const auto& object = value.as_object();
  Hook out;
  out.id = text(object, "id");
  if (out.id.empty()) return bad("hook " + std::to_string(index) + " has no id");
  const std::string where = "hook " + out.id;
  out.execute_command = text(object, "execute-command");
  out.command_working_directory = text(object, "command-working-directory");
  out.response_message = text(object, "response-message");
  if (const auto* headers = object.if_contains("response-headers"); headers && headers->is_array()) {
    for (const auto& item : headers->as_array()) {
      if (item.is_object())
        out.response_headers.push_back({text(item.as_object(), "name"), text(item.as_object(), "value")});
    }
  }
  out.include_command_output_in_response = flag(object, "include-command-output-in-response");
  out.include_command_output_in_response_on_error = flag(object, "include-command-output-in-response-on-error");
  for (auto [key, target] : {std::pair{"pass-arguments-to-command", &out.pass_arguments_to_command},
                             std::pair{"pass-environment-to-command", &out.pass_environment_to_command},
                             std::pair{"pass-file-to-command", &out.pass_file_to_command},
                             std::pair{"parse-parameters-as-json", &out.parse_parameters_as_json}}) {
    auto parsed = arguments(object, key, where);
    if (!parsed) return fail(std::move(parsed).error());
    *target = std::move(*parsed);
  }
  if (const auto* trigger = object.if_contains("trigger-rule"); trigger && !trigger->is_null()) {
    auto parsed = rule(*trigger, where, 0);
    if (!parsed) return fail(std::move(parsed).error());
    out.trigger_rule = std::move(*parsed);
  }
  out.trigger_rule_mismatch_http_response_code = integer(object, "trigger-rule-mismatch-http-response-code");
  out.trigger_signature_soft_failures = flag(object, "trigger-signature-soft-failures");
  out.incoming_payload_content_type = text(object, "incoming-payload-content-type");
  out.success_http_response_code = integer(object, "success-http-response-code");
  if (const auto* methods = object.if_contains("http-methods"); methods && methods->is_array()) {
    for (const auto& item : methods->as_array()) {
      if (item.is_string()) out.http_methods.emplace_back(item.as_string());
    }
  }
  out.max_concurrency = integer(object, "hookd-max-concurrency");
  if (object.contains("hookd-max-queue")) out.max_queue = integer(object, "hookd-max-queue");
  if (const int seconds = integer(object, "hookd-command-timeout"); seconds > 0) {
    out.command_timeout = std::chrono::seconds(seconds);
  }
  out.exit_code_as_status = flag(object, "hookd-exit-code-as-status");
  out.payload_on_stdin = flag(object, "hookd-payload-on-stdin");
  return out;
}

}  // namespace

core::Result<std::vector<Hook>> parse_hooks(const std::string& text, bool yaml) {
  json::value document;
  if (yaml) {
    try {
      document = from_yaml(YAML::Load(text));
    } catch (const YAML::Exception& error) {
      return bad(std::string("not valid YAML: ") + error.what());
    }
  } else {
    json::parse_options options;
    options.max_depth = 64;
    boost::system::error_code error;
    document = json::parse(text, error, {}, options);
    if (error) return bad("not valid JSON: " + error.message());
  }
  if (!document.is_array()) return bad("a hooks file is a list of hooks");
  std::vector<Hook> hooks;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < document.as_array().size(); ++i) {
    auto parsed = hook(document.as_array()[i], i);
    if (!parsed) return fail(std::move(parsed).error());
    if (!ids.insert(parsed->id).second) return bad("hook " + parsed->id + " is defined twice");
    hooks.push_back(std::move(*parsed));
  }
  return hooks;
}

core::Result<std::vector<Hook>> load_hooks_file(const std::string& path, bool as_template) {
  std::ifstream in(path);
  if (!in) return core::error(core::ErrorCode::not_found, "cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (as_template) {
    auto expanded = expand_hooks_template(text);
    if (!expanded) return core::error(expanded.error().code, path + ": " + expanded.error().detail);
    text = std::move(*expanded);
  }
  const bool yaml = path.ends_with(".yaml") || path.ends_with(".yml");
  auto hooks = parse_hooks(text, yaml);
  if (!hooks) return core::error(hooks.error().code, path + ": " + hooks.error().detail);
  return hooks;
}

}  // namespace hookd::hooks
