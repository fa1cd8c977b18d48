// The hub: every connection's messages go through here. It owns the room registry, assigns peer ids,
// sets the sender of every relayed signal and decides who receives what.
// No Asio in this file: input is (connection, text), output is a list of frames to send and
// connections to close, so tests and fuzzers drive it without sockets.
#pragma once

#include "ice_servers.hpp"
#include "password_pool.hpp"
#include "signal_fast_path.hpp"
#include "protocol.hpp"
#include "room_registry.hpp"
#include "room_store.hpp"
#include "secrets.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

namespace moim {

using ConnId = std::uint64_t;

struct Outgoing {
  ConnId to = 0;
  // Shared so that a broadcast is serialized once and the same buffer is queued on every connection.
  std::shared_ptr<const std::string> text;
};

struct HubOutput {
  std::vector<Outgoing> sends;
  std::vector<ConnId> closes;  // connections the transport must close after flushing their sends
  std::vector<server::PasswordJob> password_jobs;  // to run off the network thread (PasswordPool)
  std::vector<std::string> warnings;  // for the server log (the hub has none of its own)
};

struct HubConfig {
  RoomRegistry::Limits registry;
  std::size_t max_message_bytes = proto::kMaxMessageBytes;
  // Relays signals that are in the exact shape proto::encode writes through hub_detail's specialized
  // codec below instead of the general one (JSON DOM in, JSON DOM out), which was about a third of
  // the server's time when relaying. Same bytes out either way; tests turn it off to compare.
  bool signal_fast_path = true;

  // ---- staying in the call (PROTOCOL.md "Heartbeats", "Resume") ----
  // A connection that sends nothing for this long is lost. Clients ping every quarter of it (the
  // welcome tells them: limits.heartbeatMs), and take the server as gone after three silent quarters.
  std::int64_t heartbeat_timeout_ms = 8000;
  // A lost session is held this long for a resume: the others see nothing unless it runs out.
  std::int64_t resume_grace_ms = 20000;
  // What is kept for a held session (relayed signals, room events); past this it ends at once.
  std::size_t max_held_messages = 512;
  std::size_t max_held_bytes = 1 << 20;
  // A session token older than this is refused (--session-max-age). Connections in a call get a fresh
  // one (`token`) when theirs is half that old, so only a token that left with its owner expires.
  std::int64_t session_max_age_s = 300;
  // The ICE servers each connection is told to use (`ice`, before joined / resumed, and again at
  // half the TURN credentials' lifetime). Nothing configured: an empty list (host candidates only).
  server::IceSettings ice;

  // ---- limits (each has a server flag) ----
  double messages_per_second = 50;  // per connection, refilled continuously; 0 = no limit
  double message_burst = 200;       // the bucket's size
  // Requests that cost the server real work (hello, create-room, join, resume, rename-room,
  // delete-room), per client address over all its connections, so reconnecting refills nothing.
  double requests_per_address_per_second = 20;  // 0 = no limit
  double request_burst_per_address = 100;
  // A repeated hello on one connection (it resends the whole room list) at most this often.
  std::int64_t rehello_interval_ms = 5000;
  // Room-list changes reach lobby connections in batches, at most one per this interval (flush_lobby).
  std::int64_t lobby_batch_ms = 100;
  // Rooms one address may create per hour, and may have created that still exist; 0 = no limit.
  std::size_t max_rooms_per_address_per_hour = 20;
  std::size_t max_live_rooms_per_address = 50;
  std::size_t max_sdp_bytes = 32 * 1024;
  std::size_t max_candidate_bytes = 1024;
  std::uint32_t max_name_chars = proto::kMaxNameChars;            // at most the protocol's
  std::uint32_t max_room_name_chars = proto::kMaxRoomNameChars;   // at most the protocol's
  std::uint32_t max_capacity = proto::kMaxCapacity;               // at most the protocol's

  // ---- rooms that last ----
  std::int64_t room_expiry_seconds = 30 * 24 * 3600;  // unused (empty) this long: removed; 0 = never

  // ---- passwords ----
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

// A rate limit's bucket: refilled continuously at `rate` a second up to `burst`; take() spends one.
struct TokenBucket {
  double tokens = 0;
  std::int64_t refilled_ms = 0;
  void refill(std::int64_t now_ms, double rate, double burst) {
    const double elapsed_s = static_cast<double>(now_ms - refilled_ms) / 1000.0;
    refilled_ms = now_ms;
    tokens = std::min(burst, tokens + std::max(0.0, elapsed_s) * rate);
  }
  bool take(std::int64_t now_ms, double rate, double burst) {
    refill(now_ms, rate, burst);
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }
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

  const HubConfig& config() const { return config_; }
  // The built-in STUN responder's UDP port (0: none), known once it is bound (--port 0 picks it).
  void set_stun_port(std::uint16_t port) { config_.ice.stun_port = port; }
  const RoomRegistry& registry() const { return registry_; }
  std::size_t connection_count() const { return conns_.size(); }
  std::size_t held_session_count() const;
  std::size_t pending_password_jobs() const { return pending_.size(); }
  std::size_t tracked_addresses() const { return addresses_.size(); }
  std::size_t restorable_session_count() const { return restorable_.size(); }

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
  // What one client address has done lately, over all its connections. Forgotten when it has no
  // connection and nothing recent to remember.
  struct Address {
    std::size_t conns = 0;
    TokenBucket requests;  // costly requests
    std::vector<std::int64_t> checks;         // password checks started (window: failure_window_ms)
    std::vector<std::int64_t> rooms_created;  // this hour
    std::size_t password_jobs = 0;            // in flight
    // Wrong passwords per room, and when this address may try that room again.
    struct RoomFailures {
      std::size_t count = 0;
      std::int64_t last_ms = 0;
      std::int64_t next_try_ms = 0;
    };
    std::unordered_map<proto::RoomId, RoomFailures> room_failures;
  };
  // One participant's place in a room. It outlives its connection for the grace window.
  struct Session {
    proto::PeerId peer = 0;
    proto::RoomId room = 0;
    std::string client;  // the browser's id (second-tab rule)
    std::optional<ConnId> conn;  // none = held: the connection was lost
    std::int64_t lost_ms = 0;
    std::int64_t token_issued = 0;  // unix seconds of the newest token sent
    std::int64_t ice_sent = 0;      // unix seconds of the newest `ice` sent
    std::vector<std::shared_ptr<const std::string>> held;
    std::size_t held_bytes = 0;
    bool overflowed = false;  // too much held: ends at the next tick
  };
  // A stored room's secrets (the registry holds what everyone sees).
  struct RoomRecord {
    std::string password_hash;
    std::string owner_digest;
    std::int64_t created_at = 0;
    std::int64_t last_used = 0;
    std::string creator;  // digest of the creating address ("" = unknown)
  };
  // What waits for a password job.
  struct Pending {
    ConnId conn = 0;
    std::string address;
    std::variant<proto::CreateRoom, proto::Join> request;
  };

  HubOutput handle(ConnId conn, Conn& state, const proto::ClientMessage& msg);
  void on_create(HubOutput& out, ConnId conn, const proto::CreateRoom& req, std::string password_hash);
  void on_join(HubOutput& out, ConnId conn, Conn& state, const proto::Join& req, bool password_checked);
  void on_resume(HubOutput& out, ConnId conn, Conn& state, const proto::Resume& req);
  void on_rename(HubOutput& out, ConnId conn, const proto::RenameRoom& req);
  void on_delete(HubOutput& out, ConnId conn, const proto::DeleteRoom& req);
  // The room's record if `owner` is its owner token; otherwise answers room-not-found / not-owner.
  const RoomRecord* owned_room(HubOutput& out, ConnId conn, proto::RoomId room, std::string_view owner,
                               std::string_view request);
  static server::StoredRoom stored_room(const proto::RoomInfo& room, const RoomRecord& record);
  bool admit_message(HubOutput& out, ConnId conn, Conn& state);  // the rate limit
  bool admit_request(HubOutput& out, ConnId conn, Conn& state, std::string_view request);  // per address
  void rate_limited(HubOutput& out, ConnId conn, Conn& state, std::string message, std::string_view request);
  std::optional<std::string> refuse_names(const proto::CreateRoom& req) const;
  // create-room's per-address quotas; an error is answered when refused.
  bool within_room_quota(HubOutput& out, ConnId conn, const Conn& state);
  bool start_password_job(HubOutput& out, ConnId conn, Conn& state, PasswordJob job,
                          std::variant<proto::CreateRoom, proto::Join> request, std::string_view name);
  void password_job_done(const std::string& address);
  Address& address_of(const std::string& key);

  void reply(HubOutput& out, ConnId conn, const proto::ServerMessage& msg);
  // The `ice` message for this connection as `peer` (fresh TURN credentials).
  void send_ice(HubOutput& out, ConnId conn, proto::PeerId peer);
  void error(HubOutput& out, ConnId conn, proto::ErrorCode code, std::string message, std::string_view request);
  // The room changed or is gone: the lobby hears of it at the next flush_lobby.
  void room_changed(proto::RoomId room);
  std::shared_ptr<const std::string> welcome();  // the welcome, serialized once per room-list change
  // The connection left its call while still connected: a fresh room list, then `left`.
  void back_to_lobby(HubOutput& out, ConnId conn, proto::LeftReason reason);
  void to_room(HubOutput& out, proto::RoomId room, proto::PeerId except, const proto::ServerMessage& msg);
  void to_peer(HubOutput& out, proto::PeerId peer, std::shared_ptr<const std::string> text);
  void relay(HubOutput& out, proto::PeerId to, proto::PeerId from, const proto::Signal& signal);
  // Ends a session: leaves the registry and tells the room (unless the room itself is going away).
  void end_session(HubOutput& out, proto::PeerId peer);
  // The connection lost its session's attention: hold the session for the grace window.
  void hold_session(Conn& state);
  std::optional<proto::PeerId> allocate_peer_id();
  std::optional<proto::RoomId> allocate_room_id();
  std::string session_token(proto::PeerId peer, proto::RoomId room);
  void forget_stored_session(proto::PeerId peer);  // retried at tick if the store fails
  void touch_room(proto::RoomId room);
  std::size_t recent(std::vector<std::int64_t>& times, std::int64_t window_ms) const;
  // Removes the room everywhere; false (and nothing changed) when the store could not delete it.
  bool remove_room(HubOutput& out, proto::RoomId room, proto::LeftReason reason);

  HubConfig config_;
  HubServices services_;
  RoomRegistry registry_;
  std::string startup_error_;
  std::int64_t now_ms_ = 0;
  std::int64_t now_unix_ = 0;
  std::int64_t last_expiry_check_ms_ = -1;
  std::unordered_map<ConnId, Conn> conns_;
  std::unordered_map<proto::PeerId, Session> sessions_;
  std::unordered_map<proto::RoomId, RoomRecord> records_;
  std::unordered_map<std::uint64_t, Pending> pending_;
  std::uint64_t next_job_id_ = 1;
  std::unordered_map<std::string, Address> addresses_;
  std::unordered_map<std::string, std::size_t> live_rooms_by_creator_;
  // Room-list changes not yet sent to the lobby, and the cached welcome (null: rebuild).
  std::set<proto::RoomId> changed_rooms_;
  std::shared_ptr<const std::string> welcome_;
  // Peer and room ids come from the store in blocks so they never repeat, even across restarts.
  proto::PeerId next_peer_id_ = 0;
  proto::PeerId peer_id_end_ = 0;
  proto::RoomId next_room_id_ = 0;
  proto::RoomId room_id_end_ = 0;
  // Sessions stored by an earlier run and not back yet (peer -> room): only these can be restored
  // from a token. Forgotten once every token of that run has expired (restorable_until_).
  std::unordered_map<proto::PeerId, proto::RoomId> restorable_;
  std::int64_t restorable_until_ = 0;  // unix seconds; 0 = not yet known (set at the first set_time)
  std::vector<proto::PeerId> unforgotten_sessions_;  // ended, but the store failed to remove them
};

}  // namespace moim
