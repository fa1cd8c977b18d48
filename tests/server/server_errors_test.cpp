// Misbehaving clients: each test checks that the offender gets {type:"error", code, message}
// (or, for transport-level abuse, is disconnected), that a call in progress between two other
// clients is unaffected, and that the server process is still alive.
#include "server_fixture.hpp"

#include <string>

namespace moim::test {
namespace {

// These tests push the transport's own limits, so the hub's tighter defaults are lifted: SDPs up to
// the message limit, no rate limit, and an offender dropped by the transport leaves at once instead of
// being held for a resume (hub_sessions_test and the abuse tests cover those limits).
class ServerErrors : public CallFixture {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--max-sdp-bytes", "65536", "--max-messages-per-second", "0", "--resume-grace", "0"};
  }
};

json signal_to(std::uint32_t peer, const std::string& sdp) {
  return {{"type", "signal"}, {"to", peer}, {"kind", "offer"}, {"sdp", sdp}};
}

TEST_F(ServerErrors, BadJsonIsAnswered) {
  auto offender = connect_hello();
  for (const std::string text : {"{not json", "", "[1,2,3]", "\"hello\"", "{\"type\":\"hello\""}) {
    ASSERT_TRUE(offender->send_text(text));
    expect_error(*offender, "bad-json", "text '" + text + "'");
  }
  // Connection kept: it can still create a room.
  EXPECT_NE(create_room(*offender, "Still here"), 0u);
  expect_call_unaffected("bad-json");
}

TEST_F(ServerErrors, UnknownTypeIsAnswered) {
  auto offender = connect_hello();
  ASSERT_TRUE(offender->send_json({{"type", "dance"}, {"style", "tango"}}));
  expect_error(*offender, "unknown-type");
  EXPECT_NE(create_room(*offender, "Still here"), 0u);
  expect_call_unaffected("unknown-type");
}

TEST_F(ServerErrors, MessageOverProtocolLimitIsAnsweredAndConnectionKept) {
  auto offender = connect_hello();
  const std::uint32_t offender_id = add_to_call(*offender, "Oscar");
  // 70 KiB: over the 64 KiB protocol limit, under the 1 MiB transport limit. A well-formed signal,
  // so relaying it would be the bug.
  ASSERT_TRUE(offender->send_json(signal_to(b_id_, std::string(70 * 1024, 'x'))));
  expect_error(*offender, "message-too-large");
  EXPECT_FALSE(offender->closed());
  expect_signal_delivered(*offender, offender_id, *a_, a_id_, "v=0 after oversize");
  expect_call_unaffected("oversize");  // B's next message is A's signal, not the 70 KiB one
}

TEST_F(ServerErrors, MessageOverTransportLimitClosesOnlyTheOffender) {
  auto offender = connect_hello();
  const std::uint32_t offender_id = add_to_call(*offender, "Oscar");
  offender->send_json(signal_to(b_id_, std::string(2 * 1024 * 1024, 'x')));  // may fail midway: fine
  EXPECT_TRUE(offender->wait_closed(5s)) << "the server kept a connection that sent 2 MiB";
  const auto code = offender->close_reason().code;
  if (code != 0) {
    EXPECT_EQ(code, 1009) << "close code for a too-big message";
  }
  expect_peer_left(*a_, offender_id);
  expect_peer_left(*b_, offender_id);
  expect_call_unaffected("2MiB");
}

TEST_F(ServerErrors, SignalToPeerInAnotherRoomIsPeerNotFound) {
  auto offender = connect_hello();
  const std::uint32_t other_room = create_room(*offender, "Elsewhere");
  ASSERT_NE(join(*offender, other_room, "Oscar"), 0u);
  ASSERT_TRUE(offender->send_json(signal_to(b_id_, "v=0 intrusion")));
  expect_error(*offender, "peer-not-found");
  expect_call_unaffected("peer-not-found");  // B never saw the intrusion
}

TEST_F(ServerErrors, SpoofedSenderIsRefusedAndNothingIsRelayed) {
  auto carol = connect_hello();
  const std::uint32_t carol_id = add_to_call(*carol, "Carol");
  // A claims the signal to B comes from Carol, and the one to Carol from B.
  json spoof_b = signal_to(b_id_, "v=0 spoofed to b");
  spoof_b["from"] = carol_id;
  json spoof_c = signal_to(carol_id, "v=0 spoofed to carol");
  spoof_c["from"] = b_id_;
  ASSERT_TRUE(a_->send_json(spoof_b));
  expect_error(*a_, "spoofed-sender", "to b");
  ASSERT_TRUE(a_->send_json(spoof_c));
  expect_error(*a_, "spoofed-sender", "to carol");
  // Nobody received a spoofed signal: everyone's next message is a genuine one.
  expect_signal_delivered(*b_, b_id_, *carol, carol_id, "v=0 genuine to carol");
  expect_call_unaffected("spoofed");
}

TEST_F(ServerErrors, JoinToMissingRoomIsRoomNotFound) {
  auto offender = connect_hello();
  ASSERT_TRUE(offender->send_json({{"type", "join"}, {"room", 4242}, {"name", "Oscar"}}));
  expect_error(*offender, "room-not-found");
  EXPECT_NE(create_room(*offender, "Still here"), 0u);
  expect_call_unaffected("room-not-found");
}

TEST_F(ServerErrors, BinaryFrameIsRefused) {
  auto offender = connect_hello();
  const std::uint32_t offender_id = add_to_call(*offender, "Oscar");
  ASSERT_TRUE(offender->send_binary(std::string("\x01\x02\x03\x00\xff", 5)));
  expect_error(*offender, "binary-not-supported");
  expect_signal_delivered(*offender, offender_id, *b_, b_id_, "v=0 after binary");
  expect_call_unaffected("binary");
}

TEST_F(ServerErrors, MessagesBeforeHelloAreRefused) {
  auto offender = connect();
  ASSERT_TRUE(offender->send_json({{"type", "create-room"}, {"name", "Early"}, {"capacity", 4}}));
  expect_error(*offender, "hello-required", "create-room");
  ASSERT_TRUE(offender->send_json({{"type", "join"}, {"room", room_}, {"name", "Early"}}));
  expect_error(*offender, "hello-required", "join");
  ASSERT_TRUE(offender->send_json(signal_to(b_id_, "v=0 before hello")));
  expect_error(*offender, "hello-required", "signal");
  expect_call_unaffected("hello-required");
}

// The hub asks for this connection to be closed: the error is flushed first, then a normal close.
TEST_F(ServerErrors, VersionMismatchIsAnsweredThenClosed) {
  auto offender = connect();
  ASSERT_TRUE(offender->send_json({{"type", "hello"}, {"version", 99}}));
  expect_error(*offender, "version-mismatch");
  EXPECT_TRUE(offender->wait_closed(5s));
  EXPECT_EQ(offender->close_reason().code, 1000);
  expect_call_unaffected("version-mismatch");
}

// Not a hub error: Beast validates UTF-8 in text frames and closes the connection with 1007.
TEST_F(ServerErrors, InvalidUtf8TextFrameClosesOnlyTheOffender) {
  auto offender = connect_hello();
  const std::uint32_t offender_id = add_to_call(*offender, "Oscar");
  offender->send_text("{\"type\":\"signal\",\"to\":1,\"kind\":\"offer\",\"sdp\":\"\xff\xfe\"}");
  EXPECT_TRUE(offender->wait_closed(5s));
  const auto code = offender->close_reason().code;
  if (code != 0) {
    EXPECT_EQ(code, 1007) << "close code for invalid UTF-8";
  }
  expect_peer_left(*a_, offender_id);
  expect_peer_left(*b_, offender_id);
  expect_call_unaffected("utf8");
}

// A member that stops reading while others keep signalling it is dropped when its send queue
// overflows; the others see it leave and carry on.
TEST_F(ServerErrors, SlowConsumerIsDisconnected) {
  auto sleeper = connect_hello();
  const std::uint32_t sleeper_id = add_to_call(*sleeper, "Sleepy");
  const std::string sdp(60 * 1024, 's');
  // Send in batches until the server gives up on the sleeper. After each batch a marker request
  // (create-room) makes sure the server has handled every signal before A looks at its replies.
  // The queue limit is 8 MiB; socket buffers hold a few MiB more, so ~200 signals should do.
  bool saw_left = false;
  for (int batch = 0; batch < 20 && !saw_left; ++batch) {
    for (int i = 0; i < 25; ++i) ASSERT_TRUE(a_->send_json(signal_to(sleeper_id, sdp))) << "batch " << batch;
    ASSERT_TRUE(a_->send_json({{"type", "create-room"}, {"name", "Marker " + std::to_string(batch)}}));
    for (;;) {
      const std::optional<json> message = a_->read_skipping_updates(20s);
      ASSERT_TRUE(message.has_value()) << "A got no reply to marker " << batch;
      const std::string type = type_of(*message);
      if (type == "room-created") break;
      if (type == "peer-left") {
        EXPECT_EQ(message->value("peer", 0u), sleeper_id);
        saw_left = true;
      } else {
        ASSERT_EQ(type, "error") << message->dump();  // signals sent after the drop: peer-not-found
        EXPECT_EQ(message->value("code", ""), "peer-not-found") << message->dump();
      }
    }
  }
  ASSERT_TRUE(saw_left) << "the slow consumer was never dropped";
  expect_peer_left(*b_, sleeper_id);
  expect_call_unaffected("slow-consumer");
}

}  // namespace
}  // namespace moim::test
