// HS256 JSON Web Tokens, as the Svix server issues and accepts them. Verification is strict: the header
// must say HS256 (never "none" or another algorithm), the signature must match in constant time, and
// exp/nbf are honoured.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

namespace hookd::api {

struct TokenClaims {
  std::string subject;             // "org_…" for an organization token, "app_…" for an application token
  std::optional<std::string> org;  // set for application tokens: the organization of the app
  std::optional<core::TimePoint> expires_at;
};

// A signed token for `claims`, issued at `now`.
std::string issue_token(const TokenClaims& claims, std::string_view secret, core::TimePoint now);

// The claims of a valid token; an unauthorized error saying why otherwise.
core::Result<TokenClaims> verify_token(std::string_view token, std::string_view secret, core::TimePoint now);

// The organization id `hookd jwt generate` uses when none is given (the one svix-server uses).
inline constexpr std::string_view kDefaultOrgId = "org_23rb8YdGqMT0qIzpgGwdXfHirMu";

}  // namespace hookd::api
