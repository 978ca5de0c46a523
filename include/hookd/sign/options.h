// Options shared by the verifiers of timestamped schemes (Standard Webhooks, Stripe, Slack).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace hookd::sign {

inline constexpr std::chrono::seconds kDefaultTolerance{300};

struct VerifyOptions {
  // How far the signed timestamp may be from now, in either direction. Zero or less disables the
  // check (not recommended: it lets old requests be replayed).
  std::chrono::seconds tolerance = kDefaultTolerance;
  // The current time in Unix seconds; nullopt reads the system clock. Tests pass a fixed time.
  std::optional<std::int64_t> now;
};

}  // namespace hookd::sign
