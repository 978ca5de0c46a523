// Byte encodings used across hookd: base64 (RFC 4648 §4, standard alphabet) and lowercase hex.
// Decoders are strict about the alphabet and return nullopt on anything malformed; they never throw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookd::core {

std::string base64_encode(std::string_view bytes);

// Accepts padded input, and unpadded input whose length is not a multiple of four (as some senders
// strip the '='). Rejects characters outside the alphabet, misplaced padding, and non-zero bits in the
// unused tail of the last character (so each byte string has exactly one accepted spelling per padding).
std::optional<std::string> base64_decode(std::string_view text);

// Base64url (RFC 4648 §5) without padding, as JWTs use it; decoding accepts padding too.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

std::string hex_encode(std::string_view bytes);

// Appends the UTF-8 encoding of a Unicode code point (JSON \u escapes).
void append_utf8(std::string& out, std::uint32_t code_point);

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF).
bool is_utf8(std::string_view text);

// Whether `bytes` is text any database column holds: well-formed UTF-8 without NUL.
bool is_text(std::string_view bytes);

// The bytes as text any database column holds: well-formed UTF-8 without NUL. Each NUL, and each byte
// that begins no well-formed sequence, becomes U+FFFD. Text that is already so comes back unchanged.
std::string as_text(std::string_view bytes);

// Accepts upper and lower case; rejects odd lengths and non-hex characters.
std::optional<std::string> hex_decode(std::string_view text);

}  // namespace hookd::core
