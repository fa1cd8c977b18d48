// The STUN codec of the built-in responder (server/stun_message.*), against the test vectors of
// RFC 5769 (their FINGERPRINTs check the CRC-32) and a table of datagrams it must not answer.
#include "stun_message.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <vector>

namespace moim::server::stun {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view text) {
  Bytes out;
  int half = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;  // spaces and line breaks
    if (half < 0) {
      half = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(half << 4 | v));
      half = -1;
    }
  }
  return out;
}

// RFC 5769 2.1: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME,
// MESSAGE-INTEGRITY and FINGERPRINT.
const Bytes kSampleRequest = hex(R"(
  00 01 00 58  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
  80 22 00 10  53 54 55 4e  20 74 65 73  74 20 63 6c  69 65 6e 74
  00 24 00 04  6e 00 01 ff
  80 29 00 08  93 2f f9 b1  51 26 3b 36
  00 06 00 09  65 76 74 6a  3a 68 36 76  59 20 20 20
  00 08 00 14  9a ea a7 0c  bf d8 cb 56  78 1e f2 b5  b2 d3 f2 49  c1 b5 71 a2
  80 28 00 04  e5 7a 3b cf)");

// RFC 5769 2.2: the IPv4 response, mapped address 192.0.2.1 port 32853.
const Bytes kSampleIpv4Response = hex(R"(
  01 01 00 3c  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
  80 22 00 0b  74 65 73 74  20 76 65 63  74 6f 72 20
  00 20 00 08  00 01 a1 47  e1 12 a6 43
  00 08 00 14  2b 91 f5 99  fd 9e 90 c3  8c 74 89 f9  2a f9 ba 53  f0 6b e7 d7
  80 28 00 04  c0 7d 4c 96)");

// RFC 5769 2.3: the IPv6 response, mapped address 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
const Bytes kSampleIpv6Response = hex(R"(
  01 01 00 48  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
  80 22 00 0b  74 65 73 74  20 76 65 63  74 6f 72 20
  00 20 00 14  00 02 a1 47  01 13 a9 fa  a5 d3 f1 79  bc 25 f4 b5  be d2 b9 d9
  00 08 00 14  a3 82 95 4e  4b e6 7b f1  17 84 c9 7c  82 92 c2 75  bf e3 ed 41
  80 28 00 04  c8 fb 0b 4c)");

// RFC 5769 2.4: a request with long-term authentication (USERNAME, NONCE, REALM, MESSAGE-INTEGRITY),
// no FINGERPRINT.
const Bytes kSampleLongTermRequest = hex(R"(
  00 01 00 60  21 12 a4 42  78 ad 34 33  c6 ad 72 c0  29 da 41 2e
  00 06 00 12  e3 83 9e e3  83 88 e3 83  aa e3 83 83  e3 82 af e3  82 b9 00 00
  00 15 00 1c  66 2f 2f 34  39 39 6b 39  35 34 64 36  4f 4c 33 34  6f 4c 39 46  53 54 76 79  36 34 73 41
  00 14 00 0b  65 78 61 6d  70 6c 65 2e  6f 72 67 00
  00 08 00 14  f6 70 24 65  6d d6 4a 3e  02 b8 e0 71  2e 85 c9 a2  8c a8 96 66)");

const TransactionId kSampleTransaction = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

Address v4(const char* text, std::uint16_t port) {
  Address a;
  EXPECT_EQ(::inet_pton(AF_INET, text, a.ip.data()), 1) << text;
  a.port = port;
  return a;
}
Address v6(const char* text, std::uint16_t port) {
  Address a;
  a.v6 = true;
  EXPECT_EQ(::inet_pton(AF_INET6, text, a.ip.data()), 1) << text;
  a.port = port;
  return a;
}

TEST(StunCrc32, StandardCheckValue) {
  const std::string text = "123456789";
  EXPECT_EQ(crc32(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())), 0xCBF43926u);
}

TEST(StunRfc5769, SampleRequestParsesWithItsFingerprint) {
  const Parsed parsed = parse(kSampleRequest);
  ASSERT_TRUE(parsed.message) << to_string(parsed.drop);
  EXPECT_EQ(parsed.message->type, kBindingRequest);
  EXPECT_EQ(parsed.message->transaction, kSampleTransaction);
  EXPECT_TRUE(parsed.message->has_fingerprint);
  std::vector<std::uint16_t> types;
  for (const Attribute& a : parsed.message->attributes) types.push_back(a.type);
  EXPECT_EQ(types, (std::vector<std::uint16_t>{kSoftware, kPriority, 0x8029, kUsername, kMessageIntegrity, kFingerprint}));
  const Attribute* username = parsed.message->find(kUsername);
  ASSERT_NE(username, nullptr);
  EXPECT_EQ(std::string(username->value.begin(), username->value.end()), "evtj:h6vY");
}

TEST(StunRfc5769, SampleResponsesParseAndTheirXorMappedAddressesDecode) {
  const Parsed v4_response = parse(kSampleIpv4Response);
  ASSERT_TRUE(v4_response.message) << to_string(v4_response.drop);
  EXPECT_EQ(v4_response.message->type, kBindingSuccess);
  EXPECT_TRUE(v4_response.message->has_fingerprint);
  EXPECT_EQ(xor_mapped_address(*v4_response.message), v4("192.0.2.1", 32853));

  const Parsed v6_response = parse(kSampleIpv6Response);
  ASSERT_TRUE(v6_response.message) << to_string(v6_response.drop);
  EXPECT_TRUE(v6_response.message->has_fingerprint);
  EXPECT_EQ(xor_mapped_address(*v6_response.message), v6("2001:db8:1234:5678:11:2233:4455:6677", 32853));
}

// Our own answer to the sample request, for the sample's mapped addresses: the XOR-MAPPED-ADDRESS
// attribute is byte for byte the one in the RFC's responses, and it parses back.
TEST(StunRfc5769, AnswerToTheSampleRequestCarriesTheSampleXorMappedAddress) {
  const Answer a4 = answer(kSampleRequest, v4("192.0.2.1", 32853));
  ASSERT_EQ(a4.drop, Drop::None);
  const Bytes expected_v4 = {0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
  ASSERT_EQ(a4.response.size(), 20u + 12u + 8u);
  EXPECT_EQ(Bytes(a4.response.begin() + 20, a4.response.begin() + 32), expected_v4);
  const Parsed back = parse(a4.response);
  ASSERT_TRUE(back.message) << to_string(back.drop);
  EXPECT_EQ(back.message->type, kBindingSuccess);
  EXPECT_EQ(back.message->transaction, kSampleTransaction);
  EXPECT_TRUE(back.message->has_fingerprint);
  EXPECT_EQ(xor_mapped_address(*back.message), v4("192.0.2.1", 32853));

  const Answer a6 = answer(kSampleRequest, v6("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  ASSERT_EQ(a6.drop, Drop::None);
  ASSERT_EQ(a6.response.size(), 20u + 24u + 8u);
  EXPECT_EQ(Bytes(a6.response.begin() + 20, a6.response.begin() + 44),
            Bytes(kSampleIpv6Response.begin() + 36, kSampleIpv6Response.begin() + 60));
  const Parsed back6 = parse(a6.response);
  ASSERT_TRUE(back6.message);
  EXPECT_EQ(xor_mapped_address(*back6.message), v6("2001:db8:1234:5678:11:2233:4455:6677", 32853));
}

TEST(StunAnswer, LongTermAuthenticationRequestIsAnsweredWithoutChecking) {
  const Answer a = answer(kSampleLongTermRequest, v4("203.0.113.9", 40000));
  ASSERT_EQ(a.drop, Drop::None);
  const Parsed back = parse(a.response);
  ASSERT_TRUE(back.message);
  EXPECT_EQ(xor_mapped_address(*back.message), v4("203.0.113.9", 40000));
}

TEST(StunAnswer, MinimalRequestOfABrowser) {
  // What Chrome sends to a STUN server: a 20-byte Binding request, no attributes.
  const Bytes request = hex("00 01 00 00 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c");
  const Answer a = answer(request, v4("10.1.2.3", 5000));
  ASSERT_EQ(a.drop, Drop::None);
  EXPECT_LE(a.response.size(), kMaxResponseBytes);
  const Parsed back = parse(a.response);
  ASSERT_TRUE(back.message);
  EXPECT_EQ(back.message->type, kBindingSuccess);
  EXPECT_EQ(back.message->attributes.size(), 2u) << "XOR-MAPPED-ADDRESS and FINGERPRINT only";
  EXPECT_EQ(xor_mapped_address(*back.message), v4("10.1.2.3", 5000));
}

TEST(StunAnswer, UnknownComprehensionRequiredAttributeGets420ListingIt) {
  // CHANGE-REQUEST (0x0003, RFC 5780) and 0x7777: this responder knows neither.
  const Bytes request = hex("00 01 00 0c 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c"
                            "00 03 00 04 00 00 00 06  77 77 00 00");
  const Answer a = answer(request, v4("10.1.2.3", 5000));
  ASSERT_EQ(a.drop, Drop::None);
  const Parsed back = parse(a.response);
  ASSERT_TRUE(back.message) << to_string(back.drop);
  EXPECT_EQ(back.message->type, kBindingError);
  const Attribute* code = back.message->find(kErrorCode);
  ASSERT_NE(code, nullptr);
  ASSERT_GE(code->value.size(), 4u);
  EXPECT_EQ(code->value[2] * 100 + code->value[3], 420);
  const Attribute* unknown = back.message->find(kUnknownAttributes);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(Bytes(unknown->value.begin(), unknown->value.end()), (Bytes{0x00, 0x03, 0x77, 0x77}));
  EXPECT_EQ(xor_mapped_address(*back.message), std::nullopt);
  EXPECT_LE(a.response.size(), kMaxResponseBytes);

  // Comprehension-optional ones (0x8000 and up) are simply ignored.
  Bytes optional = hex("00 01 00 04 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c 80 99 00 00");
  EXPECT_EQ(parse(answer(optional, v4("10.1.2.3", 5000)).response).message->type, kBindingSuccess);
}

TEST(StunAnswer, ManyUnknownAttributesStillGiveASmallAnswer) {
  Bytes request = hex("00 01 00 00 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c");
  for (std::uint16_t t = 0x4000; t < 0x4000 + 100; ++t) {
    request.insert(request.end(), {static_cast<std::uint8_t>(t >> 8), static_cast<std::uint8_t>(t), 0, 0});
  }
  request[2] = 0x01;
  request[3] = 0x90;  // 400 bytes of attributes
  const Answer a = answer(request, v4("10.1.2.3", 5000));
  ASSERT_EQ(a.drop, Drop::None);
  EXPECT_LE(a.response.size(), kMaxResponseBytes);
  const Parsed back = parse(a.response);
  ASSERT_TRUE(back.message);
  EXPECT_EQ(back.message->find(kUnknownAttributes)->value.size(), 2 * kMaxUnknownListed);
}

TEST(StunAnswer, AttributesAfterMessageIntegrityAreIgnored) {
  // An unknown comprehension-required attribute after MESSAGE-INTEGRITY (RFC 8489 14.5): ignored.
  const Bytes request = hex("00 01 00 1c 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c"
                            "00 08 00 14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                            "77 77 00 00");
  const Answer a = answer(request, v4("10.1.2.3", 5000));
  ASSERT_EQ(a.drop, Drop::None);
  EXPECT_EQ(parse(a.response).message->type, kBindingSuccess);
}

TEST(StunAnswer, DropsEverythingThatIsNotAWellFormedBindingRequest) {
  const Bytes good = hex("00 01 00 00 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c");
  ASSERT_EQ(answer(good, v4("10.0.0.1", 1)).drop, Drop::None);
  const auto with = [&](auto change) {
    Bytes b = good;
    change(b);
    return b;
  };
  // The sample request with its FINGERPRINT broken, and with one byte changed before it.
  Bytes bad_crc = kSampleRequest;
  bad_crc.back() ^= 1;
  Bytes changed_body = kSampleRequest;
  changed_body[30] ^= 0x20;
  // A right FINGERPRINT (over the final length) followed by another attribute.
  Bytes fingerprint_not_last = hex("00 01 00 0c 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c");
  const std::uint32_t crc = crc32(fingerprint_not_last) ^ 0x5354554e;
  fingerprint_not_last.insert(fingerprint_not_last.end(), {0x80, 0x28, 0x00, 0x04, std::uint8_t(crc >> 24),
                                                           std::uint8_t(crc >> 16), std::uint8_t(crc >> 8), std::uint8_t(crc),
                                                           0x80, 0x22, 0x00, 0x00});
  Bytes short_fingerprint = hex("00 01 00 04 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c 80 28 00 00");
  struct Case {
    const char* what;
    Bytes datagram;
    Drop drop;
  };
  const std::vector<Case> cases = {
      {"empty", {}, Drop::TooShort},
      {"19 bytes", Bytes(good.begin(), good.end() - 1), Drop::TooShort},
      {"549 bytes", with([](Bytes& b) { b.resize(549, 0); b[2] = 0x02; b[3] = 0x11; }), Drop::TooLong},
      {"first bits set (RTP, DTLS...)", with([](Bytes& b) { b[0] = 0x80; }), Drop::NotStun},
      {"RFC 3489 (no cookie)", with([](Bytes& b) { b[4] = 0; }), Drop::BadCookie},
      {"length too long", with([](Bytes& b) { b[3] = 4; }), Drop::BadLength},
      {"length not a multiple of 4", with([](Bytes& b) { b.push_back(0); b.push_back(0); b[3] = 2; }), Drop::BadLength},
      {"trailing bytes", with([](Bytes& b) { b.insert(b.end(), {0, 0, 0, 0}); }), Drop::BadLength},
      {"attribute past the end", with([](Bytes& b) { b.insert(b.end(), {0x80, 0x22, 0, 8, 1, 2, 3, 4}); b[3] = 8; }),
       Drop::BadAttribute},
      {"wrong FINGERPRINT", bad_crc, Drop::BadFingerprint},
      {"changed body under a FINGERPRINT", changed_body, Drop::BadFingerprint},
      {"FINGERPRINT of 0 bytes", short_fingerprint, Drop::BadFingerprint},
      {"attribute after FINGERPRINT", fingerprint_not_last, Drop::AfterFingerprint},
      {"Binding indication", with([](Bytes& b) { b[1] = 0x11; }), Drop::NotRequest},
      {"Binding success response", with([](Bytes& b) { b[0] = 0x01; b[1] = 0x01; }), Drop::NotRequest},
      {"Binding error response", with([](Bytes& b) { b[0] = 0x01; b[1] = 0x11; }), Drop::NotRequest},
      {"our own answer sent back", answer(good, v4("10.0.0.1", 1)).response, Drop::NotRequest},
      {"TURN Allocate request", with([](Bytes& b) { b[1] = 0x03; }), Drop::NotBinding},
  };
  for (const Case& c : cases) {
    const Answer a = answer(c.datagram, v4("10.0.0.1", 1));
    EXPECT_EQ(a.drop, c.drop) << c.what << ": " << to_string(a.drop);
    EXPECT_TRUE(a.response.empty()) << c.what;
  }
}

}  // namespace
}  // namespace moim::server::stun
