#include "core/ids.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <mutex>

namespace hookd::core {
namespace {

constexpr std::int64_t kKsuidEpoch = 1400000000;
constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
using Bytes = std::array<std::uint8_t, 20>;

// Base62 of a 160-bit big-endian number, left-padded with '0' to 27 characters.
std::string encode(Bytes bytes) {
  std::string out(kKsuidLength, '0');
  for (std::size_t pos = kKsuidLength; pos-- > 0;) {
    std::uint32_t remainder = 0;
    for (auto& byte : bytes) {  // long division of the whole number by 62
      const std::uint32_t value = remainder << 8 | byte;
      byte = static_cast<std::uint8_t>(value / 62);
      remainder = value % 62;
    }
    out[pos] = kBase62[remainder];
  }
  return out;
}

std::optional<Bytes> decode(std::string_view text) {
  if (text.size() != kKsuidLength) return std::nullopt;
  Bytes bytes{};
  for (char c : text) {
    const std::size_t digit = kBase62.find(c);
    if (digit == std::string_view::npos) return std::nullopt;
    std::uint32_t carry = static_cast<std::uint32_t>(digit);
    for (std::size_t i = bytes.size(); i-- > 0;) {  // bytes = bytes * 62 + digit
      const std::uint32_t value = bytes[i] * 62u + carry;
      bytes[i] = static_cast<std::uint8_t>(value & 0xff);
      carry = value >> 8;
    }
    if (carry != 0) return std::nullopt;  // above 2^160
  }
  return bytes;
}

void put_be(Bytes& bytes, std::size_t at, std::uint64_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * (width - 1 - i)));
}

}  // namespace

std::string new_id(std::string_view prefix) {
  // Bytes 4..9 hold a 48-bit counter: microseconds within the second, bumped past the previous id's
  // when the clock has not moved, so ids from this process are strictly increasing.
  static std::mutex mutex;
  static std::int64_t last_second = 0;
  static std::uint64_t last_counter = 0;
  const auto now = std::chrono::time_point_cast<Microseconds>(std::chrono::system_clock::now());
  std::int64_t second = to_unix_seconds(TimePoint(now.time_since_epoch()));
  std::uint64_t counter = static_cast<std::uint64_t>(now.time_since_epoch().count() % 1000000);
  {
    std::lock_guard lock(mutex);
    if (second < last_second || (second == last_second && counter <= last_counter)) {
      second = last_second;
      counter = last_counter + 1;
    }
    last_second = second;
    last_counter = counter;
  }
  Bytes bytes{};
  put_be(bytes, 0, static_cast<std::uint64_t>(second - kKsuidEpoch), 4);
  put_be(bytes, 4, counter, 6);
  if (RAND_bytes(bytes.data() + 10, 10) != 1) std::abort();
  return std::string(prefix) + encode(bytes);
}

std::string id_floor(std::string_view prefix, TimePoint t) {
  Bytes bytes{};
  const std::int64_t seconds = std::max<std::int64_t>(to_unix_seconds(t) - kKsuidEpoch, 0);
  put_be(bytes, 0, static_cast<std::uint64_t>(std::min<std::int64_t>(seconds, 0xffffffff)), 4);
  return std::string(prefix) + encode(bytes);
}

std::optional<TimePoint> id_time(std::string_view id) {
  const std::size_t underscore = id.rfind('_');
  if (underscore == std::string_view::npos) return std::nullopt;
  const auto bytes = decode(id.substr(underscore + 1));
  if (!bytes) return std::nullopt;
  std::int64_t seconds = 0;
  for (std::size_t i = 0; i < 4; ++i) seconds = seconds << 8 | (*bytes)[i];
  return from_micros((seconds + kKsuidEpoch) * 1000000);
}

bool is_id(std::string_view text, std::string_view prefix) {
  return text.size() == prefix.size() + kKsuidLength && text.starts_with(prefix) &&
         decode(text.substr(prefix.size())).has_value();
}

}  // namespace hookd::core
