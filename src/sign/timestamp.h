// Timestamps of the timestamped schemes: strict parsing and the tolerance window. Internal.
#pragma once

#include <cstdint>
#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/options.h"

namespace hookd::sign {

// Unix seconds written as 1 to 18 ASCII digits, nothing else: no sign, space or fraction.
Result<std::int64_t> parse_timestamp(std::string_view text);

// Fails with timestamp_too_old or timestamp_too_new when `timestamp` is more than the tolerance away
// from options.now (or the system clock).
Status check_tolerance(std::int64_t timestamp, const VerifyOptions& options);

}  // namespace hookd::sign
