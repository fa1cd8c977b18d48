// The hub's dispatch and fan-out: connections come and go, each frame is decoded (through the signal
// fast path when it can be) and handed to the flow of its type, and what the flows say goes to the
// right connections: replies to the requester, notices to a room, signals to one peer (or held for its
// resume), room-list changes to the lobby in batches. The other roles are in hub_sessions.cpp,
// hub_rooms.cpp and hub_limits.cpp (see hub.hpp).
#include "hub.hpp"

#include "overloaded.hpp"
#include "signal_fast_path.hpp"

#include <algorithm>
#include <cstdint>
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

}  // namespace

HubConfig Hub::checked(HubConfig config) {
  config.max_name_chars = std::min<std::uint32_t>(config.max_name_chars, proto::kMaxNameChars);
  config.max_room_name_chars = std::min<std::uint32_t>(config.max_room_name_chars, proto::kMaxRoomNameChars);
  config.max_capacity = std::clamp<std::uint32_t>(config.max_capacity, proto::kMinCapacity, proto::kMaxCapacity);
  config.mesh_max = std::clamp<std::uint32_t>(config.mesh_max, proto::kMinCapacity,
                                              std::min(config.max_capacity, proto::kMaxMeshCapacity));
  config.peer_id_block = std::max<std::uint32_t>(config.peer_id_block, 1);
  config.room_id_block = std::max<std::uint32_t>(config.room_id_block, 1);
  return config;
}

Hub::Hub(HubConfig config, HubServices services)
    : config_(checked(std::move(config))),
      services_(services),
      registry_(config_.registry),
      sessions_(SessionTable::Limits{.max_held_messages = config_.max_held_messages,
                                     .max_held_bytes = config_.max_held_bytes,
                                     .peer_id_block = config_.peer_id_block},
                services_.store),
      rooms_(services_.store, config_.room_id_block),
      addresses_(AddressBook::Limits{.requests_per_second = config_.requests_per_address_per_second,
                                     .request_burst = config_.request_burst_per_address,
                                     .max_checks = config_.max_failures_per_address,
                                     .check_window_ms = config_.failure_window_ms,
                                     .max_jobs = config_.max_password_jobs_per_address,
                                     .free_failures_per_room = config_.free_failures_per_room,
                                     .failure_first_delay_ms = config_.failure_first_delay_ms,
                                     .failure_max_delay_ms = config_.failure_max_delay_ms}) {
  load_rooms();
  if (!startup_error_.empty()) return;
  // Sessions that were live when the last run stopped: their tokens may bring them back.
  std::vector<server::StoredSession> restorable;
  if (!sessions_.load([&](RoomId room) { return rooms_.contains(room); }, &restorable)) {
    startup_error_ = "cannot read the stored sessions: " + services_.store.error();
    return;
  }
  restore_media(restorable);
  if (!sessions_.next_peer_id()) {
    startup_error_ = "cannot reserve peer ids: " + services_.store.error();
    return;
  }
}

void Hub::set_time(std::int64_t steady_ms, std::int64_t unix_seconds) {
  now_ms_ = steady_ms;
  now_unix_ = unix_seconds;
  sessions_.set_time(now_unix_, config_.session_max_age_s);
  if (away_until_ms_ == 0) away_until_ms_ = steady_ms + config_.resume_grace_ms;
}

// ---- connections ----------------------------------------------------------------------------------

void Hub::connect(ConnId conn, std::string_view address, std::string_view host) {
  auto [it, added] = conns_.try_emplace(conn);
  if (!added) return;
  it->second.address = std::string(address);
  it->second.ice_host = server::uri_host_of(host, &it->second.ice_host_problem);
  it->second.last_heard_ms = now_ms_;
  it->second.messages = TokenBucket{.tokens = config_.message_burst, .refilled_ms = now_ms_};
  addresses_.connected(it->second.address, now_ms_);
}

HubOutput Hub::disconnect(ConnId conn, Departure how) {
  HubOutput out;
  auto it = conns_.find(conn);
  if (it == conns_.end()) return out;
  Conn state = std::move(it->second);
  // Forget the connection first, so the departure notices below cannot be addressed to it.
  conns_.erase(it);
  addresses_.disconnected(state.address);
  if (state.peer == 0) return out;
  if (how == Departure::Lost && config_.resume_grace_ms > 0) {
    hold_session(state);
  } else {
    end_session(out, state.peer);
  }
  return out;
}

void Hub::lose_silent_connections(HubOutput& out) {
  // Held if in a room, closed either way.
  for (auto& [conn, state] : conns_) {
    if (now_ms_ - state.last_heard_ms < config_.heartbeat_timeout_ms) continue;
    if (state.peer != 0) {
      if (config_.resume_grace_ms > 0) {
        hold_session(state);
      } else {
        const PeerId peer = state.peer;
        state.peer = 0;
        end_session(out, peer);
      }
    }
    state.last_heard_ms = now_ms_;  // closed once, not every tick until the transport is done
    out.closes.push_back(conn);
  }
}

HubOutput Hub::tick() {
  HubOutput out;
  lose_silent_connections(out);
  tick_sessions(out);
  // What addresses did lately: old entries go, and so do addresses with nothing left to remember.
  addresses_.prune(now_ms_);
  expire_rooms(out);
  return out;
}

// ---- dispatch -------------------------------------------------------------------------------------

HubOutput Hub::on_text(ConnId conn, std::string_view text) {
  HubOutput out;
  auto it = conns_.find(conn);
  if (it == conns_.end()) return out;  // not connected (or already gone): nobody to answer
  Conn& state = it->second;
  state.last_heard_ms = now_ms_;
  if (!admit_message(out, conn, state)) return out;

  // The codec has its own fixed cap; the configured one may be tighter.
  if (text.size() > config_.max_message_bytes) {
    error(out, conn, ErrorCode::MessageTooLarge,
          "The message is " + std::to_string(text.size()) + " bytes; the limit is " +
              std::to_string(config_.max_message_bytes) + " bytes.",
          "");
    return out;
  }
  // Most traffic is signals from our own client, in the encoder's exact shape: decoded directly.
  if (config_.signal_fast_path && state.hello) {
    if (std::optional<proto::SendSignal> signal = hub_detail::decode_canonical_signal(text)) {
      return handle(conn, state, proto::ClientMessage{std::move(*signal)});
    }
  }
  proto::Decoded<proto::ClientMessage> decoded = proto::decode_client(text);
  if (!decoded.ok()) {
    error(out, conn, decoded.error.code, std::move(decoded.error.message), decoded.error.request);
    return out;
  }
  const proto::ClientMessage& msg = *decoded.message;
  if (!state.hello && !std::holds_alternative<proto::Hello>(msg)) {
    error(out, conn, ErrorCode::HelloRequired,
          "Say hello first: the first message must be {\"type\":\"hello\",\"version\":" +
              std::to_string(proto::kVersion) + "}.",
          proto::type_name(msg));
    return out;
  }
  return handle(conn, state, msg);
}

HubOutput Hub::on_binary(ConnId conn) {
  HubOutput out;
  auto it = conns_.find(conn);
  if (it == conns_.end()) return out;
  it->second.last_heard_ms = now_ms_;
  if (!admit_message(out, conn, it->second)) return out;
  error(out, conn, ErrorCode::BinaryNotSupported, "Binary frames are not part of the protocol; send JSON text.",
        "");
  return out;
}

HubOutput Hub::handle(ConnId conn, Conn& state, const proto::ClientMessage& msg) {
  HubOutput out;
  // Requests that cost the server real work count against the sender's address.
  const bool costly = std::holds_alternative<proto::Hello>(msg) || std::holds_alternative<proto::CreateRoom>(msg) ||
                      std::holds_alternative<proto::Join>(msg) || std::holds_alternative<proto::Resume>(msg) ||
                      std::holds_alternative<proto::RenameRoom>(msg) || std::holds_alternative<proto::DeleteRoom>(msg);
  if (costly && !admit_request(out, conn, state, proto::type_name(msg))) return out;
  std::visit(Overloaded{
                 [&](const proto::Hello& m) { on_hello(out, conn, state, m); },
                 [&](const proto::Ping& m) { on_ping(out, conn, state, m); },
                 [&](const proto::CreateRoom& m) { on_create_request(out, conn, state, m); },
                 [&](const proto::Join& m) { on_join(out, conn, state, m, /*password_checked=*/false); },
                 [&](const proto::Resume& m) { on_resume(out, conn, state, m); },
                 [&](const proto::RenameRoom& m) { on_rename(out, conn, m); },
                 [&](const proto::DeleteRoom& m) { on_delete(out, conn, m); },
                 [&](const proto::Leave&) { on_leave(out, conn, state); },
                 [&](const proto::SendSignal& m) { on_signal(out, conn, state, m); },
                 [&](const proto::SetMedia& m) { on_media(out, conn, state, m); },
                 [&](const proto::SendMediaSignal& m) { on_media_signal(out, conn, state, m); },
                 [&](const proto::RestartMedia& m) { on_media_restart(out, conn, state, m); },
                 [&](const proto::SetMediaLayers& m) { on_media_layers(out, conn, state, m); },
                 [&](const proto::SendPeerMessage& m) { on_peer_message(out, conn, state, m); },
             },
             msg);
  return out;
}

void Hub::on_hello(HubOutput& out, ConnId conn, Conn& state, const proto::Hello& hello) {
  constexpr std::string_view request = "hello";
  if (hello.version != proto::kVersion) {
    error(out, conn, ErrorCode::VersionMismatch,
          "This server speaks protocol version " + std::to_string(proto::kVersion) + " but the app sent version " +
              std::to_string(hello.version) + ". Reload the page to get the current app.",
          request);
    out.closes.push_back(conn);
    return;
  }
  // A repeated hello resends the whole room list (hundreds of KB on a big server): not too often.
  if (state.hello && state.welcomed_ms >= 0 && now_ms_ - state.welcomed_ms < config_.rehello_interval_ms) {
    error(out, conn, ErrorCode::RateLimited,
          "This connection already has the room list (updates follow by themselves); ask again in " +
              std::to_string((config_.rehello_interval_ms - (now_ms_ - state.welcomed_ms) + 999) / 1000) + " s.",
          request);
    return;
  }
  state.hello = true;
  state.welcomed_ms = now_ms_;
  out.sends.push_back(Outgoing{conn, welcome()});
}

void Hub::on_signal(HubOutput& out, ConnId conn, Conn& state, const proto::SendSignal& send) {
  constexpr std::string_view request = "signal";
  if (state.peer == 0) {
    error(out, conn, ErrorCode::NotInRoom, "Join a room before signalling a peer.", request);
    return;
  }
  const proto::Signal& signal = send.signal;
  if (signal.seq != 0) {
    Session* session = sessions_.find(state.peer);
    // Had it: sent again after a resume. (A skipped number is the client's to repair.)
    if (session && session->signals_in.receive(signal.seq) == ledger::Inbox::Arrival::Duplicate) return;
  }
  if (refuse_oversized(out, conn, signal.kind, signal.sdp, signal.candidate, request)) return;
  Result<PeerId> to = registry_.route(state.peer, signal.peer);
  if (!to.ok()) {
    error(out, conn, to.error(),
          to.error() == ErrorCode::NotInRoom ? "Join a room before signalling a peer."
                                             : "Peer " + std::to_string(signal.peer) + " is not in your room.",
          request);
    return;
  }
  // The sender is whoever this connection is, never what it claims.
  relay(out, to.get(), state.peer, signal);
}

// The heartbeat. In a call both sides say the last signal number they have, so each forgets what the
// other no longer needs sent again.
void Hub::on_ping(HubOutput& out, ConnId conn, Conn& state, const proto::Ping& ping) {
  proto::Pong pong;
  if (Session* session = state.peer != 0 ? sessions_.find(state.peer) : nullptr) {
    session->signals_out.seen(ping.seen);
    pong.seen = session->signals_in.seen();
  }
  reply(out, conn, pong);
}

void Hub::on_media(HubOutput& out, ConnId conn, Conn& state, const proto::SetMedia& media) {
  Result<RoomId> room = state.peer == 0 ? Result<RoomId>{ErrorCode::NotInRoom}
                                        : registry_.set_media(state.peer, media.mic, media.camera);
  if (!room.ok()) {
    error(out, conn, room.error(), "You are not in a room.", "media");
    return;
  }
  to_room(out, room.get(), state.peer, proto::PeerMedia{.peer = state.peer, .mic = media.mic, .camera = media.camera});
}

// ---- fan-out --------------------------------------------------------------------------------------

void Hub::reply(HubOutput& out, ConnId conn, const proto::ServerMessage& msg) {
  out.sends.push_back(Outgoing{conn, serialize(msg)});
}

void Hub::error(HubOutput& out, ConnId conn, ErrorCode code, std::string message, std::string_view request) {
  reply(out, conn, proto::Error{.code = code, .message = std::move(message), .request = std::string(request)});
}

bool Hub::refuse_oversized(HubOutput& out, ConnId conn, proto::SignalKind kind, const std::string& sdp,
                           const proto::IceCandidate& candidate, std::string_view request) {
  const bool is_candidate = kind == proto::SignalKind::Candidate;
  const std::size_t size = is_candidate ? candidate.candidate.size() + candidate.sdp_mid.size() : sdp.size();
  const std::size_t limit = is_candidate ? config_.max_candidate_bytes : config_.max_sdp_bytes;
  if (size <= limit) return false;
  error(out, conn, ErrorCode::SignalTooLarge,
        "The " + std::string(proto::to_string(kind)) + " is " + std::to_string(size) + " bytes; this server relays at most " +
            std::to_string(limit) + ".",
        request);
  return true;
}

void Hub::to_room(HubOutput& out, RoomId room, PeerId except, const proto::ServerMessage& msg) {
  std::shared_ptr<const std::string> text;
  for (const PeerId member : registry_.members(room)) {
    if (member == except) continue;
    if (!text) text = serialize(msg);
    to_peer(out, member, text);
  }
}

void Hub::to_peer(HubOutput& out, PeerId peer, std::shared_ptr<const std::string> text) {
  Session* session = sessions_.find(peer);
  if (!session) return;
  if (session->conn) {
    out.sends.push_back(Outgoing{*session->conn, std::move(text)});
  } else {
    sessions_.keep(*session, std::move(text));  // held: kept in order for the resume, within bounds
  }
}

// A signal is numbered for its receiver's session and kept until that client says it saw it, so a
// connection that died unnoticed loses none: the resume sends them again (not the held queue).
void Hub::relay(HubOutput& out, PeerId to, PeerId from, const proto::Signal& signal) {
  Session* session = sessions_.find(to);
  if (!session) return;
  const std::uint64_t seq = session->signals_out.next_seq();
  std::shared_ptr<const std::string> text;
  if (config_.signal_fast_path) {
    if (std::optional<std::string> fast = hub_detail::encode_relayed_signal(from, seq, signal)) {
      text = std::make_shared<const std::string>(std::move(*fast));
    }
  }
  if (!text) {
    proto::RelayedSignal relayed{signal};
    relayed.signal.peer = from;
    relayed.signal.seq = seq;
    text = serialize(relayed);
  }
  session->signals_out.push(text, text->size());
  if (session->conn) out.sends.push_back(Outgoing{*session->conn, std::move(text)});
}

void Hub::back_to_lobby(HubOutput& out, ConnId conn, proto::LeftReason reason) {
  // The list first: a client that gets `left` is in the lobby at once, and the list it shows must be
  // current (in the call it heard no room-list changes).
  auto state = conns_.find(conn);
  if (state != conns_.end() && state->second.hello) {
    state->second.welcomed_ms = now_ms_;
    out.sends.push_back(Outgoing{conn, welcome()});
  }
  reply(out, conn, proto::Left{reason});
}

// ---- the lobby ------------------------------------------------------------------------------------

void Hub::room_changed(RoomId room) {
  changed_rooms_.insert(room);
  welcome_.reset();
}

std::shared_ptr<const std::string> Hub::welcome() {
  if (!welcome_) {
    welcome_ = serialize(proto::Welcome{.version = proto::kVersion,
                                        .rooms = registry_.list(),
                                        .limits = limits()});
  }
  return welcome_;
}

HubOutput Hub::flush_lobby() {
  HubOutput out;
  if (changed_rooms_.empty()) return out;
  std::vector<std::shared_ptr<const std::string>> frames;
  frames.reserve(changed_rooms_.size());
  for (const RoomId room : changed_rooms_) {
    if (std::optional<proto::RoomInfo> info = registry_.info(room)) {
      frames.push_back(serialize(proto::RoomUpdated{*info}));
    } else {
      frames.push_back(serialize(proto::RoomRemoved{room}));
    }
  }
  changed_rooms_.clear();
  // Connections in a call hear nothing of the lobby: they get a fresh list when they return to it.
  for (const auto& [conn, state] : conns_) {
    if (!state.hello || state.peer != 0) continue;
    for (const auto& frame : frames) out.sends.push_back(Outgoing{conn, frame});
  }
  return out;
}

}  // namespace moim
