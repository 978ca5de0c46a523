#include "hookd/sign/gitlab.h"

#include "sign/crypto.h"

namespace hookd::sign {

Status verify_gitlab(std::string_view token, const HeaderSource& headers) {
  if (token.empty()) return fail(Error{Reason::malformed_secret, "the token is empty"});
  const auto value = headers.find("X-Gitlab-Token");
  if (!value) return fail(Error{Reason::missing_header, "missing X-Gitlab-Token header"});
  // Hash both sides first so that the comparison's time does not even reveal the token's length.
  if (!crypto::constant_time_equal(crypto::sha256(token).view(), crypto::sha256(*value).view())) {
    return fail(Error{Reason::no_matching_signature, "X-Gitlab-Token does not match the token"});
  }
  return {};
}

}  // namespace hookd::sign
