// GitLab: X-Gitlab-Token carries the shared secret itself; it is compared in constant time.
#pragma once

#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"

namespace hookd::sign {

Status verify_gitlab(std::string_view token, const HeaderSource& headers);

}  // namespace hookd::sign
