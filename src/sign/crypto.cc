#include "sign/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace hookd::sign::crypto {
namespace {

[[noreturn]] void openssl_failed(const char* what) {
  std::fprintf(stderr, "hookd: OpenSSL failed in %s\n", what);
  std::abort();
}

const unsigned char* as_bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

const char* digest_name(HmacAlgorithm algorithm) {
  switch (algorithm) {
    case HmacAlgorithm::sha1:
      return "SHA1";
    case HmacAlgorithm::sha256:
      return "SHA256";
    case HmacAlgorithm::sha512:
      return "SHA512";
  }
  openssl_failed("digest_name");
}

struct MacContextDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacContext = std::unique_ptr<EVP_MAC_CTX, MacContextDeleter>;

// Fetching the HMAC implementation and its digest costs more than hashing a kilobyte, so each thread
// keeps one context per algorithm with the digest set, and only re-keys it per call.
EVP_MAC_CTX* thread_context(HmacAlgorithm algorithm) {
  thread_local std::array<MacContext, 3> contexts;
  MacContext& slot = contexts[static_cast<std::size_t>(algorithm)];
  if (!slot) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) openssl_failed("EVP_MAC_fetch");
    slot.reset(EVP_MAC_CTX_new(mac));
    EVP_MAC_free(mac);  // the context holds its own reference
    if (!slot) openssl_failed("EVP_MAC_CTX_new");
    char* name = const_cast<char*>(digest_name(algorithm));
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
                                 OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(slot.get(), params) != 1) openssl_failed("EVP_MAC_CTX_set_params");
  }
  return slot.get();
}

struct MdContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

std::string concatenate(std::initializer_list<std::string_view> parts) {
  std::size_t total = 0;
  for (auto part : parts) total += part.size();
  std::string out;
  out.reserve(total);
  for (auto part : parts) out += part;
  return out;
}

}  // namespace

Digest hmac(HmacAlgorithm algorithm, std::string_view key, std::initializer_list<std::string_view> parts) {
  EVP_MAC_CTX* ctx = thread_context(algorithm);
  // OpenSSL reads a null key as "keep the previous key"; an empty key must still be a key.
  static const unsigned char kEmpty = 0;
  const unsigned char* key_bytes = key.empty() ? &kEmpty : as_bytes(key);
  if (EVP_MAC_init(ctx, key_bytes, key.size(), nullptr) != 1) openssl_failed("EVP_MAC_init");
  for (auto part : parts) {
    if (EVP_MAC_update(ctx, as_bytes(part), part.size()) != 1) openssl_failed("EVP_MAC_update");
  }
  Digest out;
  if (EVP_MAC_final(ctx, out.bytes.data(), &out.size, out.bytes.size()) != 1) openssl_failed("EVP_MAC_final");
  return out;
}

Digest sha256(std::string_view data) {
  Digest out;
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out.bytes.data(), &size, EVP_sha256(), nullptr) != 1) {
    openssl_failed("EVP_Digest");
  }
  out.size = size;
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    openssl_failed("RAND_bytes");
  }
  return out;
}

std::string ed25519_sign(evp_pkey_st* key, std::initializer_list<std::string_view> parts) {
  // Ed25519 is a one-shot signature: it needs the whole message at once.
  const std::string message = concatenate(parts);
  MdContext ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) {
    openssl_failed("EVP_DigestSignInit");
  }
  std::string signature(64, '\0');
  std::size_t size = signature.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, as_bytes(message),
                     message.size()) != 1) {
    openssl_failed("EVP_DigestSign");
  }
  signature.resize(size);
  return signature;
}

bool ed25519_verify(evp_pkey_st* key, std::string_view signature, std::initializer_list<std::string_view> parts) {
  const std::string message = concatenate(parts);
  MdContext ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) {
    openssl_failed("EVP_DigestVerifyInit");
  }
  return EVP_DigestVerify(ctx.get(), as_bytes(signature), signature.size(), as_bytes(message), message.size()) == 1;
}

}  // namespace hookd::sign::crypto
