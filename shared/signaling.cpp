#include "signaling.hpp"
#include "overloaded.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

namespace moim::signaling {

namespace {

std::string describe(PeerId peer, std::string_view what) {
  std::ostringstream os;
  if (peer == kPublishLink) os << "media server (publish): " << what;
  else if (peer == kSubscribeLink) os << "media server (subscribe): " << what;
  else os << "peer " << peer << ": " << what;
  return os.str();
}

// A peer list over kMaxPeers: one line for all those left out.
std::string too_many_peers(std::size_t ignored) {
  return "protocol: the call already has " + std::to_string(kMaxPeers) + " peers; " + std::to_string(ignored) +
         " more listed get no connection";
}
}  // namespace

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::WaitingForOffer: return "waiting-for-offer";
    case Phase::CreatingOffer: return "creating-offer";
    case Phase::HaveLocalOffer: return "have-local-offer";
    case Phase::ApplyingRemoteOffer: return "applying-remote-offer";
    case Phase::CreatingAnswer: return "creating-answer";
    case Phase::ApplyingRemoteAnswer: return "applying-remote-answer";
    case Phase::Stable: return "stable";
    case Phase::Failed: return "failed";
  }
  return "?";
}

std::string_view to_string(Mode mode) { return mode == Mode::Sfu ? "sfu" : "mesh"; }

std::string_view to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::New: return "new";
    case ConnectionState::Connecting: return "connecting";
    case ConnectionState::Connected: return "connected";
    case ConnectionState::Disconnected: return "disconnected";
    case ConnectionState::Failed: return "failed";
    case ConnectionState::Closed: return "closed";
  }
  return "?";
}

std::optional<ConnectionState> connection_state_from_string(std::string_view text) {
  for (auto s : {ConnectionState::New, ConnectionState::Connecting, ConnectionState::Connected,
                 ConnectionState::Disconnected, ConnectionState::Failed, ConnectionState::Closed}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::size_t count_media_sections(std::string_view sdp) {
  std::size_t n = sdp.starts_with("m=") ? 1 : 0;
  for (std::size_t at = sdp.find("\nm="); at != std::string_view::npos; at = sdp.find("\nm=", at + 1)) ++n;
  return n;
}

std::ostream& operator<<(std::ostream& os, Phase phase) { return os << to_string(phase); }
std::ostream& operator<<(std::ostream& os, ConnectionState state) { return os << to_string(state); }

std::ostream& operator<<(std::ostream& os, const Event& event) {
  std::visit(Overloaded{
                 [&](const JoinedRoom& e) {
                   os << "JoinedRoom{self=" << e.self << ' ' << to_string(e.mode) << " peers=[";
                   for (auto p : e.peers) os << ' ' << p;
                   os << " ]}";
                 },
                 [&](const PeerArrived& e) { os << "PeerArrived{" << e.peer << '}'; },
                 [&](const PeerDeparted& e) { os << "PeerDeparted{" << e.peer << '}'; },
                 [&](const SignalReceived& e) { os << "SignalReceived{from=" << e.signal.peer << ' ' << e.signal.kind << '}'; },
                 [&](const LocalDescriptionCreated& e) { os << "LocalDescriptionCreated{" << e.peer << ' ' << e.kind << '}'; },
                 [&](const RemoteDescriptionApplied& e) { os << "RemoteDescriptionApplied{" << e.peer << '}'; },
                 [&](const LocalCandidateGathered& e) { os << "LocalCandidateGathered{" << e.peer << '}'; },
                 [&](const BrowserOperationFailed& e) { os << "BrowserOperationFailed{" << e.peer << ' ' << e.what << '}'; },
                 [&](const LeftRoom&) { os << "LeftRoom{}"; },
                 [&](const ResumedRoom& e) {
                   os << "ResumedRoom{self=" << e.self << (e.restored ? " restored" : "") << " peers=[";
                   for (auto p : e.peers) os << ' ' << p;
                   os << " ]}";
                 },
                 [&](const IceRestartNeeded& e) { os << "IceRestartNeeded{" << e.peer << '}'; },
                 [&](const NegotiationNeeded& e) { os << "NegotiationNeeded{" << e.peer << '}'; },
                 [&](const MediaReset&) { os << "MediaReset{}"; },
             },
             event);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Effect& effect) {
  std::visit(Overloaded{
                 [&](const CreatePeerConnection& e) { os << "CreatePeerConnection{" << e.peer << (e.offerer ? " offerer" : " answerer") << '}'; },
                 [&](const CreateOffer& e) { os << "CreateOffer{" << e.peer << '}'; },
                 [&](const CreateAnswer& e) { os << "CreateAnswer{" << e.peer << '}'; },
                 [&](const RollbackLocalOffer& e) { os << "RollbackLocalOffer{" << e.peer << '}'; },
                 [&](const SetRemoteDescription& e) { os << "SetRemoteDescription{" << e.peer << ' ' << e.kind << '}'; },
                 [&](const AddRemoteCandidate& e) { os << "AddRemoteCandidate{" << e.peer << ' ' << e.candidate.candidate << '}'; },
                 [&](const SendToPeer& e) { os << "SendToPeer{to=" << e.signal.peer << ' ' << e.signal.kind << '}'; },
                 [&](const ClosePeerConnection& e) { os << "ClosePeerConnection{" << e.peer << '}'; },
                 [&](const Log& e) { os << "Log{" << e.text << '}'; },
                 [&](const RestartIce& e) { os << "RestartIce{" << e.peer << '}'; },
                 [&](const RequestIceRestart& e) { os << "RequestIceRestart{" << e.peer << '}'; },
                 [&](const RequestMediaStartOver&) { os << "RequestMediaStartOver{}"; },
             },
             effect);
  return os;
}

std::optional<Event> to_event(const proto::ServerMessage& msg) {
  return std::visit(Overloaded{
                        [](const proto::Joined& m) -> std::optional<Event> {
                          JoinedRoom e{m.self.id, {}, m.room.mode == proto::RoomMode::Sfu ? Mode::Sfu : Mode::Mesh};
                          for (const auto& p : m.peers) e.peers.push_back(p.id);
                          return e;
                        },
                        [](const proto::PeerJoined& m) -> std::optional<Event> { return PeerArrived{m.peer.id}; },
                        [](const proto::PeerLeft& m) -> std::optional<Event> { return PeerDeparted{m.peer}; },
                        [](const proto::RelayedSignal& m) -> std::optional<Event> { return SignalReceived{m.signal}; },
                        [](const proto::RelayedMediaSignal& m) -> std::optional<Event> {
                          return SignalReceived{from_media_signal(m.signal)};
                        },
                        [](const proto::MediaState& m) -> std::optional<Event> {
                          if (m.state == proto::MediaServerState::Reset) return MediaReset{};
                          return std::nullopt;
                        },
                        [](const proto::Left&) -> std::optional<Event> { return LeftRoom{}; },
                        [](const proto::Resumed& m) -> std::optional<Event> {
                          ResumedRoom e{m.self.id, {}, m.restored};
                          for (const auto& p : m.peers) e.peers.push_back(p.id);
                          return e;
                        },
                        [](const auto&) -> std::optional<Event> { return std::nullopt; },
                    },
                    msg);
}

std::optional<proto::MediaSignal> to_media_signal(const proto::Signal& signal) {
  if (!is_media_server_link(signal.peer)) return std::nullopt;
  return proto::MediaSignal{.link = signal.peer == kPublishLink ? proto::MediaLink::Publish : proto::MediaLink::Subscribe,
                            .kind = signal.kind,
                            .sdp = signal.sdp,
                            .candidate = signal.candidate,
                            .streams = {}};
}

proto::Signal from_media_signal(const proto::MediaSignal& signal) {
  return proto::Signal{.peer = signal.link == proto::MediaLink::Publish ? kPublishLink : kSubscribeLink,
                       .kind = signal.kind,
                       .sdp = signal.sdp,
                       .candidate = signal.candidate,
                       .seq = 0};
}

const PeerSession* Machine::peer(PeerId id) const {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : &it->second;
}

Effects Machine::handle(const Event& event) {
  return std::visit([this](const auto& e) { return on(e); }, event);
}

void Machine::add_peer(PeerId id, bool offerer, Effects& out) {
  PeerSession p;
  p.id = id;
  p.offerer = offerer;
  // Sfu mode: the media server only answers our publication and only offers the subscription.
  p.polite = id == kSubscribeLink || (id != kPublishLink && self_ && *self_ > id);
  p.phase = offerer ? Phase::CreatingOffer : Phase::WaitingForOffer;
  peers_[id] = std::move(p);
  out.push_back(CreatePeerConnection{id, offerer});
  if (offerer) out.push_back(CreateOffer{id});
}

void Machine::close_all(Effects& out) {
  for (const auto& [id, _] : peers_) out.push_back(ClosePeerConnection{id});
  peers_.clear();
}

void Machine::open_media_server_links(Effects& out) {
  start_over_asked_ = false;
  close_all(out);
  add_peer(kPublishLink, /*offerer=*/true, out);
  add_peer(kSubscribeLink, /*offerer=*/false, out);
}

Effects Machine::on(const JoinedRoom& e) {
  Effects out;
  // A fresh join replaces whatever an earlier call left behind.
  close_all(out);
  self_ = e.self;
  mode_ = e.mode;
  if (mode_ == Mode::Sfu) {  // the people in the room are the app's; the connections are the two links
    open_media_server_links(out);
    return out;
  }
  std::size_t ignored = 0;
  for (PeerId id : e.peers) {
    if (id == e.self || peers_.count(id)) {
      out.push_back(Log{describe(id, "ignored in join list (self or duplicate)")});
      continue;
    }
    if (peers_.size() >= kMaxPeers) {
      ++ignored;
      continue;
    }
    add_peer(id, /*offerer=*/true, out);
  }
  if (ignored > 0) out.push_back(Log{too_many_peers(ignored)});
  return out;
}

Effects Machine::on(const PeerArrived& e) {
  Effects out;
  if (!self_) return {Log{describe(e.peer, "arrived while not in a room")}};
  if (mode_ == Mode::Sfu) return {};  // the subscription's next offer brings their media
  if (e.peer == *self_ || peers_.count(e.peer)) return {Log{describe(e.peer, "arrived twice; ignored")}};
  if (peers_.size() >= kMaxPeers) return {Log{describe(e.peer, "protocol: the call already has " + std::to_string(kMaxPeers) + " peers; no connection")}};
  add_peer(e.peer, /*offerer=*/false, out);
  return out;
}

Effects Machine::on(const PeerDeparted& e) {
  if (mode_ == Mode::Sfu) return {};  // the subscription's next offer takes their media off
  auto it = peers_.find(e.peer);
  if (it == peers_.end()) return {Log{describe(e.peer, "left but was unknown")}};
  peers_.erase(it);
  return {ClosePeerConnection{e.peer}};
}

Effects Machine::on(const SignalReceived& e) {
  auto it = peers_.find(e.signal.peer);
  if (it == peers_.end()) return {Log{describe(e.signal.peer, "signal from a peer not in the call; ignored")}};
  PeerSession& p = it->second;
  if (p.phase == Phase::Failed) return {Log{describe(p.id, "signal after failure; ignored")}};
  if ((p.id == kPublishLink && e.signal.kind == proto::SignalKind::Offer) ||
      (p.id == kSubscribeLink && e.signal.kind == proto::SignalKind::Answer))
    return {Log{describe(p.id, "protocol: " + std::string(proto::to_string(e.signal.kind)) + " on a link where the media server never sends one; ignored")}};
  switch (e.signal.kind) {
    case proto::SignalKind::Offer: return on_remote_offer(p, e.signal);
    case proto::SignalKind::Answer: return on_remote_answer(p, e.signal);
    case proto::SignalKind::Candidate: return on_remote_candidate(p, e.signal.candidate);
  }
  return {};
}

Effects Machine::on_remote_candidate(PeerSession& p, const proto::IceCandidate& c) {
  const bool too_large = c.candidate.size() + c.sdp_mid.size() > kMaxCandidateBytes;
  if (too_large || p.remote_candidates >= kMaxRemoteCandidates) {
    ++p.dropped_candidates;
    if (p.dropping_logged) return {};  // one line per remote description, however many follow
    p.dropping_logged = true;
    return {Log{describe(p.id, too_large ? "protocol: candidate over " + std::to_string(kMaxCandidateBytes) +
                                               " bytes dropped"
                                         : "protocol: more than " + std::to_string(kMaxRemoteCandidates) +
                                               " candidates for one description; dropping the rest")}};
  }
  ++p.remote_candidates;
  if (p.deferred_offer) {  // they belong to the offer that waits: added after it is applied
    p.deferred_candidates.push_back(c);
    return {};
  }
  if (!p.remote_description_set) {
    p.pending_candidates.push_back(c);
    return {};
  }
  return {AddRemoteCandidate{p.id, c}};
}

void Machine::new_remote_description(PeerSession& p) {
  p.remote_candidates = p.pending_candidates.size();
  p.dropping_logged = false;
}

Effects Machine::on_remote_offer(PeerSession& p, const proto::Signal& s) {
  const std::size_t most = p.id == kSubscribeLink ? kMaxSubscriptionSections : kMaxMediaSections;
  if (const std::size_t sections = count_media_sections(s.sdp); sections > most)
    return {Log{describe(p.id, "protocol: offer with " + std::to_string(sections) + " media sections (at most " +
                                   std::to_string(most) + ") ignored")}};
  Effects out;
  switch (p.phase) {
    case Phase::WaitingForOffer:
    case Phase::Stable:  // renegotiation from the other side
      break;
    case Phase::ApplyingRemoteAnswer:
      // The other side answered our offer and offered at once: after the answer is applied.
      if (p.deferred_offer) out.push_back(Log{describe(p.id, "a second offer while applying an answer; the first dropped")});
      p.deferred_offer = s;
      p.deferred_candidates.clear();
      return out;
    case Phase::CreatingOffer:
    case Phase::HaveLocalOffer:
      // Glare.
      if (!p.polite) return {Log{describe(p.id, "colliding offer ignored (we are impolite)")}};
      // Our offer may still be in flight in the browser's queue; it is rolled back after it lands
      // and its LocalDescriptionCreated is then dropped as stale (phase is no longer CreatingOffer).
      out.push_back(RollbackLocalOffer{p.id});
      // A renegotiation rolled back is still owed: offered again once we have answered theirs.
      if (p.renegotiating) p.negotiation_pending = true;
      p.renegotiating = false;
      break;
    default:
      return {Log{describe(p.id, std::string("offer ignored in phase ") + std::string(to_string(p.phase)))}};
  }
  p.phase = Phase::ApplyingRemoteOffer;
  p.remote_description_set = false;
  new_remote_description(p);
  out.push_back(SetRemoteDescription{p.id, proto::SignalKind::Offer, s.sdp});
  return out;
}

Effects Machine::on_remote_answer(PeerSession& p, const proto::Signal& s) {
  if (p.phase != Phase::HaveLocalOffer)
    return {Log{describe(p.id, std::string("answer ignored in phase ") + std::string(to_string(p.phase)))}};
  p.phase = Phase::ApplyingRemoteAnswer;
  new_remote_description(p);
  return {SetRemoteDescription{p.id, proto::SignalKind::Answer, s.sdp}};
}

Effects Machine::on(const LocalDescriptionCreated& e) {
  auto it = peers_.find(e.peer);
  if (it == peers_.end()) return {Log{describe(e.peer, "local description for a closed connection; dropped")}};
  PeerSession& p = it->second;
  proto::Signal signal;
  signal.peer = p.id;
  signal.kind = e.kind;
  signal.sdp = e.sdp;
  if (e.kind == proto::SignalKind::Offer && p.phase == Phase::CreatingOffer) {
    p.phase = Phase::HaveLocalOffer;
    return {SendToPeer{std::move(signal)}};
  }
  if (e.kind == proto::SignalKind::Answer && p.phase == Phase::CreatingAnswer) {
    p.phase = Phase::Stable;
    Effects out{SendToPeer{std::move(signal)}};
    became_stable(p, out);  // our answer first: the offer that waited follows it
    return out;
  }
  return {Log{describe(p.id, std::string("stale local ") + std::string(proto::to_string(e.kind)) + " dropped")}};
}

Effects Machine::on(const RemoteDescriptionApplied& e) {
  auto it = peers_.find(e.peer);
  if (it == peers_.end()) return {Log{describe(e.peer, "remote description applied on a closed connection")}};
  PeerSession& p = it->second;
  Effects out;
  if (p.phase == Phase::ApplyingRemoteOffer) {
    p.phase = Phase::CreatingAnswer;
  } else if (p.phase == Phase::ApplyingRemoteAnswer) {
    p.phase = Phase::Stable;
  } else {
    return {Log{describe(p.id, std::string("unexpected remote-description-applied in phase ") + std::string(to_string(p.phase)))}};
  }
  p.remote_description_set = true;
  // The answer first: it is what the other side waits for; queued candidates can follow it.
  if (p.phase == Phase::CreatingAnswer) out.push_back(CreateAnswer{p.id});
  for (auto& c : p.pending_candidates) out.push_back(AddRemoteCandidate{p.id, std::move(c)});
  p.pending_candidates.clear();
  if (p.phase == Phase::Stable) {
    p.renegotiating = false;  // our offer was answered
    if (p.deferred_offer) {  // their offer that waited for this: now, as from Stable (ours, if owed, after it)
      proto::Signal offer = std::move(*p.deferred_offer);
      p.deferred_offer.reset();
      for (auto& fx : on_remote_offer(p, offer)) out.push_back(std::move(fx));
      p.pending_candidates = std::move(p.deferred_candidates);  // added once this offer is applied
      p.deferred_candidates.clear();
      p.remote_candidates = p.pending_candidates.size();
      return out;
    }
    became_stable(p, out);
  }
  return out;
}

void Machine::became_stable(PeerSession& p, Effects& out) {
  if (!p.negotiation_pending) return;
  p.negotiation_pending = false;
  p.renegotiating = true;
  p.phase = Phase::CreatingOffer;
  out.push_back(CreateOffer{p.id});
}

Effects Machine::on(const LocalCandidateGathered& e) {
  if (!peers_.count(e.peer)) return {Log{describe(e.peer, "candidate for a closed connection; dropped")}};
  proto::Signal signal;
  signal.peer = e.peer;
  signal.kind = proto::SignalKind::Candidate;
  signal.candidate = e.candidate;
  return {SendToPeer{std::move(signal)}};
}

Effects Machine::on(const BrowserOperationFailed& e) {
  auto it = peers_.find(e.peer);
  if (it == peers_.end()) return {Log{describe(e.peer, "late failure of a closed connection: " + e.what)}};
  it->second.phase = Phase::Failed;
  it->second.pending_candidates.clear();
  Effects out{Log{describe(e.peer, "browser operation failed: " + e.what)}, ClosePeerConnection{e.peer}};
  // A link to the media server cannot be made again on our own (Janus keeps its DTLS with the handle).
  // Once until the links are made again: both failing (or a failure crossing the server's own
  // media-failed) is one start-over, not two.
  if (mode_ == Mode::Sfu && is_media_server_link(e.peer) && !std::exchange(start_over_asked_, true)) {
    out.push_back(RequestMediaStartOver{});
  }
  return out;
}

Effects Machine::on(const LeftRoom&) {
  Effects out;
  close_all(out);
  self_.reset();
  mode_ = Mode::Mesh;
  return out;
}

Effects Machine::on(const MediaReset&) {
  if (!self_ || mode_ != Mode::Sfu) return {Log{"media reset outside a large room; ignored"}};
  Effects out;
  open_media_server_links(out);
  return out;
}

Effects Machine::on(const ResumedRoom& e) {
  if (!self_ || *self_ != e.self) {
    // Not the session we had: start over as after a join (we are the newcomer).
    return on(JoinedRoom{e.self, e.peers, mode_});
  }
  // Sfu mode: the links do not depend on the signaling socket; the room's people are the app's.
  // Our publish offer may have gone into the dead socket (media-signals are not numbered): one
  // still unanswered goes again, with fresh ICE credentials. (The server sends its pending
  // subscription offer again by itself.)
  if (mode_ == Mode::Sfu) {
    const auto publication = peers_.find(kPublishLink);
    if (publication != peers_.end() && publication->second.phase == Phase::HaveLocalOffer)
      return on(IceRestartNeeded{kPublishLink});
    return {};
  }
  Effects out;
  auto listed = [&](PeerId id) { return std::find(e.peers.begin(), e.peers.end(), id) != e.peers.end(); };
  if (!e.restored) {
    // The server kept our session: whoever it does not list left while we were away.
    for (auto it = peers_.begin(); it != peers_.end();) {
      if (listed(it->first)) {
        ++it;
        continue;
      }
      out.push_back(ClosePeerConnection{it->first});
      it = peers_.erase(it);
    }
    // Listed peers we do not know joined meanwhile: their peer-joined (and offer) follow.
    return out;
  }
  // Restored after a server restart: keep every connection; offer to listed strangers.
  std::size_t ignored = 0;
  for (PeerId id : e.peers) {
    if (id == e.self || peers_.count(id)) continue;
    if (peers_.size() >= kMaxPeers) {
      ++ignored;
      continue;
    }
    add_peer(id, /*offerer=*/true, out);
  }
  if (ignored > 0) out.push_back(Log{too_many_peers(ignored)});
  return out;
}

Effects Machine::on(const IceRestartNeeded& e) {
  auto it = peers_.find(e.peer);
  if (it == peers_.end()) return {Log{describe(e.peer, "ICE restart for an unknown peer; ignored")}};
  PeerSession& p = it->second;
  if (p.phase == Phase::Failed) return {Log{describe(p.id, "ICE restart after failure; ignored")}};
  if (p.id == kSubscribeLink) {  // only the media server offers here: ask it to
    if (p.phase != Phase::Stable)
      return {Log{describe(p.id, std::string("ICE restart deferred: negotiating (") + std::string(to_string(p.phase)) + ")")}};
    return {RequestIceRestart{p.id}};
  }
  if (p.polite) return {};  // the impolite side restarts; its offer will come
  // From Stable, or again while our previous offer got no answer (it may have been lost).
  if (p.phase != Phase::Stable && p.phase != Phase::HaveLocalOffer)
    return {Log{describe(p.id, std::string("ICE restart deferred: negotiating (") + std::string(to_string(p.phase)) + ")")}};
  p.phase = Phase::CreatingOffer;
  p.offerer = true;
  return {RestartIce{p.id}};
}

Effects Machine::on(const NegotiationNeeded& e) {
  auto it = peers_.find(e.peer);
  if (it == peers_.end()) return {Log{describe(e.peer, "renegotiation for an unknown peer; ignored")}};
  PeerSession& p = it->second;
  if (p.phase == Phase::Failed) return {Log{describe(p.id, "renegotiation after failure; ignored")}};
  if (p.id == kSubscribeLink) return {Log{describe(p.id, "we send nothing on the subscription; renegotiation ignored")}};
  p.negotiation_pending = true;
  Effects out;
  if (p.phase == Phase::Stable) became_stable(p, out);  // else: when the exchange under way ends
  return out;
}

}  // namespace moim::signaling
