// What the hub keeps of each stored room besides what everyone sees (that is the RoomRegistry): its
// password hash, owner digest, creation and last use, and creator, with how many live rooms each
// creator has; and the room ids, reserved from the store in blocks so that none is ever used twice.
#pragma once

#include "protocol.hpp"
#include "room_store.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace moim {

struct RoomRecord {
  std::string password_hash;  // "" = no password
  std::string owner_digest;
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t last_used = 0;
  std::string creator;  // digest of the creating address ("" = unknown)
  proto::RoomMode mode = proto::RoomMode::Mesh;
  std::string sfu_secret;  // a large room's Janus room secret ("" for mesh rooms)
};

class RoomRecords {
 public:
  RoomRecords(server::RoomStore& store, std::uint32_t id_block) : store_(store), id_block_(id_block) {}

  const RoomRecord* find(proto::RoomId room) const;
  bool contains(proto::RoomId room) const { return records_.contains(room); }
  // Every record, for sweeps (expiry).
  const std::unordered_map<proto::RoomId, RoomRecord>& all() const { return records_; }

  // Keeps the record of a room that is stored (loaded, or just put); its creator gains a live room.
  void add(proto::RoomId room, RoomRecord record);
  // Forgets the record; its creator loses a live room.
  void erase(proto::RoomId room);
  // Rooms created from the address with this digest that still exist.
  std::size_t live_rooms_of(const std::string& creator) const;

  // Stores the room as `room` shows it with `record`'s secrets (insert or replace); false on failure.
  bool save(const proto::RoomInfo& room, const RoomRecord& record);
  // The room was used now (best effort: an old last_used only makes expiry later).
  void touch(proto::RoomId room, std::int64_t now_unix);

  // The next unused room id (nullopt: the store could not reserve more); taken by use_room_id() once
  // the room is stored, so a failed create wastes none.
  std::optional<proto::RoomId> next_room_id();
  void use_room_id() { ++next_id_; }

 private:
  server::RoomStore& store_;
  std::uint32_t id_block_;
  std::unordered_map<proto::RoomId, RoomRecord> records_;
  std::unordered_map<std::string, std::size_t> live_by_creator_;
  proto::RoomId next_id_ = 0;
  proto::RoomId id_end_ = 0;
};

}  // namespace moim
