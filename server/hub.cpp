// The hub: turns each incoming frame into the frames to send. All policy about who hears what lives
// here; the transport only delivers HubOutput.
#include "hub.hpp"

#include <optional>
#include <string>
#include <utility>

namespace moim {

using proto::ErrorCode;
using proto::PeerId;
using proto::RoomId;

namespace {

std::shared_ptr<const std::string> serialize(const proto::ServerMessage& msg) {
  return std::make_shared<const std::string>(proto::encode(msg));
}

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  out += text;
  out += '"';
  return out;
}

// Sentences for registry refusals; user-class ones are shown in the UI as they are.
std::string create_error_message(ErrorCode code, const proto::CreateRoom& req) {
  switch (code) {
    case ErrorCode::RoomNameInvalid:
      return "A room name must be 1 to " + std::to_string(proto::kMaxRoomNameChars) +
             " characters, without control characters.";
    case ErrorCode::RoomNameTaken: {
      const std::string name = proto::normalize_room_name(req.name).value_or(req.name);
      return "A room named " + in_quotes(name) + " already exists.";
    }
    case ErrorCode::CapacityInvalid:
      return "A room holds " + std::to_string(proto::kMinCapacity) + " to " + std::to_string(proto::kMaxCapacity) +
             " people; " + std::to_string(req.capacity) + " is not allowed.";
    case ErrorCode::TooManyRooms:
      return "The server has too many rooms right now. Join an existing room or try again later.";
    default:
      return "The room could not be created.";
  }
}

}  // namespace

Hub::Hub(HubConfig config, TokenSource make_token)
    : config_(config), make_token_(std::move(make_token)), registry_(config.registry) {}

void Hub::connect(ConnId conn) { conns_.try_emplace(conn); }

HubOutput Hub::on_text(ConnId conn, std::string_view text) {
  HubOutput out;
  auto it = conns_.find(conn);
  if (it == conns_.end()) return out;  // not connected (or already gone): nobody to answer

  // The codec has its own fixed cap; the configured one may be tighter.
  if (text.size() > config_.max_message_bytes) {
    error(out, conn, ErrorCode::MessageTooLarge,
          "The message is " + std::to_string(text.size()) + " bytes; the limit is " +
              std::to_string(config_.max_message_bytes) + " bytes.",
          "");
    return out;
  }
  proto::Decoded<proto::ClientMessage> decoded = proto::decode_client(text);
  if (!decoded.ok()) {
    error(out, conn, decoded.error.code, std::move(decoded.error.message), decoded.error.request);
    return out;
  }
  const proto::ClientMessage& msg = *decoded.message;
  if (!it->second.hello && !std::holds_alternative<proto::Hello>(msg)) {
    error(out, conn, ErrorCode::HelloRequired,
          "Say hello first: the first message must be {\"type\":\"hello\",\"version\":" +
              std::to_string(proto::kVersion) + "}.",
          proto::type_name(msg));
    return out;
  }
  return handle(conn, it->second, msg);
}

HubOutput Hub::on_binary(ConnId conn) {
  HubOutput out;
  if (!conns_.contains(conn)) return out;
  error(out, conn, ErrorCode::BinaryNotSupported, "Binary frames are not part of the protocol; send JSON text.",
        "");
  return out;
}

HubOutput Hub::disconnect(ConnId conn) {
  HubOutput out;
  auto it = conns_.find(conn);
  if (it == conns_.end()) return out;
  Conn state = it->second;
  // Forget the connection first, so the departure notices below cannot be addressed to it.
  conns_.erase(it);
  leave_room(out, state);
  return out;
}

HubOutput Hub::handle(ConnId conn, Conn& state, const proto::ClientMessage& msg) {
  HubOutput out;
  const std::string_view request = proto::type_name(msg);

  if (const auto* hello = std::get_if<proto::Hello>(&msg)) {
    if (hello->version != proto::kVersion) {
      error(out, conn, ErrorCode::VersionMismatch,
            "This server speaks protocol version " + std::to_string(proto::kVersion) + " but the app sent version " +
                std::to_string(hello->version) + ". Reload the page to get the current app.",
            request);
      out.closes.push_back(conn);
      return out;
    }
    // A repeated hello is harmless: it just gets a fresh room list.
    state.hello = true;
    reply(out, conn, proto::Welcome{.version = proto::kVersion, .rooms = registry_.list()});

  } else if (const auto* create = std::get_if<proto::CreateRoom>(&msg)) {
    Result<proto::RoomInfo> created = registry_.create(create->name, create->capacity);
    if (!created.ok()) {
      error(out, conn, created.error(), create_error_message(created.error(), *create), request);
      return out;
    }
    reply(out, conn, proto::RoomCreated{created.get()});
    broadcast_room(out, created.get().id);

  } else if (const auto* join = std::get_if<proto::Join>(&msg)) {
    if (state.peer != 0) {
      error(out, conn, ErrorCode::AlreadyInRoom, "You are already in a room. Leave it before joining another.",
            request);
      return out;
    }
    // The id is only consumed on success; ids are never reused either way.
    const PeerId id = next_peer_id_;
    const proto::PeerInfo candidate{.id = id, .name = join->name, .mic = join->mic, .camera = join->camera};
    Result<std::vector<proto::PeerInfo>> joined = registry_.join(join->room, candidate);
    if (!joined.ok()) {
      std::string message;
      switch (joined.error()) {
        case ErrorCode::NameInvalid:
          message = "Your name must be 1 to " + std::to_string(proto::kMaxNameChars) +
                    " characters, without control characters.";
          break;
        case ErrorCode::RoomNotFound:
          message = "That room does not exist (it may have been removed).";
          break;
        case ErrorCode::RoomFull: {
          const proto::RoomInfo info = registry_.info(join->room).value_or(proto::RoomInfo{});
          message = "Room " + in_quotes(info.name) + " is full (" + std::to_string(info.participants) + "/" +
                    std::to_string(info.capacity) + ").";
          break;
        }
        case ErrorCode::AlreadyInRoom:
          message = "You are already in a room. Leave it before joining another.";
          break;
        default:
          message = "Could not join the room.";
      }
      error(out, conn, joined.error(), std::move(message), request);
      return out;
    }
    ++next_peer_id_;
    state.peer = id;
    conn_of_peer_[id] = conn;
    const proto::PeerInfo self = registry_.peer(id).value_or(candidate);  // the registry trimmed the name
    const proto::RoomInfo room = registry_.info(join->room).value_or(proto::RoomInfo{});
    reply(out, conn,
          proto::Joined{.room = room,
                        .self = self,
                        .token = make_token_ ? make_token_() : std::string(),
                        .peers = std::get<0>(std::move(joined.value))});
    to_room(out, room.id, id, proto::PeerJoined{self});
    broadcast_room(out, room.id);

  } else if (std::holds_alternative<proto::Leave>(msg)) {
    if (state.peer == 0) {
      error(out, conn, ErrorCode::NotInRoom, "You are not in a room.", request);
      return out;
    }
    reply(out, conn, proto::Left{});
    leave_room(out, state);

  } else if (const auto* send = std::get_if<proto::SendSignal>(&msg)) {
    if (state.peer == 0) {
      error(out, conn, ErrorCode::NotInRoom, "Join a room before signalling a peer.", request);
      return out;
    }
    Result<PeerId> to = registry_.route(state.peer, send->signal.peer);
    auto dest = to.ok() ? conn_of_peer_.find(to.get()) : conn_of_peer_.end();
    if (!to.ok() || dest == conn_of_peer_.end()) {
      const ErrorCode code = to.ok() ? ErrorCode::Internal : to.error();
      error(out, conn, code,
            code == ErrorCode::NotInRoom ? "Join a room before signalling a peer."
                                         : "Peer " + std::to_string(send->signal.peer) + " is not in your room.",
            request);
      return out;
    }
    proto::RelayedSignal relayed{send->signal};
    relayed.signal.peer = state.peer;  // the sender is whoever this connection is, never what it claims
    reply(out, dest->second, relayed);

  } else if (const auto* media = std::get_if<proto::SetMedia>(&msg)) {
    Result<RoomId> room = state.peer == 0 ? Result<RoomId>{ErrorCode::NotInRoom}
                                          : registry_.set_media(state.peer, media->mic, media->camera);
    if (!room.ok()) {
      error(out, conn, room.error(), "You are not in a room.", request);
      return out;
    }
    to_room(out, room.get(), state.peer,
            proto::PeerMedia{.peer = state.peer, .mic = media->mic, .camera = media->camera});
  }
  return out;
}

void Hub::reply(HubOutput& out, ConnId conn, const proto::ServerMessage& msg) {
  out.sends.push_back(Outgoing{conn, serialize(msg)});
}

void Hub::error(HubOutput& out, ConnId conn, ErrorCode code, std::string message, std::string_view request) {
  reply(out, conn, proto::Error{.code = code, .message = std::move(message), .request = std::string(request)});
}

void Hub::broadcast_room(HubOutput& out, RoomId room) {
  std::optional<proto::RoomInfo> info = registry_.info(room);
  if (!info) return;
  std::shared_ptr<const std::string> text;  // serialized once, only if someone is listening
  for (const auto& [conn, state] : conns_) {
    if (!state.hello) continue;
    if (!text) text = serialize(proto::RoomUpdated{*info});
    out.sends.push_back(Outgoing{conn, text});
  }
}

void Hub::to_room(HubOutput& out, RoomId room, PeerId except, const proto::ServerMessage& msg) {
  std::shared_ptr<const std::string> text;
  for (const PeerId member : registry_.members(room)) {
    if (member == except) continue;
    auto dest = conn_of_peer_.find(member);
    if (dest == conn_of_peer_.end()) continue;
    if (!text) text = serialize(msg);
    out.sends.push_back(Outgoing{dest->second, text});
  }
}

void Hub::leave_room(HubOutput& out, Conn& state) {
  if (state.peer == 0) return;
  const PeerId peer = state.peer;
  state.peer = 0;
  conn_of_peer_.erase(peer);
  std::optional<RoomId> room = registry_.leave(peer);
  if (!room) return;
  to_room(out, *room, peer, proto::PeerLeft{peer});
  broadcast_room(out, *room);
}

}  // namespace moim
