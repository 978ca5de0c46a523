#include "hookd/sign/github.h"

#include "sign/mac_check.h"

namespace hookd::sign {
namespace {

constexpr std::string_view kSha256Header = "X-Hub-Signature-256";
constexpr std::string_view kSha1Header = "X-Hub-Signature";  // legacy, SHA-1
constexpr MacFormat kSha256{HmacAlgorithm::sha256, SignatureEncoding::hex, "sha256="};
constexpr MacFormat kSha1{HmacAlgorithm::sha1, SignatureEncoding::hex, "sha1="};

}  // namespace

std::string sign_github(std::string_view secret, std::string_view body) { return encode_mac(kSha256, secret, {body}); }

Status verify_github(std::string_view secret, const HeaderSource& headers, std::string_view body) {
  if (const auto value = headers.find(kSha256Header)) return check_mac(kSha256, secret, kSha256Header, *value, {body});
  if (const auto value = headers.find(kSha1Header)) return check_mac(kSha1, secret, kSha1Header, *value, {body});
  return fail(Error{Reason::missing_header, "missing X-Hub-Signature-256 header"});
}

}  // namespace hookd::sign
