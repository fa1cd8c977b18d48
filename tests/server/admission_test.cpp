// Unit tests of server/admission.cpp: the Origin rules and the per-address counter.
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

}  // namespace
}  // namespace moim::server
