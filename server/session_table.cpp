// The hub's sessions (see session_table.hpp).
#include "session_table.hpp"

#include <utility>

namespace moim {

Session* SessionTable::find(proto::PeerId peer) {
  const auto it = sessions_.find(peer);
  return it == sessions_.end() ? nullptr : &it->second;
}

std::size_t SessionTable::held_count() const {
  std::size_t n = 0;
  for (const auto& [peer, session] : sessions_) n += session.conn ? 0 : 1;
  return n;
}

Session& SessionTable::put(Session session) {
  Session& slot = sessions_[session.peer];
  slot = std::move(session);
  return slot;
}

void SessionTable::end(proto::PeerId peer) {
  sessions_.erase(peer);
  forget_stored(peer);
}

void SessionTable::hold(proto::PeerId peer, std::int64_t now_ms) {
  Session* session = find(peer);
  if (!session) return;
  session->conn.reset();
  session->lost_ms = now_ms;
}

void SessionTable::keep(Session& session, std::shared_ptr<const std::string> text) {
  if (session.overflowed) return;
  if (session.held.size() >= limits_.max_held_messages || session.held_bytes + text->size() > limits_.max_held_bytes) {
    session.overflowed = true;
    session.held.clear();
    session.held_bytes = 0;
    return;
  }
  session.held_bytes += text->size();
  session.held.push_back(std::move(text));
}

proto::PeerId SessionTable::of_client(proto::RoomId room, const std::string& client) const {
  proto::PeerId found = 0;
  for (const auto& [peer, session] : sessions_) {
    if (session.room == room && session.client == client) found = peer;
  }
  return found;
}

std::vector<proto::PeerId> SessionTable::expired(std::int64_t now_ms, std::int64_t grace_ms) const {
  std::vector<proto::PeerId> peers;
  for (const auto& [peer, session] : sessions_) {
    if (session.overflowed || (!session.conn && now_ms - session.lost_ms >= grace_ms)) peers.push_back(peer);
  }
  return peers;
}

bool SessionTable::load(const std::function<bool(proto::RoomId)>& room_exists,
                        std::vector<server::StoredSession>* restorable) {
  const std::vector<server::StoredSession> stored = store_.load_sessions();
  if (!store_.error().empty()) return false;
  for (const server::StoredSession& session : stored) {
    if (room_exists(session.room)) {
      restorable_[session.peer] = session.room;
      if (restorable != nullptr) restorable->push_back(session);
    } else {
      forget_stored(session.peer);  // its room is gone: the token can never be used
    }
  }
  return true;
}

std::optional<proto::RoomId> SessionTable::restorable(proto::PeerId peer) const {
  const auto it = restorable_.find(peer);
  if (it == restorable_.end()) return std::nullopt;
  return it->second;
}

void SessionTable::set_time(std::int64_t now_unix, std::int64_t max_age_s) {
  if (restorable_until_ == 0) restorable_until_ = now_unix + max_age_s;
}

void SessionTable::sweep_stored(std::int64_t now_unix) {
  if (!restorable_.empty() && restorable_until_ != 0 && now_unix > restorable_until_) {
    for (const auto& [peer, room] : restorable_) unforgotten_.push_back(peer);
    restorable_.clear();
  }
  // Each failure may have waited the store's busy timeout on the network thread: the first one that
  // fails again ends the round.
  while (!unforgotten_.empty()) {
    if (!store_.remove_session(unforgotten_.back())) break;
    unforgotten_.pop_back();
  }
}

std::optional<proto::PeerId> SessionTable::next_peer_id() {
  if (next_peer_id_ == peer_id_end_) {
    const std::optional<std::uint64_t> first = store_.reserve_ids(server::IdCounter::Peer, limits_.peer_id_block);
    if (!first) return std::nullopt;
    next_peer_id_ = *first;
    peer_id_end_ = *first + limits_.peer_id_block;
  }
  return next_peer_id_;
}

void SessionTable::forget_stored(proto::PeerId peer) {
  restorable_.erase(peer);
  if (!store_.remove_session(peer)) unforgotten_.push_back(peer);
}

}  // namespace moim
