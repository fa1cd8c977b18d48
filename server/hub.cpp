// The hub: turns each incoming frame into the frames to send. All policy about who hears what lives
// here; the transport only delivers HubOutput.
#include "hub.hpp"

#include <bit>
#include <climits>
#include <cstdint>
#include <cstring>
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

// ---- the signal fast path (see HubConfig::signal_fast_path) --------------------------------------
namespace hub_detail {
namespace {

// Index of the first byte of text[from..] that is '"', '\\', a control character (< 0x20) or not
// ASCII (>= 0x80); text.size() if none. Eight bytes at a time: SDPs are kilobytes of plain text.
std::size_t find_special(std::string_view text, std::size_t from) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const std::size_t n = text.size();
  std::size_t p = from;
  if constexpr (std::endian::native == std::endian::little) {
    for (; p + 8 <= n; p += 8) {
      std::uint64_t w;
      std::memcpy(&w, text.data() + p, sizeof w);
      // Per byte: high bit set, below 0x20, equal to '"', equal to '\\'. A flag may be wrong above a
      // true match (borrows) but the lowest one is always right, which is all that is used.
      const std::uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
      const std::uint64_t mask =
          (w & kHigh) | ((w - kOnes * 0x20) & ~w & kHigh) | ((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh);
      if (mask) return p + static_cast<std::size_t>(std::countr_zero(mask)) / 8;
    }
  }
  for (; p < n; ++p) {
    const auto c = static_cast<unsigned char>(text[p]);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
  }
  return n;
}

// Reads the canonical shape left to right; any surprise makes the caller give up.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool literal(std::string_view expected) {
    if (text_.substr(pos_, expected.size()) != expected) return false;
    pos_ += expected.size();
    return true;
  }

  // A JSON integer without sign, fraction, exponent or leading zeros, at most `max`.
  bool unsigned_number(std::uint64_t max, std::uint64_t& out) {
    const std::size_t start = pos_;
    std::uint64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (pos_ - start == 19) return false;
      value = value * 10 + static_cast<std::uint64_t>(text_[pos_++] - '0');
    }
    const std::size_t digits = pos_ - start;
    if (digits == 0 || (digits > 1 && text_[start] == '0') || value > max) return false;
    out = value;
    return true;
  }

  // A JSON string of ASCII text; \uXXXX escapes are left to the general decoder.
  bool string(std::string& out) {
    if (!literal("\"")) return false;
    out.clear();
    for (;;) {
      const std::size_t special = find_special(text_, pos_);
      if (special == text_.size()) return false;
      out.append(text_.data() + pos_, special - pos_);
      pos_ = special + 1;
      switch (text_[special]) {
        case '"':
          return true;
        case '\\':
          if (pos_ == text_.size()) return false;
          switch (text_[pos_++]) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            default: return false;
          }
          break;
        default:
          return false;  // a raw control character (invalid JSON) or a non-ASCII byte
      }
    }
  }

  bool at_end() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Appends `text` as nlohmann's dump writes it (ensure_ascii off); false if it holds a byte that the
// general encoder should handle (non-ASCII, or a control character written as \u00XX).
bool append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t pos = 0;
  for (;;) {
    const std::size_t special = find_special(text, pos);
    out.append(text.data() + pos, special - pos);
    if (special == text.size()) break;
    switch (text[special]) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: return false;
    }
    pos = special + 1;
  }
  out += '"';
  return true;
}

}  // namespace

std::optional<proto::SendSignal> decode_canonical_signal(std::string_view text) {
  Cursor in(text);
  proto::SendSignal msg;
  proto::Signal& signal = msg.signal;
  std::uint64_t number = 0;
  if (!in.literal(R"({"type":"signal","to":)") || !in.unsigned_number(UINT32_MAX, number)) return std::nullopt;
  signal.peer = static_cast<proto::PeerId>(number);
  if (in.literal(R"(,"kind":"candidate","candidate":{"candidate":)")) {
    signal.kind = proto::SignalKind::Candidate;
    if (!in.string(signal.candidate.candidate) || !in.literal(R"(,"sdpMid":)") || !in.string(signal.candidate.sdp_mid) ||
        !in.literal(R"(,"sdpMLineIndex":)") || !in.unsigned_number(INT_MAX, number) || !in.literal("}}") ||
        !in.at_end()) {
      return std::nullopt;
    }
    signal.candidate.sdp_mline_index = static_cast<int>(number);
    return msg;
  }
  if (in.literal(R"(,"kind":"offer","sdp":)")) {
    signal.kind = proto::SignalKind::Offer;
  } else if (in.literal(R"(,"kind":"answer","sdp":)")) {
    signal.kind = proto::SignalKind::Answer;
  } else {
    return std::nullopt;
  }
  if (!in.string(signal.sdp) || !in.literal("}") || !in.at_end()) return std::nullopt;
  return msg;
}

std::optional<std::string> encode_relayed_signal(proto::PeerId from, const proto::Signal& signal) {
  std::string out;
  const bool candidate = signal.kind == proto::SignalKind::Candidate;
  out.reserve(96 + (candidate ? signal.candidate.candidate.size() + signal.candidate.sdp_mid.size()
                              : signal.sdp.size() + signal.sdp.size() / 16));
  out += R"({"type":"signal","from":)";
  out += std::to_string(from);
  if (candidate) {
    if (signal.candidate.sdp_mline_index < 0) return std::nullopt;
    out += R"(,"kind":"candidate","candidate":{"candidate":)";
    if (!append_json_string(out, signal.candidate.candidate)) return std::nullopt;
    out += R"(,"sdpMid":)";
    if (!append_json_string(out, signal.candidate.sdp_mid)) return std::nullopt;
    out += R"(,"sdpMLineIndex":)";
    out += std::to_string(signal.candidate.sdp_mline_index);
    out += "}}";
  } else {
    out += R"(,"kind":")";
    out += proto::to_string(signal.kind);
    out += R"(","sdp":)";
    if (!append_json_string(out, signal.sdp)) return std::nullopt;
    out += '}';
  }
  return out;
}

}  // namespace hub_detail

Hub::Hub(HubConfig config, TokenSource make_token)
    : config_(config), make_token_(std::move(make_token)), registry_(config.registry) {}

void Hub::connect(ConnId conn, std::string_view) { conns_.try_emplace(conn); }

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
  // Most traffic is signals from our own client, in the encoder's exact shape: decoded directly.
  if (config_.signal_fast_path && it->second.hello) {
    if (std::optional<proto::SendSignal> signal = hub_detail::decode_canonical_signal(text)) {
      return handle(conn, it->second, proto::ClientMessage{std::move(*signal)});
    }
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

HubOutput Hub::disconnect(ConnId conn, Departure) {
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
    // The sender is whoever this connection is, never what it claims.
    relay(out, dest->second, state.peer, send->signal);

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

void Hub::relay(HubOutput& out, ConnId to, PeerId from, const proto::Signal& signal) {
  if (config_.signal_fast_path) {
    if (std::optional<std::string> text = hub_detail::encode_relayed_signal(from, signal)) {
      out.sends.push_back(Outgoing{to, std::make_shared<const std::string>(std::move(*text))});
      return;
    }
  }
  proto::RelayedSignal relayed{signal};
  relayed.signal.peer = from;
  reply(out, to, relayed);
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
