// Reading command input: the payload on stdin, and "Name: value" header arguments.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hookd::cli {

// The largest payload the CLI reads from stdin.
inline constexpr std::size_t kMaxStdinBytes = 64 * 1024 * 1024;

// All of `stream`, as bytes; nullopt if it is longer than `limit` or cannot be read.
std::optional<std::string> read_all(std::FILE* stream, std::size_t limit = kMaxStdinBytes);

// Splits "Name: value" at the first colon and trims spaces and tabs around both parts; nullopt when
// there is no colon or the name is empty or not an HTTP token.
std::optional<std::pair<std::string, std::string>> parse_header_argument(std::string_view text);

}  // namespace hookd::cli
