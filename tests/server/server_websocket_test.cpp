// The WebSocket transport of the real moim-server, frame by frame (RFC 6455), with a client that
// writes raw bytes (raw_ws_client.hpp): messages in fragments, control frames between fragments,
// many messages in one TCP segment and one message over many, the close handshake both ways,
// unmasked and malformed frames, messages over the 1 MiB transport limit, and the frames the
// server writes (unmasked, one frame per message).
#include "raw_ws_client.hpp"
#include "server_fixture.hpp"

#include <string>
#include <thread>
#include <vector>

namespace moim::test {
namespace {

constexpr std::string_view kHello = R"({"type":"hello","version":3})";
constexpr std::string_view kPing = R"({"type":"ping"})";
constexpr unsigned kProtocolError = 1002, kInvalidPayload = 1007, kTooBig = 1009;

class WebSocketFrames : public ServerFixture {
 protected:
  // A raw client that has said hello (its welcome read and checked).
  std::unique_ptr<RawWsClient> raw_hello() {
    auto client = std::make_unique<RawWsClient>(port());
    EXPECT_TRUE(client->send(Op::Text, kHello));
    expect_type(*client, "welcome");
    return client;
  }
  // The next text message is JSON of this type, in unmasked frames.
  void expect_type(RawWsClient& client, std::string_view type) {
    const std::optional<std::string> text = client.read_text();
    ASSERT_TRUE(text.has_value()) << "no message, expected " << type;
    EXPECT_EQ(type_of(json::parse(*text, nullptr, false)), type) << *text;
  }
  // The server answers with a close frame carrying `code`, then ends the TCP connection; nothing of
  // it reaches the hub, and the server goes on serving.
  void expect_closed_with(RawWsClient& client, unsigned code, const std::string& what) {
    const std::optional<unsigned> got = client.read_close_code();
    ASSERT_TRUE(got.has_value()) << what << ": no close frame";
    EXPECT_EQ(*got, code) << what;
    EXPECT_TRUE(client.wait_eof()) << what << ": the connection stayed open";
    expect_server_healthy();
  }
};

TEST_F(WebSocketFrames, AFragmentedMessageIsOneMessage) {
  RawWsClient client(port());
  ASSERT_TRUE(client.send(Op::Text, R"({"type":)", not_final()));
  ASSERT_TRUE(client.send(Op::Continuation, R"("hello",)", not_final()));
  ASSERT_TRUE(client.send(Op::Continuation, R"("version":3})"));
  expect_type(client, "welcome");
  // A character split between two fragments is still one valid character: the hub gets the whole
  // message (and answers its unknown type).
  ASSERT_TRUE(client.send(Op::Text, "{\"type\":\"\xe2\x82", not_final()));
  ASSERT_TRUE(client.send(Op::Continuation, "\xac\"}"));
  const std::optional<std::string> answer = client.read_text();
  ASSERT_TRUE(answer.has_value());
  const json error = json::parse(*answer, nullptr, false);
  EXPECT_EQ(error.value("code", ""), "unknown-type") << *answer;
}

TEST_F(WebSocketFrames, ControlFramesBetweenFragmentsAreAnsweredAtOnce) {
  RawWsClient client(port());
  ASSERT_TRUE(client.send(Op::Text, R"({"type":"hel)", not_final()));
  ASSERT_TRUE(client.send(Op::Ping, "are you there"));
  ASSERT_TRUE(client.send(Op::Pong, "unsolicited"));  // allowed, and ignored
  // The pong comes before the message is complete.
  const std::optional<RawFrame> pong = client.read_frame();
  ASSERT_TRUE(pong.has_value()) << "no answer to a ping inside a fragmented message";
  EXPECT_EQ(pong->opcode, static_cast<std::uint8_t>(Op::Pong));
  EXPECT_EQ(pong->payload, "are you there");
  EXPECT_FALSE(pong->masked);
  ASSERT_TRUE(client.send(Op::Continuation, R"(lo","version":3})"));
  expect_type(client, "welcome");
}

TEST_F(WebSocketFrames, ManyMessagesInOneWriteAndOneMessageInManyWrites) {
  RawWsClient client(port());
  // Three messages in one TCP write: three answers, none waiting for more bytes to arrive.
  ASSERT_TRUE(client.send_raw(RawWsClient::frame(Op::Text, kHello) + RawWsClient::frame(Op::Text, kPing) +
                              RawWsClient::frame(Op::Text, kPing)));
  expect_type(client, "welcome");
  expect_type(client, "pong");
  expect_type(client, "pong");
  // Messages with 16-bit and 64-bit lengths, each followed by a short one in the same write.
  const std::string padded = R"({"type":"ping","pad":")" + std::string(300, ' ') + "\"}";
  const std::string huge = R"({"type":"ping","pad":")" + std::string(70 * 1024, ' ') + "\"}";  // over 64 KiB
  ASSERT_TRUE(client.send_raw(RawWsClient::frame(Op::Text, padded) + RawWsClient::frame(Op::Text, kPing) +
                              RawWsClient::frame(Op::Text, huge) + RawWsClient::frame(Op::Text, kPing)));
  expect_type(client, "pong");
  expect_type(client, "pong");
  expect_type(client, "error");  // message-too-large, from the hub
  expect_type(client, "pong");
  // A message one byte at a time (header and payload in separate reads).
  ASSERT_TRUE(client.send_raw(RawWsClient::frame(Op::Text, kPing), 1));
  expect_type(client, "pong");
  // A message and the first bytes of the next in one write, the rest later.
  const std::string two = RawWsClient::frame(Op::Text, kPing) + RawWsClient::frame(Op::Text, kPing);
  const std::size_t cut = two.size() / 2 + 3;
  ASSERT_TRUE(client.send_raw(std::string_view(two).substr(0, cut)));
  expect_type(client, "pong");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(client.send_raw(std::string_view(two).substr(cut)));
  expect_type(client, "pong");
  // A ping in the same write as a message: both answered.
  ASSERT_TRUE(client.send_raw(RawWsClient::frame(Op::Text, kPing) + RawWsClient::frame(Op::Ping, "p")));
  expect_type(client, "pong");
  const std::optional<RawFrame> pong = client.read_frame();
  ASSERT_TRUE(pong && pong->opcode == static_cast<std::uint8_t>(Op::Pong));
  EXPECT_EQ(pong->payload, "p");
}

TEST_F(WebSocketFrames, TheClientsCloseIsEchoedAndEndsTheConnection) {
  auto client = raw_hello();
  ASSERT_TRUE(client->send_raw(RawWsClient::close_frame(1000, "bye")));
  expect_closed_with(*client, 1000, "close 1000 from the client");
}

TEST_F(WebSocketFrames, TheServersCloseWaitsForTheClientsAnswer) {
  RawWsClient client(port());
  // A hello of another protocol version is answered, then the server closes (1000).
  ASSERT_TRUE(client.send(Op::Text, R"({"type":"hello","version":1})"));
  const std::optional<unsigned> code = client.read_close_code();
  ASSERT_TRUE(code.has_value()) << "no close frame after a version mismatch";
  EXPECT_EQ(*code, 1000u);
  // The server has sent its close frame and waits for ours before it ends the connection.
  EXPECT_FALSE(client.wait_eof(std::chrono::milliseconds(300))) << "closed before the client answered";
  ASSERT_TRUE(client.send_raw(RawWsClient::close_frame(1000)));
  EXPECT_TRUE(client.wait_eof()) << "the connection stayed open after the close handshake";
}

TEST_F(WebSocketFrames, AnUnmaskedClientFrameIsAProtocolError) {
  RawWsClient client(port());
  ASSERT_TRUE(client.send(Op::Text, kHello, unmasked()));
  expect_closed_with(client, kProtocolError, "unmasked text frame");
}

TEST_F(WebSocketFrames, MalformedFramesCloseWithTheirCode) {
  struct Case {
    const char* what;
    std::string bytes;
    unsigned code;
  };
  using F = RawWsClient;
  const std::vector<Case> cases = {
      {"RSV1 (compression) without the extension", F::frame(Op::Text, kPing, reserved_bits(4)), kProtocolError},
      {"RSV2 set", F::frame(Op::Text, kPing, reserved_bits(2)), kProtocolError},
      {"RSV3 set", F::frame(Op::Text, kPing, reserved_bits(1)), kProtocolError},
      {"an unknown opcode", F::frame(static_cast<Op>(0x3), kPing), kProtocolError},
      {"a continuation with no message begun", F::frame(Op::Continuation, kPing), kProtocolError},
      {"a new message inside a fragmented one",
       F::frame(Op::Text, "{", not_final()) + F::frame(Op::Text, kPing), kProtocolError},
      {"a fragmented ping", F::frame(Op::Ping, "a", not_final()) + F::frame(Op::Continuation, "b"), kProtocolError},
      {"a ping of 126 bytes", F::frame(Op::Ping, std::string(126, 'p')), kProtocolError},
      {"a close frame of one byte", F::frame(Op::Close, "x"), kProtocolError},
      {"a close code that may not be sent (1005)", F::close_frame(1005), kProtocolError},
      {"invalid UTF-8 in a text frame", F::frame(Op::Text, "{\"type\":\"\xff\"}"), kInvalidPayload},
      {"invalid UTF-8 across fragments",
       F::frame(Op::Text, "{\"type\":\"\xe2\x82", not_final()) + F::frame(Op::Continuation, "(\"}"), kInvalidPayload},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto client = raw_hello();
    ASSERT_TRUE(client->send_raw(c.bytes));
    expect_closed_with(*client, c.code, c.what);
  }
}

TEST_F(WebSocketFrames, MessagesOverTheTransportLimitCloseWith1009) {
  {
    // A header announcing 2 MiB is refused at once, without waiting for the payload.
    auto client = raw_hello();
    ASSERT_TRUE(client->send(Op::Text, "xxxx", announcing(2 * 1024 * 1024)));
    expect_closed_with(*client, kTooBig, "a 2 MiB frame header");
  }
  {
    // Fragments that add up to more than 1 MiB.
    auto client = raw_hello();
    const std::string part(400 * 1024, 'x');
    client->send(Op::Text, part, not_final());
    client->send(Op::Continuation, part, not_final());
    client->send(Op::Continuation, part);  // may fail: the server may have closed already
    expect_closed_with(*client, kTooBig, "three fragments of 400 KiB");
  }
  {
    // Just under the limit in four fragments: reaches the hub, which refuses it by its own, smaller
    // limit and keeps the connection.
    auto client = raw_hello();
    const std::string part(256 * 1024 - 64, ' ');
    ASSERT_TRUE(client->send(Op::Text, R"({"type":"ping","pad":")" + part, not_final()));
    ASSERT_TRUE(client->send(Op::Continuation, part, not_final()));
    ASSERT_TRUE(client->send(Op::Continuation, part, not_final()));
    ASSERT_TRUE(client->send(Op::Continuation, part + "\"}"));
    const std::optional<std::string> answer = client->read_text(std::chrono::seconds(5));
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(json::parse(*answer, nullptr, false).value("code", ""), "message-too-large") << *answer;
    ASSERT_TRUE(client->send(Op::Text, kPing));
    expect_type(*client, "pong");
  }
}

// The server's frames: unmasked, and one frame per message however long it is (a message cut into
// frames would cost a write each).
class WebSocketFramesLongSdp : public WebSocketFrames {
 protected:
  std::vector<std::string> server_args() const override { return {"--max-sdp-bytes", "65536"}; }
};

TEST_F(WebSocketFramesLongSdp, ALongMessageLeavesAsOneUnmaskedFrame) {
  auto sender = connect_hello();
  const std::uint32_t room = create_room(*sender, "Frames");
  ASSERT_NE(room, 0u);
  const std::uint32_t sender_id = join(*sender, room, "Sender");
  auto client = raw_hello();
  ASSERT_TRUE(client->send(Op::Text, json({{"type", "join"}, {"room", room}, {"name", "Raw"}}).dump()));
  std::uint32_t self = 0;
  for (int i = 0; i < 10 && self == 0; ++i) {
    const std::optional<std::string> text = client->read_text();
    ASSERT_TRUE(text.has_value()) << "no joined";
    const json message = json::parse(*text, nullptr, false);
    if (type_of(message) == "joined") self = message["self"].value("id", 0u);
  }
  ASSERT_NE(self, 0u);
  expect_peer_joined(*sender, self);
  const std::string sdp(40 * 1024, 'v');
  ASSERT_TRUE(sender->send_json({{"type", "signal"}, {"to", self}, {"kind", "offer"}, {"sdp", sdp}}));
  std::optional<RawFrame> frame;
  for (int i = 0; i < 10; ++i) {
    frame = client->read_frame();
    ASSERT_TRUE(frame.has_value()) << "no signal";
    if (frame->payload.find("\"signal\"") != std::string::npos || !frame->fin) break;
  }
  EXPECT_TRUE(frame->fin) << "the signal was cut into frames";
  EXPECT_EQ(frame->opcode, static_cast<std::uint8_t>(Op::Text));
  EXPECT_FALSE(frame->masked);
  EXPECT_EQ(frame->rsv, 0);
  const json signal = json::parse(frame->payload, nullptr, false);
  EXPECT_EQ(signal.value("sdp", ""), sdp);
  EXPECT_EQ(signal.value("from", 0u), sender_id);
}

// WebSocket pings are answered but do not count as the client's messages (PROTOCOL.md, Heartbeats).
class WebSocketFramesHeartbeat : public WebSocketFrames {
 protected:
  std::vector<std::string> server_args() const override { return {"--heartbeat-timeout", "1"}; }
};

TEST_F(WebSocketFramesHeartbeat, ControlPingsDoNotKeepAConnectionAlive) {
  auto client = raw_hello();
  const auto start = std::chrono::steady_clock::now();
  std::optional<unsigned> close_code;
  int pongs = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    ASSERT_TRUE(client->send(Op::Ping, "still here?"));
    const std::optional<RawFrame> frame = client->read_frame(std::chrono::milliseconds(200));
    if (!frame) continue;
    if (frame->opcode == static_cast<std::uint8_t>(Op::Pong)) {
      ++pongs;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    if (frame->opcode == static_cast<std::uint8_t>(Op::Close)) {
      close_code = frame->close_code();
      break;
    }
  }
  EXPECT_GT(pongs, 0) << "pings were not answered";
  ASSERT_TRUE(close_code.has_value()) << "a connection sending only WebSocket pings was kept";
  EXPECT_EQ(*close_code, 1000u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

}  // namespace
}  // namespace moim::test
