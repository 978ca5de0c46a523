// Fuzzes reading hookd's configuration file: any text either applies or fails with a message, and a
// configuration that applies holds the bounds its settings promise.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hookd::server::ServerConfig config;
  const auto applied = hookd::server::apply_toml(config, text, "fuzz.toml");
  if (!applied) {
    if (applied.error().detail.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  if (config.http.max_body_bytes < 1024 || config.api_workers < 1 || config.delivery.global_concurrency < 1 ||
      config.delivery.schedule.delays.size() > 50) {
    std::abort();
  }
  return 0;
}
