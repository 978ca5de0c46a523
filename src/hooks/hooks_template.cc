#include "hooks/hooks_template.h"

#include <cstdlib>
#include <optional>
#include <vector>

namespace hookd::hooks {
namespace {

hookd::Failure<core::Error> bad(const std::string& message) {
  return core::error(core::ErrorCode::validation, "template: " + message);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

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

// Splits a pipeline's command into words; string literals ("…" with Go escapes, or `…`) are kept whole.
core::Result<std::vector<std::string>> words(std::string_view command) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < command.size()) {
    if (is_space(command[i])) {
      ++i;
      continue;
    }
    if (command[i] == '"' || command[i] == '`') {
      const char quote = command[i];
      std::string literal(1, '"');
      ++i;
      while (i < command.size() && command[i] != quote) {
        if (quote == '"' && command[i] == '\\' && i + 1 < command.size()) {
          const char e = command[++i];
          literal += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          literal += command[i];
        }
        ++i;
      }
      if (i >= command.size()) return bad("unterminated string in {{" + std::string(command) + "}}");
      ++i;
      out.push_back(std::move(literal));  // a leading '"' marks a literal
      continue;
    }
    std::size_t end = i;
    while (end < command.size() && !is_space(command[end])) ++end;
    out.emplace_back(command.substr(i, end - i));
    i = end;
  }
  return out;
}

// One command of a pipeline, given the value piped into it (if any).
core::Result<std::string> run(const std::vector<std::string>& command, const std::optional<std::string>& piped,
                              const std::string& action) {
  if (command.empty()) return bad("empty command in {{" + action + "}}");
  const std::string& name = command[0];
  std::vector<std::string> arguments;
  for (std::size_t i = 1; i < command.size(); ++i) {
    if (command[i].empty() || command[i][0] != '"') return bad("unsupported argument in {{" + action + "}}");
    arguments.push_back(command[i].substr(1));
  }
  if (piped) arguments.push_back(*piped);
  if (name[0] == '"') {
    if (piped || command.size() > 1) return bad("unsupported action {{" + action + "}}");
    return name.substr(1);
  }
  if (name == "getenv") {
    if (arguments.size() != 1) return bad("getenv takes one name, in {{" + action + "}}");
    const char* value = std::getenv(arguments[0].c_str());
    return std::string(value ? value : "");
  }
  if (name == "js" || name == "html" || name == "urlquery" || name == "print") {
    std::string joined;
    for (const auto& argument : arguments) joined += argument;
    if (name == "js") return js_escape(joined);
    if (name == "html") return html_escape(joined);
    if (name == "urlquery") return query_escape(joined);
    return joined;
  }
  if (name == "printf" && arguments.size() == 2 && arguments[0] == "%s") return arguments[1];
  return bad("unsupported function \"" + name + "\" in {{" + action +
             "}} (hookd knows getenv, js, html, urlquery, print)");
}

}  // namespace

core::Result<std::string> expand_hooks_template(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto open = text.find("{{", at);
    if (open == std::string::npos) {
      out.append(text, at, std::string::npos);
      break;
    }
    out.append(text, at, open - at);
    const auto close = text.find("}}", open + 2);
    if (close == std::string::npos) return bad("unclosed action");
    std::string action = text.substr(open + 2, close - open - 2);
    at = close + 2;
    if (action.starts_with("- ") || action == "-") {  // {{- trims the spaces before it
      while (!out.empty() && is_space(out.back())) out.pop_back();
      action.erase(0, 1);
    }
    bool trim_after = false;
    if (action.ends_with(" -")) {
      trim_after = true;
      action.pop_back();
    }
    std::string_view trimmed = action;
    while (!trimmed.empty() && is_space(trimmed.front())) trimmed.remove_prefix(1);
    while (!trimmed.empty() && is_space(trimmed.back())) trimmed.remove_suffix(1);
    if (!(trimmed.starts_with("/*") && trimmed.ends_with("*/"))) {
      std::optional<std::string> value;
      std::string_view rest = trimmed;
      while (true) {
        // Split at the next '|' outside string literals.
        std::size_t bar = std::string_view::npos;
        char quote = 0;
        for (std::size_t i = 0; i < rest.size(); ++i) {
          if (quote) {
            if (rest[i] == '\\' && quote == '"') {
              ++i;
            } else if (rest[i] == quote) {
              quote = 0;
            }
          } else if (rest[i] == '"' || rest[i] == '`') {
            quote = rest[i];
          } else if (rest[i] == '|') {
            bar = i;
            break;
          }
        }
        auto command = words(rest.substr(0, bar));
        if (!command) return fail(std::move(command).error());
        auto result = run(*command, value, std::string(trimmed));
        if (!result) return fail(std::move(result).error());
        value = std::move(*result);
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
      }
      out += *value;
    }
    if (trim_after) {
      while (at < text.size() && is_space(text[at])) ++at;
    }
  }
  return out;
}

}  // namespace hookd::hooks
