// The abuse suite: a real server process with small limits, a call in progress (A and B) and a
// lobby watcher as bystanders. Every abuse is refused with its own error, and the bystanders' call
// and room list keep working. (Transport-level abuse — invalid UTF-8, binary frames, oversized and
// slow readers, Origin, connections per address — is in server_errors_test and server_admission_test.)
#include "server_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace moim::test {
namespace {

using namespace std::chrono_literals;

class ServerAbuse : public CallFixture {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--max-messages-per-second", "20", "--max-rooms", "4",          "--max-name-chars", "10",
            "--max-room-name-chars",     "12", "--max-capacity", "6",       "--max-sdp-bytes",  "2048",
            "--max-message-bytes",       "4096"};
  }

  void SetUp() override {
    CallFixture::SetUp();
    lobby_ = connect_hello();
  }

  // The bystanders are fine: the call relays both ways and a new room reaches the lobby.
  void expect_bystanders_fine(const std::string& tag) {
    expect_call_unaffected(tag);
    SCOPED_TRACE(tag);
    auto creator = connect_hello();
    ASSERT_TRUE(creator->send_json({{"type", "create-room"}, {"name", "B" + std::to_string(++rooms_made_)}}));
    bool seen = false;
    for (int i = 0; i < 20 && !seen; ++i) {
      const auto message = lobby_->read_type("room-updated", 3s);
      ASSERT_TRUE(message) << "the lobby saw no room-updated";
      seen = (*message)["room"].value("name", "") == "B" + std::to_string(rooms_made_);
    }
    EXPECT_TRUE(seen);
  }

  std::unique_ptr<WsClient> lobby_;
  int rooms_made_ = 0;
};

TEST_F(ServerAbuse, AFloodFromOneConnectionIsRateLimited) {
  auto flooder = connect_hello();
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(flooder->send_json({{"type", "ping"}}));
  int pongs = 0, limited = 0;
  for (;;) {
    const auto message = flooder->read_skipping_updates(1500ms);
    if (!message) break;
    if (type_of(*message) == "pong") ++pongs;
    if (type_of(*message) == "error") {
      EXPECT_EQ(message->value("code", ""), "rate-limited") << message->dump();
      ++limited;
    }
  }
  EXPECT_LT(pongs, 200) << "most of the flood was dropped";
  EXPECT_GE(limited, 1);
  EXPECT_LE(limited, 3) << "the error is sent at most once a second";
  expect_call_unaffected("after a flood");
}

TEST_F(ServerAbuse, NamesRoomsCapacityAndSdpsOverTheLimitsAreRefused) {
  auto offender = connect_hello();
  ASSERT_TRUE(offender->send_json({{"type", "create-room"}, {"name", "Thirteen13131"}}));
  expect_error(*offender, "room-name-invalid", "room name over --max-room-name-chars");
  ASSERT_TRUE(offender->send_json({{"type", "create-room"}, {"name", "Big"}, {"capacity", 7}}));
  expect_error(*offender, "capacity-invalid", "capacity over --max-capacity");
  ASSERT_TRUE(offender->send_json({{"type", "join"}, {"room", room_}, {"name", "Elevenchars"}}));
  expect_error(*offender, "name-invalid", "name over --max-name-chars");
  const std::uint32_t offender_id = add_to_call(*offender, "Mallory");
  ASSERT_NE(offender_id, 0u);
  ASSERT_TRUE(offender->send_json({{"type", "signal"}, {"to", a_id_}, {"kind", "offer"}, {"sdp", std::string(2049, 'v')}}));
  expect_error(*offender, "signal-too-large", "SDP over --max-sdp-bytes");
  ASSERT_TRUE(offender->send_json({{"type", "signal"}, {"to", a_id_}, {"kind", "offer"}, {"sdp", std::string(4100, 'v')}}));
  expect_error(*offender, "message-too-large", "message over --max-message-bytes");
  expect_bystanders_fine("after the limits");
}

TEST_F(ServerAbuse, TheRoomLimitIsAnsweredAndLeavesTheRestAlone) {
  auto offender = connect_hello();
  // The call's room exists; three more reach --max-rooms 4.
  for (int i = 0; i < 3; ++i) ASSERT_NE(create_room(*offender, "R" + std::to_string(i)), 0u);
  ASSERT_TRUE(offender->send_json({{"type", "create-room"}, {"name", "One more"}}));
  expect_error(*offender, "too-many-rooms");
  expect_call_unaffected("after too many rooms");
}

// With the full 64 KiB message size, so that nesting goes as deep as a message allows.
class ServerAbuseFullSize : public ServerAbuse {
 protected:
  std::vector<std::string> server_args() const override {
    std::vector<std::string> args = ServerAbuse::server_args();
    args.insert(args.end(), {"--max-message-bytes", "65536"});  // the later flag wins
    return args;
  }
};

// `levels` nested values inside a real message: `{"type":"hello","version":3,"x":<nesting>}`.
std::string hello_holding(const std::string& open, const std::string& close, std::size_t levels) {
  std::string text = R"({"type":"hello","version":3,"x":)";
  for (std::size_t i = 0; i < levels; ++i) text += open;
  text += "0";
  for (std::size_t i = 0; i < levels; ++i) text += close;
  return text + "}";
}

// The codec (shared/protocol.cpp) has no depth limit of its own: nlohmann's parser is iterative and
// the 64 KiB message limit bounds the work. So a field nobody reads may be nested as deep as the size
// allows (it is ignored, like any unknown field), and a deep value where a field is expected gets
// that field's error. Neither may harm the server or the call in progress.
TEST_F(ServerAbuseFullSize, DeeplyNestedJsonDoesNoHarm) {
  // As deep as 64 KiB allows: 32,000 arrays, or 13,000 objects ({"": is 4 bytes, } one more).
  const std::string arrays = hello_holding("[", "]", 32000);
  const std::string objects = hello_holding(R"({"":)", "}", 13000);
  ASSERT_LE(arrays.size(), 65536u);
  ASSERT_LE(objects.size(), 65536u);
  for (const std::string* message : {&arrays, &objects}) {
    const std::string what = message == &arrays ? "32,000 levels of arrays in hello" : "13,000 levels of objects in hello";
    auto offender = connect();
    ASSERT_TRUE(offender->send_text(*message)) << what;
    const auto reply = offender->read_skipping_updates(5s);
    ASSERT_TRUE(reply.has_value()) << what << ": no answer (did the server crash?)";
    EXPECT_EQ(type_of(*reply), "welcome") << what << ": " << reply->dump().substr(0, 200);
    // The same depth where the hub reads a field: refused as that field.
    std::string join = R"({"type":"join","name":"Deep","room":)";
    join += std::string(32000, '[') + "1" + std::string(32000, ']') + "}";
    ASSERT_LE(join.size(), 65536u);
    ASSERT_TRUE(offender->send_text(join)) << what;
    expect_error(*offender, "bad-field", what + ", then a join whose room is 32,000 arrays deep");
    std::string deep_type = R"({"type":)" + std::string(13000, '[') + std::string(13000, ']') + "}";
    ASSERT_TRUE(offender->send_text(deep_type)) << what;
    expect_error(*offender, "missing-type", what + ", then a type 13,000 arrays deep");
    expect_bystanders_fine("after " + what);
  }
  // Deeper than the message size allows: refused by size, before parsing.
  auto offender = connect_hello();
  ASSERT_TRUE(offender->send_text(hello_holding("[", "]", 40000)));
  expect_error(*offender, "message-too-large", "40,000 levels");
  expect_bystanders_fine("after 40,000 levels");
}

TEST_F(ServerAbuse, ForgedTokensAndOwnerKeysAreRefused) {
  auto offender = connect_hello();
  ASSERT_TRUE(offender->send_json({{"type", "resume"}, {"token", "s1.1.1.0.0000000000000000." + std::string(64, '0')}, {"name", "X"}}));
  expect_error(*offender, "session-expired", "a forged session token");
  ASSERT_TRUE(offender->send_json({{"type", "delete-room"}, {"room", room_}, {"owner", std::string(32, 'f')}}));
  expect_error(*offender, "not-owner", "someone else's room");
  ASSERT_TRUE(offender->send_json({{"type", "rename-room"}, {"room", room_}, {"name", "Mine"}, {"owner", "x"}}));
  expect_error(*offender, "not-owner", "someone else's room");
  expect_bystanders_fine("after forged tokens");
}

}  // namespace
}  // namespace moim::test
