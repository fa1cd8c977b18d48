// Unit tests of server/admission.cpp: address keys (IPv6 by /64), CIDR ranges, the Host rules, the
// accept-time connection gate, the Origin rules and the per-address counter.
#include "admission.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace moim::server {
namespace {

TEST(OriginPolicyParse, CanonicalAllowedForms) {
  EXPECT_EQ(OriginPolicy::canonical_allowed("*"), "*");
  EXPECT_EQ(OriginPolicy::canonical_allowed("https://moim.example:8443"), "https://moim.example:8443");
  EXPECT_EQ(OriginPolicy::canonical_allowed("https://Moim.Example"), "https://moim.example:443");
  EXPECT_EQ(OriginPolicy::canonical_allowed("HTTP://moim.example/"), "http://moim.example:80");
  EXPECT_EQ(OriginPolicy::canonical_allowed("http://[::1]:8080"), "http://[::1]:8080");
  EXPECT_EQ(OriginPolicy::canonical_allowed("http://192.168.1.5:08080"), "http://192.168.1.5:8080");
}

TEST(OriginPolicyParse, RejectsNonOrigins) {
  for (const char* text : {"", "moim.example", "ftp://moim.example", "ws://moim.example", "https://", "https://:8443",
                           "https://moim.example/path", "https://moim.example:0", "https://moim.example:70000",
                           "https://moim.example:", "https://user@moim.example", "https://moim example", "null",
                           "**", "https://[::1"}) {
    EXPECT_FALSE(OriginPolicy::canonical_allowed(text).has_value()) << text;
  }
}

TEST(OriginPolicy, NoOriginIsAllowed) {
  const OriginPolicy policy;
  EXPECT_TRUE(policy.allows(std::nullopt, "example.com", false));
  EXPECT_TRUE(policy.allows(std::nullopt, "", true));
}

TEST(OriginPolicy, SameOriginOnlyByDefault) {
  const OriginPolicy policy;
  EXPECT_TRUE(policy.allows("http://localhost:8080", "localhost:8080", false));
  EXPECT_TRUE(policy.allows("http://LocalHost:8080", "localhost:8080", false));
  EXPECT_TRUE(policy.allows("http://moim.example", "moim.example", false));     // both default 80
  EXPECT_TRUE(policy.allows("http://moim.example:80", "moim.example", false));
  EXPECT_TRUE(policy.allows("https://moim.example", "moim.example:443", true));
  EXPECT_TRUE(policy.allows("https://[::1]:8443", "[::1]:8443", true));
  // Scheme follows TLS.
  EXPECT_FALSE(policy.allows("https://localhost:8080", "localhost:8080", false));
  EXPECT_FALSE(policy.allows("http://localhost:8443", "localhost:8443", true));
  // Host and port must match.
  EXPECT_FALSE(policy.allows("http://localhost:8081", "localhost:8080", false));
  EXPECT_FALSE(policy.allows("http://127.0.0.1:8080", "localhost:8080", false));
  EXPECT_FALSE(policy.allows("http://evil.example", "moim.example", false));
  EXPECT_FALSE(policy.allows("http://moim.example.evil", "moim.example", false));
  // Opaque and malformed origins, and a missing Host.
  EXPECT_FALSE(policy.allows("null", "moim.example", false));
  EXPECT_FALSE(policy.allows("", "moim.example", false));
  EXPECT_FALSE(policy.allows("http://moim.example", "", false));
  EXPECT_FALSE(policy.allows("http://moim.example/path", "moim.example", false));
}

TEST(OriginPolicy, AllowList) {
  const OriginPolicy policy({*OriginPolicy::canonical_allowed("https://moim.example:8443"),
                             *OriginPolicy::canonical_allowed("http://friend.example")});
  EXPECT_FALSE(policy.allows_any());
  EXPECT_TRUE(policy.allows("https://moim.example:8443", "other.host:9000", false));
  EXPECT_TRUE(policy.allows("http://FRIEND.example:80", "other.host:9000", true));
  EXPECT_TRUE(policy.allows("http://other.host:9000", "other.host:9000", false));  // same origin too
  EXPECT_FALSE(policy.allows("https://moim.example", "other.host:9000", false));
  EXPECT_FALSE(policy.allows("https://friend.example", "other.host:9000", false));
}

TEST(OriginPolicy, StarAllowsAny) {
  const OriginPolicy policy({"*"});
  EXPECT_TRUE(policy.allows_any());
  EXPECT_TRUE(policy.allows("http://evil.example", "moim.example", false));
  EXPECT_TRUE(policy.allows("null", "moim.example", true));
}

TEST(AddressLimiter, CountsPerAddressAndGivesBack) {
  AddressLimiter limiter(2);
  AddressLimiter::Slot a1 = limiter.acquire("10.0.0.1");
  AddressLimiter::Slot a2 = limiter.acquire("10.0.0.1");
  ASSERT_TRUE(a1);
  ASSERT_TRUE(a2);
  EXPECT_FALSE(limiter.acquire("10.0.0.1"));
  AddressLimiter::Slot b1 = limiter.acquire("10.0.0.2");
  EXPECT_TRUE(b1);
  EXPECT_EQ(limiter.count("10.0.0.1"), 2u);
  a1.release();
  EXPECT_FALSE(a1);
  EXPECT_EQ(limiter.count("10.0.0.1"), 1u);
  AddressLimiter::Slot a3 = limiter.acquire("10.0.0.1");
  EXPECT_TRUE(a3);
  {
    AddressLimiter::Slot moved = std::move(a3);
    EXPECT_FALSE(a3);
    EXPECT_EQ(limiter.count("10.0.0.1"), 2u);
  }  // destroyed: given back
  EXPECT_EQ(limiter.count("10.0.0.1"), 1u);
  a2 = AddressLimiter::Slot();  // move-assigning releases the old slot
  EXPECT_EQ(limiter.count("10.0.0.1"), 0u);
  b1.release();
  EXPECT_EQ(limiter.addresses(), 0u);  // no entry is left behind
}

TEST(AddressLimiter, ZeroMeansNoLimitAndManyAddressesSurviveRehash) {
  AddressLimiter limiter(0);
  std::vector<AddressLimiter::Slot> slots;
  for (int i = 0; i < 5000; ++i) slots.push_back(limiter.acquire("10.0." + std::to_string(i % 1000) + ".1"));
  for (const auto& slot : slots) EXPECT_TRUE(slot);
  EXPECT_EQ(limiter.addresses(), 1000u);
  EXPECT_EQ(limiter.count("10.0.7.1"), 5u);
  slots.clear();
  EXPECT_EQ(limiter.addresses(), 0u);
}


// ---- address keys ------------------------------------------------------------------------------------

TEST(AddressKey, Ipv4AsIsIpv6ByItsSlash64MappedAsIpv4) {
  EXPECT_EQ(address_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_key("2001:0DB8:0001:0002::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:2:ffff::9"));  // one /64, one key
  EXPECT_NE(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
  EXPECT_EQ(address_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(address_key("::ffff:c000:0207"), "192.0.2.7");
  EXPECT_EQ(address_key("::1"), "::/64");
  EXPECT_EQ(address_key("fe80::1%eth0"), "fe80::/64");
  EXPECT_EQ(address_key("not an address"), "not an address");  // unchanged
}

TEST(ParseIp, StrictForms) {
  EXPECT_TRUE(parse_ip("0.0.0.0"));
  EXPECT_TRUE(parse_ip("255.255.255.255"));
  EXPECT_TRUE(parse_ip("::"));
  EXPECT_EQ(parse_ip("2001:db8::1")->to_string(), "2001:db8::1");
  EXPECT_EQ(parse_ip("::ffff:10.0.0.1")->to_string(), "10.0.0.1");
  EXPECT_TRUE(parse_ip("10.0.0.1")->is_v4());
  EXPECT_FALSE(parse_ip("2001:db8::1")->is_v4());
  for (std::string_view bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4x", " 1.2.3.4", "1.2.3.4 ", "[::1]",
                               "::1:", "1.2.3.4:80", "2001:db8::1::2", "fe80::1%", "localhost", "0x7f.0.0.1"}) {
    EXPECT_FALSE(parse_ip(bad)) << bad;
  }
}

TEST(ParseCidr, RangesAndClearErrors) {
  std::string error;
  const auto v4 = parse_cidr("10.0.0.0/8", &error);
  ASSERT_TRUE(v4) << error;
  EXPECT_EQ(v4->to_string(), "10.0.0.0/8");
  EXPECT_TRUE(v4->contains(*parse_ip("10.255.1.2")));
  EXPECT_TRUE(v4->contains(*parse_ip("::ffff:10.1.1.1")));  // the mapped form of an IPv4 peer
  EXPECT_FALSE(v4->contains(*parse_ip("11.0.0.1")));
  EXPECT_FALSE(v4->contains(*parse_ip("2001:db8::1")));

  const auto single = parse_cidr("192.0.2.1");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->to_string(), "192.0.2.1/32");
  EXPECT_TRUE(single->contains(*parse_ip("192.0.2.1")));
  EXPECT_FALSE(single->contains(*parse_ip("192.0.2.2")));

  const auto v6 = parse_cidr("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*parse_ip("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->contains(*parse_ip("2001:db9::1")));
  EXPECT_FALSE(v6->contains(*parse_ip("10.0.0.1")));
  const auto odd = parse_cidr("10.0.0.0/13");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(*parse_ip("10.7.255.255")));
  EXPECT_FALSE(odd->contains(*parse_ip("10.8.0.0")));
  EXPECT_TRUE(parse_cidr("0.0.0.0/0")->contains(*parse_ip("203.0.113.9")));
  EXPECT_TRUE(parse_cidr("::/0")->contains(*parse_ip("2001:db8::1")));

  EXPECT_FALSE(parse_cidr("10.0.0.1/8", &error));
  EXPECT_NE(error.find("did you mean 10.0.0.0/8"), std::string::npos) << error;
  EXPECT_FALSE(parse_cidr("10.0.0.0/33", &error));
  EXPECT_NE(error.find("0 to 32"), std::string::npos) << error;
  EXPECT_FALSE(parse_cidr("2001:db8::/129", &error));
  EXPECT_NE(error.find("0 to 128"), std::string::npos) << error;
  for (std::string_view bad : {"", "/8", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "example.com", "10.0.0.0/ 8",
                               "fe80::1%eth0/128", "10.0.0.0/0x8"}) {
    error.clear();
    EXPECT_FALSE(parse_cidr(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

// ---- Host header ----------------------------------------------------------------------------------

TEST(HostPolicy, IpLiteralsLocalhostAndListedNamesOnly) {
  const HostPolicy none;
  for (std::string_view ok : {"127.0.0.1", "127.0.0.1:8080", "192.0.2.1:443", "[::1]:8080", "[2001:db8::1]",
                              "localhost", "localhost:8080", "LOCALHOST:1", "localhost."}) {
    EXPECT_TRUE(none.allows(ok)) << ok;
  }
  for (std::string_view bad : {"", "moim.test", "moim.test:8080", "evil.example", "localhost.evil.example",
                               "127.0.0.1.nip.io", "[::1", "[not-ip]:80", "a b", "localhost:x", ":80", "127.0.0.1:99999",
                               "user@localhost"}) {
    EXPECT_FALSE(none.allows(bad)) << bad;
  }
  const HostPolicy named({"moim.test", "moim.example"});
  EXPECT_TRUE(named.allows("moim.test:8080"));
  EXPECT_TRUE(named.allows("MOIM.Example"));
  EXPECT_TRUE(named.allows("moim.example.:443"));
  EXPECT_TRUE(named.allows("127.0.0.1"));
  EXPECT_FALSE(named.allows("sub.moim.example"));
  EXPECT_FALSE(named.allows("moim.example.evil"));
}

TEST(HostPolicy, CanonicalNamesAndOriginHosts) {
  EXPECT_EQ(HostPolicy::canonical_name("Moim.Example."), "moim.example");
  EXPECT_EQ(HostPolicy::canonical_name("moim.test"), "moim.test");
  for (std::string_view bad : std::initializer_list<std::string_view>{"", ".", "moim..test", "-moim.test", "moim-.test", "moim.test:80", "https://moim.test",
                               "moim.test/", "[::1]", "a b", std::string_view("x\0y", 3)}) {
    EXPECT_FALSE(HostPolicy::canonical_name(bad)) << bad;
  }
  EXPECT_EQ(HostPolicy::host_of_origin("https://moim.example:8443"), "moim.example");
  EXPECT_EQ(HostPolicy::host_of_origin("http://[::1]:80"), "[::1]");
  EXPECT_FALSE(HostPolicy::host_of_origin("*"));
}

// ---- ConnectionGate ----------------------------------------------------------------------------------

TEST(ConnectionGate, PerAddressAndTotalLimitsAndExemptProxies) {
  ConnectionGate gate(2, 4);
  ConnectionGate::Refusal why{};
  auto a1 = gate.admit("192.0.2.1", false, &why);
  auto a2 = gate.admit("192.0.2.1", false, &why);
  EXPECT_TRUE(a1 && a2);
  EXPECT_FALSE(gate.admit("192.0.2.1", false, &why));
  EXPECT_EQ(why, ConnectionGate::Refusal::AddressFull);
  auto b1 = gate.admit("192.0.2.2", false, &why);
  EXPECT_TRUE(b1);
  auto proxy = gate.admit("10.0.0.1", true, &why);  // exempt from the per-address count...
  EXPECT_TRUE(proxy);
  EXPECT_EQ(gate.open(), 4u);
  EXPECT_FALSE(gate.admit("192.0.2.3", false, &why));  // ...not from the total
  EXPECT_EQ(why, ConnectionGate::Refusal::ServerFull);
  EXPECT_FALSE(gate.admit("10.0.0.1", true, &why));
  EXPECT_EQ(why, ConnectionGate::Refusal::ServerFull);

  a1.release();
  EXPECT_EQ(gate.open(), 3u);
  EXPECT_EQ(gate.count("192.0.2.1"), 1u);
  ConnectionGate::Ticket moved = std::move(a2);
  EXPECT_FALSE(a2);
  EXPECT_EQ(gate.open(), 3u);
  { auto again = gate.admit("192.0.2.1", false, &why); EXPECT_TRUE(again); }  // destroyed: given back
  EXPECT_EQ(gate.open(), 3u);
  moved = ConnectionGate::Ticket();
  b1 = ConnectionGate::Ticket();
  proxy.release();
  EXPECT_EQ(gate.open(), 0u);
  EXPECT_EQ(gate.count("192.0.2.1"), 0u);
}

TEST(ConnectionGate, ZeroMeansNoLimit) {
  ConnectionGate gate(0, 0);
  std::vector<ConnectionGate::Ticket> tickets;
  for (int i = 0; i < 1000; ++i) tickets.push_back(gate.admit("192.0.2.1", false));
  EXPECT_TRUE(tickets.back());
  EXPECT_EQ(gate.open(), 1000u);
  tickets.clear();
  EXPECT_EQ(gate.open(), 0u);
}

}  // namespace
}  // namespace moim::server
