// A large room's data links, as a machine: in a large room nobody has a connection to anybody else
// (media goes through the media server), so a file's bytes go over a data-only RTCPeerConnection
// between the two browsers, opened for the transfers with that person and closed once none needs it.
// Its negotiation goes through the server as `signal`s to that one person (the mesh's relay). Kept
// apart from the signaling machine (shared/signaling.hpp): those links are the call's media, made
// for everyone at once and kept for the call; these are made on demand, bounded, and none of peer
// health, tiles or stats is about them.
//
//   effects = machine.handle(event)
//
// No browser, socket, clock or randomness inside: the files part (wasm/files/) says which people a
// live transfer needs a link with (Demand), the glue reports the connection's life.
//
// Rules:
//  - Who offers: the smaller id (both sides want the link at about the same time: the receiver on
//    accepting, the sender on the answer; one offerer means no glare). The other side waits for the
//    offer (Queued) and makes its connection once it has it.
//  - Bounds, one per role, so that they never wait on each other: at most kMaxLinks links we offer
//    and at most kMaxAnsweredLinks links we answer at once. A person we offer to past the bound waits
//    (Queued, in demand order) and gets a link when one of ours closes. An offer to us is held (one
//    per person, the newest, its candidates with it, at most kMaxRemoteCandidates) and answered at
//    once, or when one of the links we answer closes. A place we answer with is only taken for an
//    offer in hand, whose offerer holds its own place for it: that link moves on, ends and frees its
//    places; with one bound for both roles, pages sending to everyone could each hold all their
//    places for people holding theirs for others, and nothing moved.
//  - An offer from someone we have no live transfer with (not demanded) opens nothing: it may have
//    come before the message that makes the transfer known (signals and peer-messages can cross,
//    e.g. after our socket was held), so it is kept, with its candidates, as an early offer: one per
//    person (the newest), at most kMaxEarlyOffers (the oldest goes), for kEarlyOfferMs (Tick time;
//    from the first Tick after it came). A Demand for that person takes it as the link's offer;
//    one that ran out is dropped (logged as a protocol problem). A hostile peer cannot make us
//    open connections.
//    An offer to a link of which we are the offerer, or that is being answered, breaks the rule:
//    ignored (logged). An answer we did not ask for: ignored (logged).
//  - An offer on a link we answered that is up or connecting here (Connecting, Open) means their end
//    is new (it broke or closed there, or their page loaded again): ours is stale and is replaced in
//    its place (Close, Lost: the transfers on it break; a new connection answers the new offer).
//  - An offer whose SDP is not data-only (exactly one m-line, m=application: no audio, no video, no
//    second section) is refused before anything else (logged as a protocol problem): nothing
//    changes, neither the link nor a held or early offer.
//  - Remote candidates before the remote description is applied are queued and added after it; at
//    most kMaxRemoteCandidates per link (more are dropped, logged once).
//  - A link is Ready when its channel opened (the connection is up, both ways): transfers may open
//    their channels on it then. The receiver may expect them as soon as the connection exists
//    (Made).
//  - A link that closes or fails while demanded is Lost: the transfers on it break (the files part
//    decides); a link no longer demanded is closed (Close) and forgotten, either way the next queued
//    person gets its place.
//  - Negotiation is bounded: a link that took its place (Create) and is not Ready kNegotiateMs
//    later breaks (Lost with timed_out: its transfers fail as `link-timeout`), its place to the next
//    queued person. Time comes in as Tick (no clock inside): a link is timed from the last Tick
//    before its Create (or, before any Tick, from the first one after it).
//  - Reset (the call ended or the room stopped being a large one): every link closes, nothing queued.
#pragma once

#include "protocol.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::data_links {

using proto::PeerId;
using Handle = int;  // the glue's connection handle (0: none)

inline constexpr std::size_t kMaxLinks = 4;           // links we offer at once
// Links we answer at once: more than we offer, as several people may each offer us one of theirs
// (an offer waiting for this place may run out: their kNegotiateMs).
inline constexpr std::size_t kMaxAnsweredLinks = 16;
inline constexpr std::size_t kMaxRemoteCandidates = 128;
inline constexpr double kNegotiateMs = 30'000;  // from taking a place to Ready
inline constexpr std::size_t kMaxEarlyOffers = 8;
inline constexpr double kEarlyOfferMs = 10'000;

enum class Phase {
  Queued,          // demanded, no place yet (offerer: none free; answerer: no offer yet, or none free)
  Making,          // Create issued; waiting for Made (the glue's handle)
  Offering,        // offerer: our offer is being made or sent; waiting for the answer
  Answering,       // answerer: the offer is being applied or answered
  Connecting,      // descriptions exchanged; waiting for the link's channel to open
  Open,            // Ready
};
std::string_view to_string(Phase p);

struct Link {
  PeerId peer = 0;
  Handle handle = 0;  // 0 while Queued or Making
  bool offerer = false;  // we offer (our id is the smaller)
  Phase phase = Phase::Queued;
  bool remote_set = false;
  std::optional<std::string> held_offer;               // answerer, Queued / Making: their offer, answered once we can
  std::vector<proto::IceCandidate> pending_candidates;  // before the remote description is applied
  std::size_t remote_candidates = 0;
  bool dropping_logged = false;
  double since_ms = -1;  // when it took its place (Tick time; -1: no Tick yet)
  bool operator==(const Link&) const = default;
};

// An offer from someone not demanded (yet), kept a short time.
struct EarlyOffer {
  PeerId peer = 0;
  std::string sdp;
  std::vector<proto::IceCandidate> candidates;  // at most kMaxRemoteCandidates
  double since_ms = -1;                          // Tick time it came (-1: no Tick since)
  bool operator==(const EarlyOffer&) const = default;
};

// ---- events
// The people a live transfer needs a link with now (all of them, each time; `self`: our id).
struct Demand { PeerId self = 0; std::vector<PeerId> peers; };
struct SignalFrom { proto::Signal signal; };  // signal.peer = the sender
struct Made { PeerId peer = 0; Handle handle = 0; };  // the glue made the connection (0: it could not)
struct LocalDescription { Handle handle = 0; proto::SignalKind kind = proto::SignalKind::Offer; std::string sdp; };
struct RemoteApplied { Handle handle = 0; };
struct LocalCandidate { Handle handle = 0; proto::IceCandidate candidate; };
struct ChannelOpened { Handle handle = 0; };
// The link's channel closed, its connection failed or closed, or a browser operation on it failed.
struct Broke { Handle handle = 0; std::string why; };
struct Reset {};
// Signals between us and others may have been lost for good (the server link's `missed`, a restart
// with signals unconfirmed): a link still being negotiated might wait for ever; it breaks instead
// (Lost), and the transfers on it with it. Open links need no signal: they stay.
struct SignalsLost {};
// The time (the app's clock, ms; never goes back): links negotiating for kNegotiateMs break.
struct Tick { double now_ms = 0; };
using Event = std::variant<Demand, SignalFrom, Made, LocalDescription, RemoteApplied, LocalCandidate, ChannelOpened, Broke, Reset,
                           SignalsLost, Tick>;

// ---- effects
// A data-only connection to `peer` (its link channel negotiated on both sides); the offerer's glue
// then hears CreateOffer, the answerer's SetRemote (their offer). Answered with Made.
struct Create { PeerId peer = 0; bool offerer = false; bool operator==(const Create&) const = default; };
struct CreateOffer { Handle handle = 0; bool operator==(const CreateOffer&) const = default; };
struct CreateAnswer { Handle handle = 0; bool operator==(const CreateAnswer&) const = default; };
struct SetRemote { Handle handle = 0; proto::SignalKind kind = proto::SignalKind::Offer; std::string sdp; bool operator==(const SetRemote&) const = default; };
struct AddCandidate { Handle handle = 0; proto::IceCandidate candidate; bool operator==(const AddCandidate&) const = default; };
struct Send { proto::Signal signal; bool operator==(const Send&) const = default; };  // signal.peer = destination
struct Close { Handle handle = 0; bool operator==(const Close&) const = default; };
struct Ready { PeerId peer = 0; Handle handle = 0; bool operator==(const Ready&) const = default; };
// The link broke while demanded (timed_out: not Ready within kNegotiateMs).
struct Lost { PeerId peer = 0; bool timed_out = false; bool operator==(const Lost&) const = default; };
struct Log { std::string text; bool operator==(const Log&) const = default; };  // "protocol: " for a peer's broken rule
using Effect = std::variant<Create, CreateOffer, CreateAnswer, SetRemote, AddCandidate, Send, Close, Ready, Lost, Log>;
using Effects = std::vector<Effect>;

// A data link's offer: exactly one media section, and it is m=application.
bool data_only(std::string_view sdp);

class Machine {
 public:
  Effects handle(const Event& event);
  // Demanded people in demand order: those with a link first come first, then the queued.
  const std::vector<Link>& links() const { return links_; }
  const Link* find(PeerId peer) const;
  // The link's handle when its connection exists (0 otherwise), and whether it is Ready.
  Handle handle_of(PeerId peer) const;
  bool ready(PeerId peer) const;
  std::size_t active() const;  // links holding a place (not Queued), both roles
  std::size_t active(bool offerer) const;  // ... of one role
  const std::vector<EarlyOffer>& early_offers() const { return early_; }

 private:
  Link* by_handle(Handle h);
  Link* by_peer(PeerId p);
  void start_queued(Effects& out);
  void take_offer(Link& l, std::string sdp, Effects& out);
  void take_candidate(Link& l, const proto::IceCandidate& c, Effects& out);
  void remove(PeerId peer);

  PeerId self_ = 0;
  double now_ = -1;  // the last Tick's time
  std::vector<Link> links_;
  std::vector<EarlyOffer> early_;  // oldest first
};

}  // namespace moim::data_links
