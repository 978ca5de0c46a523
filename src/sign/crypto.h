// The OpenSSL primitives the signing library is built on. Internal to hookd_sign.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "hookd/sign/hmac.h"

struct evp_pkey_st;

namespace hookd::sign::crypto {

// A digest or MAC value, held inline (no allocation on the verify path).
struct Digest {
  std::array<unsigned char, 64> bytes{};
  std::size_t size = 0;

  std::string_view view() const { return {reinterpret_cast<const char*>(bytes.data()), size}; }
};

// HMAC of the concatenation of `parts` (so callers need not build the signed string). Thread-safe:
// each thread keeps its own OpenSSL context per algorithm. Aborts if OpenSSL fails, which only happens
// when it is out of memory or misinstalled.
Digest hmac(HmacAlgorithm algorithm, std::string_view key, std::initializer_list<std::string_view> parts);

Digest sha256(std::string_view data);

// Compares in time that depends only on the lengths, never on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// `count` bytes from OpenSSL's CSPRNG; aborts if it cannot produce them.
std::string random_bytes(std::size_t count);

// Ed25519 over the concatenation of `parts`. `key` must be an Ed25519 private key for sign (64-byte
// signature) and a private or public key for verify.
std::string ed25519_sign(evp_pkey_st* key, std::initializer_list<std::string_view> parts);
bool ed25519_verify(evp_pkey_st* key, std::string_view signature, std::initializer_list<std::string_view> parts);

}  // namespace hookd::sign::crypto
