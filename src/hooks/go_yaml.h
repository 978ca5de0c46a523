// YAML as the `webhook` tool reads every hooks file, whatever its name (ghodss/yaml over go-yaml v2):
// the document becomes JSON, so a ".json" file may hold comments, trailing commas, unquoted keys and
// values. A plain scalar resolves as YAML 1.1 does in go-yaml v2: null (~, null, empty), a boolean (also
// yes/no/on/off/y/n), an integer (Go's base prefixes 0x, 0o, 0b, a leading 0 for octal, underscores), a
// float, or else text; quoted and block scalars are text. Map keys become text, as ghodss/yaml writes
// them ("on:" is the key "true").
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "core/error.h"

namespace hookd::hooks {

// The first YAML document of `text` as JSON: integers as int64 (uint64 past it), floats as double.
// Fails with go-yaml's kind of message for text that is not YAML, or a key that cannot be text (null).
core::Result<boost::json::value> parse_go_yaml(const std::string& text);

// Go's strconv.FormatFloat(value, 'g', -1, 32): how ghodss/yaml writes a float where text is expected
// (1.5e+3 -> "1500", 0.00001 -> "1e-05", 3.14159265358979 -> "3.1415927").
std::string go_float32_text(double value);

}  // namespace hookd::hooks
