// The one place errors become HTTP answers: the status for each ErrorCode and Svix's error bodies,
// {"code": …, "detail": …} and, for validation, {"detail": [{"loc": …, "msg": …, "type": …}]}.
#pragma once

#include "core/error.h"
#include "net/http_message.h"

namespace hookd::api {

int http_status(core::ErrorCode code);
net::HttpResponse error_response(const core::Error& error);

}  // namespace hookd::api
