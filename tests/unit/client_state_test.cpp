// ClientState against hostile or broken server input: whatever the sequence, nothing crashes and the
// call stays coherent (no ourselves among the peers, no duplicates, no call switched under us).
#include "client_state.hpp"
#include "signaling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace moim {
namespace {

using namespace proto;

RoomInfo room(RoomId id, std::uint32_t participants = 1) { return RoomInfo{id, "Room " + std::to_string(id), participants, 6, false}; }
PeerInfo peer(PeerId id) { return PeerInfo{id, "P" + std::to_string(id), true, true}; }

void expect_coherent(const ClientState& s) {
  if (!s.call()) return;
  EXPECT_LE(s.call()->peers.size() + s.call()->away.size(), kMaxCallPeers);
  std::set<PeerId> seen;
  for (const auto* list : {&s.call()->peers, &s.call()->away}) {
    for (const auto& p : *list) {
      EXPECT_NE(p.id, s.call()->self.id) << "ourselves listed as a peer";
      EXPECT_TRUE(seen.insert(p.id).second) << "peer " << p.id << " listed twice";
    }
  }
}

ClientState in_call() {
  ClientState s;
  s.apply(Welcome{kVersion, {room(1), room(2)}, {}});
  s.apply(Joined{room(1, 3), peer(10), "tok", {peer(11), peer(12)}});
  return s;
}

TEST(ClientStateIce, LatestConfigIsKeptAcrossADroppedConnectionAndForgottenOnReset) {
  ClientState s = in_call();
  EXPECT_FALSE(s.ice().has_value());
  const IceConfig first{.servers = {IceServer{.urls = {"stun:h:1"}}}};
  const IceConfig fresh{.servers = {IceServer{.urls = {"turn:h:3478"}, .username = "9:10", .credential = "c"}},
                        .policy = IcePolicy::Relay,
                        .expires = 9};
  EXPECT_TRUE(s.apply(first));
  EXPECT_FALSE(s.apply(first));  // the same again changes nothing
  EXPECT_TRUE(s.apply(fresh));
  s.disconnected();
  ASSERT_TRUE(s.ice().has_value());
  EXPECT_EQ(*s.ice(), fresh);
  EXPECT_TRUE(s.call().has_value());
  s.reset();
  EXPECT_FALSE(s.ice().has_value());
}

TEST(ClientStateHostile, JoinedListingOurselvesOrDuplicatesIsCleaned) {
  ClientState s;
  s.apply(Welcome{});
  s.apply(Joined{room(1), peer(10), "tok", {peer(11), peer(10), peer(11), peer(12)}});
  ASSERT_TRUE(s.call());
  EXPECT_EQ(s.call()->peers.size(), 2u);
  expect_coherent(s);
}

TEST(ClientStateHostile, PeerJoinedForOurselvesIsIgnored) {
  ClientState s = in_call();
  EXPECT_FALSE(s.apply(PeerJoined{peer(10), false}));
  EXPECT_FALSE(s.apply(PeerJoined{peer(10), true}));
  EXPECT_EQ(s.call()->peers.size(), 2u);
  expect_coherent(s);
}

TEST(ClientStateHostile, ResumedForAnotherRoomOrWithoutACallIsIgnored) {
  ClientState s = in_call();
  EXPECT_FALSE(s.apply(Resumed{room(2), peer(10), "t2", {peer(99)}, false}));
  EXPECT_EQ(s.call()->room.id, 1u);
  EXPECT_EQ(s.call()->peers.size(), 2u);
  ClientState lobby;
  lobby.apply(Welcome{});
  EXPECT_FALSE(lobby.apply(Resumed{room(1), peer(10), "t", {peer(11)}, true}));
  EXPECT_FALSE(lobby.call());
}

TEST(ClientStateHostile, ResumedListingOurselvesIsCleaned) {
  ClientState s = in_call();
  EXPECT_TRUE(s.apply(Resumed{room(1), peer(10), "t2", {peer(10), peer(11), peer(11)}, true}));
  EXPECT_EQ(s.call()->peers.size(), 1u);
  ASSERT_EQ(s.call()->away.size(), 1u);
  EXPECT_EQ(s.call()->away[0].id, 12u);
  expect_coherent(s);
}

TEST(ClientStateHostile, StrangersLeavingOrChangingMediaChangeNothing) {
  ClientState s = in_call();
  EXPECT_FALSE(s.apply(PeerLeft{99}));
  EXPECT_FALSE(s.apply(PeerMedia{99, false, false}));
  EXPECT_FALSE(s.apply(RoomRemoved{77}));
  EXPECT_EQ(s.call()->peers.size(), 2u);
}

TEST(ClientStateHostile, MessagesOutsideACallChangeNothing) {
  ClientState s;
  EXPECT_FALSE(s.apply(PeerJoined{peer(3), false}));
  EXPECT_FALSE(s.apply(PeerLeft{3}));
  EXPECT_FALSE(s.apply(PeerMedia{3, false, false}));
  EXPECT_FALSE(s.apply(Left{LeftReason::Replaced}));
  EXPECT_FALSE(s.apply(Pong{}));
  EXPECT_FALSE(s.call());
}

TEST(ClientStateHostile, DisconnectedKeepsTheCallAndForgetsTheLobby) {
  ClientState s = in_call();
  s.disconnected();
  EXPECT_FALSE(s.welcomed());
  ASSERT_TRUE(s.call());
  EXPECT_EQ(s.call()->peers.size(), 2u);
  s.apply(Welcome{kVersion, {room(1, 3)}, {20, 30, 4}});
  EXPECT_TRUE(s.welcomed());
  EXPECT_EQ(s.limits().max_name_chars, 20u);
  EXPECT_TRUE(s.call());
}

TEST(ClientStateHostile, NoMoreOthersThanARoomHolds) {
  static_assert(kMaxCallPeers == 7);
  ClientState s;
  s.apply(Welcome{kVersion, {room(1)}, {}});
  std::vector<PeerInfo> many;
  for (PeerId id = 11; id <= 20; ++id) many.push_back(peer(id));
  s.apply(Joined{room(1), peer(10), "tok", many});
  ASSERT_EQ(s.call()->peers.size(), 7u);
  EXPECT_EQ(s.call()->peers.back().id, 17u);  // the first seven, in join order
  EXPECT_FALSE(s.apply(PeerJoined{peer(30), false}));
  const auto in_call = [&](PeerId id) -> const PeerInfo* {
    for (const PeerInfo& p : s.call()->peers)
      if (p.id == id) return &p;
    return nullptr;
  };
  EXPECT_EQ(in_call(30), nullptr);
  PeerInfo renamed = peer(12);
  renamed.mic = false;
  EXPECT_TRUE(s.apply(PeerJoined{renamed, true}));  // one already there is still updated
  ASSERT_NE(in_call(12), nullptr);
  EXPECT_FALSE(in_call(12)->mic);
  EXPECT_TRUE(s.apply(PeerLeft{11}));
  EXPECT_TRUE(s.apply(PeerJoined{peer(30), false}));  // room again
  // Restored with a full list: those away are trimmed to what a room holds.
  s.apply(Resumed{room(1), peer(10), "tok2", {peer(40), peer(41), peer(42), peer(43), peer(44)}, true});
  EXPECT_EQ(s.call()->peers.size(), 5u);
  EXPECT_EQ(s.call()->away.size(), 2u);
  expect_coherent(s);
}

// Random sequences of every kind of server message, ids from a small range so they collide: the
// state never lists ourselves or a duplicate, and the signaling machine fed the same messages
// never crashes.
TEST(ClientStateHostile, RandomSequencesStayCoherent) {
  std::mt19937 rng(12345);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  for (int run = 0; run < 200; ++run) {
    ClientState s;
    signaling::Machine m;
    for (int step = 0; step < 60; ++step) {
      const PeerId a = static_cast<PeerId>(pick(12)), b = static_cast<PeerId>(pick(12));
      const RoomId r = static_cast<RoomId>(pick(3));
      ServerMessage msg;
      switch (pick(13)) {
        case 0: msg = Welcome{kVersion, {room(r)}, {}}; break;
        case 1: msg = Joined{room(r), peer(a), "t", {peer(b), peer(a), peer(b)}}; break;
        case 2: msg = PeerJoined{peer(a), pick(2) == 0}; break;
        case 3: msg = PeerLeft{a}; break;
        case 4: msg = PeerMedia{a, pick(2) == 0, pick(2) == 0}; break;
        case 5: msg = Resumed{room(r), peer(a), "t", {peer(b), peer(a)}, pick(2) == 0}; break;
        case 6: msg = Left{static_cast<LeftReason>(pick(3))}; break;
        case 7: msg = RoomRemoved{r}; break;
        case 8: msg = RoomUpdated{room(r, static_cast<std::uint32_t>(pick(20)))}; break;
        case 9: msg = RelayedSignal{Signal{a, static_cast<SignalKind>(pick(3)), "sdp", {}}}; break;
        case 10: msg = Pong{}; break;
        case 11: msg = Error{ErrorCode::SessionExpired, "x", "resume"}; break;
        default: s.drop_away(); s.disconnected(); continue;
      }
      s.apply(msg);
      if (auto ev = signaling::to_event(msg)) m.handle(*ev);
      expect_coherent(s);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace moim
