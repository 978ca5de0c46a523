#include "api/raw_json.h"

#include "core/encoding.h"

namespace hookd::api {
namespace {

// A forward scanner over text already known to be valid JSON.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void advance() { ++at_; }
  std::size_t position() const { return at_; }

  // Reads a string starting at its opening quote; returns its decoded UTF-8 value.
  std::string read_string() {
    std::string out;
    ++at_;  // the opening quote
    while (at_ < text_.size() && text_[at_] != '"') {
      char c = text_[at_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      const char escape = text_[at_++];
      switch (escape) {
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
        case 'u':
          core::append_utf8(out, read_code_point());
          break;
        default:
          out += escape;
          break;  // \" \\ \/
      }
    }
    ++at_;  // the closing quote
    return out;
  }

  void skip_value() {
    const char c = peek();
    if (c == '"') {
      skip_string();
    } else if (c == '{' || c == '[') {
      int depth = 0;
      do {
        const char d = peek();
        if (d == '"') {
          skip_string();
          continue;
        }
        if (d == '{' || d == '[') ++depth;
        if (d == '}' || d == ']') --depth;
        ++at_;
      } while (depth > 0 && at_ < text_.size());
    } else {
      while (at_ < text_.size() && std::string_view(",}] \t\r\n").find(text_[at_]) == std::string_view::npos) ++at_;
    }
  }

 private:
  void skip_string() {
    ++at_;
    while (at_ < text_.size() && text_[at_] != '"') at_ += text_[at_] == '\\' ? 2u : 1u;
    ++at_;
  }

  unsigned read_hex4() {
    unsigned value = 0;
    for (int i = 0; i < 4 && at_ < text_.size(); ++i) {
      const char h = text_[at_++];
      value = value * 16 + static_cast<unsigned>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return value;
  }

  unsigned read_code_point() {
    unsigned code = read_hex4();
    if (code >= 0xD800 && code <= 0xDBFF && text_.substr(at_, 2) == "\\u") {  // a surrogate pair
      at_ += 2;
      const unsigned low = read_hex4();
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    return code;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<std::string_view> raw_member(std::string_view object_text, std::string_view key) {
  Scanner scanner(object_text);
  scanner.skip_space();
  if (scanner.peek() != '{') return std::nullopt;
  scanner.advance();
  std::optional<std::string_view> found;
  while (true) {
    scanner.skip_space();
    if (scanner.peek() != '"') break;  // '}' (or the end)
    const std::string name = scanner.read_string();
    scanner.skip_space();
    scanner.advance();  // ':'
    scanner.skip_space();
    const std::size_t start = scanner.position();
    scanner.skip_value();
    if (name == key) found = object_text.substr(start, scanner.position() - start);
    scanner.skip_space();
    if (scanner.peek() != ',') break;
    scanner.advance();
  }
  return found;
}

std::string with_raw_member(std::string serialized_object, std::string_view key, std::string_view raw) {
  // serialized_object is "{}" or "{…}": insert before the closing brace.
  serialized_object.pop_back();
  if (serialized_object.size() > 1) serialized_object += ',';
  serialized_object += '"';
  serialized_object += key;
  serialized_object += "\":";
  serialized_object += raw;
  serialized_object += '}';
  return serialized_object;
}

}  // namespace hookd::api
