#include "server/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace hookd::server {
namespace {

bool json_format = false;

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
      return spdlog::level::trace;
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void configure_logging(std::string_view format, std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("hookd");
  spdlog::set_default_logger(logger);
  json_format = format == "json";
  // The message of a JSON line is already a serialized JSON string (see log()).
  spdlog::set_pattern(
      json_format ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":%v})" : "%Y-%m-%dT%H:%M:%S.%eZ %l %v",
      spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

void log(LogLevel level, std::string_view message) {
  if (json_format) {
    spdlog::log(to_spdlog(level), "{}", boost::json::serialize(boost::json::value(message)));
  } else {
    spdlog::log(to_spdlog(level), "{}", message);
  }
}

}  // namespace hookd::server
