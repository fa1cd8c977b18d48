// The hub's room records (server/room_records.hpp) on their own, over the in-memory room store: live
// rooms per creator, what is saved and touched, and room ids that never repeat.
#include "room_records.hpp"
#include "room_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace moim {
namespace {

using proto::RoomId;

RoomRecord by(std::string creator) {
  return RoomRecord{.password_hash = {}, .owner_digest = "owner", .created_at = 100, .last_used = 100, .creator = std::move(creator)};
}

TEST(RoomRecords, LiveRoomsAreCountedPerCreatorWhileTheyExist) {
  server::MemoryRoomStore store;
  RoomRecords records(store, 8);
  struct Row {
    bool add;  // else erase
    RoomId room;
    std::string creator;
    std::size_t a, b;  // live rooms of "a" and "b" after the step
  };
  const std::vector<Row> rows = {
      {true, 1, "a", 1, 0},  {true, 2, "a", 2, 0}, {true, 3, "b", 2, 1},
      {true, 4, "", 2, 1},   // unknown creator: counted for nobody
      {false, 1, "", 1, 1},  {false, 1, "", 1, 1},  // erasing twice changes nothing
      {false, 4, "", 1, 1},  {false, 3, "", 1, 0}, {false, 2, "", 0, 0},
  };
  for (const Row& row : rows) {
    if (row.add) {
      records.add(row.room, by(row.creator));
      EXPECT_TRUE(records.contains(row.room));
    } else {
      records.erase(row.room);
      EXPECT_EQ(records.find(row.room), nullptr);
    }
    EXPECT_EQ(records.live_rooms_of("a"), row.a) << (row.add ? "add " : "erase ") << row.room;
    EXPECT_EQ(records.live_rooms_of("b"), row.b) << (row.add ? "add " : "erase ") << row.room;
  }
  EXPECT_EQ(records.live_rooms_of(""), 0u);
}

TEST(RoomRecords, SaveStoresTheRoomWithItsSecretsAndTouchMovesLastUse) {
  server::MemoryRoomStore store;
  RoomRecords records(store, 8);
  const proto::RoomInfo room{.id = 5, .name = "Standup", .participants = 2, .capacity = 6, .locked = true};
  RoomRecord record{.password_hash = "$argon2id$x", .owner_digest = "d1", .created_at = 100, .last_used = 150, .creator = "c"};
  ASSERT_TRUE(records.save(room, record));
  records.add(room.id, record);
  const server::StoredRoom expected{.id = 5, .name = "Standup", .capacity = 6, .password_hash = "$argon2id$x",
                                    .owner_digest = "d1", .created_at = 100, .last_used = 150, .creator = "c"};
  EXPECT_EQ(store.load(), std::vector<server::StoredRoom>{expected});

  records.touch(5, 900);
  EXPECT_EQ(records.find(5)->last_used, 900);
  EXPECT_EQ(store.load().at(0).last_used, 900);
  records.touch(6, 900);  // no such room: nothing happens
  EXPECT_EQ(store.load().size(), 1u);
}

TEST(RoomRecords, RoomIdsComeFromTheStoreInBlocksAndNeverRepeat) {
  server::MemoryRoomStore store;
  std::vector<RoomId> ids;
  for (int run = 0; run < 2; ++run) {  // a restart: new records on the same store
    RoomRecords records(store, 2);
    for (int i = 0; i < 3; ++i) {
      const std::optional<RoomId> id = records.next_room_id();
      ASSERT_TRUE(id);
      EXPECT_EQ(records.next_room_id(), id) << "not taken until used (a failed create wastes none)";
      ids.push_back(*id);
      records.use_room_id();
    }
  }
  EXPECT_EQ(ids, (std::vector<RoomId>{1, 2, 3, 5, 6, 7}));
}

}  // namespace
}  // namespace moim
