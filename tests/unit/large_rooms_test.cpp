// The hub's bookkeeping of large rooms' Janus rooms (server/sfu/large_rooms.hpp), as tables: a new
// room's create and its answers, a removed room's destroy, every known room made again after Janus
// restarted (room-exists is success), a destroy of a room Janus forgot (no-such-room is success),
// answers to nothing of ours, the bound on requests in flight, and a restart's remakes in batches.
#include "large_rooms.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace moim::sfu {
namespace {

using Kind = RoomOutcome::Kind;
const std::string kSecretA(64, 'a'), kSecretB(64, 'b');

RoomCommand create_cmd(RequestId id, JanusId room, const std::string& secret, int publishers, std::string description) {
  return RoomCommand{RoomCommand::Kind::Create, id, room, secret, publishers, std::move(description)};
}
RoomCommand destroy_cmd(RequestId id, JanusId room, const std::string& secret) {
  return RoomCommand{RoomCommand::Kind::Destroy, id, room, secret, 0, ""};
}
Error error(ErrorCode code) { return Error{code, 0, "why"}; }

TEST(LargeRooms, TheJanusRoomIdIsTheMoimRoomId) {
  for (const MoimRoomId room : {MoimRoomId{1}, MoimRoomId{77}, MoimRoomId{kMaxRoomId}}) {
    EXPECT_EQ(janus_room_for(room), room);
  }
}

TEST(LargeRooms, ANewRoomIsKnownOnlyOnceCreatedAndItsAnswersSayWhatToDo) {
  struct Row {
    const char* what;
    bool ok;
    ErrorCode code;
    RoomOutcome expected;
  };
  const std::vector<Row> rows = {
      {"done", true, ErrorCode::JanusError, RoomOutcome{Kind::Created, 7, {}}},
      {"janus down", false, ErrorCode::Unavailable, RoomOutcome{Kind::Failed, 7, error(ErrorCode::Unavailable)}},
      {"timeout", false, ErrorCode::Timeout, RoomOutcome{Kind::Failed, 7, error(ErrorCode::Timeout)}},
      // A new room's id was never used: Janus having it is not "as good" (another server's room?).
      {"exists", false, ErrorCode::RoomExists, RoomOutcome{Kind::Failed, 7, error(ErrorCode::RoomExists)}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    LargeRooms rooms;
    const std::optional<RoomCommand> command = rooms.create(7, kSecretA, 40, "Town hall");
    ASSERT_TRUE(command);
    EXPECT_EQ(*command, create_cmd(1, 7, kSecretA, 40, "Town hall"));
    EXPECT_FALSE(rooms.known(7)) << "not before Janus confirms";
    EXPECT_EQ(rooms.in_flight(), 1u);
    const RoomOutcome outcome = row.ok ? rooms.done(command->id) : rooms.failed(command->id, error(row.code));
    EXPECT_EQ(outcome, row.expected);
    EXPECT_EQ(rooms.in_flight(), 0u);
    EXPECT_FALSE(rooms.known(7)) << "the hub adds it once stored";
    EXPECT_EQ(rooms.done(command->id), RoomOutcome{}) << "a second answer is to nothing";
  }
}

TEST(LargeRooms, RemoveDestroysWithTheSecretAndForgetsTheRoom) {
  struct Row {
    const char* what;
    bool ok;
    ErrorCode code;
    Kind expected;
  };
  const std::vector<Row> rows = {
      {"done", true, ErrorCode::JanusError, Kind::Destroyed},
      {"janus forgot it", false, ErrorCode::NoSuchRoom, Kind::Destroyed},
      {"janus down", false, ErrorCode::Unavailable, Kind::DestroyFailed},
      {"wrong secret", false, ErrorCode::RoomUnauthorized, Kind::DestroyFailed},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    LargeRooms rooms;
    rooms.add(7, kSecretA, 40, "Town hall");
    EXPECT_TRUE(rooms.known(7));
    ASSERT_NE(rooms.secret(7), nullptr);
    EXPECT_EQ(*rooms.secret(7), kSecretA);
    const std::optional<RoomCommand> command = rooms.remove(7);
    ASSERT_TRUE(command);
    EXPECT_EQ(*command, destroy_cmd(1, 7, kSecretA));
    EXPECT_FALSE(rooms.known(7));
    EXPECT_FALSE(rooms.remove(7)) << "nothing to destroy twice";
    EXPECT_FALSE(rooms.remove(8)) << "a mesh room has no Janus room";
    const RoomOutcome outcome = row.ok ? rooms.done(command->id) : rooms.failed(command->id, error(row.code));
    EXPECT_EQ(outcome.kind, row.expected);
    EXPECT_EQ(outcome.room, 7u);
  }
}

TEST(LargeRooms, RecreateAllMakesEveryKnownRoomAgainAndRoomExistsIsFine) {
  LargeRooms rooms;
  rooms.add(3, kSecretA, 10, "Ten");
  rooms.add(9, kSecretB, 50, "Fifty");
  rooms.add(5, kSecretA, 200, "clamped");  // publishers stay within the link's 1..kMaxPublishers
  const std::vector<RoomCommand> commands = rooms.recreate_all();
  EXPECT_EQ(commands, (std::vector<RoomCommand>{create_cmd(1, 3, kSecretA, 10, "Ten"),
                                                create_cmd(2, 5, kSecretA, kMaxPublishers, "clamped"),
                                                create_cmd(3, 9, kSecretB, 50, "Fifty")}));
  EXPECT_EQ(rooms.done(1), (RoomOutcome{Kind::Recreated, 3, {}}));
  EXPECT_EQ(rooms.failed(2, error(ErrorCode::RoomExists)), (RoomOutcome{Kind::Recreated, 5, {}}));
  EXPECT_EQ(rooms.failed(3, error(ErrorCode::Timeout)), (RoomOutcome{Kind::RecreateFailed, 9, error(ErrorCode::Timeout)}));
  EXPECT_EQ(rooms.size(), 3u) << "a failed remake keeps the room (the next RecreateRooms tries again)";
  EXPECT_EQ(rooms.failed(99, error(ErrorCode::Timeout)), RoomOutcome{}) << "not ours";
}

TEST(LargeRooms, RequestsInFlightAreBounded) {
  LargeRooms rooms;
  for (MoimRoomId room = 1; room <= LargeRooms::kMaxInFlight; ++room) {
    ASSERT_TRUE(rooms.create(room, kSecretA, 10, "r"));
  }
  EXPECT_FALSE(rooms.create(1000, kSecretA, 10, "r")) << "busy: refused, not queued";
  rooms.add(2000, kSecretA, 10, "known");
  EXPECT_TRUE(rooms.recreate_all().empty()) << "no place: the known room waits";
  EXPECT_EQ(rooms.waiting_to_recreate(), 1u);
  EXPECT_EQ(rooms.done(1).kind, Kind::Created);
  const std::vector<RoomCommand> next = rooms.next_recreates();
  ASSERT_EQ(next.size(), 1u) << "the freed place goes to the room waiting";
  EXPECT_EQ(next[0].room, 2000u);
  EXPECT_FALSE(rooms.create(1000, kSecretA, 10, "r")) << "full again";
  EXPECT_EQ(rooms.done(2).kind, Kind::Created);
  EXPECT_TRUE(rooms.create(1000, kSecretA, 10, "r"));
}

// A restarted Janus gets every known room back however many there are: kMaxRecreatesInFlight at a
// time, the next as answers come; new rooms still get places meanwhile; a room removed while it
// waits is not made.
TEST(LargeRooms, EveryRoomIsMadeAgainInBatchesAsAnswersCome) {
  LargeRooms rooms;
  constexpr MoimRoomId kRooms = 300;
  for (MoimRoomId room = 1; room <= kRooms; ++room) rooms.add(room, kSecretA, 10, "r");
  std::vector<RoomCommand> asked = rooms.recreate_all();
  EXPECT_EQ(asked.size(), LargeRooms::kMaxRecreatesInFlight);
  EXPECT_TRUE(rooms.create(1000, kSecretB, 10, "new").has_value()) << "a new room is not held up";
  ASSERT_TRUE(rooms.remove(kRooms).has_value());  // deleted while it waits
  std::map<MoimRoomId, int> made;
  while (!asked.empty()) {
    const RoomCommand c = asked.back();
    asked.pop_back();
    if (c.kind != RoomCommand::Kind::Create || c.room == 1000) continue;
    const RoomOutcome outcome = c.room % 7 == 0 ? rooms.failed(c.id, error(ErrorCode::RoomExists)) : rooms.done(c.id);
    ASSERT_EQ(outcome.kind, Kind::Recreated);
    ++made[outcome.room];
    for (RoomCommand& n : rooms.next_recreates()) asked.push_back(std::move(n));
    ASSERT_LE(rooms.in_flight(), LargeRooms::kMaxRecreatesInFlight + 2);  // + the new room's create and the destroy
  }
  EXPECT_EQ(made.size(), kRooms - 1) << "every known room but the one removed";
  for (const auto& [room, n] : made) EXPECT_EQ(n, 1) << room;
  EXPECT_FALSE(made.contains(kRooms));
  EXPECT_EQ(rooms.waiting_to_recreate(), 0u);
}

}  // namespace
}  // namespace moim::sfu
