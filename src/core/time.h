// Time as hookd uses it: UTC instants with microsecond precision, an injectable clock, and RFC 3339 text.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookd::core {

using Microseconds = std::chrono::microseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Microseconds>;

// The source of "now". Retry, jitter, leases and expiry read it; tests substitute a ManualClock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  static const SystemClock& instance();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint now() const override;
  void advance(Microseconds by);
  void set(TimePoint to);

 private:
  std::atomic<std::int64_t> now_;
};

std::int64_t to_micros(TimePoint t);
TimePoint from_micros(std::int64_t micros);
std::int64_t to_unix_seconds(TimePoint t);

// "2024-05-01T12:34:56.789Z" (milliseconds, UTC).
std::string format_rfc3339(TimePoint t);

// Accepts RFC 3339 date-times with a 'Z' or ±hh:mm offset and an optional fraction of any length
// ("2024-05-01T12:34:56Z", "2024-05-01T14:34:56.5+02:00"); nullopt for anything else.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace hookd::core
