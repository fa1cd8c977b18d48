// The STUN responder's answer budget (server/stun_rate_limit.*): per source address and in total,
// in a table of fixed size.
#include "stun_rate_limit.hpp"

#include <gtest/gtest.h>

namespace moim::server {
namespace {

stun::Address ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port = 5000) {
  stun::Address address;
  address.ip[0] = a, address.ip[1] = b, address.ip[2] = c, address.ip[3] = d;
  address.port = port;
  return address;
}

int allowed(StunRateLimit& limit, const stun::Address& source, int tries, std::int64_t now_ms) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += limit.allow(source, now_ms) ? 1 : 0;
  return n;
}

TEST(StunRateLimit, OneAddressGetsItsBurstThenItsRate) {
  StunRateLimit limit(StunRateLimit::Limits{.per_address_per_second = 10, .per_address_burst = 20,
                                            .total_per_second = 1000, .total_burst = 1000, .slots = 64},
                      1234);
  const stun::Address victim = ipv4(198, 51, 100, 7);
  EXPECT_EQ(allowed(limit, victim, 100, 0), 20);
  EXPECT_EQ(allowed(limit, victim, 100, 500), 5) << "half a second refills 5";
  // Other ports of the same address share its budget (a reflection target is an address).
  EXPECT_EQ(allowed(limit, ipv4(198, 51, 100, 7, 9999), 10, 500), 0);
  // Others are not affected (unless they share its bucket: not these, with this seed).
  EXPECT_EQ(allowed(limit, ipv4(203, 0, 113, 1), 5, 500), 5);
  // The clock going back refills nothing.
  EXPECT_EQ(allowed(limit, victim, 10, 0), 0);
}

TEST(StunRateLimit, ATotalBoundsAFloodFromForgedSources) {
  StunRateLimit limit(StunRateLimit::Limits{.per_address_per_second = 10, .per_address_burst = 20,
                                            .total_per_second = 100, .total_burst = 200, .slots = 4096},
                      99);
  int answered = 0;
  for (int i = 0; i < 100000; ++i) {
    answered += limit.allow(ipv4(10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                                 static_cast<std::uint8_t>(i)),
                            0)
                    ? 1
                    : 0;
  }
  EXPECT_EQ(answered, 200);
  // An address refused by its own bucket does not spend the total.
  StunRateLimit small(StunRateLimit::Limits{.per_address_per_second = 0, .per_address_burst = 1,
                                            .total_per_second = 0, .total_burst = 2, .slots = 16},
                      7);
  EXPECT_TRUE(small.allow(ipv4(1, 1, 1, 1), 0));
  EXPECT_EQ(allowed(small, ipv4(1, 1, 1, 1), 50, 0), 0);
  EXPECT_TRUE(small.allow(ipv4(2, 2, 2, 2), 0) || small.allow(ipv4(3, 3, 3, 3), 0));
}

TEST(StunRateLimit, IPv6CountsByItsSlash64) {
  StunRateLimit limit(StunRateLimit::Limits{.per_address_per_second = 0, .per_address_burst = 3,
                                            .total_per_second = 1000, .total_burst = 1000, .slots = 1024},
                      5);
  stun::Address a;
  a.v6 = true;
  a.ip = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1};
  stun::Address b = a;
  b.ip[15] = 0x99;  // same /64
  EXPECT_EQ(allowed(limit, a, 2, 0), 2);
  EXPECT_EQ(allowed(limit, b, 5, 0), 1);
}

}  // namespace
}  // namespace moim::server
