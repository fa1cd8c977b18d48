#include "janus_link.hpp"

#include <algorithm>
#include <type_traits>

namespace moim::sfu {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

using json = nlohmann::json;

// Janus core (apierror.h) and VideoRoom plugin (janus_videoroom.c) error codes this link tells apart.
constexpr int kUnauthorized = 403;
constexpr int kSessionNotFound = 458;
constexpr int kHandleNotFound = 459;
constexpr int kRoomNoSuchRoom = 426;
constexpr int kRoomExists = 427;
constexpr int kRoomUnauthorized = 433;

std::string seconds_text(std::int64_t ms) {
  const std::int64_t tenths = (ms + 50) / 100;
  std::string text = std::to_string(tenths / 10);
  if (tenths % 10 != 0) text += "." + std::to_string(tenths % 10);
  return text + " s";
}

std::string_view kind_name(int kind) {
  static constexpr std::string_view kNames[] = {"claim",        "create",       "attach",        "keepalive",
                                                "create-room",  "destroy-room", "attach-handle", "detach-handle",
                                                "message",      "trickle"};
  return kNames[kind];
}

bool printable(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// An unsigned id from a JSON field, 0 if it is missing or not a positive integer.
JanusId id_of(const json& object, std::string_view key) {
  if (!object.is_object()) return 0;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) return 0;
  return it->get<JanusId>();
}

std::string string_of(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Janus's {"janus":"error","error":{"code":N,"reason":"..."}}.
Error core_error(const json& message) {
  const json* error = nullptr;
  if (const auto it = message.find("error"); it != message.end() && it->is_object()) error = &*it;
  if (!error) return Error{ErrorCode::BadReply, 0, "an error without its code"};
  int code = 0;
  if (const auto it = error->find("code"); it != error->end() && it->is_number_integer()) code = it->get<int>();
  return Error{classify(code), code, string_of(*error, "reason")};
}

}  // namespace

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::Timeout: return "timeout";
    case ErrorCode::ConnectionLost: return "connection-lost";
    case ErrorCode::SessionLost: return "session-lost";
    case ErrorCode::Unauthorized: return "unauthorized";
    case ErrorCode::RoomUnauthorized: return "room-unauthorized";
    case ErrorCode::NoSuchRoom: return "no-such-room";
    case ErrorCode::RoomExists: return "room-exists";
    case ErrorCode::BadRequest: return "bad-request";
    case ErrorCode::BadReply: return "bad-reply";
    case ErrorCode::Busy: return "busy";
    case ErrorCode::Stopped: return "stopped";
    case ErrorCode::JanusError: return "janus-error";
  }
  return "janus-error";
}

std::ostream& operator<<(std::ostream& os, ErrorCode code) { return os << to_string(code); }

ErrorCode classify(int janus_code) {
  switch (janus_code) {
    case kUnauthorized: return ErrorCode::Unauthorized;
    case kSessionNotFound:
    case kHandleNotFound: return ErrorCode::SessionLost;
    case kRoomNoSuchRoom: return ErrorCode::NoSuchRoom;
    case kRoomExists: return ErrorCode::RoomExists;
    case kRoomUnauthorized: return ErrorCode::RoomUnauthorized;
    // Core: missing request, unknown request, invalid JSON, invalid JSON object, missing mandatory
    // element, invalid request path, invalid element type.
    case 452: case 453: case 454: case 455: case 456: case 457: case 467:
    // VideoRoom: no message, invalid JSON, invalid request, missing element, invalid element.
    case 421: case 422: case 423: case 429: case 430: return ErrorCode::BadRequest;
    default: return ErrorCode::JanusError;
  }
}

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::Idle: return "idle";
    case Phase::Connecting: return "connecting";
    case Phase::Claiming: return "claiming";
    case Phase::Creating: return "creating";
    case Phase::Attaching: return "attaching";
    case Phase::Ready: return "ready";
    case Phase::Waiting: return "waiting";
    case Phase::Stopped: return "stopped";
  }
  return "idle";
}

std::string_view to_string(SessionKind kind) {
  switch (kind) {
    case SessionKind::First: return "first";
    case SessionKind::Reclaimed: return "reclaimed";
    case SessionKind::Replaced: return "replaced";
  }
  return "first";
}

std::ostream& operator<<(std::ostream& os, const Event& event) {
  std::visit(Overloaded{
                 [&](const Start& e) {
                   os << "Start";
                   if (e.earlier) os << "{earlier session " << e.earlier->session << ", " << e.earlier->handles.size() << " handles}";
                 },
                 [&](const Stop&) { os << "Stop"; },
                 [&](const SocketOpened&) { os << "SocketOpened"; },
                 [&](const SocketClosed& e) { os << "SocketClosed{" << e.reason << '}'; },
                 [&](const MessageReceived& e) { os << "MessageReceived" << e.text; },
                 [&](const Tick&) { os << "Tick"; },
                 [&](const CreateRoom& e) {
                   os << "CreateRoom{#" << e.id << ", room " << e.room << ", publishers " << e.publishers << '}';
                 },
                 [&](const DestroyRoom& e) { os << "DestroyRoom{#" << e.id << ", room " << e.room << '}'; },
                 [&](const AttachHandle& e) { os << "AttachHandle{#" << e.id << '}'; },
                 [&](const DetachHandle& e) { os << "DetachHandle{#" << e.id << ", handle " << e.handle << '}'; },
                 [&](const PluginMessage& e) {
                   os << "PluginMessage{#" << e.id << ", handle " << e.handle << ", " << e.body.dump() << ", " << e.jsep.dump() << '}';
                 },
                 [&](const Trickle& e) { os << "Trickle{#" << e.id << ", handle " << e.handle << ", " << e.candidate.dump() << '}'; },
             },
             event);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Effect& effect) {
  std::visit(Overloaded{
                 [&](const OpenSocket&) { os << "OpenSocket"; },
                 [&](const Send& e) { os << "Send" << e.message.dump(); },
                 [&](const CloseSocket&) { os << "CloseSocket"; },
                 [&](const RequestDone& e) { os << "RequestDone{#" << e.id << ", room " << e.room << '}'; },
                 [&](const RequestFailed& e) {
                   os << "RequestFailed{#" << e.id << ", " << to_string(e.error.code) << ", " << e.error.janus_code
                      << ", \"" << e.error.reason << "\"}";
                 },
                 [&](const SessionUp& e) {
                   os << "SessionUp{session " << e.session << ", handle " << e.handle << ", " << to_string(e.kind) << '}';
                 },
                 [&](const RecreateRooms&) { os << "RecreateRooms"; },
                 [&](const SessionDown& e) { os << "SessionDown{" << e.reason << '}'; },
                 [&](const Log& e) {
                   os << "Log{" << (e.level == Log::Level::Info ? "info" : e.level == Log::Level::Warn ? "warn" : "error")
                      << ", \"" << e.text << "\"}";
                 },
                 [&](const HandleAttached& e) { os << "HandleAttached{#" << e.id << ", handle " << e.handle << '}'; },
                 [&](const PluginReply& e) {
                   os << "PluginReply{#" << e.id << ", handle " << e.handle << ", " << e.data.dump() << ", " << e.jsep.dump() << '}';
                 },
                 [&](const HandleEvent& e) {
                   os << "HandleEvent{handle " << e.handle << ", " << e.janus << ", " << e.data.dump() << ", " << e.jsep.dump() << '}';
                 },
             },
             effect);
  return os;
}

// ---- URL ----------------------------------------------------------------------------------------

std::optional<JanusUrl> parse_url(std::string_view text, std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<JanusUrl> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "ws://";
  if (text.substr(0, 6) == "wss://") return fail("wss:// is not supported yet: give Janus's plain ws:// address");
  if (text.substr(0, kScheme.size()) != kScheme) return fail("expected ws://host[:port][/path]");
  std::string_view rest = text.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  JanusUrl url;
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  for (const char c : url.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return fail("the path holds a space, '#' or a control character");
  }
  if (authority.find('@') != std::string_view::npos) return fail("no user name or password in the URL");
  std::string_view host, port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("an IPv6 address needs its closing ']'");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("expected ':' and a port after ']'");
      port = after.substr(1);
      if (port.empty()) return fail("expected a port after ':'");
    }
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return fail("'" + std::string(host) + "' is not an IPv6 address");
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return fail("expected a port after ':'");
    }
    if (host.empty()) return fail("the URL has no host");
    if (host.size() > 253 || host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
                                 std::string_view::npos) {
      return fail("'" + std::string(host) + "' is not a host name or IPv4 address");
    }
  }
  if (!port.empty()) {
    unsigned value = 0;
    for (const char c : port) {
      if (c < '0' || c > '9' || port.size() > 5) return fail("'" + std::string(port) + "' is not a port number");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return fail("the port must be from 1 to 65535");
    url.port = std::to_string(value);
  } else {
    url.port = "8188";
  }
  url.host = std::string(host);
  return url;
}

std::string to_string(const JanusUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return "ws://" + (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port + (url.target == "/" ? "" : url.target);
}

// ---- the link -----------------------------------------------------------------------------------

Link::Link(Config config) : config_(std::move(config)) {
  config_.keepalive_ms = std::max<std::int64_t>(config_.keepalive_ms, 1);
  config_.request_timeout_ms = std::max<std::int64_t>(config_.request_timeout_ms, 1);
  config_.connect_timeout_ms = std::max<std::int64_t>(config_.connect_timeout_ms, 1);
  config_.backoff_first_ms = std::max<std::int64_t>(config_.backoff_first_ms, 0);
  config_.backoff_cap_ms = std::max(config_.backoff_cap_ms, config_.backoff_first_ms);
}

Effects Link::handle(const Event& event, std::int64_t now_ms) {
  now_ = std::max(now_, now_ms);
  Effects out;
  std::visit([&](const auto& e) { on(e, out); }, event);
  return out;
}

json Link::request(std::string_view janus, const std::string& transaction) const {
  json message = {{"janus", janus}, {"transaction", transaction}};
  if (!config_.api_secret.empty()) message["apisecret"] = config_.api_secret;
  return message;
}

void Link::open(Effects& out) {
  ++attempts_;
  phase_ = Phase::Connecting;
  connect_deadline_ = now_ + config_.connect_timeout_ms;
  out.push_back(OpenSocket{});
}

void Link::on(const Start& e, Effects& out) {
  if (phase_ != Phase::Idle) return;
  if (e.earlier && e.earlier->session != 0 && e.earlier->handle != 0) {
    // Claimed at the socket's opening like a session this link lost; not claimed, it was lost.
    session_ = e.earlier->session;
    handle_ = e.earlier->handle;
    handles_ = e.earlier->handles;
    ever_ready_ = true;
  }
  open(out);
}

void Link::on(const Stop&, Effects& out) {
  if (phase_ == Phase::Stopped) return;
  const bool was_ready = phase_ == Phase::Ready;
  const bool has_socket = phase_ != Phase::Idle && phase_ != Phase::Waiting;
  fail_all(ErrorCode::Stopped, "the Janus link was stopped", out);
  if (has_socket) out.push_back(CloseSocket{});
  if (was_ready) out.push_back(SessionDown{"stopped"});
  phase_ = Phase::Stopped;
}

void Link::on(const SocketOpened&, Effects& out) {
  if (phase_ != Phase::Connecting) return;
  if (session_ != 0 && handle_ != 0) {  // a session that was ready: ask for it back
    phase_ = Phase::Claiming;
    json message = request("claim", {});
    message["session_id"] = session_;
    send_own(Kind::Claim, std::move(message), out);
  } else {
    send_session_request(out);
  }
}

void Link::send_session_request(Effects& out) {
  phase_ = Phase::Creating;
  session_ = 0;
  handle_ = 0;
  handles_.clear();  // a new session has none of the old one's
  send_own(Kind::Create, request("create", {}), out);
}

void Link::on(const SocketClosed& e, Effects& out) {
  if (phase_ == Phase::Idle || phase_ == Phase::Waiting || phase_ == Phase::Stopped) return;
  lose_socket(e.reason.empty() ? "the connection closed" : e.reason, /*drop=*/false, out);
}

void Link::lose_socket(std::string reason, bool drop, Effects& out) {
  const bool was_ready = phase_ == Phase::Ready;
  if (drop) out.push_back(CloseSocket{});
  fail_all(ErrorCode::ConnectionLost, "the connection to Janus was lost: " + reason, out);
  if (was_ready) {
    ever_ready_ = true;
    attempts_ = 0;
    out.push_back(SessionDown{reason});
    out.push_back(Log{Log::Level::Warn, "connection lost (" + reason + "); connecting again"});
  } else if (attempts_ <= 1 || attempts_ % 30 == 0) {
    out.push_back(Log{Log::Level::Warn, (attempts_ <= 1 ? "cannot reach Janus (" : "still cannot reach Janus after " +
                                                                                     std::to_string(attempts_) + " tries (") +
                                            reason + "); trying again every " + seconds_text(config_.backoff_cap_ms) +
                                            " at most"});
  }
  // The wait doubles with every try since the link was last ready: first, 2 x first, ... up to the cap.
  std::int64_t wait = config_.backoff_first_ms;
  for (int i = 1; i < attempts_ && wait < config_.backoff_cap_ms; ++i) wait *= 2;
  retry_at_ = now_ + std::min(wait, config_.backoff_cap_ms);
  phase_ = Phase::Waiting;
}

void Link::lose_session(std::string reason, Effects& out) {
  const bool was_ready = phase_ == Phase::Ready;
  fail_all(ErrorCode::SessionLost, "Janus dropped the session: " + reason, out);
  if (was_ready || ever_ready_) replaced_ = true;
  if (was_ready) {
    ever_ready_ = true;
    out.push_back(SessionDown{reason});
  }
  out.push_back(Log{Log::Level::Warn, "Janus dropped session " + std::to_string(session_) + " (" + reason +
                                          "); making a new one"});
  send_session_request(out);
}

void Link::fail_all(ErrorCode code, const std::string& reason, Effects& out) {
  // In transaction order is not the caller's order: fail the caller's requests by id.
  std::vector<Pending> callers;
  for (const auto& [transaction, pending] : pending_) {
    if (is_callers(pending.kind)) callers.push_back(pending);
  }
  std::sort(callers.begin(), callers.end(), [](const Pending& a, const Pending& b) { return a.id < b.id; });
  pending_.clear();
  caller_pending_ = 0;
  for (const Pending& p : callers) out.push_back(RequestFailed{p.id, Error{code, 0, reason}});
}

void Link::send_own(Kind kind, json message, Effects& out) {
  const std::string transaction = config_.transaction_prefix + "k" + std::to_string(++own_seq_);
  message["transaction"] = transaction;
  pending_[transaction] = Pending{kind, 0, 0, now_ + config_.request_timeout_ms};
  out.push_back(Send{std::move(message)});
}

void Link::become_ready(Effects& out) {
  const SessionKind kind = phase_ == Phase::Claiming ? SessionKind::Reclaimed
                           : replaced_                ? SessionKind::Replaced
                                                      : SessionKind::First;
  phase_ = Phase::Ready;
  attempts_ = 0;
  replaced_ = false;
  ever_ready_ = true;
  oddities_.clear();
  next_keepalive_ = now_ + config_.keepalive_ms;
  out.push_back(SessionUp{session_, handle_, kind});
  if (kind == SessionKind::Replaced) out.push_back(RecreateRooms{});
  out.push_back(Log{Log::Level::Info, "ready: session " + std::to_string(session_) + ", VideoRoom handle " +
                                          std::to_string(handle_) + " (" + std::string(to_string(kind)) + ")"});
}

void Link::on(const Tick&, Effects& out) {
  switch (phase_) {
    case Phase::Connecting:
      if (now_ >= connect_deadline_) {
        lose_socket("the connection did not open within " + seconds_text(config_.connect_timeout_ms), true, out);
      }
      return;
    case Phase::Waiting:
      if (now_ >= retry_at_) open(out);
      return;
    case Phase::Claiming:
    case Phase::Creating:
    case Phase::Attaching:
    case Phase::Ready: break;
    case Phase::Idle:
    case Phase::Stopped: return;
  }
  // Requests past their deadline, the caller's first (by id), then ours.
  std::vector<Pending> late_callers;
  std::optional<Kind> late_own;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline > now_) {
      ++it;
      continue;
    }
    if (is_callers(it->second.kind)) {
      late_callers.push_back(it->second);
      --caller_pending_;
    } else if (!late_own) {
      late_own = it->second.kind;
    }
    it = pending_.erase(it);
  }
  std::sort(late_callers.begin(), late_callers.end(), [](const Pending& a, const Pending& b) { return a.id < b.id; });
  for (const Pending& p : late_callers) {
    out.push_back(RequestFailed{p.id, Error{ErrorCode::Timeout, 0,
                                            "Janus did not answer within " + seconds_text(config_.request_timeout_ms)}});
  }
  if (late_own) {
    lose_socket("Janus did not answer " + std::string(kind_name(static_cast<int>(*late_own))) + " within " +
                    seconds_text(config_.request_timeout_ms),
                true, out);
    return;
  }
  if (phase_ == Phase::Ready && now_ >= next_keepalive_) {
    json message = request("keepalive", {});
    message["session_id"] = session_;
    send_own(Kind::Keepalive, std::move(message), out);
    next_keepalive_ = now_ + config_.keepalive_ms;
  }
}

std::optional<Error> Link::refusal(const std::string& transaction, std::string bad) const {
  if (!bad.empty()) return Error{ErrorCode::BadRequest, 0, std::move(bad)};
  if (phase_ == Phase::Stopped) return Error{ErrorCode::Stopped, 0, "the Janus link was stopped"};
  if (phase_ != Phase::Ready) {
    return Error{ErrorCode::Unavailable, 0, "no session with Janus (" + std::string(to_string(phase_)) + ")"};
  }
  if (pending_.count(transaction) != 0) {
    return Error{ErrorCode::BadRequest, 0, "request #" + transaction.substr(config_.transaction_prefix.size() + 1) + " is already in flight"};
  }
  if (caller_pending_ >= config_.max_pending) {
    return Error{ErrorCode::Busy, 0, std::to_string(config_.max_pending) + " requests in flight"};
  }
  return std::nullopt;
}

void Link::send_room_request(Kind kind, RequestId id, JanusId room, json body, Effects& out) {
  const std::string transaction = config_.transaction_prefix + "r" + std::to_string(id);
  json message = request("message", transaction);
  message["session_id"] = session_;
  message["handle_id"] = handle_;
  message["body"] = std::move(body);
  pending_[transaction] = Pending{kind, id, room, now_ + config_.request_timeout_ms};
  ++caller_pending_;
  out.push_back(Send{std::move(message)});
}

namespace {

std::string check_room(JanusId room, const std::string& secret) {
  if (room == 0 || room > kMaxRoomId) return "room id " + std::to_string(room) + " is out of range";
  if (secret.empty() || secret.size() > kMaxSecretBytes || !printable(secret)) {
    return "the room secret must be 1-256 printable bytes";
  }
  return {};
}

}  // namespace

void Link::on(const CreateRoom& e, Effects& out) {
  std::string bad = check_room(e.room, e.secret);
  if (bad.empty() && (e.publishers < 1 || e.publishers > kMaxPublishers)) {
    bad = "publishers must be from 1 to " + std::to_string(kMaxPublishers);
  }
  if (bad.empty() && (e.description.size() > kMaxSecretBytes || !printable(e.description))) {
    bad = "the description must be at most 256 printable bytes";
  }
  if (std::optional<Error> refused = refusal(config_.transaction_prefix + "r" + std::to_string(e.id), std::move(bad))) {
    out.push_back(RequestFailed{e.id, std::move(*refused)});
    return;
  }
  // Private (never listed without the admin key), not permanent (never written to Janus's
  // configuration: a restarted Janus has no rooms, and the owner makes them again).
  json body = {{"request", "create"},  {"room", e.room},         {"secret", e.secret}, {"is_private", true},
               {"permanent", false},   {"publishers", e.publishers},
               {"description", e.description.empty() ? "moim room " + std::to_string(e.room) : e.description}};
  if (!config_.admin_key.empty()) body["admin_key"] = config_.admin_key;
  send_room_request(Kind::CreateRoom, e.id, e.room, std::move(body), out);
}

void Link::on(const DestroyRoom& e, Effects& out) {
  if (std::optional<Error> refused = refusal(config_.transaction_prefix + "r" + std::to_string(e.id), check_room(e.room, e.secret))) {
    out.push_back(RequestFailed{e.id, std::move(*refused)});
    return;
  }
  send_room_request(Kind::DestroyRoom, e.id, e.room,
                    {{"request", "destroy"}, {"room", e.room}, {"secret", e.secret}, {"permanent", false}}, out);
}

void Link::send_caller(Kind kind, RequestId id, JanusId handle, json message, Effects& out) {
  const std::string transaction = config_.transaction_prefix + "r" + std::to_string(id);
  message["transaction"] = transaction;
  message["session_id"] = session_;
  if (handle != 0) message["handle_id"] = handle;
  pending_[transaction] = Pending{kind, id, 0, now_ + config_.request_timeout_ms, handle};
  ++caller_pending_;
  out.push_back(Send{std::move(message)});
}

void Link::on(const AttachHandle& e, Effects& out) {
  if (std::optional<Error> refused = refusal(config_.transaction_prefix + "r" + std::to_string(e.id), {})) {
    out.push_back(RequestFailed{e.id, std::move(*refused)});
    return;
  }
  json message = request("attach", {});
  message["plugin"] = kVideoRoomPlugin;
  send_caller(Kind::AttachHandle, e.id, 0, std::move(message), out);
}

void Link::on(const DetachHandle& e, Effects& out) {
  std::string bad = e.handle == 0 || e.handle == handle_ ? "not a handle of the caller's" : "";
  if (std::optional<Error> refused = refusal(config_.transaction_prefix + "r" + std::to_string(e.id), std::move(bad))) {
    out.push_back(RequestFailed{e.id, std::move(*refused)});
    return;
  }
  send_caller(Kind::DetachHandle, e.id, e.handle, request("detach", {}), out);
}

void Link::on(const PluginMessage& e, Effects& out) {
  std::string bad = e.handle == 0 || e.handle == handle_ ? "not a handle of the caller's"
                    : !e.body.is_object()                ? "the body must be an object"
                    : !e.jsep.is_null() && !e.jsep.is_object() ? "the jsep must be an object"
                                                               : "";
  if (std::optional<Error> refused = refusal(config_.transaction_prefix + "r" + std::to_string(e.id), std::move(bad))) {
    out.push_back(RequestFailed{e.id, std::move(*refused)});
    return;
  }
  json message = request("message", {});
  message["body"] = e.body;
  if (!e.jsep.is_null()) message["jsep"] = e.jsep;
  send_caller(Kind::Message, e.id, e.handle, std::move(message), out);
}

void Link::on(const Trickle& e, Effects& out) {
  std::string bad = e.handle == 0 || e.handle == handle_ ? "not a handle of the caller's"
                    : !e.candidate.is_object()           ? "the candidate must be an object"
                                                         : "";
  if (std::optional<Error> refused = refusal(config_.transaction_prefix + "r" + std::to_string(e.id), std::move(bad))) {
    out.push_back(RequestFailed{e.id, std::move(*refused)});
    return;
  }
  json message = request("trickle", {});
  message["candidate"] = e.candidate;
  send_caller(Kind::Trickle, e.id, e.handle, std::move(message), out);
}

void Link::answer_handle(Pending pending, const json& message, Effects& out) {
  const std::string janus = string_of(message, "janus");
  if (janus == "error") {
    const Error failure = core_error(message);
    out.push_back(RequestFailed{pending.id, failure});
    // 459 is about that handle only; 458 is the whole session.
    if (failure.janus_code == kSessionNotFound && phase_ == Phase::Ready) {
      lose_session(std::to_string(failure.janus_code) + " " + failure.reason, out);
    }
    return;
  }
  switch (pending.kind) {
    case Kind::AttachHandle: {
      const JanusId handle = janus == "success" ? id_of(message.value("data", json::object()), "id") : 0;
      if (handle == 0) {
        out.push_back(RequestFailed{pending.id, Error{ErrorCode::BadReply, 0, "unexpected answer '" + janus + "' to attach"}});
      } else {
        handles_.insert(handle);
        out.push_back(HandleAttached{pending.id, handle});
      }
      return;
    }
    case Kind::DetachHandle:
    case Kind::Trickle:
      if (pending.kind == Kind::DetachHandle && janus == "success") handles_.erase(pending.handle);
      if (janus == "success" || janus == "ack") {
        out.push_back(RequestDone{pending.id, 0});
      } else {
        out.push_back(RequestFailed{pending.id, Error{ErrorCode::BadReply, 0, "unexpected answer '" + janus + "'"}});
      }
      return;
    case Kind::Message: {
      const json plugindata = message.value("plugindata", json::object());
      const json data = plugindata.is_object() ? plugindata.value("data", json::object()) : json::object();
      if ((janus != "success" && janus != "event") || !data.is_object()) {
        out.push_back(RequestFailed{pending.id, Error{ErrorCode::BadReply, 0, "unexpected answer '" + janus + "'"}});
        return;
      }
      if (const auto code = data.find("error_code"); code != data.end()) {
        const int value = code->is_number_integer() ? code->get<int>() : 0;
        out.push_back(RequestFailed{pending.id, Error{classify(value), value, string_of(data, "error")}});
        return;
      }
      json jsep = message.value("jsep", json());
      if (!jsep.is_object()) jsep = json();
      out.push_back(PluginReply{pending.id, pending.handle, data, std::move(jsep)});
      return;
    }
    default: return;
  }
}

void Link::oddity(const std::string& what, Effects& out) {
  if (std::find(oddities_.begin(), oddities_.end(), what) != oddities_.end()) return;
  oddities_.push_back(what);
  out.push_back(Log{Log::Level::Warn, "ignored " + what + " (said once until the link is ready again)"});
}

void Link::on(const MessageReceived& e, Effects& out) {
  if (phase_ != Phase::Claiming && phase_ != Phase::Creating && phase_ != Phase::Attaching && phase_ != Phase::Ready) return;
  const json message = json::parse(e.text, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object()) return oddity("a message from Janus that is not a JSON object", out);
  const std::string janus = string_of(message, "janus");
  const std::string transaction = string_of(message, "transaction");
  // Events: the session timed out, or our handle was detached.
  if (transaction.empty()) {
    const JanusId session = id_of(message, "session_id");
    if (session_ != 0 && session == session_ && (phase_ == Phase::Ready || phase_ == Phase::Attaching)) {
      if (janus == "timeout") return lose_session("the session timed out", out);
      const JanusId sender = id_of(message, "sender");
      if (janus == "detached" && sender == handle_) return lose_session("our handle was detached", out);
      if (handles_.contains(sender) && phase_ == Phase::Ready) {
        if (janus == "detached") handles_.erase(sender);
        json data = message;
        if (janus == "event") {
          const json plugindata = message.value("plugindata", json::object());
          data = plugindata.is_object() ? plugindata.value("data", json::object()) : json::object();
        }
        json jsep = message.value("jsep", json());
        if (!jsep.is_object()) jsep = json();
        out.push_back(HandleEvent{sender, janus, std::move(data), std::move(jsep)});
        return;
      }
    }
    return oddity("a Janus event '" + janus + "'", out);
  }
  const auto it = pending_.find(transaction);
  if (it == pending_.end()) return oddity("an answer to a transaction not in flight (late, or not ours)", out);
  // An answer will follow, except to a keepalive or a trickle (whose answer is the ack).
  if (janus == "ack" && it->second.kind != Kind::Keepalive && it->second.kind != Kind::Trickle) return;
  const Pending pending = it->second;
  pending_.erase(it);
  if (pending.kind == Kind::CreateRoom || pending.kind == Kind::DestroyRoom) {
    --caller_pending_;
    answer_room(pending, message, out);
  } else if (is_callers(pending.kind)) {
    --caller_pending_;
    answer_handle(pending, message, out);
  } else {
    answer_own(pending, message, out);
  }
}

void Link::answer_own(Pending pending, const json& message, Effects& out) {
  const std::string janus = string_of(message, "janus");
  const bool error = janus == "error";
  const Error failure = error ? core_error(message) : Error{};
  const json data = message.value("data", json::object());
  switch (pending.kind) {
    case Kind::Claim:
      if (janus == "success") return become_ready(out);
      if (error && failure.janus_code == kSessionNotFound) {
        out.push_back(Log{Log::Level::Warn, "Janus no longer knows session " + std::to_string(session_) +
                                                " (restarted, or the session timed out): making a new one"});
        replaced_ = true;
        return send_session_request(out);
      }
      break;
    case Kind::Create:
      if (janus == "success" && id_of(data, "id") != 0) {
        session_ = id_of(data, "id");
        phase_ = Phase::Attaching;
        json attach = request("attach", {});
        attach["session_id"] = session_;
        attach["plugin"] = kVideoRoomPlugin;
        return send_own(Kind::Attach, std::move(attach), out);
      }
      break;
    case Kind::Attach:
      if (janus == "success" && id_of(data, "id") != 0) {
        handle_ = id_of(data, "id");
        return become_ready(out);
      }
      if (error && failure.janus_code == kSessionNotFound) return send_session_request(out);
      break;
    case Kind::Keepalive:
      if (janus == "ack" || janus == "success") return;
      if (error && failure.code == ErrorCode::SessionLost) return lose_session("keepalive: " + failure.reason, out);
      if (error) {
        out.push_back(Log{Log::Level::Warn, "keepalive refused: " + std::to_string(failure.janus_code) + " " + failure.reason});
        return;
      }
      return oddity("an answer '" + janus + "' to a keepalive", out);
    default: return;  // the caller's
  }
  // Any other answer to claim, create or attach: this Janus cannot be used now; try again later.
  std::string why = std::string(kind_name(static_cast<int>(pending.kind))) + " refused: ";
  if (!error) why += "unexpected answer '" + janus + "'";
  else if (failure.code == ErrorCode::Unauthorized) why += "Janus refused the API secret (--janus-api-secret-file)";
  else why += std::to_string(failure.janus_code) + " " + failure.reason;
  out.push_back(Log{Log::Level::Error, why});
  lose_socket(why, /*drop=*/true, out);
}

void Link::answer_room(Pending pending, const json& message, Effects& out) {
  const std::string janus = string_of(message, "janus");
  if (janus == "error") {
    const Error failure = core_error(message);
    out.push_back(RequestFailed{pending.id, failure});
    if (failure.code == ErrorCode::SessionLost && phase_ == Phase::Ready) {
      lose_session(std::to_string(failure.janus_code) + " " + failure.reason, out);
    }
    return;
  }
  const json plugindata = message.value("plugindata", json::object());
  const json data = plugindata.is_object() ? plugindata.value("data", json::object()) : json::object();
  if (janus != "success" || !data.is_object()) {
    out.push_back(RequestFailed{pending.id, Error{ErrorCode::BadReply, 0, "unexpected answer '" + janus + "'"}});
    return;
  }
  if (const auto code = data.find("error_code"); code != data.end()) {
    const int value = code->is_number_integer() ? code->get<int>() : 0;
    out.push_back(RequestFailed{pending.id, Error{classify(value), value, string_of(data, "error")}});
    return;
  }
  const std::string done = pending.kind == Kind::CreateRoom ? "created" : "destroyed";
  if (string_of(data, "videoroom") != done || id_of(data, "room") != pending.room) {
    out.push_back(RequestFailed{pending.id, Error{ErrorCode::BadReply, 0, "expected '" + done + "' for room " +
                                                                               std::to_string(pending.room) + ": " + data.dump()}});
    return;
  }
  out.push_back(RequestDone{pending.id, pending.room});
}

}  // namespace moim::sfu
