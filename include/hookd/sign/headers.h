// How the verifiers read request headers. HeaderSource is the seam between the signing library and
// whatever HTTP stack received the request; Headers is a simple owning implementation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookd::sign {

class HeaderSource {
 public:
  virtual ~HeaderSource() = default;
  // The value of the first header called `name`, compared case-insensitively, or nullopt.
  // The view stays valid as long as the source is alive and unchanged.
  virtual std::optional<std::string_view> find(std::string_view name) const = 0;
};

class Headers final : public HeaderSource {
 public:
  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string, std::string>> entries);

  void add(std::string name, std::string value);
  std::optional<std::string_view> find(std::string_view name) const override;
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// ASCII case-insensitive equality, as header names compare (RFC 9110 §5.1).
bool iequals(std::string_view a, std::string_view b);

}  // namespace hookd::sign
