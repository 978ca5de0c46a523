#include "hookd/sign/twilio.h"

#include <algorithm>
#include <optional>

#include "core/encoding.h"
#include "sign/crypto.h"
#include "sign/mac_check.h"

namespace hookd::sign {
namespace {

constexpr std::string_view kHeader = "X-Twilio-Signature";
constexpr MacFormat kFormat{HmacAlgorithm::sha1, SignatureEncoding::base64, ""};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_digit(text[i + 1]);
      const int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high << 4 | low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The value of query parameter `name` in `url`, undecoded.
std::optional<std::string_view> query_parameter(std::string_view url, std::string_view name) {
  const std::size_t question = url.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = url.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const std::size_t equals = item.find('=');
    if (item.substr(0, equals) == name) {
      return equals == std::string_view::npos ? std::string_view{} : item.substr(equals + 1);
    }
  }
  return std::nullopt;
}

// The URL as given, with its port removed, and with the scheme's default port added: Twilio may have
// signed any of these spellings of one URL.
std::vector<std::string> url_spellings(std::string_view url) {
  std::vector<std::string> spellings{std::string(url)};
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return spellings;
  const std::string_view scheme = url.substr(0, scheme_end);
  const std::size_t authority_start = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
  const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  const std::size_t at = authority.rfind('@');
  const std::size_t host_start = at == std::string_view::npos ? 0 : at + 1;
  const std::size_t bracket = authority.rfind(']');  // IPv6 literals contain colons
  std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos &&
      (colon < host_start || (bracket != std::string_view::npos && colon < bracket))) {
    colon = std::string_view::npos;
  }
  const std::string before(url.substr(0, authority_start));
  const std::string after(url.substr(authority_end));
  if (colon != std::string_view::npos) {
    spellings.push_back(before + std::string(authority.substr(0, colon)) + after);
  } else if (iequals(scheme, "https") || iequals(scheme, "http")) {
    spellings.push_back(before + std::string(authority) + (iequals(scheme, "https") ? ":443" : ":80") + after);
  }
  return spellings;
}

std::string signed_string(std::string_view url, FormParams params) {
  std::stable_sort(params.begin(), params.end());
  std::string out(url);
  for (const auto& [name, value] : params) {
    out += name;
    out += value;
  }
  return out;
}

}  // namespace

Result<FormParams> parse_form(std::string_view body) {
  FormParams params;
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view item = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (item.empty()) continue;
    const std::size_t equals = item.find('=');
    auto name = form_decode(item.substr(0, equals));
    auto value = form_decode(equals == std::string_view::npos ? std::string_view{} : item.substr(equals + 1));
    if (!name || !value) return fail(Error{Reason::malformed_body, "the form body has a broken %-escape"});
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

std::string sign_twilio(std::string_view auth_token, std::string_view url, const FormParams& params) {
  return encode_mac(kFormat, auth_token, {signed_string(url, params)});
}

Status verify_twilio(std::string_view auth_token, std::string_view url, const HeaderSource& headers,
                     std::string_view body) {
  const auto signature = headers.find(kHeader);
  if (!signature) return fail(Error{Reason::missing_header, "missing X-Twilio-Signature header"});
  if (url.empty()) return fail(Error{Reason::missing_header, "Twilio signs the request URL, and none was given"});

  FormParams params;
  if (const auto body_hash = query_parameter(url, "bodySHA256")) {
    const auto expected = core::hex_decode(*body_hash);
    if (!expected || !crypto::constant_time_equal(crypto::sha256(body).view(), *expected)) {
      return fail(Error{Reason::body_mismatch, "the body does not hash to the URL's bodySHA256"});
    }
  } else {
    auto parsed = parse_form(body);
    if (!parsed) return fail(std::move(parsed).error());
    params = std::move(*parsed);
  }

  Status last;
  for (const std::string& spelling : url_spellings(url)) {
    last = check_mac(kFormat, auth_token, kHeader, *signature, {signed_string(spelling, params)});
    if (last || last.error().reason != Reason::no_matching_signature) return last;
  }
  return last;
}

}  // namespace hookd::sign
