// The peer table: one record per remote peer, found by id and by connection handle, created when the
// peer appears and released (connection and all) when it leaves; and against hostile or broken server
// input, a list that stays coherent (no ourselves, no repeats, no more than a room holds).
#include "peer_table.hpp"
#include "signaling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <utility>

namespace moim {
namespace {

using namespace proto;

// A connection's browser objects as the table sees them: a handle, and a line in `released` when
// they go (in the client, wasm/peer_connection.hpp closes the RTCPeerConnection and frees the video).
class Objects {
 public:
  Objects(int handle, std::vector<int>& released) : handle_(handle), released_(&released) {}
  Objects(Objects&& o) noexcept : handle_(std::exchange(o.handle_, 0)), released_(o.released_) {}
  Objects& operator=(Objects&&) = delete;
  ~Objects() {
    if (handle_) released_->push_back(handle_);
  }
  int handle() const { return handle_; }

 private:
  int handle_ = 0;
  std::vector<int>* released_;
};
using Table = PeerTable<Objects>;

RoomInfo room(RoomId id) { return RoomInfo{id, "Room " + std::to_string(id), 1, 6, false}; }
PeerInfo peer(PeerId id) { return PeerInfo{id, "P" + std::to_string(id), true, true}; }

// A client's view of one call: ClientState and the table fed the same server messages, as App does.
struct Client {
  std::vector<int> released;  // before `peers`: outlives the records, whose connections note here
  int next_handle = 100;
  ClientState world;
  Table peers;

  bool apply(const ServerMessage& msg) {
    world.apply(msg);
    return peers.apply(msg, world.call());
  }
  int connect(PeerId id) {
    const int h = next_handle++;
    return peers.connect(id, Objects(h, released)) ? h : 0;
  }
  std::vector<PeerId> order() const {
    std::vector<PeerId> ids;
    for (const Table::Peer* p : peers.in_order()) ids.push_back(p->info.id);
    return ids;
  }
  std::vector<PeerId> away() const {
    std::vector<PeerId> ids;
    for (const Table::Peer* p : peers.in_order())
      if (p->away) ids.push_back(p->info.id);
    return ids;
  }
};

// 10 in room 1 with 11 and 12.
void in_call(Client& c) {
  c.apply(Welcome{kVersion, {room(1), room(2)}, {}});
  c.apply(Joined{room(1), peer(10), "tok", {peer(11), peer(12)}});
}

void expect_coherent(Client& c) {
  if (!c.world.call()) {
    EXPECT_EQ(c.peers.size(), 0u) << "records without a call";
    return;
  }
  EXPECT_LE(c.peers.size(), kMaxCallPeers);
  std::set<PeerId> seen;
  std::size_t connected = 0;
  for (const Table::Peer* p : c.peers.in_order()) {
    EXPECT_NE(p->info.id, c.world.call()->self.id) << "ourselves listed as a peer";
    EXPECT_TRUE(seen.insert(p->info.id).second) << "peer " << p->info.id << " listed twice";
    if (!p->connection) continue;
    ++connected;
    // Both indexes name the same record.
    EXPECT_EQ(c.peers.by_handle(p->connection->browser.handle()), p);
  }
  EXPECT_EQ(seen.size(), c.peers.size());
  EXPECT_EQ(c.peers.connections(), connected);
  // Every connection ever made is either held by a record or was released exactly once.
  std::set<int> released(c.released.begin(), c.released.end());
  EXPECT_EQ(released.size(), c.released.size()) << "a connection released twice";
  EXPECT_EQ(c.released.size() + connected, static_cast<std::size_t>(c.next_handle - 100));
}

TEST(PeerTable, RecordsFoundByIdAndByHandle) {
  Client c;
  in_call(c);
  EXPECT_EQ(c.order(), (std::vector<PeerId>{11, 12}));
  const int h11 = c.connect(11), h12 = c.connect(12);
  ASSERT_NE(c.peers.by_handle(h11), nullptr);
  EXPECT_EQ(c.peers.by_handle(h11)->info.id, 11u);
  EXPECT_EQ(c.peers.by_handle(h12)->info.name, "P12");
  EXPECT_EQ(c.peers.find(12)->connection->browser.handle(), h12);
  EXPECT_EQ(c.peers.by_handle(999), nullptr);  // never ours
  EXPECT_EQ(c.peers.find(99), nullptr);
  EXPECT_EQ(c.peers.connections(), 2u);
  expect_coherent(c);
}

TEST(PeerTable, StatsBelongToTheConnectionAndStartAtZeroWithANewOne) {
  Client c;
  in_call(c);
  const int first = c.connect(11);
  c.peers.by_handle(first)->connection->stats.frames_decoded = 240;
  EXPECT_EQ(c.peers.find(11)->connection->stats.frames_decoded, 240);
  c.connect(11);  // replaced (the signaling machine made a new connection for 11)
  EXPECT_EQ(c.peers.find(11)->connection->stats.frames_decoded, 0);
}

// Late browser callbacks (a description, a candidate, a state change) carry the handle they were
// made for: once that connection is released the handle finds nothing, and the event is dropped.
TEST(PeerTable, ReleasedHandlesFindNothing) {
  Client c;
  in_call(c);
  const int old = c.connect(11);
  const int fresh = c.connect(11);
  EXPECT_EQ(c.released, (std::vector<int>{old}));  // the replaced one went at once
  EXPECT_EQ(c.peers.by_handle(old), nullptr);
  EXPECT_EQ(c.peers.by_handle(fresh)->info.id, 11u);

  c.peers.disconnect(11);  // ClosePeerConnection: the connection goes, the person stays
  EXPECT_EQ(c.released, (std::vector<int>{old, fresh}));
  EXPECT_EQ(c.peers.by_handle(fresh), nullptr);
  ASSERT_NE(c.peers.find(11), nullptr);
  EXPECT_FALSE(c.peers.find(11)->connection);
  c.peers.disconnect(11);  // again: nothing left to release
  c.peers.disconnect(99);  // a stranger
  EXPECT_EQ(c.released.size(), 2u);
  expect_coherent(c);
}

TEST(PeerTable, APeerLeavingTakesItsConnectionAlong) {
  Client c;
  in_call(c);
  const int h11 = c.connect(11), h12 = c.connect(12);
  EXPECT_TRUE(c.apply(PeerLeft{11}));
  EXPECT_EQ(c.released, (std::vector<int>{h11}));
  EXPECT_EQ(c.peers.by_handle(h11), nullptr);
  EXPECT_EQ(c.order(), (std::vector<PeerId>{12}));
  // Listed again under the same id (a broken server; ids are not reused): the old connection's late
  // callbacks still find nothing, and are not taken for the new record's.
  EXPECT_TRUE(c.apply(PeerJoined{peer(11), false}));
  EXPECT_EQ(c.peers.by_handle(h11), nullptr);
  EXPECT_FALSE(c.peers.find(11)->connection);
  const int again = c.connect(11);
  EXPECT_EQ(c.peers.by_handle(h11), nullptr);
  EXPECT_EQ(c.peers.by_handle(again)->info.id, 11u);
  EXPECT_TRUE(c.apply(Left{LeftReason::Requested}));  // the call ends: every record and connection
  EXPECT_EQ(c.released, (std::vector<int>{h11, h12, again}));
  EXPECT_EQ(c.peers.size(), 0u);
  EXPECT_EQ(c.peers.connections(), 0u);
  expect_coherent(c);
}

TEST(PeerTable, ClearReleasesEverything) {
  Client c;
  in_call(c);
  c.connect(11);
  c.connect(12);
  c.peers.clear();
  EXPECT_EQ(c.released.size(), 2u);
  EXPECT_EQ(c.peers.size(), 0u);
  EXPECT_EQ(c.peers.connections(), 0u);
}

TEST(PeerTable, AConnectionForSomeoneNotListedIsReleasedAtOnce) {
  Client c;
  in_call(c);
  EXPECT_EQ(c.connect(99), 0);
  EXPECT_EQ(c.released, (std::vector<int>{100}));
  EXPECT_EQ(c.peers.size(), 2u);
  EXPECT_EQ(c.peers.connections(), 0u);
}

TEST(PeerTable, AConnectionTheBrowserCouldNotMakeIsNotAttached) {
  Client c;
  in_call(c);
  std::vector<int> released;
  // createPeer failed: handle 0. Attached, two such peers would share one index entry.
  EXPECT_EQ(c.peers.connect(11, Objects(0, released)), nullptr);
  EXPECT_EQ(c.peers.connect(12, Objects(0, released)), nullptr);
  EXPECT_EQ(c.peers.connections(), 0u);
  EXPECT_EQ(c.peers.by_handle(0), nullptr);
  EXPECT_NE(c.connect(11), 0);  // a real one later is attached as usual
  EXPECT_EQ(c.peers.connections(), 1u);
}

TEST(PeerTable, PeersJoinAtTheEndAndChangeTheirMediaInPlace) {
  Client c;
  in_call(c);
  EXPECT_TRUE(c.apply(PeerJoined{peer(13), false}));
  EXPECT_EQ(c.order(), (std::vector<PeerId>{11, 12, 13}));
  EXPECT_TRUE(c.apply(PeerMedia{11, false, true}));
  EXPECT_FALSE(c.peers.find(11)->info.mic);
  EXPECT_TRUE(c.peers.find(11)->info.camera);
  EXPECT_EQ(c.order(), (std::vector<PeerId>{11, 12, 13}));
}

// A resume after the socket dropped keeps the call's connections: the server held our session, and
// whoever it does not list left meanwhile.
TEST(PeerTable, AResumeKeepsTheConnectionsOfThoseStillThere) {
  Client c;
  in_call(c);
  const int h11 = c.connect(11), h12 = c.connect(12);
  c.world.disconnected();
  EXPECT_TRUE(c.apply(Resumed{room(1), peer(10), "t2", {peer(12), peer(13)}, false}));
  EXPECT_EQ(c.order(), (std::vector<PeerId>{12, 13}));
  EXPECT_EQ(c.released, (std::vector<int>{h11}));
  EXPECT_EQ(c.peers.by_handle(h12)->info.id, 12u);
  EXPECT_FALSE(c.peers.find(13)->connection);
  expect_coherent(c);
}

// After a server restart (restored), those not listed yet are away: tile and connection kept until
// they come back (then listed again, after the others) or are given up on (drop_away()).
TEST(PeerTable, RestoredPeersNotBackYetAreAwayUntilTheyReturnOrAreDropped) {
  Client c;
  in_call(c);
  c.apply(PeerJoined{peer(13), false});
  const int h11 = c.connect(11), h12 = c.connect(12), h13 = c.connect(13);
  EXPECT_TRUE(c.apply(Resumed{room(1), peer(10), "t2", {peer(12)}, true}));
  EXPECT_EQ(c.order(), (std::vector<PeerId>{12, 11, 13}));
  EXPECT_EQ(c.away(), (std::vector<PeerId>{11, 13}));
  EXPECT_TRUE(c.released.empty());
  EXPECT_EQ(c.peers.by_handle(h11)->info.id, 11u);
  EXPECT_EQ(c.peers.listed(), 1u);
  EXPECT_FALSE(c.apply(PeerMedia{11, false, false}));  // away: its badge waits for its return
  EXPECT_TRUE(c.peers.find(11)->info.mic);

  EXPECT_TRUE(c.apply(PeerJoined{peer(13), true}));  // back
  EXPECT_EQ(c.order(), (std::vector<PeerId>{12, 13, 11}));
  EXPECT_EQ(c.away(), (std::vector<PeerId>{11}));
  EXPECT_EQ(c.peers.by_handle(h13)->info.id, 13u);  // the same connection

  EXPECT_EQ(c.peers.drop_away(), (std::vector<PeerId>{11}));
  EXPECT_EQ(c.released, (std::vector<int>{h11}));
  EXPECT_EQ(c.order(), (std::vector<PeerId>{12, 13}));
  EXPECT_EQ(c.peers.by_handle(h12)->info.id, 12u);
  EXPECT_TRUE(c.peers.drop_away().empty());
  expect_coherent(c);
}

// any_of() looks at every record, listed and away (the frame pacing's "still settling" asks it).
TEST(PeerTable, AnyOfSeesListedAndAwayRecords) {
  Client c;
  EXPECT_FALSE(c.peers.any_of([](const Table::Peer&) { return true; }));  // no call: no records
  in_call(c);
  const auto is = [&](PeerId id) { return c.peers.any_of([&](const Table::Peer& p) { return p.info.id == id; }); };
  EXPECT_TRUE(is(11));
  EXPECT_TRUE(is(12));
  EXPECT_FALSE(is(10));  // ourselves
  const auto away = [&] { return c.peers.any_of([](const Table::Peer& p) { return p.away; }); };
  EXPECT_FALSE(away());
  c.apply(Resumed{room(1), peer(10), "t2", {peer(12)}, true});
  EXPECT_TRUE(away());
  EXPECT_TRUE(is(11));
  c.peers.drop_away();
  EXPECT_FALSE(away());
  EXPECT_FALSE(is(11));
}

// A second restart before they are back: those away stay away (they may still be on the way).
TEST(PeerTable, ASecondRestoreKeepsThoseStillAway) {
  Client c;
  in_call(c);
  c.apply(Resumed{room(1), peer(10), "t2", {peer(12)}, true});
  EXPECT_EQ(c.order(), (std::vector<PeerId>{12, 11}));
  c.apply(Resumed{room(1), peer(10), "t3", {}, true});
  EXPECT_EQ(c.away(), (std::vector<PeerId>{12, 11}));  // in the order they were shown
}

TEST(PeerTableHostile, JoinedListingOurselvesOrDuplicatesIsCleaned) {
  Client c;
  c.apply(Welcome{});
  c.apply(Joined{room(1), peer(10), "tok", {peer(11), peer(10), peer(11), peer(12)}});
  EXPECT_EQ(c.order(), (std::vector<PeerId>{11, 12}));
  expect_coherent(c);
}

TEST(PeerTableHostile, PeerJoinedForOurselvesIsIgnored) {
  Client c;
  in_call(c);
  EXPECT_FALSE(c.apply(PeerJoined{peer(10), false}));
  EXPECT_FALSE(c.apply(PeerJoined{peer(10), true}));
  EXPECT_EQ(c.peers.size(), 2u);
  expect_coherent(c);
}

TEST(PeerTableHostile, ResumedForAnotherRoomOrWithoutACallChangesNothing) {
  Client c;
  in_call(c);
  const int h11 = c.connect(11);
  EXPECT_FALSE(c.apply(Resumed{room(2), peer(10), "t2", {peer(99)}, false}));
  EXPECT_EQ(c.order(), (std::vector<PeerId>{11, 12}));
  EXPECT_EQ(c.peers.by_handle(h11)->info.id, 11u);
  EXPECT_TRUE(c.released.empty());
  Client lobby;
  lobby.apply(Welcome{});
  EXPECT_FALSE(lobby.apply(Resumed{room(1), peer(10), "t", {peer(11)}, true}));
  EXPECT_EQ(lobby.peers.size(), 0u);
}

TEST(PeerTableHostile, ResumedListingOurselvesIsCleaned) {
  Client c;
  in_call(c);
  EXPECT_TRUE(c.apply(Resumed{room(1), peer(10), "t2", {peer(10), peer(11), peer(11)}, true}));
  EXPECT_EQ(c.order(), (std::vector<PeerId>{11, 12}));
  EXPECT_EQ(c.away(), (std::vector<PeerId>{12}));
  expect_coherent(c);
}

TEST(PeerTableHostile, StrangersLeavingOrChangingMediaChangeNothing) {
  Client c;
  in_call(c);
  EXPECT_FALSE(c.apply(PeerLeft{99}));
  EXPECT_FALSE(c.apply(PeerMedia{99, false, false}));
  EXPECT_EQ(c.peers.size(), 2u);
}

TEST(PeerTableHostile, MessagesOutsideACallChangeNothing) {
  Client c;
  EXPECT_FALSE(c.apply(PeerJoined{peer(3), false}));
  EXPECT_FALSE(c.apply(PeerLeft{3}));
  EXPECT_FALSE(c.apply(PeerMedia{3, false, false}));
  EXPECT_FALSE(c.apply(Left{LeftReason::Replaced}));
  EXPECT_EQ(c.peers.size(), 0u);
}

TEST(PeerTableHostile, NoMoreOthersThanARoomHolds) {
  static_assert(kMaxCallPeers == proto::kMaxCapacity - 1);  // a large room's, 49
  const auto ids = [](PeerId first, std::size_t n) {
    std::vector<PeerId> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(first + i);
    return out;
  };
  Client c;
  c.apply(Welcome{kVersion, {room(1)}, {}});
  std::vector<PeerInfo> many;
  for (const PeerId id : ids(100, kMaxCallPeers + 12)) many.push_back(peer(id));
  c.apply(Joined{room(1), peer(10), "tok", many});
  EXPECT_EQ(c.order(), ids(100, kMaxCallPeers));  // the first 49, in join order
  EXPECT_FALSE(c.apply(PeerJoined{peer(300), false}));
  EXPECT_EQ(c.peers.find(300), nullptr);
  PeerInfo renamed = peer(112);
  renamed.mic = false;
  EXPECT_TRUE(c.apply(PeerJoined{renamed, true}));  // one already there is still updated
  EXPECT_FALSE(c.peers.find(112)->info.mic);
  EXPECT_TRUE(c.apply(PeerLeft{100}));
  EXPECT_TRUE(c.apply(PeerJoined{peer(300), false}));  // room again
  const PeerId last_kept = 100 + kMaxCallPeers - 5;   // away after the restore, still held
  const PeerId first_trimmed = last_kept + 1;
  const int h112 = c.connect(112), h_trimmed = c.connect(first_trimmed);
  // Restored with five new ones: those away are trimmed to what a room holds (first in join order
  // stay), and the connections of those trimmed go with them.
  c.apply(Resumed{room(1), peer(10), "tok2", {peer(400), peer(401), peer(402), peer(403), peer(404)}, true});
  std::vector<PeerId> want = ids(400, 5);
  for (const PeerId id : ids(101, last_kept - 100)) want.push_back(id);
  EXPECT_EQ(c.order(), want);
  EXPECT_EQ(c.released, (std::vector<int>{h_trimmed}));
  EXPECT_EQ(c.peers.by_handle(h112)->info.id, 112u);
  expect_coherent(c);
}

// Random sequences of every kind of server message and connection effect, ids from a small range so
// they collide: the table never lists ourselves or a repeat, its two indexes agree, every connection
// is held or released exactly once; the signaling machine fed the same messages never crashes.
TEST(PeerTableHostile, RandomSequencesStayCoherent) {
  std::mt19937 rng(12345);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  for (int run = 0; run < 200; ++run) {
    Client c;
    signaling::Machine m;
    for (int step = 0; step < 60; ++step) {
      const PeerId a = static_cast<PeerId>(pick(12)), b = static_cast<PeerId>(pick(12));
      const RoomId r = static_cast<RoomId>(pick(3));
      ServerMessage msg;
      switch (pick(16)) {
        case 0: msg = Welcome{kVersion, {room(r)}, {}}; break;
        case 1: msg = Joined{room(r), peer(a), "t", {peer(b), peer(a), peer(b)}}; break;
        case 2: msg = PeerJoined{peer(a), pick(2) == 0}; break;
        case 3: msg = PeerLeft{a}; break;
        case 4: msg = PeerMedia{a, pick(2) == 0, pick(2) == 0}; break;
        case 5: msg = Resumed{room(r), peer(a), "t", {peer(b), peer(a)}, pick(2) == 0}; break;
        case 6: msg = Left{static_cast<LeftReason>(pick(3))}; break;
        case 7: msg = RoomRemoved{r}; break;
        case 8: msg = RoomUpdated{room(r)}; break;
        case 9: msg = RelayedSignal{Signal{a, static_cast<SignalKind>(pick(3)), "sdp", {}}}; break;
        case 10: msg = Pong{}; break;
        case 11: msg = Error{ErrorCode::SessionExpired, "x", "resume"}; break;
        case 12: c.connect(a); expect_coherent(c); continue;
        case 13: c.peers.disconnect(a); expect_coherent(c); continue;
        case 14: c.peers.drop_away(); c.world.disconnected(); expect_coherent(c); continue;
        default: c.world.reset(); c.peers.clear(); expect_coherent(c); continue;
      }
      c.apply(msg);
      if (auto ev = signaling::to_event(msg)) m.handle(*ev);
      expect_coherent(c);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace moim
