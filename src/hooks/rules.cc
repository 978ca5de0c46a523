#include "hooks/rules.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <re2/re2.h>
#include <chrono>
#include <ctime>

#include "core/encoding.h"
#include "hookd/sign/scheme.h"

namespace hookd::hooks {
namespace {

RuleOutcome yes() { return {true, std::nullopt, false}; }
RuleOutcome no() { return {false, std::nullopt, false}; }
RuleOutcome failed(std::string why, bool signature = false) { return {false, std::move(why), signature}; }

std::string hmac_hex(const EVP_MD* digest, std::string_view secret, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(digest, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &length);
  return core::hex_encode(std::string_view(reinterpret_cast<const char*>(out), length));
}

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The signatures in a header value, as `webhook` takes them: with commas, only the parts that start with
// the prefix (without it); otherwise the value, without the prefix if it has one. No trimming.
bool any_signature_matches(std::string_view header, std::string_view prefix, const std::string& expected) {
  if (header.find(',') == std::string_view::npos) {
    if (header.starts_with(prefix)) header.remove_prefix(prefix.size());
    return same(header, expected);
  }
  bool matched = false;
  while (true) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    if (item.starts_with(prefix)) matched |= same(item.substr(prefix.size()), expected);
    if (comma == std::string_view::npos) return matched;
    header.remove_prefix(comma + 1);
  }
}

bool in_range(const std::string& remote_addr, const std::string& ranges) {
  std::string ip = remote_addr;
  if (!ip.empty() && ip.front() == '[') {
    ip = ip.substr(1, ip.find(']') - 1);
  } else if (std::count(ip.begin(), ip.end(), ':') == 1) {
    ip = ip.substr(0, ip.find(':'));
  }
  unsigned char address[16] = {};
  const bool v6 = ip.find(':') != std::string::npos;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), address) != 1) return false;
  std::string_view rest = ranges;
  while (!rest.empty()) {
    const auto end = rest.find_first_of(" ,");
    std::string range(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (range.empty()) continue;
    int bits = -1;
    if (const auto slash = range.find('/'); slash != std::string::npos) {
      bits = std::atoi(range.c_str() + slash + 1);
      range.resize(slash);
    }
    unsigned char network[16] = {};
    const bool range_v6 = range.find(':') != std::string::npos;
    if (range_v6 != v6 || inet_pton(v6 ? AF_INET6 : AF_INET, range.c_str(), network) != 1) continue;
    const int size = v6 ? 128 : 32;
    if (bits < 0 || bits > size) bits = size;
    bool match = true;
    for (int bit = 0; bit < bits && match; ++bit) {
      match = ((address[bit / 8] >> (7 - bit % 8)) & 1) == ((network[bit / 8] >> (7 - bit % 8)) & 1);
    }
    if (match) return true;
  }
  return false;
}

// Scalr: X-Signature is hex HMAC-SHA1 of the body followed by the Date header ("Mon 02 Jan 2006
// 15:04:05 MST"), which must be within 5 minutes of now. Without those headers the rule is false.
RuleOutcome scalr(const Rule& rule, const HookRequest& request) {
  const auto signature = value_of({"header", "X-Signature", "", false}, request);
  const auto date = value_of({"header", "Date", "", false}, request);
  if (!signature || !date) return no();
  if (rule.secret.empty()) return failed("signature validation signing key can not be empty");
  if (!same(*signature, hmac_hex(EVP_sha1(), rule.secret, request.body + *date))) {
    return failed("invalid payload signature " + *signature, true);
  }
  std::tm parsed{};
  if (!strptime(date->c_str(), "%a %d %b %Y %H:%M:%S", &parsed)) return failed("cannot parse the Date header");
  const auto when = std::chrono::system_clock::from_time_t(timegm(&parsed));
  if (std::chrono::abs(std::chrono::system_clock::now() - when) > std::chrono::minutes(5)) {
    return failed("invalid payload signature outdated", true);
  }
  return yes();
}

RuleOutcome match(const Rule& rule, const HookRequest& request) {
  if (rule.type == "ip-whitelist") return in_range(request.remote_addr, rule.ip_range) ? yes() : no();
  if (rule.type == "scalr-signature") return scalr(rule, request);
  if (auto scheme = sign::parse_scheme(rule.type)) {
    auto verifier = sign::Verifier::create({*scheme, {rule.secret}, {}, {}});
    if (!verifier) return failed("the rule's secret cannot be used: " + verifier.error().detail);
    sign::Headers headers;
    for (const auto& [name, value] : request.headers) headers.add(name, value);
    if (auto verified = verifier->verify({headers, request.body, ""}); !verified) {
      return failed(std::string(sign::reason_name(verified.error().reason)) + ": " + verified.error().detail, true);
    }
    return yes();
  }
  const auto value = value_of(rule.parameter, request);
  if (!value) return no();  // a missing parameter only fails the match
  if (rule.type == "value") return *value == rule.value ? yes() : no();
  if (rule.type == "regex") {
    if (!rule.compiled_regex) return failed("error parsing regexp " + rule.regex + ": " + rule.regex_error);
    return re2::RE2::PartialMatch(*value, *rule.compiled_regex) ? yes() : no();
  }
  const EVP_MD* digest = rule.type == "payload-hmac-sha1"     ? EVP_sha1()
                         : rule.type == "payload-hmac-sha256" ? EVP_sha256()
                         : rule.type == "payload-hmac-sha512" ? EVP_sha512()
                                                              : nullptr;
  if (!digest) return no();  // an unknown type never matches, as in `webhook`
  if (rule.secret.empty()) return failed("signature validation secret can not be empty");
  const std::string prefix = rule.type.substr(std::string("payload-hmac-").size()) + "=";
  if (!any_signature_matches(*value, prefix, hmac_hex(digest, rule.secret, request.body))) {
    return failed("invalid payload signature " + *value, true);
  }
  return yes();
}

}  // namespace

RuleOutcome evaluate(const Rule& rule, const HookRequest& request, bool soft_signature_failures) {
  switch (rule.kind) {
    case Rule::Kind::all:
      for (const Rule& child : rule.rules) {
        auto outcome = evaluate(child, request, soft_signature_failures);
        if (outcome.error || !outcome.satisfied) return outcome;
      }
      return yes();
    case Rule::Kind::any: {
      for (const Rule& child : rule.rules) {
        auto outcome = evaluate(child, request, soft_signature_failures);
        if (outcome.error && !(outcome.signature_error && soft_signature_failures)) return outcome;
        if (outcome.satisfied) return yes();
      }
      return no();
    }
    case Rule::Kind::negate: {
      if (rule.rules.empty()) return no();
      auto outcome = evaluate(rule.rules.front(), request, soft_signature_failures);
      if (outcome.error) return outcome;
      return outcome.satisfied ? no() : yes();
    }
    case Rule::Kind::match:
      return match(rule, request);
  }
  return no();
}

}  // namespace hookd::hooks
