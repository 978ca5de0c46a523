#include "hooks/rules.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <re2/re2.h>
#include <chrono>
#include <ctime>
#include <sstream>

#include "core/encoding.h"
#include "hookd/sign/scheme.h"
#include "hooks/go_json.h"

namespace hookd::hooks {
namespace {

RuleOutcome yes() { return {true, std::nullopt, false, false}; }
RuleOutcome no() { return {false, std::nullopt, false, false}; }
RuleOutcome failed(std::string why, bool signature = false) { return {false, std::move(why), signature, false}; }
RuleOutcome missing(std::string why) { return {false, std::move(why), false, true}; }

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

// An address as Go's net.ParseIP reads it, 4 bytes for IPv4 (and IPv4-mapped IPv6), else 16; empty when
// it is not one.
std::string parse_ip(const std::string& text) {
  unsigned char bytes[16] = {};
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return std::string(reinterpret_cast<char*>(bytes), 4);
  if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return "";
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(bytes, bytes + 12, kMapped)) return std::string(reinterpret_cast<char*>(bytes) + 12, 4);
  return std::string(reinterpret_cast<char*>(bytes), 16);
}

std::string trim_set(std::string_view text, std::string_view set) {
  const auto first = text.find_first_not_of(set);
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(set) - first + 1));
}

// `webhook`'s CheckIPWhitelist: the remote address without its port must be an IP; ip-range holds ranges
// separated by white space, each a CIDR or one address (taken as /32, IPv6 too, as `webhook` does). A
// range that does not parse, before one that matches, fails the rule.
RuleOutcome ip_whitelist(const std::string& remote_addr, const std::string& ranges) {
  std::string ip = trim_set(remote_addr, " []");
  if (const auto colon = ip.rfind(':'); colon != std::string::npos) ip = trim_set(ip.substr(0, colon), " []");
  const std::string address = parse_ip(ip);
  if (address.empty()) return failed("invalid IP address found in remote address '" + remote_addr + "'");
  std::istringstream words(ranges);
  std::string range;
  while (words >> range) {
    if (range.find('/') == std::string::npos) range += "/32";
    const auto slash = range.find('/');
    const std::string prefix_text = range.substr(slash + 1);
    unsigned char network[16] = {};
    const bool v4 = inet_pton(AF_INET, range.substr(0, slash).c_str(), network) == 1;
    const bool v6 = !v4 && inet_pton(AF_INET6, range.substr(0, slash).c_str(), network) == 1;
    const int size = v4 ? 32 : 128;
    const bool digits =
        !prefix_text.empty() && prefix_text.size() <= 3 &&
        std::all_of(prefix_text.begin(), prefix_text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const int bits = digits ? std::stoi(prefix_text) : -1;
    if ((!v4 && !v6) || bits < 0 || bits > size) return failed("invalid CIDR address: " + range);
    if (address.size() * 8 != static_cast<std::size_t>(size)) continue;
    bool match = true;
    for (int bit = 0; bit < bits && match; ++bit) {
      match = ((static_cast<unsigned char>(address[static_cast<std::size_t>(bit / 8)]) >> (7 - bit % 8)) & 1) ==
              ((network[bit / 8] >> (7 - bit % 8)) & 1);
    }
    if (match) return yes();
  }
  return no();
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
  if (rule.type == "ip-whitelist") return ip_whitelist(request.remote_addr, rule.ip_range);
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
  const Lookup found = look_up(rule.parameter, request);
  if (found.missing) return missing(found.error + ": " + rule.parameter.name);
  if (!found.text) return failed(found.error);
  const std::optional<std::string>& value = found.text;
  if (rule.type == "value") return same(*value, rule.value) ? yes() : no();  // constant time: often a token
  if (rule.type == "regex") {
    if (!rule.compiled_regex) return failed("error parsing regexp " + rule.regex + ": " + rule.regex_error);
    // Go's regexp reads a byte that is not UTF-8 as U+FFFD (which `.` matches); RE2 would not match it.
    return re2::RE2::PartialMatch(go_runes(*value), *rule.compiled_regex) ? yes() : no();
  }
  // payload-hash-* are the deprecated names of the same checks, which `webhook` still runs.
  std::string algorithm = rule.type;
  if (algorithm.starts_with("payload-hash-")) algorithm = "payload-hmac-" + algorithm.substr(13);
  const EVP_MD* digest = algorithm == "payload-hmac-sha1"     ? EVP_sha1()
                         : algorithm == "payload-hmac-sha256" ? EVP_sha256()
                         : algorithm == "payload-hmac-sha512" ? EVP_sha512()
                                                              : nullptr;
  if (!digest) return no();  // an unknown type never matches, as in `webhook`
  if (rule.secret.empty()) return failed("signature validation secret can not be empty");
  const std::string prefix = algorithm.substr(std::string("payload-hmac-").size()) + "=";
  if (!any_signature_matches(*value, prefix, hmac_hex(digest, rule.secret, request.body))) {
    return failed("invalid payload signature " + *value, true);
  }
  return yes();
}

}  // namespace

RuleOutcome evaluate(const Rule& rule, const HookRequest& request, bool soft_signature_failures) {
  switch (rule.kind) {
    case Rule::Kind::none:
      return no();
    case Rule::Kind::all:
      for (const Rule& child : rule.rules) {
        auto outcome = evaluate(child, request, soft_signature_failures);
        if (outcome.error) {
          outcome.satisfied = false;
          return outcome;
        }
        if (!outcome.satisfied) return no();
      }
      return yes();
    case Rule::Kind::any:
      for (const Rule& child : rule.rules) {
        auto outcome = evaluate(child, request, soft_signature_failures);
        const bool passed_over = outcome.parameter_missing || (outcome.signature_error && soft_signature_failures);
        if (outcome.error && !passed_over) {
          outcome.satisfied = false;
          return outcome;
        }
        if (outcome.satisfied) return yes();
      }
      return no();
    case Rule::Kind::negate: {
      auto outcome = rule.rules.empty() ? no() : evaluate(rule.rules.front(), request, soft_signature_failures);
      outcome.satisfied = !outcome.satisfied;
      return outcome;
    }
    case Rule::Kind::match:
      return match(rule, request);
  }
  return no();
}

}  // namespace hookd::hooks
