#include "delivery/ssrf_guard.h"

#include <arpa/inet.h>

#include <algorithm>

namespace hookd::delivery {
namespace {

IpAddress ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress address;
  address.v4 = true;
  address.bytes[10] = address.bytes[11] = 0xff;
  address.bytes[12] = a;
  address.bytes[13] = b;
  address.bytes[14] = c;
  address.bytes[15] = d;
  return address;
}

// Whether the first `bits` bits of `address` equal those of `prefix`.
bool has_prefix(const IpAddress& address, const std::array<std::uint8_t, 16>& prefix, int bits) {
  for (int i = 0; i < bits; ++i) {
    const int byte = i / 8;
    const int mask = 0x80 >> (i % 8);
    if ((address.bytes[static_cast<std::size_t>(byte)] & mask) != (prefix[static_cast<std::size_t>(byte)] & mask)) {
      return false;
    }
  }
  return true;
}

struct Range {
  std::array<std::uint8_t, 16> prefix;
  int bits;  // over all 128 bits (IPv4 ranges are under ::ffff:0:0/96)
  AddressClass address_class;
};

std::array<std::uint8_t, 16> v4_prefix(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
  return ipv4(a, b, c, 0).bytes;
}
std::array<std::uint8_t, 16> v6_prefix(std::initializer_list<std::uint8_t> leading) {
  std::array<std::uint8_t, 16> out{};
  std::copy(leading.begin(), leading.end(), out.begin());
  return out;
}

const std::vector<Range>& v4_ranges() {
  static const std::vector<Range> ranges = {
      {v4_prefix(0, 0, 0), 96 + 8, AddressClass::unspecified},
      {v4_prefix(10, 0, 0), 96 + 8, AddressClass::private_use},
      {v4_prefix(100, 64, 0), 96 + 10, AddressClass::cgnat},
      {v4_prefix(127, 0, 0), 96 + 8, AddressClass::loopback},
      {v4_prefix(169, 254, 0), 96 + 16, AddressClass::link_local},
      {v4_prefix(172, 16, 0), 96 + 12, AddressClass::private_use},
      {v4_prefix(192, 0, 0), 96 + 24, AddressClass::reserved},
      {v4_prefix(192, 0, 2), 96 + 24, AddressClass::documentation},
      {v4_prefix(192, 88, 99), 96 + 24, AddressClass::reserved},
      {v4_prefix(192, 168, 0), 96 + 16, AddressClass::private_use},
      {v4_prefix(198, 18, 0), 96 + 15, AddressClass::benchmarking},
      {v4_prefix(198, 51, 100), 96 + 24, AddressClass::documentation},
      {v4_prefix(203, 0, 113), 96 + 24, AddressClass::documentation},
      {v4_prefix(224, 0, 0), 96 + 4, AddressClass::multicast},
      {v4_prefix(240, 0, 0), 96 + 4, AddressClass::reserved},
  };
  return ranges;
}

const std::vector<Range>& v6_ranges() {
  static const std::vector<Range> ranges = {
      {v6_prefix({0x01, 0x00}), 64, AddressClass::reserved},                   // 100::/64 discard-only
      {v6_prefix({0x20, 0x01, 0x0d, 0xb8}), 32, AddressClass::documentation},  // 2001:db8::/32
      {v6_prefix({0x20, 0x01}), 23, AddressClass::reserved},                   // 2001::/23 IETF (Teredo, ORCHID…)
      {v6_prefix({0xfc}), 7, AddressClass::unique_local},                      // fc00::/7
      {v6_prefix({0xfe, 0x80}), 10, AddressClass::link_local},                 // fe80::/10
      {v6_prefix({0xfe, 0xc0}), 10, AddressClass::reserved},                   // fec0::/10 site-local (deprecated)
      {v6_prefix({0xff}), 8, AddressClass::multicast},                         // ff00::/8
  };
  return ranges;
}

// The IPv4 address an IPv6 form carries, if it is one of those forms.
std::optional<IpAddress> embedded_v4(const IpAddress& address) {
  const auto& b = address.bytes;
  if (address.v4) return std::nullopt;
  if (has_prefix(address, ipv4(0, 0, 0, 0).bytes, 96)) return ipv4(b[12], b[13], b[14], b[15]);  // ::ffff:a.b.c.d
  if (has_prefix(address, v6_prefix({0x00, 0x64, 0xff, 0x9b}), 96)) return ipv4(b[12], b[13], b[14], b[15]);  // NAT64
  if (has_prefix(address, v6_prefix({0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}), 48)) {  // local-use NAT64: bits 104+
    return ipv4(b[12], b[13], b[14], b[15]);
  }
  if (has_prefix(address, v6_prefix({0x20, 0x02}), 16)) return ipv4(b[2], b[3], b[4], b[5]);  // 6to4
  return std::nullopt;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const std::string copy(text);
  IpAddress address;
  unsigned char buffer[16];
  if (::inet_pton(AF_INET, copy.c_str(), buffer) == 1) return ipv4(buffer[0], buffer[1], buffer[2], buffer[3]);
  if (::inet_pton(AF_INET6, copy.c_str(), buffer) == 1) {
    std::copy(buffer, buffer + 16, address.bytes.begin());
    return address;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN];
  if (v4) {
    ::inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
  } else {
    ::inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  }
  return text;
}

std::optional<Subnet> Subnet::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  auto base = IpAddress::parse(text.substr(0, slash));
  if (!base) return std::nullopt;
  const int max = base->v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    prefix = std::stoi(std::string(digits));
    if (prefix > max) return std::nullopt;
  }
  return Subnet{*base, prefix};
}

bool Subnet::contains(const IpAddress& address) const {
  if (address.v4 != base.v4) return false;
  return has_prefix(address, base.bytes, base.v4 ? 96 + prefix : prefix);
}

std::string_view address_class_name(AddressClass address_class) {
  switch (address_class) {
    case AddressClass::global:
      return "global";
    case AddressClass::unspecified:
      return "unspecified";
    case AddressClass::loopback:
      return "loopback";
    case AddressClass::private_use:
      return "private";
    case AddressClass::cgnat:
      return "carrier-grade NAT";
    case AddressClass::link_local:
      return "link-local";
    case AddressClass::multicast:
      return "multicast";
    case AddressClass::documentation:
      return "documentation";
    case AddressClass::benchmarking:
      return "benchmarking";
    case AddressClass::reserved:
      return "reserved";
    case AddressClass::unique_local:
      return "unique-local";
  }
  return "reserved";
}

AddressClass classify(const IpAddress& address) {
  if (address.v4) {
    for (const Range& range : v4_ranges()) {
      if (has_prefix(address, range.prefix, range.bits)) return range.address_class;
    }
    return AddressClass::global;
  }
  static const std::array<std::uint8_t, 16> kZero{};
  if (has_prefix(address, kZero, 128)) return AddressClass::unspecified;
  std::array<std::uint8_t, 16> loopback{};
  loopback[15] = 1;
  if (has_prefix(address, loopback, 128)) return AddressClass::loopback;
  if (auto carried = embedded_v4(address)) return classify(*carried);
  if (has_prefix(address, kZero, 96)) return AddressClass::reserved;  // IPv4-compatible ::a.b.c.d (deprecated)
  for (const Range& range : v6_ranges()) {
    if (has_prefix(address, range.prefix, range.bits)) return range.address_class;
  }
  return AddressClass::global;
}

namespace {

// "a loopback address", "an unspecified address".
std::string with_article(std::string_view name) {
  const bool vowel = !name.empty() && std::string_view("aeiou").find(name.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(name) + " address";
}

}  // namespace

std::string Refusal::for_tenant() const {
  if (!address_class) return "refused: the endpoint's host is not an IP address";
  return "refused: the endpoint's host is " + with_article(address_class_name(*address_class)) +
         ", which this server does not deliver to";
}

std::string Refusal::for_operator() const {
  if (!address_class) return "refused '" + address + "': not an IP address";
  const auto parsed = IpAddress::parse(address);
  const std::string text = parsed ? parsed->to_string() : address;
  return "refused " + text + ": " + with_article(address_class_name(*address_class)) +
         "; hookd delivers there only when allow_subnets opens it (HOOKD_ALLOW_SUBNETS, --allow-subnet " + text +
         (parsed && !parsed->v4 ? "/128" : "/32") + ")";
}

std::optional<Refusal> SsrfGuard::check(const std::string& text) const {
  const auto address = IpAddress::parse(text);
  if (!address) return Refusal{text, std::nullopt};
  const auto allowed = [&](const IpAddress& candidate) {
    return std::any_of(allowed_.begin(), allowed_.end(),
                       [&](const Subnet& subnet) { return subnet.contains(candidate); });
  };
  if (allowed(*address)) return std::nullopt;
  if (auto carried = embedded_v4(*address); carried && allowed(*carried)) return std::nullopt;
  const AddressClass address_class = classify(*address);
  if (address_class == AddressClass::global) return std::nullopt;
  return Refusal{text, address_class};
}

}  // namespace hookd::delivery
