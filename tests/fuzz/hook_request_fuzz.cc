// Fuzzes how command hooks read a hostile request: the query, the headers and the body as multipart
// (Go's reader: preambles, LF line ends, boundaries), JSON, a form or XML, then parse-parameters-as-json
// and the values a hook reads. The first byte picks the content type, the input up to the first newline
// is the query, the rest the body. Any input gives a request; nothing crashes.
#include <cstdint>
#include <string>
#include <string_view>

#include "hooks/hook_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kTypes[] = {"multipart/form-data; boundary=XX", "application/json",
                                       "application/x-www-form-urlencoded", "application/xml",
                                       "multipart/form-data; BOUNDARY=\"XX\""};
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string type = kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])];
  const auto newline = input.find('\n');
  const std::string_view query = input.substr(0, newline);
  const std::string body(newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1));

  using hookd::hooks::Argument;
  hookd::hooks::Hook hook;
  hook.parse_parameters_as_json = {Argument{"payload", "a", "", false}, Argument{"header", "x-data", "", false},
                                   Argument{"url", "q", "", false}, Argument{"payload", "root.0.b", "", false}};
  const auto request =
      hookd::hooks::make_request("POST", "127.0.0.1:1", {{"Content-Type", type}, {"X-Data", body}}, query, body, hook);
  for (const char* source : {"entire-payload", "entire-query", "entire-headers", "raw-request-body"}) {
    (void)hookd::hooks::value_of(Argument{source, "", "", false}, request);
  }
  (void)hookd::hooks::value_of(Argument{"payload", "a.b.0", "", false}, request);
  (void)hookd::hooks::value_of(Argument{"url", "q.x", "", false}, request);
  return 0;
}
