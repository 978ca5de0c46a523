#include "server/config.h"

#include <toml++/toml.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>

#include "hookd/sign/secret.h"
#include "ingress/source_gate.h"
#include "net/url.h"

extern char** environ;

namespace hookd::server {
namespace {

using Setter = std::function<std::string(ServerConfig&, std::string_view)>;  // returns an error, or ""

std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::int64_t value = std::stoll(std::string(text));
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.push_back(item);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return items;
}

Setter integer_setter(std::int64_t min, std::int64_t max, std::function<void(ServerConfig&, std::int64_t)> set) {
  return [=](ServerConfig& config, std::string_view text) -> std::string {
    auto value = parse_integer(text, min, max);
    if (!value) return "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    set(config, *value);
    return "";
  };
}

std::chrono::milliseconds at_least_a_millisecond(std::chrono::microseconds d) {
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(d), std::chrono::milliseconds(1));
}

Setter duration_setter(std::function<void(ServerConfig&, std::chrono::microseconds)> set) {
  return [=](ServerConfig& config, std::string_view text) -> std::string {
    auto value = parse_duration(text);
    if (!value) return "must be a duration such as 500ms, 15s, 5m or 2h";
    set(config, *value);
    return "";
  };
}

std::string set_node_id(ServerConfig& config, std::string_view text) {
  if (text.size() > 200) return "must be at most 200 characters";
  config.node_id = std::string(text);
  return "";
}

// "host:port" or "[v6]:port" into `address` and `port`; the error, or "".
std::string parse_listen(std::string_view text, std::string& address, std::uint16_t& port, std::string_view example) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return "must be ADDRESS:PORT, e.g. " + std::string(example);
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto number = parse_integer(text.substr(colon + 1), 0, 65535);
  if (host.empty() || !number) return "must be ADDRESS:PORT, e.g. " + std::string(example);
  address = std::string(host);
  port = static_cast<std::uint16_t>(*number);
  return "";
}

std::string set_listen(ServerConfig& config, std::string_view text) {
  return parse_listen(text, config.listen_address, config.port, "127.0.0.1:8071");
}

// "" turns the listener off.
std::string set_metrics_listen(ServerConfig& config, std::string_view text) {
  if (text.empty()) {
    config.metrics_address.clear();
    return "";
  }
  return parse_listen(text, config.metrics_address, config.metrics_port, "127.0.0.1:9464");
}

std::string set_proxy(ServerConfig& config, std::string_view text) {
  if (text.empty()) {
    config.proxy.reset();
    return "";
  }
  std::string error;
  auto proxy = net::ProxySettings::parse(text, error);
  if (!proxy) return "must be an HTTP proxy URL such as http://proxy.internal:3128: " + error;
  config.proxy = std::move(*proxy);
  return "";
}

std::string set_no_proxy(ServerConfig& config, std::string_view text) {
  config.no_proxy.clear();
  for (auto item : split_list(text)) config.no_proxy.emplace_back(item);
  return "";
}

std::string set_operational_url(ServerConfig& config, std::string_view text) {
  std::string error;
  if (!text.empty() && !net::parse_http_url(text, error)) return "must be an absolute http or https URL: " + error;
  config.operational_webhooks.url = std::string(text);
  return "";
}

std::string set_operational_secret(ServerConfig& config, std::string_view text) {
  if (!text.empty() && (!text.starts_with("whsec_") || !sign::Secret::parse(text))) {
    return "must be an endpoint secret such as `hookd secret generate` prints (whsec_…)";
  }
  config.operational_webhooks.secret = std::string(text);
  return "";
}

std::string set_operational_event_types(ServerConfig& config, std::string_view text) {
  config.operational_webhooks.event_types.clear();
  for (auto item : split_list(text)) config.operational_webhooks.event_types.emplace_back(item);
  return "";
}

const std::map<std::string, Setter, std::less<>>& setters() {
  static const std::map<std::string, Setter, std::less<>> table = {
      {"listen", set_listen},
      {"metrics.listen", set_metrics_listen},
      {"data_dir",
       [](ServerConfig& c, std::string_view v) -> std::string {
         if (v.empty()) return "must not be empty";
         c.data_dir = std::string(v);
         return "";
       }},
      {"db_dsn",
       [](ServerConfig& c, std::string_view v) -> std::string {
         const bool uri = v.starts_with("postgresql://") || v.starts_with("postgres://");
         if (!v.empty() && !uri && v.find('=') == std::string_view::npos) {
           return "must be a PostgreSQL URI (postgresql://user@host:5432/hookd) or key=value list";
         }
         c.db_dsn = std::string(v);
         return "";
       }},
      {"jwt_secret",
       [](ServerConfig& c, std::string_view v) -> std::string {
         if (v.size() < 16) return "must be at least 16 characters";
         c.jwt_secret = std::string(v);
         return "";
       }},
      {"public_url",
       [](ServerConfig& c, std::string_view v) -> std::string {
         c.public_url = std::string(v);
         while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
         return "";
       }},
      {"log_format",
       [](ServerConfig& c, std::string_view v) -> std::string {
         if (v != "text" && v != "json") return "must be text or json";
         c.log_format = std::string(v);
         return "";
       }},
      {"log_level",
       [](ServerConfig& c, std::string_view v) -> std::string {
         if (v != "trace" && v != "debug" && v != "info" && v != "warn" && v != "error") {
           return "must be trace, debug, info, warn or error";
         }
         c.log_level = std::string(v);
         return "";
       }},
      {"max_body_bytes",
       integer_setter(1024, 64 << 20,
                      [](ServerConfig& c, std::int64_t v) { c.http.max_body_bytes = static_cast<std::size_t>(v); })},
      {"http.max_connections",
       integer_setter(1, 1000000,
                      [](ServerConfig& c, std::int64_t v) { c.http.max_connections = static_cast<std::size_t>(v); })},
      {"http.header_timeout", duration_setter([](ServerConfig& c, std::chrono::microseconds d) {
         c.http.header_timeout = at_least_a_millisecond(d);
       })},
      {"http.idle_timeout", duration_setter([](ServerConfig& c, std::chrono::microseconds d) {
         c.http.idle_timeout = at_least_a_millisecond(d);
       })},
      {"http.body_timeout", duration_setter([](ServerConfig& c, std::chrono::microseconds d) {
         c.http.body_timeout = at_least_a_millisecond(d);
       })},
      {"http.body_min_rate",
       integer_setter(1, 1 << 30,
                      [](ServerConfig& c, std::int64_t v) { c.http.body_min_rate = static_cast<std::size_t>(v); })},
      {"http.write_timeout", duration_setter([](ServerConfig& c, std::chrono::microseconds d) {
         c.http.write_timeout = at_least_a_millisecond(d);
       })},
      {"synchronous",
       [](ServerConfig& c, std::string_view v) -> std::string {
         if (v != "full" && v != "normal") return "must be full or normal";
         c.synchronous_full = v == "full";
         return "";
       }},
      {"api_workers",
       integer_setter(1, 1024, [](ServerConfig& c, std::int64_t v) { c.api_workers = static_cast<int>(v); })},
      {"io_threads",
       integer_setter(1, 64, [](ServerConfig& c, std::int64_t v) { c.io_threads = static_cast<int>(v); })},
      {"allow_subnets",
       [](ServerConfig& c,
          std::string_view v) -> std::
                                  string {
                                    std::vector<delivery::Subnet> subnets;
                                    for (auto item : split_list(v)) {
                                      auto subnet = delivery::Subnet::parse(item);
                                      if (!subnet)
                                        return "must be a list of address ranges such as 127.0.0.0/8 or fd00::/8";
                                      subnets.push_back(*subnet);
                                    }
                                    c.allow_subnets = std::move(subnets);
                                    return "";
                                  }},
      {"https_only",
       [](ServerConfig& c, std::string_view v) -> std::
                                                   string {
                                                     auto value = parse_bool(v);
                                                     if (!value) return "must be true or false";
                                                     c.https_only = *value;
                                                     return "";
                                                   }},
      {"role",
       [](ServerConfig& c, std::string_view v) -> std::
                                                   string {
                                                     if (v != "all" && v != "api" && v != "worker")
                                                       return "must be all, api or worker";
                                                     c.role = std::string(v);
                                                     return "";
                                                   }},
      {"white_label_headers",
       [](ServerConfig& c, std::string_view v) -> std::
                                                   string {
                                                     auto value = parse_bool(v);
                                                     if (!value) return "must be true or false";
                                                     c.delivery.request.webhook_headers = *value;
                                                     return "";
                                                   }},
      {"delivery.timeout", duration_setter([](ServerConfig& c, std::chrono::microseconds d) {
         c.delivery.request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(d);
       })},
      {"delivery.retry_schedule",
       [](ServerConfig& c, std::string_view v) -> std::
                                                   string {
                                                     std::vector<std::chrono::microseconds> delays;
                                                     for (auto item : split_list(v)) {
                                                       auto delay = parse_duration(item);
                                                       if (!delay)
                                                         return "must be a list of durations such as 5s, 5m, 30m";
                                                       delays.push_back(*delay);
                                                     }
                                                     if (delays.size() > 50) return "must have at most 50 delays";
                                                     c.delivery.schedule.delays = std::move(delays);
                                                     return "";
                                                   }},
      {"delivery.retry_penalty",
       duration_setter([](ServerConfig& c, std::chrono::microseconds d) { c.delivery.schedule.penalty = d; })},
      {"delivery.endpoint_concurrency",
       integer_setter(1, 10000,
                      [](ServerConfig& c, std::int64_t v) { c.delivery.endpoint_concurrency = static_cast<int>(v); })},
      {"delivery.global_concurrency",
       integer_setter(1, 100000,
                      [](ServerConfig& c, std::int64_t v) { c.delivery.global_concurrency = static_cast<int>(v); })},
      {"delivery.dns_servers",
       [](ServerConfig& c, std::string_view v) -> std::
                                                   string {
                                                     std::vector<std::string> servers;
                                                     for (auto item : split_list(v)) servers.emplace_back(item);
                                                     if (auto problem = net::DnsResolver::check_servers(servers);
                                                         !problem.empty())
                                                       return problem;
                                                     c.dns.servers = std::move(servers);
                                                     return "";
                                                   }},
      {"delivery.dns_timeout", duration_setter([](ServerConfig& c, std::chrono::microseconds d) {
         c.dns.timeout = at_least_a_millisecond(d);
       })},
      {"delivery.max_hops",
       integer_setter(1, 1000, [](ServerConfig& c, std::int64_t v) { c.delivery.max_hops = static_cast<int>(v); })},
      {"delivery.app_concurrency",
       integer_setter(1, 100000,
                      [](ServerConfig& c, std::int64_t v) { c.delivery.app_concurrency = static_cast<int>(v); })},
      {"delivery.endpoint_queue_capacity", integer_setter(2, 1000000,
                                                          [](ServerConfig& c, std::int64_t v) {
                                                            c.delivery.endpoint_queue_capacity =
                                                                static_cast<std::size_t>(v);
                                                          })},
      {"delivery.max_response_bytes", integer_setter(0, 1 << 20,
                                                     [](ServerConfig& c, std::int64_t v) {
                                                       c.delivery.request.max_response_bytes =
                                                           static_cast<std::size_t>(v);
                                                     })},
      {"endpoint_failure_disable_after",
       duration_setter([](ServerConfig& c, std::chrono::microseconds d) { c.delivery.failure_disable_after = d; })},
      {"delivery.proxy", set_proxy},
      {"delivery.no_proxy", set_no_proxy},
      {"node_id", set_node_id},
      {"lease_ttl", duration_setter([](ServerConfig& c, std::chrono::microseconds d) {
         c.lease_ttl = std::max(std::chrono::duration_cast<std::chrono::seconds>(d), std::chrono::seconds(1));
       })},
      {"payload_purge_interval", duration_setter([](ServerConfig& c, std::chrono::microseconds d) {
         c.payload_purge_interval = std::max(d, std::chrono::microseconds(std::chrono::milliseconds(10)));
       })},
      {"hooks_files",
       [](ServerConfig& c, std::string_view v) -> std::
                                                   string {
                                                     c.hooks_files.clear();
                                                     for (auto item : split_list(v)) c.hooks_files.emplace_back(item);
                                                     return "";
                                                   }},
      {"hooks.max_commands",
       integer_setter(1, 100000, [](ServerConfig& c, std::int64_t v) { c.hooks_max_commands = static_cast<int>(v); })},
      {"operational_webhooks.url", set_operational_url},
      {"operational_webhooks.secret", set_operational_secret},
      {"operational_webhooks.event_types", set_operational_event_types},
  };
  return table;
}

// toml++ 3.3 (Debian 12's) reaches __builtin_unreachable when it asks whether U+00A1 to U+0499, U+2C5E to
// U+2FFF, U+3001 to U+3057 or U+FB26 to U+FEFE is whitespace (the zero bits of the table in its
// is_non_ascii_horizontal_whitespace; found by tests/fuzz/config_fuzz): undefined behaviour, in the middle of
// hookd. Where it asks depends on how far it got in a malformed file, so such a character is refused
// wherever it is, before toml++ sees the text. In a string, "\u00E9" says the same safely. Returns
// "LINE: what" or none.
std::optional<std::string> outside_what_toml_parses_safely(std::string_view text) {
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') ++line;
    if (byte < 0x80) continue;
    // The code point of a well-formed 2- or 3-byte sequence; toml++ refuses malformed ones by itself.
    char32_t code = 0;
    if ((byte & 0xE0) == 0xC0 && i + 1 < text.size()) {
      code = static_cast<char32_t>(((byte & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
    } else if ((byte & 0xF0) == 0xE0 && i + 2 < text.size()) {
      code = static_cast<char32_t>(((byte & 0x0F) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3F) << 6) |
                                   (static_cast<unsigned char>(text[i + 2]) & 0x3F));
    }
    if ((code >= 0xA1 && code <= 0x499) || (code >= 0x2C5E && code <= 0x2FFF) || (code >= 0x3001 && code <= 0x3057) ||
        (code >= 0xFB26 && code <= 0xFEFE)) {
      char name[16];
      std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(code));
      return std::to_string(line) + ": the character " + name +
             " cannot be read safely by the TOML library hookd uses (toml++ 3.3); in a string, write it as \\u" +
             (name + 2);
    }
  }
  return std::nullopt;
}

// A TOML value in the textual form the setters read.
std::optional<std::string> as_text(const toml::node& node) {
  // The node's own type first: toml++ converts a float to an integer without a range check (undefined
  // behaviour past 2^63, found by tests/fuzz/config_fuzz).
  if (node.is_string()) return node.as_string()->get();
  if (node.is_integer()) return std::to_string(node.as_integer()->get());
  if (node.is_boolean()) return node.as_boolean()->get() ? "true" : "false";
  if (const auto* array = node.as_array()) {
    std::string joined;
    for (const auto& item : *array) {
      auto text = as_text(item);
      if (!text) return std::nullopt;
      joined += (joined.empty() ? "" : ",") + *text;
    }
    return joined;
  }
  return std::nullopt;
}

// "env:NAME" is the value of the environment variable NAME (so that files need not hold secrets).
std::optional<std::string> secret_value(const std::string& text) {
  if (!text.starts_with("env:")) return text;
  const char* value = std::getenv(text.substr(4).c_str());
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

// One [[sources]] table.
core::Result<store::Source> read_source(const toml::table& table, const std::string& where) {
  store::Source source;
  auto problem = [&](const std::string& key, const std::string& message) {
    return core::error(core::ErrorCode::validation, where + "." + key + " " + message);
  };
  for (const auto& [key_node, node] : table) {
    const std::string key(key_node.str());
    auto text = as_text(node);
    if (key == "hmac") {
      const auto* hmac = node.as_table();
      if (!hmac) return problem(key, "must be a table of header, algorithm, encoding and prefix");
      for (const auto& [name, value] : *hmac) {
        if (auto item = as_text(value)) source.hmac[std::string(name.str())] = *item;
      }
    } else if (key == "secrets") {
      const auto* list = node.as_array();
      if (!list) return problem(key, "must be a list of strings");
      for (const auto& item : *list) {
        auto secret = item.value<std::string>();
        if (!secret) return problem(key, "must be a list of strings");
        auto value = secret_value(*secret);
        if (!value) return problem(key, "names an environment variable that is not set: " + *secret);
        source.secrets.push_back(*value);
      }
    } else if (!text) {
      return problem(key, "has an unsupported value type");
    } else if (key == "name") {
      source.name = *text;
    } else if (key == "scheme") {
      source.scheme = *text;
    } else if (key == "app") {
      source.app_id = *text;
    } else if (key == "event_type") {
      source.event_type = *text;
    } else if (key == "tolerance") {
      auto tolerance = parse_duration(*text);
      if (!tolerance) return problem(key, "must be a duration such as 5m");
      source.tolerance_seconds = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(*tolerance).count());
    } else if (key == "dedupe_header") {
      source.dedupe_header = *text;
    } else if (key == "dedupe_field") {
      source.dedupe_field = *text;
    } else if (key == "dedupe_window") {
      auto window = parse_duration(*text);
      if (!window) return problem(key, "must be a duration such as 24h");
      source.dedupe_window_seconds =
          static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(*window).count());
    } else {
      return problem(key, "is not a source setting");
    }
  }
  if (source.name.empty() || source.scheme.empty() || source.app_id.empty()) {
    return core::error(core::ErrorCode::validation, where + " needs name, scheme and app");
  }
  if (auto gate = ingress::SourceGate::create(source); !gate) {
    return core::error(core::ErrorCode::validation, where + " (" + source.name + "): " + gate.error().detail);
  }
  return source;
}

core::Status apply_table(ServerConfig& config, const toml::table& table, const std::string& prefix,
                         const std::string& path) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix + std::string(key.str());
    if (name == "sources") {
      const auto* list = node.as_array();
      if (!list) return core::error(core::ErrorCode::validation, path + ": sources must be [[sources]] tables");
      for (std::size_t i = 0; i < list->size(); ++i) {
        const auto* entry = (*list)[i].as_table();
        const std::string where = path + ": sources[" + std::to_string(i) + "]";
        if (!entry) return core::error(core::ErrorCode::validation, where + " must be a table");
        auto source = read_source(*entry, where);
        if (!source) return fail(std::move(source).error());
        config.sources.push_back(std::move(*source));
      }
      continue;
    }
    if (const auto* nested = node.as_table()) {
      if (auto applied = apply_table(config, *nested, name + ".", path); !applied) return applied;
      continue;
    }
    auto text = as_text(node);
    if (!text) return core::error(core::ErrorCode::validation, path + ": " + name + ": unsupported value type");
    if (auto applied = apply_setting(config, name, *text); !applied) {
      return core::error(core::ErrorCode::validation, path + ": " + applied.error().detail);
    }
  }
  return {};
}

}  // namespace

std::string ServerConfig::listen() const {
  const bool v6 = listen_address.find(':') != std::string::npos;
  return (v6 ? "[" + listen_address + "]" : listen_address) + ":" + std::to_string(port);
}

std::optional<std::chrono::microseconds> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  const std::int64_t value = std::stoll(std::string(text.substr(0, digits)));
  const std::string_view unit = text.substr(digits);
  std::int64_t micros_per_unit = 0;
  if (unit == "ms") micros_per_unit = 1000;
  if (unit == "s" || unit.empty()) micros_per_unit = 1000 * 1000;
  if (unit == "m") micros_per_unit = 60LL * 1000 * 1000;
  if (unit == "h") micros_per_unit = 3600LL * 1000 * 1000;
  // At most ten years: no setting needs more, and microseconds of 12 digits of hours would overflow.
  constexpr std::int64_t kMaxMicros = 10LL * 365 * 24 * 3600 * 1000 * 1000;
  if (micros_per_unit == 0 || value > kMaxMicros / micros_per_unit) return std::nullopt;
  return std::chrono::microseconds(value * micros_per_unit);
}

core::Status apply_setting(ServerConfig& config, std::string_view name, std::string_view value) {
  const auto it = setters().find(name);
  if (it == setters().end())
    return core::error(core::ErrorCode::validation, "unknown setting '" + std::string(name) + "'");
  if (std::string problem = it->second(config, value); !problem.empty()) {
    return core::error(core::ErrorCode::validation, std::string(name) + " " + problem);
  }
  return {};
}

core::Status apply_toml_file(ServerConfig& config, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::error(core::ErrorCode::validation, path + ": cannot be read");
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      return core::error(core::ErrorCode::validation, path + ": larger than 1 MiB; is it a configuration file?");
    }
  }
  return apply_toml(config, text, path);
}

core::Status apply_toml(ServerConfig& config, std::string_view text, const std::string& name) {
  if (auto refused = outside_what_toml_parses_safely(text)) {
    return core::error(core::ErrorCode::validation, name + ":" + *refused);
  }
  toml::table table;
  try {
    table = toml::parse(text, name);
  } catch (const toml::parse_error& error) {
    return core::error(core::ErrorCode::validation, name + ":" + std::to_string(error.source().begin.line) + ": " +
                                                        std::string(error.description()));
  }
  return apply_table(config, table, "", name);
}

core::Status apply_environment(ServerConfig& config, const std::map<std::string, std::string>& environment) {
  for (const auto& [name, setter] : setters()) {
    std::string variable = "HOOKD_" + name;
    std::transform(variable.begin(), variable.end(), variable.begin(), [](char c) {
      return c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    auto it = environment.find(variable);
    if (it == environment.end()) continue;
    if (auto applied = apply_setting(config, name, it->second); !applied) {
      return core::error(core::ErrorCode::validation, variable + ": " + applied.error().detail);
    }
  }
  return {};
}

core::Status load_config(ServerConfig& config, std::string config_file) {
  const auto environment = process_environment();
  if (config_file.empty()) {
    if (auto it = environment.find("HOOKD_CONFIG"); it != environment.end()) config_file = it->second;
  }
  if (!config_file.empty()) {
    if (auto applied = apply_toml_file(config, config_file); !applied) return applied;
  }
  return apply_environment(config, environment);
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals != std::string_view::npos) out.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return out;
}

}  // namespace hookd::server
