// Spacing deliveries to honour throttleRate: events at least 1/rate apart, so that no one-second window
// ever holds more than `rate` of them (a strict generic cell rate algorithm, no burst). Excess work is not
// dropped: the caller waits until next_allowed().
#pragma once

#include <algorithm>

#include "core/time.h"

namespace hookd::delivery {

class RateLimiter {
 public:
  explicit RateLimiter(int per_second)
      : per_second_(per_second), interval_(core::Microseconds(1000000 / std::max(1, per_second))) {}

  int per_second() const { return per_second_; }
  // The earliest time, not before `now`, at which the next event may happen.
  core::TimePoint next_allowed(core::TimePoint now) const { return std::max(now, next_); }
  // Takes the slot at `now` (which must not be before next_allowed(now)).
  void take(core::TimePoint now) { next_ = std::max(now, next_) + interval_; }

 private:
  int per_second_;
  core::Microseconds interval_;
  core::TimePoint next_{};
};

}  // namespace hookd::delivery
