// Fuzzes key parsing: any text either fails cleanly or yields a key whose canonical text parses back
// to the same key.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hookd/sign/secret.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto key = hookd::sign::Secret::parse(text);
  if (!key) return 0;
  auto again = hookd::sign::Secret::parse(key->to_string());
  if (!again || again->key_bytes() != key->key_bytes() || again->type() != key->type()) std::abort();
  return 0;
}
