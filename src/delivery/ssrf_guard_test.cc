// The address classifier over every special range, without making any connection.
#include "delivery/ssrf_guard.h"

#include <gtest/gtest.h>

namespace hookd::delivery {
namespace {

AddressClass of(const char* text) {
  auto address = IpAddress::parse(text);
  EXPECT_TRUE(address) << text;
  return address ? classify(*address) : AddressClass::global;
}

TEST(SsrfGuard, ClassifiesIpv4Ranges) {
  const std::vector<std::pair<const char*, AddressClass>> cases = {
      {"0.0.0.0", AddressClass::unspecified},
      {"0.1.2.3", AddressClass::unspecified},
      {"10.0.0.1", AddressClass::private_use},
      {"10.255.255.255", AddressClass::private_use},
      {"100.64.0.1", AddressClass::cgnat},
      {"100.127.255.255", AddressClass::cgnat},
      {"100.128.0.1", AddressClass::global},
      {"127.0.0.1", AddressClass::loopback},
      {"127.255.255.254", AddressClass::loopback},
      {"169.254.169.254", AddressClass::link_local},
      {"172.16.0.1", AddressClass::private_use},
      {"172.31.255.255", AddressClass::private_use},
      {"172.32.0.1", AddressClass::global},
      {"192.0.0.8", AddressClass::reserved},
      {"192.0.2.1", AddressClass::documentation},
      {"192.88.99.1", AddressClass::reserved},
      {"192.168.1.1", AddressClass::private_use},
      {"198.18.0.1", AddressClass::benchmarking},
      {"198.19.255.255", AddressClass::benchmarking},
      {"198.20.0.1", AddressClass::global},
      {"198.51.100.7", AddressClass::documentation},
      {"203.0.113.9", AddressClass::documentation},
      {"224.0.0.1", AddressClass::multicast},
      {"239.255.255.255", AddressClass::multicast},
      {"240.0.0.1", AddressClass::reserved},
      {"255.255.255.255", AddressClass::reserved},
      {"8.8.8.8", AddressClass::global},
      {"1.1.1.1", AddressClass::global},
      {"11.0.0.1", AddressClass::global},
      {"193.0.2.1", AddressClass::global},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(of(text), expected) << text;
}

TEST(SsrfGuard, ClassifiesIpv6RangesAndHiddenIpv4) {
  const std::vector<std::pair<const char*, AddressClass>> cases = {
      {"::", AddressClass::unspecified},
      {"::1", AddressClass::loopback},
      {"::ffff:127.0.0.1", AddressClass::loopback},  // IPv4-mapped
      {"::ffff:10.1.2.3", AddressClass::private_use},
      {"::ffff:8.8.8.8", AddressClass::global},
      {"::127.0.0.1", AddressClass::reserved},             // IPv4-compatible
      {"64:ff9b::a9fe:a9fe", AddressClass::link_local},    // NAT64 of 169.254.169.254
      {"64:ff9b::808:808", AddressClass::global},          // NAT64 of 8.8.8.8
      {"64:ff9b:1::c0a8:101", AddressClass::private_use},  // local-use NAT64 of 192.168.1.1
      {"2002:7f00:1::", AddressClass::loopback},           // 6to4 of 127.0.0.1
      {"2002:0808:0808::1", AddressClass::global},         // 6to4 of 8.8.8.8
      {"fc00::1", AddressClass::unique_local},
      {"fd12:3456::1", AddressClass::unique_local},
      {"fe80::1", AddressClass::link_local},
      {"febf::1", AddressClass::link_local},
      {"fec0::1", AddressClass::reserved},
      {"ff02::1", AddressClass::multicast},
      {"2001:db8::1", AddressClass::documentation},
      {"2001::1", AddressClass::reserved},  // Teredo
      {"100::1", AddressClass::reserved},
      {"2606:4700::1111", AddressClass::global},
      {"2a00:1450:4001::200e", AddressClass::global},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(of(text), expected) << text;
}

TEST(SsrfGuard, RefusesSpecialAddressesAndSaysHowToAllowThem) {
  const SsrfGuard guard;
  EXPECT_FALSE(guard.check("93.184.216.34"));
  const auto refusal = guard.check("127.0.0.1");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->address_class, AddressClass::loopback);
  // The operator learns the address and how to allow it.
  const std::string for_operator = refusal->for_operator();
  EXPECT_NE(for_operator.find("refused 127.0.0.1"), std::string::npos);
  EXPECT_NE(for_operator.find("loopback"), std::string::npos);
  EXPECT_NE(for_operator.find("allow_subnets"), std::string::npos);
  EXPECT_NE(for_operator.find("--allow-subnet 127.0.0.1/32"), std::string::npos);
  EXPECT_NE(guard.check("::1")->for_operator().find("--allow-subnet ::1/128"), std::string::npos);
  // The tenant learns the class of the address, never the address.
  const auto private_use = guard.check("10.20.30.40");
  ASSERT_TRUE(private_use);
  EXPECT_EQ(private_use->for_tenant(),
            "refused: the endpoint's host is a private address, which this server does not deliver to");
  EXPECT_EQ(private_use->for_tenant().find("10."), std::string::npos);
  EXPECT_TRUE(guard.check("169.254.169.254"));
  EXPECT_TRUE(guard.check("::ffff:192.168.0.1"));
  EXPECT_TRUE(guard.check("not an address"));
}

TEST(SsrfGuard, AllowListOpensRanges) {
  const SsrfGuard guard({*Subnet::parse("127.0.0.0/8"), *Subnet::parse("fd00::/8"), *Subnet::parse("10.1.2.3")});
  EXPECT_FALSE(guard.check("127.0.0.1"));
  EXPECT_FALSE(guard.check("127.1.2.3"));
  EXPECT_FALSE(guard.check("::ffff:127.0.0.1"));  // the mapped form of an allowed address
  EXPECT_FALSE(guard.check("fd00::5"));
  EXPECT_FALSE(guard.check("10.1.2.3"));
  EXPECT_TRUE(guard.check("10.1.2.4"));
  EXPECT_TRUE(guard.check("::1"));  // IPv6 loopback is not 127.0.0.0/8
  EXPECT_TRUE(guard.check("192.168.0.1"));
}

TEST(SsrfGuard, ParsesSubnets) {
  EXPECT_TRUE(Subnet::parse("0.0.0.0/0"));
  EXPECT_TRUE(Subnet::parse("::/0"));
  EXPECT_FALSE(Subnet::parse("10.0.0.0/33"));
  EXPECT_FALSE(Subnet::parse("::/129"));
  EXPECT_FALSE(Subnet::parse("10.0.0.0/"));
  EXPECT_FALSE(Subnet::parse("10.0.0/8"));
  EXPECT_FALSE(Subnet::parse("example.com/8"));
  EXPECT_TRUE(Subnet::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
  EXPECT_FALSE(Subnet::parse("0.0.0.0/0")->contains(*IpAddress::parse("::1")));
}

}  // namespace
}  // namespace hookd::delivery
