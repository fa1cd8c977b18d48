// The hub against the holes of issue 10's security review, each reproduced as it was found: stale
// tokens after a restart, ids that run out, room floods, request floods that reconnecting refilled,
// expiry that failed silently. Restarts use the real SQLite store in a temporary directory.
#include "hub.hpp"
#include "hub_frames.hpp"
#include "hub_world.hpp"
#include "sqlite_room_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moim {
namespace {

using namespace proto;

using test::of_type;
using test::received;

std::optional<ErrorCode> error_code(const HubOutput& out, ConnId conn) {
  auto errors = of_type<Error>(out, conn);
  if (errors.empty()) return std::nullopt;
  return errors.back().code;
}

// A server with its data directory: restart() is a new process on the same directory and key.
class Security : public ::testing::Test {
 protected:
  Security() { start(); }
  void start() {
    hub_.reset();
    store_.reset();
    std::string error;
    store_ = server::SqliteRoomStore::open(dir_.path() / "data", error);
    ASSERT_NE(store_, nullptr) << error;
    hub_.emplace(config_, HubServices{*store_, *world_.secrets});
    ASSERT_EQ(hub_->startup_error(), "");
    hub_->set_time(now_, unix_);
  }
  void restart(std::int64_t downtime_s = 5) {
    advance(downtime_s * 1000);
    start();
  }
  void advance(std::int64_t ms) {
    now_ += ms;
    unix_ += ms / 1000;
    if (hub_) hub_->set_time(now_, unix_);
  }
  Hub& hub() { return *hub_; }
  HubOutput send(ConnId conn, const ClientMessage& msg) { return hub().on_text(conn, encode(msg)); }
  void hello(ConnId conn, std::string address) {
    hub().connect(conn, address);
    send(conn, Hello{});
  }
  RoomCreated create(ConnId conn, std::string name) {
    auto created = of_type<RoomCreated>(send(conn, CreateRoom{.name = std::move(name), .capacity = 4, .password = {}}), conn);
    EXPECT_EQ(created.size(), 1u);
    return created.empty() ? RoomCreated{} : created[0];
  }
  Joined join(ConnId conn, RoomId room, std::string name) {
    auto joined = of_type<Joined>(
        send(conn, Join{.room = room, .name = std::move(name), .mic = true, .camera = true, .password = {}, .client = {}}), conn);
    EXPECT_EQ(joined.size(), 1u);
    return joined.empty() ? Joined{} : joined[0];
  }
  static Resume resume_of(const std::string& token, std::string name = "X") {
    return Resume{.token = token, .name = std::move(name), .mic = true, .camera = true, .client = {}};
  }

  static HubConfig base_config() {
    HubConfig config = test::test_config();
    config.heartbeat_timeout_ms = 3'600'000;
    config.session_max_age_s = 300;
    return config;
  }

  test::TempDir dir_;
  test::HubWorld world_;  // the key (the store is SQLite here)
  HubConfig config_ = base_config();
  std::unique_ptr<server::SqliteRoomStore> store_;
  std::optional<Hub> hub_;
  std::int64_t now_ = 1'000'000, unix_ = 1'800'000'000;
};

// Item 1, as reproduced: an attacker joins open room 2 and leaves; the owner deletes it; after a
// restart a locked room is created, and got id 2 again. The attacker's old token then resumed into it.
TEST_F(Security, AStaleTokenDoesNotOpenALockedRoomAfterARestart) {
  hello(1, "198.51.100.7");  // the attacker
  hello(2, "192.0.2.1");     // the owner
  create(2, "Filler");
  const RoomCreated open = create(2, "Open");
  const Joined attacker = join(1, open.room.id, "Mallory");
  send(1, Leave{});
  send(2, DeleteRoom{.room = open.room.id, .owner = open.owner});

  restart();
  hello(2, "192.0.2.1");
  HubOutput asked = send(2, CreateRoom{.name = "Locked", .capacity = 4, .password = "secret"});
  ASSERT_EQ(asked.password_jobs.size(), 1u);
  // The hash itself is not the point here: any string stands for it.
  HubOutput made = hub().on_password_result(
      PasswordResult{.id = asked.password_jobs[0].id, .ok = true, .hash = "$argon2id$stand-in", .error = {}});
  const RoomInfo locked = of_type<RoomCreated>(made, 2).at(0).room;
  EXPECT_GT(locked.id, open.room.id) << "room ids are never used twice, even after a restart";

  hello(3, "198.51.100.7");
  HubOutput out = send(3, resume_of(attacker.token, "Mallory"));
  EXPECT_EQ(error_code(out, 3), ErrorCode::SessionExpired);
  EXPECT_EQ(hub().registry().info(locked.id)->participants, 0u);
}

// Item 1: a session that ended is dead across restarts too; one that was live comes back once.
TEST_F(Security, OnlySessionsLiveAtTheRestartAreRestoredAndOnlyOnce) {
  hello(1, "a"), hello(2, "b"), hello(3, "c");
  const RoomCreated room = create(1, "Standup");
  const Joined left = join(1, room.room.id, "Left");
  const Joined live = join(2, room.room.id, "Live");
  send(1, Leave{});
  restart();
  hello(11, "a"), hello(12, "b"), hello(13, "b");
  EXPECT_EQ(error_code(send(11, resume_of(left.token)), 11), ErrorCode::SessionExpired) << "it left before the restart";
  auto back = of_type<Resumed>(send(12, resume_of(live.token)), 12);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(back[0].restored);
  hub().disconnect(12, Hub::Departure::Closed);  // and now it ends
  restart();
  hello(14, "b");
  EXPECT_EQ(error_code(send(14, resume_of(back[0].token)), 14), ErrorCode::SessionExpired)
      << "ended in the second run: not restored by the third";
}

// Item 1: tokens have a maximum age; a connected session is sent fresh ones in time.
TEST_F(Security, TokensExpireButConnectedSessionsGetFreshOnes) {
  hello(1, "a"), hello(2, "b");
  const RoomCreated room = create(1, "Standup");
  const Joined a = join(1, room.room.id, "A");
  join(2, room.room.id, "B");
  std::string newest = a.token;
  for (int s = 1; s <= 400; ++s) {
    advance(1000);
    for (const SessionToken& fresh : of_type<SessionToken>(hub().tick(), 1)) newest = fresh.token;
  }
  EXPECT_NE(newest, a.token) << "refreshed at half the maximum age";
  hub().disconnect(1, Hub::Departure::Lost);
  hello(3, "a");
  EXPECT_EQ(error_code(send(3, resume_of(a.token)), 3), ErrorCode::SessionExpired) << "400 s old, max 300";
  auto resumed = of_type<Resumed>(send(3, resume_of(newest)), 3);
  ASSERT_EQ(resumed.size(), 1u);

  // After a restart, a token older than the maximum age restores nothing either.
  newest = resumed[0].token;
  restart(301);
  hello(5, "a");
  EXPECT_EQ(error_code(send(5, resume_of(newest)), 5), ErrorCode::SessionExpired);
}

// Item 1: a token names the room instance (its creation stamp), not just the id.
TEST_F(Security, ATokenForAnotherInstanceOfTheRoomIsRefused) {
  hello(1, "a"), hello(2, "b");
  const RoomCreated room = create(1, "Standup");
  const Joined a = join(1, room.room.id, "A");
  hub().disconnect(1, Hub::Departure::Lost);
  auto claims = world_.secrets->verify_session(a.token);
  ASSERT_TRUE(claims);
  claims->room_created -= 86400;  // signed with the real key: only the instance differs
  hello(3, "a");
  EXPECT_EQ(error_code(send(3, resume_of(world_.secrets->sign_session(*claims))), 3), ErrorCode::SessionExpired);
  EXPECT_EQ(of_type<Resumed>(send(3, resume_of(a.token)), 3).size(), 1u);
}

// Item 2: ids go past 2^32 and the client's codec reads them.
TEST_F(Security, PeerIdsGoPastTheOld32BitEnd) {
  hub_.reset();
  ASSERT_TRUE(store_->reserve_ids(server::IdCounter::Peer, 4294967290u));
  start();
  hello(1, "a");
  const RoomCreated room = create(1, "Big ids");
  for (int i = 0; i < 10; ++i) {
    const Joined j = join(1, room.room.id, "P");
    EXPECT_GT(j.self.id, 4294967290u);
    send(1, Leave{});
  }
}

// Item 3: one address cannot fill the server with rooms; another address can still create one.
TEST_F(Security, RoomQuotasPerAddressLeaveRoomForOthers) {
  config_.max_rooms_per_address_per_hour = 5;
  config_.max_live_rooms_per_address = 8;
  start();
  hello(1, "198.51.100.7");
  std::vector<RoomCreated> mine;
  for (int i = 0; i < 5; ++i) mine.push_back(create(1, "Flood " + std::to_string(i)));
  HubOutput refused = send(1, CreateRoom{.name = "Flood 5", .capacity = 4, .password = {}});
  EXPECT_EQ(error_code(refused, 1), ErrorCode::RoomQuota);
  EXPECT_EQ(hub().registry().room_count(), 5u);
  hello(2, "192.0.2.1");
  create(2, "Bystander's room");
  // The hourly count forgets; the live count does not while the rooms exist, not even across a restart.
  advance(3600 * 1000);
  hub().tick();
  for (int i = 5; i < 8; ++i) mine.push_back(create(1, "Flood " + std::to_string(i)));
  restart();
  hello(1, "198.51.100.7");
  EXPECT_EQ(error_code(send(1, CreateRoom{.name = "Flood 8", .capacity = 4, .password = {}}), 1), ErrorCode::RoomQuota);
  send(1, DeleteRoom{.room = mine[0].room.id, .owner = mine[0].owner});
  create(1, "Flood 8");
}

// Item 4: costly requests are limited per address over all its connections: reconnecting does not
// refill the bucket, and a bystander is served.
TEST_F(Security, ReconnectingDoesNotRefillTheRequestBucket) {
  config_.requests_per_address_per_second = 10;
  config_.request_burst_per_address = 20;
  start();
  std::size_t welcomes = 0, limited = 0;
  for (ConnId conn = 1; conn <= 64; ++conn) {  // hello, drop, reconnect: 64 times at once
    hub().connect(conn, "198.51.100.7");
    HubOutput out = send(conn, Hello{});
    welcomes += of_type<Welcome>(out, conn).size();
    limited += error_code(out, conn) == ErrorCode::RateLimited;
    hub().disconnect(conn, Hub::Departure::Closed);
  }
  EXPECT_EQ(welcomes, 20u);
  EXPECT_EQ(limited, 44u);
  hub().connect(100, "192.0.2.1");
  EXPECT_EQ(of_type<Welcome>(send(100, Hello{}), 100).size(), 1u) << "another address is served";
  advance(1000);
  hub().connect(101, "198.51.100.7");
  EXPECT_EQ(of_type<Welcome>(send(101, Hello{}), 101).size(), 1u) << "refilled with time, not with connections";
}

// Item 12: a room whose row could not be deleted at expiry stayed gone in memory and came back after a
// restart. It now stays until the delete succeeds.
TEST_F(Security, ARoomTheStoreCannotDeleteAtExpiryStaysUntilItCan) {
  config_.room_expiry_seconds = 86400;
  start();
  hello(1, "a");
  const RoomCreated room = create(1, "Old");
  advance(86400 * 1000 + 1000);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "data" / "moim.sqlite3").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  hub().tick();
  EXPECT_TRUE(hub().registry().info(room.room.id)) << "not deleted on disk: not deleted at all";
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  advance(60'000);
  hub().tick();
  EXPECT_FALSE(hub().registry().info(room.room.id));
  restart();
  EXPECT_FALSE(hub().registry().info(room.room.id)) << "and it does not come back";
}

}  // namespace
}  // namespace moim
