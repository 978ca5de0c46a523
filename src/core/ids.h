// Object ids: a prefix ("app_", "msg_", …) and a 27-character base62 KSUID. The KSUID's first four
// bytes are seconds since the KSUID epoch (2014-05-13T16:53:20Z), so ids sort by creation time as
// strings; hookd also puts the microsecond and a per-process sequence in the next bytes, so ids made by
// one process sort in the order they were made. The last 10 bytes are random.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace hookd::core {

inline constexpr std::size_t kKsuidLength = 27;

// A new id; thread-safe. Within one process each id compares greater than the ones before it.
std::string new_id(std::string_view prefix);

// The smallest id with `prefix` created at or after `t`: ids compare against it as times do, which is
// how lists are bounded by time.
std::string id_floor(std::string_view prefix, TimePoint t);

// The creation time (to the second) of an id with any prefix; nullopt when it is not prefix + KSUID.
std::optional<TimePoint> id_time(std::string_view id);

// Whether `text` is `prefix` followed by 27 base62 characters.
bool is_id(std::string_view text, std::string_view prefix);

}  // namespace hookd::core
