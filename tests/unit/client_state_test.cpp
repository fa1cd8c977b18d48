// ClientState against hostile or broken server input: no call switched under us, the lobby and the
// ICE servers across a dropped connection. (The call's other participants: peer_table_test.)
#include "client_state.hpp"

#include <gtest/gtest.h>

namespace moim {
namespace {

using namespace proto;

RoomInfo room(RoomId id, std::uint32_t participants = 1) { return RoomInfo{id, "Room " + std::to_string(id), participants, 6, false}; }
PeerInfo peer(PeerId id) { return PeerInfo{id, "P" + std::to_string(id), true, true}; }

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

// A large room's media server out of reach: from media-state "down" until "up" or "reset", kept
// across a resume, gone with the call; outside a call, nothing.
TEST(ClientStateMedia, TheMediaServerIsOutOfReachFromDownUntilBack) {
  ClientState s = in_call();
  EXPECT_FALSE(s.call()->media_reconnecting);
  EXPECT_TRUE(s.apply(MediaState{MediaServerState::Down}));
  EXPECT_TRUE(s.call()->media_reconnecting);
  EXPECT_FALSE(s.apply(MediaState{MediaServerState::Down}));
  EXPECT_TRUE(s.apply(Resumed{room(1), peer(10), "t2", {peer(11)}, false}));
  EXPECT_TRUE(s.call()->media_reconnecting);
  EXPECT_TRUE(s.apply(MediaState{MediaServerState::Reset}));
  EXPECT_FALSE(s.call()->media_reconnecting);
  s.apply(MediaState{MediaServerState::Down});
  EXPECT_TRUE(s.apply(MediaState{MediaServerState::Up}));
  EXPECT_FALSE(s.call()->media_reconnecting);
  s.apply(MediaState{MediaServerState::Down});
  s.apply(Left{});
  s.apply(Joined{room(2), peer(20), "t3", {}});
  EXPECT_FALSE(s.call()->media_reconnecting);
  ClientState lobby;
  lobby.apply(Welcome{});
  EXPECT_FALSE(lobby.apply(MediaState{MediaServerState::Down}));
}

TEST(ClientStateHostile, ResumedForAnotherRoomOrWithoutACallIsIgnored) {
  ClientState s = in_call();
  EXPECT_FALSE(s.apply(Resumed{room(2), peer(10), "t2", {peer(99)}, false}));
  EXPECT_EQ(s.call()->room.id, 1u);
  EXPECT_EQ(s.call()->token, "tok");
  ClientState lobby;
  lobby.apply(Welcome{});
  EXPECT_FALSE(lobby.apply(Resumed{room(1), peer(10), "t", {peer(11)}, true}));
  EXPECT_FALSE(lobby.call());
}

TEST(ClientStateHostile, AResumeOfOurCallTakesItsNewToken) {
  ClientState s = in_call();
  EXPECT_TRUE(s.apply(Resumed{room(1), peer(10), "t2", {peer(11)}, true}));
  EXPECT_EQ(s.call()->token, "t2");
  EXPECT_EQ(s.call()->self.id, 10u);
}

TEST(ClientStateHostile, UnknownRoomsRemovedChangeNothing) {
  ClientState s = in_call();
  EXPECT_FALSE(s.apply(RoomRemoved{77}));
  EXPECT_EQ(s.rooms().size(), 2u);
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
  EXPECT_EQ(s.call()->room.id, 1u);
  EXPECT_EQ(s.rooms().size(), 1u);  // only the call's room is still known
  s.apply(Welcome{kVersion, {room(1, 3)}, {20, 30, 4}});
  EXPECT_TRUE(s.welcomed());
  EXPECT_EQ(s.limits().max_name_chars, 20u);
  EXPECT_TRUE(s.call());
}

}  // namespace
}  // namespace moim
