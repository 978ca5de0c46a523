// When to try a failed delivery again (DESIGN.md §5): a fixed schedule of delays after the first
// attempt, each with ±20% jitter; at least a penalty (60 s) after a timeout or a 429; and a Retry-After
// answer honoured within [delay, 2 × delay]. A pure function: time and randomness are inputs.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace hookd::delivery {

using std::chrono::microseconds;

struct RetrySchedule {
  // The delay before attempt n+2 after attempt n+1 failed. The default makes 8 attempts in all.
  std::vector<microseconds> delays = {std::chrono::seconds(5), std::chrono::minutes(5), std::chrono::minutes(30),
                                      std::chrono::hours(2),   std::chrono::hours(5),   std::chrono::hours(10),
                                      std::chrono::hours(10)};
  double jitter = 0.2;                              // each delay is scaled by a factor in [1 - jitter, 1 + jitter]
  microseconds penalty = std::chrono::seconds(60);  // the least delay after a timeout or a 429
};

// What the failed attempt looked like, as far as the schedule cares.
struct FailedAttempt {
  int status_code = 0;  // 0: no HTTP answer
  bool timed_out = false;
  std::optional<std::string_view> retry_after;  // the Retry-After header, if any
};

// The delay before the next attempt, after `attempts_made` attempts (at least 1) all failed; nullopt when
// the schedule is exhausted. `random` is uniform in [0, 1).
std::optional<microseconds> next_delay(const RetrySchedule& schedule, int attempts_made, const FailedAttempt& failure,
                                       double random, core::TimePoint now);

// Parses a Retry-After value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), relative to `now`.
std::optional<microseconds> parse_retry_after(std::string_view value, core::TimePoint now);

}  // namespace hookd::delivery
