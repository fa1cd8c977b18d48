// The codec's fast path for long JSON strings (shared/protocol.cpp, parse_json): string values of
// 256 bytes or more are unescaped by the codec itself, everything else by nlohmann. These tests hold
// it to plain nlohmann::json::parse: same accept/refuse decision, same decoded text, and long strings
// land in the right field wherever they are in the document.
#include "protocol.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

namespace moim::proto {
namespace {

using json = nlohmann::json;

const std::string kPad(300, 'a');  // makes any string body "long"

// decode_client(text) must agree with nlohmann::json::parse(text) on validity, and a decoded offer
// must carry exactly the "sdp" nlohmann reads.
void expect_same_as_nlohmann(const std::string& text) {
  SCOPED_TRACE(text.size() > 400 ? text.substr(0, 200) + " ... " + text.substr(text.size() - 200) : text);
  const Decoded<ClientMessage> decoded = decode_client(text);
  ASSERT_LE(text.size(), kMaxMessageBytes);
  if (!is_valid_utf8(text)) {
    EXPECT_EQ(decoded.error.code, ErrorCode::BadUtf8);
    return;
  }
  const json reference = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (reference.is_discarded() || !reference.is_object()) {  // not JSON, or JSON but not an object
    EXPECT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error.code, ErrorCode::BadJson);
    return;
  }
  if (!decoded.ok()) {
    EXPECT_NE(decoded.error.code, ErrorCode::BadJson) << decoded.error.message;
    return;
  }
  if (const auto* signal = std::get_if<SendSignal>(&*decoded.message)) {
    if (signal->signal.kind == SignalKind::Candidate) {
      EXPECT_EQ(signal->signal.candidate.candidate, reference["candidate"]["candidate"].get<std::string>());
    } else {
      EXPECT_EQ(signal->signal.sdp, reference["sdp"].get<std::string>());
    }
  }
}

std::string offer_with_body(const std::string& body) {
  return R"({"type":"signal","to":7,"kind":"offer","sdp":")" + body + "\"}";
}

TEST(ProtocolLongStrings, EveryByteAndCodePointRoundTrips) {
  std::string sdp;
  for (int c = 1; c < 0x80; ++c) sdp += static_cast<char>(c);  // every ASCII byte, controls included
  sdp += "é 한국어 😀 \xEF\xBF\xBF";                                  // 2-, 3- and 4-byte UTF-8, U+FFFF
  sdp += std::string("nul:\0:", 6);
  sdp += kPad;
  for (const std::string& s : {sdp, sdp + sdp, std::string(60000, 'x'), sdp.substr(0, 256), sdp.substr(0, 255)}) {
    Signal signal{7, SignalKind::Offer, s, {}};
    const std::string text = encode(ClientMessage{SendSignal{signal}});
    const auto decoded = decode_client(text);
    ASSERT_TRUE(decoded.ok()) << decoded.error.message;
    EXPECT_EQ(std::get<SendSignal>(*decoded.message).signal.sdp, s);
    expect_same_as_nlohmann(text);
  }
}

TEST(ProtocolLongStrings, LongStringsInEveryPlaceDecode) {
  const std::string long_name = "회의 " + kPad;
  Welcome welcome{1, {RoomInfo{1, long_name, 0, 6}, RoomInfo{2, "short", 1, 6}, RoomInfo{3, long_name + "3", 2, 8}}};
  auto decoded = decode_server(encode(ServerMessage{welcome}));
  ASSERT_TRUE(decoded.ok()) << decoded.error.message;
  EXPECT_EQ(std::get<Welcome>(*decoded.message), welcome);

  Signal candidate{5, SignalKind::Candidate, {}, IceCandidate{"candidate:" + kPad, "mid-" + kPad, 3}};
  auto relayed = decode_server(encode(ServerMessage{RelayedSignal{candidate}}));
  ASSERT_TRUE(relayed.ok()) << relayed.error.message;
  EXPECT_EQ(std::get<RelayedSignal>(*relayed.message).signal, candidate);

  Joined joined{RoomInfo{1, long_name, 2, 6}, PeerInfo{4, kPad, true, false}, kPad + "token", {PeerInfo{3, "b", true, true}}};
  auto joined_decoded = decode_server(encode(ServerMessage{joined}));
  ASSERT_TRUE(joined_decoded.ok()) << joined_decoded.error.message;
  EXPECT_EQ(std::get<Joined>(*joined_decoded.message), joined);
}

TEST(ProtocolLongStrings, LongStringsGoBackByPositionNotContent) {
  const std::string a = "A" + kPad, b = "B" + kPad;
  // Long values before the sdp, in unknown fields, arrays and nested objects; a long key; short strings
  // between them; space around the colons.
  const std::string text = R"({"type" : "signal", "x":")" + a + R"(", "list":[")" + b + R"(","s",")" + a +
                           R"("], "obj":{")" + kPad + R"(" : ")" + b + R"("}, "to":7, "kind" :"offer", "sdp" : ")" +
                           b + a + R"(" , "after":")" + a + "\"}";
  const auto decoded = decode_client(text);
  ASSERT_TRUE(decoded.ok()) << decoded.error.message;
  EXPECT_EQ(std::get<SendSignal>(*decoded.message).signal.sdp, b + a);
  expect_same_as_nlohmann(text);
  // A short value that looks like an emptied long one is left alone.
  const auto empty_sdp = decode_client(R"({"type":"signal","x":")" + a + R"(","to":7,"kind":"offer","sdp":""})");
  ASSERT_TRUE(empty_sdp.ok());
  EXPECT_EQ(std::get<SendSignal>(*empty_sdp.message).signal.sdp, "");
}

TEST(ProtocolLongStrings, StringBodiesAgreeWithNlohmann) {
  const std::vector<std::string> bodies = {
      // valid
      R"(\r\n\t\b\f\/\\\")", R"(\u00e9\u00E9\u0041)", R"(\uD83D\uDE00\ud83d\ude00)", R"(\uD800\uDC00\uDBFF\uDFFF)", R"(\u0000)", R"(\uFFFF\uFFFE)",
      "한국어 é", "\x7F", R"(ends with escaped backslash \\)", R"(\")",
      // invalid
      "raw \x01 control", "raw \t tab", "raw \n newline", "raw \x1F", R"(\x)", R"(\a)", R"(\U0041)", R"(\u12G4)",
      R"(\u123)", R"(\uD800)", R"(\uD800x)", R"(\uD800\n)", R"(\uD800\u0041)", R"(\uD800\uD800)", R"(\uDC00)",
      R"(\uDFFF\uD800)", R"(\uD83D\uDE0)", R"(\)", R"(\u)", "\\\x01",
  };
  for (const std::string& body : bodies) {
    for (const std::string& text :
         {offer_with_body(kPad + body), offer_with_body(body + kPad), offer_with_body(kPad + body + kPad)}) {
      expect_same_as_nlohmann(text);
    }
  }
}

TEST(ProtocolLongStrings, BrokenDocumentsAroundLongStringsAreBadJson) {
  const std::string offer = offer_with_body(kPad);
  for (const std::string& text : {
           offer.substr(0, offer.size() - 1),                                  // no closing brace
           offer.substr(0, offer.size() - 2),                                  // unterminated string
           offer + "x", offer + "{}", offer + "\"" + kPad + "\"",               // trailing garbage
           R"({"type":"signal" "x":")" + kPad + R"(","to":7,"kind":"offer","sdp":"v"})",  // missing colon
           R"({"type":"signal","x":")" + kPad + R"(" "to":7,"kind":"offer","sdp":"v"})",  // missing comma
           R"({"type":"signal","x":tru")" + kPad + R"(","to":7,"kind":"offer","sdp":"v"})",
           R"({"type":"signal","x":1")" + kPad + R"(","to":7,"kind":"offer","sdp":"v"})",
           R"({"type":"signal",")" + kPad + R"(","to":7,"kind":"offer","sdp":"v"})",  // long value where a key goes
           "\"" + kPad + "\"",                                                 // valid JSON, not an object
       }) {
    expect_same_as_nlohmann(text);
    EXPECT_FALSE(decode_client(text).ok());
  }
}

// Random documents built from valid and invalid pieces, some with a byte changed, inserted or
// removed: the fast path must always agree with nlohmann.
TEST(ProtocolLongStrings, RandomDocumentsAgreeWithNlohmann) {
  std::mt19937 rng(20261121);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> good = {"v=0", R"(\r\n)", R"(a=candidate:1 1 udp 2122260223 192.0.2.2 9 typ host)",
                                         R"(\")", R"(\\)", R"(\/)", R"(\t)", R"(\u00e9)", R"(\uD83D\uDE00)",
                                         R"(\u0000)", "한", "é", " ", ":", ",", "{", "}", "[", "]"};
  const std::vector<std::string> bad = {R"(\x)", R"(\u12G4)", R"(\uD800)", R"(\uDC00)", R"(\uD800\u0041)", "\x01",
                                        "\t", "\n", R"(\)", R"(\u12)"};
  const std::vector<std::string> spaces = {"", " ", "\n", "\r\n\t "};
  const auto body = [&](std::size_t min_bytes) {
    std::string out;
    while (out.size() < min_bytes) out += pick(400) == 0 ? bad[pick(bad.size())] : good[pick(good.size())];
    return out;
  };
  const auto ws = [&] { return spaces[pick(spaces.size())]; };
  int valid = 0, invalid = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> fields = {R"("type")" + ws() + ":" + ws() + R"("signal")",
                                       R"("to")" + ws() + ":" + ws() + "7",
                                       R"("kind")" + ws() + ":" + ws() + R"("offer")",
                                       R"("sdp")" + ws() + ":" + ws() + "\"" + body(pick(2) ? 300 : 200) + "\""};
    for (std::size_t extra = pick(4); extra > 0; --extra) {
      const std::string value = pick(2) ? "\"" + body(pick(600)) + "\"" : "[\"" + body(300) + "\",1,{\"k\":\"" + body(10) + "\"}]";
      fields.push_back("\"x" + std::to_string(extra) + "\"" + ws() + ":" + ws() + value);
    }
    std::shuffle(fields.begin(), fields.end(), rng);
    std::string text = "{" + ws();
    for (std::size_t f = 0; f < fields.size(); ++f) text += (f ? "," + ws() : "") + fields[f];
    text += ws() + "}";
    switch (pick(6)) {
      case 0: text[pick(text.size())] = "\"\\:,{}[]x \x01"[pick(11)]; break;
      case 1: text.insert(pick(text.size() + 1), 1, "\"\\:,{}[]x \x01"[pick(11)]); break;
      case 2: text.erase(pick(text.size()), 1); break;
      default: break;
    }
    expect_same_as_nlohmann(text);
    if (::testing::Test::HasFailure()) break;  // one readable failure, not thousands
    (decode_client(text).ok() ? valid : invalid)++;
  }
  // Both outcomes are well represented.
  EXPECT_GT(valid, 500) << invalid;
  EXPECT_GT(invalid, 500);
}

}  // namespace
}  // namespace moim::proto
