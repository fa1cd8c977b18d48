// The hub: turns each incoming frame into the frames to send. All policy about who hears what lives
// here; the transport only delivers HubOutput.
#include "hub.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
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
std::string create_error_message(ErrorCode code, const proto::CreateRoom& req, std::uint32_t max_capacity) {
  switch (code) {
    case ErrorCode::RoomNameInvalid:
      return "A room name must be 1 to " + std::to_string(proto::kMaxRoomNameChars) +
             " characters, without control characters.";
    case ErrorCode::RoomNameTaken: {
      const std::string name = proto::normalize_room_name(req.name).value_or(req.name);
      return "A room named " + in_quotes(name) + " already exists.";
    }
    case ErrorCode::CapacityInvalid:
      return "A room holds " + std::to_string(proto::kMinCapacity) + " to " + std::to_string(max_capacity) +
             " people; " + std::to_string(req.capacity) + " is not allowed.";
    case ErrorCode::TooManyRooms:
      return "The server has too many rooms right now. Join an existing room or try again later.";
    default:
      return "The room could not be created.";
  }
}

}  // namespace

Hub::Hub(HubConfig config, HubServices services)
    : config_(std::move(config)), services_(services), registry_(config_.registry) {
  config_.max_name_chars = std::min<std::uint32_t>(config_.max_name_chars, proto::kMaxNameChars);
  config_.max_room_name_chars = std::min<std::uint32_t>(config_.max_room_name_chars, proto::kMaxRoomNameChars);
  config_.max_capacity = std::clamp<std::uint32_t>(config_.max_capacity, proto::kMinCapacity, proto::kMaxCapacity);
  config_.peer_id_block = std::max<std::uint32_t>(config_.peer_id_block, 1);
  config_.room_id_block = std::max<std::uint32_t>(config_.room_id_block, 1);
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
                                                                          .locked = !room.password_hash.empty()});
    if (!restored.ok()) continue;  // a row this version cannot use (say, an old name rule): skipped, kept on disk
    records_[room.id] = RoomRecord{room.password_hash, room.owner_digest, room.created_at, room.last_used, room.creator};
    if (!room.creator.empty()) ++live_rooms_by_creator_[room.creator];
  }
  // Sessions that were live when the last run stopped: their tokens may bring them back.
  const std::vector<server::StoredSession> sessions = services_.store.load_sessions();
  if (!services_.store.error().empty()) {
    startup_error_ = "cannot read the stored sessions: " + services_.store.error();
    return;
  }
  for (const server::StoredSession& session : sessions) {
    if (records_.contains(session.room)) {
      restorable_[session.peer] = session.room;
    } else {
      forget_stored_session(session.peer);  // its room is gone: the token can never be used
    }
  }
  if (!allocate_peer_id()) {
    startup_error_ = "cannot reserve peer ids: " + services_.store.error();
    return;
  }
}

void Hub::set_time(std::int64_t steady_ms, std::int64_t unix_seconds) {
  now_ms_ = steady_ms;
  now_unix_ = unix_seconds;
  // Every token of an earlier run was issued before this moment, so none is valid after this.
  if (restorable_until_ == 0) restorable_until_ = now_unix_ + config_.session_max_age_s;
}

std::optional<PeerId> Hub::allocate_peer_id() {
  if (next_peer_id_ == peer_id_end_) {
    std::optional<std::uint64_t> first = services_.store.reserve_ids(server::IdCounter::Peer, config_.peer_id_block);
    if (!first) return std::nullopt;
    next_peer_id_ = *first;
    peer_id_end_ = *first + config_.peer_id_block;
  }
  return next_peer_id_;  // consumed by the caller with ++next_peer_id_ once the join succeeded
}

std::optional<RoomId> Hub::allocate_room_id() {
  if (next_room_id_ == room_id_end_) {
    std::optional<std::uint64_t> first = services_.store.reserve_ids(server::IdCounter::Room, config_.room_id_block);
    if (!first) return std::nullopt;
    next_room_id_ = *first;
    room_id_end_ = *first + config_.room_id_block;
  }
  return next_room_id_;  // consumed by the caller with ++next_room_id_ once the room is stored
}

std::size_t Hub::held_session_count() const {
  std::size_t n = 0;
  for (const auto& [peer, session] : sessions_) n += session.conn ? 0 : 1;
  return n;
}

Hub::Address& Hub::address_of(const std::string& key) {
  auto [it, added] = addresses_.try_emplace(key);
  if (added) it->second.requests = TokenBucket{.tokens = config_.request_burst_per_address, .refilled_ms = now_ms_};
  return it->second;
}

void Hub::connect(ConnId conn, std::string_view address, std::string_view host) {
  auto [it, added] = conns_.try_emplace(conn);
  if (!added) return;
  it->second.address = std::string(address);
  it->second.ice_host = server::uri_host_of(host, &it->second.ice_host_problem);
  it->second.last_heard_ms = now_ms_;
  it->second.messages = TokenBucket{.tokens = config_.message_burst, .refilled_ms = now_ms_};
  ++address_of(it->second.address).conns;
}

namespace {
std::string per_second(double rate) {
  std::ostringstream text;
  text << rate;
  return text.str();
}
}  // namespace

void Hub::rate_limited(HubOutput& out, ConnId conn, Conn& state, std::string message, std::string_view request) {
  // Dropped. One error a second says so; answering every message would amplify the flood.
  if (state.rate_error_ms >= 0 && now_ms_ - state.rate_error_ms < 1000) return;
  state.rate_error_ms = now_ms_;
  error(out, conn, ErrorCode::RateLimited, std::move(message), request);
}

bool Hub::admit_message(HubOutput& out, ConnId conn, Conn& state) {
  if (config_.messages_per_second <= 0 ||
      state.messages.take(now_ms_, config_.messages_per_second, config_.message_burst)) {
    return true;
  }
  rate_limited(out, conn, state,
               "Too many messages: this server accepts " + per_second(config_.messages_per_second) +
                   " a second from one connection. Messages over the limit are dropped.",
               "");
  return false;
}

bool Hub::admit_request(HubOutput& out, ConnId conn, Conn& state, std::string_view request) {
  if (config_.requests_per_address_per_second <= 0 ||
      address_of(state.address)
          .requests.take(now_ms_, config_.requests_per_address_per_second, config_.request_burst_per_address)) {
    return true;
  }
  rate_limited(out, conn, state,
               "Too many requests from your network address: this server accepts " +
                   per_second(config_.requests_per_address_per_second) +
                   " a second (hello, create, join, resume, rename, delete) over all its connections. Try again shortly.",
               request);
  return false;
}

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

HubOutput Hub::disconnect(ConnId conn, Departure how) {
  HubOutput out;
  auto it = conns_.find(conn);
  if (it == conns_.end()) return out;
  Conn state = std::move(it->second);
  // Forget the connection first, so the departure notices below cannot be addressed to it.
  conns_.erase(it);
  if (auto address = addresses_.find(state.address); address != addresses_.end() && address->second.conns > 0) {
    --address->second.conns;
  }
  if (state.peer == 0) return out;
  if (how == Departure::Lost && config_.resume_grace_ms > 0) {
    hold_session(state);
  } else {
    end_session(out, state.peer);
  }
  return out;
}

void Hub::hold_session(Conn& state) {
  auto session = sessions_.find(state.peer);
  state.peer = 0;
  if (session == sessions_.end()) return;
  session->second.conn.reset();
  session->second.lost_ms = now_ms_;
}

HubOutput Hub::tick() {
  HubOutput out;
  // Silent connections are lost: held if in a room, closed either way.
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
  std::vector<PeerId> expired;
  for (const auto& [peer, session] : sessions_) {
    if (session.overflowed || (!session.conn && now_ms_ - session.lost_ms >= config_.resume_grace_ms)) {
      expired.push_back(peer);
    }
  }
  for (const PeerId peer : expired) {
    auto session = sessions_.find(peer);
    if (session != sessions_.end() && session->second.conn) {
      // Overflowed while connected (a stuck reader): the connection goes with the session.
      out.closes.push_back(*session->second.conn);
      if (auto conn = conns_.find(*session->second.conn); conn != conns_.end()) conn->second.peer = 0;
    }
    end_session(out, peer);
  }
  // Fresh tokens before the old ones are half way to their maximum age.
  for (auto& [peer, session] : sessions_) {
    if (session.conn && now_unix_ - session.token_issued >= config_.session_max_age_s / 2) {
      reply(out, *session.conn, proto::SessionToken{session_token(peer, session.room)});
      session.token_issued = now_unix_;
    }
  }
  // Fresh TURN credentials when half their lifetime has passed (without TURN nothing expires).
  if (config_.ice.has_turn()) {
    for (auto& [peer, session] : sessions_) {
      if (session.conn && now_unix_ - session.ice_sent >= config_.ice.turn_ttl_s / 2) {
        send_ice(out, *session.conn, peer);
        session.ice_sent = now_unix_;
      }
    }
  }
  // Every token of the last run has expired: its sessions that did not come back never will.
  if (!restorable_.empty() && restorable_until_ != 0 && now_unix_ > restorable_until_) {
    for (const auto& [peer, room] : restorable_) unforgotten_sessions_.push_back(peer);
    restorable_.clear();
  }
  // Ended sessions the store failed to forget (a busy database): tried again, until the first one
  // that fails again (each failure may have waited the busy timeout on the network thread).
  while (!unforgotten_sessions_.empty()) {
    if (!services_.store.remove_session(unforgotten_sessions_.back())) break;
    unforgotten_sessions_.pop_back();
  }
  // What addresses did lately: old entries go, and so do addresses with nothing left to remember.
  const std::int64_t hour_ms = 3600 * 1000;
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    Address& a = it->second;
    recent(a.checks, config_.failure_window_ms);
    recent(a.rooms_created, hour_ms);
    // Kept an hour after the last wrong try: waiting out the longest delay does not earn free tries.
    std::erase_if(a.room_failures, [&](const auto& entry) { return now_ms_ - entry.second.last_ms >= hour_ms; });
    a.requests.refill(now_ms_, config_.requests_per_address_per_second, config_.request_burst_per_address);
    const bool bucket_full =
        config_.requests_per_address_per_second <= 0 || a.requests.tokens >= config_.request_burst_per_address;
    const bool idle = a.conns == 0 && a.password_jobs == 0 && a.checks.empty() && a.rooms_created.empty() &&
                      a.room_failures.empty() && bucket_full;
    it = idle ? addresses_.erase(it) : std::next(it);
  }
  // Unused rooms, once a minute. A room the store could not delete stays (and is tried again):
  // removed only here, it would come back after a restart.
  if (config_.room_expiry_seconds > 0 && (last_expiry_check_ms_ < 0 || now_ms_ - last_expiry_check_ms_ >= 60000)) {
    last_expiry_check_ms_ = now_ms_;
    std::vector<RoomId> old;
    for (const auto& [room, record] : records_) {
      const std::optional<proto::RoomInfo> info = registry_.info(room);
      if (info && info->participants == 0 && now_unix_ - record.last_used >= config_.room_expiry_seconds) {
        old.push_back(room);
      }
    }
    for (const RoomId room : old) remove_room(out, room, proto::LeftReason::RoomDeleted);
  }
  return out;
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

std::size_t Hub::recent(std::vector<std::int64_t>& times, std::int64_t window_ms) const {
  std::erase_if(times, [&](std::int64_t t) { return now_ms_ - t >= window_ms; });
  return times.size();
}

std::optional<std::string> Hub::refuse_names(const proto::CreateRoom& req) const {
  const std::optional<std::string> name = proto::normalize_room_name(req.name);
  if (name && proto::utf8_length(*name) > config_.max_room_name_chars) {
    return "A room name must be 1 to " + std::to_string(config_.max_room_name_chars) +
           " characters, without control characters.";
  }
  return std::nullopt;
}

std::shared_ptr<const std::string> Hub::welcome() {
  if (!welcome_) {
    welcome_ = serialize(proto::Welcome{.version = proto::kVersion,
                                        .rooms = registry_.list(),
                                        .limits = proto::Limits{.max_name_chars = config_.max_name_chars,
                                                                .max_room_name_chars = config_.max_room_name_chars,
                                                                .max_capacity = config_.max_capacity,
                                                                .heartbeat_ms = static_cast<std::uint32_t>(config_.heartbeat_timeout_ms / 4),
                                                                .resume_grace_ms = static_cast<std::uint32_t>(config_.resume_grace_ms)}});
  }
  return welcome_;
}

bool Hub::within_room_quota(HubOutput& out, ConnId conn, const Conn& state) {
  constexpr std::string_view request = "create-room";
  Address& address = address_of(state.address);
  if (config_.max_rooms_per_address_per_hour > 0 &&
      recent(address.rooms_created, 3600 * 1000) >= config_.max_rooms_per_address_per_hour) {
    const std::int64_t wait_s = (address.rooms_created.front() + 3600 * 1000 - now_ms_ + 59999) / 60000 * 60;
    error(out, conn, ErrorCode::RoomQuota,
          "You have created " + std::to_string(address.rooms_created.size()) +
              " rooms in the last hour, the most this server allows. Try again in " + std::to_string(wait_s / 60) +
              " minutes, or join an existing room.",
          request);
    return false;
  }
  if (config_.max_live_rooms_per_address > 0) {
    const auto live = live_rooms_by_creator_.find(services_.secrets.digest(state.address));
    if (live != live_rooms_by_creator_.end() && live->second >= config_.max_live_rooms_per_address) {
      error(out, conn, ErrorCode::RoomQuota,
            "Rooms created from your network address already number " + std::to_string(live->second) +
                ", the most this server allows. Delete one you no longer need, or join an existing room.",
            request);
      return false;
    }
  }
  return true;
}

bool Hub::start_password_job(HubOutput& out, ConnId conn, Conn& state, PasswordJob job,
                             std::variant<proto::CreateRoom, proto::Join> request, std::string_view name) {
  Address& address = address_of(state.address);
  if (pending_.size() >= config_.max_password_jobs || address.password_jobs >= config_.max_password_jobs_per_address) {
    error(out, conn, ErrorCode::ServerBusy, "The server is busy checking passwords. Try again in a moment.", name);
    return false;
  }
  job.id = next_job_id_++;
  ++address.password_jobs;
  pending_[job.id] = Pending{conn, state.address, std::move(request)};
  out.password_jobs.push_back(std::move(job));
  return true;
}

void Hub::password_job_done(const std::string& key) {
  auto address = addresses_.find(key);
  if (address != addresses_.end() && address->second.password_jobs > 0) --address->second.password_jobs;
}

HubOutput Hub::handle(ConnId conn, Conn& state, const proto::ClientMessage& msg) {
  HubOutput out;
  const std::string_view request = proto::type_name(msg);
  const bool costly = std::holds_alternative<proto::Hello>(msg) || std::holds_alternative<proto::CreateRoom>(msg) ||
                      std::holds_alternative<proto::Join>(msg) || std::holds_alternative<proto::Resume>(msg) ||
                      std::holds_alternative<proto::RenameRoom>(msg) || std::holds_alternative<proto::DeleteRoom>(msg);
  if (costly && !admit_request(out, conn, state, request)) return out;

  if (const auto* hello = std::get_if<proto::Hello>(&msg)) {
    if (hello->version != proto::kVersion) {
      error(out, conn, ErrorCode::VersionMismatch,
            "This server speaks protocol version " + std::to_string(proto::kVersion) + " but the app sent version " +
                std::to_string(hello->version) + ". Reload the page to get the current app.",
            request);
      out.closes.push_back(conn);
      return out;
    }
    // A repeated hello resends the whole room list (hundreds of KB on a big server): not too often.
    if (state.hello && state.welcomed_ms >= 0 && now_ms_ - state.welcomed_ms < config_.rehello_interval_ms) {
      error(out, conn, ErrorCode::RateLimited,
            "This connection already has the room list (updates follow by themselves); ask again in " +
                std::to_string((config_.rehello_interval_ms - (now_ms_ - state.welcomed_ms) + 999) / 1000) + " s.",
            request);
      return out;
    }
    state.hello = true;
    state.welcomed_ms = now_ms_;
    out.sends.push_back(Outgoing{conn, welcome()});

  } else if (std::holds_alternative<proto::Ping>(msg)) {
    reply(out, conn, proto::Pong{});

  } else if (const auto* create = std::get_if<proto::CreateRoom>(&msg)) {
    if (std::optional<std::string> refused = refuse_names(*create)) {
      error(out, conn, ErrorCode::RoomNameInvalid, std::move(*refused), request);
      return out;
    }
    if (create->capacity > config_.max_capacity) {
      error(out, conn, ErrorCode::CapacityInvalid, create_error_message(ErrorCode::CapacityInvalid, *create, config_.max_capacity),
            request);
      return out;
    }
    if (std::optional<ErrorCode> refused = registry_.check_create(create->name, create->capacity)) {
      error(out, conn, *refused, create_error_message(*refused, *create, config_.max_capacity), request);
      return out;
    }
    if (!within_room_quota(out, conn, state)) return out;
    if (create->password.empty()) {
      on_create(out, conn, *create, std::string());
      return out;
    }
    // A hash is as costly as a check: it comes out of the same per-address budget (a create that
    // is abandoned before its hash is done would otherwise cost nothing).
    Address& address = address_of(state.address);
    if (recent(address.checks, config_.failure_window_ms) >= config_.max_failures_per_address) {
      error(out, conn, ErrorCode::TooManyAttempts,
            "Too many password operations from your network address. Wait a minute before trying again.", request);
      return out;
    }
    if (start_password_job(out, conn, state,
                           PasswordJob{.id = 0, .kind = PasswordJob::Kind::Hash, .password = create->password, .hash = {}},
                           *create, request)) {
      address.checks.push_back(now_ms_);
    }

  } else if (const auto* join = std::get_if<proto::Join>(&msg)) {
    on_join(out, conn, state, *join, false);

  } else if (const auto* resume = std::get_if<proto::Resume>(&msg)) {
    on_resume(out, conn, state, *resume);

  } else if (const auto* rename = std::get_if<proto::RenameRoom>(&msg)) {
    on_rename(out, conn, *rename);

  } else if (const auto* del = std::get_if<proto::DeleteRoom>(&msg)) {
    on_delete(out, conn, *del);

  } else if (std::holds_alternative<proto::Leave>(msg)) {
    if (state.peer == 0) {
      error(out, conn, ErrorCode::NotInRoom, "You are not in a room.", request);
      return out;
    }
    const PeerId peer = state.peer;
    state.peer = 0;
    end_session(out, peer);
    back_to_lobby(out, conn, proto::LeftReason::Requested);

  } else if (const auto* send = std::get_if<proto::SendSignal>(&msg)) {
    if (state.peer == 0) {
      error(out, conn, ErrorCode::NotInRoom, "Join a room before signalling a peer.", request);
      return out;
    }
    const proto::Signal& signal = send->signal;
    const std::size_t size = signal.kind == proto::SignalKind::Candidate
                                 ? signal.candidate.candidate.size() + signal.candidate.sdp_mid.size()
                                 : signal.sdp.size();
    const std::size_t limit =
        signal.kind == proto::SignalKind::Candidate ? config_.max_candidate_bytes : config_.max_sdp_bytes;
    if (size > limit) {
      error(out, conn, ErrorCode::SignalTooLarge,
            "The " + std::string(proto::to_string(signal.kind)) + " is " + std::to_string(size) +
                " bytes; this server relays at most " + std::to_string(limit) + ".",
            request);
      return out;
    }
    Result<PeerId> to = registry_.route(state.peer, signal.peer);
    if (!to.ok()) {
      error(out, conn, to.error(),
            to.error() == ErrorCode::NotInRoom ? "Join a room before signalling a peer."
                                               : "Peer " + std::to_string(signal.peer) + " is not in your room.",
            request);
      return out;
    }
    // The sender is whoever this connection is, never what it claims.
    relay(out, to.get(), state.peer, signal);

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

void Hub::on_create(HubOutput& out, ConnId conn, const proto::CreateRoom& req, std::string password_hash) {
  constexpr std::string_view request = "create-room";
  auto state = conns_.find(conn);
  if (state == conns_.end()) return;
  const std::optional<RoomId> id = allocate_room_id();
  if (!id) {
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The room could not be created: " + services_.store.error(), request);
    return;
  }
  // Checked again: while a password was hashed, someone may have taken the name.
  Result<proto::RoomInfo> created = registry_.create(req.name, req.capacity, !password_hash.empty(), *id);
  if (!created.ok()) {
    error(out, conn, created.error(), create_error_message(created.error(), req, config_.max_capacity), request);
    return;
  }
  const proto::RoomInfo& room = created.get();
  const std::string owner = services_.secrets.random_token();
  RoomRecord record{std::move(password_hash), services_.secrets.digest(owner), now_unix_, now_unix_,
                    services_.secrets.digest(state->second.address)};
  // Durable before it is acknowledged: a room someone was told exists survives a crash.
  if (!services_.store.put(stored_room(room, record))) {
    registry_.remove(room.id);
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The room could not be saved: " + services_.store.error(), request);
    return;
  }
  ++next_room_id_;
  address_of(state->second.address).rooms_created.push_back(now_ms_);
  ++live_rooms_by_creator_[record.creator];
  records_[room.id] = std::move(record);
  reply(out, conn, proto::RoomCreated{room, owner});
  room_changed(room.id);
}

void Hub::on_join(HubOutput& out, ConnId conn, Conn& state, const proto::Join& join, bool password_checked) {
  constexpr std::string_view request = "join";
  if (state.peer != 0) {
    error(out, conn, ErrorCode::AlreadyInRoom, "You are already in a room. Leave it before joining another.",
          request);
    return;
  }
  const std::optional<std::string> name = proto::normalize_display_name(join.name, config_.max_name_chars);
  if (!name) {
    error(out, conn, ErrorCode::NameInvalid,
          "Your name must be 1 to " + std::to_string(config_.max_name_chars) +
              " characters, without control characters.",
          request);
    return;
  }
  const std::optional<proto::RoomInfo> info = registry_.info(join.room);
  if (!info) {
    error(out, conn, ErrorCode::RoomNotFound, "That room does not exist (it may have been removed).", request);
    return;
  }
  // The second-tab rule: the same browser joining the same room again replaces its older session.
  PeerId replaced = 0;
  if (!join.client.empty()) {
    for (const auto& [peer, session] : sessions_) {
      if (session.room == join.room && session.client == join.client) replaced = peer;
    }
  }
  if (info->participants >= info->capacity && replaced == 0) {
    error(out, conn, ErrorCode::RoomFull,
          "Room " + in_quotes(info->name) + " is full (" + std::to_string(info->participants) + "/" +
              std::to_string(info->capacity) + ").",
          request);
    return;
  }
  if (info->locked && !password_checked) {
    if (join.password.empty()) {
      error(out, conn, ErrorCode::PasswordRequired, "Room " + in_quotes(info->name) + " needs a password.", request);
      return;
    }
    Address& address = address_of(state.address);
    // This address's tries at this room: a few are free, then each waits twice as long as the last.
    if (auto failures = address.room_failures.find(join.room);
        failures != address.room_failures.end() && now_ms_ < failures->second.next_try_ms) {
      error(out, conn, ErrorCode::TooManyAttempts,
            "Too many wrong passwords for this room. Wait " +
                std::to_string((failures->second.next_try_ms - now_ms_ + 999) / 1000) + " s before trying again.",
            request);
      return;
    }
    // And over every room: checks are counted when they start, so parallel tries count too.
    if (recent(address.checks, config_.failure_window_ms) >= config_.max_failures_per_address) {
      error(out, conn, ErrorCode::TooManyAttempts,
            "Too many password attempts from your network address. Wait a minute before trying again.", request);
      return;
    }
    if (state.password_job != 0) {
      error(out, conn, ErrorCode::ServerBusy, "Your last password is still being checked.", request);
      return;
    }
    const auto hash = records_.find(join.room);
    if (hash == records_.end()) {
      error(out, conn, ErrorCode::RoomNotFound, "That room does not exist (it may have been removed).", request);
      return;
    }
    if (!start_password_job(
            out, conn, state,
            PasswordJob{.id = 0, .kind = PasswordJob::Kind::Verify, .password = join.password, .hash = hash->second.password_hash},
            join, request)) {
      return;
    }
    state.password_job = out.password_jobs.back().id;
    address.checks.push_back(now_ms_);
    return;
  }
  if (replaced != 0) {
    auto old = sessions_.find(replaced);
    std::optional<ConnId> old_conn;
    if (old != sessions_.end() && old->second.conn) {
      old_conn = *old->second.conn;
      if (auto c = conns_.find(*old_conn); c != conns_.end()) c->second.peer = 0;
    }
    end_session(out, replaced);
    if (old_conn) back_to_lobby(out, *old_conn, proto::LeftReason::Replaced);
  }
  const std::optional<PeerId> id = allocate_peer_id();
  if (!id) {
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The server could not assign you an id: " + services_.store.error(), request);
    return;
  }
  const proto::PeerInfo candidate{.id = *id, .name = *name, .mic = join.mic, .camera = join.camera};
  Result<std::vector<proto::PeerInfo>> joined = registry_.join(join.room, candidate);
  if (!joined.ok()) {
    error(out, conn, joined.error(),
          joined.error() == ErrorCode::RoomFull ? "Room " + in_quotes(info->name) + " is full." : "Could not join the room.",
          request);
    return;
  }
  ++next_peer_id_;
  state.peer = *id;
  sessions_[*id] = Session{.peer = *id, .room = join.room, .client = join.client, .conn = conn, .lost_ms = 0,
                           .token_issued = now_unix_, .ice_sent = now_unix_, .held = {}, .held_bytes = 0,
                           .overflowed = false};
  // Remembered so that a restart can bring it back; if the store fails, it simply cannot.
  services_.store.put_session(server::StoredSession{.peer = *id, .room = join.room});
  touch_room(join.room);
  const proto::RoomInfo room = registry_.info(join.room).value_or(*info);
  send_ice(out, conn, *id);
  reply(out, conn,
        proto::Joined{.room = room,
                      .self = candidate,
                      .token = session_token(*id, room.id),
                      .peers = std::get<0>(std::move(joined.value))});
  to_room(out, room.id, *id, proto::PeerJoined{candidate, false});
  room_changed(room.id);
}

void Hub::on_resume(HubOutput& out, ConnId conn, Conn& state, const proto::Resume& req) {
  constexpr std::string_view request = "resume";
  if (state.peer != 0) {
    error(out, conn, ErrorCode::AlreadyInRoom, "You are already in a room.", request);
    return;
  }
  const auto expired = [&] {
    error(out, conn, ErrorCode::SessionExpired, "Your earlier session has ended; join the room again.", request);
  };
  const std::optional<server::SessionClaims> claims = services_.secrets.verify_session(req.token);
  if (!claims) return expired();
  // Too old (or from the future: a clock set back by more than a minute is not trusted either).
  if (now_unix_ - claims->issued_at > config_.session_max_age_s || claims->issued_at - now_unix_ > 60) {
    return expired();
  }
  const PeerId peer = claims->peer;
  // The token names one room instance: another room that carries the same id is not it.
  const auto record = records_.find(claims->room);
  if (record != records_.end() && record->second.created_at != claims->room_created) return expired();

  auto session = sessions_.find(peer);
  if (session != sessions_.end()) {
    // An overflowed session lost messages while held: it ends at the next tick and cannot come back.
    if (session->second.room != claims->room || session->second.overflowed) return expired();
    // Still attached to an older connection that has not been noticed dead yet: this one wins.
    if (session->second.conn && *session->second.conn != conn) {
      const ConnId old_conn = *session->second.conn;
      if (auto c = conns_.find(old_conn); c != conns_.end()) c->second.peer = 0;
      out.closes.push_back(old_conn);
    }
    session->second.conn = conn;
    session->second.token_issued = now_unix_;
    session->second.ice_sent = now_unix_;
    state.peer = peer;
    const std::optional<proto::PeerInfo> self = registry_.peer(peer);
    const std::optional<proto::RoomInfo> room = registry_.info(claims->room);
    std::vector<proto::PeerInfo> peers;
    for (const PeerId member : registry_.members(claims->room)) {
      if (member == peer) continue;
      if (std::optional<proto::PeerInfo> info = registry_.peer(member)) peers.push_back(std::move(*info));
    }
    send_ice(out, conn, peer);
    reply(out, conn,
          proto::Resumed{.room = room.value_or(proto::RoomInfo{}),
                         .self = self.value_or(proto::PeerInfo{}),
                         .token = session_token(peer, claims->room),
                         .peers = std::move(peers),
                         .restored = false});
    // What happened meanwhile, in order.
    for (auto& text : session->second.held) out.sends.push_back(Outgoing{conn, std::move(text)});
    session->second.held.clear();
    session->second.held_bytes = 0;
    if (self && (self->mic != req.mic || self->camera != req.camera)) {
      registry_.set_media(peer, req.mic, req.camera);
      to_room(out, claims->room, peer, proto::PeerMedia{.peer = peer, .mic = req.mic, .camera = req.camera});
    }
    return;
  }

  // Not held here: after a restart, a token of a session that was live when the last run stopped
  // brings it back, once. A session that ended (in any run) is not stored, so its token is dead.
  const auto stored = restorable_.find(peer);
  if (stored == restorable_.end() || stored->second != claims->room) return expired();
  if (record == records_.end() || !registry_.info(claims->room)) {
    error(out, conn, ErrorCode::RoomNotFound, "That room does not exist any more.", request);
    return;
  }
  const proto::RoomInfo info = *registry_.info(claims->room);
  const std::optional<std::string> name = proto::normalize_display_name(req.name, config_.max_name_chars);
  if (!name) {
    error(out, conn, ErrorCode::NameInvalid,
          "Your name must be 1 to " + std::to_string(config_.max_name_chars) + " characters.", request);
    return;
  }
  const proto::PeerInfo self{.id = peer, .name = *name, .mic = req.mic, .camera = req.camera};
  Result<std::vector<proto::PeerInfo>> joined = registry_.join(claims->room, self);
  if (!joined.ok()) {
    error(out, conn, joined.error(),
          joined.error() == ErrorCode::RoomFull ? "Room " + in_quotes(info.name) + " is full." : "Could not rejoin.",
          request);
    return;
  }
  restorable_.erase(stored);
  state.peer = peer;
  sessions_[peer] = Session{.peer = peer, .room = claims->room, .client = req.client, .conn = conn, .lost_ms = 0,
                            .token_issued = now_unix_, .ice_sent = now_unix_, .held = {}, .held_bytes = 0,
                            .overflowed = false};
  touch_room(claims->room);
  send_ice(out, conn, peer);
  reply(out, conn,
        proto::Resumed{.room = registry_.info(claims->room).value_or(info),
                       .self = self,
                       .token = session_token(peer, claims->room),
                       .peers = std::get<0>(std::move(joined.value)),
                       .restored = true});
  to_room(out, claims->room, peer, proto::PeerJoined{self, true});
  room_changed(claims->room);
}

const Hub::RoomRecord* Hub::owned_room(HubOutput& out, ConnId conn, RoomId room, std::string_view owner,
                                       std::string_view request) {
  auto record = records_.find(room);
  if (record == records_.end() || !registry_.info(room)) {
    error(out, conn, ErrorCode::RoomNotFound, "That room does not exist (it may have been removed).", request);
    return nullptr;
  }
  if (!services_.secrets.digest_matches(owner, record->second.owner_digest)) {
    error(out, conn, ErrorCode::NotOwner, "Only whoever created the room can rename or delete it.", request);
    return nullptr;
  }
  return &record->second;
}

server::StoredRoom Hub::stored_room(const proto::RoomInfo& room, const RoomRecord& record) {
  return server::StoredRoom{.id = room.id,
                            .name = room.name,
                            .capacity = room.capacity,
                            .password_hash = record.password_hash,
                            .owner_digest = record.owner_digest,
                            .created_at = record.created_at,
                            .last_used = record.last_used,
                            .creator = record.creator};
}

void Hub::on_rename(HubOutput& out, ConnId conn, const proto::RenameRoom& req) {
  constexpr std::string_view request = "rename-room";
  const RoomRecord* record = owned_room(out, conn, req.room, req.owner, request);
  if (!record) return;
  const proto::CreateRoom as_create{.name = req.name, .capacity = proto::kDefaultCapacity, .password = {}};
  if (std::optional<std::string> refused = refuse_names(as_create)) {
    error(out, conn, ErrorCode::RoomNameInvalid, std::move(*refused), request);
    return;
  }
  const proto::RoomInfo before = *registry_.info(req.room);
  Result<proto::RoomInfo> renamed = registry_.rename(req.room, req.name);
  if (!renamed.ok()) {
    error(out, conn, renamed.error(), create_error_message(renamed.error(), as_create, config_.max_capacity), request);
    return;
  }
  if (!services_.store.put(stored_room(renamed.get(), *record))) {
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
  if (auto record = records_.find(room); record != records_.end()) {
    if (auto live = live_rooms_by_creator_.find(record->second.creator); live != live_rooms_by_creator_.end()) {
      if (--live->second == 0) live_rooms_by_creator_.erase(live);
    }
    records_.erase(record);
  }
  for (auto& [key, address] : addresses_) address.room_failures.erase(room);
  Result<std::vector<PeerId>> members = registry_.remove(room);
  room_changed(room);
  if (!members.ok()) return true;
  for (const PeerId peer : members.get()) {
    auto session = sessions_.find(peer);
    if (session == sessions_.end()) continue;
    std::optional<ConnId> conn = session->second.conn;
    sessions_.erase(session);
    forget_stored_session(peer);
    if (conn) {
      if (auto c = conns_.find(*conn); c != conns_.end()) c->second.peer = 0;
      back_to_lobby(out, *conn, reason);
    }
  }
  return true;
}

void Hub::end_session(HubOutput& out, PeerId peer) {
  auto session = sessions_.find(peer);
  if (session != sessions_.end()) sessions_.erase(session);
  forget_stored_session(peer);
  std::optional<RoomId> room = registry_.leave(peer);
  if (!room) return;
  touch_room(*room);
  to_room(out, *room, peer, proto::PeerLeft{peer});
  room_changed(*room);
}

void Hub::forget_stored_session(PeerId peer) {
  restorable_.erase(peer);
  if (!services_.store.remove_session(peer)) unforgotten_sessions_.push_back(peer);
}

void Hub::touch_room(RoomId room) {
  auto record = records_.find(room);
  if (record == records_.end()) return;
  record->second.last_used = now_unix_;
  services_.store.touch(room, now_unix_);  // best effort: an old last_used only makes expiry later
}

std::string Hub::session_token(PeerId peer, RoomId room) {
  const auto record = records_.find(room);
  return services_.secrets.sign_session(server::SessionClaims{
      .peer = peer, .room = room, .room_created = record == records_.end() ? 0 : record->second.created_at,
      .issued_at = now_unix_});
}

HubOutput Hub::on_password_result(const PasswordResult& result) {
  HubOutput out;
  auto it = pending_.find(result.id);
  if (it == pending_.end()) return out;
  Pending pending = std::move(it->second);
  pending_.erase(it);
  password_job_done(pending.address);
  // A wrong password counts against its address and room even when its connection has closed
  // meanwhile: otherwise closing right after each try would skip every growing wait (found by fuzz_hub).
  if (const auto* join = std::get_if<proto::Join>(&pending.request); join && !result.ok && result.error.empty()) {
    Address::RoomFailures& failures = address_of(pending.address).room_failures[join->room];
    ++failures.count;
    failures.last_ms = now_ms_;
    if (failures.count >= config_.free_failures_per_room) {
      std::int64_t delay = config_.failure_first_delay_ms;
      for (std::size_t n = config_.free_failures_per_room; n < failures.count && delay < config_.failure_max_delay_ms; ++n) {
        delay *= 2;
      }
      failures.next_try_ms = now_ms_ + std::min(delay, config_.failure_max_delay_ms);
    }
  }
  auto conn = conns_.find(pending.conn);
  if (conn == conns_.end()) return out;  // gone meanwhile: nobody to answer
  Conn& state = conn->second;
  if (const auto* create = std::get_if<proto::CreateRoom>(&pending.request)) {
    if (!result.ok) {
      error(out, pending.conn, ErrorCode::Internal, "The password could not be stored: " + result.error, "create-room");
      return out;
    }
    if (!within_room_quota(out, pending.conn, state)) return out;  // others were created meanwhile
    on_create(out, pending.conn, *create, result.hash);
    return out;
  }
  const auto& join = std::get<proto::Join>(pending.request);
  if (state.password_job == result.id) state.password_job = 0;
  if (!result.ok) {
    if (!result.error.empty()) {
      error(out, pending.conn, ErrorCode::Internal, "The password could not be checked: " + result.error, "join");
      return out;
    }
    error(out, pending.conn, ErrorCode::PasswordWrong, "Wrong password.", "join");
    return out;
  }
  // The room may have changed meanwhile (deleted, recreated with another password): check again.
  auto record = records_.find(join.room);
  if (record == records_.end()) {
    error(out, pending.conn, ErrorCode::RoomNotFound, "That room does not exist (it may have been removed).", "join");
    return out;
  }
  if (auto address = addresses_.find(pending.address); address != addresses_.end()) {
    address->second.room_failures.erase(join.room);  // the right password: this room's count starts over
  }
  on_join(out, pending.conn, state, join, true);
  return out;
}

void Hub::reply(HubOutput& out, ConnId conn, const proto::ServerMessage& msg) {
  out.sends.push_back(Outgoing{conn, serialize(msg)});
}

void Hub::send_ice(HubOutput& out, ConnId conn, PeerId peer) {
  auto state = conns_.find(conn);
  if (state == conns_.end()) return;
  Conn& c = state->second;
  if (!c.ice_host && !c.ice_host_reported && config_.ice.uses_host()) {
    c.ice_host_reported = true;
    out.warnings.push_back("connection " + std::to_string(conn) + ": ICE servers whose URI needs {host} are left out: " +
                           c.ice_host_problem);
  }
  reply(out, conn, server::ice_config_for(config_.ice, c.ice_host, peer, now_unix_));
}

void Hub::to_peer(HubOutput& out, PeerId peer, std::shared_ptr<const std::string> text) {
  auto session = sessions_.find(peer);
  if (session == sessions_.end()) return;
  Session& s = session->second;
  if (s.conn) {
    out.sends.push_back(Outgoing{*s.conn, std::move(text)});
    return;
  }
  if (s.overflowed) return;
  // Held: kept in order for the resume, within bounds.
  if (s.held.size() >= config_.max_held_messages || s.held_bytes + text->size() > config_.max_held_bytes) {
    s.overflowed = true;
    s.held.clear();
    s.held_bytes = 0;
    return;
  }
  s.held_bytes += text->size();
  s.held.push_back(std::move(text));
}

void Hub::relay(HubOutput& out, PeerId to, PeerId from, const proto::Signal& signal) {
  if (config_.signal_fast_path) {
    if (std::optional<std::string> text = hub_detail::encode_relayed_signal(from, signal)) {
      to_peer(out, to, std::make_shared<const std::string>(std::move(*text)));
      return;
    }
  }
  proto::RelayedSignal relayed{signal};
  relayed.signal.peer = from;
  to_peer(out, to, serialize(relayed));
}

void Hub::error(HubOutput& out, ConnId conn, ErrorCode code, std::string message, std::string_view request) {
  reply(out, conn, proto::Error{.code = code, .message = std::move(message), .request = std::string(request)});
}

void Hub::room_changed(RoomId room) {
  changed_rooms_.insert(room);
  welcome_.reset();
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

void Hub::to_room(HubOutput& out, RoomId room, PeerId except, const proto::ServerMessage& msg) {
  std::shared_ptr<const std::string> text;
  for (const PeerId member : registry_.members(room)) {
    if (member == except) continue;
    if (!text) text = serialize(msg);
    to_peer(out, member, text);
  }
}

}  // namespace moim
