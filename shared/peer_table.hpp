// The client's one record per remote peer of the call, indexed by peer id and by the handle of the
// peer's connection (std::map both ways: O(log n)). A record holds everything the client keeps about
// that person outside the pure machines:
//   - what the server says of them: name, microphone, camera, and `away` after a server restart;
//   - their peer connection while the browser has one: its browser objects (the template parameter)
//     and what its last getStats said (and, derived from its polls, the last minute of figures).
// Kept elsewhere, once each: the room, ourselves and the session token (ClientState); the
// offer/answer state of each connection (signaling::Machine); the connection's connectionState and
// the ICE verdicts (peer_health::Machine, the one place the state is kept; the tile and state()
// turn it into words).
//
// Lifetime. A record is created when a peer appears (joined, resumed, peer-joined) and erased when
// it leaves (peer-left, left, a resume that no longer lists it, drop_away(), clear()). Its
// connection is attached by connect() (the signaling machine's CreatePeerConnection; a second one
// replaces and releases the first), and released by disconnect() (ClosePeerConnection) or with the
// record. `Browser` owns the browser objects: destroying it releases them (in the client,
// wasm/peer_connection.hpp closes the RTCPeerConnection and frees the remote video's element and
// textures), so whichever way a record or connection goes, nothing stays open. A browser callback
// for a handle no longer attached finds no record (by_handle() is null) and is dropped.
//
// Pure (no browser in here): `Browser` is move-only, and `handle()` names it (a nonzero int).
// Server input is untrusted: a message that makes no sense for the call we are in changes nothing.
#pragma once

#include "call_stats.hpp"
#include "client_state.hpp"
#include "ice_route.hpp"
#include "overloaded.hpp"
#include "protocol.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace moim {

// Others in one call (listed and away together): a room holds at most proto::kMaxCapacity people
// (a large room; a mesh room's connections are bounded by the signaling machine), ourselves
// included. Past it (only a broken or hostile server lists more) the rest get no record.
inline constexpr std::size_t kMaxCallPeers = proto::kMaxCapacity - 1;

// What the last getStats of one connection said.
struct ConnectionStats {
  double frames_decoded = 0;         // the camera's
  double screen_frames_decoded = 0;  // the peer's screen share's
  double audio_energy = 0;
  double audio_level = 0;
  bool audio_live = false;
  std::optional<ice::CandidatePair> pair;  // the selected candidate pair
};

template <class Browser>
class PeerTable {
 public:
  using Handle = int;

  struct Connection {
    Browser browser;        // the browser's objects for it (released when this goes)
    ConnectionStats stats;  // zero until the first poll of this connection
    // Its getStats counters as per-second figures, the last minute of them and the quality verdict
    // (shared/call_stats.hpp). Goes with the connection: a new one starts from a new baseline.
    call_stats::Meter meter;
  };
  struct Peer {
    proto::PeerInfo info;  // id, name, mic, camera: the server's word
    // After a server restart (resumed with restored = true): not back yet. Keeps its tile and
    // connection until it returns (peer-joined) or the app gives up on it (drop_away()).
    bool away = false;
    std::optional<Connection> connection;
  };

  PeerTable() = default;
  PeerTable(const PeerTable&) = delete;
  PeerTable& operator=(const PeerTable&) = delete;

  // ---- who is in the call (server messages)
  // Applies one server message. `call` is ClientState's call after the same message: a message for
  // another call than that one (a resumed into another room, a peer-joined for ourselves) changes
  // nothing. Returns true when it changed the list.
  bool apply(const proto::ServerMessage& msg, const std::optional<CallInfo>& call) {
    return std::visit(Overloaded{
                          [&](const proto::Joined& m) {
                            if (!call || call->self.id != m.self.id || call->room.id != m.room.id) return false;
                            clear();  // a fresh call: nothing of an earlier one carries over
                            relist(m.peers, m.self.id, /*keep_away=*/false);
                            return true;
                          },
                          [&](const proto::Resumed& m) {
                            if (!call || call->self.id != m.self.id || call->room.id != m.room.id) return false;
                            relist(m.peers, m.self.id, /*keep_away=*/m.restored);
                            return true;
                          },
                          [&](const proto::PeerJoined& m) {
                            if (!call || m.peer.id == call->self.id) return false;
                            if (Peer* p = find(m.peer.id)) {
                              p->info = m.peer;
                              if (p->away) {  // back after the restart: listed again, after the others
                                p->away = false;
                                std::erase(order_, m.peer.id);
                                order_.push_back(m.peer.id);
                              }
                              return true;
                            }
                            if (peers_.size() >= kMaxCallPeers) return false;  // more than a room holds
                            add(m.peer);
                            return true;
                          },
                          [&](const proto::PeerLeft& m) { return call && erase(m.peer); },
                          [&](const proto::PeerMedia& m) {
                            Peer* p = call ? find(m.peer) : nullptr;
                            if (!p || p->away) return false;
                            p->info.mic = m.mic;
                            p->info.camera = m.camera;
                            return true;
                          },
                          [&](const proto::Left&) {
                            const bool had = !peers_.empty();
                            clear();
                            return had;
                          },
                          [&](const auto&) { return false; },
                      },
                      msg);
  }
  // Forgets the peers still away after a restore (their connections are released); returns their ids.
  std::vector<proto::PeerId> drop_away() {
    std::vector<proto::PeerId> gone;
    for (const proto::PeerId id : order_)
      if (peers_.at(id).away) gone.push_back(id);
    for (const proto::PeerId id : gone) erase(id);
    return gone;
  }
  // No call any more: every record goes, and every connection with it.
  void clear() {
    by_handle_.clear();
    order_.clear();
    peers_.clear();
  }

  // ---- connections (the signaling machine's effects)
  // Attaches a connection to `id`'s record, releasing the one it had. Without a record (not in the
  // call's list), or without a connection (handle 0: the browser could not make one), nothing is
  // attached and `browser` is released at once; returns null then.
  Connection* connect(proto::PeerId id, Browser browser) {
    Peer* p = find(id);
    const Handle handle = browser.handle();
    if (!p || handle == Handle{}) return nullptr;
    disconnect(id);
    p->connection.emplace(Connection{std::move(browser), {}, {}});
    by_handle_[handle] = id;
    return &*p->connection;
  }
  // Releases `id`'s connection (its record stays: the person is still in the call).
  void disconnect(proto::PeerId id) {
    Peer* p = find(id);
    if (!p || !p->connection) return;
    by_handle_.erase(p->connection->browser.handle());
    p->connection.reset();
  }

  // ---- lookups
  Peer* find(proto::PeerId id) {
    auto it = peers_.find(id);
    return it == peers_.end() ? nullptr : &it->second;
  }
  const Peer* find(proto::PeerId id) const { return const_cast<PeerTable*>(this)->find(id); }
  // The record whose current connection has this handle (so `connection` is set); null for a handle
  // released or never ours.
  Peer* by_handle(Handle handle) {
    auto it = by_handle_.find(handle);
    Peer* p = it == by_handle_.end() ? nullptr : find(it->second);
    return p && p->connection && p->connection->browser.handle() == handle ? p : nullptr;
  }
  const Peer* by_handle(Handle handle) const { return const_cast<PeerTable*>(this)->by_handle(handle); }
  // `id`'s connection, or null.
  Connection* connection(proto::PeerId id) {
    Peer* p = find(id);
    return p && p->connection ? &*p->connection : nullptr;
  }
  // As the tiles and state() list them: the listed peers in join order, then those away.
  std::vector<const Peer*> in_order() const {
    std::vector<const Peer*> out;
    for (const bool away : {false, true})
      for (const proto::PeerId id : order_)
        if (const Peer& p = peers_.at(id); p.away == away) out.push_back(&p);
    return out;
  }
  // Whether `pred` holds for some record, listed or away (in no particular order; nothing is copied).
  template <class F>
  bool any_of(F&& pred) const {
    return std::any_of(peers_.begin(), peers_.end(), [&](const auto& e) { return pred(e.second); });
  }
  template <class F>
  void for_each_connection(F&& f) {
    for (auto& [_, p] : peers_)
      if (p.connection) f(*p.connection);
  }
  std::size_t size() const { return peers_.size(); }  // listed and away
  std::size_t listed() const {
    return static_cast<std::size_t>(std::count_if(peers_.begin(), peers_.end(), [](const auto& e) { return !e.second.away; }));
  }
  std::size_t connections() const { return by_handle_.size(); }

 private:
  void add(const proto::PeerInfo& info) {
    peers_[info.id].info = info;
    order_.push_back(info.id);
  }
  bool erase(proto::PeerId id) {
    auto it = peers_.find(id);
    if (it == peers_.end()) return false;
    if (it->second.connection) by_handle_.erase(it->second.connection->browser.handle());
    std::erase(order_, id);
    peers_.erase(it);
    return true;
  }
  // The call's list from a joined or resumed: those listed, minus ourselves and repeats (a broken or
  // hostile server), no more than kMaxCallPeers. Records of listed peers keep their connection (a
  // resume keeps the call's connections). `keep_away` (a restore after a server restart): everyone
  // else we knew may still be on the way back, and stays as away while there is room; otherwise
  // those not listed left while we were away.
  void relist(const std::vector<proto::PeerInfo>& listed, proto::PeerId self, bool keep_away) {
    std::vector<proto::PeerId> order;
    for (const auto& info : listed) {
      if (order.size() >= kMaxCallPeers) break;
      if (info.id == self || std::find(order.begin(), order.end(), info.id) != order.end()) continue;
      Peer& p = peers_[info.id];
      p.info = info;
      p.away = false;
      order.push_back(info.id);
    }
    std::vector<proto::PeerId> gone;
    for (const proto::PeerId id : order_) {
      if (std::find(order.begin(), order.end(), id) != order.end()) continue;
      if (keep_away && id != self && order.size() < kMaxCallPeers) {
        peers_.at(id).away = true;
        order.push_back(id);
      } else {
        gone.push_back(id);
      }
    }
    order_ = std::move(order);
    for (const proto::PeerId id : gone) erase(id);
  }

  std::map<proto::PeerId, Peer> peers_;
  std::map<Handle, proto::PeerId> by_handle_;  // current connections only
  std::vector<proto::PeerId> order_;           // join order (listed and away mixed; see in_order())
};

}  // namespace moim
