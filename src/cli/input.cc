#include "cli/input.h"

#include <algorithm>
#include <array>

namespace hookd::cli {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// RFC 9110 token characters.
bool is_token(std::string_view name) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

}  // namespace

std::optional<std::string> read_all(std::FILE* stream, std::size_t limit) {
  std::string out;
  std::array<char, 64 * 1024> buffer;
  while (true) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), stream);
    if (n == 0) break;
    if (out.size() + n > limit) return std::nullopt;
    out.append(buffer.data(), n);
  }
  if (std::ferror(stream)) return std::nullopt;
  return out;
}

std::optional<std::pair<std::string, std::string>> parse_header_argument(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view name = trim(text.substr(0, colon));
  if (!is_token(name)) return std::nullopt;
  return std::pair{std::string(name), std::string(trim(text.substr(colon + 1)))};
}

}  // namespace hookd::cli
