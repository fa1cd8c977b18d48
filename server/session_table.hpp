// The hub's sessions. A session is one participant's place in a room; it outlives its connection for
// the resume grace window ("held"), keeping what was sent to it meanwhile, within bounds. Also: the
// sessions an earlier run stored, which a token may restore once; the stored sessions the store failed
// to forget (retried); and the peer ids, reserved from the store in blocks so none is ever reused.
// Pure state over the room store: the time is passed in, and no message is built here.
#pragma once

#include "hub_output.hpp"
#include "protocol.hpp"
#include "room_store.hpp"
#include "signal_ledger.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace moim {

struct Session {
  proto::PeerId peer = 0;
  proto::RoomId room = 0;
  std::string client;          // the browser's id (second-tab rule)
  std::optional<ConnId> conn;  // none = held: the connection was lost
  std::int64_t lost_ms = 0;
  std::int64_t token_issued = 0;  // unix seconds of the newest token sent
  std::int64_t ice_sent = 0;      // unix seconds of the newest `ice` sent
  std::vector<std::shared_ptr<const std::string>> held;  // what was sent while held, signals aside
  std::size_t held_bytes = 0;
  bool overflowed = false;  // too much held: ends at the next tick
  // Signals relayed to it, numbered, kept until its client says it saw them (resent after a resume),
  // and the numbers of those it sent us (repeats after a resume are dropped).
  ledger::Outbox<std::shared_ptr<const std::string>> signals_out{{.max_items = 128, .max_bytes = 256 * 1024}};
  ledger::Inbox signals_in;
};

class SessionTable {
 public:
  struct Limits {
    // What is kept for a held session; past this it is marked overflowed (and ends at the next tick).
    std::size_t max_held_messages = 512;
    std::size_t max_held_bytes = 1 << 20;
    std::uint32_t peer_id_block = 4096;
  };

  SessionTable(Limits limits, server::RoomStore& store) : limits_(limits), store_(store) {}

  Session* find(proto::PeerId peer);
  std::size_t held_count() const;
  // Calls f(Session&) for every session (in the table's order).
  template <class F>
  void for_each(F&& f) {
    for (auto& [peer, session] : sessions_) f(session);
  }

  // Starts (or replaces) the session of `session.peer`.
  Session& put(Session session);
  // The session ends: gone here, and from the store (retried at tick if the store fails).
  void end(proto::PeerId peer);
  // The connection was lost: held from now_ms for a resume.
  void hold(proto::PeerId peer, std::int64_t now_ms);
  // Keeps a message for a held session, in order; past the bounds the session overflows and keeps nothing.
  void keep(Session& session, std::shared_ptr<const std::string> text);
  // The session of `client` (the second-tab rule) in `room`; 0 if none.
  proto::PeerId of_client(proto::RoomId room, const std::string& client) const;
  // Sessions that must end now: overflowed, or held for grace_ms.
  std::vector<proto::PeerId> expired(std::int64_t now_ms, std::int64_t grace_ms) const;

  // ---- sessions stored by an earlier run ----
  // Reads them from the store: those whose room still exists (room_exists) may be restored, the
  // others are forgotten. False when the store cannot be read (its error() says why).
  // `restorable` (if given) gets the sessions that may be restored, with what the store kept of them.
  bool load(const std::function<bool(proto::RoomId)>& room_exists,
            std::vector<server::StoredSession>* restorable = nullptr);
  // The room a session of the earlier run was in, if it may still be restored.
  std::optional<proto::RoomId> restorable(proto::PeerId peer) const;
  void restored(proto::PeerId peer) { restorable_.erase(peer); }
  std::size_t restorable_count() const { return restorable_.size(); }
  // The hub's clock (only the first call counts): every token of the earlier run was issued before
  // then, so none is valid after that plus max_age_s.
  void set_time(std::int64_t now_unix, std::int64_t max_age_s);
  // Once that has passed, the earlier run's sessions that did not come back never will; and stored
  // sessions the store failed to forget are tried again (until one fails again).
  void sweep_stored(std::int64_t now_unix);

  // ---- peer ids ----
  // The next unused peer id (nullopt: the store could not reserve more); taken by use_peer_id() once
  // the join succeeded.
  std::optional<proto::PeerId> next_peer_id();
  void use_peer_id() { ++next_peer_id_; }

 private:
  void forget_stored(proto::PeerId peer);

  Limits limits_;
  server::RoomStore& store_;
  std::unordered_map<proto::PeerId, Session> sessions_;
  // Sessions stored by an earlier run and not back yet (peer -> room). Forgotten once every token of
  // that run has expired (restorable_until_).
  std::unordered_map<proto::PeerId, proto::RoomId> restorable_;
  std::int64_t restorable_until_ = 0;  // unix seconds; 0 = not yet known (set by set_time)
  std::vector<proto::PeerId> unforgotten_;  // ended, but the store failed to remove them
  proto::PeerId next_peer_id_ = 0;
  proto::PeerId peer_id_end_ = 0;
};

}  // namespace moim
