#include "delivery/retry_policy.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace hookd::delivery {
namespace {

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, the only form senders should use).
std::optional<core::TimePoint> parse_imf_fixdate(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text[3] != ',' || text.substr(25) != " GMT") return std::nullopt;
  const auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (month == kMonths.end()) return std::nullopt;
  // Reuse the RFC 3339 parser on the rearranged fields.
  char iso[32];
  const int month_number = static_cast<int>(month - kMonths.begin()) + 1;
  std::snprintf(iso, sizeof iso, "%.4s-%02d-%.2sT%.8sZ", text.data() + 12, month_number, text.data() + 5,
                text.data() + 17);
  return core::parse_rfc3339(iso);
}

}  // namespace

std::optional<microseconds> parse_retry_after(std::string_view value, core::TimePoint now) {
  if (!value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::hours(24 * 365);  // absurdly far: the caller clamps it
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  if (auto at = parse_imf_fixdate(value)) return std::max<microseconds>(*at - now, microseconds(0));
  return std::nullopt;
}

std::optional<microseconds> next_delay(const RetrySchedule& schedule, int attempts_made, const FailedAttempt& failure,
                                       double random, core::TimePoint now) {
  if (attempts_made < 1 || static_cast<std::size_t>(attempts_made) > schedule.delays.size()) return std::nullopt;
  const microseconds base = schedule.delays[static_cast<std::size_t>(attempts_made - 1)];
  const double factor = 1.0 + schedule.jitter * (2.0 * random - 1.0);
  microseconds delay(static_cast<std::int64_t>(std::llround(static_cast<double>(base.count()) * factor)));
  if (failure.timed_out || failure.status_code == 429) delay = std::max(delay, schedule.penalty);
  if (failure.retry_after) {
    if (auto asked = parse_retry_after(*failure.retry_after, now)) delay = std::clamp(*asked, delay, 2 * delay);
  }
  return delay;
}

}  // namespace hookd::delivery
