// Why a webhook failed verification, or why a key could not be used. Every failure of the signing
// library is one of these reasons plus a sentence for humans; callers branch on the reason and show the
// detail.
#pragma once

#include <string>
#include <string_view>

#include "hookd/result.h"

namespace hookd::sign {

enum class Reason {
  missing_header,         // a header the scheme needs is absent
  malformed_header,       // present but not in the scheme's syntax (or oversized)
  malformed_timestamp,    // the timestamp is not a plain integer of seconds
  timestamp_too_old,      // older than the tolerance allows
  timestamp_too_new,      // further in the future than the tolerance allows
  no_matching_signature,  // well-formed, but no signature matches any key
  malformed_secret,       // the configured key cannot be used (bad prefix, base64, length)
  body_mismatch,          // a body digest carried by the request does not match the body
  malformed_body,         // the scheme needs to parse the body (Twilio's form) and cannot
};

// The snake_case name of a reason, as printed by `hookd verify` and returned in JSON errors.
std::string_view reason_name(Reason reason);

struct Error {
  Reason reason;
  std::string detail;  // one sentence, never containing key material
};

using Status = hookd::Result<void, Error>;
template <class T>
using Result = hookd::Result<T, Error>;

}  // namespace hookd::sign
