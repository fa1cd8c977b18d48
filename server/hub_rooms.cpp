// The hub's room administration: the stored rooms loaded at start, create-room (its checks; a locked
// room's password is hashed first, see hub_limits.cpp), rename-room and delete-room by the owner
// token, and unused rooms expiring. Each change is durable before it is acknowledged. The secrets
// and bookkeeping of each room are RoomRecords'.
#include "hub.hpp"

#include "json_text.hpp"

#include <optional>
#include <string>
#include <utility>

namespace moim {

using json_text::in_quotes;
using proto::ErrorCode;
using proto::PeerId;
using proto::RoomId;

void Hub::load_rooms() {
  std::vector<server::StoredRoom> stored = services_.store.load();
  if (!services_.store.error().empty()) {
    startup_error_ = "cannot read the stored rooms: " + services_.store.error();
    return;
  }
  for (const server::StoredRoom& room : stored) {
    Result<proto::RoomInfo> restored = registry_.restore(proto::RoomInfo{.id = room.id,
                                                                          .name = room.name,
                                                                          .participants = 0,
                                                                          .capacity = room.capacity,
                                                                          .locked = !room.password_hash.empty(),
                                                                          .mode = room.mode});
    if (!restored.ok()) continue;  // a row this version cannot use (say, an old name rule): skipped, kept on disk
    rooms_.add(room.id, RoomRecord{room.password_hash, room.owner_digest, room.created_at, room.last_used, room.creator,
                                   room.mode, room.sfu_secret});
    // Its Janus room is made again when the link is first ready (RecreateRooms; room-exists is fine).
    if (room.mode == proto::RoomMode::Sfu) {
      large_rooms_.add(room.id, room.sfu_secret, static_cast<int>(room.capacity), restored.get().name);
    }
  }
}

std::optional<std::string> Hub::refuse_room_name(std::string_view name) const {
  if (!proto::normalize_room_name(name, config_.max_room_name_chars)) {
    return room_error_message(ErrorCode::RoomNameInvalid, name, 0);
  }
  return std::nullopt;
}

// Sentences for registry refusals; user-class ones are shown in the UI as they are.
std::string Hub::room_error_message(ErrorCode code, std::string_view name, std::uint32_t capacity) const {
  switch (code) {
    case ErrorCode::RoomNameInvalid:  // this server's limit, which may be below the protocol's
      return "A room name must be 1 to " + std::to_string(config_.max_room_name_chars) +
             " characters, without control characters.";
    case ErrorCode::RoomNameTaken:
      return "A room named " + in_quotes(proto::normalize_room_name(name).value_or(std::string(name))) +
             " already exists.";
    case ErrorCode::CapacityInvalid:
      return "A room holds " + std::to_string(proto::kMinCapacity) + " to " + std::to_string(config_.max_capacity) +
             " people; " + std::to_string(capacity) + " is not allowed.";
    case ErrorCode::TooManyRooms:
      return "The server has too many rooms right now. Join an existing room or try again later.";
    default:
      return "The room could not be created.";
  }
}

void Hub::on_create_request(HubOutput& out, ConnId conn, Conn& state, const proto::CreateRoom& req) {
  constexpr std::string_view request = "create-room";
  if (std::optional<std::string> refused = refuse_room_name(req.name)) {
    error(out, conn, ErrorCode::RoomNameInvalid, std::move(*refused), request);
    return;
  }
  if (req.capacity > config_.max_capacity) {
    error(out, conn, ErrorCode::CapacityInvalid,
          room_error_message(ErrorCode::CapacityInvalid, req.name, req.capacity), request);
    return;
  }
  if (proto::room_mode_for(req.capacity, config_.mesh_max) == proto::RoomMode::Sfu && !large_rooms_available()) {
    error(out, conn, ErrorCode::LargeRoomsUnavailable,
          "Rooms for more than " + std::to_string(config_.mesh_max) +
              " people need the media server, which is not running here.",
          request);
    return;
  }
  if (std::optional<ErrorCode> refused = registry_.check_create(req.name, req.capacity)) {
    error(out, conn, *refused, room_error_message(*refused, req.name, req.capacity), request);
    return;
  }
  if (!within_room_quota(out, conn, state)) return;
  if (req.password.empty()) {
    on_create(out, conn, req, std::string());
  } else {
    start_password_hash(out, conn, state, req);  // on_create once it is hashed
  }
}

void Hub::on_create(HubOutput& out, ConnId conn, const proto::CreateRoom& req, std::string password_hash) {
  if (proto::room_mode_for(req.capacity, config_.mesh_max) == proto::RoomMode::Sfu) {
    create_large_room(out, conn, req, std::move(password_hash));  // create_room once Janus made its room
  } else {
    create_room(out, conn, req, std::move(password_hash), std::nullopt);
  }
}

void Hub::create_room(HubOutput& out, ConnId conn, const proto::CreateRoom& req, std::string password_hash,
                      std::optional<LargeRoomMade> large) {
  constexpr std::string_view request = "create-room";
  auto state = conns_.find(conn);
  // A large room not created after all: its Janus room goes too (nothing is left behind).
  const auto undo_large = [&] {
    if (!large) return;
    large_rooms_.add(large->id, large->secret, 0, std::string());
    destroy_large_room(out, large->id);
  };
  if (state == conns_.end()) return undo_large();
  // A large room was asked for before Janus answered: others from the same address may have been
  // created meanwhile (the quota was checked when asked; each create waits for its own answer).
  if (large && !within_room_quota(out, conn, state->second)) return undo_large();
  // A large room's id was taken when its Janus room was asked for (the Janus room has the same id).
  const std::optional<RoomId> id = large ? std::optional<RoomId>(large->id) : rooms_.next_room_id();
  if (!id) {
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The room could not be created: " + services_.store.error(), request);
    return;
  }
  // Checked again: while a password was hashed, someone may have taken the name.
  const proto::RoomMode mode = large ? proto::RoomMode::Sfu : proto::RoomMode::Mesh;
  Result<proto::RoomInfo> created = registry_.create(req.name, req.capacity, !password_hash.empty(), *id, mode);
  if (!created.ok()) {
    undo_large();
    error(out, conn, created.error(), room_error_message(created.error(), req.name, req.capacity), request);
    return;
  }
  const proto::RoomInfo& room = created.get();
  const std::string owner = services_.secrets.random_token();
  RoomRecord record{std::move(password_hash), services_.secrets.digest(owner), now_unix_, now_unix_,
                    services_.secrets.digest(state->second.address), mode, large ? large->secret : std::string()};
  // Durable before it is acknowledged: a room someone was told exists survives a crash.
  if (!rooms_.save(room, record)) {
    registry_.remove(room.id);
    undo_large();
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The room could not be saved: " + services_.store.error(), request);
    return;
  }
  if (!large) rooms_.use_room_id();
  addresses_.room_created(state->second.address, now_ms_);
  if (large) large_rooms_.add(room.id, large->secret, static_cast<int>(room.capacity), room.name);
  rooms_.add(room.id, std::move(record));
  reply(out, conn, proto::RoomCreated{room, owner});
  room_changed(room.id);
}

const RoomRecord* Hub::owned_room(HubOutput& out, ConnId conn, RoomId room, std::string_view owner,
                                  std::string_view request) {
  const RoomRecord* record = rooms_.find(room);
  if (!record || !registry_.info(room)) {
    error(out, conn, ErrorCode::RoomNotFound, "That room does not exist (it may have been removed).", request);
    return nullptr;
  }
  if (!services_.secrets.digest_matches(owner, record->owner_digest)) {
    error(out, conn, ErrorCode::NotOwner, "Only whoever created the room can rename or delete it.", request);
    return nullptr;
  }
  return record;
}

void Hub::on_rename(HubOutput& out, ConnId conn, const proto::RenameRoom& req) {
  constexpr std::string_view request = "rename-room";
  const RoomRecord* record = owned_room(out, conn, req.room, req.owner, request);
  if (!record) return;
  if (std::optional<std::string> refused = refuse_room_name(req.name)) {
    error(out, conn, ErrorCode::RoomNameInvalid, std::move(*refused), request);
    return;
  }
  const proto::RoomInfo before = *registry_.info(req.room);
  Result<proto::RoomInfo> renamed = registry_.rename(req.room, req.name);
  if (!renamed.ok()) {
    error(out, conn, renamed.error(), room_error_message(renamed.error(), req.name, proto::kDefaultCapacity), request);
    return;
  }
  if (!rooms_.save(renamed.get(), *record)) {
    registry_.rename(req.room, before.name);
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The new name could not be saved: " + services_.store.error(), request);
    return;
  }
  room_changed(req.room);
}

void Hub::on_delete(HubOutput& out, ConnId conn, const proto::DeleteRoom& req) {
  constexpr std::string_view request = "delete-room";
  if (!owned_room(out, conn, req.room, req.owner, request)) return;
  if (!remove_room(out, req.room, proto::LeftReason::RoomDeleted)) {
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The room could not be deleted: " + services_.store.error(), request);
  }
}

bool Hub::remove_room(HubOutput& out, RoomId room, proto::LeftReason reason) {
  // Gone from disk first: a room removed only in memory would come back after a restart.
  if (!services_.store.remove(room)) return false;
  destroy_large_room(out, room);
  rooms_.erase(room);
  addresses_.room_removed(room);
  Result<std::vector<PeerId>> members = registry_.remove(room);
  room_changed(room);
  if (!members.ok()) return true;
  for (const PeerId peer : members.get()) {
    const Session* session = sessions_.find(peer);
    if (!session) continue;
    const std::optional<ConnId> conn = session->conn;
    sessions_.end(peer);
    apply_media(out, media_.leave(peer));
    if (conn) {
      if (auto c = conns_.find(*conn); c != conns_.end()) c->second.peer = 0;
      back_to_lobby(out, *conn, reason);
    }
  }
  return true;
}

void Hub::expire_rooms(HubOutput& out) {
  // Once a minute. A room the store could not delete stays (and is tried again): removed only here,
  // it would come back after a restart.
  if (config_.room_expiry_seconds <= 0 || (last_expiry_check_ms_ >= 0 && now_ms_ - last_expiry_check_ms_ < 60000)) {
    return;
  }
  last_expiry_check_ms_ = now_ms_;
  std::vector<RoomId> old;
  for (const auto& [room, record] : rooms_.all()) {
    const std::optional<proto::RoomInfo> info = registry_.info(room);
    if (info && info->participants == 0 && now_unix_ - record.last_used >= config_.room_expiry_seconds) {
      old.push_back(room);
    }
  }
  for (const RoomId room : old) remove_room(out, room, proto::LeftReason::RoomDeleted);
}

}  // namespace moim
