// The RoomStore contract, checked against both implementations.
#include "room_store.hpp"
#include "sqlite_room_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <memory>

namespace moim::server {
namespace {

struct StoreFactory {
  const char* name;
  std::function<std::unique_ptr<RoomStore>(const std::filesystem::path&)> make;
};

class RoomStoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make(dir_.path() / "data");
    ASSERT_NE(store_, nullptr);
  }
  test::TempDir dir_;
  std::unique_ptr<RoomStore> store_;
};

StoredRoom room(proto::RoomId id, std::string name) {
  StoredRoom r;
  r.id = id;
  r.name = std::move(name);
  r.capacity = 6;
  r.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  r.owner_digest = std::string(64, 'a');
  r.created_at = 1'700'000'000;
  r.last_used = 1'700'000'100;
  r.creator = std::string(64, 'c');
  return r;
}

TEST_P(RoomStoreContract, StartsEmpty) { EXPECT_TRUE(store_->load().empty()); }

TEST_P(RoomStoreContract, PutLoadReplaceTouchRemove) {
  StoredRoom b = room(7, "모임 회의실");  // UTF-8 survives
  StoredRoom a = room(3, "Standup");
  a.password_hash.clear();
  a.created_at = std::numeric_limits<std::int64_t>::min();
  a.last_used = std::numeric_limits<std::int64_t>::max();
  StoredRoom c = room(proto::kMaxId, std::string("nul\0inside", 10));
  c.capacity = std::numeric_limits<std::uint32_t>::max();
  c.mode = proto::RoomMode::Sfu;  // a large room keeps its mode and its Janus room's secret
  c.sfu_secret = std::string(64, '0');
  ASSERT_TRUE(store_->put(b)) << store_->error();
  ASSERT_TRUE(store_->put(c)) << store_->error();
  ASSERT_TRUE(store_->put(a)) << store_->error();
  EXPECT_EQ(store_->load(), (std::vector<StoredRoom>{a, b, c}));  // ordered by id

  b.name = "Renamed";
  b.capacity = 2;
  ASSERT_TRUE(store_->put(b));  // replace by id
  ASSERT_TRUE(store_->touch(3, 42));
  a.last_used = 42;
  EXPECT_EQ(store_->load(), (std::vector<StoredRoom>{a, b, c}));

  ASSERT_TRUE(store_->remove(7));
  EXPECT_EQ(store_->load(), (std::vector<StoredRoom>{a, c}));
  EXPECT_TRUE(store_->remove(7)) << "removing an unknown id is not a failure";
  EXPECT_TRUE(store_->touch(7, 1)) << "touching an unknown id is not a failure";
  EXPECT_EQ(store_->load(), (std::vector<StoredRoom>{a, c}));
}

TEST_P(RoomStoreContract, ReservedIdsAreConsecutiveFromOnePerCounter) {
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, 1), 1u);
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, 100), 2u);
  EXPECT_EQ(store_->reserve_ids(IdCounter::Room, 64), 1u) << "each counter has its own ids";
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, 1), 102u);
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, 0), std::nullopt);
  EXPECT_FALSE(store_->error().empty());
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, 1), 103u) << "a refused request reserves nothing";
  EXPECT_EQ(store_->reserve_ids(IdCounter::Room, 1), 65u);
}

// Issue 10: a join/leave loop used to run the 32-bit counter out, and then every join failed. Ids now
// go on to 2^53 - 1: what once was the end is the middle.
TEST_P(RoomStoreContract, IdsGoPastTheOld32BitEnd) {
  constexpr std::uint64_t kOldEnd = 4294967295u;
  ASSERT_EQ(store_->reserve_ids(IdCounter::Peer, kOldEnd - 1), 1u);  // 1 .. 2^32-2
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, 4096), kOldEnd) << store_->error();
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, 1), kOldEnd + 4096);
}

TEST_P(RoomStoreContract, ReservedIdsStopAtTheLastId) {
  ASSERT_EQ(store_->reserve_ids(IdCounter::Room, proto::kMaxId - 1), 1u);  // 1 .. kMaxId-1
  EXPECT_EQ(store_->reserve_ids(IdCounter::Room, 2), std::nullopt);
  EXPECT_EQ(store_->error(), "room ids exhausted");
  EXPECT_EQ(store_->reserve_ids(IdCounter::Room, 1), proto::kMaxId);  // exactly the last one still fits
  EXPECT_EQ(store_->reserve_ids(IdCounter::Room, 1), std::nullopt);
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, std::numeric_limits<std::uint64_t>::max()), std::nullopt);
  EXPECT_EQ(store_->reserve_ids(IdCounter::Peer, 1), 1u) << "an impossible request reserves nothing";
}

TEST_P(RoomStoreContract, SessionsArePutListedAndRemoved) {
  EXPECT_TRUE(store_->load_sessions().empty());
  ASSERT_TRUE(store_->put_session({.peer = 9, .room = 2}));
  ASSERT_TRUE(store_->put_session({.peer = proto::kMaxId, .room = proto::kMaxId}));
  ASSERT_TRUE(store_->put_session({.peer = 3, .room = 2}));
  EXPECT_EQ(store_->load_sessions(),
            (std::vector<StoredSession>{{3, 2}, {9, 2}, {proto::kMaxId, proto::kMaxId}}));  // ordered by peer
  ASSERT_TRUE(store_->remove_session(9));
  EXPECT_TRUE(store_->remove_session(9)) << "removing an unknown session is not a failure";
  EXPECT_EQ(store_->load_sessions(), (std::vector<StoredSession>{{3, 2}, {proto::kMaxId, proto::kMaxId}}));
}

INSTANTIATE_TEST_SUITE_P(
    Stores, RoomStoreContract,
    ::testing::Values(
        StoreFactory{"Memory", [](const std::filesystem::path&) -> std::unique_ptr<RoomStore> {
                       return std::make_unique<MemoryRoomStore>();
                     }},
        StoreFactory{"Sqlite", [](const std::filesystem::path& dir) -> std::unique_ptr<RoomStore> {
                       std::string error;
                       auto store = SqliteRoomStore::open(dir, error);
                       EXPECT_NE(store, nullptr) << error;
                       return store;
                     }}),
    [](const ::testing::TestParamInfo<StoreFactory>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace moim::server
