// The room model: which rooms exist, who is in each, and who may talk to whom.
// Pure data structure; no I/O. The server's hub owns one; tests drive it directly.
#pragma once

#include "protocol.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace moim {

template <typename T>
struct Result {
  std::variant<T, proto::ErrorCode> value;
  bool ok() const { return value.index() == 0; }
  const T& get() const { return std::get<0>(value); }
  proto::ErrorCode error() const { return std::get<1>(value); }
};

class RoomRegistry {
 public:
  struct Limits {
    std::size_t max_rooms = 10000;
  };

  RoomRegistry() = default;
  explicit RoomRegistry(Limits limits) : limits_(limits) {}

  // Creates an empty room with id `id` (0: the registry numbers it; the server passes ids it drew from
  // its stored counter, so that no id is ever used twice, even across restarts).
  // Errors: RoomNameInvalid, RoomNameTaken (also for a taken id), CapacityInvalid, TooManyRooms.
  // `mode` is kept as given (the caller applies proto::room_mode_for with its mesh_max).
  Result<proto::RoomInfo> create(std::string_view name, std::uint32_t capacity, bool locked = false,
                                 proto::RoomId id = 0, proto::RoomMode mode = proto::RoomMode::Mesh);
  // Checks what create() would refuse, without creating anything (a locked room's password is hashed
  // before it is created: that takes a while and may fail).
  std::optional<proto::ErrorCode> check_create(std::string_view name, std::uint32_t capacity) const;
  // Puts back a room saved earlier, with its id (participants are ignored: it comes back empty).
  // Errors: RoomNameInvalid, RoomNameTaken (also for a taken id), CapacityInvalid.
  Result<proto::RoomInfo> restore(const proto::RoomInfo& room);
  // Renames a room. Errors: RoomNotFound, RoomNameInvalid, RoomNameTaken (renaming to its own name is fine).
  Result<proto::RoomInfo> rename(proto::RoomId room, std::string_view name);
  // Removes a room; returns who was in it (they are no longer in any room). RoomNotFound if absent.
  Result<std::vector<proto::PeerId>> remove(proto::RoomId room);

  // Adds `peer` (an id the caller allocated, unique for the server's life) to `room`.
  // Errors: NameInvalid, RoomNotFound, RoomFull, AlreadyInRoom. On success returns the peers already there.
  Result<std::vector<proto::PeerInfo>> join(proto::RoomId room, const proto::PeerInfo& peer);

  // Removes the peer from its room; returns the room it left, if any. Rooms stay listed when empty.
  std::optional<proto::RoomId> leave(proto::PeerId peer);

  // The destination of a signal from `from` to `to`, if both are in the same room. Errors: NotInRoom, PeerNotFound.
  Result<proto::PeerId> route(proto::PeerId from, proto::PeerId to) const;

  // Updates mic/camera flags; returns the room, or NotInRoom.
  Result<proto::RoomId> set_media(proto::PeerId peer, bool mic, bool camera);

  std::optional<proto::RoomId> room_of(proto::PeerId peer) const;
  std::optional<proto::RoomInfo> info(proto::RoomId room) const;
  std::vector<proto::RoomInfo> list() const;  // ordered by room id (creation order)
  std::vector<proto::PeerId> members(proto::RoomId room) const;  // in join order
  std::optional<proto::PeerInfo> peer(proto::PeerId peer) const;
  std::size_t room_count() const { return rooms_.size(); }

 private:
  struct Room {
    proto::RoomInfo info;  // participants kept equal to members.size()
    std::vector<proto::PeerInfo> members;
  };
  Limits limits_;
  proto::RoomId next_room_id_ = 1;
  std::map<proto::RoomId, Room> rooms_;
  std::unordered_map<std::string, proto::RoomId> by_name_key_;
  std::unordered_map<proto::PeerId, proto::RoomId> room_of_peer_;
};

}  // namespace moim
