// Standard Webhooks keys: symmetric HMAC secrets (whsec_) and Ed25519 key pairs (whsk_ private,
// whpk_ public). A Secret is immutable after parsing; copies share the parsed OpenSSL key, so copying is
// cheap and a Secret may be used from several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hookd/sign/error.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace hookd::sign {

enum class KeyType {
  hmac,             // whsec_: signs and verifies v1 (HMAC-SHA256)
  ed25519_private,  // whsk_: signs and verifies v1a (Ed25519)
  ed25519_public,   // whpk_: verifies v1a only
};

// Bounds on an HMAC secret's decoded length: 24 bytes is what Svix and hookd generate, 75 bytes is
// the longest key the Svix API accepts (100 base64 characters).
inline constexpr std::size_t kMinHmacSecretBytes = 24;
inline constexpr std::size_t kMaxHmacSecretBytes = 75;

class Secret {
 public:
  // Parses "whsec_<base64>" (the prefix may be missing), "whsk_<base64>" (a 32-byte seed, or the
  // 64-byte seed followed by its public key, which must match), or "whpk_<base64 of 32 bytes>".
  // Fails with Reason::malformed_secret; the detail never repeats the key.
  static Result<Secret> parse(std::string_view text);

  // New keys from OpenSSL's CSPRNG. Aborts if the CSPRNG fails (it cannot be seeded).
  static Secret generate_hmac();
  static Secret generate_ed25519();

  KeyType type() const { return type_; }
  bool can_sign() const { return type_ != KeyType::ed25519_public; }

  // For an Ed25519 private key, its public key (whpk_); for any other key, a copy of itself.
  Secret public_key() const;

  // The canonical text: "whsec_…", "whsk_…" (64-byte seed+public form) or "whpk_…".
  std::string to_string() const;

  // For HMAC keys: the raw key bytes. For Ed25519 keys: the 32-byte public key.
  const std::string& key_bytes() const { return bytes_; }
  // For Ed25519 keys: the OpenSSL key (private or public); null for HMAC keys.
  evp_pkey_st* ed25519_key() const { return pkey_.get(); }

 private:
  Secret(KeyType type, std::string bytes, std::shared_ptr<evp_pkey_st> pkey);

  KeyType type_;
  std::string bytes_;
  // Shared by the copies of one Secret; OpenSSL keys are safe to use from several threads.
  std::shared_ptr<evp_pkey_st> pkey_;
};

}  // namespace hookd::sign
