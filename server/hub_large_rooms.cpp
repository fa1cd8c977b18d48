// The hub's large rooms (capacity over mesh_max, media through Janus VideoRoom; issue 15): whether
// they can be created now (a Janus configured and its link ready), told to every connection that said
// hello when that changes (`limits`); a new one's Janus room made before the room exists (the creator
// is answered once Janus confirms or refuses); its Janus room destroyed with it; every one made again
// when Janus may have forgotten them (RecreateRooms). The Janus side's bookkeeping is
// sfu::LargeRooms'; the requests go out through HubOutput::janus.
#include "hub.hpp"

#include <string>
#include <utility>

namespace moim {

using proto::ErrorCode;
using proto::RoomId;

proto::Limits Hub::limits() const {
  return proto::Limits{.max_name_chars = config_.max_name_chars,
                       .max_room_name_chars = config_.max_room_name_chars,
                       .max_capacity = config_.max_capacity,
                       .heartbeat_ms = static_cast<std::uint32_t>(config_.heartbeat_timeout_ms / 4),
                       .resume_grace_ms = static_cast<std::uint32_t>(config_.resume_grace_ms),
                       .mesh_max = config_.mesh_max,
                       .large_rooms = large_rooms_available()};
}

HubOutput Hub::set_janus_ready(bool ready, sfu::SessionKind kind) {
  HubOutput out;
  const bool before = large_rooms_available();
  if (ready != janus_ready_) apply_media(out, ready ? media_.link_up(kind) : media_.link_down());
  janus_ready_ = ready;
  if (large_rooms_available() == before) return out;
  welcome_.reset();  // it carries the limits
  const auto frame = std::make_shared<const std::string>(proto::encode(proto::LimitsChanged{limits()}));
  for (const auto& [conn, state] : conns_) {
    if (state.hello) out.sends.push_back(Outgoing{conn, frame});
  }
  return out;
}

std::optional<sfu::EarlierSession> Hub::earlier_janus_session() const {
  if (!config_.janus_configured || !earlier_janus_) return std::nullopt;
  return sfu::EarlierSession{.session = earlier_janus_->session, .handle = earlier_janus_->handle, .handles = media_.handles()};
}

HubOutput Hub::janus_session_up(const sfu::SessionUp& up) {
  HubOutput out;
  const server::StoredJanusSession session{.session = up.session, .handle = up.handle};
  if (up.kind == sfu::SessionKind::Reclaimed && earlier_janus_ == session) return out;
  if (services_.store.put_janus_session(session)) {
    earlier_janus_ = session;
  } else {
    out.warnings.push_back("the Janus session could not be stored (" + services_.store.error() +
                           "); after a restart, large rooms' media would start over");
  }
  return out;
}

HubOutput Hub::recreate_large_rooms() {
  HubOutput out;
  out.janus = large_rooms_.recreate_all();
  return out;
}

void Hub::create_large_room(HubOutput& out, ConnId conn, const proto::CreateRoom& req, std::string password_hash) {
  constexpr std::string_view request = "create-room";
  // Checked again: the link may have gone down while a password was hashed.
  if (!large_rooms_available()) {
    error(out, conn, ErrorCode::LargeRoomsUnavailable,
          "Rooms for more than " + std::to_string(config_.mesh_max) +
              " people need the media server, which is not running here.",
          request);
    return;
  }
  const std::optional<RoomId> id = rooms_.next_room_id();
  if (!id) {
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The room could not be created: " + services_.store.error(), request);
    return;
  }
  // 32 random bytes (libsodium) as hex: only this server knows it; stored with the room.
  std::string secret = services_.secrets.random_token() + services_.secrets.random_token();
  std::optional<sfu::RoomCommand> command = large_rooms_.create(
      *id, secret, static_cast<int>(req.capacity), proto::normalize_room_name(req.name).value_or(req.name));
  if (!command) {
    error(out, conn, ErrorCode::ServerBusy, "Too many rooms are being created right now; try again shortly.", request);
    return;
  }
  rooms_.use_room_id();  // this id is the Janus room's: never handed out again, even if Janus refuses
  pending_large_[*id] = PendingLarge{conn, req, std::move(password_hash), std::move(secret)};
  out.janus.push_back(std::move(*command));
}

HubOutput Hub::on_janus_done(sfu::RequestId id) {
  HubOutput out;
  on_large_room_outcome(out, large_rooms_.done(id));
  for (sfu::RoomCommand& c : large_rooms_.next_recreates()) out.janus.push_back(std::move(c));  // a place freed
  return out;
}

HubOutput Hub::on_janus_failed(sfu::RequestId id, const sfu::Error& error) {
  HubOutput out;
  on_large_room_outcome(out, large_rooms_.failed(id, error));
  for (sfu::RoomCommand& c : large_rooms_.next_recreates()) out.janus.push_back(std::move(c));
  return out;
}

void Hub::on_large_room_outcome(HubOutput& out, const sfu::RoomOutcome& outcome) {
  using Kind = sfu::RoomOutcome::Kind;
  const std::string about = "large room " + std::to_string(outcome.room) + ": ";
  const std::string why = std::string(sfu::to_string(outcome.error.code)) +
                          (outcome.error.reason.empty() ? "" : " (" + outcome.error.reason + ")");
  switch (outcome.kind) {
    case Kind::Created:
    case Kind::Failed: {
      const auto pending = pending_large_.find(outcome.room);
      if (pending == pending_large_.end()) return;
      PendingLarge p = std::move(pending->second);
      pending_large_.erase(pending);
      if (outcome.kind == Kind::Created) {
        create_room(out, p.conn, p.request, std::move(p.password_hash), LargeRoomMade{outcome.room, std::move(p.secret)});
      } else {
        out.warnings.push_back(about + "Janus could not make its room: " + why);
        // Janus going away in between is "not available" to the person; anything else is our fault.
        const bool gone = outcome.error.code == sfu::ErrorCode::Unavailable ||
                          outcome.error.code == sfu::ErrorCode::ConnectionLost ||
                          outcome.error.code == sfu::ErrorCode::SessionLost ||
                          outcome.error.code == sfu::ErrorCode::Stopped;
        if (conns_.contains(p.conn)) {
          error(out, p.conn, gone ? ErrorCode::LargeRoomsUnavailable : ErrorCode::ServerBusy,
                gone ? "The media server stopped answering; the room was not created."
                     : "The media server could not make the room; try again shortly.",  // Janus's words: the log's
                "create-room");
        }
      }
      return;
    }
    case Kind::RecreateFailed:
      out.warnings.push_back(about + "could not be made again in Janus: " + why);
      return;
    case Kind::DestroyFailed:
      out.warnings.push_back(about + "its Janus room could not be destroyed: " + why);
      return;
    case Kind::Recreated:
      apply_media(out, media_.room_ready(outcome.room));  // its participants start over
      return;
    case Kind::Destroyed:
    case Kind::Unknown:
      return;
  }
}

void Hub::destroy_large_room(HubOutput& out, RoomId room) {
  std::optional<sfu::RoomCommand> command = large_rooms_.remove(room);
  // Without Janus configured (a large room stored by an earlier run that had one) there is nobody to ask.
  if (command && config_.janus_configured) out.janus.push_back(std::move(*command));
}

}  // namespace moim
