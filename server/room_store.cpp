#include "room_store.hpp"

#include <limits>
#include <new>

namespace moim::server {

std::vector<StoredRoom> MemoryRoomStore::load() {
  std::vector<StoredRoom> rooms;
  try {
    rooms.reserve(rooms_.size());
    for (const auto& [id, room] : rooms_) rooms.push_back(room);
  } catch (const std::bad_alloc&) {
    error_ = "out of memory";
    rooms.clear();
  }
  return rooms;
}

bool MemoryRoomStore::put(const StoredRoom& room) {
  try {
    rooms_.insert_or_assign(room.id, room);
    return true;
  } catch (const std::bad_alloc&) {
    error_ = "out of memory";
    return false;
  }
}

bool MemoryRoomStore::remove(proto::RoomId id) {
  rooms_.erase(id);
  return true;
}

bool MemoryRoomStore::touch(proto::RoomId id, std::int64_t last_used) {
  if (auto it = rooms_.find(id); it != rooms_.end()) it->second.last_used = last_used;
  return true;
}

std::optional<std::uint64_t> MemoryRoomStore::reserve_ids(IdCounter counter, std::uint64_t count) {
  if (count == 0) {
    error_ = "reserve_ids: count must be at least 1";
    return std::nullopt;
  }
  std::uint64_t& next = next_id_[counter == IdCounter::Peer ? 0 : 1];
  // The last id handed out must still be an id (checked without overflow: count may be huge).
  if (count > proto::kMaxId || next > proto::kMaxId - count + 1) {
    error_ = counter == IdCounter::Peer ? "peer ids exhausted" : "room ids exhausted";
    return std::nullopt;
  }
  const std::uint64_t first = next;
  next += count;
  return first;
}

std::vector<StoredSession> MemoryRoomStore::load_sessions() {
  std::vector<StoredSession> out;
  try {
    for (const auto& [peer, session] : sessions_) out.push_back(session);
  } catch (const std::bad_alloc&) {
    error_ = "out of memory";
    out.clear();
  }
  return out;
}

bool MemoryRoomStore::put_session(const StoredSession& session) {
  try {
    StoredSession& kept = sessions_[session.peer];
    std::string media = std::move(kept.media);  // put_session never changes it
    kept = session;
    kept.media = std::move(media);
    return true;
  } catch (const std::bad_alloc&) {
    error_ = "out of memory";
    return false;
  }
}

bool MemoryRoomStore::remove_session(proto::PeerId peer) {
  sessions_.erase(peer);
  return true;
}

bool MemoryRoomStore::put_session_media(proto::PeerId peer, const std::string& media) {
  const auto it = sessions_.find(peer);
  if (it == sessions_.end()) return true;
  try {
    it->second.media = media;
    return true;
  } catch (const std::bad_alloc&) {
    error_ = "out of memory";
    return false;
  }
}

std::optional<StoredJanusSession> MemoryRoomStore::load_janus_session() { return janus_; }

bool MemoryRoomStore::put_janus_session(const StoredJanusSession& session) {
  janus_ = session;
  return true;
}

}  // namespace moim::server
