// hookd's logs: one line per event on stderr, as text (default) or as JSON objects. Secrets are never
// passed here.
#pragma once

#include <string_view>

namespace hookd::server {

enum class LogLevel { trace, debug, info, warn, error };

// Sets the format ("text" or "json") and the lowest level written. Call once, at start.
void configure_logging(std::string_view format, std::string_view level);

void log(LogLevel level, std::string_view message);
inline void log_info(std::string_view message) { log(LogLevel::info, message); }
inline void log_warn(std::string_view message) { log(LogLevel::warn, message); }
inline void log_error(std::string_view message) { log(LogLevel::error, message); }

}  // namespace hookd::server
