// Unit tests of server/forwarded.cpp: reading X-Forwarded-For and Forwarded, and who the client is
// behind trusted proxies (spoofing attempts included).
#include "forwarded.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace moim::server {
namespace {

// The hops as text ("?" for one that cannot be read), to compare whole lists at once.
std::vector<std::string> text(const std::vector<std::optional<IpAddress>>& hops) {
  std::vector<std::string> out;
  for (const auto& hop : hops) out.push_back(hop ? hop->to_string() : "?");
  return out;
}

using Hops = std::vector<std::string>;

IpAddress ip(std::string_view text) { return parse_ip(text).value(); }

TEST(XForwardedFor, ListsEveryFormOfHop) {
  EXPECT_EQ(text(parse_x_forwarded_for("203.0.113.7")), Hops{"203.0.113.7"});
  EXPECT_EQ(text(parse_x_forwarded_for(" 203.0.113.7 ,10.0.0.2,\t2001:db8::1 ")),
            (Hops{"203.0.113.7", "10.0.0.2", "2001:db8::1"}));
  EXPECT_EQ(text(parse_x_forwarded_for("[2001:db8::1]:443, [2001:db8::2], 198.51.100.1:5678")),
            (Hops{"2001:db8::1", "2001:db8::2", "198.51.100.1"}));
  EXPECT_EQ(text(parse_x_forwarded_for("1.2.3.4,,5.6.7.8, ")), (Hops{"1.2.3.4", "5.6.7.8"}));  // empty elements
  EXPECT_EQ(text(parse_x_forwarded_for("")), Hops{});
  EXPECT_EQ(text(parse_x_forwarded_for("unknown, 1.2.3.4")), (Hops{"?", "1.2.3.4"}));
  for (std::string_view bad : {"1.2.3.4:", "1.2.3.4:port", "[1.2.3.4]", "[2001:db8::1", "2001:db8::1]:80", "1.2.3",
                               "fe80::1%eth0", "\"1.2.3.4\"", "1.2.3.4 5.6.7.8", "[2001:db8::1]x"}) {
    EXPECT_EQ(text(parse_x_forwarded_for(bad)), Hops{"?"}) << bad;
  }
}

TEST(Forwarded, ReadsForOfEachElement) {
  EXPECT_EQ(text(parse_forwarded_for("for=192.0.2.60;proto=http;by=203.0.113.43")), Hops{"192.0.2.60"});
  EXPECT_EQ(text(parse_forwarded_for(R"(for="[2001:db8:cafe::17]:4711", For=198.51.100.17 ;PROTO=https)")),
            (Hops{"2001:db8:cafe::17", "198.51.100.17"}));
  EXPECT_EQ(text(parse_forwarded_for(R"(for="192.0.2.43:47011", for="[2001:db8::1]")")),
            (Hops{"192.0.2.43", "2001:db8::1"}));
  EXPECT_EQ(text(parse_forwarded_for(R"(for="\[2001:db8::1\]")")), Hops{"2001:db8::1"});  // quoted-pair
  // Hops that name no address: unknown, obfuscated, no for=, two for=, unquoted IPv6 (':' ends a token).
  EXPECT_EQ(text(parse_forwarded_for("for=unknown, for=_hidden, proto=https, for=1.2.3.4;for=5.6.7.8")),
            (Hops{"?", "?", "?", "?"}));
  EXPECT_EQ(text(parse_forwarded_for("for=2001:db8::1")), Hops{"?"});
  EXPECT_EQ(text(parse_forwarded_for("")), Hops{});
  EXPECT_EQ(text(parse_forwarded_for(" , for=1.2.3.4")), Hops{"1.2.3.4"});
  // Bad syntax ends the list with one unreadable hop; whatever is left of it was readable.
  EXPECT_EQ(text(parse_forwarded_for("for=1.2.3.4, for")), (Hops{"1.2.3.4", "?"}));
  EXPECT_EQ(text(parse_forwarded_for(R"(for="1.2.3.4)")), Hops{"?"});
  EXPECT_EQ(text(parse_forwarded_for("for=1.2.3.4 x=1")), Hops{"?"});
  EXPECT_EQ(text(parse_forwarded_for("=1.2.3.4")), Hops{"?"});
  EXPECT_EQ(text(parse_forwarded_for("for=")), Hops{"?"});
}

class TrustedProxiesTest : public ::testing::Test {
 protected:
  TrustedProxies proxies{{*parse_cidr("10.0.0.0/8"), *parse_cidr("2001:db8:ffff::/48")}};
};

TEST_F(TrustedProxiesTest, AnUntrustedPeerIsTheClientWhateverItSays) {
  EXPECT_EQ(proxies.client_address(ip("203.0.113.9"), "198.51.100.1", std::nullopt), ip("203.0.113.9"));
  EXPECT_EQ(proxies.client_address(ip("203.0.113.9"), std::nullopt, "for=198.51.100.1"), ip("203.0.113.9"));
  // Claiming to come through a trusted proxy changes nothing either.
  EXPECT_EQ(proxies.client_address(ip("203.0.113.9"), "198.51.100.1, 10.0.0.1", std::nullopt), ip("203.0.113.9"));
  const TrustedProxies none;
  EXPECT_EQ(none.client_address(ip("10.0.0.1"), "198.51.100.1", std::nullopt), ip("10.0.0.1"));
}

TEST_F(TrustedProxiesTest, FromATrustedProxyTheRightMostUntrustedHop) {
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "198.51.100.1", std::nullopt), ip("198.51.100.1"));
  // The client prepended a forged hop; the proxy appended the real one: the right-most counts.
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "1.1.1.1, 198.51.100.1", std::nullopt), ip("198.51.100.1"));
  // Through two trusted proxies.
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "1.1.1.1, 198.51.100.1, 10.9.9.9", std::nullopt),
            ip("198.51.100.1"));
  EXPECT_EQ(proxies.client_address(ip("::ffff:10.0.0.1"), "2001:db8:1::5, 2001:db8:ffff:1::1", std::nullopt),
            ip("2001:db8:1::5"));
  // Forwarded when there is no X-Forwarded-For; X-Forwarded-For wins when there are both.
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), std::nullopt, R"(for=1.1.1.1, for="[2001:db8::7]:1")"),
            ip("2001:db8::7"));
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "198.51.100.1", "for=1.1.1.1"), ip("198.51.100.1"));
  // No header, or an empty one: the proxy itself.
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), std::nullopt, std::nullopt), ip("10.0.0.1"));
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "", std::nullopt), ip("10.0.0.1"));
  // Every hop trusted: the left-most.
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "10.1.1.1, 10.2.2.2", std::nullopt), ip("10.1.1.1"));
}

TEST_F(TrustedProxiesTest, AnUnreadableHopStopsAtTheTrustedHopToItsRight) {
  // "unknown" could hide anything; what is left of it was written by someone we do not trust.
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "1.1.1.1, unknown", std::nullopt), ip("10.0.0.1"));
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "1.1.1.1, garbage, 10.2.2.2", std::nullopt), ip("10.2.2.2"));
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), std::nullopt, "for=1.1.1.1, for=_secret"), ip("10.0.0.1"));
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), std::nullopt, "for=1.1.1.1, bad syntax"), ip("10.0.0.1"));
  // A hop after the unreadable one still counts when it is not trusted.
  EXPECT_EQ(proxies.client_address(ip("10.0.0.1"), "unknown, 198.51.100.1", std::nullopt), ip("198.51.100.1"));
}

}  // namespace
}  // namespace moim::server
