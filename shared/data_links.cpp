#include "data_links.hpp"

#include "overloaded.hpp"

#include <algorithm>
#include <utility>

namespace moim::data_links {

std::string_view to_string(Phase p) {
  switch (p) {
    case Phase::Queued: return "queued";
    case Phase::Making: return "making";
    case Phase::Offering: return "offering";
    case Phase::Answering: return "answering";
    case Phase::Connecting: return "connecting";
    case Phase::Open: return "open";
  }
  return "?";
}

namespace {
std::string peer_text(PeerId p) { return "peer " + std::to_string(p); }
}  // namespace

bool data_only(std::string_view sdp) {
  std::size_t sections = 0;
  bool application = false;
  while (!sdp.empty()) {
    const std::size_t end = sdp.find('\n');
    const std::string_view line = sdp.substr(0, end);
    sdp = end == std::string_view::npos ? std::string_view{} : sdp.substr(end + 1);
    if (line.substr(0, 2) != "m=") continue;
    ++sections;
    application = line.substr(0, 14) == "m=application ";
  }
  return sections == 1 && application;
}

const Link* Machine::find(PeerId peer) const {
  auto it = std::find_if(links_.begin(), links_.end(), [&](const Link& l) { return l.peer == peer; });
  return it == links_.end() ? nullptr : &*it;
}
Link* Machine::by_peer(PeerId peer) { return const_cast<Link*>(std::as_const(*this).find(peer)); }
Link* Machine::by_handle(Handle h) {
  if (h == 0) return nullptr;
  auto it = std::find_if(links_.begin(), links_.end(), [&](const Link& l) { return l.handle == h; });
  return it == links_.end() ? nullptr : &*it;
}
Handle Machine::handle_of(PeerId peer) const {
  const Link* l = find(peer);
  return l ? l->handle : 0;
}
bool Machine::ready(PeerId peer) const {
  const Link* l = find(peer);
  return l && l->phase == Phase::Open;
}
std::size_t Machine::active() const { return active(true) + active(false); }
std::size_t Machine::active(bool offerer) const {
  return static_cast<std::size_t>(
      std::count_if(links_.begin(), links_.end(), [&](const Link& l) { return l.phase != Phase::Queued && l.offerer == offerer; }));
}
void Machine::remove(PeerId peer) {
  links_.erase(std::remove_if(links_.begin(), links_.end(), [&](const Link& l) { return l.peer == peer; }), links_.end());
}

// The queued, in demand order, take the free places of their role: those we offer to at once, those
// who offer to us once their offer is here.
void Machine::start_queued(Effects& out) {
  for (Link& l : links_) {
    if (l.phase != Phase::Queued || (!l.offerer && !l.held_offer)) continue;
    if (active(l.offerer) >= (l.offerer ? kMaxLinks : kMaxAnsweredLinks)) continue;
    l.phase = Phase::Making;
    l.since_ms = now_;
    out.push_back(Create{l.peer, l.offerer});
  }
}

void Machine::take_offer(Link& l, std::string sdp, Effects& out) {
  l.phase = Phase::Answering;
  out.push_back(SetRemote{l.handle, proto::SignalKind::Offer, std::move(sdp)});
}

void Machine::take_candidate(Link& l, const proto::IceCandidate& c, Effects& out) {
  if (l.remote_candidates >= kMaxRemoteCandidates) {
    if (!l.dropping_logged) out.push_back(Log{"protocol: " + peer_text(l.peer) + " sent too many candidates for a data link; dropped"});
    l.dropping_logged = true;
    return;
  }
  ++l.remote_candidates;
  if (l.remote_set && l.handle != 0) out.push_back(AddCandidate{l.handle, c});
  else l.pending_candidates.push_back(c);
}

Effects Machine::handle(const Event& event) {
  Effects out;
  std::visit(
      Overloaded{
          [&](const Demand& e) {
            self_ = e.self;
            // No longer demanded: closed (or unqueued) and forgotten.
            std::vector<PeerId> gone;
            for (const Link& l : links_)
              if (std::find(e.peers.begin(), e.peers.end(), l.peer) == e.peers.end()) gone.push_back(l.peer);
            for (const PeerId p : gone) {
              if (const Link* l = find(p); l && l->handle != 0) out.push_back(Close{l->handle});
              remove(p);
            }
            for (const PeerId p : e.peers) {
              if (p == 0 || p == self_ || find(p)) continue;
              Link l{.peer = p, .offerer = self_ != 0 && self_ < p};
              // Their offer came before the transfer was known here: it is this link's (only from
              // the side that offers).
              auto early = std::find_if(early_.begin(), early_.end(), [&](const EarlyOffer& o) { return o.peer == p; });
              if (early != early_.end()) {
                if (p < self_) {
                  l.held_offer = std::move(early->sdp);
                  l.remote_candidates = early->candidates.size();
                  l.pending_candidates = std::move(early->candidates);
                } else {
                  out.push_back(Log{"protocol: dropped an early data-link offer from " + peer_text(p) + ": we offer"});
                }
                early_.erase(early);
              }
              links_.push_back(std::move(l));
            }
            start_queued(out);
          },
          [&](const SignalFrom& e) {
            const proto::Signal& s = e.signal;
            Link* l = by_peer(s.peer);
            if (s.kind == proto::SignalKind::Offer) {
              if (!data_only(s.sdp)) {
                out.push_back(Log{"protocol: refused a data-link offer from " + peer_text(s.peer) +
                                  ": not data-only (one m=application section)"});
                return;
              }
              if (!l) {  // maybe before the transfer is known here: kept a short time
                std::erase_if(early_, [&](const EarlyOffer& o) { return o.peer == s.peer; });
                if (early_.size() >= kMaxEarlyOffers) {
                  out.push_back(Log{"protocol: dropped the early data-link offer from " + peer_text(early_.front().peer) +
                                    ": too many early offers"});
                  early_.erase(early_.begin());
                }
                early_.push_back(EarlyOffer{.peer = s.peer, .sdp = s.sdp, .since_ms = now_});
                out.push_back(Log{"kept a data-link offer from " + peer_text(s.peer) + " (no transfer with them yet)"});
                return;
              }
              if (!l->offerer && (l->phase == Phase::Connecting || l->phase == Phase::Open)) {
                // Their end of the link is new (it broke or closed there, or the page was loaded
                // again) while ours still looks up: ours is stale. It is replaced, keeping its place:
                // the transfers on it break (Lost), the new offer is answered on a new connection.
                out.push_back(Log{"the data link to " + peer_text(s.peer) + " is replaced: a new offer came"});
                out.push_back(Close{l->handle});
                out.push_back(Lost{s.peer});
                *l = Link{.peer = l->peer, .handle = 0, .offerer = false, .phase = Phase::Making, .held_offer = s.sdp, .since_ms = now_};
                out.push_back(Create{l->peer, false});
                return;
              }
              if (l->offerer || l->remote_set || l->phase == Phase::Answering) {
                out.push_back(Log{"protocol: ignored a data-link offer from " + peer_text(s.peer) + " (" +
                                  std::string(to_string(l->phase)) + (l->offerer ? ", we offer" : "") + ")"});
                return;
              }
              // A new offer starts a new count of its candidates (the held one's go with it).
              l->pending_candidates.clear();
              l->remote_candidates = 0;
              l->dropping_logged = false;
              l->held_offer = s.sdp;  // Queued or Making: answered once the connection is there
              start_queued(out);
              return;
            }
            if (s.kind == proto::SignalKind::Answer) {
              if (!l || !l->offerer || l->phase != Phase::Offering || l->remote_set) {
                out.push_back(Log{"protocol: ignored a data-link answer from " + peer_text(s.peer) + " that we did not ask for"});
                return;
              }
              l->phase = Phase::Connecting;  // candidates that came before it are its own: kept
              out.push_back(SetRemote{l->handle, proto::SignalKind::Answer, s.sdp});
              return;
            }
            if (l) {
              take_candidate(*l, s.candidate, out);
              return;
            }
            // An early offer's: kept with it. Otherwise a candidate of a link gone: late, dropped.
            auto early = std::find_if(early_.begin(), early_.end(), [&](const EarlyOffer& o) { return o.peer == s.peer; });
            if (early != early_.end() && early->candidates.size() < kMaxRemoteCandidates) early->candidates.push_back(s.candidate);
          },
          [&](const Made& e) {
            Link* l = by_peer(e.peer);
            if (!l || l->phase != Phase::Making) {  // no longer wanted meanwhile
              if (e.handle != 0) out.push_back(Close{e.handle});
              return;
            }
            if (e.handle == 0) {
              out.push_back(Log{"no data link could be made to " + peer_text(e.peer)});
              remove(e.peer);
              out.push_back(Lost{e.peer});
              start_queued(out);
              return;
            }
            l->handle = e.handle;
            if (l->offerer) {
              l->phase = Phase::Offering;
              out.push_back(CreateOffer{l->handle});
            } else if (l->held_offer) {  // always: an answerer's place is taken for an offer in hand
              std::string sdp = std::move(*l->held_offer);
              l->held_offer.reset();
              take_offer(*l, std::move(sdp), out);
            }
          },
          [&](const LocalDescription& e) {
            Link* l = by_handle(e.handle);
            if (!l) return;  // a closed link's: late
            proto::Signal s{.peer = l->peer, .kind = e.kind, .sdp = e.sdp};
            if (e.kind == proto::SignalKind::Answer) l->phase = Phase::Connecting;
            out.push_back(Send{std::move(s)});
          },
          [&](const RemoteApplied& e) {
            Link* l = by_handle(e.handle);
            if (!l) return;
            l->remote_set = true;
            if (!l->offerer) out.push_back(CreateAnswer{l->handle});
            for (const proto::IceCandidate& c : l->pending_candidates) out.push_back(AddCandidate{l->handle, c});
            l->pending_candidates.clear();
          },
          [&](const LocalCandidate& e) {
            Link* l = by_handle(e.handle);
            if (!l) return;
            out.push_back(Send{proto::Signal{.peer = l->peer, .kind = proto::SignalKind::Candidate, .candidate = e.candidate}});
          },
          [&](const ChannelOpened& e) {
            Link* l = by_handle(e.handle);
            if (!l || l->phase == Phase::Open) return;
            l->phase = Phase::Open;
            out.push_back(Ready{l->peer, l->handle});
          },
          [&](const Broke& e) {
            Link* l = by_handle(e.handle);
            if (!l) return;
            const PeerId peer = l->peer;
            out.push_back(Log{"the data link to " + peer_text(peer) + " broke: " + e.why});
            out.push_back(Close{l->handle});
            remove(peer);
            out.push_back(Lost{peer});
            start_queued(out);
          },
          [&](const SignalsLost&) {
            std::vector<PeerId> stuck;
            for (const Link& l : links_)
              if (l.phase != Phase::Queued && l.phase != Phase::Open) stuck.push_back(l.peer);
            for (const PeerId peer : stuck) {
              const Link* l = find(peer);
              out.push_back(Log{"the data link to " + peer_text(peer) + " broke: its signals may be lost"});
              if (l->handle != 0) out.push_back(Close{l->handle});
              remove(peer);
              out.push_back(Lost{peer});
            }
            start_queued(out);
          },
          [&](const Tick& e) {
            now_ = std::max(now_, e.now_ms);
            std::vector<PeerId> late;
            for (auto it = early_.begin(); it != early_.end();) {
              if (it->since_ms < 0) it->since_ms = now_;
              if (now_ - it->since_ms < kEarlyOfferMs) {
                ++it;
                continue;
              }
              out.push_back(Log{"protocol: dropped the data-link offer from " + peer_text(it->peer) + ": no transfer with them"});
              it = early_.erase(it);
            }
            for (Link& l : links_) {
              if (l.phase == Phase::Queued || l.phase == Phase::Open) continue;
              if (l.since_ms < 0) l.since_ms = now_;
              else if (now_ - l.since_ms >= kNegotiateMs) late.push_back(l.peer);
            }
            for (const PeerId peer : late) {
              const Link* l = find(peer);
              out.push_back(Log{"the data link to " + peer_text(peer) + " broke: not connected within " +
                                std::to_string(static_cast<int>(kNegotiateMs / 1000)) + " s"});
              if (l->handle != 0) out.push_back(Close{l->handle});
              remove(peer);
              out.push_back(Lost{peer, true});
            }
            if (!late.empty()) start_queued(out);
          },
          [&](const Reset&) {
            for (const Link& l : links_)
              if (l.handle != 0) out.push_back(Close{l.handle});
            links_.clear();
            early_.clear();
          },
      },
      event);
  return out;
}

}  // namespace moim::data_links
