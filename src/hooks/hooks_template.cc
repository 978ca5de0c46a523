#include "hooks/hooks_template.h"

#include <charconv>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace hookd::hooks {
namespace {

hookd::Failure<core::Error> bad(const std::string& message) {
  return core::error(core::ErrorCode::validation, "template: " + message);
}

constexpr int kMaxNesting = 100;  // parentheses, and if/with inside one another

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Whether an action (its text after "{{") begins with the trim marker "- ": it trims the spaces before it.
bool trims_before(std::string_view action) { return action.size() >= 2 && action[0] == '-' && is_space(action[1]); }

// A value of a template: nil, a bool, an integer or a string (what literals and getenv give).
struct Value {
  std::variant<std::monostate, bool, std::int64_t, std::string> v;

  bool is_string() const { return std::holds_alternative<std::string>(v); }
  // Go's truth: false, 0, nil and "" are false.
  bool truth() const {
    if (auto* b = std::get_if<bool>(&v)) return *b;
    if (auto* i = std::get_if<std::int64_t>(&v)) return *i != 0;
    if (auto* s = std::get_if<std::string>(&v)) return !s->empty();
    return false;
  }
  // As fmt prints it (%v); nil as text/template prints a missing value.
  std::string text() const {
    if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    return "<no value>";
  }
};

// Go's template.JSEscapeString.
std::string js_escape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char signed_c : text) {
    const auto c = static_cast<unsigned char>(signed_c);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

// Go's template.HTMLEscapeString.
std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Go's url.QueryEscape.
std::string query_escape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char signed_c : text) {
    const auto c = static_cast<unsigned char>(signed_c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

// Go's strconv.Quote for ASCII and UTF-8 text (%q).
std::string go_quote(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char signed_c : text) {
    const auto c = static_cast<unsigned char>(signed_c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// fmt.Sprint: operands side by side, with a space between two that are not strings.
std::string sprint(const std::vector<Value>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0 && !values[i].is_string() && !values[i - 1].is_string()) out += ' ';
    out += values[i].text();
  }
  return out;
}

// fmt.Sprintf for the verbs hooks files use: %s %v %d %t %q and %%.
core::Result<std::string> sprintf(const std::string& format, const std::vector<Value>& values) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) return out + "%!(NOVERB)";
    const char verb = format[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next >= values.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    const Value& value = values[next++];
    if (verb == 's' || verb == 'v' || verb == 'd' || verb == 't') {
      out += value.text();
    } else if (verb == 'q') {
      out += go_quote(value.text());
    } else {
      return bad(std::string("printf verb %") + verb + " is not supported");
    }
  }
  for (; next < values.size(); ++next) out += "%!(EXTRA " + values[next].text() + ")";
  return out;
}

// Compares two values as eq/lt do: both integers or both strings (or, for eq, both bools).
core::Result<int> compare(const Value& a, const Value& b) {
  if (auto* x = std::get_if<std::int64_t>(&a.v)) {
    if (auto* y = std::get_if<std::int64_t>(&b.v)) return *x < *y ? -1 : *x > *y ? 1 : 0;
  }
  if (auto* x = std::get_if<std::string>(&a.v)) {
    if (auto* y = std::get_if<std::string>(&b.v)) return x->compare(*y) < 0 ? -1 : x->compare(*y) > 0 ? 1 : 0;
  }
  if (auto* x = std::get_if<bool>(&a.v)) {
    if (auto* y = std::get_if<bool>(&b.v)) return *x == *y ? 0 : 2;  // 2: unordered
  }
  return bad("incompatible types for comparison");
}

// --- Pipelines -----------------------------------------------------------------------------------

struct Pipeline;

// One operand of a command.
struct Operand {
  enum class Kind { literal, variable, dot, function, pipeline };
  Kind kind = Kind::literal;
  Value literal;
  std::string name;                    // variable ("$x") or function
  std::shared_ptr<Pipeline> pipeline;  // (…)
};

struct Pipeline {
  std::string declares;  // "$x" of "$x := …" or "$x = …"
  bool assign = false;   // "=" rather than ":="
  std::vector<std::vector<Operand>> commands;
};

class ExpressionParser {
 public:
  explicit ExpressionParser(std::string_view text) : text_(text) {}

  core::Result<Pipeline> pipeline(bool inside_parentheses = false) {
    Pipeline out;
    skip_space();
    // A declaration: "$name :=" or "$name =".
    if (at_ < text_.size() && text_[at_] == '$') {
      const std::size_t mark = at_;
      const std::string name = identifier_at(at_ + 1, true);
      std::size_t after = at_ + 1 + name.size();
      while (after < text_.size() && is_space(text_[after])) ++after;
      if (text_.substr(after, 2) == ":=" ||
          (after < text_.size() && text_[after] == '=' && (after + 1 >= text_.size() || text_[after + 1] != '='))) {
        out.declares = "$" + name;
        out.assign = text_[after] == '=';
        at_ = after + (out.assign ? 1 : 2);
      } else {
        at_ = mark;
      }
    }
    while (true) {
      std::vector<Operand> command;
      while (true) {
        skip_space();
        if (at_ >= text_.size() || text_[at_] == '|' || text_[at_] == ')') break;
        auto operand = this->operand();
        if (!operand) return fail(std::move(operand).error());
        command.push_back(std::move(*operand));
      }
      if (command.empty()) return bad("missing value in {{" + std::string(text_) + "}}");
      out.commands.push_back(std::move(command));
      if (at_ < text_.size() && text_[at_] == '|') {
        ++at_;
        continue;
      }
      break;
    }
    if (at_ < text_.size() && text_[at_] == ')' && !inside_parentheses) {
      return bad("unexpected ) in {{" + std::string(text_) + "}}");
    }
    return out;
  }

  bool done() {
    skip_space();
    return at_ >= text_.size();
  }

 private:
  void skip_space() {
    while (at_ < text_.size() && is_space(text_[at_])) ++at_;
  }
  std::string identifier_at(std::size_t from, bool variable) const {
    std::size_t end = from;
    while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_' ||
                                  (!variable && text_[end] == '.'))) {
      ++end;
    }
    return std::string(text_.substr(from, end - from));
  }

  core::Result<Operand> operand() {
    Operand out;
    const char c = text_[at_];
    if (c == '"' || c == '`') return string_literal();
    if (c == '(') {
      if (++depth_ > kMaxNesting) return bad("parentheses nest too deep");
      ++at_;
      auto inner = pipeline(true);
      --depth_;
      if (!inner) return fail(std::move(inner).error());
      skip_space();
      if (at_ >= text_.size() || text_[at_] != ')') return bad("unclosed ( in {{" + std::string(text_) + "}}");
      ++at_;
      out.kind = Operand::Kind::pipeline;
      out.pipeline = std::make_shared<Pipeline>(std::move(*inner));
      return out;
    }
    if (c == '$') {
      out.kind = Operand::Kind::variable;
      out.name = "$" + identifier_at(at_ + 1, true);
      at_ += out.name.size();
      return out;
    }
    if (c == '.' && (at_ + 1 >= text_.size() || !std::isalpha(static_cast<unsigned char>(text_[at_ + 1])))) {
      ++at_;
      out.kind = Operand::Kind::dot;
      return out;
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      std::int64_t number = 0;
      const auto [end, error] = std::from_chars(text_.data() + at_, text_.data() + text_.size(), number);
      if (error != std::errc() ||
          (end < text_.data() + text_.size() && !is_space(*end) && *end != ')' && *end != '|')) {
        return bad("only integer numbers are supported, in {{" + std::string(text_) + "}}");
      }
      at_ = static_cast<std::size_t>(end - text_.data());
      out.literal = Value{number};
      return out;
    }
    const std::string word = identifier_at(at_, false);
    if (word.empty()) return bad("unexpected \"" + std::string(1, c) + "\" in {{" + std::string(text_) + "}}");
    at_ += word.size();
    if (word == "true" || word == "false") {
      out.literal = Value{word == "true"};
    } else if (word == "nil") {
      out.literal = Value{};
    } else if (word.find('.') != std::string::npos) {
      return bad("fields (" + word + ") have no data to read: webhook executes the file with none");
    } else {
      out.kind = Operand::Kind::function;
      out.name = word;
    }
    return out;
  }

  core::Result<Operand> string_literal() {
    const char quote = text_[at_++];
    std::string value;
    while (at_ < text_.size() && text_[at_] != quote) {
      char c = text_[at_++];
      if (quote == '"' && c == '\\' && at_ < text_.size()) {
        const char e = text_[at_++];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      }
      value += c;
    }
    if (at_ >= text_.size()) return bad("unterminated string in {{" + std::string(text_) + "}}");
    ++at_;
    Operand out;
    out.literal = Value{std::move(value)};
    return out;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  int depth_ = 0;
};

// --- Templates -----------------------------------------------------------------------------------

struct Node {
  enum class Kind { text, action, branch };  // branch: if or with
  Kind kind = Kind::text;
  std::string text;
  Pipeline pipeline;
  bool with = false;  // a branch that sets dot to its value
  std::vector<Node> then, otherwise;
};

// A {{…}} action with its trim markers removed.
struct Action {
  std::string body;
  std::size_t end = 0;  // after the closing braces
};

class TemplateParser {
 public:
  explicit TemplateParser(const std::string& text) : text_(text) {}

  // Parses until {{end}} or {{else…}} when nested, or the end of the text. `stop` says which.
  core::Result<std::vector<Node>> list(std::string* stop) {
    std::vector<Node> nodes;
    while (at_ < text_.size()) {
      const auto open = text_.find("{{", at_);
      std::string literal = text_.substr(at_, open == std::string::npos ? std::string::npos : open - at_);
      if (open != std::string::npos && trims_before(std::string_view(text_).substr(open + 2, 2))) {
        while (!literal.empty() && is_space(literal.back())) literal.pop_back();
      }
      if (!literal.empty()) nodes.push_back(Node{Node::Kind::text, std::move(literal), {}, false, {}, {}});
      if (open == std::string::npos) {
        at_ = text_.size();
        break;
      }
      auto action = read_action(open);
      if (!action) return fail(std::move(action).error());
      at_ = action->end;
      std::string_view body = action->body;
      if (body.starts_with("/*")) continue;  // a comment
      const std::string keyword(body.substr(0, body.find_first_of(" \t\r\n")));
      if (keyword == "end" || keyword == "else") {
        if (!stop) return bad("unexpected {{" + keyword + "}}");
        *stop = std::string(body);
        return nodes;
      }
      if (keyword == "if" || keyword == "with") {
        auto branch = this->branch(keyword == "with", body.substr(keyword.size()));
        if (!branch) return fail(std::move(branch).error());
        nodes.push_back(std::move(*branch));
        continue;
      }
      if (keyword == "range" || keyword == "define" || keyword == "template" || keyword == "block" ||
          keyword == "break" || keyword == "continue") {
        return bad("{{" + keyword + "}} is not supported by hookd (getenv gives text: there is nothing to range over)");
      }
      ExpressionParser parser(body);
      auto pipeline = parser.pipeline();
      if (!pipeline) return fail(std::move(pipeline).error());
      if (!parser.done()) return bad("unexpected text in {{" + std::string(body) + "}}");
      nodes.push_back(Node{Node::Kind::action, {}, std::move(*pipeline), false, {}, {}});
    }
    if (stop) return bad("missing {{end}}");
    return nodes;
  }

 private:
  core::Result<Action> read_action(std::size_t open) {
    // The closing braces, outside string literals.
    std::size_t i = open + 2;
    char quote = 0;
    for (; i + 1 < text_.size(); ++i) {
      if (quote) {
        if (text_[i] == '\\' && quote == '"') {
          ++i;
        } else if (text_[i] == quote) {
          quote = 0;
        }
      } else if (text_[i] == '"' || text_[i] == '`') {
        quote = text_[i];
      } else if (text_[i] == '}' && text_[i + 1] == '}') {
        break;
      }
    }
    if (i + 1 >= text_.size()) return bad("unclosed action");
    std::string body = text_.substr(open + 2, i - open - 2);
    std::size_t end = i + 2;
    if (trims_before(body)) body.erase(0, 1);
    if (body.size() >= 2 && body.back() == '-' && is_space(body[body.size() - 2])) {
      body.pop_back();
      while (end < text_.size() && is_space(text_[end])) ++end;  // -}} trims the spaces after it
    }
    while (!body.empty() && is_space(body.front())) body.erase(0, 1);
    while (!body.empty() && is_space(body.back())) body.pop_back();
    return Action{std::move(body), end};
  }

  // {{if p}} … [{{else if p}} … | {{else}} …] {{end}}, and the same for with.
  core::Result<Node> branch(bool with, std::string_view condition) {
    if (++depth_ > kMaxNesting) return bad("{{if}} and {{with}} nest too deep");
    auto node = branch_within(with, condition);
    --depth_;
    return node;
  }

  core::Result<Node> branch_within(bool with, std::string_view condition) {
    Node node;
    node.kind = Node::Kind::branch;
    node.with = with;
    ExpressionParser parser(condition);
    auto pipeline = parser.pipeline();
    if (!pipeline) return fail(std::move(pipeline).error());
    node.pipeline = std::move(*pipeline);
    std::string stop;
    auto then = list(&stop);
    if (!then) return fail(std::move(then).error());
    node.then = std::move(*then);
    if (stop == "end") return node;
    const std::string_view rest = std::string_view(stop).substr(4);  // after "else"
    const std::string_view trimmed = rest.substr(std::min(rest.size(), rest.find_first_not_of(" \t\r\n")));
    if (trimmed.starts_with("if") || trimmed.starts_with("with")) {
      // {{else if p}}: a branch of its own, ended by the same {{end}}.
      const bool nested_with = trimmed.starts_with("with");
      auto nested = branch(nested_with, trimmed.substr(nested_with ? 4 : 2));
      if (!nested) return fail(std::move(nested).error());
      node.otherwise.push_back(std::move(*nested));
      return node;
    }
    if (!trimmed.empty()) return bad("unexpected {{" + stop + "}}");
    auto otherwise = list(&stop);
    if (!otherwise) return fail(std::move(otherwise).error());
    if (stop != "end") return bad("{{else}} must be followed by {{end}}");
    node.otherwise = std::move(*otherwise);
    return node;
  }

  const std::string& text_;
  std::size_t at_ = 0;
  int depth_ = 0;
};

// --- Running -------------------------------------------------------------------------------------

class Runner {
 public:
  core::Result<std::string> run(const std::vector<Node>& nodes) {
    std::string out;
    if (auto ran = run(nodes, out); !ran) return fail(std::move(ran).error());
    return out;
  }

 private:
  core::Status run(const std::vector<Node>& nodes, std::string& out) {
    const std::size_t scope = variables_.size();
    for (const Node& node : nodes) {
      if (node.kind == Node::Kind::text) {
        out += node.text;
        continue;
      }
      auto value = evaluate(node.pipeline);
      if (!value) return fail(std::move(value).error());
      if (node.kind == Node::Kind::action) {
        if (node.pipeline.declares.empty()) out += value->text();
        continue;
      }
      const bool taken = value->truth();
      const Value saved_dot = dot_;
      if (taken && node.with) dot_ = *value;
      auto ran = run(taken ? node.then : node.otherwise, out);
      dot_ = saved_dot;
      if (!ran) return ran;
    }
    variables_.resize(scope);  // variables live until the end of their control structure
    return {};
  }

  core::Result<Value> evaluate(const Pipeline& pipeline) {
    std::optional<Value> piped;
    for (const auto& command : pipeline.commands) {
      auto value = call(command, piped);
      if (!value) return value;
      piped = std::move(*value);
    }
    if (!pipeline.declares.empty()) {
      if (pipeline.assign) {
        auto* variable = find(pipeline.declares);
        if (!variable) return bad("undefined variable " + pipeline.declares);
        *variable = *piped;
      } else {
        variables_.emplace_back(pipeline.declares, *piped);
      }
    }
    return *piped;
  }

  Value* find(const std::string& name) {
    for (auto it = variables_.rbegin(); it != variables_.rend(); ++it) {
      if (it->first == name) return &it->second;
    }
    return nullptr;
  }

  core::Result<Value> operand(const Operand& operand) {
    switch (operand.kind) {
      case Operand::Kind::literal:
        return operand.literal;
      case Operand::Kind::dot:
        return dot_;
      case Operand::Kind::variable: {
        if (operand.name == "$") return Value{};
        if (auto* value = find(operand.name)) return *value;
        return bad("undefined variable " + operand.name);
      }
      case Operand::Kind::pipeline:
        return evaluate(*operand.pipeline);
      case Operand::Kind::function:
        return call({operand}, std::nullopt);
    }
    return Value{};
  }

  core::Result<Value> call(const std::vector<Operand>& command, const std::optional<Value>& piped) {
    const Operand& head = command.front();
    if (head.kind != Operand::Kind::function) {
      if (command.size() > 1 || piped) return bad("can't give arguments to a value that is not a function");
      return operand(head);
    }
    const std::string& name = head.name;
    // and/or take their operands lazily, as Go 1.18 does.
    if (name == "and" || name == "or") {
      if (command.size() < 2 && !piped) return bad(name + " takes at least one argument");
      Value last;
      for (std::size_t i = 1; i <= command.size(); ++i) {
        if (i == command.size()) {
          if (!piped) break;
          last = *piped;
        } else {
          auto value = operand(command[i]);
          if (!value) return value;
          last = std::move(*value);
        }
        if (last.truth() == (name == "or")) return last;
      }
      return last;
    }
    std::vector<Value> args;
    for (std::size_t i = 1; i < command.size(); ++i) {
      auto value = operand(command[i]);
      if (!value) return value;
      args.push_back(std::move(*value));
    }
    if (piped) args.push_back(*piped);
    return builtin(name, args);
  }

  static core::Result<Value> builtin(const std::string& name, const std::vector<Value>& args) {
    const auto count = [&](std::size_t n) -> core::Status {
      if (args.size() != n) {
        return bad("wrong number of args for " + name + ": want " + std::to_string(n) + " got " +
                   std::to_string(args.size()));
      }
      return {};
    };
    if (name == "getenv") {
      if (auto ok = count(1); !ok) return fail(std::move(ok).error());
      const char* value = std::getenv(args[0].text().c_str());
      return Value{std::string(value ? value : "")};
    }
    if (name == "not") {
      if (auto ok = count(1); !ok) return fail(std::move(ok).error());
      return Value{!args[0].truth()};
    }
    if (name == "len") {
      if (auto ok = count(1); !ok) return fail(std::move(ok).error());
      if (!args[0].is_string()) return bad("len of " + args[0].text());
      return Value{static_cast<std::int64_t>(std::get<std::string>(args[0].v).size())};
    }
    if (name == "eq" || name == "ne") {
      if (args.size() < 2 || (name == "ne" && args.size() != 2)) return bad("wrong number of args for " + name);
      bool equal = false;
      for (std::size_t i = 1; i < args.size() && !equal; ++i) {
        auto order = compare(args[0], args[i]);
        if (!order) return fail(std::move(order).error());
        equal = *order == 0;
      }
      return Value{name == "eq" ? equal : !equal};
    }
    if (name == "lt" || name == "le" || name == "gt" || name == "ge") {
      if (auto ok = count(2); !ok) return fail(std::move(ok).error());
      auto order = compare(args[0], args[1]);
      if (!order) return fail(std::move(order).error());
      if (*order == 2) return bad("invalid type for comparison");
      const int o = *order;
      return Value{name == "lt" ? o < 0 : name == "le" ? o <= 0 : name == "gt" ? o > 0 : o >= 0};
    }
    if (name == "print") return Value{sprint(args)};
    if (name == "println") {
      std::string out;
      for (std::size_t i = 0; i < args.size(); ++i) out += (i ? " " : "") + args[i].text();
      return Value{out + "\n"};
    }
    if (name == "printf") {
      if (args.empty()) return bad("printf needs a format");
      auto text = sprintf(args[0].text(), std::vector<Value>(args.begin() + 1, args.end()));
      if (!text) return fail(std::move(text).error());
      return Value{std::move(*text)};
    }
    if (name == "js" || name == "html" || name == "urlquery") {
      const std::string text = sprint(args);
      return Value{name == "js" ? js_escape(text) : name == "html" ? html_escape(text) : query_escape(text)};
    }
    return bad("function \"" + name +
               "\" not defined (hookd knows getenv, and, or, not, eq, ne, lt, le, gt, ge, len, print, printf, "
               "println, js, html, urlquery)");
  }

  Value dot_;  // webhook executes the file with no data
  std::vector<std::pair<std::string, Value>> variables_;
};

}  // namespace

core::Result<std::string> expand_hooks_template(const std::string& text) {
  TemplateParser parser(text);
  auto nodes = parser.list(nullptr);
  if (!nodes) return fail(std::move(nodes).error());
  return Runner().run(*nodes);
}

}  // namespace hookd::hooks
