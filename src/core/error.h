// hookd's one error taxonomy for everything above the signing library. Domain code returns these as
// values; src/api/http_errors.cc maps each code to an HTTP status and JSON body in one place.
#pragma once

#include <string>
#include <vector>

#include "hookd/result.h"

namespace hookd::core {

enum class ErrorCode {
  bad_request,         // 400: the request cannot be understood (broken JSON, bad query string)
  unauthorized,        // 401: no valid credentials
  forbidden,           // 403: valid credentials, not for this resource
  not_found,           // 404
  method_not_allowed,  // 405
  conflict,            // 409: a uid or eventId that already exists
  payload_too_large,   // 413
  validation,          // 422: well-formed, but a field is wrong (see Error::fields)
  too_many_requests,   // 429: a limit on work waiting was reached; the same request may pass later
  unavailable,         // 503: a part is down or shutting down
  internal,            // 500: a broken invariant or an environment failure
};

// One field that failed validation: where it is ("body", "url") and why.
struct FieldError {
  std::vector<std::string> location;
  std::string message;
};

struct Error {
  ErrorCode code;
  std::string detail;
  std::vector<FieldError> fields;  // for ErrorCode::validation
};

template <class T>
using Result = hookd::Result<T, Error>;
using Status = hookd::Result<void, Error>;

inline Failure<Error> error(ErrorCode code, std::string detail) { return fail(Error{code, std::move(detail), {}}); }

// A 422 naming one field: invalid({"body", "url"}, "must be an absolute http(s) URL").
inline Failure<Error> invalid(std::vector<std::string> location, std::string message) {
  std::string detail = message;
  return fail(Error{ErrorCode::validation, std::move(detail), {FieldError{std::move(location), std::move(message)}}});
}

}  // namespace hookd::core
