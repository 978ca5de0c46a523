#include "hooks/hooks_file.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

#include "hooks/go_yaml.h"
#include "hooks/hooks_template.h"
#include "hooks/rules.h"

namespace hookd::hooks {
namespace {

namespace json = boost::json;

hookd::Failure<core::Error> bad(const std::string& message) {
  return core::error(core::ErrorCode::validation, message);
}

// Decodes the JSON that ghodss/yaml makes of a hooks file into hooks, as Go's encoding/json fills
// `webhook`'s structs: keys match fields case-insensitively (of two keys for one field, the later in
// sorted order wins), unknown keys are ignored, null leaves a field as it is, and where a field holds text,
// a number or a boolean is written as text (ghodss/yaml's coercion). A value of another type (a list where
// text is expected, text where a boolean is) is an error; as with Go's decoder, the first one is reported.
class Decoder {
 public:
  std::optional<std::string> error;

  // The value of `field` in `object`, as encoding/json fills it: keys in sorted order, each matching one
  // replacing the last, except null, which leaves a field as it is. Null when absent.
  static const json::value* field(const json::object& object, std::string_view name) {
    const json::value* found = nullptr;
    std::vector<std::string_view> keys;
    for (const auto& item : object) keys.push_back(item.key());
    std::sort(keys.begin(), keys.end());
    for (const std::string_view key : keys) {
      if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          })) {
        if (const auto* value = object.if_contains(key); !value->is_null()) found = value;
      }
    }
    return found;
  }

  void text(const json::object& object, std::string_view name, std::string& out, std::string_view where) {
    if (const auto* value = field(object, name)) out = text_of(*value, std::string(where) + "." + std::string(name));
  }
  std::string text_of(const json::value& value, const std::string& where) {
    if (value.is_string()) return std::string(value.as_string());
    if (value.is_int64()) return std::to_string(value.as_int64());
    if (value.is_uint64()) return std::to_string(value.as_uint64());
    if (value.is_double()) return go_float32_text(value.as_double());
    if (value.is_bool()) return value.as_bool() ? "true" : "false";
    if (!value.is_null()) mismatch(value, where, "string");
    return "";
  }
  void flag(const json::object& object, std::string_view name, bool& out, std::string_view where) {
    const auto* value = field(object, name);
    if (!value) return;
    if (value->is_bool()) {
      out = value->as_bool();
    } else {
      mismatch(*value, std::string(where) + "." + std::string(name), "bool");
    }
  }
  // A Go int: a whole number below 1e21 (Go writes larger floats with an exponent, which an int refuses).
  void integer(const json::object& object, std::string_view name, int& out, std::string_view where) {
    const auto* value = field(object, name);
    if (!value) return;
    std::optional<double> number;
    if (value->is_int64()) number = static_cast<double>(value->as_int64());
    if (value->is_uint64()) number = static_cast<double>(value->as_uint64());
    if (value->is_double() && std::isfinite(value->as_double()) && std::abs(value->as_double()) < 1e21 &&
        std::trunc(value->as_double()) == value->as_double()) {
      number = value->as_double();
    }
    if (!number || std::abs(*number) > 9.2e18)
      return mismatch(*value, std::string(where) + "." + std::string(name), "int");
    // Out of int's range here: kept as 0, which answers as an unknown code does (200).
    out = std::abs(*number) <= 2147483647.0 ? static_cast<int>(*number) : 0;
  }
  const json::array* list(const json::object& object, std::string_view name, std::string_view where) {
    const auto* value = field(object, name);
    if (!value) return nullptr;
    if (!value->is_array()) {
      mismatch(*value, std::string(where) + "." + std::string(name), "slice");
      return nullptr;
    }
    return &value->as_array();
  }
  const json::object* object_of(const json::value& value, const std::string& where, const char* type) {
    if (value.is_object()) return &value.as_object();
    if (!value.is_null()) mismatch(value, where, type);
    return nullptr;
  }

  Argument argument(const json::value& value, const std::string& where) {
    Argument out;
    if (const auto* object = object_of(value, where, "hook.Argument")) {
      text(*object, "source", out.source, "Argument");
      text(*object, "name", out.name, "Argument");
      text(*object, "envname", out.envname, "Argument");
      flag(*object, "base64decode", out.base64decode, "Argument");
    }
    return out;
  }

  std::vector<Argument> arguments(const json::object& hook, std::string_view key) {
    std::vector<Argument> out;
    if (const auto* items = list(hook, key, "Hook")) {
      for (const auto& item : *items) out.push_back(argument(item, "Hook." + std::string(key)));
    }
    return out;
  }

  // `webhook`'s Rules: and, or, not and match may all be given; the first of them in that order that is
  // not null is the rule. None: a rule never satisfied.
  static Rule of_kind(Rule::Kind kind) {
    Rule rule;
    rule.kind = kind;
    return rule;
  }

  Rule rule(const json::object& object, int depth) {
    Rule out;
    out.kind = Rule::Kind::none;
    if (depth > 32) {
      fail_with("trigger rules nest more than 32 deep");
      return out;
    }
    std::optional<Rule> all, any, negate, match;
    for (auto [name, target, kind] :
         {std::tuple{"and", &all, Rule::Kind::all}, std::tuple{"or", &any, Rule::Kind::any}}) {
      if (const auto* items = list(object, name, "Rules")) {
        Rule group;
        group.kind = kind;
        for (const auto& item : *items) {
          if (const auto* child = object_of(item, std::string("Rules.") + name, "hook.Rules")) {
            group.rules.push_back(rule(*child, depth + 1));
          } else {
            group.rules.push_back(of_kind(Rule::Kind::none));  // null in the list: an empty rule
          }
        }
        *target = std::move(group);
      }
    }
    if (const auto* value = field(object, "not")) {
      if (const auto* child = object_of(*value, "Rules.not", "hook.NotRule")) {
        negate = of_kind(Rule::Kind::negate);
        negate->rules.push_back(rule(*child, depth + 1));
      }
    }
    if (const auto* value = field(object, "match")) {
      if (const auto* fields = object_of(*value, "Rules.match", "hook.MatchRule")) {
        match = of_kind(Rule::Kind::match);
        text(*fields, "type", match->type, "MatchRule");
        text(*fields, "regex", match->regex, "MatchRule");
        text(*fields, "secret", match->secret, "MatchRule");
        text(*fields, "value", match->value, "MatchRule");
        text(*fields, "ip-range", match->ip_range, "MatchRule");
        if (const auto* parameter = field(*fields, "parameter")) {
          match->parameter = argument(*parameter, "MatchRule.parameter");
        }
        if (match->type == "regex") compile_regex(*match);
      }
    }
    for (auto* chosen : {&all, &any, &negate, &match}) {
      if (*chosen) return std::move(**chosen);
    }
    return out;
  }

  Hook hook(const json::value& value) {
    Hook out;
    const auto* object = object_of(value, "Hooks", "hook.Hook");
    if (!object) return out;
    text(*object, "id", out.id, "Hook");
    text(*object, "execute-command", out.execute_command, "Hook");
    text(*object, "command-working-directory", out.command_working_directory, "Hook");
    text(*object, "response-message", out.response_message, "Hook");
    if (const auto* headers = list(*object, "response-headers", "Hook")) {
      for (const auto& item : *headers) {
        Header header;
        if (const auto* fields = object_of(item, "Hook.response-headers", "hook.Header")) {
          text(*fields, "name", header.name, "Header");
          text(*fields, "value", header.value, "Header");
        }
        out.response_headers.push_back(std::move(header));
      }
    }
    flag(*object, "include-command-output-in-response", out.include_command_output_in_response, "Hook");
    flag(*object, "include-command-output-in-response-on-error", out.include_command_output_in_response_on_error,
         "Hook");
    out.pass_arguments_to_command = arguments(*object, "pass-arguments-to-command");
    out.pass_environment_to_command = arguments(*object, "pass-environment-to-command");
    out.pass_file_to_command = arguments(*object, "pass-file-to-command");
    out.parse_parameters_as_json = arguments(*object, "parse-parameters-as-json");
    if (const auto* trigger = field(*object, "trigger-rule")) {
      if (const auto* rules = object_of(*trigger, "Hook.trigger-rule", "hook.Rules"))
        out.trigger_rule = rule(*rules, 0);
    }
    integer(*object, "trigger-rule-mismatch-http-response-code", out.trigger_rule_mismatch_http_response_code, "Hook");
    flag(*object, "trigger-signature-soft-failures", out.trigger_signature_soft_failures, "Hook");
    text(*object, "incoming-payload-content-type", out.incoming_payload_content_type, "Hook");
    integer(*object, "success-http-response-code", out.success_http_response_code, "Hook");
    if (const auto* methods = list(*object, "http-methods", "Hook")) {
      for (const auto& item : *methods) out.http_methods.push_back(text_of(item, "Hook.http-methods"));
    }
    // hookd's extensions, which `webhook` ignores.
    integer(*object, "hookd-max-concurrency", out.max_concurrency, "Hook");
    integer(*object, "hookd-max-queue", out.max_queue, "Hook");
    out.max_concurrency = std::clamp(out.max_concurrency, 0, 1000000);
    out.max_queue = std::clamp(out.max_queue, 0, 1000000);
    int timeout = 0;
    integer(*object, "hookd-command-timeout", timeout, "Hook");
    if (timeout > 0) out.command_timeout = std::chrono::seconds(timeout);
    flag(*object, "hookd-exit-code-as-status", out.exit_code_as_status, "Hook");
    flag(*object, "hookd-payload-on-stdin", out.payload_on_stdin, "Hook");
    return out;
  }

 private:
  static const char* kind(const json::value& value) {
    if (value.is_string()) return "string";
    if (value.is_bool()) return "bool";
    if (value.is_array()) return "array";
    if (value.is_object()) return "object";
    return "number";
  }
  void mismatch(const json::value& value, const std::string& where, const char* type) {
    fail_with("json: cannot unmarshal " + std::string(kind(value)) + " into Go struct field " + where + " of type " +
              type);
  }
  void fail_with(std::string message) {
    if (!error) error = std::move(message);
  }
};

}  // namespace

core::Result<std::vector<Hook>> parse_hooks(const std::string& text) {
  auto document = parse_go_yaml(text);
  if (!document) return fail(std::move(document).error());
  std::vector<Hook> hooks;
  if (document->is_null()) return hooks;
  if (!document->is_array()) {
    return bad(std::string("json: cannot unmarshal ") + (document->is_object() ? "object" : "scalar") +
               " into Go value of type hook.Hooks");
  }
  Decoder decoder;
  for (const auto& item : document->as_array()) hooks.push_back(decoder.hook(item));
  if (decoder.error) return bad(*decoder.error);
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
  auto hooks = parse_hooks(text);
  if (!hooks) return core::error(hooks.error().code, path + ": " + hooks.error().detail);
  return hooks;
}

}  // namespace hookd::hooks
