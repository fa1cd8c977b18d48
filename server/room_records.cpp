// The hub's room records (see room_records.hpp).
#include "room_records.hpp"

#include <utility>

namespace moim {

const RoomRecord* RoomRecords::find(proto::RoomId room) const {
  const auto it = records_.find(room);
  return it == records_.end() ? nullptr : &it->second;
}

void RoomRecords::add(proto::RoomId room, RoomRecord record) {
  if (!record.creator.empty()) ++live_by_creator_[record.creator];
  records_[room] = std::move(record);
}

void RoomRecords::erase(proto::RoomId room) {
  const auto record = records_.find(room);
  if (record == records_.end()) return;
  if (auto live = live_by_creator_.find(record->second.creator); live != live_by_creator_.end()) {
    if (--live->second == 0) live_by_creator_.erase(live);
  }
  records_.erase(record);
}

std::size_t RoomRecords::live_rooms_of(const std::string& creator) const {
  const auto live = live_by_creator_.find(creator);
  return live == live_by_creator_.end() ? 0 : live->second;
}

bool RoomRecords::save(const proto::RoomInfo& room, const RoomRecord& record) {
  return store_.put(server::StoredRoom{.id = room.id,
                                       .name = room.name,
                                       .capacity = room.capacity,
                                       .password_hash = record.password_hash,
                                       .owner_digest = record.owner_digest,
                                       .created_at = record.created_at,
                                       .last_used = record.last_used,
                                       .creator = record.creator,
                                       .mode = record.mode,
                                       .sfu_secret = record.sfu_secret});
}

void RoomRecords::touch(proto::RoomId room, std::int64_t now_unix) {
  const auto record = records_.find(room);
  if (record == records_.end()) return;
  record->second.last_used = now_unix;
  store_.touch(room, now_unix);
}

std::optional<proto::RoomId> RoomRecords::next_room_id() {
  if (next_id_ == id_end_) {
    const std::optional<std::uint64_t> first = store_.reserve_ids(server::IdCounter::Room, id_block_);
    if (!first) return std::nullopt;
    next_id_ = *first;
    id_end_ = *first + id_block_;
  }
  return next_id_;
}

}  // namespace moim
