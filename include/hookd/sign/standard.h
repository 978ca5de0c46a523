// Standard Webhooks (https://www.standardwebhooks.com), as Svix sends it: a message id, a Unix
// timestamp and a signature header carrying space-separated "v1,<base64 HMAC-SHA256>" and
// "v1a,<base64 Ed25519>" signatures of "{id}.{timestamp}.{payload}".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hookd/sign/error.h"
#include "hookd/sign/headers.h"
#include "hookd/sign/options.h"
#include "hookd/sign/secret.h"

namespace hookd::sign {

// Header families: webhook-id/-timestamp/-signature, or svix-id/-timestamp/-signature.
enum class HeaderFamily { webhook, svix };

// The largest signature header accepted (a rotation of 11 Ed25519 keys needs about 1 KiB).
inline constexpr std::size_t kMaxSignatureHeaderBytes = 16 * 1024;
// Signatures tried per request: the first 16 well-formed entries of the header, the rest ignored. Each
// v1a entry costs one Ed25519 verification over the whole payload per key, so a header packed with
// entries would otherwise multiply the work of one request (v1 entries are compared with each key's
// HMAC, computed once).
inline constexpr int kMaxSignaturesTried = 16;

// One signature, "v1,…" for an HMAC key or "v1a,…" for an Ed25519 private key. Fails with
// malformed_secret for a public key, which cannot sign.
Result<std::string> sign_standard(const Secret& secret, std::string_view id, std::int64_t timestamp,
                                  std::string_view payload);

// The signature header for several keys (a rotation): each key's signature, space-separated.
Result<std::string> sign_standard(std::span<const Secret> secrets, std::string_view id, std::int64_t timestamp,
                                  std::string_view payload);

// Verifies already-extracted header values. Passes when any of the first kMaxSignaturesTried signatures in
// `signature_header` matches any of `secrets` (v1 against HMAC keys, v1a against Ed25519 keys) and the
// timestamp is within the tolerance. Comparisons are constant-time.
Status verify_standard(std::span<const Secret> secrets, std::string_view id, std::string_view timestamp,
                       std::string_view signature_header, std::string_view payload, const VerifyOptions& options = {});

// Reads the id, timestamp and signature headers, webhook-* first and svix-* when those are absent,
// then verifies as above.
Status verify_standard(std::span<const Secret> secrets, const HeaderSource& headers, std::string_view payload,
                       const VerifyOptions& options = {});

}  // namespace hookd::sign
