// Matching "METHOD /api/v1/…" to a route: fixed segments and {parameters}, a trailing slash ignored,
// parameters percent-decoded. Tells "no such path" (404) from "no such method on it" (405).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding.h"

namespace hookd::api {

using PathParams = std::map<std::string, std::string>;

template <class Target>
class Router {
 public:
  enum class Outcome { found, not_found, method_not_allowed };
  struct Match {
    Outcome outcome = Outcome::not_found;
    const Target* target = nullptr;
    PathParams params;
    std::size_t index = 0;  // of the route found, in the order routes were added
  };

  // `pattern` like "/api/v1/app/{app_id}/msg".
  void add(std::string method, std::string_view pattern, Target target) {
    routes_.push_back({std::move(method), std::string(pattern), split(pattern), std::move(target)});
  }

  // Calls `visit(method, pattern)` for each route, in the order they were added (Match::index).
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const Route& route : routes_) visit(route.method, route.pattern);
  }

  Match match(std::string_view method, std::string_view path) const {
    const std::vector<std::string> segments = split(path);
    Match result;
    for (std::size_t index = 0; index < routes_.size(); ++index) {
      const Route& route = routes_[index];
      PathParams params;
      if (!matches(route.segments, segments, params)) continue;
      if (route.method != method && !(method == "HEAD" && route.method == "GET")) {
        result.outcome = Outcome::method_not_allowed;
        continue;
      }
      return Match{Outcome::found, &route.target, std::move(params), index};
    }
    return result;
  }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Target target;
  };

  static std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> segments;
    while (!path.empty()) {
      const std::size_t slash = path.find('/');
      if (slash != 0) segments.emplace_back(path.substr(0, slash));
      path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    }
    return segments;
  }

  static std::string decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      auto digit = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
      };
      if (text[i] == '%' && i + 2 < text.size() && digit(text[i + 1]) >= 0 && digit(text[i + 2]) >= 0) {
        out += static_cast<char>(digit(text[i + 1]) * 16 + digit(text[i + 2]));
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  }

  static bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
                      PathParams& params) {
    if (pattern.size() != segments.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      const std::string& expected = pattern[i];
      if (expected.size() > 2 && expected.front() == '{' && expected.back() == '}') {
        std::string value = decode(segments[i]);
        if (!core::is_text(value)) return false;  // no id or uid holds U+0000 or bytes that are not text
        params[expected.substr(1, expected.size() - 2)] = std::move(value);
      } else if (expected != segments[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace hookd::api
