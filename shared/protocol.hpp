// Moim wire protocol: typed messages <-> JSON text frames.
// Pure C++ (standard library + nlohmann/json); compiled into the browser client and the server alike.
// Decoding never throws: every malformed input becomes an Error with a stable code.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::proto {

inline constexpr int kVersion = 3;
// Client messages larger than this are answered with error "message-too-large" and otherwise ignored.
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;
// Server messages may be larger: a welcome lists every room (10,000 rooms are about 700 KB).
inline constexpr std::size_t kMaxServerMessageBytes = 4 * 1024 * 1024;

// Ids are never reused (the server keeps its counters on disk), so they must never run out: 53 bits,
// the integers a JavaScript number holds exactly, last thousands of years at a million joins a second.
using PeerId = std::uint64_t;
using RoomId = std::uint64_t;
inline constexpr std::uint64_t kMaxId = (std::uint64_t{1} << 53) - 1;

inline constexpr std::size_t kMinNameChars = 1, kMaxNameChars = 32;
inline constexpr std::size_t kMinRoomNameChars = 1, kMaxRoomNameChars = 48;
inline constexpr std::uint32_t kMinCapacity = 2, kMaxCapacity = 50, kDefaultCapacity = 6;
// Rooms up to a server's mesh_max people are mesh rooms (every browser sends to every other); bigger
// ones are large rooms, whose media goes through the server's SFU (Janus VideoRoom). The default
// mesh_max; a server may set it from kMinCapacity to its max_capacity, and never above
// kMaxMeshCapacity (--mesh-max): the client opens at most kMaxMeshCapacity - 1 peer connections
// (shared/peer_table.hpp, signaling.hpp), the mesh's limit before large rooms existed.
inline constexpr std::uint32_t kDefaultMeshMax = 6, kMaxMeshCapacity = 8;
// Room passwords, in bytes of UTF-8 (argon2id takes any bytes; the cap bounds hashing work).
inline constexpr std::size_t kMaxPasswordBytes = 256;
// Session and owner tokens are short printable strings; anything longer is refused unread.
inline constexpr std::size_t kMaxTokenBytes = 256;
// The ICE configuration a server may send (message "ice"): at most this many servers, URLs per server,
// bytes per URL and per username or credential. A longer list is refused, not cut.
inline constexpr std::size_t kMaxIceServers = 8, kMaxIceUrls = 8, kMaxIceUrlBytes = 512, kMaxIceSecretBytes = 256;

// ---- errors -------------------------------------------------------------------------------------
// Every error has a stable code and a class that fixes the policy:
//   user     - the person asked for something not allowed (name taken, room full); shown in the UI.
//   protocol - the peer sent something malformed; answered, logged, connection kept.
//   internal - our bug or resource exhaustion; answered, logged loudly.
enum class ErrorClass { User, Protocol, Internal };

enum class ErrorCode {
  // user
  NameInvalid,        // display name empty, too long, or contains control characters
  RoomNameInvalid,    // room name empty, too long, or contains control characters
  RoomNameTaken,      // a room with that name (case-insensitive) exists
  CapacityInvalid,    // capacity outside [kMinCapacity, kMaxCapacity]
  RoomNotFound,       // join to a room id that does not exist
  RoomFull,           // room already has `capacity` participants
  AlreadyInRoom,      // join while already in a room
  NotInRoom,          // leave / signal / media while not in a room
  TooManyRooms,       // server-wide room limit reached
  SessionExpired,     // resume with a token whose session is over: join again as a new peer
  PasswordRequired,   // join to a locked room without a password
  PasswordWrong,      // join with the wrong password
  TooManyAttempts,    // too many wrong passwords from this address, or for this room from it: wait and retry
  RoomQuota,          // this address created too many rooms (this hour, or still existing)
  NotOwner,           // rename / delete without the room's owner token
  LargeRoomsUnavailable,  // create-room above limits.meshMax while large rooms are unavailable (no media server)
  LargeRoomMediaPending,  // no longer sent (large rooms are joined since their media relay); kept for old catalogs
  // protocol
  BadJson,            // not parseable JSON, or not a JSON object
  BadUtf8,            // text is not valid UTF-8
  MessageTooLarge,    // over kMaxMessageBytes
  BinaryNotSupported, // binary WebSocket frame
  MissingType,        // no "type" string
  UnknownType,        // "type" is not a known message
  BadField,           // a required field is missing or has the wrong JSON type / range
  SpoofedSender,      // client set "from" on a signal: the server alone sets senders
  PeerNotFound,       // signal to a peer that is not in the sender's room
  HelloRequired,      // first message must be hello
  VersionMismatch,    // hello with another protocol version
  RateLimited,        // more messages per second than the server allows one connection
  SignalTooLarge,     // an SDP or candidate over the server's limit
  NotInLargeRoom,     // media-signal / media-restart / media-layers / peer-message outside a large room
  PeerMessageTooLarge,  // a peer-message's data over kMaxPeerMessageDataBytes
  // internal
  Internal,
  ServerBusy,         // the server is overloaded (e.g. password checks queued): retry shortly
  MediaFailed,        // the media server refused or did not answer a large room's negotiation: media starts over
  // (the last enumerator: error_code_from_string walks up to it)
};

ErrorClass classify(ErrorCode code);
std::string_view to_string(ErrorCode code);
std::optional<ErrorCode> error_code_from_string(std::string_view text);
std::string_view to_string(ErrorClass cls);
std::ostream& operator<<(std::ostream& os, ErrorCode code);
std::ostream& operator<<(std::ostream& os, ErrorClass cls);

// ---- shared records -----------------------------------------------------------------------------
// How a room's media flows, fixed when it is created: Mesh (browser to browser) or Sfu (a "large
// room": through the server's media server). Wire names "mesh" and "sfu".
// Inline: the room store (server/, without the codec) keeps modes by these names.
enum class RoomMode { Mesh, Sfu };
inline std::string_view to_string(RoomMode mode) { return mode == RoomMode::Sfu ? "sfu" : "mesh"; }
inline std::optional<RoomMode> room_mode_from_string(std::string_view text) {
  if (text == "mesh") return RoomMode::Mesh;
  if (text == "sfu") return RoomMode::Sfu;
  return std::nullopt;
}
inline std::ostream& operator<<(std::ostream& os, RoomMode mode) { return os << to_string(mode); }
// The one mode rule: a room for more than mesh_max people is a large room.
inline RoomMode room_mode_for(std::uint32_t capacity, std::uint32_t mesh_max) {
  return capacity > mesh_max ? RoomMode::Sfu : RoomMode::Mesh;
}

struct RoomInfo {
  RoomId id = 0;
  std::string name;
  std::uint32_t participants = 0;
  std::uint32_t capacity = kDefaultCapacity;
  bool locked = false;  // a password is needed to join
  RoomMode mode = RoomMode::Mesh;
  bool operator==(const RoomInfo&) const = default;
};

struct PeerInfo {
  PeerId id = 0;
  std::string name;
  bool mic = true;
  bool camera = true;
  bool operator==(const PeerInfo&) const = default;
};

enum class SignalKind { Offer, Answer, Candidate };
std::string_view to_string(SignalKind kind);
std::ostream& operator<<(std::ostream& os, SignalKind kind);

struct IceCandidate {
  std::string candidate;  // "candidate:..." line; empty string = end of candidates
  std::string sdp_mid;
  int sdp_mline_index = 0;
  bool operator==(const IceCandidate&) const = default;
};

// A negotiation message between two peers. `peer` is the destination when a client sends it and the
// sender (set by the server) when a client receives it.
struct Signal {
  PeerId peer = 0;
  SignalKind kind = SignalKind::Offer;
  std::string sdp;            // offer / answer
  IceCandidate candidate;     // candidate
  // The sender's number for it in this session, from 1 (0: unnumbered); see shared/signal_ledger.hpp.
  std::uint64_t seq = 0;
  bool operator==(const Signal&) const = default;
};

// ---- large rooms: media through the media server (PROTOCOL.md) ----------------------------------
// A browser in a large room has two peer connections, both to the media server: Publish (it offers
// its camera, microphone and screen) and Subscribe (the media server offers everyone else's).
enum class MediaLink { Publish, Subscribe };  // wire "publish" / "subscribe"
std::string_view to_string(MediaLink link);
enum class MediaKind { Audio, Video };        // wire "audio" / "video"
std::string_view to_string(MediaKind kind);
inline constexpr std::size_t kMaxMediaStreams = 200;  // m-lines named in one subscription offer
inline constexpr std::size_t kMaxMidBytes = 64;
// One m-line of a subscription offer: whose media it carries.
struct MediaStream {
  std::string mid;  // the m-line's mid in the offer (1-64 bytes)
  PeerId peer = 0;  // the publisher (a Moim peer id in the same room)
  MediaKind kind = MediaKind::Audio;
  bool screen = false;  // the publisher's screen rather than its camera / microphone (not sent yet: always false)
  bool operator==(const MediaStream&) const = default;
};
struct MediaSignal {
  MediaLink link = MediaLink::Publish;
  SignalKind kind = SignalKind::Offer;  // offer | answer | candidate: the same fields as `signal`
  std::string sdp;
  IceCandidate candidate;
  std::vector<MediaStream> streams;  // server -> client, with a subscription offer: every active m-line with media
  bool operator==(const MediaSignal&) const = default;
};
// Whether a client may send this kind on this link: publish offer / candidate, subscribe answer / candidate.
bool client_may_send(MediaLink link, SignalKind kind);

// ---- large rooms: peer messages through the server (PROTOCOL.md, "Peer messages") ---------------
// A large room has no peer-to-peer connections, so what browsers say to each other (the chat: the
// "moim" data channel's messages, shared/peer_protocol.hpp) goes through the server. The server sets
// the sender and reads nothing of `data` but its size: the same bound as a data channel message
// (p2p::kMaxPeerMessageBytes; shared/peer_protocol.hpp includes this file, so it is repeated here).
inline constexpr std::size_t kMaxPeerMessageDataBytes = 32 * 1024;

// ---- client -> server ---------------------------------------------------------------------------
struct Hello { int version = kVersion; bool operator==(const Hello&) const = default; };
struct CreateRoom {
  std::string name;
  std::uint32_t capacity = kDefaultCapacity;
  std::string password;  // "" = anyone may join
  bool operator==(const CreateRoom&) const = default;
};
struct Join {
  RoomId room = 0;
  std::string name;
  bool mic = true;
  bool camera = true;
  std::string password;  // for locked rooms
  // A random id the browser keeps (localStorage): a second tab joining the same room with the same
  // id replaces the first one's session. "" = no such rule.
  std::string client;
  bool operator==(const Join&) const = default;
};
// Takes back a session after the connection dropped (see PROTOCOL.md, "Resume").
struct Resume {
  std::string token;
  std::string name;
  bool mic = true;
  bool camera = true;
  std::string client;
  std::uint64_t seen = 0;  // the last signal number received from the server in this session
  bool operator==(const Resume&) const = default;
};
struct Ping {
  std::uint64_t seen = 0;  // in a call: the last signal number received from the server
  bool operator==(const Ping&) const = default;
};
struct RenameRoom {
  RoomId room = 0;
  std::string name;
  std::string owner;  // the owner token from room-created
  bool operator==(const RenameRoom&) const = default;
};
struct DeleteRoom {
  RoomId room = 0;
  std::string owner;
  bool operator==(const DeleteRoom&) const = default;
};
struct Leave { bool operator==(const Leave&) const = default; };
struct SendSignal { Signal signal; bool operator==(const SendSignal&) const = default; };  // signal.peer = destination
struct SetMedia { bool mic = true; bool camera = true; bool operator==(const SetMedia&) const = default; };
// "media-signal" (large rooms): to the media server on one of our two links (no streams).
struct SendMediaSignal { MediaSignal signal; bool operator==(const SendMediaSignal&) const = default; };
// "media-restart": send a new subscription offer with fresh ICE credentials (an ICE restart).
struct RestartMedia {
  // false: an ICE restart of the subscription (a new offer with fresh credentials); true: the browser
  // lost one of its media connections (an operation on it failed): its media starts over from new
  // handles, as after media-failed.
  bool fresh = false;
  bool operator==(const RestartMedia&) const = default;
};
// "media-layers" (large rooms): which simulcast layer of each person's camera we want, for the size
// we draw it at (shared/sfu_layers.hpp). Only changes need to be sent; the server keeps the rest.
enum class MediaLayer { Low, Medium, High };  // wire "low" / "medium" / "high"
std::string_view to_string(MediaLayer layer);
inline constexpr std::size_t kMaxLayerWishes = 64;  // entries in one media-layers
struct LayerWish {
  PeerId peer = 0;
  MediaLayer layer = MediaLayer::High;
  bool operator==(const LayerWish&) const = default;
};
struct SetMediaLayers { std::vector<LayerWish> layers; bool operator==(const SetMediaLayers&) const = default; };
// "peer-message" (large rooms): a peer message (its JSON text) to one person in the room (`to`), or
// to everyone else in it (to = 0: the wire has no "to").
struct SendPeerMessage {
  PeerId to = 0;
  std::string data;
  bool operator==(const SendPeerMessage&) const = default;
};

using ClientMessage = std::variant<Hello, CreateRoom, Join, Leave, SendSignal, SetMedia, Resume, Ping, RenameRoom,
                                   DeleteRoom, SendMediaSignal, RestartMedia, SetMediaLayers, SendPeerMessage>;

// ---- server -> client ---------------------------------------------------------------------------
// What this server accepts, so the UI can say so before asking, and its timings, so the client has
// no copy of them (docs/PROTOCOL.md, "Heartbeats", "Resume").
struct Limits {
  std::uint32_t max_name_chars = kMaxNameChars;
  std::uint32_t max_room_name_chars = kMaxRoomNameChars;
  std::uint32_t max_capacity = kMaxCapacity;
  std::uint32_t heartbeat_ms = 0;     // the client pings this often (a quarter of the server's timeout)
  std::uint32_t resume_grace_ms = 0;  // a lost session is held this long for a resume
  // Rooms up to mesh_max people are mesh rooms; bigger ones (up to max_capacity) are large rooms,
  // which can be created only while large_rooms is true (a media server configured and reachable).
  std::uint32_t mesh_max = kDefaultMeshMax;
  bool large_rooms = false;
  bool operator==(const Limits&) const = default;
};
// The limits again, when they change after the welcome (large rooms becoming available or not).
struct LimitsChanged { Limits limits; bool operator==(const LimitsChanged&) const = default; };
struct Welcome {
  int version = kVersion;
  std::vector<RoomInfo> rooms;
  Limits limits;
  bool operator==(const Welcome&) const = default;
};
struct RoomCreated {
  RoomInfo room;
  std::string owner;  // owner token: keep it to rename or delete the room later
  bool operator==(const RoomCreated&) const = default;
};
struct RoomUpdated { RoomInfo room; bool operator==(const RoomUpdated&) const = default; };
struct Joined {
  RoomInfo room;
  PeerInfo self;
  std::string token;  // session token: lets a dropped connection resume later (see PROTOCOL.md)
  std::vector<PeerInfo> peers;  // everyone else already in the room
  bool operator==(const Joined&) const = default;
};
struct PeerJoined {
  PeerInfo peer;
  bool resumed = false;  // the same session as before a server restart: keep its peer connection
  bool operator==(const PeerJoined&) const = default;
};
// The answer to a successful resume. `restored`: the server restarted and rebuilt the session from
// the token; peers not listed may still be on their way back (keep them for the grace window).
struct Resumed {
  RoomInfo room;
  PeerInfo self;
  std::string token;
  std::vector<PeerInfo> peers;
  bool restored = false;
  std::uint64_t seen = 0;  // the last signal number the server received from this session
  // Signals sent to us after the resume's `seen` are no longer all kept: restart ICE with the peers.
  bool missed = false;
  bool operator==(const Resumed&) const = default;
};
struct Pong {
  std::uint64_t seen = 0;  // in a call: the last signal number the server received from us
  bool operator==(const Pong&) const = default;
};
// Which ICE servers the browser uses (RTCConfiguration.iceServers / iceTransportPolicy), sent before
// joined and resumed and again before TURN credentials expire (see PROTOCOL.md, "ICE servers").
enum class IcePolicy { All, Relay };  // Relay: only relayed candidates, so peers never see each other's addresses
std::string_view to_string(IcePolicy policy);
struct IceServer {
  std::vector<std::string> urls;  // stun:, stuns:, turn: or turns: URIs
  std::string username;           // TURN only ("" for STUN)
  std::string credential;
  bool operator==(const IceServer&) const = default;
};
struct IceConfig {
  std::vector<IceServer> servers;
  IcePolicy policy = IcePolicy::All;
  std::uint64_t expires = 0;  // unix seconds when the TURN credentials expire; 0 = they do not
  bool has_turn() const;      // any turn: or turns: URL
  bool operator==(const IceConfig&) const = default;
};
// A fresh session token for the call this connection is in (tokens have a maximum age; see PROTOCOL.md).
struct SessionToken { std::string token; bool operator==(const SessionToken&) const = default; };
struct RoomRemoved { RoomId room = 0; bool operator==(const RoomRemoved&) const = default; };  // deleted or expired
struct PeerLeft { PeerId peer = 0; bool operator==(const PeerLeft&) const = default; };
struct RelayedSignal { Signal signal; bool operator==(const RelayedSignal&) const = default; };  // signal.peer = sender
struct PeerMedia { PeerId peer = 0; bool mic = true; bool camera = true; bool operator==(const PeerMedia&) const = default; };
enum class LeftReason { Requested, Replaced, RoomDeleted };
std::string_view to_string(LeftReason reason);
std::ostream& operator<<(std::ostream& os, LeftReason reason);
struct Left { LeftReason reason = LeftReason::Requested; bool operator==(const Left&) const = default; };
struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  std::string request;  // the "type" of the request that failed, when known
  bool operator==(const Error&) const = default;
};

// "media-signal" (large rooms): from the media server, on one of our two links: the publish answer,
// a subscription offer (with its streams), candidates if the media server trickles them.
struct RelayedMediaSignal { MediaSignal signal; bool operator==(const RelayedMediaSignal&) const = default; };
// "media-state": the server's link to the media server. Down: it dropped (keep the peer connections);
// Up: back with nothing lost; Reset: back, but every stream was lost: publish again from scratch and
// expect a new subscription offer.
enum class MediaServerState { Up, Down, Reset };  // wire "up" / "down" / "reset"
std::string_view to_string(MediaServerState state);
struct MediaState { MediaServerState state = MediaServerState::Up; bool operator==(const MediaState&) const = default; };

// "peer-message" (large rooms): a peer message from `from`, who the server says it is.
struct RelayedPeerMessage {
  PeerId from = 0;
  std::string data;
  bool operator==(const RelayedPeerMessage&) const = default;
};

using ServerMessage = std::variant<Welcome, RoomCreated, RoomUpdated, Joined, PeerJoined, PeerLeft, RelayedSignal,
                                   PeerMedia, Left, Error, Resumed, Pong, RoomRemoved, SessionToken, IceConfig,
                                   LimitsChanged, RelayedMediaSignal, MediaState, RelayedPeerMessage>;

// ---- codec --------------------------------------------------------------------------------------
template <typename T>
struct Decoded {
  std::optional<T> message;
  Error error;  // meaningful only when !message
  bool ok() const { return message.has_value(); }
};

std::string encode(const ClientMessage& msg);
std::string encode(const ServerMessage& msg);
Decoded<ClientMessage> decode_client(std::string_view text);
Decoded<ServerMessage> decode_server(std::string_view text);

// The "type" string of a message, as on the wire.
std::string_view type_name(const ClientMessage& msg);
std::string_view type_name(const ServerMessage& msg);

// ---- text rules shared by client and server -----------------------------------------------------
bool is_valid_utf8(std::string_view text);
std::size_t utf8_length(std::string_view text);  // code points; text must be valid UTF-8
std::string trim(std::string_view text);          // strips ASCII and Unicode spaces at both ends
// Whether valid UTF-8 `text` holds a control character (C0, DEL, C1); `allow_line_breaks`: newline
// and tab do not count (chat text, shared/peer_protocol.hpp).
bool has_control_characters(std::string_view text, bool allow_line_breaks = false);
// The one rule for names (docs/PROTOCOL.md, "Names and capacity"), used by the server and the client
// alike: trimmed first, then 1 to `max_chars` code points (a server's limit; never more than the
// protocol's), no control characters. `fault` says why a name is refused, for the UI's words.
enum class NameFault { None, Empty, TooLong, Invalid };  // Invalid: control characters, or not UTF-8
struct CheckedName {
  std::string name;  // trimmed (empty when not UTF-8); the name to use when ok()
  NameFault fault = NameFault::None;
  bool ok() const { return fault == NameFault::None; }
};
CheckedName check_display_name(std::string_view typed, std::size_t max_chars = kMaxNameChars);
CheckedName check_room_name(std::string_view typed, std::size_t max_chars = kMaxRoomNameChars);
// The trimmed name, or nullopt when it breaks the rule.
std::optional<std::string> normalize_display_name(std::string_view name, std::size_t max_chars = kMaxNameChars);
std::optional<std::string> normalize_room_name(std::string_view name, std::size_t max_chars = kMaxRoomNameChars);
bool is_valid_capacity(std::uint32_t capacity);
// Case-folded key used for room-name uniqueness (ASCII case-insensitive; other scripts compared as-is).
std::string room_name_key(std::string_view normalized_name);

}  // namespace moim::proto
