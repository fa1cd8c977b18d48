// RoomStore in <data_dir>/moim.sqlite3: rooms, live sessions and the id counters survive restarts and kill -9.
// One SqliteRoomStore per data directory: a flock on <data_dir>/moim.lock keeps a second moim-server
// out. Not thread-safe (one connection, reused prepared statements): use it from one thread.
#pragma once

#include "room_store.hpp"

#include <filesystem>
#include <memory>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace moim::server {

class SqliteRoomStore final : public RoomStore {
 public:
  // nullptr and a message in `error` when the directory cannot be created, is in use by another
  // process, or the database cannot be opened (unreadable, corrupt, not a database, newer schema).
  static std::unique_ptr<SqliteRoomStore> open(const std::filesystem::path& data_dir, std::string& error);
  ~SqliteRoomStore() override;
  SqliteRoomStore(const SqliteRoomStore&) = delete;
  SqliteRoomStore& operator=(const SqliteRoomStore&) = delete;

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
  bool busy() const override { return busy_; }

  static constexpr int kSchemaVersion = 4;  // PRAGMA user_version; bump with a migration step
  // How long a statement waits for another process's lock (a backup, the sqlite3 tool). Short: the
  // store runs on the server's one network thread, and every connection waits with it.
  static constexpr int kBusyTimeoutMs = 50;

 private:
  SqliteRoomStore() = default;
  bool init(const std::filesystem::path& data_dir, std::string& error);
  bool fail(const char* what);  // records sqlite's last message in error_; returns false

  int lock_fd_ = -1;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* load_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* remove_ = nullptr;
  sqlite3_stmt* touch_ = nullptr;
  sqlite3_stmt* reserve_ = nullptr;
  sqlite3_stmt* load_sessions_ = nullptr;
  sqlite3_stmt* put_session_ = nullptr;
  sqlite3_stmt* remove_session_ = nullptr;
  sqlite3_stmt* put_session_media_ = nullptr;
  sqlite3_stmt* load_janus_ = nullptr;
  sqlite3_stmt* put_janus_ = nullptr;
  std::string error_;
  bool busy_ = false;
};

}  // namespace moim::server
