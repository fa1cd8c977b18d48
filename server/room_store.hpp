// Persistence of rooms (and of the peer-id counter) behind one small interface, so the hub does not
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
  bool operator==(const StoredRoom&) const = default;
};

class RoomStore {
 public:
  virtual ~RoomStore() = default;
  virtual std::vector<StoredRoom> load() = 0;  // every room, ordered by id; empty (and error() set) on failure
  // Each returns false (and sets error()) on failure. put/remove are durable when they return:
  // a kill -9 right after must not lose them. Removing or touching an unknown id is not a failure.
  virtual bool put(const StoredRoom& room) = 0;  // insert or replace by id
  virtual bool remove(proto::RoomId id) = 0;
  virtual bool touch(proto::RoomId id, std::int64_t last_used) = 0;  // cheap; durability may be relaxed
  // Returns the first of `count` (>= 1) consecutive peer ids never returned before by this store (also
  // across process restarts for the SQLite store), starting at 1. nullopt on failure, on count 0, and
  // when the ids would pass 2^32 - 1.
  virtual std::optional<std::uint32_t> reserve_peer_ids(std::uint32_t count) = 0;
  virtual std::string error() const = 0;  // the last failure's message
};

// Everything in memory, gone at exit: for tests and for running without a data directory.
class MemoryRoomStore final : public RoomStore {
 public:
  std::vector<StoredRoom> load() override;
  bool put(const StoredRoom& room) override;
  bool remove(proto::RoomId id) override;
  bool touch(proto::RoomId id, std::int64_t last_used) override;
  std::optional<std::uint32_t> reserve_peer_ids(std::uint32_t count) override;
  std::string error() const override { return error_; }

 private:
  std::map<proto::RoomId, StoredRoom> rooms_;  // ordered by id, as load() promises
  std::uint64_t next_peer_id_ = 1;             // 64-bit so the overflow check cannot itself overflow
  std::string error_;
};

}  // namespace moim::server
