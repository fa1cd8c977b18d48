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

TEST_F(ServerAbuse, DeeplyNestedJsonIsRefusedWithoutHarm) {
  auto offender = connect_hello();
  const std::string nested = std::string(1500, '[') + std::string(1500, ']');
  ASSERT_TRUE(offender->send_text(nested));
  expect_error(*offender, "bad-json", "1,500 levels of arrays");
  const std::string in_field = R"({"type":"ping","x":)" + std::string(1800, '[') + std::string(1800, ']') + "}";
  ASSERT_TRUE(offender->send_text(in_field));
  const auto reply = offender->read_skipping_updates(3s);
  ASSERT_TRUE(reply);
  // Either answered as a ping (the extra field is ignored) or refused as too deep: never a crash.
  EXPECT_TRUE(type_of(*reply) == "pong" || reply->value("code", "") == "bad-json") << reply->dump();
  expect_bystanders_fine("after deep nesting");
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
