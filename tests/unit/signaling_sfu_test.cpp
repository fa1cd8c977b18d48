// The signaling machine's Sfu mode (a large room: media through the media server), event by event:
// two links whatever the number of people; we offer the publication, the media server offers the
// subscription and offers it again as publishers come and go; ICE restarts on each link; resume
// keeps both; MediaReset (Janus restarted) makes both again.
#include "effect_script.hpp"
#include "signaling.hpp"

#include <gtest/gtest.h>

namespace moim::signaling {
namespace {

using proto::SignalKind;

proto::Signal signal(PeerId link, SignalKind kind, std::string sdp) { return {link, kind, std::move(sdp), {}}; }
proto::Signal candidate(PeerId link, std::string c) { return {link, SignalKind::Candidate, {}, proto::IceCandidate{std::move(c), "0", 0}}; }
proto::IceCandidate cand(std::string c) { return {std::move(c), "0", 0}; }

struct Step {
  Event event;
  Effects expected;
};

void run(Machine& m, const std::vector<Step>& script) {
  test::run_script(script, [&](const Step& s) { return m.handle(s.event); }, [](const Step&) { return ""; });
}

bool is_log(const Effects& e) { return e.size() == 1 && std::holds_alternative<Log>(e[0]); }

constexpr PeerId P = kPublishLink, S = kSubscribeLink;

const Effects kOpenLinks{CreatePeerConnection{P, true}, CreateOffer{P}, CreatePeerConnection{S, false}};

// Joined, our publication answered and the first subscription taken: both links Stable.
void joined_and_negotiated(Machine& m) {
  run(m, {
             {JoinedRoom{5, {2, 3}, Mode::Sfu}, kOpenLinks},
             {LocalDescriptionCreated{P, SignalKind::Offer, "pub"}, {SendToPeer{signal(P, SignalKind::Offer, "pub")}}},
             {SignalReceived{signal(P, SignalKind::Answer, "pub-answer")}, {SetRemoteDescription{P, SignalKind::Answer, "pub-answer"}}},
             {RemoteDescriptionApplied{P}, {}},
             {SignalReceived{signal(S, SignalKind::Offer, "sub-1")}, {SetRemoteDescription{S, SignalKind::Offer, "sub-1"}}},
             {RemoteDescriptionApplied{S}, {CreateAnswer{S}}},
             {LocalDescriptionCreated{S, SignalKind::Answer, "sub-1-answer"}, {SendToPeer{signal(S, SignalKind::Answer, "sub-1-answer")}}},
         });
  ASSERT_EQ(m.peer(P)->phase, Phase::Stable);
  ASSERT_EQ(m.peer(S)->phase, Phase::Stable);
}

TEST(SignalingSfu, TwoLinksWhateverTheNumberOfPeople) {
  Machine m;
  joined_and_negotiated(m);
  EXPECT_EQ(m.mode(), Mode::Sfu);
  EXPECT_EQ(m.peers().size(), 2u);
  EXPECT_FALSE(m.peer(P)->polite);
  EXPECT_TRUE(m.peer(S)->polite);
  EXPECT_EQ(m.peer(2), nullptr);  // no connection to any person
  // Someone arriving or leaving makes no connection: the subscription's next offer carries it.
  run(m, {{PeerArrived{9}, {}}, {PeerDeparted{2}, {}}});
  EXPECT_EQ(m.peers().size(), 2u);
}

TEST(SignalingSfu, ThePublicationsCandidatesGoOutAndTheMediaServersAreQueuedUntilItsAnswer) {
  Machine m;
  run(m, {
             {JoinedRoom{5, {}, Mode::Sfu}, kOpenLinks},
             {LocalDescriptionCreated{P, SignalKind::Offer, "pub"}, {SendToPeer{signal(P, SignalKind::Offer, "pub")}}},
             {LocalCandidateGathered{P, cand("ours")}, {SendToPeer{candidate(P, "ours")}}},
             {SignalReceived{candidate(P, "janus-early")}, {}},
             {SignalReceived{signal(P, SignalKind::Answer, "a")}, {SetRemoteDescription{P, SignalKind::Answer, "a"}}},
             {RemoteDescriptionApplied{P}, {AddRemoteCandidate{P, cand("janus-early")}}},
             {SignalReceived{candidate(P, "janus-late")}, {AddRemoteCandidate{P, cand("janus-late")}}},
             // An empty room: the subscription waits for its first offer, its candidates held for it.
             {SignalReceived{candidate(S, "sub-early")}, {}},
             {SignalReceived{signal(S, SignalKind::Offer, "sub")}, {SetRemoteDescription{S, SignalKind::Offer, "sub"}}},
             {RemoteDescriptionApplied{S}, {CreateAnswer{S}, AddRemoteCandidate{S, cand("sub-early")}}},
             {LocalCandidateGathered{S, cand("ours-sub")}, {SendToPeer{candidate(S, "ours-sub")}}},
         });
}

TEST(SignalingSfu, TheSubscriptionIsOfferedAgainAsPublishersComeAndGo) {
  Machine m;
  joined_and_negotiated(m);
  for (std::string sdp : {"sub-2 (one more publisher)", "sub-3 (one publisher fewer)"}) {
    run(m, {
               {SignalReceived{signal(S, SignalKind::Offer, sdp)}, {SetRemoteDescription{S, SignalKind::Offer, sdp}}},
               {RemoteDescriptionApplied{S}, {CreateAnswer{S}}},
               {LocalDescriptionCreated{S, SignalKind::Answer, "ans"}, {SendToPeer{signal(S, SignalKind::Answer, "ans")}}},
           });
    EXPECT_EQ(m.peer(S)->phase, Phase::Stable);
  }
  EXPECT_EQ(m.peer(P)->phase, Phase::Stable);  // the publication is untouched
}

TEST(SignalingSfu, WhatTheMediaServerNeverSendsIsIgnored) {
  Machine m;
  joined_and_negotiated(m);
  // An offer on the publication: it only answers there; an answer on the subscription: we never offer there.
  for (const auto& s : {signal(P, SignalKind::Offer, "x"), signal(S, SignalKind::Answer, "y")}) {
    const Effects fx = m.handle(SignalReceived{s});
    ASSERT_TRUE(is_log(fx));
    EXPECT_TRUE(std::get<Log>(fx[0]).text.starts_with("media server (")) << std::get<Log>(fx[0]).text;
    EXPECT_NE(std::get<Log>(fx[0]).text.find("protocol: "), std::string::npos);
  }
  EXPECT_EQ(m.peer(P)->phase, Phase::Stable);
  EXPECT_EQ(m.peer(S)->phase, Phase::Stable);
  // A person's id is no link: a signal "from" a person in a large room goes nowhere.
  EXPECT_TRUE(is_log(m.handle(SignalReceived{signal(2, SignalKind::Offer, "z")})));
  // We never renegotiate the subscription (we send nothing on it).
  EXPECT_TRUE(is_log(m.handle(NegotiationNeeded{S})));
}

TEST(SignalingSfu, AScreenShareRenegotiatesThePublication) {
  Machine m;
  joined_and_negotiated(m);
  run(m, {
             {NegotiationNeeded{P}, {CreateOffer{P}}},
             {LocalDescriptionCreated{P, SignalKind::Offer, "pub+screen"}, {SendToPeer{signal(P, SignalKind::Offer, "pub+screen")}}},
             {NegotiationNeeded{P}, {}},  // while the exchange is under way: after it
             {SignalReceived{signal(P, SignalKind::Answer, "a2")}, {SetRemoteDescription{P, SignalKind::Answer, "a2"}}},
             {RemoteDescriptionApplied{P}, {CreateOffer{P}}},
         });
}

TEST(SignalingSfu, IceRestartWeOfferThePublicationAndAskForTheSubscription) {
  Machine m;
  joined_and_negotiated(m);
  run(m, {
             {IceRestartNeeded{P}, {RestartIce{P}}},
             {LocalDescriptionCreated{P, SignalKind::Offer, "restart"}, {SendToPeer{signal(P, SignalKind::Offer, "restart")}}},
             {IceRestartNeeded{S}, {RequestIceRestart{S}}},
             {IceRestartNeeded{S}, {RequestIceRestart{S}}},  // no offer yet: asked again on the next one
             {SignalReceived{signal(S, SignalKind::Offer, "fresh-ice")}, {SetRemoteDescription{S, SignalKind::Offer, "fresh-ice"}}},
         });
  // While the media server's offer is being taken, nothing more is asked.
  EXPECT_TRUE(is_log(m.handle(IceRestartNeeded{S})));
  run(m, {{RemoteDescriptionApplied{S}, {CreateAnswer{S}}}});
}

TEST(SignalingSfu, ResumeKeepsBothLinksAndMediaResetMakesThemAgain) {
  Machine m;
  joined_and_negotiated(m);
  // The signaling socket dropped and came back (the session kept, or the server restarted): media
  // goes through the media server, not the socket.
  run(m, {{ResumedRoom{5, {2}, false}, {}}, {ResumedRoom{5, {2, 3, 4}, true}, {}}});
  EXPECT_EQ(m.peer(P)->phase, Phase::Stable);
  // Janus restarted: both links closed and made again, the publication offered again.
  run(m, {{MediaReset{}, {ClosePeerConnection{P}, ClosePeerConnection{S}, CreatePeerConnection{P, true}, CreateOffer{P},
                          CreatePeerConnection{S, false}}}});
  EXPECT_EQ(m.peer(S)->phase, Phase::WaitingForOffer);
  // A late answer to the old publication's offer is not taken for the new one's.
  EXPECT_TRUE(is_log(m.handle(SignalReceived{signal(P, SignalKind::Answer, "old")})));
  // A new session (the server had dropped ours): joined again, in the same mode.
  run(m, {{ResumedRoom{8, {2}, true}, {ClosePeerConnection{P}, ClosePeerConnection{S}, CreatePeerConnection{P, true},
                                        CreateOffer{P}, CreatePeerConnection{S, false}}}});
  EXPECT_EQ(m.self(), 8u);
  EXPECT_EQ(m.mode(), Mode::Sfu);
}

TEST(SignalingSfu, LeavingClosesBothLinksAndTheNextRoomMayBeAMesh) {
  Machine m;
  joined_and_negotiated(m);
  run(m, {{LeftRoom{}, {ClosePeerConnection{P}, ClosePeerConnection{S}}}});
  EXPECT_TRUE(is_log(m.handle(MediaReset{})));  // not in a large room any more
  run(m, {{JoinedRoom{6, {2}}, {CreatePeerConnection{2, true}, CreateOffer{2}}}});
  EXPECT_EQ(m.mode(), Mode::Mesh);
  EXPECT_TRUE(is_log(m.handle(MediaReset{})));
}

TEST(SignalingSfu, ABrokenLinkIsClosedAndTheMediaServerAskedToStartOver) {
  Machine m;
  joined_and_negotiated(m);
  const Effects fx = m.handle(BrowserOperationFailed{S, "setRemoteDescription: bad sdp"});
  ASSERT_EQ(fx.size(), 3u);
  EXPECT_EQ(fx[1], Effect{ClosePeerConnection{S}});
  // Janus keeps its DTLS with the handle: the link cannot be made again on our own.
  EXPECT_EQ(fx[2], Effect{RequestMediaStartOver{}});
  // The other link failing too before the links are made again: one start-over is asked, not two.
  const Effects also = m.handle(BrowserOperationFailed{P, "setLocalDescription: boom"});
  ASSERT_EQ(also.size(), 2u);
  EXPECT_EQ(also[1], Effect{ClosePeerConnection{P}});
  EXPECT_TRUE(is_log(m.handle(SignalReceived{signal(S, SignalKind::Offer, "again")})));
  // Its media-failed (MediaReset; or a new join) makes both again.
  run(m, {{MediaReset{}, {ClosePeerConnection{P}, ClosePeerConnection{S}, CreatePeerConnection{P, true}, CreateOffer{P},
                          CreatePeerConnection{S, false}}}});
  // The links made again: a later failure asks again.
  const Effects later = m.handle(BrowserOperationFailed{P, "createOffer: boom"});
  ASSERT_EQ(later.size(), 3u);
  EXPECT_EQ(later[2], Effect{RequestMediaStartOver{}});
}

TEST(SignalingSfu, TheLinksIdsAreNoPersonsAndPrintAsTheMediaServer) {
  EXPECT_GT(kPublishLink, proto::kMaxId);
  EXPECT_GT(kSubscribeLink, proto::kMaxId);
  EXPECT_TRUE(is_media_server_link(kPublishLink) && is_media_server_link(kSubscribeLink));
  EXPECT_FALSE(is_media_server_link(proto::kMaxId));
  Machine m;
  m.handle(JoinedRoom{5, {}, Mode::Sfu});
  const Effects fx = m.handle(RemoteDescriptionApplied{S});  // nothing was being applied
  ASSERT_TRUE(is_log(fx));
  EXPECT_TRUE(std::get<Log>(fx[0]).text.starts_with("media server (subscribe): ")) << std::get<Log>(fx[0]).text;
  EXPECT_EQ(to_string(Mode::Sfu), "sfu");
  EXPECT_EQ(to_string(Mode::Mesh), "mesh");
}

}  // namespace
}  // namespace moim::signaling

namespace moim::signaling {
namespace {

TEST(SignalingSfu, ALargeRoomsJoinedEntersTheMode) {
  proto::Joined joined;
  joined.self.id = 5;
  joined.peers = {proto::PeerInfo{.id = 2}};
  for (const auto [mode, want] : {std::pair{proto::RoomMode::Mesh, Mode::Mesh}, std::pair{proto::RoomMode::Sfu, Mode::Sfu}}) {
    joined.room.mode = mode;
    const auto event = to_event(joined);
    ASSERT_TRUE(event.has_value());
    const auto* e = std::get_if<JoinedRoom>(&*event);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->mode, want);
    EXPECT_EQ(e->peers, (std::vector<PeerId>{2}));
  }
}

// The subscription carries everyone else's media: an offer for a full large room is taken; one
// past the bound is not. A person's connection in a mesh keeps the mesh's bound.
TEST(SignalingSfu, TheSubscriptionTakesAFullLargeRoomsOffer) {
  const auto sdp = [](std::size_t sections) {
    std::string out = "v=0\r\n";
    for (std::size_t i = 0; i < sections; ++i) out += "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:" + std::to_string(i) + "\r\n";
    return out;
  };
  Machine m;
  m.handle(JoinedRoom{5, {}, Mode::Sfu});
  const proto::Signal too_many{kSubscribeLink, proto::SignalKind::Offer, sdp(kMaxSubscriptionSections + 1), {}};
  const Effects ignored = m.handle(SignalReceived{too_many});
  ASSERT_EQ(ignored.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Log>(ignored[0]));
  const proto::Signal full{kSubscribeLink, proto::SignalKind::Offer, sdp(kMaxSubscriptionSections), {}};
  EXPECT_EQ(m.handle(SignalReceived{full}), (Effects{SetRemoteDescription{kSubscribeLink, proto::SignalKind::Offer, full.sdp}}));
  static_assert(kMaxSubscriptionSections > kMaxMediaSections);
}

}  // namespace
}  // namespace moim::signaling

namespace moim::signaling {
namespace {

TEST(SignalingSfu, TheMediaServersSignalsOnTheWire) {
  const proto::IceCandidate c{"candidate:1 1 udp 1 10.0.0.1 5000 typ host", "0", 0};
  // Ours: to a link becomes media-signal; to a person stays a signal.
  EXPECT_EQ(to_media_signal({kPublishLink, proto::SignalKind::Offer, "pub", {}, 7}),
            (proto::MediaSignal{proto::MediaLink::Publish, proto::SignalKind::Offer, "pub", {}, {}}));
  EXPECT_EQ(to_media_signal({kSubscribeLink, proto::SignalKind::Candidate, {}, c, 0}),
            (proto::MediaSignal{proto::MediaLink::Subscribe, proto::SignalKind::Candidate, {}, c, {}}));
  EXPECT_EQ(to_media_signal({3, proto::SignalKind::Offer, "x", {}, 0}), std::nullopt);
  // Theirs: from its link.
  proto::RelayedMediaSignal offer;
  offer.signal = {proto::MediaLink::Subscribe, proto::SignalKind::Offer, "sub", {}, {{"0", 3, proto::MediaKind::Audio, false}}};
  const auto event = to_event(offer);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(std::get<SignalReceived>(*event).signal, (proto::Signal{kSubscribeLink, proto::SignalKind::Offer, "sub", {}, 0}));
  EXPECT_TRUE(std::holds_alternative<MediaReset>(*to_event(proto::MediaState{proto::MediaServerState::Reset})));
  EXPECT_FALSE(to_event(proto::MediaState{proto::MediaServerState::Down}).has_value());
  EXPECT_FALSE(to_event(proto::MediaState{proto::MediaServerState::Up}).has_value());
}

}  // namespace
}  // namespace moim::signaling

namespace moim::signaling {
namespace {

// A publish offer that went into a dead socket: after the resume it is made again (fresh ICE
// credentials), and its answer is taken; one answered before the drop is left alone.
TEST(SignalingSfu, AnUnansweredPublishOfferIsMadeAgainAfterAResume) {
  constexpr PeerId P = kPublishLink;
  Machine m;
  m.handle(JoinedRoom{5, {2}, Mode::Sfu});
  m.handle(LocalDescriptionCreated{P, proto::SignalKind::Offer, "lost"});
  ASSERT_EQ(m.peer(P)->phase, Phase::HaveLocalOffer);
  EXPECT_EQ(m.handle(ResumedRoom{5, {2}, false}), (Effects{RestartIce{P}}));
  EXPECT_EQ(m.handle(LocalDescriptionCreated{P, proto::SignalKind::Offer, "again"}),
            (Effects{SendToPeer{proto::Signal{P, proto::SignalKind::Offer, "again", {}, 0}}}));
  EXPECT_EQ(m.handle(SignalReceived{proto::Signal{P, proto::SignalKind::Answer, "answer", {}, 0}}),
            (Effects{SetRemoteDescription{P, proto::SignalKind::Answer, "answer"}}));
  m.handle(RemoteDescriptionApplied{P});
  EXPECT_EQ(m.handle(ResumedRoom{5, {2}, false}), Effects{});
}

}  // namespace
}  // namespace moim::signaling
