// XML bodies as the `webhook` tool reads them (Go's encoding/xml under the mxj package's rules), so that
// hooks look values up in them the same way:
// - the root element is the one key: <app><name>x</name></app> is {"app":{"name":"x"}};
// - attributes are keys with a hyphen ("-id"); namespace prefixes are dropped (ns:name is "name",
//   xmlns:ns is "-ns");
// - a repeated element becomes a list; an empty one is "";
// - text is trimmed of spaces, tabs, CR, LF and backspaces, and every value is a string; an element
//   with attributes or children keeps its text under "#text". An element whose first content is text
//   (with no attribute) is text: elements that follow it inside are dropped, as mxj drops them, and a
//   later text (a CDATA section) takes its place;
// - comments, processing instructions and DOCTYPE are skipped; what follows the root element is not read.
#pragma once

#include <optional>
#include <string_view>

#include "hooks/go_json.h"

namespace hookd::hooks {

// The body as a payload; nullopt when it is not well-formed XML up to the end of its root element (or
// nests deeper than 256 elements), where `webhook` logs an error and the payload is null.
std::optional<GoJson> parse_xml_payload(std::string_view body);

}  // namespace hookd::hooks
