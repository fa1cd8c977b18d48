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

std::optional<std::uint32_t> MemoryRoomStore::reserve_peer_ids(std::uint32_t count) {
  if (count == 0) {
    error_ = "reserve_peer_ids: count must be at least 1";
    return std::nullopt;
  }
  // The last id handed out must still fit in a PeerId.
  if (next_peer_id_ + count - 1 > std::numeric_limits<std::uint32_t>::max()) {
    error_ = "peer ids exhausted";
    return std::nullopt;
  }
  const auto first = static_cast<std::uint32_t>(next_peer_id_);
  next_peer_id_ += count;
  return first;
}

}  // namespace moim::server
