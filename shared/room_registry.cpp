// The room model. Names and capacities are validated here, not in the codec, so that whatever a client
// sends, the server enforces the same rules the UI shows.
#include "room_registry.hpp"

#include <algorithm>

namespace moim {

using proto::ErrorCode;
using proto::PeerId;
using proto::PeerInfo;
using proto::RoomId;
using proto::RoomInfo;

Result<RoomInfo> RoomRegistry::create(std::string_view name, std::uint32_t capacity, bool locked, RoomId wanted,
                                      proto::RoomMode mode) {
  if (std::optional<ErrorCode> refused = check_create(name, capacity)) return {*refused};
  if (wanted != 0 && rooms_.contains(wanted)) return {ErrorCode::RoomNameTaken};
  std::string normalized = *proto::normalize_room_name(name);
  std::string key = proto::room_name_key(normalized);
  const RoomId id = wanted != 0 ? wanted : next_room_id_++;
  next_room_id_ = std::max(next_room_id_, id + 1);
  Room& room = rooms_[id];
  room.info = RoomInfo{.id = id, .name = std::move(normalized), .participants = 0, .capacity = capacity, .locked = locked,
                       .mode = mode};
  room.members.reserve(capacity);
  by_name_key_.emplace(std::move(key), id);
  return {room.info};
}

std::optional<ErrorCode> RoomRegistry::check_create(std::string_view name, std::uint32_t capacity) const {
  std::optional<std::string> normalized = proto::normalize_room_name(name);
  if (!normalized) return ErrorCode::RoomNameInvalid;
  if (!proto::is_valid_capacity(capacity)) return ErrorCode::CapacityInvalid;
  if (by_name_key_.contains(proto::room_name_key(*normalized))) return ErrorCode::RoomNameTaken;
  if (rooms_.size() >= limits_.max_rooms) return ErrorCode::TooManyRooms;
  return std::nullopt;
}

Result<RoomInfo> RoomRegistry::restore(const RoomInfo& saved) {
  std::optional<std::string> normalized = proto::normalize_room_name(saved.name);
  if (!normalized) return {ErrorCode::RoomNameInvalid};
  if (!proto::is_valid_capacity(saved.capacity)) return {ErrorCode::CapacityInvalid};
  std::string key = proto::room_name_key(*normalized);
  if (saved.id == 0 || rooms_.contains(saved.id) || by_name_key_.contains(key)) return {ErrorCode::RoomNameTaken};
  Room& room = rooms_[saved.id];
  room.info = saved;
  room.info.name = std::move(*normalized);
  room.info.participants = 0;
  by_name_key_.emplace(std::move(key), saved.id);
  next_room_id_ = std::max(next_room_id_, saved.id + 1);
  return {room.info};
}

Result<RoomInfo> RoomRegistry::rename(RoomId room_id, std::string_view name) {
  auto it = rooms_.find(room_id);
  if (it == rooms_.end()) return {ErrorCode::RoomNotFound};
  std::optional<std::string> normalized = proto::normalize_room_name(name);
  if (!normalized) return {ErrorCode::RoomNameInvalid};
  std::string key = proto::room_name_key(*normalized);
  auto taken = by_name_key_.find(key);
  if (taken != by_name_key_.end() && taken->second != room_id) return {ErrorCode::RoomNameTaken};
  by_name_key_.erase(proto::room_name_key(it->second.info.name));
  by_name_key_[std::move(key)] = room_id;
  it->second.info.name = std::move(*normalized);
  return {it->second.info};
}

Result<std::vector<PeerId>> RoomRegistry::remove(RoomId room_id) {
  auto it = rooms_.find(room_id);
  if (it == rooms_.end()) return {ErrorCode::RoomNotFound};
  std::vector<PeerId> members;
  for (const PeerInfo& member : it->second.members) {
    members.push_back(member.id);
    room_of_peer_.erase(member.id);
  }
  by_name_key_.erase(proto::room_name_key(it->second.info.name));
  rooms_.erase(it);
  return {std::move(members)};
}

Result<std::vector<PeerInfo>> RoomRegistry::join(RoomId room_id, const PeerInfo& peer) {
  std::optional<std::string> name = proto::normalize_display_name(peer.name);
  if (!name) return {ErrorCode::NameInvalid};
  if (room_of_peer_.contains(peer.id)) return {ErrorCode::AlreadyInRoom};
  auto it = rooms_.find(room_id);
  if (it == rooms_.end()) return {ErrorCode::RoomNotFound};
  Room& room = it->second;
  if (room.members.size() >= room.info.capacity) return {ErrorCode::RoomFull};

  std::vector<PeerInfo> already_there = room.members;
  PeerInfo& added = room.members.emplace_back(peer);
  added.name = std::move(*name);
  room.info.participants = static_cast<std::uint32_t>(room.members.size());
  room_of_peer_.emplace(peer.id, room_id);
  return {std::move(already_there)};
}

std::optional<RoomId> RoomRegistry::leave(PeerId peer) {
  auto where = room_of_peer_.find(peer);
  if (where == room_of_peer_.end()) return std::nullopt;
  const RoomId room_id = where->second;
  room_of_peer_.erase(where);
  auto it = rooms_.find(room_id);
  if (it == rooms_.end()) return room_id;  // unreachable: room_of_peer_ only names existing rooms
  Room& room = it->second;
  // erase (not swap-and-pop): members stay in join order.
  std::erase_if(room.members, [peer](const PeerInfo& member) { return member.id == peer; });
  room.info.participants = static_cast<std::uint32_t>(room.members.size());
  return room_id;
}

Result<PeerId> RoomRegistry::route(PeerId from, PeerId to) const {
  auto where = room_of_peer_.find(from);
  if (where == room_of_peer_.end()) return {ErrorCode::NotInRoom};
  // A peer never signals itself; treating that as "not found" keeps the relay one-to-one with others.
  if (to == from) return {ErrorCode::PeerNotFound};
  auto dest = room_of_peer_.find(to);
  if (dest == room_of_peer_.end() || dest->second != where->second) return {ErrorCode::PeerNotFound};
  return {to};
}

Result<RoomId> RoomRegistry::set_media(PeerId peer, bool mic, bool camera) {
  auto where = room_of_peer_.find(peer);
  if (where == room_of_peer_.end()) return {ErrorCode::NotInRoom};
  auto it = rooms_.find(where->second);
  if (it == rooms_.end()) return {ErrorCode::NotInRoom};  // unreachable, see leave()
  for (PeerInfo& member : it->second.members) {
    if (member.id == peer) {
      member.mic = mic;
      member.camera = camera;
    }
  }
  return {where->second};
}

std::optional<RoomId> RoomRegistry::room_of(PeerId peer) const {
  auto where = room_of_peer_.find(peer);
  if (where == room_of_peer_.end()) return std::nullopt;
  return where->second;
}

std::optional<RoomInfo> RoomRegistry::info(RoomId room) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return std::nullopt;
  return it->second.info;
}

std::vector<RoomInfo> RoomRegistry::list() const {
  std::vector<RoomInfo> out;
  out.reserve(rooms_.size());
  for (const auto& [id, room] : rooms_) out.push_back(room.info);
  return out;
}

std::vector<PeerId> RoomRegistry::members(RoomId room) const {
  std::vector<PeerId> out;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return out;
  out.reserve(it->second.members.size());
  for (const PeerInfo& member : it->second.members) out.push_back(member.id);
  return out;
}

std::optional<PeerInfo> RoomRegistry::peer(PeerId peer) const {
  auto where = room_of_peer_.find(peer);
  if (where == room_of_peer_.end()) return std::nullopt;
  auto room = rooms_.find(where->second);
  if (room == rooms_.end()) return std::nullopt;
  const auto& members = room->second.members;
  auto it = std::find_if(members.begin(), members.end(), [peer](const PeerInfo& m) { return m.id == peer; });
  if (it == members.end()) return std::nullopt;
  return *it;
}

}  // namespace moim
