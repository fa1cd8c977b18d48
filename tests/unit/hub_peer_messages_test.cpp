// Large rooms' peer messages through the hub (server/hub_peer_messages.cpp), without sockets or
// Janus: one peer-message to everyone else in the room (one frame from the sender, the same bytes to
// each), or to one person; the server sets `from`; refused from the lobby and from a mesh room
// (not-in-large-room), to someone not in the room (peer-not-found), over the size limit
// (peer-message-too-large); kept for a held session and delivered after its resume.
#include "hub.hpp"
#include "hub_world.hpp"

#include "hub_frames.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace moim {
namespace {

using namespace proto;

const std::string kChat = R"({"v":1,"type":"chat","id":"abc","time":1,"seq":1,"text":"안녕"})";

class HubPeerMessages : public ::testing::Test, public test::ClockedHub {
 protected:
  void SetUp() override {
    HubConfig config = test::test_config();
    config.janus_configured = true;
    config.resume_grace_ms = 5000;
    // The server's own per-connection limit (test_config turns it off): the clock stands still here,
    // so a connection has its burst and no more.
    config.messages_per_second = 50;
    config.message_burst = 200;
    ASSERT_EQ(start_hub(config), "");
    hub().set_janus_ready(true);
    hello(1);
    const HubOutput asked = send(1, CreateRoom{.name = "Town hall", .capacity = 20});
    ASSERT_EQ(asked.janus.size(), 1u);
    const auto created = test::of_type<RoomCreated>(hub().on_janus_done(asked.janus[0].id), 1);
    ASSERT_EQ(created.size(), 1u);
    room_ = created[0].room.id;
  }
  // Connection `conn` joins `room` (the large room by default); its peer id.
  PeerId join(ConnId conn, RoomId room = 0) {
    hello(conn);
    const auto joined = test::of_type<Joined>(send(conn, Join{.room = room ? room : room_, .name = "P" + std::to_string(conn)}), conn);
    EXPECT_EQ(joined.size(), 1u);
    if (joined.empty()) return 0;
    tokens_[conn] = joined[0].token;
    return joined[0].self.id;
  }
  RoomId room_ = 0;
  std::map<ConnId, std::string> tokens_;
};

TEST_F(HubPeerMessages, ToEveryoneElseIsOneFrameFannedOutWithTheSenderSetByTheServer) {
  const PeerId a = join(2);
  join(3);
  join(4);
  hello(9);  // in the lobby: hears nothing
  const HubOutput out = send(2, SendPeerMessage{.data = kChat});
  for (const ConnId conn : {3, 4}) {
    const auto got = test::of_type<RelayedPeerMessage>(out, conn);
    ASSERT_EQ(got.size(), 1u) << conn;
    EXPECT_EQ(got[0], (RelayedPeerMessage{.from = a, .data = kChat}));
  }
  EXPECT_TRUE(test::received(out, 2).empty()) << "not back to the sender";
  EXPECT_TRUE(test::received(out, 9).empty());
  ASSERT_EQ(out.sends.size(), 2u);
  EXPECT_EQ(out.sends[0].text, out.sends[1].text) << "serialized once";
}

TEST_F(HubPeerMessages, ToOnePersonReachesOnlyThem) {
  const PeerId a = join(2);
  const PeerId b = join(3);
  join(4);
  const HubOutput out = send(2, SendPeerMessage{.to = b, .data = kChat});
  EXPECT_EQ(test::of_type<RelayedPeerMessage>(out, 3), (std::vector<RelayedPeerMessage>{{.from = a, .data = kChat}}));
  EXPECT_TRUE(test::received(out, 4).empty());
  EXPECT_TRUE(test::received(out, 2).empty());
}

TEST_F(HubPeerMessages, RefusedOutsideALargeRoomAndForSomeoneNotInIt) {
  // The lobby, and a mesh room (its browsers have data channels): not-in-large-room.
  hello(5);
  HubOutput out = send(5, SendPeerMessage{.data = kChat});
  ASSERT_EQ(test::of_type<Error>(out, 5).size(), 1u);
  EXPECT_EQ(test::of_type<Error>(out, 5)[0].code, ErrorCode::NotInLargeRoom);
  EXPECT_EQ(test::of_type<Error>(out, 5)[0].request, "peer-message");
  const RoomId mesh = create(5, "Small");
  ASSERT_NE(mesh, 0u);
  join(5, mesh);
  join(6, mesh);
  out = send(5, SendPeerMessage{.data = kChat});
  ASSERT_EQ(test::of_type<Error>(out, 5).size(), 1u);
  EXPECT_EQ(test::of_type<Error>(out, 5)[0].code, ErrorCode::NotInLargeRoom);
  EXPECT_TRUE(test::received(out, 6).empty());
  // In the large room: to someone of another room, to a stranger, to oneself: peer-not-found.
  const PeerId a = join(2);
  join(3);
  const PeerId mesh_peer = join(7, mesh);
  for (const PeerId nobody : {mesh_peer, PeerId{999999}, a}) {
    out = send(2, SendPeerMessage{.to = nobody, .data = kChat});
    ASSERT_EQ(test::of_type<Error>(out, 2).size(), 1u) << nobody;
    EXPECT_EQ(test::of_type<Error>(out, 2)[0].code, ErrorCode::PeerNotFound);
    EXPECT_EQ(out.sends.size(), 1u) << "nothing to anyone else";
  }
}

TEST_F(HubPeerMessages, OversizedDataIsRefusedUnsent) {
  join(2);
  join(3);
  std::string big = "\"" + std::string(kMaxPeerMessageDataBytes + 1, 'x') + "\"";
  HubOutput out = hub().on_text(2, R"({"type":"peer-message","data":)" + big + "}");
  ASSERT_EQ(test::of_type<Error>(out, 2).size(), 1u);
  EXPECT_EQ(test::of_type<Error>(out, 2)[0].code, ErrorCode::PeerMessageTooLarge);
  EXPECT_TRUE(test::received(out, 3).empty());
  // At the limit it goes.
  out = send(2, SendPeerMessage{.data = std::string(kMaxPeerMessageDataBytes, 'x')});
  EXPECT_EQ(test::of_type<RelayedPeerMessage>(out, 3).size(), 1u);
}

TEST_F(HubPeerMessages, AHeldSessionGetsWhatWasSaidAfterItsResume) {
  const PeerId a = join(2);
  join(3);
  hub().disconnect(3, Hub::Departure::Lost);
  HubOutput out = send(2, SendPeerMessage{.data = kChat});
  EXPECT_TRUE(out.sends.empty());
  hub().connect(4, "10.0.0.4");
  send(4, Hello{});
  out = send(4, Resume{.token = tokens_[3], .name = "P3"});
  ASSERT_EQ(test::of_type<Resumed>(out, 4).size(), 1u);
  EXPECT_EQ(test::of_type<RelayedPeerMessage>(out, 4), (std::vector<RelayedPeerMessage>{{.from = a, .data = kChat}}));
  // After the resumed: the client knows the room again before it hears what was said.
  const auto all = test::received(out, 4);
  std::size_t resumed_at = all.size(), message_at = all.size();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (std::holds_alternative<Resumed>(all[i])) resumed_at = i;
    if (std::holds_alternative<RelayedPeerMessage>(all[i])) message_at = i;
  }
  EXPECT_LT(resumed_at, message_at);
}

TEST_F(HubPeerMessages, TheConnectionsRateLimitApplies) {
  join(2);
  join(3);
  std::size_t relayed = 0, limited = 0;
  for (int i = 0; i < 400; ++i) {  // all at one instant: the burst (200 with the default config) then nothing
    const HubOutput out = send(2, SendPeerMessage{.data = kChat});
    relayed += test::of_type<RelayedPeerMessage>(out, 3).size();
    for (const Error& e : test::of_type<Error>(out, 2)) limited += e.code == ErrorCode::RateLimited;
  }
  EXPECT_LT(relayed, 400u);
  EXPECT_GT(relayed, 0u);
  EXPECT_GE(limited, 1u);
}

}  // namespace
}  // namespace moim

namespace moim {
namespace {

// A large room's data links for files (shared/data_links.hpp) are negotiated with `signal`: the
// relay carries it between two people of the same large room, to that one person only, with the
// sender set by the server, and refuses it to anyone in another room.
TEST_F(HubPeerMessages, SignalsOfDataLinksGoToOnePersonOfTheSameRoomOnly) {
  const PeerId a = join(2);
  const PeerId b = join(3);
  join(4);
  const Signal offer{.peer = b, .kind = SignalKind::Offer, .sdp = "v=0\r\n"};
  HubOutput out = send(2, SendSignal{offer});
  const auto got = test::of_type<RelayedSignal>(out, 3);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].signal.peer, a);
  EXPECT_EQ(got[0].signal.sdp, "v=0\r\n");
  EXPECT_TRUE(test::received(out, 4).empty());
  EXPECT_TRUE(test::received(out, 2).empty());
  // To someone in a mesh room: peer-not-found, nothing relayed.
  hello(5);
  const RoomId mesh = create(5, "Small");
  ASSERT_NE(mesh, 0u);
  const PeerId other = join(6, mesh);
  out = send(2, SendSignal{Signal{.peer = other, .kind = SignalKind::Offer, .sdp = "v=0\r\n"}});
  ASSERT_EQ(test::of_type<Error>(out, 2).size(), 1u);
  EXPECT_EQ(test::of_type<Error>(out, 2)[0].code, ErrorCode::PeerNotFound);
  EXPECT_TRUE(test::received(out, 6).empty());
}

}  // namespace
}  // namespace moim
