#include "large_rooms.hpp"

#include <algorithm>
#include <utility>

namespace moim::sfu {

JanusId janus_room_for(MoimRoomId room) { return room; }

RoomCommand LargeRooms::create_command(MoimRoomId room, const Room& r) {
  return RoomCommand{.kind = RoomCommand::Kind::Create,
                     .id = next_id_++,
                     .room = janus_room_for(room),
                     .secret = r.secret,
                     .publishers = std::clamp(r.publishers, 1, kMaxPublishers),
                     .description = r.description};
}

std::optional<RoomCommand> LargeRooms::create(MoimRoomId room, std::string secret, int capacity,
                                              std::string description) {
  if (pending_.size() >= kMaxInFlight) return std::nullopt;
  const Room r{std::move(secret), capacity, std::move(description)};
  RoomCommand command = create_command(room, r);
  pending_[command.id] = Pending{Purpose::Create, room};
  // Not known until Janus confirms: a failed create leaves nothing. The secret travels in the
  // command and comes back through add() once the hub has stored the room.
  return command;
}

void LargeRooms::add(MoimRoomId room, std::string secret, int capacity, std::string description) {
  rooms_[room] = Room{std::move(secret), capacity, std::move(description)};
}

std::optional<RoomCommand> LargeRooms::remove(MoimRoomId room) {
  const auto it = rooms_.find(room);
  if (it == rooms_.end()) return std::nullopt;
  RoomCommand command{.kind = RoomCommand::Kind::Destroy,
                      .id = next_id_++,
                      .room = janus_room_for(room),
                      .secret = it->second.secret};
  rooms_.erase(it);
  to_recreate_.erase(room);
  pending_[command.id] = Pending{Purpose::Destroy, room};
  return command;
}

std::vector<RoomCommand> LargeRooms::recreate_all() {
  to_recreate_.clear();
  for (const auto& [room, r] : rooms_) to_recreate_.insert(room);
  return next_recreates();
}

std::vector<RoomCommand> LargeRooms::next_recreates() {
  std::vector<RoomCommand> out;
  while (!to_recreate_.empty() && recreates_in_flight_ < kMaxRecreatesInFlight && pending_.size() < kMaxInFlight) {
    const MoimRoomId room = *to_recreate_.begin();
    to_recreate_.erase(to_recreate_.begin());
    const auto it = rooms_.find(room);
    if (it == rooms_.end()) continue;
    RoomCommand command = create_command(room, it->second);
    pending_[command.id] = Pending{Purpose::Recreate, room};
    ++recreates_in_flight_;
    out.push_back(std::move(command));
  }
  return out;
}

std::optional<LargeRooms::Pending> LargeRooms::take(RequestId id) {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return std::nullopt;
  const Pending p = it->second;
  pending_.erase(it);
  if (p.purpose == Purpose::Recreate) --recreates_in_flight_;
  return p;
}

RoomOutcome LargeRooms::done(RequestId id) {
  const std::optional<Pending> answered = take(id);
  if (!answered) return RoomOutcome{};
  const Pending p = *answered;
  switch (p.purpose) {
    case Purpose::Create: return RoomOutcome{RoomOutcome::Kind::Created, p.room, {}};
    case Purpose::Recreate: return RoomOutcome{RoomOutcome::Kind::Recreated, p.room, {}};
    case Purpose::Destroy: return RoomOutcome{RoomOutcome::Kind::Destroyed, p.room, {}};
  }
  return RoomOutcome{};
}

RoomOutcome LargeRooms::failed(RequestId id, const Error& error) {
  const std::optional<Pending> answered = take(id);
  if (!answered) return RoomOutcome{};
  const Pending p = *answered;
  switch (p.purpose) {
    case Purpose::Create:
      return RoomOutcome{RoomOutcome::Kind::Failed, p.room, error};
    case Purpose::Recreate:
      // Still there (Janus did not forget it): as good as made again.
      if (error.code == ErrorCode::RoomExists) return RoomOutcome{RoomOutcome::Kind::Recreated, p.room, {}};
      return RoomOutcome{RoomOutcome::Kind::RecreateFailed, p.room, error};
    case Purpose::Destroy:
      // Already gone (Janus restarted and forgot it): as good as destroyed.
      if (error.code == ErrorCode::NoSuchRoom) return RoomOutcome{RoomOutcome::Kind::Destroyed, p.room, {}};
      return RoomOutcome{RoomOutcome::Kind::DestroyFailed, p.room, error};
  }
  return RoomOutcome{};
}

const std::string* LargeRooms::secret(MoimRoomId room) const {
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? nullptr : &it->second.secret;
}

}  // namespace moim::sfu
