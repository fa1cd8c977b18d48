// moim-server's link to Janus (the VideoRoom SFU): one Janus API session over one WebSocket
// (subprotocol "janus-protocol"), with one handle attached to the VideoRoom plugin for room
// administration, kept alive, noticed when lost, and made again when Janus is back.
//
//   effects = link.handle(event, now_ms)
//
// No socket, clock or randomness inside (std and nlohmann/json only): each call says what time it is
// (milliseconds, any monotonic origin), the transport (janus_client.hpp: Beast, one strand) feeds the
// socket's events and Janus's messages and carries out the effects, so every transition is a native
// table test (tests/unit/janus_link_test.cpp).
//
// Rules:
//  - Start opens a socket. Start with an earlier session (the caller's previous run, restarted) claims
//    that one first, its handles the caller's again: claimed, SessionUp{Reclaimed} and nothing was
//    lost; Janus not knowing it, a new session as after any loss (Replaced, RecreateRooms). Opened, a session is created ("create") and the VideoRoom plugin attached
//    ("attach"); then the link is ready (SessionUp). A socket that does not open within
//    connect_timeout_ms is dropped and tried again.
//  - Every request carries the API secret and a transaction: "r<id>" for the caller's requests (the
//    caller numbers them; an id still in flight is refused), "k<n>" for the link's own. Each has a
//    deadline (request_timeout_ms); a tick past it fails the request with `timeout`. One of the link's
//    own requests timing out means Janus is not answering: the socket is dropped and made again.
//  - Keepalive: while ready, a "keepalive" every keepalive_ms (Janus drops a session that sends
//    nothing for its session_timeout, 60 s by default; scripts/janus.sh's default).
//  - Rooms: CreateRoom / DestroyRoom become VideoRoom "create" (with the plugin's admin_key, the room's
//    secret, is_private, not permanent) and "destroy" (with the room's secret). Answered with
//    RequestDone or RequestFailed, whose code is stable (ErrorCode). Requests while not ready fail at
//    once with `unavailable`: nothing is queued for a Janus that may never come.
//  - Losses: the socket closing (or dropped for a timeout) fails everything in flight with
//    `connection-lost`, says SessionDown if the link was ready, and schedules the next try after
//    backoff_first_ms, doubling up to backoff_cap_ms (reset once ready again). On the new socket
//    the old session is claimed first ("claim": Janus keeps a session whose socket dropped for its
//    reclaim_session_timeout): claimed, nothing was lost (SessionUp{Reclaimed}). Janus not knowing
//    it (458: Janus restarted, or the session timed out) means a new session (SessionUp{Replaced})
//    and RecreateRooms: Janus may have forgotten every room (a restart) and the owner makes them
//    again (a room still there answers `room-exists`, which is as good).
//  - Janus dropping the session while the socket stays (a "timeout" event, 458 or 459 to a request,
//    our handle "detached") fails what is in flight with `session-lost`, says SessionDown and makes a
//    new session on the same socket (SessionUp{Replaced} and RecreateRooms).
//  - Stop fails what is in flight with `stopped` and closes the socket; the session is not destroyed
//    (Janus ends it after its reclaim timeout), and nothing happens after.
//  - Handles (the media relay's, sfu/media_sessions.hpp): AttachHandle attaches one more VideoRoom
//    handle (HandleAttached), DetachHandle detaches one (RequestDone). PluginMessage sends a body (and
//    a jsep, if any) to a handle; VideoRoom answers at once ("success") or later ("ack", then an
//    "event" with the same transaction, possibly with a jsep): either is PluginReply with the
//    plugin's data and the jsep; an error (core, or the plugin's error_code) is RequestFailed.
//    Trickle gives a handle one candidate ({"completed":true}: the end); Janus's "ack" is RequestDone.
//    A 459 (no such handle) to one of these fails that request only: the session is fine.
//  - Janus's own events about one of those handles (attached by the caller in this session) (no transaction: "event", "webrtcup", "hangup",
//    "media", "slowlink", "detached", "trickle") are HandleEvent, keyed by the handle ("sender").
//    Events about the link's own handle are not: its "detached" is a lost session (above).
//  - Whatever Janus sends that is not JSON, not an answer to a transaction in flight, or about another
//    session is ignored (logged, at most once per kind of oddity until the link is ready again).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::sfu {

using RequestId = std::uint64_t;
using JanusId = std::uint64_t;  // session, handle and room ids (Janus's guint64)

inline constexpr std::string_view kSubprotocol = "janus-protocol";
inline constexpr std::string_view kVideoRoomPlugin = "janus.plugin.videoroom";
// The largest room id asked for: JSON numbers above 2^53 lose precision in many readers.
inline constexpr JanusId kMaxRoomId = (JanusId{1} << 53) - 1;
inline constexpr std::size_t kMaxSecretBytes = 256;
inline constexpr int kMaxPublishers = 100;

struct Config {
  std::string api_secret;  // Janus's api_secret ("" = Janus has none)
  std::string admin_key;   // the VideoRoom plugin's admin_key ("" = none)
  std::int64_t keepalive_ms = 15000;
  std::int64_t request_timeout_ms = 10000;
  std::int64_t connect_timeout_ms = 5000;
  std::int64_t backoff_first_ms = 250;
  std::int64_t backoff_cap_ms = 4000;
  // The caller's requests in flight at once (more: `busy`): room requests and the media relay's (a
  // few per large-room participant, and its candidates).
  std::size_t max_pending = 2048;
  // Put before every transaction ("<prefix>r<id>", "<prefix>k<n>"): a different one per run of
  // moim-server, so that an answer Janus sends late for a request of the previous run (its session
  // claimed back) is not taken for a request of this one with the same number.
  std::string transaction_prefix;
};

// Why a request failed. The names (to_string) are stable: logs and, later, the protocol use them.
enum class ErrorCode {
  Unavailable,       // "unavailable": no session with Janus now (not yet connected, or Janus is down)
  Timeout,           // "timeout": no answer within request_timeout_ms
  ConnectionLost,    // "connection-lost": the socket dropped before the answer came
  SessionLost,       // "session-lost": Janus dropped our session or handle before answering
  Unauthorized,      // "unauthorized": Janus refused the API secret (core 403)
  RoomUnauthorized,  // "room-unauthorized": wrong room secret or admin key (VideoRoom 433)
  NoSuchRoom,        // "no-such-room" (VideoRoom 426)
  RoomExists,        // "room-exists" (VideoRoom 427)
  BadRequest,        // "bad-request": Janus or this link found the request malformed (a bug of ours)
  BadReply,          // "bad-reply": Janus's answer could not be read
  Busy,              // "busy": max_pending requests already in flight
  Stopped,           // "stopped": the link was stopped
  JanusError,        // "janus-error": any other error Janus reported (its code is kept)
};
std::string_view to_string(ErrorCode code);
std::ostream& operator<<(std::ostream& os, ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::JanusError;
  int janus_code = 0;  // Janus's own error code, 0 if none
  std::string reason;  // Janus's words, or ours
  bool operator==(const Error&) const = default;
};

// Janus's error code (core or VideoRoom) as one of ours.
ErrorCode classify(int janus_code);

enum class Phase {
  Idle,        // not started
  Connecting,  // the socket is opening
  Claiming,    // opened: asking for the previous session back
  Creating,    // creating a session
  Attaching,   // attaching the VideoRoom plugin
  Ready,       // session and handle: requests go out
  Waiting,     // no socket; the next try is at retry_at()
  Stopped,
};
std::string_view to_string(Phase phase);

enum class SessionKind {
  First,      // the first session of this link
  Reclaimed,  // the previous session, claimed back over a new socket: nothing was lost
  Replaced,   // a new session after the previous one was lost: rooms may be gone (RecreateRooms)
};
std::string_view to_string(SessionKind kind);

// ---- events -------------------------------------------------------------------------------------
// A session of the caller's previous run (moim-server restarted), to claim back.
struct EarlierSession {
  JanusId session = 0;
  JanusId handle = 0;             // its VideoRoom handle for rooms
  std::set<JanusId> handles;      // the caller's handles in it (the media relay's)
  bool operator==(const EarlierSession&) const = default;
};
struct Start { std::optional<EarlierSession> earlier; };
struct Stop {};
struct SocketOpened {};                       // connected, and the handshake accepted janus-protocol
struct SocketClosed { std::string reason; };  // could not open, or dropped (not after CloseSocket)
struct MessageReceived { std::string text; };  // one text message from Janus
struct Tick {};                                // time passes (the transport ticks a few times a second)
// The caller's requests, numbered by the caller.
struct CreateRoom {
  RequestId id = 0;
  JanusId room = 0;           // 1 .. kMaxRoomId
  std::string secret;         // the room's secret: needed to destroy or change it (1-256 bytes)
  int publishers = 6;         // most publishers at once (1 .. kMaxPublishers)
  std::string description;    // Janus's label, for its logs and lists
};
struct DestroyRoom {
  RequestId id = 0;
  JanusId room = 0;
  std::string secret;
};

// The media relay's requests (numbered by the caller, in the same space as the rooms').
struct AttachHandle { RequestId id = 0; };
struct DetachHandle { RequestId id = 0; JanusId handle = 0; };
struct PluginMessage {
  RequestId id = 0;
  JanusId handle = 0;
  nlohmann::json body;  // VideoRoom's request, an object
  nlohmann::json jsep;  // null: none; else {"type":"offer"|"answer","sdp":...}
};
struct Trickle {
  RequestId id = 0;
  JanusId handle = 0;
  nlohmann::json candidate;  // {"candidate","sdpMid","sdpMLineIndex"} or {"completed":true}
};

using Event = std::variant<Start, Stop, SocketOpened, SocketClosed, MessageReceived, Tick, CreateRoom, DestroyRoom,
                           AttachHandle, DetachHandle, PluginMessage, Trickle>;

// ---- effects ------------------------------------------------------------------------------------
struct OpenSocket { bool operator==(const OpenSocket&) const = default; };
struct Send { nlohmann::json message; bool operator==(const Send&) const = default; };  // one text message
// Drop the socket now; no event of that socket is fed in afterwards.
struct CloseSocket { bool operator==(const CloseSocket&) const = default; };
struct RequestDone { RequestId id = 0; JanusId room = 0; bool operator==(const RequestDone&) const = default; };
struct RequestFailed { RequestId id = 0; Error error; bool operator==(const RequestFailed&) const = default; };
struct HandleAttached { RequestId id = 0; JanusId handle = 0; bool operator==(const HandleAttached&) const = default; };
// VideoRoom's answer to a PluginMessage: plugindata.data, and the jsep (null: none).
struct PluginReply {
  RequestId id = 0;
  JanusId handle = 0;
  nlohmann::json data;
  nlohmann::json jsep;
  bool operator==(const PluginReply&) const = default;
};
// Janus said something about one of the caller's handles without being asked: `janus` is the kind
// ("event", "webrtcup", "hangup", "media", "slowlink", "detached", "trickle"), `data` plugindata.data
// for an "event" (else the whole message), `jsep` the event's jsep (null: none).
struct HandleEvent {
  JanusId handle = 0;
  std::string janus;
  nlohmann::json data;
  nlohmann::json jsep;
  bool operator==(const HandleEvent&) const = default;
};
struct SessionUp {
  JanusId session = 0;
  JanusId handle = 0;
  SessionKind kind = SessionKind::First;
  bool operator==(const SessionUp&) const = default;
};
// Janus may have lost every room (it restarted): the owner creates its rooms again.
struct RecreateRooms { bool operator==(const RecreateRooms&) const = default; };
struct SessionDown { std::string reason; bool operator==(const SessionDown&) const = default; };
struct Log {
  enum class Level { Info, Warn, Error };
  Level level = Level::Info;
  std::string text;
  bool operator==(const Log&) const = default;
};

using Effect = std::variant<OpenSocket, Send, CloseSocket, RequestDone, RequestFailed, SessionUp, RecreateRooms,
                            SessionDown, Log, HandleAttached, PluginReply, HandleEvent>;
using Effects = std::vector<Effect>;

std::ostream& operator<<(std::ostream& os, const Event& event);
std::ostream& operator<<(std::ostream& os, const Effect& effect);

// ---- where Janus is -----------------------------------------------------------------------------
struct JanusUrl {
  std::string host;    // a name, an IPv4 address or an IPv6 address (without brackets)
  std::string port;    // digits; 8188 when the URL has none
  std::string target;  // the path, "/" when the URL has none
  bool operator==(const JanusUrl&) const = default;
};
// ws://host[:port][/path] (wss:// is not supported yet). nullopt and the reason otherwise.
std::optional<JanusUrl> parse_url(std::string_view text, std::string* why = nullptr);
std::string to_string(const JanusUrl& url);

class Link {
 public:
  explicit Link(Config config);

  Effects handle(const Event& event, std::int64_t now_ms);

  Phase phase() const { return phase_; }
  bool ready() const { return phase_ == Phase::Ready; }
  JanusId session() const { return session_; }
  JanusId handle_id() const { return handle_; }
  std::int64_t retry_at() const { return retry_at_; }  // in Waiting: the next try
  int attempts() const { return attempts_; }           // tries since the link was last ready
  std::size_t in_flight() const { return pending_.size(); }
  const Config& config() const { return config_; }

 private:
  enum class Kind { Claim, Create, Attach, Keepalive, CreateRoom, DestroyRoom, AttachHandle, DetachHandle, Message, Trickle };
  static bool is_callers(Kind kind) { return kind >= Kind::CreateRoom; }
  struct Pending {
    Kind kind;
    RequestId id = 0;  // the caller's, for CreateRoom / DestroyRoom and the handle requests
    JanusId room = 0;
    std::int64_t deadline = 0;
    JanusId handle = 0;  // the handle asked (Message, Trickle, DetachHandle)
  };

  void on(const Start&, Effects& out);
  void on(const Stop&, Effects& out);
  void on(const SocketOpened&, Effects& out);
  void on(const SocketClosed& e, Effects& out);
  void on(const MessageReceived& e, Effects& out);
  void on(const Tick&, Effects& out);
  void on(const CreateRoom& e, Effects& out);
  void on(const DestroyRoom& e, Effects& out);
  void on(const AttachHandle& e, Effects& out);
  void on(const DetachHandle& e, Effects& out);
  void on(const PluginMessage& e, Effects& out);
  void on(const Trickle& e, Effects& out);
  void answer_handle(Pending pending, const nlohmann::json& message, Effects& out);
  void send_caller(Kind kind, RequestId id, JanusId handle, nlohmann::json message, Effects& out);

  void open(Effects& out);
  // The socket is gone (closed by Janus, or dropped by us when `drop`): fail what is in flight,
  // schedule the next try.
  void lose_socket(std::string reason, bool drop, Effects& out);
  // Janus no longer knows our session (or handle): fail what is in flight, make a new one.
  void lose_session(std::string reason, Effects& out);
  void fail_all(ErrorCode code, const std::string& reason, Effects& out);
  void send_own(Kind kind, nlohmann::json message, Effects& out);
  void send_session_request(Effects& out);
  void become_ready(Effects& out);
  void answer(const std::string& transaction, Pending pending, const nlohmann::json& message, Effects& out);
  void answer_own(Pending pending, const nlohmann::json& message, Effects& out);
  void answer_room(Pending pending, const nlohmann::json& message, Effects& out);
  void oddity(const std::string& what, Effects& out);
  // Why a caller's request cannot go out now (`bad`: what is wrong with it, if anything); nullopt: it can.
  std::optional<Error> refusal(const std::string& transaction, std::string bad) const;
  void send_room_request(Kind kind, RequestId id, JanusId room, nlohmann::json body, Effects& out);
  nlohmann::json request(std::string_view janus, const std::string& transaction) const;

  Config config_;
  Phase phase_ = Phase::Idle;
  std::int64_t now_ = 0;
  std::int64_t connect_deadline_ = 0;
  std::int64_t retry_at_ = 0;
  std::int64_t next_keepalive_ = 0;
  int attempts_ = 0;
  JanusId session_ = 0;  // the current session, or the lost one to claim
  JanusId handle_ = 0;
  bool ever_ready_ = false;
  bool replaced_ = false;  // the next SessionUp replaces a lost session
  std::uint64_t own_seq_ = 0;
  std::map<std::string, Pending> pending_;  // by transaction
  std::size_t caller_pending_ = 0;
  std::vector<std::string> oddities_;       // logged since the link was last ready
  std::set<JanusId> handles_;               // the caller's handles in this session (HandleEvent)
};

}  // namespace moim::sfu
