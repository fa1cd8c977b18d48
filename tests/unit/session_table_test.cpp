// The hub's session table (server/session_table.hpp) on its own, over the in-memory room store: what
// a held session keeps, when sessions expire, the second-tab lookup, sessions of an earlier run, and
// peer ids that never repeat.
#include "room_store.hpp"
#include "session_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moim {
namespace {

using proto::PeerId;
using proto::RoomId;

std::shared_ptr<const std::string> text(std::size_t bytes) { return std::make_shared<const std::string>(bytes, 'x'); }

Session connected(PeerId peer, RoomId room, ConnId conn, std::string client = {}) {
  return Session{.peer = peer, .room = room, .client = std::move(client), .conn = conn};
}

TEST(SessionTable, AHeldSessionKeepsMessagesInOrderWithinBoundsThenOverflows) {
  struct Row {
    std::vector<std::size_t> sizes;  // messages kept one after the other
    std::size_t held;                // how many are kept
    bool overflowed;
  };
  // At most 3 messages and 10 bytes.
  const std::vector<Row> rows = {
      {{}, 0, false},
      {{4, 3, 3}, 3, false},        // exactly the byte bound
      {{1, 1, 1}, 3, false},        // exactly the message bound
      {{1, 1, 1, 1}, 0, true},      // one message too many: everything goes
      {{6, 5}, 0, true},            // one byte too many
      {{11}, 0, true},
      {{6, 5, 1}, 0, true},         // once overflowed, nothing more is kept
  };
  for (const Row& row : rows) {
    server::MemoryRoomStore store;
    SessionTable table({.max_held_messages = 3, .max_held_bytes = 10, .peer_id_block = 16}, store);
    Session& session = table.put(connected(1, 1, 1));
    table.hold(1, 0);
    std::vector<std::shared_ptr<const std::string>> sent;
    for (std::size_t size : row.sizes) {
      sent.push_back(text(size));
      table.keep(session, sent.back());
    }
    EXPECT_EQ(session.held.size(), row.held);
    EXPECT_EQ(session.overflowed, row.overflowed);
    if (!row.overflowed) {
      EXPECT_EQ(session.held, sent) << "in order, the same buffers";
    }
    EXPECT_EQ(session.held_bytes, row.overflowed ? 0u : [&] {
      std::size_t bytes = 0;
      for (auto s : row.sizes) bytes += s;
      return bytes;
    }());
  }
}

TEST(SessionTable, SessionsExpireWhenHeldForTheGraceWindowOrOverflowed) {
  server::MemoryRoomStore store;
  SessionTable table({.max_held_messages = 1, .max_held_bytes = 100, .peer_id_block = 16}, store);
  table.put(connected(1, 1, 11));                // connected
  table.put(connected(2, 1, 12));
  table.hold(2, 1000);                           // held since 1000
  table.put(connected(3, 1, 13));
  table.hold(3, 5000);                           // held since 5000
  Session& stuck = table.put(connected(4, 1, 14));
  stuck.overflowed = true;                       // connected but overflowed (a stuck reader)
  EXPECT_EQ(table.held_count(), 2u);
  struct Row {
    std::int64_t now_ms;
    std::vector<PeerId> expired;
  };
  for (const Row& row : std::vector<Row>{{1000, {4}}, {20'999, {4}}, {21'000, {2, 4}}, {25'000, {2, 3, 4}}}) {
    std::vector<PeerId> expired = table.expired(row.now_ms, 20'000);
    std::sort(expired.begin(), expired.end());
    EXPECT_EQ(expired, row.expired) << "at " << row.now_ms;
  }
}

TEST(SessionTable, TheSecondTabRuleFindsTheSameBrowserInTheSameRoomOnly) {
  server::MemoryRoomStore store;
  SessionTable table({}, store);
  table.put(connected(1, 10, 1, "browser-a"));
  table.put(connected(2, 10, 2, "browser-b"));
  table.put(connected(3, 20, 3, "browser-a"));
  EXPECT_EQ(table.of_client(10, "browser-a"), 1u);
  EXPECT_EQ(table.of_client(20, "browser-a"), 3u);
  EXPECT_EQ(table.of_client(10, "browser-c"), 0u);
  EXPECT_EQ(table.of_client(30, "browser-a"), 0u);
}

TEST(SessionTable, EndingASessionForgetsItInTheStore) {
  server::MemoryRoomStore store;
  SessionTable table({}, store);
  table.put(connected(1, 10, 1));
  store.put_session({.peer = 1, .room = 10});
  store.put_session({.peer = 2, .room = 10});
  table.end(1);
  EXPECT_EQ(table.find(1), nullptr);
  EXPECT_EQ(store.load_sessions(), (std::vector<server::StoredSession>{{.peer = 2, .room = 10}}));
}

TEST(SessionTable, SessionsOfAnEarlierRunAreRestorableOnceUntilTheirTokensExpire) {
  server::MemoryRoomStore store;
  store.put_session({.peer = 1, .room = 10});
  store.put_session({.peer = 2, .room = 20});  // its room is gone
  store.put_session({.peer = 3, .room = 10});
  SessionTable table({}, store);
  ASSERT_TRUE(table.load([](RoomId room) { return room == 10; }));
  EXPECT_EQ(table.restorable_count(), 2u);
  EXPECT_EQ(table.restorable(1), RoomId{10});
  EXPECT_EQ(table.restorable(2), std::nullopt);
  EXPECT_EQ(store.load_sessions().size(), 2u) << "the session of the gone room is forgotten at once";

  table.restored(1);
  EXPECT_EQ(table.restorable(1), std::nullopt) << "once";
  table.set_time(1000, 300);
  table.set_time(1200, 300);  // only the first time counts
  table.sweep_stored(1300);
  EXPECT_EQ(table.restorable(3), RoomId{10});
  table.sweep_stored(1301);
  EXPECT_EQ(table.restorable(3), std::nullopt) << "every token of the earlier run has expired";
  EXPECT_EQ(store.load_sessions(), (std::vector<server::StoredSession>{{.peer = 1, .room = 10}}))
      << "the one that did not come back is forgotten; the restored one stays stored";
}

TEST(SessionTable, PeerIdsComeFromTheStoreInBlocksAndNeverRepeat) {
  server::MemoryRoomStore store;
  std::vector<PeerId> ids;
  for (int run = 0; run < 2; ++run) {  // a restart: a new table on the same store
    SessionTable table({.peer_id_block = 3}, store);
    for (int i = 0; i < 4; ++i) {
      const std::optional<PeerId> id = table.next_peer_id();
      ASSERT_TRUE(id);
      EXPECT_EQ(table.next_peer_id(), id) << "not taken until used";
      ids.push_back(*id);
      table.use_peer_id();
    }
  }
  // Blocks of 3: 1-3, 4-6 in the first run; the second run starts at the next block.
  EXPECT_EQ(ids, (std::vector<PeerId>{1, 2, 3, 4, 7, 8, 9, 10}));
}

}  // namespace
}  // namespace moim
