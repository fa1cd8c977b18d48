#include "sqlite_room_store.hpp"

#include "data_dir.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace moim::server {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE rooms(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  capacity INTEGER,
  password_hash TEXT,
  owner_digest TEXT,
  created_at INTEGER,
  last_used INTEGER,
  creator TEXT,
  mode TEXT,
  sfu_secret TEXT
);
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER);
INSERT INTO meta(key, value) VALUES('next_peer_id', 1), ('next_room_id', 1);
CREATE TABLE sessions(peer INTEGER PRIMARY KEY, room INTEGER NOT NULL, media TEXT);
CREATE TABLE janus(id INTEGER PRIMARY KEY CHECK (id = 1), session INTEGER NOT NULL, handle INTEGER NOT NULL);
PRAGMA user_version = 4;
)sql";

// Version 1 had no room counter (room ids restarted after the highest stored one, so a deleted room's
// id came back), no sessions and no creators.
constexpr const char* kMigrateTo2 = R"sql(
ALTER TABLE rooms ADD COLUMN creator TEXT;
CREATE TABLE sessions(peer INTEGER PRIMARY KEY, room INTEGER NOT NULL);
INSERT INTO meta(key, value) VALUES('next_room_id', (SELECT COALESCE(MAX(id), 0) + 1 FROM rooms));
PRAGMA user_version = 2;
)sql";

// Version 2 had no room modes: every stored room is a mesh room (mode NULL reads as "mesh"), whatever
// its capacity, and has no Janus room secret.
constexpr const char* kMigrateTo3 = R"sql(
ALTER TABLE rooms ADD COLUMN mode TEXT;
ALTER TABLE rooms ADD COLUMN sfu_secret TEXT;
PRAGMA user_version = 3;
)sql";

// Version 3 kept no media: a restarted server started every large room's media over.
constexpr const char* kMigrateTo4 = R"sql(
ALTER TABLE sessions ADD COLUMN media TEXT;
CREATE TABLE janus(id INTEGER PRIMARY KEY CHECK (id = 1), session INTEGER NOT NULL, handle INTEGER NOT NULL);
PRAGMA user_version = 4;
)sql";

const char* counter_key(IdCounter counter) { return counter == IdCounter::Peer ? "next_peer_id" : "next_room_id"; }

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* text = sqlite3_column_text(statement, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

// Runs one statement that returns at most one row; true if it succeeded. `row` gets the first
// column of that row as text, if any.
bool exec_one(sqlite3* db, const char* sql, std::string* row = nullptr) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) return false;
  int rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW && row != nullptr) *row = column_text(statement, 0);
  while (rc == SQLITE_ROW) rc = sqlite3_step(statement);
  sqlite3_finalize(statement);
  return rc == SQLITE_DONE;
}

// Statements are reset (and their bindings cleared) after every use, so no read transaction stays
// open between calls and no stale text pointer is kept.
struct ResetOnExit {
  sqlite3_stmt* statement;
  ~ResetOnExit() {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
  }
};

}  // namespace

std::unique_ptr<SqliteRoomStore> SqliteRoomStore::open(const std::filesystem::path& data_dir, std::string& error) {
  try {
    std::unique_ptr<SqliteRoomStore> store(new SqliteRoomStore());
    if (!store->init(data_dir, error)) return nullptr;
    return store;
  } catch (const std::bad_alloc&) {
    error = "out of memory opening " + data_dir.string();
    return nullptr;
  }
}

bool SqliteRoomStore::init(const std::filesystem::path& data_dir, std::string& error) {
  if (!ensure_data_dir(data_dir, error)) return false;

  // The lock is taken before SQLite touches anything: two servers on one database would each hand out
  // the same peer ids and overwrite each other's rooms. flock is released by the kernel when the
  // process dies, even by kill -9, so a stale lock file never blocks a restart.
  const auto lock_path = data_dir / "moim.lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd_ < 0) {
    error = "cannot open " + lock_path.string() + ": " + std::strerror(errno);
    return false;
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    error = errno == EWOULDBLOCK
                ? "data directory " + data_dir.string() + " is in use by another moim-server"
                : "cannot lock " + lock_path.string() + ": " + std::strerror(errno);
    return false;
  }

  const auto db_path = data_dir / "moim.sqlite3";
  const auto fail_open = [&](const char* what) {
    error = "cannot open database " + db_path.string() + " (" + what + "): " +
            (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
    return false;
  };
  if (sqlite3_open_v2(db_path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    return fail_open("open");
  sqlite3_extended_result_codes(db_, 1);
  // Another connection (sqlite3 CLI, a backup) may hold the database: wait a little, then fail with
  // busy() set (the hub answers server-busy) instead of stalling the network thread for seconds.
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);

  // SQLite reads the file lazily: this first statement is where "file is not a database" shows up.
  std::string mode;
  if (!exec_one(db_, "PRAGMA journal_mode = WAL", &mode)) return fail_open("journal_mode");
  if (mode != "wal") {
    error = "cannot open database " + db_path.string() + ": WAL journal mode unavailable (got \"" + mode + "\")";
    return false;
  }
  // WAL + synchronous=NORMAL: a commit is written to the WAL file (the OS page cache) before it
  // returns, and fsync happens only at checkpoints. That survives the process being killed (kill -9,
  // crash, OOM killer), which is what we need; a power cut may lose the last few commits but never
  // corrupts the database. FULL would fsync on every put, ~100x slower on some disks, for no gain here.
  if (!exec_one(db_, "PRAGMA synchronous = NORMAL")) return fail_open("synchronous");
  // A cheap consistency check while the database is small: a damaged file is reported here, with the
  // path, rather than as odd failures later.
  std::string check;
  if (!exec_one(db_, "PRAGMA quick_check", &check)) return fail_open("quick_check");
  if (check != "ok") {
    error = "database " + db_path.string() + " is corrupt: " + check;
    return false;
  }

  std::string version_text;
  if (!exec_one(db_, "PRAGMA user_version", &version_text)) return fail_open("user_version");
  const int version = std::atoi(version_text.c_str());
  // Each script runs in one transaction: a crash leaves the database as it was before.
  const auto run_script = [&](const char* script, const char* what) {
    char* message = nullptr;
    const std::string sql = std::string("BEGIN IMMEDIATE;") + script + "COMMIT;";
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      error = std::string("cannot ") + what + " in " + db_path.string() + ": " + (message ? message : "unknown error");
      sqlite3_free(message);
      exec_one(db_, "ROLLBACK");
      return false;
    }
    return true;
  };
  if (version == 0) {
    // A new database (or one left empty by a crash during creation: the transaction rolls back).
    if (!run_script(kSchema, "create the schema")) return false;
  } else if (version > kSchemaVersion) {
    error = "database " + db_path.string() + " has schema version " + std::to_string(version) +
            ", newer than this moim-server understands (" + std::to_string(kSchemaVersion) + ")";
    return false;
  }
  // One step per version, each in its own transaction (version 4 is current).
  if (version == 1 && !run_script(kMigrateTo2, "upgrade the schema from version 1 to 2")) return false;
  if ((version == 1 || version == 2) && !run_script(kMigrateTo3, "upgrade the schema from version 2 to 3")) return false;
  if (version >= 1 && version <= 3 && !run_script(kMigrateTo4, "upgrade the schema from version 3 to 4")) return false;

  const struct {
    sqlite3_stmt** statement;
    const char* sql;
  } statements[] = {
      {&load_,
       "SELECT id, name, capacity, password_hash, owner_digest, created_at, last_used, creator, mode, sfu_secret "
       "FROM rooms ORDER BY id"},
      {&put_,
       "INSERT OR REPLACE INTO rooms(id, name, capacity, password_hash, owner_digest, created_at, last_used, creator, "
       "mode, sfu_secret) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {&remove_, "DELETE FROM rooms WHERE id = ?1"},
      {&touch_, "UPDATE rooms SET last_used = ?2 WHERE id = ?1"},
      // One atomic statement: read and advance the counter, refusing to pass proto::kMaxId (2^53 - 1).
      {&reserve_,
       "UPDATE meta SET value = value + ?1 WHERE key = ?2 AND value + ?1 - 1 <= 9007199254740991 "
       "RETURNING value - ?1"},
      {&load_sessions_, "SELECT peer, room, media FROM sessions ORDER BY peer"},
      // An upsert: a session put again (restored after a restart) keeps its media.
      {&put_session_,
       "INSERT INTO sessions(peer, room) VALUES(?1, ?2) ON CONFLICT(peer) DO UPDATE SET room = excluded.room"},
      {&remove_session_, "DELETE FROM sessions WHERE peer = ?1"},
      {&put_session_media_, "UPDATE sessions SET media = ?2 WHERE peer = ?1"},
      {&load_janus_, "SELECT session, handle FROM janus WHERE id = 1"},
      {&put_janus_, "INSERT OR REPLACE INTO janus(id, session, handle) VALUES(1, ?1, ?2)"},
  };
  for (const auto& [statement, sql] : statements) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, statement, nullptr) != SQLITE_OK)
      return fail_open("prepare");
  }
  return true;
}

SqliteRoomStore::~SqliteRoomStore() {
  for (sqlite3_stmt* statement : {load_, put_, remove_, touch_, reserve_, load_sessions_, put_session_, remove_session_,
                                  put_session_media_, load_janus_, put_janus_})
    sqlite3_finalize(statement);
  // The last connection to close checkpoints the WAL into the database and deletes it.
  if (db_ != nullptr) sqlite3_close(db_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

bool SqliteRoomStore::fail(const char* what) {
  const int code = sqlite3_errcode(db_) & 0xff;  // the primary code of an extended one
  busy_ = code == SQLITE_BUSY || code == SQLITE_LOCKED;
  try {
    error_ = std::string(what) + ": " + sqlite3_errmsg(db_);
  } catch (const std::bad_alloc&) {
    error_.clear();
  }
  return false;
}

std::vector<StoredRoom> SqliteRoomStore::load() {
  std::vector<StoredRoom> rooms;
  busy_ = false;
  ResetOnExit reset{load_};
  try {
    int rc;
    while ((rc = sqlite3_step(load_)) == SQLITE_ROW) {
      StoredRoom room;
      room.id = static_cast<proto::RoomId>(sqlite3_column_int64(load_, 0));
      room.name = column_text(load_, 1);
      room.capacity = static_cast<std::uint32_t>(sqlite3_column_int64(load_, 2));
      room.password_hash = column_text(load_, 3);
      room.owner_digest = column_text(load_, 4);
      room.created_at = sqlite3_column_int64(load_, 5);
      room.last_used = sqlite3_column_int64(load_, 6);
      room.creator = column_text(load_, 7);
      room.mode = column_text(load_, 8) == "sfu" ? proto::RoomMode::Sfu : proto::RoomMode::Mesh;  // NULL: mesh
      room.sfu_secret = column_text(load_, 9);
      rooms.push_back(std::move(room));
    }
    if (rc != SQLITE_DONE) {
      fail("load");
      return {};
    }
  } catch (const std::bad_alloc&) {
    error_ = "load: out of memory";
    return {};
  }
  return rooms;
}

bool SqliteRoomStore::put(const StoredRoom& room) {
  busy_ = false;
  ResetOnExit reset{put_};
  // SQLITE_STATIC: the strings outlive the step below.
  const auto bind_text = [&](int index, std::string_view text) {
    return sqlite3_bind_text(put_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC) == SQLITE_OK;
  };
  if (sqlite3_bind_int64(put_, 1, static_cast<sqlite3_int64>(room.id)) != SQLITE_OK || !bind_text(2, room.name) ||
      sqlite3_bind_int64(put_, 3, room.capacity) != SQLITE_OK || !bind_text(4, room.password_hash) ||
      !bind_text(5, room.owner_digest) || sqlite3_bind_int64(put_, 6, room.created_at) != SQLITE_OK ||
      sqlite3_bind_int64(put_, 7, room.last_used) != SQLITE_OK || !bind_text(8, room.creator) ||
      !bind_text(9, proto::to_string(room.mode)) || !bind_text(10, room.sfu_secret))
    return fail("put");
  // Autocommit: the statement is its own transaction, committed to the WAL when step returns.
  return sqlite3_step(put_) == SQLITE_DONE || fail("put");
}

bool SqliteRoomStore::remove(proto::RoomId id) {
  busy_ = false;
  ResetOnExit reset{remove_};
  if (sqlite3_bind_int64(remove_, 1, static_cast<sqlite3_int64>(id)) != SQLITE_OK) return fail("remove");
  return sqlite3_step(remove_) == SQLITE_DONE || fail("remove");
}

bool SqliteRoomStore::touch(proto::RoomId id, std::int64_t last_used) {
  busy_ = false;
  ResetOnExit reset{touch_};
  if (sqlite3_bind_int64(touch_, 1, static_cast<sqlite3_int64>(id)) != SQLITE_OK || sqlite3_bind_int64(touch_, 2, last_used) != SQLITE_OK)
    return fail("touch");
  return sqlite3_step(touch_) == SQLITE_DONE || fail("touch");
}

std::optional<std::uint64_t> SqliteRoomStore::reserve_ids(IdCounter counter, std::uint64_t count) {
  if (count == 0 || count > proto::kMaxId) {
    error_ = "reserve_ids: count must be from 1 to 2^53 - 1";
    return std::nullopt;
  }
  // Reservations are rare (one per block of ids) and must survive a power cut, or ids handed out
  // again could let an old token take over a new session: this one commit is synced to disk.
  busy_ = false;
  if (!exec_one(db_, "PRAGMA synchronous = FULL")) {
    fail("reserve_ids");
    return std::nullopt;
  }
  struct NormalAgain {
    sqlite3* db;
    ~NormalAgain() { exec_one(db, "PRAGMA synchronous = NORMAL"); }
  } normal_again{db_};
  busy_ = false;
  ResetOnExit reset{reserve_};
  if (sqlite3_bind_int64(reserve_, 1, static_cast<sqlite3_int64>(count)) != SQLITE_OK ||
      sqlite3_bind_text(reserve_, 2, counter_key(counter), -1, SQLITE_STATIC) != SQLITE_OK) {
    fail("reserve_ids");
    return std::nullopt;
  }
  const int rc = sqlite3_step(reserve_);
  if (rc == SQLITE_DONE) {  // the WHERE clause refused: the counter would pass kMaxId
    error_ = counter == IdCounter::Peer ? "peer ids exhausted" : "room ids exhausted";
    busy_ = false;
    return std::nullopt;
  }
  if (rc != SQLITE_ROW) {
    fail("reserve_ids");
    return std::nullopt;
  }
  const std::int64_t first = sqlite3_column_int64(reserve_, 0);
  // Step to completion so the UPDATE's implicit transaction commits now, not at reset.
  if (sqlite3_step(reserve_) != SQLITE_DONE) {
    fail("reserve_ids");
    return std::nullopt;
  }
  if (first < 1 || static_cast<std::uint64_t>(first) > proto::kMaxId) {
    error_ = "reserve_ids: counter in the database is out of range";
    busy_ = false;
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(first);
}

std::vector<StoredSession> SqliteRoomStore::load_sessions() {
  std::vector<StoredSession> sessions;
  busy_ = false;
  ResetOnExit reset{load_sessions_};
  try {
    int rc;
    while ((rc = sqlite3_step(load_sessions_)) == SQLITE_ROW) {
      sessions.push_back(StoredSession{.peer = static_cast<proto::PeerId>(sqlite3_column_int64(load_sessions_, 0)),
                                       .room = static_cast<proto::RoomId>(sqlite3_column_int64(load_sessions_, 1)),
                                       .media = column_text(load_sessions_, 2)});  // NULL: none
    }
    if (rc != SQLITE_DONE) {
      fail("load_sessions");
      return {};
    }
  } catch (const std::bad_alloc&) {
    error_ = "load_sessions: out of memory";
    return {};
  }
  return sessions;
}

bool SqliteRoomStore::put_session(const StoredSession& session) {
  busy_ = false;
  ResetOnExit reset{put_session_};
  if (sqlite3_bind_int64(put_session_, 1, static_cast<sqlite3_int64>(session.peer)) != SQLITE_OK ||
      sqlite3_bind_int64(put_session_, 2, static_cast<sqlite3_int64>(session.room)) != SQLITE_OK)
    return fail("put_session");
  return sqlite3_step(put_session_) == SQLITE_DONE || fail("put_session");
}

bool SqliteRoomStore::remove_session(proto::PeerId peer) {
  busy_ = false;
  ResetOnExit reset{remove_session_};
  if (sqlite3_bind_int64(remove_session_, 1, static_cast<sqlite3_int64>(peer)) != SQLITE_OK)
    return fail("remove_session");
  return sqlite3_step(remove_session_) == SQLITE_DONE || fail("remove_session");
}

bool SqliteRoomStore::put_session_media(proto::PeerId peer, const std::string& media) {
  busy_ = false;
  ResetOnExit reset{put_session_media_};
  if (sqlite3_bind_int64(put_session_media_, 1, static_cast<sqlite3_int64>(peer)) != SQLITE_OK ||
      sqlite3_bind_text(put_session_media_, 2, media.data(), static_cast<int>(media.size()), SQLITE_STATIC) != SQLITE_OK)
    return fail("put_session_media");
  return sqlite3_step(put_session_media_) == SQLITE_DONE || fail("put_session_media");
}

std::optional<StoredJanusSession> SqliteRoomStore::load_janus_session() {
  busy_ = false;
  error_.clear();
  ResetOnExit reset{load_janus_};
  const int rc = sqlite3_step(load_janus_);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) {
    fail("load_janus_session");
    return std::nullopt;
  }
  // Janus's ids are unsigned 64-bit: stored as the same bits in SQLite's signed integer.
  return StoredJanusSession{.session = static_cast<std::uint64_t>(sqlite3_column_int64(load_janus_, 0)),
                            .handle = static_cast<std::uint64_t>(sqlite3_column_int64(load_janus_, 1))};
}

bool SqliteRoomStore::put_janus_session(const StoredJanusSession& session) {
  busy_ = false;
  ResetOnExit reset{put_janus_};
  if (sqlite3_bind_int64(put_janus_, 1, static_cast<sqlite3_int64>(session.session)) != SQLITE_OK ||
      sqlite3_bind_int64(put_janus_, 2, static_cast<sqlite3_int64>(session.handle)) != SQLITE_OK)
    return fail("put_janus_session");
  return sqlite3_step(put_janus_) == SQLITE_DONE || fail("put_janus_session");
}

}  // namespace moim::server
