#include "hookd/sign/standard.h"

#include <string>
#include <vector>

#include "core/encoding.h"
#include "sign/crypto.h"
#include "sign/timestamp.h"

namespace hookd::sign {
namespace {

constexpr std::string_view kHmacVersion = "v1";
constexpr std::string_view kEd25519Version = "v1a";

// One "version,signature" entry of a signature header.
struct VersionedSignature {
  std::string_view version;
  std::string_view signature;
};

std::string hmac_signature(const Secret& secret, std::string_view id, std::string_view timestamp,
                           std::string_view payload) {
  const auto mac = crypto::hmac(HmacAlgorithm::sha256, secret.key_bytes(), {id, ".", timestamp, ".", payload});
  return core::base64_encode(mac.view());
}

// Calls `visit` for each well-formed entry, the first kMaxSignaturesTried of them, until it returns true;
// returns how many it visited.
template <class Visit>
int for_each_signature(std::string_view header, Visit&& visit) {
  int count = 0;
  while (!header.empty() && count < kMaxSignaturesTried) {
    const std::size_t space = header.find(' ');
    const std::string_view token = header.substr(0, space);
    header = space == std::string_view::npos ? std::string_view{} : header.substr(space + 1);
    const std::size_t comma = token.find(',');
    if (comma == std::string_view::npos || comma == 0 || comma + 1 == token.size()) continue;
    ++count;
    if (visit(VersionedSignature{token.substr(0, comma), token.substr(comma + 1)})) break;
  }
  return count;
}

std::optional<std::string_view> find_either(const HeaderSource& headers, std::string_view field) {
  if (auto value = headers.find(std::string("webhook-").append(field))) return value;
  return headers.find(std::string("svix-").append(field));
}

}  // namespace

Result<std::string> sign_standard(const Secret& secret, std::string_view id, std::int64_t timestamp,
                                  std::string_view payload) {
  const std::string ts = std::to_string(timestamp);
  switch (secret.type()) {
    case KeyType::hmac:
      return std::string(kHmacVersion) + "," + hmac_signature(secret, id, ts, payload);
    case KeyType::ed25519_private:
      return std::string(kEd25519Version) + "," +
             core::base64_encode(crypto::ed25519_sign(secret.ed25519_key(), {id, ".", ts, ".", payload}));
    case KeyType::ed25519_public:
      break;
  }
  return fail(Error{Reason::malformed_secret, "a whpk_ public key can verify but not sign"});
}

Result<std::string> sign_standard(std::span<const Secret> secrets, std::string_view id, std::int64_t timestamp,
                                  std::string_view payload) {
  if (secrets.empty()) return fail(Error{Reason::malformed_secret, "no key to sign with"});
  std::string header;
  for (const Secret& secret : secrets) {
    auto signature = sign_standard(secret, id, timestamp, payload);
    if (!signature) return signature;
    if (!header.empty()) header += ' ';
    header += *signature;
  }
  return header;
}

Status verify_standard(std::span<const Secret> secrets, std::string_view id, std::string_view timestamp,
                       std::string_view signature_header, std::string_view payload, const VerifyOptions& options) {
  if (secrets.empty()) return fail(Error{Reason::malformed_secret, "no key to verify with"});
  if (id.empty()) return fail(Error{Reason::malformed_header, "the message id is empty"});
  if (signature_header.size() > kMaxSignatureHeaderBytes) {
    return fail(Error{Reason::malformed_header, "the signature header is larger than 16 KiB"});
  }
  auto seconds = parse_timestamp(timestamp);
  if (!seconds) return fail(std::move(seconds).error());
  if (auto in_window = check_tolerance(*seconds, options); !in_window) return in_window;

  // Each HMAC key's expected signature is computed once, however many v1 entries the header has.
  std::vector<std::string> expected_v1;
  bool matched = false;
  const int entries = for_each_signature(signature_header, [&](VersionedSignature entry) {
    if (entry.version == kHmacVersion) {
      if (expected_v1.empty()) {
        for (const Secret& secret : secrets) {
          if (secret.type() == KeyType::hmac) expected_v1.push_back(hmac_signature(secret, id, timestamp, payload));
        }
      }
      for (const std::string& expected : expected_v1) {
        matched = matched || crypto::constant_time_equal(expected, entry.signature);
      }
    } else if (entry.version == kEd25519Version) {
      const auto signature = core::base64_decode(entry.signature);
      if (!signature) return false;
      for (const Secret& secret : secrets) {
        if (secret.type() == KeyType::hmac) continue;
        matched =
            matched || crypto::ed25519_verify(secret.ed25519_key(), *signature, {id, ".", timestamp, ".", payload});
      }
    }
    return matched;
  });
  if (matched) return {};
  if (entries == 0) {
    return fail(Error{Reason::malformed_header, "the signature header has no \"version,signature\" entry"});
  }
  return fail(Error{Reason::no_matching_signature, "no signature in the header matches the key"});
}

Status verify_standard(std::span<const Secret> secrets, const HeaderSource& headers, std::string_view payload,
                       const VerifyOptions& options) {
  const auto id = find_either(headers, "id");
  if (!id) return fail(Error{Reason::missing_header, "missing webhook-id (or svix-id) header"});
  const auto timestamp = find_either(headers, "timestamp");
  if (!timestamp) return fail(Error{Reason::missing_header, "missing webhook-timestamp (or svix-timestamp) header"});
  const auto signature = find_either(headers, "signature");
  if (!signature) return fail(Error{Reason::missing_header, "missing webhook-signature (or svix-signature) header"});
  return verify_standard(secrets, *id, *timestamp, *signature, payload, options);
}

}  // namespace hookd::sign
