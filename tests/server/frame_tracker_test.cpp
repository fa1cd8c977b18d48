// FrameTracker (session_socket.hpp): the frame boundaries it finds in a byte stream, whatever pieces
// the stream arrives in. The session trusts it to say when Beast holds no unread byte; if it said so
// too early a message would wait for the client's next bytes (server_websocket_test.cpp sees that
// from outside, with the real server).
#include "session_socket.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace moim::server {
namespace {

// A frame header: first byte (FIN, opcode), the length of `size`, a mask key when masked.
std::string header(unsigned char first, std::uint64_t size, bool masked = true) {
  std::string out(1, static_cast<char>(first));
  const unsigned char mask = masked ? 0x80 : 0;
  if (size < 126) {
    out.push_back(static_cast<char>(mask | size));
  } else if (size <= 0xffff) {
    out.push_back(static_cast<char>(mask | 126));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size & 0xff));
  } else {
    out.push_back(static_cast<char>(mask | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  if (masked) out += "\x11\x22\x33\x44";
  return out;
}

// One frame: header and `size` payload bytes, masked as a client sends, or not.
std::string frame(unsigned char first, std::uint64_t size, bool masked = true) {
  std::string out = header(first, size, masked);
  // Payload bytes that look like headers, so a tracker that lost its place would miscount.
  for (std::uint64_t i = 0; i < size; ++i) out.push_back(static_cast<char>(i % 3 == 0 ? 0x81 : 0x7e));
  return out;
}

constexpr unsigned char kText = 0x81, kBinary = 0x82, kFirst = 0x01, kMore = 0x00, kLast = 0x80, kPing = 0x89,
                        kPong = 0x8a, kClose = 0x88;

struct Case {
  const char* what;
  std::string bytes;
  std::uint64_t messages;
  bool at_end;
  bool single_frame = false;  // every proper prefix is inside that one frame
};

std::vector<Case> cases() {
  return {
      {"nothing yet", "", 0, true},
      {"a small masked text frame", frame(kText, 20), 1, true, true},
      {"an empty text frame", frame(kText, 0), 1, true, true},
      {"a 16-bit length", frame(kText, 300), 1, true, true},
      {"a 64-bit length", frame(kBinary, 70000), 1, true, true},
      {"an unmasked frame", frame(kText, 200, false), 1, true, true},
      {"three fragments", frame(kFirst, 10) + frame(kMore, 10) + frame(kLast, 10), 1, true},
      {"a ping between fragments", frame(kFirst, 5) + frame(kPing, 3) + frame(kLast, 5), 1, true},
      {"the first fragment only", frame(kFirst, 5), 0, false},
      {"a fragment and a ping", frame(kFirst, 5) + frame(kPing, 0), 0, false},
      {"a message then a ping", frame(kText, 5) + frame(kPing, 0), 1, false},
      {"a message, a pong, a message", frame(kText, 5) + frame(kPong, 4) + frame(kText, 130), 2, true},
      {"two messages", frame(kText, 5) + frame(kText, 126), 2, true},
      {"a close frame", frame(kClose, 2), 0, false},
      {"a message and the next one's header", frame(kText, 5) + frame(kText, 300).substr(0, 4), 1, false},
      {"a header announcing 2^32 + 5 bytes, and 4 of them", header(kText, (std::uint64_t{1} << 32) + 5) + "some", 0,
       false},
  };
}

TEST(FrameTracker, WholeInOneFeed) {
  for (const Case& c : cases()) {
    FrameTracker t;
    t.feed(reinterpret_cast<const unsigned char*>(c.bytes.data()), c.bytes.size());
    EXPECT_EQ(t.messages(), c.messages) << c.what;
    EXPECT_EQ(t.at_message_end(), c.at_end) << c.what;
  }
}

TEST(FrameTracker, ByteByByteAndEveryTwoPieceSplit) {
  for (const Case& c : cases()) {
    const auto* data = reinterpret_cast<const unsigned char*>(c.bytes.data());
    FrameTracker bytewise;
    for (std::size_t i = 0; i < c.bytes.size(); ++i) {
      bytewise.feed(data + i, 1);
      if (c.single_frame && i + 1 < c.bytes.size()) {
        ASSERT_FALSE(bytewise.at_message_end()) << c.what << ": at the end after " << i + 1 << " bytes";
        ASSERT_EQ(bytewise.messages(), 0u) << c.what << ": a message after " << i + 1 << " bytes";
      }
    }
    EXPECT_EQ(bytewise.messages(), c.messages) << c.what << " (byte by byte)";
    EXPECT_EQ(bytewise.at_message_end(), c.at_end) << c.what << " (byte by byte)";
    for (std::size_t cut = 0; cut <= c.bytes.size(); ++cut) {
      FrameTracker t;
      t.feed(data, cut);
      t.feed(data + cut, c.bytes.size() - cut);
      ASSERT_EQ(t.messages(), c.messages) << c.what << " (cut at " << cut << ")";
      ASSERT_EQ(t.at_message_end(), c.at_end) << c.what << " (cut at " << cut << ")";
    }
  }
}

}  // namespace
}  // namespace moim::server
