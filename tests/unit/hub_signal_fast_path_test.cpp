// The hub's signal fast path (HubConfig::signal_fast_path) must be invisible: the specialized codec
// gives exactly what proto::decode_client / proto::encode give, and a hub with it produces the same
// frames as a hub without it.
#include "hub.hpp"
#include "signal_fast_path.hpp"
#include "hub_world.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace moim {
namespace {

using namespace proto;

// Strings mixing plain text with every character class the codecs treat differently.
std::string random_text(std::mt19937& rng, std::size_t max_size, bool ascii_only) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", "0", " ", ":", "=", "/", "\"", "\\", "\r\n", "\n", "\t", "\b", "\f", "\x7f", "~",
      "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host", "a=rtpmap:111 opus/48000/2\r\n"};
  static const std::vector<std::string> kNonAscii = {"\x01", "\x1f", "\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x98\x80"};
  std::string out;
  const std::size_t size = std::uniform_int_distribution<std::size_t>(0, max_size)(rng);
  while (out.size() < size) {
    if (!ascii_only && rng() % 16 == 0) {
      out += kNonAscii[rng() % kNonAscii.size()];
    } else {
      out += kPieces[rng() % kPieces.size()];
    }
  }
  return out;
}

Signal random_signal(std::mt19937& rng, bool ascii_only) {
  Signal signal;
  signal.peer = rng() % 3 == 0 ? 0xffffffffu : static_cast<PeerId>(rng() % 100000);
  signal.kind = static_cast<SignalKind>(rng() % 3);
  if (signal.kind == SignalKind::Candidate) {
    signal.candidate.candidate = random_text(rng, 300, ascii_only);
    signal.candidate.sdp_mid = random_text(rng, 8, ascii_only);
    signal.candidate.sdp_mline_index = rng() % 4 == 0 ? 2147483647 : static_cast<int>(rng() % 8);
  } else {
    signal.sdp = random_text(rng, 6000, ascii_only);
  }
  // Numbered or not; up to the largest id.
  const std::uint64_t seqs[] = {0, 1, 2, 1000, proto::kMaxId, 1 + rng() % 100000};
  signal.seq = seqs[rng() % 6];
  return signal;
}

const std::string& first_string(const Signal& signal) {
  return signal.kind == SignalKind::Candidate ? signal.candidate.candidate : signal.sdp;
}
const std::string& second_string(const Signal& signal) {
  return signal.kind == SignalKind::Candidate ? signal.candidate.sdp_mid : signal.sdp;
}

// The fast writer handles every ASCII string (controls as nlohmann writes them).
bool needs_general_encoder(const Signal& signal) {
  for (const std::string* s : {&first_string(signal), &second_string(signal)}) {
    for (unsigned char c : *s) {
      if (c >= 0x80) return true;
    }
  }
  return false;
}

// The fast reader takes ASCII with the short escapes only (other controls are written as 6-byte escapes).
bool needs_general_decoder(const Signal& signal) {
  for (const std::string* s : {&first_string(signal), &second_string(signal)}) {
    for (unsigned char c : *s) {
      if (c >= 0x80 || (c < 0x20 && c != '\b' && c != '\f' && c != '\n' && c != '\r' && c != '\t')) return true;
    }
  }
  return false;
}

TEST(HubSignalFastPath, EncodesExactlyAsTheGeneralEncoder) {
  std::mt19937 rng(7);
  int fast = 0;
  for (int i = 0; i < 3000; ++i) {
    const Signal signal = random_signal(rng, i % 2 == 0);
    const PeerId from = static_cast<PeerId>(rng());
    RelayedSignal relayed{signal};
    relayed.signal.peer = from;
    const std::optional<std::string> text = hub_detail::encode_relayed_signal(from, signal.seq, signal);
    if (text) {
      ++fast;
      ASSERT_EQ(*text, encode(ServerMessage{relayed}));
    } else {
      ASSERT_TRUE(needs_general_encoder(signal)) << encode(ServerMessage{relayed});
    }
  }
  EXPECT_GT(fast, 1500);
}

TEST(HubSignalFastPath, DecodesExactlyAsTheGeneralDecoder) {
  std::mt19937 rng(11);
  int fast = 0;
  for (int i = 0; i < 3000; ++i) {
    const Signal signal = random_signal(rng, i % 2 == 0);
    const std::string text = encode(ClientMessage{SendSignal{signal}});
    const Decoded<ClientMessage> general = decode_client(text);
    ASSERT_TRUE(general.ok()) << text;
    const std::optional<SendSignal> decoded = hub_detail::decode_canonical_signal(text);
    if (decoded) {
      ++fast;
      ASSERT_EQ(ClientMessage{*decoded}, *general.message) << text;
    } else {
      ASSERT_TRUE(needs_general_decoder(signal)) << text;
    }
  }
  EXPECT_GT(fast, 1500);
}

// Whatever the fast decoder accepts, the general decoder accepts as the same message.
TEST(HubSignalFastPath, NeverAcceptsWhatTheGeneralDecoderWouldNot) {
  std::mt19937 rng(13);
  static const std::string kBytes = "{}[]\":,\\/ 0123456789-+.eEtrufalsn\x01\x7f\x80\xc3\xa9";
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    Signal signal = random_signal(rng, true);
    if (signal.kind != SignalKind::Candidate) signal.sdp.resize(signal.sdp.size() % 200);
    std::string text = encode(ClientMessage{SendSignal{signal}});
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text[at] = kBytes[rng() % kBytes.size()]; break;
        case 1: text.erase(at, 1); break;
        case 2: text.insert(at, 1, kBytes[rng() % kBytes.size()]); break;
        default: text.resize(at); break;
      }
    }
    const std::optional<SendSignal> decoded = hub_detail::decode_canonical_signal(text);
    if (!decoded) continue;
    ++accepted;
    const Decoded<ClientMessage> general = decode_client(text);
    ASSERT_TRUE(general.ok()) << text;
    ASSERT_EQ(ClientMessage{*decoded}, *general.message) << text;
  }
  EXPECT_GT(accepted, 100);  // edits inside strings and numbers keep some texts valid
}

TEST(HubSignalFastPath, LeavesOtherShapesToTheGeneralDecoder) {
  for (const char* text : {
           R"({"type":"signal","to":1,"kind":"offer","sdp":"v=0","x":1})",          // extra field
           R"({"type": "signal","to":1,"kind":"offer","sdp":"v=0"})",               // white space
           R"({"to":1,"type":"signal","kind":"offer","sdp":"v=0"})",                // another order
           R"({"type":"signal","to":01,"kind":"offer","sdp":"v=0"})",               // leading zero
           R"({"type":"signal","to":9007199254740992,"kind":"offer","sdp":"v=0"})",       // out of range
           R"({"type":"signal","to":1,"kind":"offer","sdp":"\u0041"})",             // \u escape
           R"({"type":"signal","to":1,"kind":"offer","sdp":"v=0"} )",               // trailing byte
           R"({"type":"signal","to":1,"from":2,"kind":"offer","sdp":"v=0"})",       // spoofed sender
           R"({"type":"signal","to":1,"kind":"candidate","candidate":{"candidate":"c","sdpMid":null,"sdpMLineIndex":0}})",
           R"({"type":"signal","to":1,"kind":"offer","sdp":"v=0","seq":-1})",      // negative number
           R"({"type":"signal","to":1,"kind":"offer","sdp":"v=0","seq":9007199254740992})",  // out of range
           R"({"type":"signal","to":1,"kind":"offer","seq":3,"sdp":"v=0"})",        // seq not last
       }) {
    EXPECT_FALSE(hub_detail::decode_canonical_signal(text)) << text;
  }
  EXPECT_TRUE(hub_detail::decode_canonical_signal(
      R"({"type":"signal","to":7,"kind":"candidate","candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0}})"));
  const auto numbered = hub_detail::decode_canonical_signal(
      R"({"type":"signal","to":7,"kind":"candidate","candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0},"seq":42})");
  ASSERT_TRUE(numbered);
  EXPECT_EQ(numbered->signal.seq, 42u);
}

// Two hubs, one with the fast path and one without, fed the same frames, say the same things.
TEST(HubSignalFastPath, HubOutputIsTheSameWithAndWithoutIt) {
  HubConfig with, without;
  without.signal_fast_path = false;
  test::HubWorld world_a, world_b;
  Hub a(test::test_config(with), world_a.services());
  Hub b(test::test_config(without), world_b.services());
  auto same = [](const HubOutput& x, const HubOutput& y) {
    ASSERT_EQ(x.sends.size(), y.sends.size());
    for (std::size_t i = 0; i < x.sends.size(); ++i) {
      EXPECT_EQ(x.sends[i].to, y.sends[i].to);
      EXPECT_EQ(test::without_tokens(*x.sends[i].text), test::without_tokens(*y.sends[i].text));
    }
    EXPECT_EQ(x.closes, y.closes);
  };
  auto both = [&](ConnId conn, const std::string& text) { same(a.on_text(conn, text), b.on_text(conn, text)); };

  std::mt19937 rng(17);
  for (ConnId c = 1; c <= 4; ++c) {
    a.connect(c);
    b.connect(c);
  }
  // Before hello: every request is refused with hello-required, fast path or not.
  both(1, encode(ClientMessage{SendSignal{random_signal(rng, true)}}));
  for (ConnId c = 1; c <= 4; ++c) both(c, encode(ClientMessage{Hello{}}));
  both(1, encode(ClientMessage{CreateRoom{.name = "r"}}));
  // Not in a room yet.
  both(2, encode(ClientMessage{SendSignal{random_signal(rng, true)}}));
  for (ConnId c = 1; c <= 3; ++c) both(c, encode(ClientMessage{Join{.room = 1, .name = "p" + std::to_string(c)}}));
  for (int i = 0; i < 600; ++i) {
    Signal signal = random_signal(rng, i % 3 != 0);
    signal.peer = static_cast<PeerId>(rng() % 5);  // peers 1-3 exist; 0 and 4 do not, some are the sender
    const ConnId from = 1 + rng() % 4;               // connection 4 is not in the room
    std::string text = encode(ClientMessage{SendSignal{signal}});
    if (i % 7 == 0) text.insert(text.size() - 1, R"(,"extra":true)");
    if (i % 11 == 0) text.resize(text.size() / 2);
    both(from, text);
  }
}

}  // namespace
}  // namespace moim
