#include "hooks/go_yaml.h"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <regex>

namespace hookd::hooks {
namespace {

namespace json = boost::json;

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Go's strconv.ParseUint(text, 0, 64) on text without a sign: base prefixes 0x, 0o, 0b, a leading 0
// for octal.
std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'O')) {
    base = 8;
    text.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    const int digit = digit_value(c);
    if (digit >= base) return std::nullopt;
    const auto b = static_cast<std::uint64_t>(base);
    if (value > (std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(digit)) / b)
      return std::nullopt;
    value = value * b + static_cast<std::uint64_t>(digit);
  }
  return value;
}

// Go's strconv.ParseInt(text, 0, 64).
std::optional<std::int64_t> parse_signed(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const auto magnitude = parse_unsigned(text);
  if (!magnitude) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!negative && *magnitude > kMax) return std::nullopt;
  if (negative && *magnitude > kMax + 1) return std::nullopt;
  if (negative)
    return *magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(*magnitude);
  return static_cast<std::int64_t>(*magnitude);
}

std::optional<double> parse_float(const std::string& text) {
  double value = 0;
  const char* begin = text.data();
  if (!text.empty() && text[0] == '+') ++begin;
  const auto [end, error] = std::from_chars(begin, text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) return std::nullopt;
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// go-yaml v2's resolve() for a plain scalar.
json::value resolve_plain(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  static const char* const kTrue[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"};
  static const char* const kFalse[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"};
  for (const char* word : kTrue) {
    if (text == word) return true;
  }
  for (const char* word : kFalse) {
    if (text == word) return false;
  }
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  for (const char* word : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (text == word) return kInfinity;
  }
  for (const char* word : {"-.inf", "-.Inf", "-.INF"}) {
    if (text == word) return -kInfinity;
  }
  for (const char* word : {".nan", ".NaN", ".NAN"}) {
    if (text == word) return std::numeric_limits<double>::quiet_NaN();
  }
  const char first = text[0];
  if (first == '.') {
    if (auto value = parse_float(text)) return *value;
    return json::value(text);
  }
  if (!(first == '+' || first == '-' || (first >= '0' && first <= '9'))) return json::value(text);
  std::string plain;
  for (const char c : text) {
    if (c != '_') plain += c;
  }
  if (auto value = parse_signed(plain)) return *value;
  if (plain[0] != '-' && plain[0] != '+') {
    if (auto value = parse_unsigned(plain)) return *value;
  }
  // go-yaml v2 as Debian builds `webhook` with it: an exponent needs its sign ("1e3" stays text).
  static const std::regex kYamlFloat(R"(^[-+]?[0-9]*\.?[0-9]+([eE][-+][0-9]+)?$)");
  if (std::regex_match(plain, kYamlFloat)) {
    if (auto value = parse_float(plain)) return *value;
  }
  return json::value(text);
}

bool is_plain(const YAML::Node& node) { return node.Tag() == "?" || node.Tag().empty(); }

json::value scalar(const YAML::Node& node) {
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return json::value(node.Scalar());
  if (is_plain(node)) return resolve_plain(node.Scalar());
  return resolve_plain(node.Scalar());  // another explicit tag: resolved as its text reads
}

// ghodss/yaml's key conversion: text stays, numbers and booleans are written out; null cannot be a key.
core::Result<std::string> key_text(const YAML::Node& key) {
  if (!key.IsScalar()) return core::error(core::ErrorCode::validation, "yaml: a map key must be a scalar");
  const json::value value = scalar(key);
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_int64()) return std::to_string(value.as_int64());
  if (value.is_uint64()) return std::to_string(value.as_uint64());
  if (value.is_double()) {
    std::string text = go_float32_text(value.as_double());
    if (text == "+Inf") return std::string(".inf");
    if (text == "-Inf") return std::string("-.inf");
    if (text == "NaN") return std::string(".nan");
    return text;
  }
  if (value.is_bool()) return std::string(value.as_bool() ? "true" : "false");
  return core::error(core::ErrorCode::validation, "Unsupported map key of type: <nil>, key: " + key.Scalar());
}

core::Result<json::value> convert(const YAML::Node& node, int depth) {
  if (depth > 64) return core::error(core::ErrorCode::validation, "yaml: the document nests too deep");
  switch (node.Type()) {
    case YAML::NodeType::Sequence: {
      json::array array;
      for (const auto& item : node) {
        auto value = convert(item, depth + 1);
        if (!value) return value;
        array.push_back(std::move(*value));
      }
      return json::value(std::move(array));
    }
    case YAML::NodeType::Map: {
      json::object object;
      for (const auto& item : node) {
        auto key = key_text(item.first);
        if (!key) return fail(std::move(key).error());
        auto value = convert(item.second, depth + 1);
        if (!value) return value;
        object[*key] = std::move(*value);
      }
      return json::value(std::move(object));
    }
    case YAML::NodeType::Scalar:
      return scalar(node);
    default:
      return json::value(nullptr);
  }
}

}  // namespace

core::Result<json::value> parse_go_yaml(const std::string& text) {
  try {
    return convert(YAML::Load(text), 0);
  } catch (const YAML::Exception& error) {
    return core::error(core::ErrorCode::validation, std::string("yaml: ") + error.what());
  }
}

std::string go_float32_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  const auto single = static_cast<float>(value);
  if (std::isinf(single)) return single > 0 ? "+Inf" : "-Inf";
  // The shortest digits that read back as this float32, and the decimal exponent.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, single, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  const bool negative = scientific[0] == '-';
  const std::string mantissa = scientific.substr(negative ? 1 : 0, scientific.find('e') - (negative ? 1 : 0));
  const int exponent = std::stoi(scientific.substr(scientific.find('e') + 1));
  std::string digits;
  for (const char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 6) {  // %e, as Go's 'g' with the shortest precision decides
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exponent < 0 ? "e-" : "e+";
    const std::string power = std::to_string(std::abs(exponent));
    out += (power.size() < 2 ? "0" : "") + power;
    return out;
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  const auto point = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= point) return out + digits + std::string(point - digits.size(), '0');
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

}  // namespace hookd::hooks
