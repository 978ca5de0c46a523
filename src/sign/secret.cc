#include "hookd/sign/secret.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "core/encoding.h"
#include "sign/crypto.h"

namespace hookd::sign {
namespace {

constexpr std::string_view kHmacPrefix = "whsec_";
constexpr std::string_view kPrivatePrefix = "whsk_";
constexpr std::string_view kPublicPrefix = "whpk_";
constexpr std::size_t kEd25519KeyBytes = 32;
constexpr std::size_t kGeneratedHmacBytes = 24;

Error malformed(std::string detail) { return Error{Reason::malformed_secret, std::move(detail)}; }

const unsigned char* as_bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::shared_ptr<evp_pkey_st> wrap(EVP_PKEY* key) { return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free); }

std::string raw_public_key(EVP_PKEY* key) {
  std::string out(kEd25519KeyBytes, '\0');
  std::size_t size = out.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &size) != 1) {
    std::abort();  // an Ed25519 key always has a 32-byte public key
  }
  return out;
}

std::string raw_private_key(EVP_PKEY* key) {
  std::string out(kEd25519KeyBytes, '\0');
  std::size_t size = out.size();
  if (EVP_PKEY_get_raw_private_key(key, reinterpret_cast<unsigned char*>(out.data()), &size) != 1) {
    std::abort();
  }
  return out;
}

}  // namespace

Secret::Secret(KeyType type, std::string bytes, std::shared_ptr<evp_pkey_st> pkey)
    : type_(type), bytes_(std::move(bytes)), pkey_(std::move(pkey)) {}

Result<Secret> Secret::parse(std::string_view text) {
  KeyType type = KeyType::hmac;
  if (text.starts_with(kHmacPrefix)) {
    text.remove_prefix(kHmacPrefix.size());
  } else if (text.starts_with(kPrivatePrefix)) {
    text.remove_prefix(kPrivatePrefix.size());
    type = KeyType::ed25519_private;
  } else if (text.starts_with(kPublicPrefix)) {
    text.remove_prefix(kPublicPrefix.size());
    type = KeyType::ed25519_public;
  }
  if (text.empty()) return fail(malformed("the secret is empty"));
  auto decoded = core::base64_decode(text);
  if (!decoded) return fail(malformed("the secret is not valid base64"));
  std::string bytes = std::move(*decoded);

  switch (type) {
    case KeyType::hmac:
      if (bytes.size() < kMinHmacSecretBytes || bytes.size() > kMaxHmacSecretBytes) {
        return fail(malformed("a whsec_ secret must decode to " + std::to_string(kMinHmacSecretBytes) + " to " +
                              std::to_string(kMaxHmacSecretBytes) + " bytes, not " + std::to_string(bytes.size())));
      }
      return Secret(type, std::move(bytes), nullptr);

    case KeyType::ed25519_private: {
      if (bytes.size() != kEd25519KeyBytes && bytes.size() != 2 * kEd25519KeyBytes) {
        return fail(malformed("a whsk_ key must decode to a 32-byte seed or 64 bytes of seed and public key"));
      }
      auto key = wrap(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, as_bytes(bytes), kEd25519KeyBytes));
      if (!key) return fail(malformed("the whsk_ key is not a valid Ed25519 seed"));
      std::string public_key = raw_public_key(key.get());
      if (bytes.size() == 2 * kEd25519KeyBytes &&
          !crypto::constant_time_equal(std::string_view(bytes).substr(kEd25519KeyBytes), public_key)) {
        return fail(malformed("the public half of the whsk_ key does not belong to its seed"));
      }
      return Secret(type, std::move(public_key), std::move(key));
    }

    case KeyType::ed25519_public: {
      if (bytes.size() != kEd25519KeyBytes) return fail(malformed("a whpk_ key must decode to 32 bytes"));
      auto key = wrap(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, as_bytes(bytes), bytes.size()));
      if (!key) return fail(malformed("the whpk_ key is not a valid Ed25519 public key"));
      return Secret(type, std::move(bytes), std::move(key));
    }
  }
  return fail(malformed("unknown key type"));
}

Secret Secret::generate_hmac() { return Secret(KeyType::hmac, crypto::random_bytes(kGeneratedHmacBytes), nullptr); }

Secret Secret::generate_ed25519() {
  const std::string seed = crypto::random_bytes(kEd25519KeyBytes);
  auto key = wrap(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, as_bytes(seed), seed.size()));
  if (!key) std::abort();  // every 32-byte string is a valid seed
  std::string public_key = raw_public_key(key.get());
  return Secret(KeyType::ed25519_private, std::move(public_key), std::move(key));
}

Secret Secret::public_key() const {
  if (type_ != KeyType::ed25519_private) return *this;
  auto key = wrap(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, as_bytes(bytes_), bytes_.size()));
  if (!key) std::abort();
  return Secret(KeyType::ed25519_public, bytes_, std::move(key));
}

std::string Secret::to_string() const {
  switch (type_) {
    case KeyType::hmac:
      return std::string(kHmacPrefix) + core::base64_encode(bytes_);
    case KeyType::ed25519_private:
      return std::string(kPrivatePrefix) + core::base64_encode(raw_private_key(pkey_.get()) + bytes_);
    case KeyType::ed25519_public:
      return std::string(kPublicPrefix) + core::base64_encode(bytes_);
  }
  return {};
}

}  // namespace hookd::sign
