// Persistence of rooms, of the live sessions and of the id counters behind one small interface, so the hub does not
// care whether rooms live in SQLite (sqlite_room_store.hpp) or only in memory (tests, --data-dir "").
// Not thread-safe: the server calls a store from its one network thread.
#pragma once

#include "protocol.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace moim::server {

struct StoredRoom {
  proto::RoomId id = 0;
  std::string name;             // normalized display name
  std::uint32_t capacity = 0;
  std::string password_hash;    // "" = no password; otherwise a libsodium argon2id string (crypto_pwhash_str)
  std::string owner_digest;     // Secrets::digest(owner token), hex
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t last_used = 0;   // unix seconds
  std::string creator;          // Secrets::digest of the creating address (per-address room quota); "" = unknown
  proto::RoomMode mode = proto::RoomMode::Mesh;  // fixed at creation (rooms stored before modes: mesh)
  std::string sfu_secret;       // large rooms: the Janus room's secret, known only to this server; "" otherwise
  bool operator==(const StoredRoom&) const = default;
};

// A participant's place in a room, kept while the session lives so that after a restart its token can
// bring it back, and only then: a session that ended (leave, replaced, room gone) is removed, so its
// token is dead across restarts too.
struct StoredSession {
  proto::PeerId peer = 0;
  proto::RoomId room = 0;
  // A large room's participant: its Janus handles and what they carry (sfu::MediaSessions::record, as
  // JSON text), so that a restarted server can take them over instead of starting its media over.
  // "" = none. put_session never changes it; put_session_media does.
  std::string media;
  bool operator==(const StoredSession&) const = default;
};

// The Janus API session the media of large rooms lives in (and its room-administration handle): a
// restarted server claims it back (Janus keeps it for its reclaim_session_timeout), so the media
// goes on while the server is away.
struct StoredJanusSession {
  std::uint64_t session = 0;
  std::uint64_t handle = 0;
  bool operator==(const StoredJanusSession&) const = default;
};

// The counters ids are drawn from; each id is handed out once, ever.
enum class IdCounter { Peer, Room };

class RoomStore {
 public:
  virtual ~RoomStore() = default;
  virtual std::vector<StoredRoom> load() = 0;  // every room, ordered by id; empty (and error() set) on failure
  // Each returns false (and sets error()) on failure. put/remove are durable when they return:
  // a kill -9 right after must not lose them. Removing or touching an unknown id is not a failure.
  virtual bool put(const StoredRoom& room) = 0;  // insert or replace by id
  virtual bool remove(proto::RoomId id) = 0;
  virtual bool touch(proto::RoomId id, std::int64_t last_used) = 0;  // cheap; durability may be relaxed
  // Returns the first of `count` (>= 1) consecutive ids of `counter` never returned before by this store
  // (also across process restarts and power cuts for the SQLite store: the reservation is synced to
  // disk before it returns), starting at 1. nullopt on failure, on count 0, and when the ids would
  // pass proto::kMaxId.
  virtual std::optional<std::uint64_t> reserve_ids(IdCounter counter, std::uint64_t count) = 0;
  // Live sessions (see StoredSession): every one, ordered by peer; empty (and error() set) on failure.
  virtual std::vector<StoredSession> load_sessions() = 0;
  virtual bool put_session(const StoredSession& session) = 0;
  virtual bool remove_session(proto::PeerId peer) = 0;  // an unknown peer is not a failure
  // Durable against the process being killed (not a power cut). A peer with no stored session: nothing
  // is written, not a failure.
  virtual bool put_session_media(proto::PeerId peer, const std::string& media) = 0;
  // nullopt when none was stored (error() set if the store could not be read).
  virtual std::optional<StoredJanusSession> load_janus_session() = 0;
  virtual bool put_janus_session(const StoredJanusSession& session) = 0;
  virtual std::string error() const = 0;  // the last failure's message
  // The last call failed because another process holds the database (e.g. a backup): retry soon.
  virtual bool busy() const { return false; }
};

// Everything in memory, gone at exit: for tests and for running without a data directory.
class MemoryRoomStore final : public RoomStore {
 public:
  std::vector<StoredRoom> load() override;
  bool put(const StoredRoom& room) override;
  bool remove(proto::RoomId id) override;
  bool touch(proto::RoomId id, std::int64_t last_used) override;
  std::optional<std::uint64_t> reserve_ids(IdCounter counter, std::uint64_t count) override;
  std::vector<StoredSession> load_sessions() override;
  bool put_session(const StoredSession& session) override;
  bool remove_session(proto::PeerId peer) override;
  bool put_session_media(proto::PeerId peer, const std::string& media) override;
  std::optional<StoredJanusSession> load_janus_session() override;
  bool put_janus_session(const StoredJanusSession& session) override;
  std::string error() const override { return error_; }

 private:
  std::map<proto::RoomId, StoredRoom> rooms_;  // ordered by id, as load() promises
  std::map<proto::PeerId, StoredSession> sessions_;
  std::optional<StoredJanusSession> janus_;
  std::uint64_t next_id_[2] = {1, 1};          // by IdCounter
  std::string error_;
};

}  // namespace moim::server
