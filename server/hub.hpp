// The hub: every connection's messages go through here. It owns the room registry, assigns peer ids,
// sets the sender of every relayed signal and decides who receives what.
// No Asio in this file: input is (connection, text), output is a list of frames to send and
// connections to close, so tests and fuzzers drive it without sockets.
//
// Hub is one class whose flows are kept by role, each in its own file, over parts that hold their own
// state (and have their own tests):
//   hub.cpp           message dispatch and fan-out: connections, hello, signals, media, the lobby's
//                     room-list batches, what goes to whom; the tick
//   hub_sessions.cpp  sessions: join, leave, resume (held, restored after a restart), the second-tab
//                     rule, session tokens and ICE credentials      (state: session_table.hpp)
//   hub_rooms.cpp     room administration: create, rename, delete, expiry   (state: room_records.hpp)
//   hub_large_rooms.cpp  large rooms (capacity over mesh_max): their Janus rooms made before they are
//                     listed, destroyed with them, made again after Janus restarts; whether they
//                     are available                                 (state: sfu/large_rooms.hpp)
//   hub_media.cpp     large rooms' media: each participant's two Janus handles and its browser's
//                     negotiation with them (media-signal, media-restart, media-state)
//                                                                    (state: sfu/media_sessions.hpp)
//   hub_peer_messages.cpp  large rooms' peer messages (the chat): from one participant to one or to
//                     everyone else in its room, the sender set by the server
//   hub_limits.cpp    rate limits, room quotas, password jobs and their throttling
//                                                                    (state: address_book.hpp)
//   signal_fast_path  the relay's specialized signal reader and writer
#pragma once

#include "address_book.hpp"
#include "hub_output.hpp"
#include "ice_servers.hpp"
#include "password_pool.hpp"
#include "protocol.hpp"
#include "room_records.hpp"
#include "room_registry.hpp"
#include "room_store.hpp"
#include "secrets.hpp"
#include "session_table.hpp"
#include "token_bucket.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace moim {

struct HubConfig {
  RoomRegistry::Limits registry;  // max_rooms: --max-rooms
  std::size_t max_message_bytes = proto::kMaxMessageBytes;  // at most the protocol's (--max-message-bytes)
  // Relays signals that are in the exact shape proto::encode writes through a specialized codec
  // (signal_fast_path.hpp) instead of the general one (JSON DOM in, JSON DOM out), which was about a
  // third of the server's time when relaying. Same bytes out either way; tests turn it off to compare.
  bool signal_fast_path = true;

  // ---- staying in the call (PROTOCOL.md "Heartbeats", "Resume") ----
  // A connection that sends nothing for this long is lost. Clients ping every quarter of it (the
  // welcome tells them: limits.heartbeatMs), and take the server as gone after three silent quarters.
  std::int64_t heartbeat_timeout_ms = 8000;
  // A lost session is held this long for a resume: the others see nothing unless it runs out
  // (--resume-grace).
  std::int64_t resume_grace_ms = 20000;
  // What is kept for a held session (relayed signals, room events); past this it ends at the next
  // tick (no flags).
  std::size_t max_held_messages = 512;
  std::size_t max_held_bytes = 1 << 20;
  // A session token older than this is refused (--session-max-age). Connections in a call get a fresh
  // one (`token`) when theirs is half that old, so only a token that left with its owner expires.
  std::int64_t session_max_age_s = 300;
  // The ICE servers each connection is told to use (`ice`, before joined / resumed, and again at
  // half the TURN credentials' lifetime). Nothing configured: an empty list (host candidates only).
  // Flags: --stun-port, --stun-uri, --turn-uri, --turn-secret-file, --turn-ttl, --ice-policy.
  server::IceSettings ice;

  // ---- limits (the server flag that sets each is named; those without one are fixed here) ----
  // Per connection, refilled continuously; 0 = no limit (--max-messages-per-second; the burst is 4 x that).
  double messages_per_second = 50;
  double message_burst = 200;  // the bucket's size
  // Requests that cost the server real work (hello, create-room, join, resume, rename-room,
  // delete-room), per client address over all its connections, so reconnecting refills nothing.
  double requests_per_address_per_second = 20;  // 0 = no limit (--max-requests-per-address-per-second)
  double request_burst_per_address = 100;       // 5 x --max-requests-per-address-per-second
  // A repeated hello on one connection (it resends the whole room list) at most this often (no flag).
  std::int64_t rehello_interval_ms = 5000;
  // Room-list changes reach lobby connections in batches, at most one per this interval (flush_lobby;
  // no flag).
  std::int64_t lobby_batch_ms = 100;
  // Rooms one address may create per hour, and may have created that still exist; 0 = no limit
  // (--max-rooms-per-address-per-hour, --max-live-rooms-per-address).
  std::size_t max_rooms_per_address_per_hour = 20;
  std::size_t max_live_rooms_per_address = 50;
  std::size_t max_sdp_bytes = 32 * 1024;   // --max-sdp-bytes
  std::size_t max_candidate_bytes = 1024;  // candidate + sdpMid (no flag)
  // At most the protocol's (--max-name-chars, --max-room-name-chars, --max-capacity).
  std::uint32_t max_name_chars = proto::kMaxNameChars;
  std::uint32_t max_room_name_chars = proto::kMaxRoomNameChars;
  std::uint32_t max_capacity = proto::kMaxCapacity;
  // Rooms up to this many people are mesh rooms; bigger ones are large rooms (--mesh-max, from
  // kMinCapacity to max_capacity).
  std::uint32_t mesh_max = proto::kDefaultMeshMax;
  // A Janus is configured (--janus-url): large rooms can be created while its link is ready.
  bool janus_configured = false;

  // ---- rooms that last ----
  // Unused (empty) this long: removed; 0 = never (--room-expiry-days).
  std::int64_t room_expiry_seconds = 30 * 24 * 3600;

  // ---- passwords (no flags; --password-threads sizes the PasswordPool that runs the jobs) ----
  std::size_t max_password_jobs = 64;           // hashes + checks waiting or running, server-wide
  std::size_t max_password_jobs_per_address = 2;  // the same, from one address
  // Password checks (and hashes for locked rooms) per address per window, counted when they start.
  std::size_t max_failures_per_address = 5;
  std::int64_t failure_window_ms = 60000;
  // Wrong passwords for one room from one address: this many are free, then each next try waits
  // twice as long as the one before (first_delay, 2x, 4x, ...; at most max_delay). Only that address
  // waits: nobody can lock a room's members out.
  std::size_t free_failures_per_room = 3;
  std::int64_t failure_first_delay_ms = 2000;
  std::int64_t failure_max_delay_ms = 300000;

  std::uint32_t peer_id_block = 4096;  // peer ids reserved from the store at a time
  std::uint32_t room_id_block = 64;    // room ids reserved from the store at a time
};

// Argon2id work the hub asks the transport to run off the network thread; results come back through
// Hub::on_password_result with the same id.
using server::PasswordJob;
using server::PasswordResult;

// Everything the hub needs that is not its own state: where rooms and sessions are kept, and the
// server's key.
struct HubServices {
  server::RoomStore& store;
  const server::Secrets& secrets;
};

class Hub {
 public:
  // Loads the stored rooms (expired ones are dropped at the first tick). A store that cannot be read
  // leaves startup_error() set; the server refuses to start then.
  Hub(HubConfig config, HubServices services);

  const std::string& startup_error() const { return startup_error_; }

  // The time, set by the transport before each call (tests set it by hand): a steady clock for
  // timeouts and the wall clock (unix seconds) for what is stored.
  void set_time(std::int64_t steady_ms, std::int64_t unix_seconds);

  // A connection opened from `address` (the client's IP, for per-address limits) with the Host
  // header `host` of its upgrade request (the host its ICE server URIs name). Nothing is sent until
  // it says hello.
  void connect(ConnId conn, std::string_view address = {}, std::string_view host = {});
  // A text frame arrived (any size: oversize frames are answered with an error here).
  HubOutput on_text(ConnId conn, std::string_view text);
  // A binary frame arrived: not part of the protocol.
  HubOutput on_binary(ConnId conn);
  // How a connection ended. A client that closed on purpose (close frame) leaves its room at once;
  // one that was lost (network error, silence) is held for the resume grace window.
  enum class Departure { Closed, Lost };
  // The connection is gone: leave its room (now or after the grace window) and tell the others.
  HubOutput disconnect(ConnId conn, Departure how = Departure::Closed);
  // Called about once a second: silent connections are lost, held sessions past the grace window
  // end, unused rooms expire, tokens are refreshed, failed store writes are retried.
  HubOutput tick();
  // Called every lobby_batch_ms: room-list changes since the last call go to connections in the lobby
  // (not in a call), one room-updated / room-removed per changed room.
  HubOutput flush_lobby();
  // A password job finished (on any thread; the transport brings the result back to this one).
  HubOutput on_password_result(const PasswordResult& result);

  // ---- large rooms and Janus (hub_large_rooms.cpp) ----
  // The link to Janus became ready or stopped being: large rooms are available only while it is
  // ready; every connection that said hello hears the change (`limits`).
  // `kind`: a session claimed back (Reclaimed: nothing lost) or a new one (every media handle gone).
  HubOutput set_janus_ready(bool ready, sfu::SessionKind kind = sfu::SessionKind::First);
  // The Janus session of the previous run, to claim back at start (with the handles of the media it
  // carried, restored from the store); nullopt when there is none (or no Janus is configured).
  std::optional<sfu::EarlierSession> earlier_janus_session() const;
  // The link's session: kept in the store for the next run (a claimed one is there already).
  HubOutput janus_session_up(const sfu::SessionUp& up);
  // Janus may have forgotten every room (it restarted): every large room's Janus room is made again.
  HubOutput recreate_large_rooms();
  // The answers to HubOutput::janus requests.
  HubOutput on_janus_done(sfu::RequestId id);
  HubOutput on_janus_failed(sfu::RequestId id, const sfu::Error& error);
  bool large_rooms_available() const { return config_.janus_configured && janus_ready_; }
  // ---- large rooms' media (hub_media.cpp) ----
  // The answers to HubOutput::media requests, and Janus's events about their handles.
  HubOutput on_media_answer(sfu::RequestId id, const sfu::MediaAnswer& answer);
  HubOutput on_media_event(const sfu::HandleEvent& event);
  const sfu::MediaSessions& media_sessions() const { return media_; }
  const sfu::LargeRooms& large_rooms() const { return large_rooms_; }

  const HubConfig& config() const { return config_; }
  // The built-in STUN responder's UDP port (0: none), known once it is bound (--port 0 picks it).
  void set_stun_port(std::uint16_t port) { config_.ice.stun_port = port; }
  const RoomRegistry& registry() const { return registry_; }
  std::size_t connection_count() const { return conns_.size(); }
  std::size_t held_session_count() const { return sessions_.held_count(); }
  std::size_t pending_password_jobs() const { return pending_.size(); }
  std::size_t restorable_session_count() const { return sessions_.restorable_count(); }

 private:
  struct Conn {
    bool hello = false;
    proto::PeerId peer = 0;  // 0 = not in a room
    std::string address;
    std::int64_t last_heard_ms = 0;
    TokenBucket messages;            // rate limit
    std::int64_t rate_error_ms = -1; // last rate-limited error sent (one a second at most)
    std::int64_t welcomed_ms = -1;   // last welcome sent (a repeated hello waits rehello_interval_ms)
    std::uint64_t password_job = 0;  // a password check in flight for this connection
    // The host that replaces {host} in ICE URIs (uri_host_of the Host header), or why there is none.
    std::optional<std::string> ice_host;
    std::string ice_host_problem;
    bool ice_host_reported = false;  // the problem is logged once per connection
  };
  // What waits for a password job.
  struct Pending {
    ConnId conn = 0;
    std::string address;
    std::variant<proto::CreateRoom, proto::Join> request;
  };

  // The configuration as the hub uses it: limits within the protocol's, blocks of at least one id.
  static HubConfig checked(HubConfig config);

  // ---- dispatch and fan-out (hub.cpp) ----
  HubOutput handle(ConnId conn, Conn& state, const proto::ClientMessage& msg);
  void on_hello(HubOutput& out, ConnId conn, Conn& state, const proto::Hello& hello);
  void on_ping(HubOutput& out, ConnId conn, Conn& state, const proto::Ping& ping);
  void on_signal(HubOutput& out, ConnId conn, Conn& state, const proto::SendSignal& send);
  void on_media(HubOutput& out, ConnId conn, Conn& state, const proto::SetMedia& media);
  void lose_silent_connections(HubOutput& out);
  void reply(HubOutput& out, ConnId conn, const proto::ServerMessage& msg);
  void error(HubOutput& out, ConnId conn, proto::ErrorCode code, std::string message, std::string_view request);
  // A signal's SDP or candidate over the server's limit (a person's or the media server's): refused
  // with signal-too-large; true when it was.
  bool refuse_oversized(HubOutput& out, ConnId conn, proto::SignalKind kind, const std::string& sdp,
                        const proto::IceCandidate& candidate, std::string_view request);
  // The room changed or is gone: the lobby hears of it at the next flush_lobby.
  void room_changed(proto::RoomId room);
  std::shared_ptr<const std::string> welcome();  // the welcome, serialized once per room-list change
  // The connection left its call while still connected: a fresh room list, then `left`.
  void back_to_lobby(HubOutput& out, ConnId conn, proto::LeftReason reason);
  void to_room(HubOutput& out, proto::RoomId room, proto::PeerId except, const proto::ServerMessage& msg);
  // To the peer's connection, or kept for its resume while its session is held.
  void to_peer(HubOutput& out, proto::PeerId peer, std::shared_ptr<const std::string> text);
  void relay(HubOutput& out, proto::PeerId to, proto::PeerId from, const proto::Signal& signal);

  // ---- sessions (hub_sessions.cpp) ----
  void on_join(HubOutput& out, ConnId conn, Conn& state, const proto::Join& req, bool password_checked);
  void on_resume(HubOutput& out, ConnId conn, Conn& state, const proto::Resume& req);
  void on_leave(HubOutput& out, ConnId conn, Conn& state);
  // Ends a session: leaves the registry and tells the room (unless the room itself is going away).
  void end_session(HubOutput& out, proto::PeerId peer);
  // The connection lost its session's attention: hold the session for the grace window.
  void hold_session(Conn& state);
  // Held sessions past the grace window end; connected ones get fresh tokens and TURN credentials.
  void tick_sessions(HubOutput& out);
  std::string session_token(proto::PeerId peer, proto::RoomId room);
  // The `ice` message for this connection as `peer` (fresh TURN credentials).
  void send_ice(HubOutput& out, ConnId conn, proto::PeerId peer);

  // ---- room administration (hub_rooms.cpp) ----
  void load_rooms();  // from the store, at construction; sets startup_error_ when it cannot
  void on_create_request(HubOutput& out, ConnId conn, Conn& state, const proto::CreateRoom& req);
  // Creates the room (its password already hashed, if any).
  void on_create(HubOutput& out, ConnId conn, const proto::CreateRoom& req, std::string password_hash);
  // The room itself (registry, store, answer); `large`: the id and secret of its Janus room, made.
  struct LargeRoomMade {
    proto::RoomId id = 0;
    std::string secret;
  };
  void create_room(HubOutput& out, ConnId conn, const proto::CreateRoom& req, std::string password_hash,
                   std::optional<LargeRoomMade> large);
  void on_rename(HubOutput& out, ConnId conn, const proto::RenameRoom& req);
  void on_delete(HubOutput& out, ConnId conn, const proto::DeleteRoom& req);
  // The room's record if `owner` is its owner token; otherwise answers room-not-found / not-owner.
  const RoomRecord* owned_room(HubOutput& out, ConnId conn, proto::RoomId room, std::string_view owner,
                               std::string_view request);
  // Why this server refuses the room name (over its own limit), if it does.
  std::optional<std::string> refuse_room_name(std::string_view name) const;
  // The sentence for a registry refusal of a create or rename.
  std::string room_error_message(proto::ErrorCode code, std::string_view name, std::uint32_t capacity) const;
  // Removes the room everywhere; false (and nothing changed) when the store could not delete it.
  bool remove_room(HubOutput& out, proto::RoomId room, proto::LeftReason reason);
  void expire_rooms(HubOutput& out);  // unused rooms, once a minute

  // ---- large rooms (hub_large_rooms.cpp) ----
  proto::Limits limits() const;
  // A create-room above mesh_max: refused while large rooms are unavailable, otherwise its Janus room
  // is asked for and the room is created (on_create) once Janus confirms.
  void create_large_room(HubOutput& out, ConnId conn, const proto::CreateRoom& req, std::string password_hash);
  void on_large_room_outcome(HubOutput& out, const sfu::RoomOutcome& outcome);
  // The room was removed: its Janus room is destroyed (if it is a large room).
  void destroy_large_room(HubOutput& out, proto::RoomId room);

  // ---- large rooms' media (hub_media.cpp) ----
  void on_media_signal(HubOutput& out, ConnId conn, Conn& state, const proto::SendMediaSignal& send);
  void on_media_restart(HubOutput& out, ConnId conn, Conn& state, const proto::RestartMedia& restart);
  void on_media_layers(HubOutput& out, ConnId conn, Conn& state, const proto::SetMediaLayers& layers);
  // The media machine's effects: requests to out.media, messages to their participants (kept for a
  // held session's resume), log lines to out.warnings.
  void apply_media(HubOutput& out, sfu::MediaOutput media);

  // ---- large rooms' peer messages (hub_peer_messages.cpp) ----
  void on_peer_message(HubOutput& out, ConnId conn, Conn& state, const proto::SendPeerMessage& send);

  // ---- rate limits, quotas and password jobs (hub_limits.cpp) ----
  bool admit_message(HubOutput& out, ConnId conn, Conn& state);  // the rate limit
  bool admit_request(HubOutput& out, ConnId conn, Conn& state, std::string_view request);  // per address
  void rate_limited(HubOutput& out, ConnId conn, Conn& state, std::string message, std::string_view request);
  // create-room's per-address quotas; an error is answered when refused.
  bool within_room_quota(HubOutput& out, ConnId conn, const Conn& state);
  // A locked room's password hashed (create) or checked (join) off the network thread, within the
  // throttles; errors are answered when refused.
  void start_password_hash(HubOutput& out, ConnId conn, Conn& state, const proto::CreateRoom& req);
  void start_password_check(HubOutput& out, ConnId conn, Conn& state, const proto::Join& req,
                            const proto::RoomInfo& room);
  bool start_password_job(HubOutput& out, ConnId conn, Conn& state, PasswordJob job,
                          std::variant<proto::CreateRoom, proto::Join> request, std::string_view name);

  HubConfig config_;
  HubServices services_;
  RoomRegistry registry_;
  std::string startup_error_;
  std::int64_t now_ms_ = 0;
  std::int64_t now_unix_ = 0;
  std::unordered_map<ConnId, Conn> conns_;
  SessionTable sessions_;
  RoomRecords rooms_;
  std::int64_t last_expiry_check_ms_ = -1;
  AddressBook addresses_;
  std::unordered_map<std::uint64_t, Pending> pending_;  // password jobs in flight, by job id
  std::uint64_t next_job_id_ = 1;
  // Room-list changes not yet sent to the lobby, and the cached welcome (null: rebuild).
  std::set<proto::RoomId> changed_rooms_;
  std::shared_ptr<const std::string> welcome_;
  // Large rooms: their Janus rooms, the link's state, creates waiting for Janus (by room id).
  sfu::LargeRooms large_rooms_;
  bool janus_ready_ = false;
  struct PendingLarge {
    ConnId conn = 0;
    proto::CreateRoom request;
    std::string password_hash;
    std::string secret;
  };
  std::unordered_map<proto::RoomId, PendingLarge> pending_large_;
  sfu::MediaSessions media_;
  // Across restarts: the previous run's Janus session; each participant's media record as last
  // stored (written again only when it changes); when the restored participants still away leave.
  std::optional<server::StoredJanusSession> earlier_janus_;
  std::unordered_map<proto::PeerId, std::string> media_stored_;
  std::int64_t away_until_ms_ = 0;  // 0: not known yet (the first set_time)
  void restore_media(const std::vector<server::StoredSession>& restorable);
  void store_media(HubOutput& out);
};

}  // namespace moim
