// The signaling machine, event by event: every transition is checked against the effects it must
// produce. No browser: effects are just values.
#include "effect_script.hpp"
#include "signaling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <tuple>

namespace moim::signaling {
namespace {

using proto::SignalKind;

proto::Signal offer_from(PeerId from, std::string sdp = "offer-sdp") { return {from, SignalKind::Offer, std::move(sdp), {}}; }
proto::Signal answer_from(PeerId from, std::string sdp = "answer-sdp") { return {from, SignalKind::Answer, std::move(sdp), {}}; }
proto::Signal candidate_from(PeerId from, std::string c) {
  return {from, SignalKind::Candidate, {}, proto::IceCandidate{std::move(c), "0", 0}};
}
proto::IceCandidate cand(std::string c) { return {std::move(c), "0", 0}; }

// A scripted step: an event and the exact effects it must produce.
struct Step {
  Event event;
  Effects expected;
};

void run(Machine& m, const std::vector<Step>& script) {
  test::run_script(script, [&](const Step& s) { return m.handle(s.event); }, [](const Step&) { return ""; });
}

bool is_log(const Effects& e) { return e.size() == 1 && std::holds_alternative<Log>(e[0]); }

TEST(Signaling, NewcomerOffersToEveryoneAlreadyThere) {
  Machine m;
  run(m, {
             {JoinedRoom{5, {2, 3}}, {CreatePeerConnection{2, true}, CreateOffer{2}, CreatePeerConnection{3, true}, CreateOffer{3}}},
             {LocalDescriptionCreated{2, SignalKind::Offer, "o2"}, {SendToPeer{{2, SignalKind::Offer, "o2", {}}}}},
             {LocalCandidateGathered{2, cand("c-local")}, {SendToPeer{{2, SignalKind::Candidate, {}, cand("c-local")}}}},
             {SignalReceived{answer_from(2, "a2")}, {SetRemoteDescription{2, SignalKind::Answer, "a2"}}},
             {RemoteDescriptionApplied{2}, {}},
         });
  EXPECT_EQ(m.peer(2)->phase, Phase::Stable);
  EXPECT_EQ(m.peer(3)->phase, Phase::CreatingOffer);
  EXPECT_TRUE(m.peer(5 - 3)->polite);  // 5 > 2: the newcomer is polite
}

TEST(Signaling, ExistingPeerWaitsForTheOfferAndAnswers) {
  Machine m;
  run(m, {
             {JoinedRoom{2, {}}, {}},
             {PeerArrived{5}, {CreatePeerConnection{5, false}}},
             {SignalReceived{offer_from(5, "o5")}, {SetRemoteDescription{5, SignalKind::Offer, "o5"}}},
             {RemoteDescriptionApplied{5}, {CreateAnswer{5}}},
             {LocalDescriptionCreated{5, SignalKind::Answer, "a"}, {SendToPeer{{5, SignalKind::Answer, "a", {}}}}},
         });
  EXPECT_EQ(m.peer(5)->phase, Phase::Stable);
  EXPECT_FALSE(m.peer(5)->polite);
}

TEST(Signaling, CandidatesBeforeTheDescriptionAreQueuedThenFlushedInOrder) {
  Machine m;
  run(m, {
             {JoinedRoom{2, {}}, {}},
             {PeerArrived{5}, {CreatePeerConnection{5, false}}},
             {SignalReceived{candidate_from(5, "c1")}, {}},
             {SignalReceived{candidate_from(5, "c2")}, {}},
             {SignalReceived{offer_from(5)}, {SetRemoteDescription{5, SignalKind::Offer, "offer-sdp"}}},
             {SignalReceived{candidate_from(5, "c3")}, {}},  // still not applied
             {RemoteDescriptionApplied{5},
              {CreateAnswer{5}, AddRemoteCandidate{5, cand("c1")}, AddRemoteCandidate{5, cand("c2")}, AddRemoteCandidate{5, cand("c3")}}},
             {SignalReceived{candidate_from(5, "c4")}, {AddRemoteCandidate{5, cand("c4")}}},
         });
  EXPECT_TRUE(m.peer(5)->pending_candidates.empty());
}

TEST(Signaling, OffererQueuesCandidatesUntilTheAnswerIsApplied) {
  Machine m;
  run(m, {
             {JoinedRoom{7, {1}}, {CreatePeerConnection{1, true}, CreateOffer{1}}},
             {SignalReceived{candidate_from(1, "early")}, {}},
             {LocalDescriptionCreated{1, SignalKind::Offer, "o"}, {SendToPeer{{1, SignalKind::Offer, "o", {}}}}},
             {SignalReceived{answer_from(1)}, {SetRemoteDescription{1, SignalKind::Answer, "answer-sdp"}}},
             {RemoteDescriptionApplied{1}, {AddRemoteCandidate{1, cand("early")}}},
         });
}

TEST(Signaling, GlarePolitePeerRollsBackAndAnswers) {
  Machine m;  // we are 9, the other is 4: we are polite
  run(m, {
             {JoinedRoom{9, {4}}, {CreatePeerConnection{4, true}, CreateOffer{4}}},
             {LocalDescriptionCreated{4, SignalKind::Offer, "ours"}, {SendToPeer{{4, SignalKind::Offer, "ours", {}}}}},
             {SignalReceived{offer_from(4, "theirs")}, {RollbackLocalOffer{4}, SetRemoteDescription{4, SignalKind::Offer, "theirs"}}},
             {RemoteDescriptionApplied{4}, {CreateAnswer{4}}},
             {LocalDescriptionCreated{4, SignalKind::Answer, "ans"}, {SendToPeer{{4, SignalKind::Answer, "ans", {}}}}},
         });
  EXPECT_EQ(m.peer(4)->phase, Phase::Stable);
}

TEST(Signaling, GlareImpolitePeerIgnoresTheCollidingOffer) {
  Machine offerer;  // we are 4, the other is 9: we are impolite
  run(offerer, {{JoinedRoom{4, {9}}, {CreatePeerConnection{9, true}, CreateOffer{9}}},
                {LocalDescriptionCreated{9, SignalKind::Offer, "ours"}, {SendToPeer{{9, SignalKind::Offer, "ours", {}}}}}});
  EXPECT_TRUE(is_log(offerer.handle(SignalReceived{offer_from(9, "theirs")})));
  EXPECT_EQ(offerer.peer(9)->phase, Phase::HaveLocalOffer);
  // Their answer to our offer still completes the negotiation.
  run(offerer, {{SignalReceived{answer_from(9)}, {SetRemoteDescription{9, SignalKind::Answer, "answer-sdp"}}},
                {RemoteDescriptionApplied{9}, {}}});
  EXPECT_EQ(offerer.peer(9)->phase, Phase::Stable);
}

TEST(Signaling, GlareWhileOurOfferIsStillBeingCreatedDropsTheStaleOffer) {
  Machine m;  // polite (9 > 4)
  run(m, {
             {JoinedRoom{9, {4}}, {CreatePeerConnection{4, true}, CreateOffer{4}}},
             {SignalReceived{offer_from(4, "theirs")}, {RollbackLocalOffer{4}, SetRemoteDescription{4, SignalKind::Offer, "theirs"}}},
         });
  // Our offer lands after the rollback was queued: it must not be sent.
  EXPECT_TRUE(is_log(m.handle(LocalDescriptionCreated{4, SignalKind::Offer, "stale"})));
  run(m, {{RemoteDescriptionApplied{4}, {CreateAnswer{4}}}});
}

TEST(Signaling, PeerLeavingMidNegotiationClosesItsConnectionAndLateEventsAreDropped) {
  Machine m;
  run(m, {
             {JoinedRoom{5, {2}}, {CreatePeerConnection{2, true}, CreateOffer{2}}},
             {PeerDeparted{2}, {ClosePeerConnection{2}}},
         });
  EXPECT_EQ(m.peer(2), nullptr);
  EXPECT_TRUE(is_log(m.handle(LocalDescriptionCreated{2, SignalKind::Offer, "late"})));
  EXPECT_TRUE(is_log(m.handle(SignalReceived{answer_from(2)})));
  EXPECT_TRUE(is_log(m.handle(LocalCandidateGathered{2, cand("late")})));
  EXPECT_TRUE(is_log(m.handle(RemoteDescriptionApplied{2})));
}

TEST(Signaling, UnexpectedMessagesAreLoggedNotObeyed) {
  Machine m;
  m.handle(JoinedRoom{5, {2}});
  EXPECT_TRUE(is_log(m.handle(SignalReceived{answer_from(2)})));      // answer before we offered
  EXPECT_TRUE(is_log(m.handle(SignalReceived{offer_from(77)})));      // stranger
  EXPECT_TRUE(is_log(m.handle(PeerArrived{2})));                      // duplicate arrival
  EXPECT_TRUE(is_log(m.handle(PeerArrived{5})));                      // ourselves
  EXPECT_TRUE(is_log(m.handle(PeerDeparted{42})));                    // unknown departure
  EXPECT_TRUE(is_log(m.handle(LocalDescriptionCreated{2, SignalKind::Answer, "x"})));  // answer while offering
}

TEST(Signaling, BrowserFailureClosesThatConnectionOnly) {
  Machine m;
  m.handle(JoinedRoom{5, {2, 3}});
  const auto fx = m.handle(BrowserOperationFailed{2, "createOffer: boom"});
  ASSERT_EQ(fx.size(), 2u);
  EXPECT_EQ(fx[1], Effect{ClosePeerConnection{2}});
  EXPECT_EQ(m.peer(2)->phase, Phase::Failed);
  EXPECT_EQ(m.peer(3)->phase, Phase::CreatingOffer);
  EXPECT_TRUE(is_log(m.handle(SignalReceived{answer_from(2)})));
}

TEST(Signaling, LeavingClosesEveryConnection) {
  Machine m;
  m.handle(JoinedRoom{5, {2, 3}});
  run(m, {{LeftRoom{}, {ClosePeerConnection{2}, ClosePeerConnection{3}}}});
  EXPECT_TRUE(m.peers().empty());
  EXPECT_FALSE(m.self().has_value());
  EXPECT_TRUE(is_log(m.handle(PeerArrived{8})));
}

TEST(Signaling, TranslatesServerMessages) {
  proto::Joined joined;
  joined.self.id = 4;
  joined.peers = {{1, "a", true, true}, {2, "b", true, true}};
  auto ev = to_event(joined);
  ASSERT_TRUE(ev);
  ASSERT_TRUE(std::holds_alternative<JoinedRoom>(*ev));
  EXPECT_EQ(std::get<JoinedRoom>(*ev).peers, (std::vector<PeerId>{1, 2}));
  EXPECT_FALSE(to_event(proto::RoomUpdated{}));
  EXPECT_TRUE(std::holds_alternative<PeerDeparted>(*to_event(proto::PeerLeft{3})));
}

TEST(Signaling, EnumsPrint) {
  std::ostringstream os;
  os << Phase::HaveLocalOffer << ' ' << ConnectionState::Disconnected << ' ' << Event{PeerArrived{3}} << ' '
     << Effect{CreateOffer{3}};
  EXPECT_EQ(os.str(), "have-local-offer disconnected PeerArrived{3} CreateOffer{3}");
  EXPECT_EQ(connection_state_from_string("connected"), ConnectionState::Connected);
  EXPECT_FALSE(connection_state_from_string("bogus"));
}


// ---- resume and ICE restart ---------------------------------------------------------------------

// Self 2 with a stable connection to 5 (we offered) and to 7 (it offered to us).
void stable_call(Machine& m) {
  run(m, {
             {JoinedRoom{2, {5}}, {CreatePeerConnection{5, true}, CreateOffer{5}}},
             {LocalDescriptionCreated{5, SignalKind::Offer, "o5"}, {SendToPeer{{5, SignalKind::Offer, "o5", {}}}}},
             {SignalReceived{answer_from(5, "a5")}, {SetRemoteDescription{5, SignalKind::Answer, "a5"}}},
             {RemoteDescriptionApplied{5}, {}},
             {PeerArrived{7}, {CreatePeerConnection{7, false}}},
             {SignalReceived{offer_from(7, "o7")}, {SetRemoteDescription{7, SignalKind::Offer, "o7"}}},
             {RemoteDescriptionApplied{7}, {CreateAnswer{7}}},
             {LocalDescriptionCreated{7, SignalKind::Answer, "a7"}, {SendToPeer{{7, SignalKind::Answer, "a7", {}}}}},
         });
  ASSERT_EQ(m.peer(5)->phase, Phase::Stable);
  ASSERT_EQ(m.peer(7)->phase, Phase::Stable);
}

TEST(SignalingResume, HeldSessionKeepsListedPeersAndClosesThoseThatLeft) {
  Machine m;
  stable_call(m);
  run(m, {
             // 7 left while we were away; 9 joined (its peer-joined and offer follow, replayed).
             {ResumedRoom{2, {5, 9}, false}, {ClosePeerConnection{7}}},
             {PeerArrived{9}, {CreatePeerConnection{9, false}}},
         });
  EXPECT_EQ(m.peer(5)->phase, Phase::Stable);
  EXPECT_EQ(m.peer(7), nullptr);
}

TEST(SignalingResume, RestoredSessionKeepsEveryoneAndOffersToListedStrangers) {
  Machine m;
  stable_call(m);
  run(m, {
             // After a server restart only 5 is back yet; 7 is away (kept); 11 joined after the restart.
             {ResumedRoom{2, {5, 11}, true}, {CreatePeerConnection{11, true}, CreateOffer{11}}},
             // 7 comes back (peer-joined resumed): its connection is kept, nothing to do.
             {PeerArrived{7}, {Log{"peer 7: arrived twice; ignored"}}},
             // The app gives up on someone still away: PeerDeparted closes it.
             {PeerDeparted{5}, {ClosePeerConnection{5}}},
         });
  EXPECT_EQ(m.peer(7)->phase, Phase::Stable);
}

TEST(SignalingResume, ADifferentSelfStartsOverAsANewcomer) {
  Machine m;
  stable_call(m);
  run(m, {{ResumedRoom{3, {5}, false},
           {ClosePeerConnection{5}, ClosePeerConnection{7}, CreatePeerConnection{5, true}, CreateOffer{5}}}});
}

TEST(SignalingIceRestart, OnlyTheImpoliteSideRestartsAndTheOtherAnswers) {
  Machine m;
  stable_call(m);  // self 2: impolite towards 5 and 7 (smaller id)
  run(m, {
             {IceRestartNeeded{5}, {RestartIce{5}}},
             // A second trigger while the restart offer is being created is deferred.
             {IceRestartNeeded{5}, {Log{"peer 5: ICE restart deferred: negotiating (creating-offer)"}}},
             {LocalDescriptionCreated{5, SignalKind::Offer, "r5"}, {SendToPeer{{5, SignalKind::Offer, "r5", {}}}}},
             // The answer never came (lost while the server was away): restarting again is allowed.
             {IceRestartNeeded{5}, {RestartIce{5}}},
             {LocalDescriptionCreated{5, SignalKind::Offer, "r5b"}, {SendToPeer{{5, SignalKind::Offer, "r5b", {}}}}},
             {SignalReceived{answer_from(5, "ra5")}, {SetRemoteDescription{5, SignalKind::Answer, "ra5"}}},
             {RemoteDescriptionApplied{5}, {}},
         });
  EXPECT_EQ(m.peer(5)->phase, Phase::Stable);

  // The polite side (peer 9 > ... here we are 9 towards 2) waits for the restart offer and answers it.
  Machine polite;
  run(polite, {
                  {JoinedRoom{9, {2}}, {CreatePeerConnection{2, true}, CreateOffer{2}}},
                  {LocalDescriptionCreated{2, SignalKind::Offer, "o"}, {SendToPeer{{2, SignalKind::Offer, "o", {}}}}},
                  {SignalReceived{answer_from(2, "a")}, {SetRemoteDescription{2, SignalKind::Answer, "a"}}},
                  {RemoteDescriptionApplied{2}, {}},
                  {IceRestartNeeded{2}, {}},
                  {SignalReceived{offer_from(2, "restart")}, {SetRemoteDescription{2, SignalKind::Offer, "restart"}}},
                  {RemoteDescriptionApplied{2}, {CreateAnswer{2}}},
                  {LocalDescriptionCreated{2, SignalKind::Answer, "ra"}, {SendToPeer{{2, SignalKind::Answer, "ra", {}}}}},
              });
  EXPECT_EQ(polite.peer(2)->phase, Phase::Stable);
}

// ---- bounds: what a hostile room member (or server) can make us hold ----------------------------

std::string nth(std::size_t i) { return "c" + std::to_string(i); }

TEST(SignalingBounds, CandidatesQueuedPastTheBoundAreDroppedCountedAndLoggedOnce) {
  Machine m;
  run(m, {{JoinedRoom{2, {}}, {}}, {PeerArrived{5}, {CreatePeerConnection{5, false}}}});
  for (std::size_t i = 0; i < kMaxRemoteCandidates; ++i)
    ASSERT_EQ(m.handle(SignalReceived{candidate_from(5, nth(i))}), Effects{}) << i;
  run(m, {
             // The newest is dropped: one protocol line, then silence however many follow.
             {SignalReceived{candidate_from(5, "over-1")},
              {Log{"peer 5: protocol: more than 128 candidates for one description; dropping the rest"}}},
             {SignalReceived{candidate_from(5, "over-2")}, {}},
             {SignalReceived{candidate_from(5, "over-3")}, {}},
         });
  EXPECT_EQ(m.peer(5)->pending_candidates.size(), kMaxRemoteCandidates);
  EXPECT_EQ(m.peer(5)->dropped_candidates, 3u);
  // The queued ones count against the offer they precede: it gets nothing more.
  run(m, {{SignalReceived{offer_from(5)}, {SetRemoteDescription{5, SignalKind::Offer, "offer-sdp"}}},
          {SignalReceived{candidate_from(5, "over-4")},
           {Log{"peer 5: protocol: more than 128 candidates for one description; dropping the rest"}}}});
  Effects flushed{CreateAnswer{5}};
  for (std::size_t i = 0; i < kMaxRemoteCandidates; ++i) flushed.push_back(AddRemoteCandidate{5, cand(nth(i))});
  run(m, {{RemoteDescriptionApplied{5}, flushed}});
  EXPECT_TRUE(m.peer(5)->pending_candidates.empty());
  EXPECT_EQ(m.peer(5)->dropped_candidates, 4u);
}

TEST(SignalingBounds, CandidatesAfterTheDescriptionCountTooAndANewDescriptionStartsAFreshCount) {
  Machine m;
  stable_call(m);  // 7 offered to us, we answered: stable, remote description set
  for (std::size_t i = 0; i < kMaxRemoteCandidates; ++i)
    ASSERT_EQ(m.handle(SignalReceived{candidate_from(7, nth(i))}), (Effects{AddRemoteCandidate{7, cand(nth(i))}})) << i;
  run(m, {{SignalReceived{candidate_from(7, "over")},
           {Log{"peer 7: protocol: more than 128 candidates for one description; dropping the rest"}}},
          {SignalReceived{candidate_from(7, "over-2")}, {}},
          // A renegotiation (or ICE restart) offer: its candidates are counted afresh.
          {SignalReceived{offer_from(7, "o7b")}, {SetRemoteDescription{7, SignalKind::Offer, "o7b"}}},
          {SignalReceived{candidate_from(7, "fresh")}, {}},
          {RemoteDescriptionApplied{7}, {CreateAnswer{7}, AddRemoteCandidate{7, cand("fresh")}}},
          {SignalReceived{candidate_from(7, "fresh-2")}, {AddRemoteCandidate{7, cand("fresh-2")}}}});
  EXPECT_EQ(m.peer(7)->remote_candidates, 2u);
  EXPECT_EQ(m.peer(7)->dropped_candidates, 2u);
  // The offerer's side: the answer starts the count.
  for (std::size_t i = 0; i < kMaxRemoteCandidates; ++i) m.handle(SignalReceived{candidate_from(5, nth(i))});
  EXPECT_EQ(m.peer(5)->remote_candidates, kMaxRemoteCandidates);
  run(m, {{IceRestartNeeded{5}, {RestartIce{5}}},
          {LocalDescriptionCreated{5, SignalKind::Offer, "r5"}, {SendToPeer{{5, SignalKind::Offer, "r5", {}}}}},
          {SignalReceived{answer_from(5, "ra5")}, {SetRemoteDescription{5, SignalKind::Answer, "ra5"}}},
          {SignalReceived{candidate_from(5, "after-restart")}, {AddRemoteCandidate{5, cand("after-restart")}}}});
}

TEST(SignalingBounds, OversizedCandidatesAreDropped) {
  Machine m;
  stable_call(m);
  const std::string largest(kMaxCandidateBytes - 1, 'x');  // + sdpMid "0" = the limit
  run(m, {{SignalReceived{candidate_from(7, largest)}, {AddRemoteCandidate{7, cand(largest)}}},
          {SignalReceived{candidate_from(7, largest + "x")}, {Log{"peer 7: protocol: candidate over 1024 bytes dropped"}}},
          {SignalReceived{candidate_from(7, largest + "xx")}, {}}});
  // Before the description too: nothing of it is queued.
  run(m, {{PeerArrived{9}, {CreatePeerConnection{9, false}}},
          {SignalReceived{candidate_from(9, std::string(100000, 'y'))}, {Log{"peer 9: protocol: candidate over 1024 bytes dropped"}}}});
  EXPECT_TRUE(m.peer(9)->pending_candidates.empty());
  EXPECT_EQ(m.peer(7)->dropped_candidates, 2u);
  EXPECT_EQ(m.peer(9)->dropped_candidates, 1u);
}

TEST(SignalingBounds, OffersWithTooManyMediaSectionsAreIgnored) {
  EXPECT_EQ(count_media_sections(""), 0u);
  EXPECT_EQ(count_media_sections("v=0\r\nm=audio 9\r\na=x\r\nm=video 9\r\n"), 2u);
  EXPECT_EQ(count_media_sections("m=audio 9\nm=video 9\nam=x\n"), 2u);
  std::string sdp = "v=0\r\n";
  for (std::size_t i = 0; i < kMaxMediaSections; ++i) sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:" + std::to_string(i) + "\r\n";
  Machine m;
  stable_call(m);
  run(m, {{SignalReceived{offer_from(7, sdp + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n")},
           {Log{"peer 7: protocol: offer with 17 media sections (at most 16) ignored"}}},
          {SignalReceived{offer_from(7, sdp)}, {SetRemoteDescription{7, SignalKind::Offer, sdp}}}});
}

TEST(SignalingBounds, NoMoreThanARoomsWorthOfPeerConnections) {
  static_assert(kMaxPeers == 7);
  Machine m;
  Effects want;
  for (PeerId id = 10; id < 17; ++id) {
    want.push_back(CreatePeerConnection{id, true});
    want.push_back(CreateOffer{id});
  }
  want.push_back(Log{"protocol: the call already has 7 peers; 3 more listed get no connection"});
  run(m, {{JoinedRoom{1, {10, 11, 12, 13, 14, 15, 16, 17, 18, 19}}, want},
          {PeerArrived{20}, {Log{"peer 20: protocol: the call already has 7 peers; no connection"}}},
          {SignalReceived{offer_from(20)}, {Log{"peer 20: signal from a peer not in the call; ignored"}}},
          // One leaves: there is room again.
          {PeerDeparted{10}, {ClosePeerConnection{10}}},
          {PeerArrived{20}, {CreatePeerConnection{20, false}}},
          // A restored resume listing strangers past the bound.
          {ResumedRoom{1, {11, 21, 22}, true}, {Log{"protocol: the call already has 7 peers; 2 more listed get no connection"}}}});
  EXPECT_EQ(m.peers().size(), kMaxPeers);
}

TEST(SignalingIceRestart, UnknownOrFailedPeersAreIgnored) {
  Machine m;
  stable_call(m);
  EXPECT_TRUE(is_log(m.handle(IceRestartNeeded{42})));
  m.handle(BrowserOperationFailed{7, "boom"});
  EXPECT_TRUE(is_log(m.handle(IceRestartNeeded{7})));
}

// ---- renegotiation: our media on a connection changed (a screen share started or stopped) -------

// Drives a fresh machine (self 2) to `phase` towards peer 5 (we are impolite: 2 < 5), by the
// shortest script; Failed through a browser failure.
Machine in_phase(Phase phase) {
  Machine m;
  const bool offerer = phase == Phase::CreatingOffer || phase == Phase::HaveLocalOffer ||
                       phase == Phase::ApplyingRemoteAnswer || phase == Phase::Stable;
  if (offerer) m.handle(JoinedRoom{2, {5}});
  else m.handle(JoinedRoom{2, {}}), m.handle(PeerArrived{5});
  if (phase == Phase::HaveLocalOffer || phase == Phase::ApplyingRemoteAnswer || phase == Phase::Stable)
    m.handle(LocalDescriptionCreated{5, SignalKind::Offer, "o"});
  if (phase == Phase::ApplyingRemoteAnswer || phase == Phase::Stable) m.handle(SignalReceived{answer_from(5)});
  if (phase == Phase::Stable) m.handle(RemoteDescriptionApplied{5});
  if (phase == Phase::ApplyingRemoteOffer || phase == Phase::CreatingAnswer) m.handle(SignalReceived{offer_from(5)});
  if (phase == Phase::CreatingAnswer) m.handle(RemoteDescriptionApplied{5});
  if (phase == Phase::Failed) m.handle(BrowserOperationFailed{5, "x"});
  EXPECT_EQ(m.peer(5)->phase, phase);
  return m;
}

// Takes a machine towards peer 5 from where it is to Stable, as the browser and the peer would;
// returns every effect on the way.
Effects settle(Machine& m) {
  Effects all;
  const auto feed = [&](const Event& e) {
    for (auto& fx : m.handle(e)) all.push_back(fx);
  };
  for (int guard = 0; guard < 8 && m.peer(5)->phase != Phase::Stable; ++guard) {
    switch (m.peer(5)->phase) {
      case Phase::WaitingForOffer: feed(SignalReceived{offer_from(5)}); break;
      case Phase::CreatingOffer: feed(LocalDescriptionCreated{5, SignalKind::Offer, "o"}); break;
      case Phase::HaveLocalOffer: feed(SignalReceived{answer_from(5)}); break;
      case Phase::ApplyingRemoteOffer:
      case Phase::ApplyingRemoteAnswer: feed(RemoteDescriptionApplied{5}); break;
      case Phase::CreatingAnswer: feed(LocalDescriptionCreated{5, SignalKind::Answer, "a"}); break;
      default: return all;
    }
  }
  return all;
}

std::size_t count_offers(const Effects& effects) {
  return std::count_if(effects.begin(), effects.end(), [](const Effect& e) { return std::holds_alternative<CreateOffer>(e); });
}

// Every phase x NegotiationNeeded: from Stable an offer at once; in every exchange under way, nothing
// now and exactly one offer as soon as the connection is Stable again; after a failure, a log line.
TEST(SignalingRenegotiation, EveryPhaseOffersAtOnceOrWhenStable) {
  const struct {
    Phase phase;
    bool offer_now;
    bool offer_when_stable;
  } table[] = {
      {Phase::WaitingForOffer, false, true},      {Phase::CreatingOffer, false, true},
      {Phase::HaveLocalOffer, false, true},       {Phase::ApplyingRemoteOffer, false, true},
      {Phase::CreatingAnswer, false, true},       {Phase::ApplyingRemoteAnswer, false, true},
      {Phase::Stable, true, false},               {Phase::Failed, false, false},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(std::string(to_string(row.phase)));
    Machine m = in_phase(row.phase);
    const Effects now = m.handle(NegotiationNeeded{5});
    if (row.offer_now) {
      EXPECT_EQ(now, (Effects{CreateOffer{5}}));
      EXPECT_EQ(m.peer(5)->phase, Phase::CreatingOffer);
    } else if (row.phase == Phase::Failed) {
      EXPECT_TRUE(is_log(now));
    } else {
      EXPECT_TRUE(now.empty());
      EXPECT_TRUE(m.peer(5)->negotiation_pending);
    }
    if (row.phase == Phase::Failed) continue;
    const Effects later = settle(m);
    EXPECT_EQ(count_offers(later), row.offer_when_stable ? 1u : 0u);
    // The offer that waited ends like any: answered, Stable, nothing owed.
    if (row.offer_when_stable || row.offer_now) {
      EXPECT_EQ(count_offers(settle(m)), 0u);
      EXPECT_EQ(m.peer(5)->phase, Phase::Stable);
      EXPECT_FALSE(m.peer(5)->negotiation_pending);
    }
  }
}

TEST(SignalingRenegotiation, ShareWhileAnOfferIsInFlightOffersOnceItIsAnswered) {
  Machine m;
  stable_call(m);
  run(m, {
             {IceRestartNeeded{5}, {RestartIce{5}}},
             {LocalDescriptionCreated{5, SignalKind::Offer, "r5"}, {SendToPeer{{5, SignalKind::Offer, "r5", {}}}}},
             // Sharing starts, then stops and starts again, while the restart offer awaits its answer: one offer, after.
             {NegotiationNeeded{5}, {}},
             {NegotiationNeeded{5}, {}},
             {NegotiationNeeded{5}, {}},
             {SignalReceived{answer_from(5, "ra5")}, {SetRemoteDescription{5, SignalKind::Answer, "ra5"}}},
             {RemoteDescriptionApplied{5}, {CreateOffer{5}}},
             {LocalDescriptionCreated{5, SignalKind::Offer, "share"}, {SendToPeer{{5, SignalKind::Offer, "share", {}}}}},
             {SignalReceived{answer_from(5, "sa")}, {SetRemoteDescription{5, SignalKind::Answer, "sa"}}},
             {RemoteDescriptionApplied{5}, {}},
         });
  EXPECT_EQ(m.peer(5)->phase, Phase::Stable);
}

TEST(SignalingRenegotiation, APeerWhoJoinsWhileWeShareGetsOurOfferAfterOurAnswer) {
  Machine m;
  run(m, {
             {JoinedRoom{2, {}}, {}},
             {PeerArrived{9}, {CreatePeerConnection{9, false}}},
             // The app puts our screen on the new connection: its m-line is not in the newcomer's offer.
             {NegotiationNeeded{9}, {}},
             {SignalReceived{offer_from(9, "o9")}, {SetRemoteDescription{9, SignalKind::Offer, "o9"}}},
             {RemoteDescriptionApplied{9}, {CreateAnswer{9}}},
             {LocalDescriptionCreated{9, SignalKind::Answer, "a9"}, {SendToPeer{{9, SignalKind::Answer, "a9", {}}}, CreateOffer{9}}},
             {LocalDescriptionCreated{9, SignalKind::Offer, "share"}, {SendToPeer{{9, SignalKind::Offer, "share", {}}}}},
             {SignalReceived{answer_from(9, "sa")}, {SetRemoteDescription{9, SignalKind::Answer, "sa"}}},
             {RemoteDescriptionApplied{9}, {}},
         });
  EXPECT_EQ(m.peer(9)->phase, Phase::Stable);
}

TEST(SignalingRenegotiation, TheSharerLeavingTakesItsPendingOfferAndLateEventsAreDropped) {
  Machine m;
  stable_call(m);
  run(m, {
             {NegotiationNeeded{5}, {CreateOffer{5}}},
             {NegotiationNeeded{7}, {CreateOffer{7}}},
             {PeerDeparted{5}, {ClosePeerConnection{5}}},
         });
  EXPECT_TRUE(is_log(m.handle(LocalDescriptionCreated{5, SignalKind::Offer, "late"})));
  EXPECT_TRUE(is_log(m.handle(NegotiationNeeded{5})));
  // The one who stays is not disturbed; and a remote sharer's offers from Stable are answered.
  run(m, {{LocalDescriptionCreated{7, SignalKind::Offer, "o7b"}, {SendToPeer{{7, SignalKind::Offer, "o7b", {}}}}},
          {SignalReceived{answer_from(7, "a7b")}, {SetRemoteDescription{7, SignalKind::Answer, "a7b"}}},
          {RemoteDescriptionApplied{7}, {}},
          {SignalReceived{offer_from(7, "their-share")}, {SetRemoteDescription{7, SignalKind::Offer, "their-share"}}},
          {RemoteDescriptionApplied{7}, {CreateAnswer{7}}},
          {LocalDescriptionCreated{7, SignalKind::Answer, "a"}, {SendToPeer{{7, SignalKind::Answer, "a", {}}}}}});
  EXPECT_EQ(m.peer(7)->phase, Phase::Stable);
}

// Two people start sharing at once: two machines, offers crossing on the wire. The impolite one's
// offer wins; the polite one rolls back, answers, and then offers its own share again.
TEST(SignalingRenegotiation, TwoPeopleSharingAtOnceBothEndUpNegotiated) {
  Machine low, high;  // ids 3 and 8: 8 is polite
  const auto feed = [](Machine& m, const Event& e, std::vector<proto::Signal>& wire, std::vector<Event>& browser) {
    for (const auto& fx : m.handle(e)) {
      if (const auto* s = std::get_if<SendToPeer>(&fx)) wire.push_back(s->signal);
      else if (const auto* o = std::get_if<CreateOffer>(&fx)) browser.push_back(LocalDescriptionCreated{o->peer, SignalKind::Offer, "offer"});
      else if (const auto* a = std::get_if<CreateAnswer>(&fx)) browser.push_back(LocalDescriptionCreated{a->peer, SignalKind::Answer, "answer"});
      else if (const auto* r = std::get_if<SetRemoteDescription>(&fx)) browser.push_back(RemoteDescriptionApplied{r->peer});
    }
  };
  std::vector<proto::Signal> to_high, to_low;  // signals in flight
  std::vector<Event> low_browser, high_browser;
  std::size_t low_offers = 0, high_offers = 0;
  const auto count = [](const std::vector<proto::Signal>& w) {
    return std::count_if(w.begin(), w.end(), [](const proto::Signal& s) { return s.kind == SignalKind::Offer; });
  };
  // A negotiated call first: 8 joined after 3.
  feed(low, JoinedRoom{3, {}}, to_high, low_browser);
  feed(low, PeerArrived{8}, to_high, low_browser);
  feed(high, JoinedRoom{8, {3}}, to_low, high_browser);
  // Runs both sides until nothing moves: each side's browser work, then the wire (or, with
  // `wire_first`, the wire before the browser work: a signal lands while a description is applied).
  bool wire_first = false;
  const auto run_all = [&](bool deliver) {
    for (int guard = 0; guard < 64; ++guard) {
      bool moved = false;
      const auto browser_work = [&] {
        for (auto [m, browser, out] : {std::tuple{&low, &low_browser, &to_high}, std::tuple{&high, &high_browser, &to_low}}) {
          auto work = std::move(*browser);
          browser->clear();
          for (auto& e : work) feed(*m, e, *out, *browser), moved = true;
        }
      };
      if (!wire_first || !deliver) browser_work();
      if (deliver) {
        low_offers += count(to_high);
        high_offers += count(to_low);
        auto a = std::move(to_high), b = std::move(to_low);
        to_high.clear(), to_low.clear();
        for (auto& s : a) s.peer = 3, feed(high, SignalReceived{s}, to_low, high_browser), moved = true;
        for (auto& s : b) s.peer = 8, feed(low, SignalReceived{s}, to_high, low_browser), moved = true;
        if (wire_first) browser_work();
      }
      if (!moved) return;
    }
    FAIL() << "did not settle";
  };
  run_all(true);
  ASSERT_EQ(low.peer(8)->phase, Phase::Stable);
  ASSERT_EQ(high.peer(3)->phase, Phase::Stable);
  low_offers = high_offers = 0;
  // Both share: each makes its offer before either arrives.
  feed(low, NegotiationNeeded{8}, to_high, low_browser);
  feed(high, NegotiationNeeded{3}, to_low, high_browser);
  run_all(false);
  ASSERT_EQ(low.peer(8)->phase, Phase::HaveLocalOffer);
  ASSERT_EQ(high.peer(3)->phase, Phase::HaveLocalOffer);
  run_all(true);
  EXPECT_EQ(low.peer(8)->phase, Phase::Stable);
  EXPECT_EQ(high.peer(3)->phase, Phase::Stable);
  EXPECT_FALSE(low.peer(8)->negotiation_pending);
  EXPECT_FALSE(high.peer(3)->negotiation_pending);
  EXPECT_EQ(low_offers, 1u);   // its offer went through
  EXPECT_EQ(high_offers, 2u);  // rolled back, then offered again after answering

  // Again, with every signal landing before the browser work queued with it: the polite side's
  // second offer arrives while the other still applies its answer.
  wire_first = true;
  low_offers = high_offers = 0;
  feed(low, NegotiationNeeded{8}, to_high, low_browser);
  feed(high, NegotiationNeeded{3}, to_low, high_browser);
  run_all(false);
  run_all(true);
  EXPECT_EQ(low.peer(8)->phase, Phase::Stable);
  EXPECT_EQ(high.peer(3)->phase, Phase::Stable);
  EXPECT_FALSE(low.peer(8)->negotiation_pending || low.peer(8)->deferred_offer);
  EXPECT_FALSE(high.peer(3)->negotiation_pending || high.peer(3)->deferred_offer);
  EXPECT_EQ(low_offers, 1u);
  EXPECT_EQ(high_offers, 2u);
}

// The other side answers our offer and offers at once (it owed one): its offer arrives while our
// browser still applies the answer. It waits for that, with the candidates that follow it.
TEST(SignalingRenegotiation, AnOfferWhileOurAnswerIsAppliedWaitsForIt) {
  Machine m;
  stable_call(m);
  run(m, {
             {NegotiationNeeded{5}, {CreateOffer{5}}},
             {LocalDescriptionCreated{5, SignalKind::Offer, "mine"}, {SendToPeer{{5, SignalKind::Offer, "mine", {}}}}},
             {SignalReceived{answer_from(5, "ans")}, {SetRemoteDescription{5, SignalKind::Answer, "ans"}}},
             {SignalReceived{offer_from(5, "theirs")}, {}},
             {SignalReceived{candidate_from(5, "after-theirs")}, {}},
             {RemoteDescriptionApplied{5}, {SetRemoteDescription{5, SignalKind::Offer, "theirs"}}},
             {RemoteDescriptionApplied{5}, {CreateAnswer{5}, AddRemoteCandidate{5, cand("after-theirs")}}},
             {LocalDescriptionCreated{5, SignalKind::Answer, "a2"}, {SendToPeer{{5, SignalKind::Answer, "a2", {}}}}},
         });
  EXPECT_EQ(m.peer(5)->phase, Phase::Stable);
  EXPECT_FALSE(m.peer(5)->deferred_offer);
}

TEST(SignalingRenegotiation, PrintsItsEvent) {
  std::ostringstream os;
  os << Event{NegotiationNeeded{4}};
  EXPECT_EQ(os.str(), "NegotiationNeeded{4}");
}

}  // namespace
}  // namespace moim::signaling
