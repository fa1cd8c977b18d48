// The hub's side of large rooms' media (server/hub_media.cpp), without sockets or Janus: a join while
// the link is ready starts a media session, while it is down is refused; media-signal and
// media-restart only from a participant of a large room and with the kind its link takes; the server
// sets who speaks (a browser reaches only its own handles) and routes Janus's offers to exactly the
// participant whose handle it is; a leave, a closed tab, a room deleted or a resume grace running out
// detach the handles, a held session keeps them; the link going down and coming back says
// media-state to everyone in large rooms.
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
using json = nlohmann::json;
using sfu::MediaCommand;

class HubMedia : public ::testing::Test, public test::ClockedHub {
 protected:
  void SetUp() override {
    HubConfig config = test::test_config();
    config.janus_configured = true;
    config.resume_grace_ms = 5000;
    config.max_sdp_bytes = 32 * 1024;  // the server's default
    ASSERT_EQ(start_hub(config), "");
    hub().set_janus_ready(true);
    hello(1);
    const HubOutput asked = send(1, CreateRoom{.name = "Town hall", .capacity = 20});
    ASSERT_EQ(asked.janus.size(), 1u);
    secret_ = asked.janus[0].secret;
    const auto created = test::of_type<RoomCreated>(hub().on_janus_done(asked.janus[0].id), 1);
    ASSERT_EQ(created.size(), 1u);
    room_ = created[0].room.id;
    owner_ = created[0].owner;
  }
  // Connection `conn` joins the large room; its peer id. Its publisher handle is `handle` (the
  // attach and the publisher join answered).
  PeerId join(ConnId conn, sfu::JanusId handle) {
    hello(conn);
    const HubOutput out = send(conn, Join{.room = room_, .name = "P" + std::to_string(conn)});
    const auto joined = test::of_type<Joined>(out, conn);
    EXPECT_EQ(joined.size(), 1u);
    if (joined.empty()) return 0;
    EXPECT_EQ(out.media.size(), 1u);
    const PeerId peer = joined[0].self.id;
    tokens_[conn] = joined[0].token;
    const HubOutput attached = hub().on_media_answer(out.media.at(0).id, sfu::MediaAnswer{.ok = true, .handle = handle});
    EXPECT_EQ(attached.media.size(), 1u);
    const MediaCommand join_cmd = attached.media.at(0);
    EXPECT_EQ(join_cmd.handle, handle);
    EXPECT_EQ(join_cmd.body["ptype"], "publisher");
    EXPECT_EQ(join_cmd.body["id"], peer) << "the Janus feed id is the Moim peer id";
    EXPECT_EQ(join_cmd.body["room"], room_);
    hub().on_media_answer(join_cmd.id, sfu::MediaAnswer{.ok = true, .data = {{"videoroom", "joined"}}});
    return peer;
  }
  HubOutput media_signal(ConnId conn, MediaSignal signal) { return send(conn, SendMediaSignal{std::move(signal)}); }

  RoomId room_ = 0;
  std::string secret_;  // the Janus room's, made by the hub
  std::string owner_;
  std::map<ConnId, std::string> tokens_;
};

TEST_F(HubMedia, OnlyParticipantsOfALargeRoomSpeakToTheMediaServer) {
  const MediaSignal offer{.link = MediaLink::Publish, .kind = SignalKind::Offer, .sdp = "v=0"};
  // In the lobby, and in a mesh room: not-in-large-room, and nothing for Janus.
  hello(5);
  HubOutput out = media_signal(5, offer);
  ASSERT_EQ(test::of_type<Error>(out, 5).size(), 1u);
  EXPECT_EQ(test::of_type<Error>(out, 5)[0].code, ErrorCode::NotInLargeRoom);
  EXPECT_TRUE(out.media.empty());
  const RoomId mesh = create(5, "Small");
  ASSERT_NE(mesh, 0u);
  send(5, Join{.room = mesh, .name = "M"});
  for (const ClientMessage& message : {ClientMessage{RestartMedia{}}, ClientMessage{SetMediaLayers{{LayerWish{1, MediaLayer::Low}}}}}) {
    out = send(5, message);
    ASSERT_EQ(test::of_type<Error>(out, 5).size(), 1u) << (out.sends.empty() ? "" : *out.sends[0].text);
    EXPECT_EQ(test::of_type<Error>(out, 5).at(0).code, ErrorCode::NotInLargeRoom);
    EXPECT_TRUE(out.media.empty());
  }
  // In the large room: the wrong kind for the link is bad-field; an oversize SDP is signal-too-large.
  join(2, 102);
  for (const MediaSignal& bad : {MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Answer, .sdp = "v=0"},
                                 MediaSignal{.link = MediaLink::Subscribe, .kind = SignalKind::Offer, .sdp = "v=0"}}) {
    out = media_signal(2, bad);
    ASSERT_EQ(test::of_type<Error>(out, 2).size(), 1u) << (out.sends.empty() ? "nothing" : *out.sends[0].text);
    EXPECT_EQ(test::of_type<Error>(out, 2).at(0).code, ErrorCode::BadField);
    EXPECT_TRUE(out.media.empty());
  }
  out = media_signal(2, MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Offer, .sdp = std::string(40000, 'x')});
  EXPECT_EQ(test::of_type<Error>(out, 2).at(0).code, ErrorCode::SignalTooLarge);
  // The offer goes to its own publisher handle only.
  out = media_signal(2, offer);
  ASSERT_EQ(out.media.size(), 1u);
  EXPECT_EQ(out.media[0].handle, 102u);
  EXPECT_EQ(out.media[0].jsep, (json{{"type", "offer"}, {"sdp", "v=0"}}));
  // Janus's answer goes back to that participant alone.
  out = hub().on_media_answer(out.media[0].id, sfu::MediaAnswer{.ok = true, .data = {{"configured", "ok"}},
                                                               .jsep = {{"type", "answer"}, {"sdp", "janus-answer"}}});
  const auto relayed = test::of_type<RelayedMediaSignal>(out, 2);
  ASSERT_EQ(relayed.size(), 1u);
  EXPECT_EQ(relayed[0].signal, (MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Answer, .sdp = "janus-answer"}));
  EXPECT_EQ(out.sends.size(), 1u);
}

// A feed id held by a stale publisher is kicked (MediaSessions): the hub adds the room's secret,
// which only it holds; nothing else of the hub's goes into the request.
TEST_F(HubMedia, AKickCarriesTheRoomsSecret) {
  ASSERT_FALSE(secret_.empty());
  hello(2);
  const HubOutput out = send(2, Join{.room = room_, .name = "P2"});
  const auto joined = test::of_type<Joined>(out, 2);
  ASSERT_EQ(joined.size(), 1u);
  const HubOutput attached = hub().on_media_answer(out.media.at(0).id, sfu::MediaAnswer{.ok = true, .handle = 102});
  ASSERT_EQ(attached.media.size(), 1u);
  EXPECT_FALSE(attached.media[0].body.contains("secret")) << "a join carries no secret";
  const HubOutput taken = hub().on_media_answer(
      attached.media[0].id, sfu::MediaAnswer{.ok = false, .error = sfu::Error{sfu::ErrorCode::JanusError, 436, "User ID already exists"}});
  ASSERT_EQ(taken.media.size(), 1u);
  EXPECT_EQ(taken.media[0].handle, 102u);
  EXPECT_EQ(taken.media[0].body, (json{{"request", "kick"}, {"room", room_}, {"id", joined[0].self.id}, {"secret", secret_}}));
  EXPECT_TRUE(taken.sends.empty()) << "the participant hears nothing of it";
}

TEST_F(HubMedia, OffersReachTheSubscriberAndSessionsEndWithTheirParticipants) {
  const PeerId a = join(2, 102);
  const PeerId b = join(3, 103);
  // a's PeerConnection is up: b subscribes (attach, then join with a's feed).
  HubOutput out = hub().on_media_event(sfu::HandleEvent{102, "webrtcup", {}, nullptr});
  ASSERT_EQ(out.media.size(), 1u);
  out = hub().on_media_answer(out.media[0].id, sfu::MediaAnswer{.ok = true, .handle = 203});
  ASSERT_EQ(out.media.size(), 1u);
  EXPECT_EQ(out.media[0].body["ptype"], "subscriber");
  EXPECT_EQ(out.media[0].body["streams"], (json{{{"feed", a}}}));
  out = hub().on_media_answer(
      out.media[0].id,
      sfu::MediaAnswer{.ok = true,
                       .data = {{"videoroom", "attached"},
                                {"streams", {{{"mid", "0"}, {"type", "audio"}, {"active", true}, {"feed_id", a}},
                                             {{"mid", "1"}, {"type", "video"}, {"active", true}, {"feed_id", a}}}}},
                       .jsep = {{"type", "offer"}, {"sdp", "sub-offer"}}});
  const auto offers = test::of_type<RelayedMediaSignal>(out, 3);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].signal.link, MediaLink::Subscribe);
  EXPECT_EQ(offers[0].signal.streams,
            (std::vector<MediaStream>{{.mid = "0", .peer = a, .kind = MediaKind::Audio}, {.mid = "1", .peer = a, .kind = MediaKind::Video}}));
  EXPECT_TRUE(test::received(out, 2).empty()) << "only the subscriber hears its offer";
  // b's answer starts its subscription on its own subscriber handle.
  out = media_signal(3, MediaSignal{.link = MediaLink::Subscribe, .kind = SignalKind::Answer, .sdp = "sub-answer"});
  ASSERT_EQ(out.media.size(), 1u);
  EXPECT_EQ(out.media[0].handle, 203u);
  EXPECT_EQ(out.media[0].body, (json{{"request", "start"}}));

  // The link drops: media-state down to both; back with the same session: up.
  out = hub().set_janus_ready(false);
  EXPECT_EQ(test::of_type<MediaState>(out, 2).at(0).state, MediaServerState::Down);
  EXPECT_EQ(test::of_type<MediaState>(out, 3).at(0).state, MediaServerState::Down);
  // Nobody new joins meanwhile.
  hello(4);
  EXPECT_EQ(test::of_type<Error>(send(4, Join{.room = room_, .name = "Late"}), 4).at(0).code, ErrorCode::LargeRoomsUnavailable);
  out = hub().set_janus_ready(true, sfu::SessionKind::Reclaimed);
  EXPECT_EQ(test::of_type<MediaState>(out, 2).at(0).state, MediaServerState::Up);

  // b's connection is lost: held, its handles kept. a closes its tab: both of a's handles go.
  out = hub().disconnect(3, Hub::Departure::Lost);
  EXPECT_TRUE(out.media.empty());
  EXPECT_TRUE(hub().media_sessions().has(b));
  out = hub().disconnect(2, Hub::Departure::Closed);
  ASSERT_EQ(out.media.size(), 1u);
  EXPECT_EQ(out.media[0].kind, MediaCommand::Kind::Detach);
  EXPECT_EQ(out.media[0].handle, 102u);
  EXPECT_FALSE(hub().media_sessions().has(a));
  // b's grace runs out: its handles go too.
  advance(6000);
  out = hub().tick();
  std::vector<sfu::JanusId> detached;
  for (const MediaCommand& c : out.media) {
    if (c.kind == MediaCommand::Kind::Detach) detached.push_back(c.handle);
  }
  EXPECT_EQ(detached, (std::vector<sfu::JanusId>{103, 203}));
  EXPECT_EQ(hub().media_sessions().size(), 0u);
}

// media-signals are not numbered: after a resume, the subscription offer still waiting for its
// answer comes again (it may have been written into the dead socket).
TEST_F(HubMedia, AResumeSendsThePendingSubscriptionOfferAgain) {
  const PeerId a = join(2, 102);
  join(3, 103);
  HubOutput out = hub().on_media_event(sfu::HandleEvent{102, "webrtcup", {}, nullptr});
  out = hub().on_media_answer(out.media.at(0).id, sfu::MediaAnswer{.ok = true, .handle = 203});
  out = hub().on_media_answer(out.media.at(0).id,
                              sfu::MediaAnswer{.ok = true,
                                               .data = {{"streams", {{{"mid", "0"}, {"type", "audio"}, {"active", true}, {"feed_id", a}}}}},
                                               .jsep = {{"type", "offer"}, {"sdp", "sub-offer"}}});
  ASSERT_EQ(test::of_type<RelayedMediaSignal>(out, 3).size(), 1u);
  hub().disconnect(3, Hub::Departure::Lost);
  hub().connect(4, "10.0.0.4");
  send(4, Hello{});
  out = send(4, Resume{.token = tokens_[3], .name = "P3"});
  ASSERT_EQ(test::of_type<Resumed>(out, 4).size(), 1u);
  const auto again = test::of_type<RelayedMediaSignal>(out, 4);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].signal.sdp, "sub-offer");
  EXPECT_EQ(again[0].signal.streams, (std::vector<MediaStream>{{.mid = "0", .peer = a, .kind = MediaKind::Audio}}));
  EXPECT_TRUE(out.media.empty()) << "nothing for Janus";
}

TEST_F(HubMedia, ASecondTabReplacesTheFirstsMedia) {
  hello(2);
  HubOutput out = send(2, Join{.room = room_, .name = "Ann", .client = "tab"});
  const PeerId first = test::of_type<Joined>(out, 2).at(0).self.id;
  ASSERT_EQ(out.media.size(), 1u);
  hub().on_media_answer(out.media[0].id, sfu::MediaAnswer{.ok = true, .handle = 102});
  // The same browser joins again from another tab: the first session's handle goes, the new one starts.
  hello(3);
  out = send(3, Join{.room = room_, .name = "Ann", .client = "tab"});
  ASSERT_EQ(out.media.size(), 2u);
  EXPECT_EQ(out.media[0].kind, MediaCommand::Kind::Detach);
  EXPECT_EQ(out.media[0].handle, 102u);
  EXPECT_EQ(out.media[1].kind, MediaCommand::Kind::Attach);
  EXPECT_FALSE(hub().media_sessions().has(first));
  EXPECT_TRUE(hub().media_sessions().has(test::of_type<Joined>(out, 3).at(0).self.id));
}

TEST_F(HubMedia, ADeletedRoomOrANewJanusSessionEndsOrRestartsTheMedia) {
  const PeerId a = join(2, 102);
  // Janus restarted: a new session; the room is made again, then a hears "reset" and starts over.
  hub().set_janus_ready(false);
  HubOutput out = hub().set_janus_ready(true, sfu::SessionKind::Replaced);
  EXPECT_TRUE(out.media.empty());
  out = hub().recreate_large_rooms();
  ASSERT_EQ(out.janus.size(), 1u);
  out = hub().on_janus_done(out.janus[0].id);
  EXPECT_EQ(test::of_type<MediaState>(out, 2).at(0).state, MediaServerState::Reset);
  ASSERT_EQ(out.media.size(), 1u);
  EXPECT_EQ(out.media[0].kind, MediaCommand::Kind::Attach);
  hub().on_media_answer(out.media[0].id, sfu::MediaAnswer{.ok = true, .handle = 112});
  // Deleted: its media goes with it.
  out = send(1, DeleteRoom{.room = room_, .owner = owner_});
  ASSERT_EQ(out.media.size(), 1u);
  EXPECT_EQ(out.media[0].kind, MediaCommand::Kind::Detach);
  EXPECT_EQ(out.media[0].handle, 112u);
  EXPECT_FALSE(hub().media_sessions().has(a));
}

}  // namespace
}  // namespace moim

namespace moim {
namespace {

using namespace proto;
using json = nlohmann::json;

// moim-server killed and started again on the same store, its Janus session claimed back: the
// participants' media records come back with their handles, so the restarted server asks Janus for
// the session and those handles, tells the browsers that resume nothing about their media (no
// "reset": their streams went on through Janus), and carries on with the same handles; one that does
// not come back within the grace is dropped (its publisher detached). Without a claimed session
// (Janus restarted too) everything starts over as before.
class HubMediaRestart : public HubMedia {};

TEST_F(HubMediaRestart, ARestartedServerTakesTheMediaOver) {
  const PeerId a = join(2, 102);
  const PeerId b = join(3, 103);
  const PeerId c = join(4, 104);
  // a publishes; b and c subscribe to it and answer.
  HubOutput out = hub().on_media_event(sfu::HandleEvent{102, "webrtcup", {}, nullptr});
  ASSERT_EQ(out.media.size(), 2u);
  for (const auto& [attach, handle, conn] : {std::tuple{out.media[0], sfu::JanusId{203}, ConnId{3}},
                                             std::tuple{out.media[1], sfu::JanusId{204}, ConnId{4}}}) {
    HubOutput joined = hub().on_media_answer(attach.id, sfu::MediaAnswer{.ok = true, .handle = handle});
    ASSERT_EQ(joined.media.size(), 1u);
    HubOutput offered = hub().on_media_answer(
        joined.media[0].id, sfu::MediaAnswer{.ok = true,
                                             .data = {{"streams", {{{"mid", "0"}, {"type", "audio"}, {"active", true}, {"feed_id", a}}}}},
                                             .jsep = {{"type", "offer"}, {"sdp", "sub-offer"}}});
    ASSERT_EQ(test::of_type<RelayedMediaSignal>(offered, conn).size(), 1u);
    HubOutput started = media_signal(conn, MediaSignal{.link = MediaLink::Subscribe, .kind = SignalKind::Answer, .sdp = "ans"});
    ASSERT_EQ(started.media.size(), 1u);
    hub().on_media_answer(started.media[0].id, sfu::MediaAnswer{.ok = true, .data = {{"started", "ok"}}});
  }
  EXPECT_EQ(hub().janus_session_up(sfu::SessionUp{.session = 900, .handle = 901, .kind = sfu::SessionKind::First}).warnings,
            std::vector<std::string>{});

  // Killed: no goodbye. Started again on the same store.
  HubConfig config = config_;
  ASSERT_EQ(start_hub(config), "");
  const std::optional<sfu::EarlierSession> earlier = hub().earlier_janus_session();
  ASSERT_TRUE(earlier);
  EXPECT_EQ(*earlier, (sfu::EarlierSession{.session = 900, .handle = 901, .handles = {102, 103, 104, 203, 204}}));
  out = hub().set_janus_ready(true, sfu::SessionKind::Reclaimed);
  EXPECT_TRUE(out.media.empty()) << "nothing to ask Janus";
  EXPECT_EQ(hub().janus_session_up(sfu::SessionUp{.session = 900, .handle = 901, .kind = sfu::SessionKind::Reclaimed}).warnings,
            std::vector<std::string>{});

  // a and b resume: restored, and nothing about their media.
  for (const auto& [conn, name] : {std::pair{ConnId{12}, "P2"}, std::pair{ConnId{13}, "P3"}}) {
    hello(conn);
    out = send(conn, Resume{.token = tokens_[conn - 10], .name = name});
    const auto resumed = test::of_type<Resumed>(out, conn);
    ASSERT_EQ(resumed.size(), 1u) << (out.sends.empty() ? "nothing" : *out.sends[0].text);
    EXPECT_TRUE(resumed[0].restored);
    EXPECT_TRUE(test::of_type<MediaState>(out, conn).empty()) << "no reset: the media went on";
    if (conn == 12) {
      EXPECT_TRUE(out.media.empty()) << "a subscribes to nobody";
    } else {  // b's subscription catches up with a fresh offer, on its restored handle
      ASSERT_EQ(out.media.size(), 1u);
      EXPECT_EQ(out.media[0].handle, 203u);
      EXPECT_EQ(out.media[0].body, (json{{"request", "configure"}, {"restart", true}}));
    }
  }
  // The same handles carry on: a's publish offer (a screen, say) goes to its handle 102.
  out = media_signal(12, MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Offer, .sdp = "v=0"});
  ASSERT_EQ(out.media.size(), 1u);
  EXPECT_EQ(out.media[0].handle, 102u);
  // c never comes back: after the grace its handles are detached.
  advance(config.resume_grace_ms + 1000);
  out = hub().tick();
  std::set<sfu::JanusId> detached;
  for (const auto& command : out.media) {
    if (command.kind == MediaCommand::Kind::Detach) detached.insert(command.handle);
  }
  EXPECT_EQ(detached, (std::set<sfu::JanusId>{104, 204}));
  EXPECT_FALSE(hub().media_sessions().has(c));
  EXPECT_TRUE(hub().media_sessions().has(b));

  // Killed again, and this time Janus forgot the session (it restarted too): everyone starts over.
  ASSERT_EQ(start_hub(config), "");
  EXPECT_EQ(hub().earlier_janus_session()->handles, (std::set<sfu::JanusId>{102, 103, 203}));
  out = hub().set_janus_ready(true, sfu::SessionKind::Replaced);
  EXPECT_EQ(hub().janus_session_up(sfu::SessionUp{.session = 950, .handle = 951, .kind = sfu::SessionKind::Replaced}).warnings,
            std::vector<std::string>{});
  for (const sfu::RoomCommand& remake : hub().recreate_large_rooms().janus) hub().on_janus_done(remake.id);
  hello(22);
  out = send(22, Resume{.token = tokens_[2], .name = "P2"});
  ASSERT_EQ(test::of_type<Resumed>(out, 22).size(), 1u);
  const auto said = test::of_type<MediaState>(out, 22);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0].state, MediaServerState::Reset);
  EXPECT_EQ(hub().earlier_janus_session()->session, 950u);
}

}  // namespace
}  // namespace moim
