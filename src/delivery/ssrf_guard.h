// The SSRF guard: hookd delivers to URLs its users choose, so it must not become a way into the network
// it runs in. Every address a delivery would connect to is classified; anything but a global unicast
// address is refused (loopback, private, link-local, CGNAT, multicast, documentation, benchmarking,
// reserved, unspecified, and their IPv6 counterparts, including IPv4 addresses hidden in IPv6 forms),
// unless an allow-list opens its range. The HTTP client asks the guard about each resolved address and
// connects only to the addresses it allowed (net::ClientOptions::filter).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookd::delivery {

// An IPv4 or IPv6 address as 16 bytes (IPv4 as ::ffff:a.b.c.d).
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = false;

  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;
};

// An address range, "10.0.0.0/8" or "fd00::/8"; a bare address is a /32 or /128.
struct Subnet {
  IpAddress base;
  int prefix = 0;  // in bits of `base`'s own family

  static std::optional<Subnet> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
};

// Why an address is special; `global` means an ordinary public unicast address.
enum class AddressClass {
  global,
  unspecified,    // 0.0.0.0/8, ::
  loopback,       // 127.0.0.0/8, ::1
  private_use,    // 10/8, 172.16/12, 192.168/16
  cgnat,          // 100.64.0.0/10
  link_local,     // 169.254/16, fe80::/10
  multicast,      // 224/4, ff00::/8
  documentation,  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32
  benchmarking,   // 198.18/15
  reserved,       // 240/4, 192.0.0/24, 192.88.99/24, ::/96, 100::/64, 2001::/23, fec0::/10
  unique_local,   // fc00::/7
};

std::string_view address_class_name(AddressClass address_class);

// The class of `address`. IPv4 addresses inside IPv6 forms (IPv4-mapped ::ffff:0:0/96, NAT64
// 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16) are classified by the IPv4 address they carry.
AddressClass classify(const IpAddress& address);

// Why a delivery may not connect to an address, told two ways: to the tenant whose endpoint it is (the
// class of the address, never the address, so that tenants cannot map internal names to addresses),
// and to the operator (the address, and the setting that would allow it).
struct Refusal {
  std::string address;                        // as given
  std::optional<AddressClass> address_class;  // none: not an IP address

  std::string for_tenant() const;
  std::string for_operator() const;
};

class SsrfGuard {
 public:
  explicit SsrfGuard(std::vector<Subnet> allowed = {}) : allowed_(std::move(allowed)) {}

  // None when `address` may be connected to; otherwise why not.
  std::optional<Refusal> check(const std::string& address) const;

 private:
  std::vector<Subnet> allowed_;
};

}  // namespace hookd::delivery
