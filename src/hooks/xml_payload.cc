#include "hooks/xml_payload.h"

#include <cstdint>
#include <string>
#include <vector>

#include "core/encoding.h"

namespace hookd::hooks {
namespace {

constexpr int kMaxDepth = 256;
// Elements and attributes one document may hold: each costs ~100 bytes parsed, so a hostile body at the
// hooks' size limit cannot take gigabytes (`webhook` has no such bound; real payloads are far below it).
constexpr std::size_t kMaxNodes = 1000000;
constexpr std::string_view kTrimmed = "\t\r\b\n ";

struct Token {
  enum class Kind { start, end, text, done };
  Kind kind = Kind::done;
  std::string name;                                             // as written (start and end tags)
  std::vector<std::pair<std::string, std::string>> attributes;  // local name, value
  std::string text;
};

// The part of a name after its namespace prefix, as Go's decoder reports it.
std::string local_name(const std::string& name) {
  const auto colon = name.find(':');
  if (colon == std::string::npos || colon < 1 || colon > name.size() - 2) return name;
  return name.substr(colon + 1);
}

bool name_byte(unsigned char c, bool first) {
  if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':') return true;
  return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

// A character XML allows in text (XML 1.0 §2.2).
bool allowed(std::uint32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// Reads the tokens of Go's strict decoder: start and end tags, text (entities decoded, CDATA as is,
// "\r\n" as "\n"); comments, processing instructions and declarations are skipped.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  // Counts `n` more nodes; false past kMaxNodes.
  bool count(std::size_t n) {
    nodes_ += n;
    return nodes_ <= kMaxNodes;
  }

  // The next token; false when the input is not well-formed there.
  bool next(Token& token) {
    token = Token{};
    if (pending_end_) {
      pending_end_ = false;
      token.kind = Token::Kind::end;
      token.name = std::move(pending_name_);
      return true;
    }
    while (true) {                         // comments, declarations and instructions are skipped, however many
      if (at_ >= in_.size()) return true;  // done
      if (in_[at_] != '<') return text(token);
      if (starts("<![CDATA[")) return cdata(token);
      if (starts("</")) return end_tag(token);
      bool skipped = false;
      if (starts("<!--")) {
        skipped = comment();
      } else if (starts("<!")) {
        skipped = declaration();
      } else if (starts("<?")) {
        skipped = instruction();
      } else {
        return start_tag(token);
      }
      if (!skipped) return false;
    }
  }

 private:
  bool starts(std::string_view prefix) const { return in_.substr(at_, prefix.size()) == prefix; }
  void skip_space() {
    while (at_ < in_.size() && (in_[at_] == ' ' || in_[at_] == '\t' || in_[at_] == '\n' || in_[at_] == '\r')) ++at_;
  }
  bool name(std::string& out) {
    const std::size_t from = at_;
    while (at_ < in_.size() && name_byte(static_cast<unsigned char>(in_[at_]), at_ == from)) ++at_;
    out.assign(in_.substr(from, at_ - from));
    return !out.empty();
  }

  // Appends `c` of the input to `out`: "\r\n" and a lone "\r" become "\n".
  void append_char(std::string& out) {
    if (in_[at_] == '\r') {
      out.push_back('\n');
      if (at_ + 1 < in_.size() && in_[at_ + 1] == '\n') ++at_;
    } else {
      out.push_back(in_[at_]);
    }
    ++at_;
  }

  // At '&': appends what the reference stands for.
  bool reference(std::string& out) {
    const auto end = in_.find(';', at_);
    if (end == std::string_view::npos || end - at_ > 12) return false;
    const std::string_view ref = in_.substr(at_ + 1, end - at_ - 1);
    at_ = end + 1;
    if (ref == "lt") return out.push_back('<'), true;
    if (ref == "gt") return out.push_back('>'), true;
    if (ref == "amp") return out.push_back('&'), true;
    if (ref == "apos") return out.push_back('\''), true;
    if (ref == "quot") return out.push_back('"'), true;
    if (ref.size() < 2 || ref[0] != '#') return false;  // strict: no other named entity
    const bool hex = ref[1] == 'x';
    const std::string_view digits = ref.substr(hex ? 2 : 1);
    if (digits.empty()) return false;
    std::uint32_t code = 0;
    for (char c : digits) {
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (hex && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0 || code > 0x10FFFF) return false;
      code = code * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
    }
    if (!allowed(code)) return false;
    core::append_utf8(out, code);
    return true;
  }

  bool text(Token& token) {
    token.kind = Token::Kind::text;
    while (at_ < in_.size() && in_[at_] != '<') {
      if (in_[at_] == '&') {
        if (!reference(token.text)) return false;
        continue;
      }
      const auto c = static_cast<unsigned char>(in_[at_]);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      append_char(token.text);
    }
    return core::is_utf8(token.text);
  }

  bool cdata(Token& token) {
    at_ += 9;
    const auto end = in_.find("]]>", at_);
    if (end == std::string_view::npos) return false;
    token.kind = Token::Kind::text;
    while (at_ < end) append_char(token.text);
    at_ = end + 3;
    return core::is_utf8(token.text);
  }

  bool comment() {
    at_ += 4;
    const auto end = in_.find("--", at_);
    if (end == std::string_view::npos || end + 2 >= in_.size() || in_[end + 2] != '>') return false;
    at_ = end + 3;
    return true;
  }

  bool instruction() {
    const auto end = in_.find("?>", at_ + 2);
    if (end == std::string_view::npos) return false;
    at_ = end + 2;
    return true;
  }

  // <!DOCTYPE …> and the like, with nested <…> and quoted strings.
  bool declaration() {
    at_ += 2;
    int depth = 1;
    char quote = 0;
    while (at_ < in_.size()) {
      const char c = in_[at_++];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '<') {
        ++depth;
      } else if (c == '>' && --depth == 0) {
        return true;
      }
    }
    return false;
  }

  bool end_tag(Token& token) {
    at_ += 2;
    token.kind = Token::Kind::end;
    if (!name(token.name)) return false;
    skip_space();
    if (at_ >= in_.size() || in_[at_] != '>') return false;
    ++at_;
    return true;
  }

  bool start_tag(Token& token) {
    ++at_;
    token.kind = Token::Kind::start;
    if (!name(token.name)) return false;
    while (true) {
      const std::size_t before = at_;
      skip_space();
      if (at_ >= in_.size()) return false;
      if (in_[at_] == '>') {
        ++at_;
        return true;
      }
      if (in_[at_] == '/') {
        if (at_ + 1 >= in_.size() || in_[at_ + 1] != '>') return false;
        at_ += 2;
        pending_end_ = true;
        pending_name_ = token.name;
        return true;
      }
      if (at_ == before) return false;  // attributes are separated by space
      std::string attribute;
      if (!name(attribute)) return false;
      skip_space();
      if (at_ >= in_.size() || in_[at_] != '=') return false;
      ++at_;
      skip_space();
      if (at_ >= in_.size() || (in_[at_] != '"' && in_[at_] != '\'')) return false;
      const char quote = in_[at_++];
      std::string value;
      while (at_ < in_.size() && in_[at_] != quote) {
        if (in_[at_] == '<') return false;
        if (in_[at_] == '&') {
          if (!reference(value)) return false;
          continue;
        }
        append_char(value);
      }
      if (at_ >= in_.size() || !core::is_utf8(value)) return false;
      ++at_;
      token.attributes.emplace_back(local_name(attribute), std::move(value));
    }
  }

  std::string_view in_;
  std::size_t nodes_ = 0;
  std::size_t at_ = 0;
  bool pending_end_ = false;  // the start tag just read closed itself
  std::string pending_name_;
};

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(kTrimmed);
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(kTrimmed) - first + 1);
}

// Adds a child's value under `key`: a second one with the same key makes a list.
void add_member(GoObject& members, const std::string& key, GoJson value) {
  auto it = members.find(key);
  if (it == members.end()) {
    members.emplace(key, std::move(value));
  } else if (auto* list = std::get_if<GoArray>(&it->second.value)) {
    list->push_back(std::move(value));
  } else {
    GoArray pair;
    pair.push_back(std::move(it->second));
    pair.push_back(std::move(value));
    it->second = GoJson{std::move(pair)};
  }
}

// The value of the element whose start tag is `start`, read up to its end tag.
bool element(Reader& reader, const Token& start, int depth, GoJson& value) {
  if (!reader.count(1 + start.attributes.size())) return false;
  GoObject members;
  for (const auto& [local, text] : start.attributes) members["-" + local] = GoJson{text};
  std::optional<std::string> simple;  // text that came while the element had no attribute or child
  Token token;
  while (reader.next(token)) {
    switch (token.kind) {
      case Token::Kind::start: {
        if (depth >= kMaxDepth) return false;
        GoJson child;
        if (!element(reader, token, depth + 1, child)) return false;
        add_member(members, local_name(token.name), std::move(child));
        break;
      }
      case Token::Kind::end:
        if (token.name != start.name) return false;
        if (simple) {
          value = GoJson{std::move(*simple)};
        } else if (members.empty()) {
          value = GoJson{std::string()};
        } else {
          value = GoJson{std::move(members)};
        }
        return true;
      case Token::Kind::text: {
        std::string text = trimmed(token.text);
        if (text.empty()) break;
        if (!members.empty()) {
          members["#text"] = GoJson{std::move(text)};
        } else {
          simple = std::move(text);
        }
        break;
      }
      case Token::Kind::done:
        return false;
    }
  }
  return false;
}

}  // namespace

std::optional<GoJson> parse_xml_payload(std::string_view body) {
  Reader reader(body);
  Token token;
  while (reader.next(token)) {
    if (token.kind == Token::Kind::text) continue;  // stray text before the root is skipped
    if (token.kind != Token::Kind::start) return std::nullopt;
    GoJson value;
    if (!element(reader, token, 1, value)) return std::nullopt;
    GoObject root;
    root.emplace(local_name(token.name), std::move(value));
    return GoJson{std::move(root)};
  }
  return std::nullopt;
}

}  // namespace hookd::hooks
