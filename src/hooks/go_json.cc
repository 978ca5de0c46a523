#include "hooks/go_json.h"

#include <cstdint>

#include "core/encoding.h"

namespace hookd::hooks {
namespace {

constexpr int kMaxDepth = 64;
// Values one document may hold: each costs ~60 bytes parsed, so a hostile body at the hooks' size limit
// cannot take gigabytes (`webhook` has no such bound; real payloads are far below it).
constexpr std::size_t kMaxValues = 1000000;

// The length of the well-formed UTF-8 sequence at text[at] (1 to 4), or 0 when the byte there does not
// start one, as Go's utf8.DecodeRune judges it (no overlong forms, no surrogates, nothing past U+10FFFF).
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  const unsigned first = byte(at);
  if (first < 0x80) return 1;
  const auto continuation = [&](std::size_t i, unsigned low = 0x80, unsigned high = 0xBF) {
    return byte(i) >= low && byte(i) <= high;
  };
  if (first >= 0xC2 && first <= 0xDF) return continuation(at + 1) ? 2 : 0;
  if (first >= 0xE0 && first <= 0xEF) {
    const unsigned low = first == 0xE0 ? 0xA0 : 0x80, high = first == 0xED ? 0x9F : 0xBF;
    return continuation(at + 1, low, high) && continuation(at + 2) ? 3 : 0;
  }
  if (first >= 0xF0 && first <= 0xF4) {
    const unsigned low = first == 0xF0 ? 0x90 : 0x80, high = first == 0xF4 ? 0x8F : 0xBF;
    return continuation(at + 1, low, high) && continuation(at + 2) && continuation(at + 3) ? 4 : 0;
  }
  return 0;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<GoJson> document() {
    auto value = parse(0);
    skip_space();
    if (!value || at_ < text_.size()) return std::nullopt;
    return value;
  }

  // The first value, as a Go json.Decoder reads it: what follows is not looked at.
  std::optional<GoJson> first_value() { return parse(0); }

 private:
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }
  bool take(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  std::optional<GoJson> parse(int depth) {
    if (depth > kMaxDepth || ++values_ > kMaxValues) return std::nullopt;
    skip_space();
    if (at_ >= text_.size()) return std::nullopt;
    const char c = text_[at_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      auto text = parse_string();
      if (!text) return std::nullopt;
      return GoJson{std::move(*text)};
    }
    if (take("true")) return GoJson{true};
    if (take("false")) return GoJson{false};
    if (take("null")) return GoJson{};
    return parse_number();
  }

  std::optional<GoJson> parse_object(int depth) {
    ++at_;
    GoObject object;
    skip_space();
    if (take("}")) return GoJson{std::move(object)};
    while (true) {
      skip_space();
      if (at_ >= text_.size() || text_[at_] != '"') return std::nullopt;
      auto key = parse_string();
      if (!key) return std::nullopt;
      skip_space();
      if (!take(":")) return std::nullopt;
      auto value = parse(depth + 1);
      if (!value) return std::nullopt;
      object[std::move(*key)] = std::move(*value);
      skip_space();
      if (take("}")) return GoJson{std::move(object)};
      if (!take(",")) return std::nullopt;
    }
  }

  std::optional<GoJson> parse_array(int depth) {
    ++at_;
    GoArray array;
    skip_space();
    if (take("]")) return GoJson{std::move(array)};
    while (true) {
      auto value = parse(depth + 1);
      if (!value) return std::nullopt;
      array.push_back(std::move(*value));
      skip_space();
      if (take("]")) return GoJson{std::move(array)};
      if (!take(",")) return std::nullopt;
    }
  }

  std::optional<GoJson> parse_number() {
    const std::size_t start = at_;
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    auto digits = [&] {
      const std::size_t from = at_;
      while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
      return at_ - from;
    };
    if (at_ < text_.size() && text_[at_] == '0') {
      ++at_;
    } else if (digits() == 0) {
      return std::nullopt;
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (digits() == 0) return std::nullopt;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (digits() == 0) return std::nullopt;
    }
    return GoJson{GoNumber{std::string(text_.substr(start, at_ - start))}};
  }

  std::optional<std::uint32_t> hex4() {
    if (at_ + 4 > text_.size()) return std::nullopt;
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[at_++];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return std::nullopt;
      }
    }
    return value;
  }

  std::optional<std::string> parse_string() {
    ++at_;
    std::string out;
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      if (static_cast<unsigned char>(c) >= 0x80) {
        // As Go's decoder: a byte that is not part of well-formed UTF-8 reads as U+FFFD.
        const std::size_t length = utf8_length(text_, at_ - 1);
        if (length == 0) {
          core::append_utf8(out, 0xFFFD);
        } else {
          out.append(text_.substr(at_ - 1, length));
          at_ += length - 1;
        }
        continue;
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= text_.size()) return std::nullopt;
      const char e = text_[at_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          auto code = hex4();
          if (!code) return std::nullopt;
          if (*code >= 0xD800 && *code < 0xDC00 && text_.substr(at_, 2) == "\\u") {
            at_ += 2;
            auto low = hex4();
            if (!low) return std::nullopt;
            if (*low >= 0xDC00 && *low < 0xE000) {
              core::append_utf8(out, 0x10000 + ((*code - 0xD800) << 10) + (*low - 0xDC00));
              break;
            }
            core::append_utf8(out, 0xFFFD);
            code = low;
          }
          core::append_utf8(out, (*code >= 0xD800 && *code < 0xE000) ? 0xFFFD : *code);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t values_ = 0;
};

// Go's encodeState.string with HTML escaping on.
void write_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (const std::size_t length = utf8_length(text, i); length == 0) {
      out += "\\ufffd";  // as Go's encoder writes a byte that is not UTF-8
    } else if (c == 0xE2 && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(text[i + 2]) == 0xA8 || static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out.append(text.substr(i, length));
      i += length - 1;
    }
  }
  out += '"';
}

void write(std::string& out, const GoJson& value) {
  if (value.is_null()) {
    out += "null";
  } else if (const bool* flag = std::get_if<bool>(&value.value)) {
    out += *flag ? "true" : "false";
  } else if (const GoNumber* number = std::get_if<GoNumber>(&value.value)) {
    out += number->text;
  } else if (const std::string* text = value.string()) {
    write_string(out, *text);
  } else if (const GoArray* array = value.array()) {
    out += '[';
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (i > 0) out += ',';
      write(out, (*array)[i]);
    }
    out += ']';
  } else if (const GoObject* object = value.object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : *object) {
      if (!first) out += ',';
      first = false;
      write_string(out, key);
      out += ':';
      write(out, item);
    }
    out += '}';
  }
}

}  // namespace

std::string go_runes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_length(text, i);
    if (length == 0) {
      core::append_utf8(out, 0xFFFD);
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::optional<GoJson> parse_go_json(std::string_view text) { return Parser(text).document(); }

std::optional<GoJson> decode_first_go_json(std::string_view text) { return Parser(text).first_value(); }

std::string to_go_json(const GoJson& value) {
  std::string out;
  write(out, value);
  return out;
}

std::string go_text(const GoJson& value) {
  if (value.is_null()) return "<nil>";  // fmt.Sprintf("%v", nil)
  if (const std::string* text = value.string()) return *text;
  if (const GoNumber* number = std::get_if<GoNumber>(&value.value)) return number->text;
  if (const bool* flag = std::get_if<bool>(&value.value)) return *flag ? "true" : "false";
  return to_go_json(value);
}

}  // namespace hookd::hooks
