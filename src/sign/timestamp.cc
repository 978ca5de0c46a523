#include "sign/timestamp.h"

#include <chrono>
#include <string>

namespace hookd::sign {

Result<std::int64_t> parse_timestamp(std::string_view text) {
  constexpr std::size_t kMaxDigits = 18;  // fits in int64 with room for the tolerance arithmetic
  if (text.empty() || text.size() > kMaxDigits) {
    return fail(Error{Reason::malformed_timestamp, "timestamp must be 1 to 18 digits of Unix seconds"});
  }
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return fail(Error{Reason::malformed_timestamp, "timestamp must be an integer number of Unix seconds"});
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

Status check_tolerance(std::int64_t timestamp, const VerifyOptions& options) {
  const std::int64_t tolerance = options.tolerance.count();
  if (tolerance <= 0) return {};
  const std::int64_t now = options.now.value_or(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  if (now - timestamp > tolerance) {
    return fail(Error{Reason::timestamp_too_old, "timestamp is " + std::to_string(now - timestamp) +
                                                     " s old; the tolerance is " + std::to_string(tolerance) + " s"});
  }
  if (timestamp - now > tolerance) {
    return fail(Error{Reason::timestamp_too_new, "timestamp is " + std::to_string(timestamp - now) +
                                                     " s in the future; the tolerance is " + std::to_string(tolerance) +
                                                     " s"});
  }
  return {};
}

}  // namespace hookd::sign
