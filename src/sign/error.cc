#include "hookd/sign/error.h"

namespace hookd::sign {

std::string_view reason_name(Reason reason) {
  switch (reason) {
    case Reason::missing_header:
      return "missing_header";
    case Reason::malformed_header:
      return "malformed_header";
    case Reason::malformed_timestamp:
      return "malformed_timestamp";
    case Reason::timestamp_too_old:
      return "timestamp_too_old";
    case Reason::timestamp_too_new:
      return "timestamp_too_new";
    case Reason::no_matching_signature:
      return "no_matching_signature";
    case Reason::malformed_secret:
      return "malformed_secret";
    case Reason::body_mismatch:
      return "body_mismatch";
    case Reason::malformed_body:
      return "malformed_body";
  }
  return "unknown";
}

}  // namespace hookd::sign
