// The client's signaling state machine: in a mesh call, one RTCPeerConnection per remote peer; in a
// large room (mode Sfu, issue 15: media through Janus VideoRoom, relayed by moim-server), two links
// to the media server instead, whatever the number of people: one that publishes our media and one
// that receives everyone else's.
//
//   effects = machine.handle(event)
//
// Events are what happened (a server message, a browser promise settling); effects are what the
// browser adapter must do next. No browser, socket, clock or randomness in here, so every transition
// is a native table test.
//
// Rules:
//  - Who offers: the newcomer offers to every peer already in the room; existing peers wait.
//  - Glare (both sides offer; cannot happen under the rule above but is handled anyway): perfect
//    negotiation. The peer with the larger id is polite: it rolls back its own offer and answers;
//    the impolite one ignores the colliding offer.
//  - Remote ICE candidates that arrive before the remote description is applied are queued, and
//    flushed in arrival order right after it is (after CreateAnswer, which the other side waits for).
//  - What one remote peer can make us hold is bounded (a hostile room member, or server, sends at
//    will): at most kMaxRemoteCandidates candidates per remote description (queued and added alike),
//    each at most kMaxCandidateBytes, and at most kMaxPeers peers. Past a bound the newest is dropped,
//    counted, and logged as a protocol problem once per remote description (not once per message).
//    A remote offer with more than kMaxMediaSections m-lines (kMaxSubscriptionSections on a large
//    room's subscription) is ignored (logged).
//  - Every signal goes to exactly one peer, by id.
//  - Resume (the signaling socket dropped and came back): peer connections are kept. Not restored
//    (the server held our session): connections to peers it no longer lists close. Restored (the
//    server restarted): every connection stays (the app closes those still away after a grace
//    period, through PeerDeparted); a listed peer we have no connection to is offered to, as a
//    newcomer would.
//  - ICE restart: when a connection fails (or stays disconnected), only the impolite side (the
//    smaller id) renegotiates, with an ICE-restart offer; the polite side waits for that offer.
//  - Renegotiation (our media on a connection changed: a screen share started or stopped): either
//    side offers, from Stable at once; while an exchange is under way (ours or theirs) it waits, and
//    the offer goes as soon as the connection is Stable again. Both sides at once is glare, settled by
//    the rule above; a polite side whose renegotiation offer was rolled back offers again once it has
//    answered. Several changes while waiting make one offer (it carries the media as it is then).
//  - An offer that arrives while the answer to our own offer is being applied (the other side
//    answered and offered at once) waits for that to finish, then is taken as from Stable; the
//    candidates that follow it wait with it.
//
// The Sfu mode (JoinedRoom{.mode = Sfu}): the same exchanges, on two connections keyed by ids no
// peer can have (kPublishLink, kSubscribeLink, above proto::kMaxId); signals to and from them are
// the media server's (the app sends them to moim-server, which relays them to Janus).
//  - Publish link: we offer at once, and always (impolite, never rolls back); the media server only
//    answers. Renegotiation (a screen share) and ICE restart: our offer, as in the mesh.
//  - Subscribe link: the media server offers (when there is someone to receive, and again whenever
//    a publisher comes or goes); we only answer (polite). ICE restart: we cannot offer, so we ask
//    for an offer with fresh ICE credentials (RequestIceRestart); asked again on the app's next
//    IceRestartNeeded while none came.
//  - An offer on the publish link, or an answer on the subscribe link, breaks the rule: ignored
//    (a protocol log line). People arriving and leaving make no connection of their own.
//  - Resume: both links stay (the media does not pass through the signaling socket), also after a
//    server restart (restored): the server says MediaReset when our streams did not survive (it
//    could not claim its Janus session back). A publish offer still unanswered is made again (with
//    fresh ICE credentials): media-signals are not numbered, it may have gone into the dead socket. MediaReset (the media server lost our streams: Janus
//    restarted) closes both links and makes them again: we publish again, and the subscription's
//    offer follows.
//  - A browser operation failing on a link closes it and asks the media server to start our media
//    over (RequestMediaStartOver): its media-failed is a MediaReset.
#pragma once

#include "protocol.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace moim::signaling {

using proto::PeerId;

// Remote ICE candidates accepted from one peer per remote description (offer or answer), those
// queued before it is applied included. A browser gathers one host candidate per network interface
// and address family (Chromium caps IPv6 addresses per interface), times UDP and TCP, plus one
// server-reflexive per STUN server and one relayed per TURN server and transport: a handful on a
// laptop, a few dozen on a host with VPNs, container bridges and several IPv6 addresses. 128 leaves
// room for the busiest real host while holding a hostile peer to 128 x kMaxCandidateBytes per
// description. A new description (renegotiation, ICE restart) starts a new count.
inline constexpr std::size_t kMaxRemoteCandidates = 128;
// Longest remote candidate (its `candidate:` line and sdpMid together). Real lines are under 300
// bytes; the server refuses longer than 1024 (`signal-too-large`), so only a broken server sends one.
inline constexpr std::size_t kMaxCandidateBytes = 1024;
// Media sections (m= lines) in a remote offer. A connection keeps every m-line ever negotiated (a
// transceiver each, and a remote track), and each offer repeats them all, so capping one offer caps
// what a peer can make the browser hold. Moim offers three (audio, video, the data channel), and a
// screen share adds one from each side that shares.
inline constexpr std::size_t kMaxMediaSections = 16;
// The same bound for the subscription of a large room (Sfu mode), which carries everyone else's
// media on one connection: a microphone, a camera and a screen for each of the others, and the
// data channel.
inline constexpr std::size_t kMaxSubscriptionSections = 3 * (proto::kMaxCapacity - 1) + 1;
// Peer connections in one call: a mesh room holds at most proto::kMaxMeshCapacity people, ourselves included.
// A peer past that (only a broken or hostile server lists one) gets no connection.
inline constexpr std::size_t kMaxPeers = proto::kMaxMeshCapacity - 1;

// How a call's media goes: browser to browser (Mesh), or through the media server (Sfu).
enum class Mode { Mesh, Sfu };
std::string_view to_string(Mode mode);
// The two connections of the Sfu mode, keyed as peers are (ids no server-assigned peer can have).
inline constexpr PeerId kPublishLink = proto::kMaxId + 1;
inline constexpr PeerId kSubscribeLink = proto::kMaxId + 2;
inline constexpr bool is_media_server_link(PeerId id) { return id == kPublishLink || id == kSubscribeLink; }

// Where one peer connection's offer/answer exchange stands.
enum class Phase {
  WaitingForOffer,       // we are the answerer and no offer came yet
  CreatingOffer,         // CreateOffer issued; waiting for LocalDescriptionCreated
  HaveLocalOffer,        // offer sent; waiting for the answer
  ApplyingRemoteOffer,   // SetRemoteDescription(offer) issued
  CreatingAnswer,        // CreateAnswer issued
  ApplyingRemoteAnswer,  // SetRemoteDescription(answer) issued
  Stable,                // negotiated
  Failed,                // a browser operation failed; the connection is closed
};

// RTCPeerConnection.connectionState. Not this machine's concern (negotiation does not depend on it):
// peer health keeps it, the one place it is kept (shared/peer_health.hpp).
enum class ConnectionState { New, Connecting, Connected, Disconnected, Failed, Closed };

std::string_view to_string(Phase phase);
std::string_view to_string(ConnectionState state);
std::optional<ConnectionState> connection_state_from_string(std::string_view text);
// The number of media sections (lines starting with "m=") in an SDP.
std::size_t count_media_sections(std::string_view sdp);
std::ostream& operator<<(std::ostream& os, Phase phase);
std::ostream& operator<<(std::ostream& os, ConnectionState state);

// ---- events -------------------------------------------------------------------------------------
struct JoinedRoom { PeerId self = 0; std::vector<PeerId> peers; Mode mode = Mode::Mesh; };
struct PeerArrived { PeerId peer = 0; };
struct PeerDeparted { PeerId peer = 0; };
struct SignalReceived { proto::Signal signal; };  // signal.peer = sender
struct LocalDescriptionCreated { PeerId peer = 0; proto::SignalKind kind = proto::SignalKind::Offer; std::string sdp; };
struct RemoteDescriptionApplied { PeerId peer = 0; };
struct LocalCandidateGathered { PeerId peer = 0; proto::IceCandidate candidate; };
struct BrowserOperationFailed { PeerId peer = 0; std::string what; };
struct LeftRoom {};
// The server took back our session after the signaling socket dropped (a `resumed` message).
struct ResumedRoom { PeerId self = 0; std::vector<PeerId> peers; bool restored = false; };
// The app saw this connection fail, or stay disconnected too long: renegotiate ICE.
struct IceRestartNeeded { PeerId peer = 0; };
// The app changed what we send on this connection (a track added or taken off): it needs an offer.
struct NegotiationNeeded { PeerId peer = 0; };
// Sfu mode: the media server lost our streams (Janus restarted); both links are made again.
struct MediaReset {};

using Event = std::variant<JoinedRoom, PeerArrived, PeerDeparted, SignalReceived, LocalDescriptionCreated,
                           RemoteDescriptionApplied, LocalCandidateGathered, BrowserOperationFailed, LeftRoom,
                           ResumedRoom, IceRestartNeeded, NegotiationNeeded, MediaReset>;

// ---- effects ------------------------------------------------------------------------------------
struct CreatePeerConnection { PeerId peer = 0; bool offerer = false; bool operator==(const CreatePeerConnection&) const = default; };
struct CreateOffer { PeerId peer = 0; bool operator==(const CreateOffer&) const = default; };
// A new offer with fresh ICE credentials (createOffer({iceRestart: true})) on an existing connection;
// it arrives back as LocalDescriptionCreated{Offer}.
struct RestartIce { PeerId peer = 0; bool operator==(const RestartIce&) const = default; };
struct CreateAnswer { PeerId peer = 0; bool operator==(const CreateAnswer&) const = default; };
struct RollbackLocalOffer { PeerId peer = 0; bool operator==(const RollbackLocalOffer&) const = default; };
struct SetRemoteDescription {
  PeerId peer = 0;
  proto::SignalKind kind = proto::SignalKind::Offer;
  std::string sdp;
  bool operator==(const SetRemoteDescription&) const = default;
};
struct AddRemoteCandidate { PeerId peer = 0; proto::IceCandidate candidate; bool operator==(const AddRemoteCandidate&) const = default; };
struct SendToPeer { proto::Signal signal; bool operator==(const SendToPeer&) const = default; };  // signal.peer = destination
struct ClosePeerConnection { PeerId peer = 0; bool operator==(const ClosePeerConnection&) const = default; };
// Sfu mode: ask the media server for an offer with fresh ICE credentials on this link (the subscribe
// link, where only the media server offers).
struct RequestIceRestart { PeerId peer = 0; bool operator==(const RequestIceRestart&) const = default; };
// Sfu mode: a browser operation on one of the links failed (it is closed): ask the media server to
// start our media over (media-restart "fresh"); its media-failed then makes both links again
// (MediaReset). The server bounds how often.
struct RequestMediaStartOver { bool operator==(const RequestMediaStartOver&) const = default; };
// Something unexpected but harmless (a stale answer, a signal from a stranger): worth a console line.
// Texts of protocol problems (the other side broke a rule or a bound) start with "protocol: ".
struct Log { std::string text; bool operator==(const Log&) const = default; };

using Effect = std::variant<CreatePeerConnection, CreateOffer, CreateAnswer, RollbackLocalOffer, SetRemoteDescription,
                            AddRemoteCandidate, SendToPeer, ClosePeerConnection, Log, RestartIce, RequestIceRestart,
                            RequestMediaStartOver>;
using Effects = std::vector<Effect>;

std::ostream& operator<<(std::ostream& os, const Event& event);
std::ostream& operator<<(std::ostream& os, const Effect& effect);

// Translates a server message into a machine event, when it is one (a media server's signal is
// SignalReceived from its link; media-state "reset" is MediaReset).
std::optional<Event> to_event(const proto::ServerMessage& msg);
// A signal for one of the media server's links as the wire carries it (media-signal), and back.
// nullopt for a signal to a person.
std::optional<proto::MediaSignal> to_media_signal(const proto::Signal& signal);
proto::Signal from_media_signal(const proto::MediaSignal& signal);

// What the machine knows about one remote peer: its offer/answer exchange, nothing else (who the peer
// is and its connection's browser objects: the client's peer table; its connection state: peer health).
struct PeerSession {
  PeerId id = 0;
  bool offerer = false;  // we offered (we are the newcomer)
  bool polite = false;
  Phase phase = Phase::WaitingForOffer;
  bool remote_description_set = false;
  std::vector<proto::IceCandidate> pending_candidates;  // at most kMaxRemoteCandidates
  // Candidates accepted (queued or added) since the latest remote description arrived; the queue is
  // part of this count, so it never passes kMaxRemoteCandidates either.
  std::size_t remote_candidates = 0;
  // Remote candidates dropped over a bound (count or size), over the whole session.
  std::size_t dropped_candidates = 0;
  bool dropping_logged = false;  // a drop since the latest remote description was logged
  // Renegotiation: our media changed and no offer carrying it went yet (waits for Stable).
  bool negotiation_pending = false;
  // The offer being made or awaiting its answer is a renegotiation (so a rollback owes it again).
  bool renegotiating = false;
  // A remote offer that came while our remote answer was being applied: taken once it is.
  std::optional<proto::Signal> deferred_offer;
  std::vector<proto::IceCandidate> deferred_candidates;  // candidates after it (within kMaxRemoteCandidates)
};

class Machine {
 public:
  Effects handle(const Event& event);

  std::optional<PeerId> self() const { return self_; }
  Mode mode() const { return mode_; }
  const PeerSession* peer(PeerId id) const;
  const std::map<PeerId, PeerSession>& peers() const { return peers_; }

 private:
  Effects on(const JoinedRoom& e);
  Effects on(const PeerArrived& e);
  Effects on(const PeerDeparted& e);
  Effects on(const SignalReceived& e);
  Effects on(const LocalDescriptionCreated& e);
  Effects on(const RemoteDescriptionApplied& e);
  Effects on(const LocalCandidateGathered& e);
  Effects on(const BrowserOperationFailed& e);
  Effects on(const LeftRoom& e);
  Effects on(const ResumedRoom& e);
  Effects on(const IceRestartNeeded& e);
  Effects on(const NegotiationNeeded& e);
  Effects on(const MediaReset& e);

  Effects on_remote_offer(PeerSession& p, const proto::Signal& s);
  Effects on_remote_answer(PeerSession& p, const proto::Signal& s);
  Effects on_remote_candidate(PeerSession& p, const proto::IceCandidate& c);
  // A new remote description arrived: its candidates start a new count (the queue carries over).
  static void new_remote_description(PeerSession& p);
  // The connection just became Stable: a renegotiation that waited starts now.
  static void became_stable(PeerSession& p, Effects& out);
  // Adds a peer and its connection (callers check kMaxPeers first).
  void add_peer(PeerId id, bool offerer, Effects& out);
  // Sfu mode: closes whatever connections there are and makes the two links.
  void open_media_server_links(Effects& out);
  void close_all(Effects& out);

  std::optional<PeerId> self_;
  Mode mode_ = Mode::Mesh;
  bool start_over_asked_ = false;  // Sfu: RequestMediaStartOver sent, the links not made again since
  std::map<PeerId, PeerSession> peers_;
};

}  // namespace moim::signaling
