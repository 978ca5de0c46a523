// Fuzzes what reads hooks files: the template expansion, and the YAML reader (every hooks file, .json too). Any input
// must give hooks or an error, never a crash.
#include <cstdint>
#include <string>

#include "hooks/hooks_file.h"
#include "hooks/hooks_template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)hookd::hooks::expand_hooks_template(text);
  (void)hookd::hooks::parse_hooks(text);
  return 0;
}
