// The media relay of large rooms (server/sfu/media_sessions.hpp), step by step: each row an event and
// exactly the requests for Janus and the messages for participants it makes. Janus's answers and
// events are shaped as janus_videoroom.c of Janus 1.1.2 sends them: "joined", "configured" with an
// answer jsep, "attached" / "updated" with an offer jsep and a "streams" summary (active, type, mid,
// feed_id), "webrtcup" / "hangup" on a publisher handle, an unsolicited "updated" offer after a
// publisher left.
#include "media_sessions.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace moim::sfu {

// Readable failures.
void PrintTo(const MediaCommand& c, std::ostream* os) {
  static constexpr const char* kKinds[] = {"Attach", "Detach", "Message", "Trickle"};
  *os << kKinds[static_cast<int>(c.kind)] << "{#" << c.id << ", handle " << c.handle << ", " << c.body.dump() << ", "
      << c.jsep.dump() << "}";
}
void PrintTo(const MediaOutput::ToPeer& t, std::ostream* os) { *os << "to " << t.peer << ": " << proto::encode(t.message); }

namespace {

using json = nlohmann::json;
using proto::MediaKind;
using proto::MediaLink;
using proto::MediaServerState;
using proto::MediaSignal;
using proto::MediaStream;
using proto::SignalKind;
using ToPeer = MediaOutput::ToPeer;

constexpr proto::RoomId kRoom = 10;

MediaCommand attach(RequestId id) { return MediaCommand{.kind = MediaCommand::Kind::Attach, .id = id}; }
MediaCommand detach(RequestId id, JanusId handle) {
  return MediaCommand{.kind = MediaCommand::Kind::Detach, .id = id, .handle = handle};
}
MediaCommand message(RequestId id, JanusId handle, json body, json jsep = nullptr) {
  return MediaCommand{.kind = MediaCommand::Kind::Message, .id = id, .handle = handle, .body = std::move(body), .jsep = std::move(jsep)};
}
MediaCommand trickle(RequestId id, JanusId handle, json candidate) {
  return MediaCommand{.kind = MediaCommand::Kind::Trickle, .id = id, .handle = handle, .body = std::move(candidate)};
}
json join_publisher(proto::PeerId peer, const std::string& name) {
  return {{"request", "join"}, {"ptype", "publisher"}, {"room", kRoom}, {"id", peer}, {"display", name}};
}
json join_subscriber(std::vector<proto::PeerId> feeds) {
  json streams = json::array();
  for (const auto feed : feeds) streams.push_back({{"feed", feed}});
  return {{"request", "join"}, {"ptype", "subscriber"}, {"room", kRoom}, {"streams", streams}};
}
json subscribe(std::vector<proto::PeerId> feeds) {
  json streams = json::array();
  for (const auto feed : feeds) streams.push_back({{"feed", feed}});
  return {{"request", "subscribe"}, {"streams", streams}};
}
const json kConfigure = {{"request", "configure"}, {"audio", true}, {"video", true}};
json offer_jsep(const std::string& sdp) { return {{"type", "offer"}, {"sdp", sdp}}; }
json answer_jsep(const std::string& sdp) { return {{"type", "answer"}, {"sdp", sdp}}; }

MediaAnswer attached(JanusId handle) { return MediaAnswer{.ok = true, .handle = handle}; }
MediaAnswer reply(json data, json jsep = nullptr) { return MediaAnswer{.ok = true, .data = std::move(data), .jsep = std::move(jsep)}; }
MediaAnswer refused(ErrorCode code, int janus_code, std::string reason) {
  return MediaAnswer{.ok = false, .error = Error{code, janus_code, std::move(reason)}};
}
// Janus's summary of one subscriber stream.
json stream(const std::string& mid, const std::string& type, proto::PeerId feed, bool active = true) {
  json s = {{"mid", mid}, {"type", type}, {"active", active}, {"mindex", std::stoi(mid)}};
  if (active) s["feed_id"] = feed;
  return s;
}

ToPeer publish_answer(proto::PeerId peer, std::string sdp) {
  return ToPeer{peer, proto::RelayedMediaSignal{MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Answer, .sdp = std::move(sdp)}}};
}
ToPeer subscribe_offer(proto::PeerId peer, std::string sdp, std::vector<MediaStream> streams) {
  return ToPeer{peer, proto::RelayedMediaSignal{MediaSignal{
                          .link = MediaLink::Subscribe, .kind = SignalKind::Offer, .sdp = std::move(sdp), .streams = std::move(streams)}}};
}
ToPeer state(proto::PeerId peer, MediaServerState s) { return ToPeer{peer, proto::MediaState{s}}; }
ToPeer media_failed(proto::PeerId peer) {
  return ToPeer{peer, proto::Error{proto::ErrorCode::MediaFailed,
                                   "The media server could not set up your audio and video; they start over: publish again.",
                                   "media-signal"}};
}
MediaStream audio(const std::string& mid, proto::PeerId peer) { return MediaStream{.mid = mid, .peer = peer, .kind = MediaKind::Audio}; }
MediaStream video(const std::string& mid, proto::PeerId peer) { return MediaStream{.mid = mid, .peer = peer, .kind = MediaKind::Video}; }

MediaSignal publish_offer(std::string sdp) { return MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Offer, .sdp = std::move(sdp)}; }
MediaSignal subscribe_answer(std::string sdp) {
  return MediaSignal{.link = MediaLink::Subscribe, .kind = SignalKind::Answer, .sdp = std::move(sdp)};
}
MediaSignal candidate(MediaLink link, std::string line) {
  return MediaSignal{.link = link, .kind = SignalKind::Candidate, .candidate = proto::IceCandidate{std::move(line), "0", 0}};
}

void expect(const MediaOutput& out, const std::vector<MediaCommand>& janus, const std::vector<ToPeer>& to_peers) {
  EXPECT_EQ(out.janus, janus);
  EXPECT_EQ(out.to_peers, to_peers);
}

// A participant joined as a publisher: its attach is #first, its join #first+1; its handle `handle`.
void joined(MediaSessions& m, proto::PeerId peer, RequestId first, JanusId handle) {
  const std::string name = "P" + std::to_string(peer);
  expect(m.join(peer, kRoom, name), {attach(first)}, {});
  expect(m.answer(first, attached(handle)), {message(first + 1, handle, join_publisher(peer, name))}, {});
  expect(m.answer(first + 1, reply({{"videoroom", "joined"}, {"room", kRoom}, {"id", peer}})), {}, {});
}

TEST(MediaSessions, PublishesTheBrowsersOfferAndRelaysJanussAnswer) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  // A candidate before the offer waits; the offer becomes configure, then the candidate goes.
  expect(m.signal(1, candidate(MediaLink::Publish, "candidate:1")), {}, {});
  expect(m.signal(1, publish_offer("offer-1")),
         {message(3, 101, kConfigure, offer_jsep("offer-1")),
          trickle(4, 101, {{"candidate", "candidate:1"}, {"sdpMid", "0"}, {"sdpMLineIndex", 0}})},
         {});
  // A second offer while the first is with Janus waits (the newest wins).
  expect(m.signal(1, publish_offer("offer-2")), {}, {});
  expect(m.signal(1, publish_offer("offer-3")), {}, {});
  expect(m.answer(3, reply({{"videoroom", "event"}, {"configured", "ok"}}, answer_jsep("answer-1"))),
         {message(5, 101, kConfigure, offer_jsep("offer-3"))}, {publish_answer(1, "answer-1")});
  expect(m.answer(4, reply(json::object())), {}, {});
  // Later candidates go at once; the end of candidates is {"completed":true}.
  expect(m.signal(1, candidate(MediaLink::Publish, "")), {trickle(6, 101, {{"completed", true}})}, {});
  expect(m.answer(5, reply({{"videoroom", "event"}, {"configured", "ok"}}, answer_jsep("answer-3"))), {},
         {publish_answer(1, "answer-3")});
  EXPECT_FALSE(m.publishing(1)) << "not before Janus says its PeerConnection is up";
}

TEST(MediaSessions, SubscribesToEveryOtherPublisherOneChangeAtATime) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  // Nobody publishes: nobody subscribes (Janus refuses a feed before its "webrtcup": "No such feed").
  EXPECT_EQ(m.in_flight(), 0u);
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {attach(5)}, {});
  EXPECT_TRUE(m.publishing(1));
  expect(m.answer(5, attached(202)), {message(6, 202, join_subscriber({1}))}, {});
  const json attached_event = {{"videoroom", "attached"},
                               {"room", kRoom},
                               {"streams", {stream("0", "audio", 1), stream("1", "video", 1), stream("2", "data", 0)}}};
  expect(m.answer(6, reply(attached_event, offer_jsep("sub-offer-1"))), {},
         {subscribe_offer(2, "sub-offer-1", {audio("0", 1), video("1", 1)})});
  // Peer 3 joins and publishes while 2's offer waits for its answer: 3 subscribes to 1 at once, 2 waits.
  expect(m.join(3, kRoom, "P3"), {attach(7)}, {});
  expect(m.answer(7, attached(103)), {message(8, 103, join_publisher(3, "P3"))}, {});
  expect(m.answer(8, reply({{"videoroom", "joined"}})), {attach(9)}, {});  // 1 publishes already
  // 3 publishes: 1 now subscribes too (attach #10, left unanswered here); 2 waits for its answer.
  expect(m.event(HandleEvent{103, "webrtcup", {}, nullptr}), {attach(10)}, {});
  expect(m.answer(9, attached(203)), {message(11, 203, join_subscriber({1}))}, {});
  // 2's candidates wait for its answer; its answer is "start", and then the candidates go.
  expect(m.signal(2, candidate(MediaLink::Subscribe, "candidate:2")), {}, {});
  expect(m.signal(2, subscribe_answer("sub-answer-1")),
         {message(12, 202, {{"request", "start"}}, answer_jsep("sub-answer-1")),
          trickle(13, 202, {{"candidate", "candidate:2"}, {"sdpMid", "0"}, {"sdpMLineIndex", 0}})},
         {});
  // Started: the change that waited goes now.
  expect(m.answer(12, reply({{"videoroom", "event"}, {"started", "ok"}})), {message(14, 202, subscribe({3}))}, {});
  const json updated = {{"videoroom", "updated"},
                        {"room", kRoom},
                        {"streams", {stream("0", "audio", 1), stream("1", "video", 1), stream("2", "data", 0),
                                     stream("3", "audio", 3), stream("4", "video", 3)}}};
  expect(m.answer(14, reply(updated, offer_jsep("sub-offer-2"))), {},
         {subscribe_offer(2, "sub-offer-2", {audio("0", 1), video("1", 1), audio("3", 3), video("4", 3)})});
  EXPECT_EQ(m.subscribed(2), (std::set<proto::PeerId>{1, 3}));
  expect(m.signal(2, subscribe_answer("sub-answer-2")), {message(15, 202, {{"request", "start"}}, answer_jsep("sub-answer-2"))}, {});
  expect(m.answer(15, reply({{"videoroom", "event"}, {"started", "ok"}})), {}, {});

  // Peer 1 leaves: its handles are detached; Janus drops its streams and offers again by itself.
  expect(m.leave(1), {detach(16, 101)}, {});
  expect(m.answer(10, attached(201)), {detach(17, 201)}, {});  // its subscriber handle came too late: detached
  EXPECT_EQ(m.subscribed(2), (std::set<proto::PeerId>{3}));
  const json after = {{"videoroom", "updated"},
                      {"room", kRoom},
                      {"streams", {stream("0", "audio", 0, false), stream("1", "video", 0, false), stream("2", "data", 0),
                                   stream("3", "audio", 3), stream("4", "video", 3)}}};
  expect(m.event(HandleEvent{202, "event", after, offer_jsep("sub-offer-3")}), {},
         {subscribe_offer(2, "sub-offer-3", {audio("3", 3), video("4", 3)})});
  // A publisher that hangs up stops being subscribed to (Janus renegotiates itself, again).
  expect(m.event(HandleEvent{103, "hangup", {{"reason", "ICE failed"}}, nullptr}), {}, {});
  EXPECT_FALSE(m.publishing(3));
  EXPECT_TRUE(m.subscribed(2).empty());
}

// A publisher that stops just as it is asked for: Janus says "No such feed" (428). The subscriber is
// not failed; that feed is left out until its publisher comes up again.
TEST(MediaSessions, AFeedJanusDoesNotHaveIsLeftOutUntilItChanges) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {attach(5)}, {});
  expect(m.answer(5, attached(202)), {message(6, 202, join_subscriber({1}))}, {});
  const MediaOutput refused = m.answer(6, MediaAnswer{.ok = false, .error = Error{ErrorCode::JanusError, 428, "No such feed (1)"}});
  expect(refused, {}, {});
  EXPECT_TRUE(m.subscribed(2).empty());
  // 1 comes up again: asked for again.
  expect(m.event(HandleEvent{101, "hangup", {}, nullptr}), {}, {});
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {message(7, 202, join_subscriber({1}))}, {});
}

TEST(MediaSessions, ARestartAsksForAnOfferWithFreshIceCredentials) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {attach(5)}, {});
  expect(m.answer(5, attached(202)), {message(6, 202, join_subscriber({1}))}, {});
  // Asked before the subscription's offer is answered: it waits for the answer.
  expect(m.restart(2), {}, {});
  expect(m.answer(6, reply({{"videoroom", "attached"}, {"streams", {stream("0", "audio", 1)}}}, offer_jsep("o1"))), {},
         {subscribe_offer(2, "o1", {audio("0", 1)})});
  // A resume meanwhile: the offer still waiting for its answer is sent again (it may have died with
  // the socket); once answered, a resume sends nothing.
  expect(m.resumed(2), {}, {subscribe_offer(2, "o1", {audio("0", 1)})});
  expect(m.signal(2, subscribe_answer("a1")), {message(7, 202, {{"request", "start"}}, answer_jsep("a1"))}, {});
  expect(m.resumed(2), {}, {});
  expect(m.answer(7, reply({{"started", "ok"}})), {message(8, 202, {{"request", "configure"}, {"restart", true}})}, {});
  // Janus's answer to a restart has no streams summary: the offer carries the previous m-lines its
  // SDP still sends on, and nobody is taken out of the subscription (asked for again, they would be
  // subscribed twice: seen in large-room-media.test).
  const std::string o2 = "v=0\r\nm=audio 9 UDP\r\na=mid:0\r\na=sendonly\r\n";
  expect(m.answer(8, reply({{"videoroom", "event"}, {"configured", "ok"}}, offer_jsep(o2))), {},
         {subscribe_offer(2, o2, {audio("0", 1)})});
  EXPECT_EQ(m.subscribed(2), (std::set<proto::PeerId>{1}));
  expect(m.signal(2, subscribe_answer("a2")), {message(9, 202, {{"request", "start"}}, answer_jsep("a2"))}, {});
  expect(m.answer(9, reply({{"started", "ok"}})), {}, {});
}

TEST(MediaSessions, AFailureSaysMediaFailedAndStartsOverBoundedly) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  expect(m.signal(1, publish_offer("bad")), {message(3, 101, kConfigure, offer_jsep("bad"))}, {});
  // Janus refuses the offer: media-failed, its handle detached, and once Janus says it is (Janus may
  // take requests out of order: the same feed id must be free), a new publisher handle.
  // (Its feed id is free only once Janus answered its "leave": a detach frees it some time later.)
  expect(m.answer(3, refused(ErrorCode::JanusError, 465, "Error processing SDP")), {message(4, 101, {{"request", "leave"}})},
         {media_failed(1)});
  expect(m.signal(1, publish_offer("meanwhile")), {}, {});
  expect(m.answer(4, reply({{"videoroom", "event"}, {"leaving", "ok"}})), {detach(5, 101), attach(6)}, {});
  // An attach that keeps failing (not the link: Janus refusing) is given up after kMaxRestarts.
  expect(m.answer(6, refused(ErrorCode::JanusError, 490, "x")), {attach(7)}, {media_failed(1)});
  expect(m.answer(7, refused(ErrorCode::JanusError, 490, "x")), {attach(8)}, {media_failed(1)});
  const MediaOutput given_up = m.answer(8, refused(ErrorCode::JanusError, 490, "x"));
  expect(given_up, {}, {media_failed(1)});
  ASSERT_FALSE(given_up.log.empty());
  EXPECT_NE(given_up.log.back().find("given up"), std::string::npos);
  // The client answers media-failed with a new offer: given up, that is no new try (it would
  // never end); a new session of the media server is.
  expect(m.signal(1, publish_offer("again")), {}, {});
  expect(m.link_down(), {}, {state(1, MediaServerState::Down)});
  const MediaOutput replaced = m.link_up(SessionKind::Replaced);
  EXPECT_TRUE(replaced.janus.empty()) << "nothing before the room is made again";
  const MediaOutput ready = m.room_ready(kRoom);
  ASSERT_FALSE(ready.janus.empty());
  EXPECT_EQ(ready.janus[0].kind, MediaCommand::Kind::Attach);
}

// A publisher of ours Janus still has under the feed id (from before a restart of moim-server, its
// record never written): the join finds the id taken, kicks that publisher, joins again: once.
TEST(MediaSessions, AFeedIdHeldByAStalePublisherIsKickedOnce) {
  MediaSessions m;
  const json kick = {{"request", "kick"}, {"room", kRoom}, {"id", 1}};
  expect(m.join(1, kRoom, "P1"), {attach(1)}, {});
  expect(m.answer(1, attached(101)), {message(2, 101, join_publisher(1, "P1"))}, {});
  expect(m.answer(2, refused(ErrorCode::JanusError, 436, "User ID 1 already exists")), {message(3, 101, kick)}, {});
  EXPECT_FALSE(m.record(1).at("settled").get<bool>()) << "a kick in flight is no settled record";
  expect(m.answer(3, reply({{"videoroom", "success"}})), {message(4, 101, join_publisher(1, "P1"))}, {});
  expect(m.answer(4, reply({{"videoroom", "joined"}, {"room", kRoom}, {"id", 1}})), {}, {});
  // A kick finding nobody (the stale one went by itself meanwhile) joins again as well.
  expect(m.join(2, kRoom, "P2"), {attach(5)}, {});
  expect(m.answer(5, attached(102)), {message(6, 102, join_publisher(2, "P2"))}, {});
  expect(m.answer(6, refused(ErrorCode::JanusError, 436, "User ID 2 already exists")),
         {message(7, 102, {{"request", "kick"}, {"room", kRoom}, {"id", 2}})}, {});
  expect(m.answer(7, refused(ErrorCode::JanusError, 428, "No such user 2 in room")), {message(8, 102, join_publisher(2, "P2"))}, {});
  // Taken again right after the kick: no second kick in a row, a failure (and a bounded start-over).
  const MediaOutput failed = m.answer(8, refused(ErrorCode::JanusError, 436, "User ID 2 already exists"));
  ASSERT_FALSE(failed.janus.empty());
  for (const MediaCommand& c : failed.janus) EXPECT_FALSE(c.body.is_object() && c.body.value("request", "") == "kick");
  EXPECT_EQ(failed.to_peers, std::vector<ToPeer>{media_failed(2)});
}

// Its browser lost a connection (media-restart "fresh"): it starts over as after a failure, its
// handles replaced; bounded per join even when Janus takes every new offer (failures then reset).
TEST(MediaSessions, ABrowserThatLostAConnectionStartsOverBoundedly) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  RequestId next = 3;
  JanusId handle = 101;
  for (int i = 1; i <= MediaSessions::kMaxBrowserLosses; ++i) {
    SCOPED_TRACE(i);
    const JanusId old = handle++;
    expect(m.start_over(1), {message(next, old, {{"request", "leave"}})}, {media_failed(1)});
    expect(m.answer(next, reply({{"videoroom", "event"}, {"leaving", "ok"}})), {detach(next + 1, old), attach(next + 2)}, {});
    expect(m.answer(next + 2, attached(handle)), {message(next + 3, handle, join_publisher(1, "P1"))}, {});
    expect(m.answer(next + 3, reply({{"videoroom", "joined"}, {"room", kRoom}, {"id", 1}})), {}, {});
    expect(m.signal(1, publish_offer("o")), {message(next + 4, handle, kConfigure, offer_jsep("o"))}, {});
    expect(m.answer(next + 4, reply({{"videoroom", "event"}, {"configured", "ok"}}, answer_jsep("a"))), {}, {publish_answer(1, "a")});
    next += 5;
  }
  const MediaOutput refused_again = m.start_over(1);
  expect(refused_again, {}, {});
  ASSERT_FALSE(refused_again.log.empty());
  EXPECT_TRUE(m.publishing(1) || m.record(1).at("pub").get<JanusId>() == handle) << "its handles are kept";
  // Someone not in a large room: nothing.
  expect(m.start_over(9), {}, {});
}

TEST(MediaSessions, AnswersForALeaverOrAnOlderTryAreDropped) {
  MediaSessions m;
  expect(m.join(1, kRoom, "P1"), {attach(1)}, {});
  expect(m.leave(1), {}, {});
  // Its handle came after all: detached.
  expect(m.answer(1, attached(101)), {detach(2, 101)}, {});
  expect(m.answer(2, reply({})), {}, {});
  EXPECT_EQ(m.in_flight(), 0u);
  EXPECT_FALSE(m.has(1));
  // Media signals from someone without a session change nothing.
  expect(m.signal(1, publish_offer("x")), {}, {});
}

TEST(MediaSessions, CandidatesWaitBoundedly) {
  MediaSessions m;
  expect(m.join(1, kRoom, "P1"), {attach(1)}, {});
  for (std::size_t i = 0; i < MediaSessions::kMaxQueuedCandidates; ++i) {
    expect(m.signal(1, candidate(MediaLink::Publish, "candidate:" + std::to_string(i))), {}, {});
  }
  const MediaOutput over = m.signal(1, candidate(MediaLink::Publish, "candidate:over"));
  expect(over, {}, {});
  ASSERT_EQ(over.log.size(), 1u);
  EXPECT_NE(over.log[0].find("dropped"), std::string::npos);
  // An answer on the subscribe link with no offer out is dropped (logged).
  EXPECT_EQ(m.signal(1, subscribe_answer("a")).log.size(), 1u);
}

TEST(MediaSessions, TheLinkGoingDownAndComingBack) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  expect(m.link_down(), {}, {state(1, MediaServerState::Down), state(2, MediaServerState::Down)});
  // Offers while down wait; a request lost with the socket makes that participant start over.
  expect(m.signal(1, publish_offer("o")), {}, {});
  expect(m.link_up(SessionKind::Reclaimed), {message(5, 101, kConfigure, offer_jsep("o"))},
         {state(1, MediaServerState::Up), state(2, MediaServerState::Up)});
  // Down again with that configure in flight (the link fails it): back, peer 1 starts over.
  expect(m.link_down(), {}, {state(1, MediaServerState::Down), state(2, MediaServerState::Down)});
  expect(m.answer(5, refused(ErrorCode::ConnectionLost, 0, "lost")), {}, {});
  expect(m.link_up(SessionKind::Reclaimed), {message(6, 101, {{"request", "leave"}})},
         {state(1, MediaServerState::Reset), state(2, MediaServerState::Up)});
  expect(m.answer(6, reply({{"leaving", "ok"}})), {detach(7, 101), attach(8)}, {});
  // A new session: every handle is gone; nothing happens until the room is made again, then both
  // hear "reset" and start over (no detach: Janus forgot those handles).
  expect(m.link_down(), {}, {state(1, MediaServerState::Down), state(2, MediaServerState::Down)});
  expect(m.link_up(SessionKind::Replaced), {}, {});
  expect(m.answer(8, attached(111)), {}, {});  // the old session's: dropped (and its handle is gone with it)
  expect(m.join(3, kRoom, "P3"), {}, {});      // waits with the others
  expect(m.room_ready(kRoom), {attach(9), attach(10), attach(11)},
         {state(1, MediaServerState::Reset), state(2, MediaServerState::Reset), state(3, MediaServerState::Reset)});
}

}  // namespace
}  // namespace moim::sfu

namespace moim::sfu {
namespace {

// A publisher's video m-lines past its camera's (the first video of its offer) are its screen: the
// subscriber is told which is which (feed_mid in Janus's streams).
TEST(MediaSessions, APublishersSecondVideoIsItsScreen) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  const std::string offer = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                            "a=mid:1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:3\r\n";
  expect(m.signal(1, publish_offer(offer)), {message(5, 101, kConfigure, offer_jsep(offer))}, {});
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {attach(6)}, {});
  expect(m.answer(6, attached(202)), {message(7, 202, join_subscriber({1}))}, {});
  json streams = {stream("0", "audio", 1), stream("1", "video", 1), stream("2", "video", 1)};
  streams[0]["feed_mid"] = "0";
  streams[1]["feed_mid"] = "1";
  streams[2]["feed_mid"] = "3";
  MediaStream screen = video("2", 1);
  screen.screen = true;
  expect(m.answer(7, reply({{"videoroom", "attached"}, {"room", kRoom}, {"streams", streams}}, offer_jsep("sub"))), {},
         {subscribe_offer(2, "sub", {audio("0", 1), video("1", 1), screen})});
}

}  // namespace
}  // namespace moim::sfu

namespace moim::sfu {
namespace {

// A publisher that starts sending on a new m-line (a screen shared) after others subscribed to its
// feed: Janus does not add it to their subscriptions by itself; each gets one "subscribe" of that
// stream (after its pending answer, if any).
TEST(MediaSessions, AStreamAPublisherAddsLaterIsSubscribedTo) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  const std::string camera = "v=0\r\nm=audio 9 X 111\r\na=mid:0\r\na=sendrecv\r\nm=video 9 X 96\r\na=mid:1\r\na=sendrecv\r\n";
  const std::string shared = camera + "m=video 9 X 96\r\na=mid:2\r\na=sendonly\r\n";
  expect(m.signal(1, publish_offer(camera)), {message(5, 101, kConfigure, offer_jsep(camera))}, {});
  expect(m.answer(5, reply({{"videoroom", "event"}, {"configured", "ok"}}, answer_jsep("a1"))), {}, {publish_answer(1, "a1")});
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {attach(6)}, {});
  expect(m.answer(6, attached(202)), {message(7, 202, join_subscriber({1}))}, {});
  const json attached_event = {{"videoroom", "attached"}, {"streams", {stream("0", "audio", 1), stream("1", "video", 1)}}};
  expect(m.answer(7, reply(attached_event, offer_jsep("s1"))), {}, {subscribe_offer(2, "s1", {audio("0", 1), video("1", 1)})});
  // The screen goes on while 2's answer is pending: its subscribe waits for the start.
  expect(m.signal(1, publish_offer(shared)), {message(8, 101, kConfigure, offer_jsep(shared))}, {});
  expect(m.answer(8, reply({{"videoroom", "event"}, {"configured", "ok"}}, answer_jsep("a2"))), {}, {publish_answer(1, "a2")});
  expect(m.signal(2, subscribe_answer("s1-answer")), {message(9, 202, {{"request", "start"}}, answer_jsep("s1-answer"))}, {});
  expect(m.answer(9, reply({{"videoroom", "event"}, {"started", "ok"}})),
         {message(10, 202, {{"request", "subscribe"}, {"streams", {{{"feed", 1}, {"mid", "2"}}}}})}, {});
  // The same offer again (an ICE restart): nothing new to add.
  expect(m.signal(1, publish_offer(shared)), {message(11, 101, kConfigure, offer_jsep(shared))}, {});
  expect(m.answer(11, reply({{"videoroom", "event"}, {"configured", "ok"}}, answer_jsep("a3"))), {}, {publish_answer(1, "a3")});
  // The share ends (its m-line inactive): the stream comes out of 2's subscription, once the
  // subscribe before is done.
  const std::string ended = camera + "m=video 9 X 96\r\na=mid:2\r\na=inactive\r\n";
  expect(m.signal(1, publish_offer(ended)), {message(12, 101, kConfigure, offer_jsep(ended))}, {});
  expect(m.answer(12, reply({{"videoroom", "event"}, {"configured", "ok"}}, answer_jsep("a4"))), {}, {publish_answer(1, "a4")});
  expect(m.answer(10, reply({{"videoroom", "updated"}, {"streams", {stream("0", "audio", 1), stream("1", "video", 1), stream("2", "video", 1)}}},
                            offer_jsep("s2"))),
         {}, {subscribe_offer(2, "s2", {audio("0", 1), video("1", 1), video("2", 1)})});
  expect(m.signal(2, subscribe_answer("s2-answer")), {message(13, 202, {{"request", "start"}}, answer_jsep("s2-answer"))}, {});
  expect(m.answer(13, reply({{"videoroom", "event"}, {"started", "ok"}})),
         {message(14, 202, {{"request", "unsubscribe"}, {"streams", {{{"feed", 1}, {"mid", "2"}}}}})}, {});
}

}  // namespace
}  // namespace moim::sfu

namespace moim::sfu {
namespace {

proto::LayerWish wish(proto::PeerId peer, proto::MediaLayer layer) { return proto::LayerWish{peer, layer}; }
json layers_configure(std::vector<std::pair<std::string, int>> mids) {
  json streams = json::array();
  for (const auto& [mid, substream] : mids) streams.push_back({{"mid", mid}, {"substream", substream}});
  return {{"request", "configure"}, {"streams", streams}};
}

// Each subscriber gets the layer of each camera it asks for: Janus is told only what differs from
// what it was told (a new m-line starts at the highest), never about screens or other rooms' feeds;
// the wish outlives the subscription (a new offer's m-lines get it) and a refusal is no failure.
TEST(MediaSessions, ASubscriberGetsTheCameraLayersItAsksFor) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  joined(m, 3, 5, 103);
  expect(m.join(9, kRoom + 1, "P9"), {attach(7)}, {});  // another room's participant
  // Asked before there is a subscription: kept, nothing to tell yet. Itself and other rooms: ignored.
  expect(m.layers(3, {wish(1, proto::MediaLayer::Low), wish(3, proto::MediaLayer::Low), wish(9, proto::MediaLayer::Low)}), {}, {});
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {attach(8), attach(9)}, {});
  expect(m.answer(9, attached(203)), {message(10, 203, join_subscriber({1}))}, {});
  // The offer's camera m-line of feed 1 gets the low layer at once; the audio does not.
  expect(m.answer(10, reply({{"videoroom", "attached"}, {"room", kRoom}, {"streams", {stream("0", "audio", 1), stream("1", "video", 1)}}},
                            offer_jsep("sub-1"))),
         {message(11, 203, layers_configure({{"1", 0}}))}, {subscribe_offer(3, "sub-1", {audio("0", 1), video("1", 1)})});
  EXPECT_EQ(m.substream(3, "1"), 0);
  expect(m.answer(11, reply({{"videoroom", "event"}, {"configured", "ok"}})), {}, {});
  // The same wish again: nothing to tell. Medium: told.
  expect(m.layers(3, {wish(1, proto::MediaLayer::Low)}), {}, {});
  expect(m.layers(3, {wish(1, proto::MediaLayer::Medium)}), {message(12, 203, layers_configure({{"1", 1}}))}, {});
  // Peer 2 publishes; Janus's new offer keeps feed 1 at mid 1 and adds 2's camera at mid 3 (the
  // highest: nothing to tell), the wish for 1 is already in effect.
  expect(m.signal(3, subscribe_answer("ans-1")), {message(13, 203, {{"request", "start"}}, answer_jsep("ans-1"))}, {});
  expect(m.answer(13, reply({{"videoroom", "event"}, {"started", "ok"}})), {}, {});
  expect(m.event(HandleEvent{102, "webrtcup", {}, nullptr}), {attach(14), message(15, 203, subscribe({2}))}, {});
  const json two = {stream("0", "audio", 1), stream("1", "video", 1), stream("2", "audio", 2), stream("3", "video", 2)};
  expect(m.answer(15, reply({{"videoroom", "updated"}, {"room", kRoom}, {"streams", two}}, offer_jsep("sub-2"))), {},
         {subscribe_offer(3, "sub-2", {audio("0", 1), video("1", 1), audio("2", 2), video("3", 2)})});
  // Low for both: one configure with the two m-lines.
  expect(m.layers(3, {wish(1, proto::MediaLayer::Low), wish(2, proto::MediaLayer::Low)}),
         {message(16, 203, layers_configure({{"1", 0}, {"3", 0}}))}, {});
  // Janus refuses (the subscription's streams are gone): logged, no media-failed; the next offer tells all again.
  const MediaOutput no_mid = m.answer(16, refused(ErrorCode::JanusError, 428, "No such mid '3' in subscription"));
  expect(no_mid, {}, {});
  EXPECT_EQ(no_mid.log.size(), 1u);
  // Feed 1 leaves; Janus reuses mid 1 for nobody, the next offer carries only 2's: told low again.
  expect(m.leave(1), {detach(17, 101)}, {});
  const json after = {stream("0", "audio", 0, false), stream("1", "video", 0, false), stream("2", "audio", 2), stream("3", "video", 2)};
  expect(m.event(HandleEvent{203, "event", {{"videoroom", "updated"}, {"streams", after}}, offer_jsep("sub-3")}),
         {message(18, 203, layers_configure({{"3", 0}}))}, {subscribe_offer(3, "sub-3", {audio("2", 2), video("3", 2)})});
  // High again for 2: told; a screen m-line is never configured.
  expect(m.layers(3, {wish(2, proto::MediaLayer::High)}), {message(19, 203, layers_configure({{"3", 2}}))}, {});
  // A wish while the link is down is told once it is back (the same session).
  expect(m.link_down(), {}, {state(2, MediaServerState::Down), state(3, MediaServerState::Down), state(9, MediaServerState::Down)});
  expect(m.layers(3, {wish(2, proto::MediaLayer::Low)}), {}, {});
  expect(m.link_up(SessionKind::Reclaimed), {message(20, 203, layers_configure({{"3", 0}}))},
         {state(2, MediaServerState::Up), state(3, MediaServerState::Up), state(9, MediaServerState::Up)});
}

}  // namespace
}  // namespace moim::sfu

namespace moim::sfu {
namespace {

// Two participants at rest: 1 publishes (handle 101), 2 subscribes to it (handle 202, started) and
// wants its camera low. Request ids used: 1..8.
void at_rest(MediaSessions& m) {
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  expect(m.signal(1, publish_offer("v=0\r\nm=audio 9 UDP\r\na=mid:0\r\nm=video 9 UDP\r\na=mid:1\r\n")),
         {message(5, 101, kConfigure, offer_jsep("v=0\r\nm=audio 9 UDP\r\na=mid:0\r\nm=video 9 UDP\r\na=mid:1\r\n"))}, {});
  expect(m.answer(5, reply({{"configured", "ok"}}, answer_jsep("a"))), {}, {publish_answer(1, "a")});
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {attach(6)}, {});
  expect(m.answer(6, attached(202)), {message(7, 202, join_subscriber({1}))}, {});
  const json attached_event = {{"videoroom", "attached"}, {"streams", {stream("0", "audio", 1), stream("1", "video", 1)}}};
  expect(m.answer(7, reply(attached_event, offer_jsep("sub"))), {}, {subscribe_offer(2, "sub", {audio("0", 1), video("1", 1)})});
  expect(m.signal(2, subscribe_answer("ans")), {message(8, 202, {{"request", "start"}}, answer_jsep("ans"))}, {});
  expect(m.answer(8, reply({{"started", "ok"}})), {}, {});
  expect(m.layers(2, {proto::LayerWish{.peer = 1, .layer = proto::MediaLayer::Low}}),
         {message(9, 202, {{"request", "configure"}, {"streams", {{{"mid", "1"}, {"substream", 0}}}}})}, {});
  expect(m.answer(9, reply({{"configured", "ok"}})), {}, {});
}

// moim-server restarted with its Janus session claimed back: the participants' records (as the store
// kept them) bring their handles back; nothing is asked of Janus or said to anyone but "up", their
// browsers hear nothing new when they resume, and the relay carries on with the same handles (a
// newcomer is added to 2's subscription; 1 leaving detaches its publisher).
TEST(MediaSessions, ARestartedServerTakesTheMediaOverFromTheRecords) {
  MediaSessions before;
  at_rest(before);
  EXPECT_EQ(before.changed(), (std::set<proto::PeerId>{1, 2}));
  const json one = before.record(1), two = before.record(2);
  EXPECT_EQ(two["settled"], true);
  EXPECT_EQ(before.record(3), nullptr);

  MediaSessions m;
  expect(m.link_down(), {}, {});
  ASSERT_TRUE(m.restore(1, kRoom, one));
  ASSERT_TRUE(m.restore(2, kRoom, two));
  EXPECT_EQ(m.away(), 2u);
  EXPECT_EQ(m.handles(), (std::set<JanusId>{101, 102, 202}));
  EXPECT_TRUE(m.publishing(1));
  EXPECT_EQ(m.subscribed(2), (std::set<proto::PeerId>{1}));
  // Which layer Janus took last is not known (a layer choice in flight may have died with the old
  // server): told again once the link is up.
  EXPECT_EQ(m.substream(2, "1"), -1);
  expect(m.link_up(SessionKind::Reclaimed), {message(1, 202, {{"request", "configure"}, {"streams", {{{"mid", "1"}, {"substream", 0}}}}})},
         {state(1, MediaServerState::Up), state(2, MediaServerState::Up)});
  expect(m.answer(1, reply({{"configured", "ok"}})), {}, {});
  EXPECT_EQ(m.substream(2, "1"), 0);
  // 2's browser is back: a fresh subscription offer catches up with what Janus said meanwhile (lost
  // with the old server); the same handle, an ICE restart, the layer kept.
  expect(m.rejoin(2, kRoom, "P2"), {message(2, 202, {{"request", "configure"}, {"restart", true}})}, {});
  // Janus's answer to a restart has no streams summary: the offer's m-lines are the previous ones
  // that its SDP still sends on.
  const std::string both = "v=0\r\nm=audio 9 UDP\r\na=mid:0\r\na=sendonly\r\nm=video 9 UDP\r\na=mid:1\r\na=sendonly\r\n";
  expect(m.answer(2, reply({{"videoroom", "event"}, {"configured", "ok"}}, offer_jsep(both))), {},
         {subscribe_offer(2, both, {audio("0", 1), video("1", 1)})});
  expect(m.signal(2, subscribe_answer("ans-2")), {message(3, 202, {{"request", "start"}}, answer_jsep("ans-2"))}, {});
  expect(m.answer(3, reply({{"started", "ok"}})), {}, {});
  expect(m.rejoin(1, kRoom, "P1"), {}, {});  // it subscribes to nobody: nothing to catch up
  EXPECT_EQ(m.away(), 0u);
  EXPECT_EQ(m.record(2), two);  // as it was

  // A newcomer publishes: 2's subscription (the old handle 202) gets its feed.
  expect(m.join(3, kRoom, "P3"), {attach(4)}, {});
  expect(m.answer(4, attached(103)), {message(5, 103, join_publisher(3, "P3"))}, {});
  expect(m.answer(5, reply({{"videoroom", "joined"}})), {attach(6)}, {});  // 3 subscribes to 1
  expect(m.event(HandleEvent{103, "webrtcup", {}, nullptr}), {attach(7), message(8, 202, subscribe({3}))}, {});
  // 1 leaving detaches its restored publisher handle.
  expect(m.leave(1), {detach(9, 101)}, {});
  EXPECT_EQ(m.subscribed(2), (std::set<proto::PeerId>{3}));
}

// A record written mid-exchange (2's subscription offer unanswered: the answer died with the old
// server) is not trusted: once the link is up, 2 starts over; its browser, back, hears "reset" (and
// the new subscription's offer follows). One that never comes back is dropped after the grace; a
// participant with no record joins as a newcomer with "reset". Records that are not ours are refused.
TEST(MediaSessions, RecordsMidExchangeStartOverAndAwayParticipantsAreDropped) {
  MediaSessions before;
  joined(before, 1, 1, 101);
  joined(before, 2, 3, 102);
  expect(before.signal(1, publish_offer("v=0\r\nm=video 9 UDP\r\na=mid:0\r\n")),
         {message(5, 101, kConfigure, offer_jsep("v=0\r\nm=video 9 UDP\r\na=mid:0\r\n"))}, {});
  expect(before.answer(5, reply({{"configured", "ok"}}, answer_jsep("a"))), {}, {publish_answer(1, "a")});
  expect(before.event(HandleEvent{101, "webrtcup", {}, nullptr}), {attach(6)}, {});
  expect(before.answer(6, attached(202)), {message(7, 202, join_subscriber({1}))}, {});
  expect(before.answer(7, reply({{"videoroom", "attached"}, {"streams", {stream("0", "video", 1)}}}, offer_jsep("sub"))), {},
         {subscribe_offer(2, "sub", {video("0", 1)})});
  const json one = before.record(1), two = before.record(2);
  EXPECT_EQ(one["settled"], true);
  EXPECT_EQ(two["settled"], false);

  MediaSessions m;
  expect(m.link_down(), {}, {});
  EXPECT_FALSE(m.restore(1, kRoom + 1, one));                      // another room's
  EXPECT_FALSE(m.restore(1, kRoom, json{{"room", kRoom}}));        // not a whole record
  EXPECT_FALSE(m.restore(1, kRoom, json::parse("[1,2]")));
  ASSERT_TRUE(m.restore(1, kRoom, one));
  EXPECT_FALSE(m.restore(1, kRoom, one));                          // known already
  json stolen = two;
  stolen["pub"] = 101;
  EXPECT_FALSE(m.restore(2, kRoom, stolen));                       // 1's handle
  ASSERT_TRUE(m.restore(2, kRoom, two));
  // Up: 2 leaves the room in Janus and starts over under the same feed id (its new subscriber
  // handle is asked for at once: 1 publishes).
  expect(m.link_up(SessionKind::Reclaimed), {message(1, 102, {{"request", "leave"}}), attach(2)},
         {state(1, MediaServerState::Up), state(2, MediaServerState::Reset)});
  expect(m.answer(1, reply({{"leaving", "ok"}})), {detach(3, 102), detach(4, 202), attach(5)}, {});
  expect(m.answer(5, attached(112)), {message(6, 112, join_publisher(2, "P2"))}, {});
  expect(m.answer(6, reply({{"videoroom", "joined"}})), {}, {});
  expect(m.answer(2, attached(212)), {message(7, 212, join_subscriber({1}))}, {});
  // 2's browser comes back: "reset" (it heard nothing of the first one).
  expect(m.rejoin(2, kRoom, "P2"), {}, {state(2, MediaServerState::Reset)});
  // 1 never comes back: dropped, its publisher detached.
  expect(m.drop_away(), {detach(8, 101)}, {});
  EXPECT_EQ(m.away(), 0u);
  EXPECT_TRUE(m.subscribed(2).empty());
  // Someone with no record (its record refused, or a mesh-era session) joins as a newcomer.
  expect(m.rejoin(4, kRoom, "P4"), {attach(9)}, {state(4, MediaServerState::Reset)});
}

}  // namespace
}  // namespace moim::sfu

namespace moim::sfu {
namespace {

// A detach the link cannot carry (down, or lost on the way) is not forgotten: the handle would stay in
// Janus's session for good, and a publisher's feed in its room. It goes once the link is back with
// the same session; a new session has none of the old handles.
TEST(MediaSessions, DetachesTheLinkCouldNotCarryGoWhenItIsBack) {
  MediaSessions m;
  joined(m, 1, 1, 101);
  joined(m, 2, 3, 102);
  joined(m, 3, 5, 103);
  // 3's detach goes out, and the link loses it.
  expect(m.leave(3), {detach(7, 103)}, {});
  expect(m.link_down(), {}, {state(1, MediaServerState::Down), state(2, MediaServerState::Down)});
  expect(m.answer(7, refused(ErrorCode::ConnectionLost, 0, "lost")), {}, {});
  // 1 leaves while the link is down: nothing can go now.
  expect(m.leave(1), {}, {});
  expect(m.link_up(SessionKind::Reclaimed), {detach(8, 101), detach(9, 103)}, {state(2, MediaServerState::Up)});
  // Janus refusing one (it is gone already: 459) is no reason to try again.
  expect(m.answer(8, refused(ErrorCode::JanusError, 459, "No such handle")), {}, {});
  expect(m.link_down(), {}, {state(2, MediaServerState::Down)});
  expect(m.link_up(SessionKind::Reclaimed), {}, {state(2, MediaServerState::Up)});
  // Down, 2 leaves, and the session is replaced: its handle went with the old session.
  expect(m.link_down(), {}, {state(2, MediaServerState::Down)});
  expect(m.leave(2), {}, {});
  expect(m.link_up(SessionKind::Replaced), {}, {});
}

}  // namespace
}  // namespace moim::sfu

namespace moim::sfu {
namespace {

// What Janus said while moim-server was away is lost. 1 hung up meanwhile: the fresh subscription
// offer 2 gets on its return no longer carries 1, so 1 is no longer subscribed to; asked for again,
// Janus has no such feed; 1's browser coming up again (its "webrtcup", although we still thought it
// published) brings it back.
TEST(MediaSessions, WhatJanusSaidWhileTheServerWasAwayIsCaughtUp) {
  MediaSessions before;
  at_rest(before);
  MediaSessions m;
  expect(m.link_down(), {}, {});
  ASSERT_TRUE(m.restore(1, kRoom, before.record(1)));
  ASSERT_TRUE(m.restore(2, kRoom, before.record(2)));
  // The layer choice is told again (which one Janus took is not known); refused: the m-line went.
  expect(m.link_up(SessionKind::Reclaimed), {message(1, 202, {{"request", "configure"}, {"streams", {{{"mid", "1"}, {"substream", 0}}}}})},
         {state(1, MediaServerState::Up), state(2, MediaServerState::Up)});
  expect(m.answer(1, refused(ErrorCode::JanusError, 453, "No such mid")), {}, {});
  expect(m.rejoin(2, kRoom, "P2"), {message(2, 202, {{"request", "configure"}, {"restart", true}})}, {});
  // Janus's answer to the restart has no streams summary; its SDP no longer sends 1's m-lines.
  const std::string none = "v=0\r\nm=audio 0 UDP\r\na=mid:0\r\na=inactive\r\nm=video 0 UDP\r\na=mid:1\r\na=inactive\r\n";
  expect(m.answer(2, reply({{"videoroom", "event"}, {"configured", "ok"}}, offer_jsep(none))), {}, {subscribe_offer(2, none, {})});
  EXPECT_TRUE(m.subscribed(2).empty());
  expect(m.signal(2, subscribe_answer("ans-2")), {message(3, 202, {{"request", "start"}}, answer_jsep("ans-2"))}, {});
  // We still think 1 publishes: asked for at once; Janus has no such feed (428), so it is left out
  // until 1 changes; its "webrtcup" brings it back.
  expect(m.answer(3, reply({{"started", "ok"}})), {message(4, 202, subscribe({1}))}, {});
  expect(m.answer(4, refused(ErrorCode::JanusError, 428, "No such feed (1)")), {}, {});
  EXPECT_TRUE(m.subscribed(2).empty());
  expect(m.event(HandleEvent{101, "webrtcup", {}, nullptr}), {message(5, 202, subscribe({1}))}, {});
}

// Started over while away (its record was written mid-exchange), then moim-server restarts again
// before its browser came back: the record says "reset" is still owed, and the browser hears it.
TEST(MediaSessions, AResetOwedSurvivesAnotherRestart) {
  MediaSessions before;
  joined(before, 1, 1, 101);  // its attach and join answered; no offer yet: settled
  expect(before.signal(1, publish_offer("v=0\r\nm=video 9 UDP\r\na=mid:0\r\n")),
         {message(3, 101, kConfigure, offer_jsep("v=0\r\nm=video 9 UDP\r\na=mid:0\r\n"))}, {});  // in flight: not settled
  MediaSessions m;
  expect(m.link_down(), {}, {});
  ASSERT_TRUE(m.restore(1, kRoom, before.record(1)));
  expect(m.link_up(SessionKind::Reclaimed), {message(1, 101, {{"request", "leave"}})}, {state(1, MediaServerState::Reset)});
  expect(m.answer(1, reply({{"leaving", "ok"}})), {detach(2, 101), attach(3)}, {});
  expect(m.answer(3, attached(111)), {message(4, 111, join_publisher(1, "P1"))}, {});
  expect(m.answer(4, reply({{"videoroom", "joined"}})), {}, {});
  const json owed = m.record(1);
  EXPECT_EQ(owed["settled"], true);
  EXPECT_EQ(owed["owed"], true);
  MediaSessions again;
  expect(again.link_down(), {}, {});
  ASSERT_TRUE(again.restore(1, kRoom, owed));
  expect(again.link_up(SessionKind::Reclaimed), {}, {state(1, MediaServerState::Up)});
  expect(again.rejoin(1, kRoom, "P1"), {}, {state(1, MediaServerState::Reset)});
}

}  // namespace
}  // namespace moim::sfu
