// SqliteRoomStore beyond the shared contract: restarts, kill -9, bad files, the directory lock.
#include "sqlite_room_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>

namespace moim::server {
namespace {

namespace fs = std::filesystem;

StoredRoom room(proto::RoomId id, std::string name) {
  StoredRoom r;
  r.id = id;
  r.name = std::move(name);
  r.capacity = 4;
  r.owner_digest = std::string(64, 'f');
  r.created_at = 1'700'000'000;
  r.last_used = 1'700'000'000;
  return r;
}

std::unique_ptr<SqliteRoomStore> open_ok(const fs::path& dir) {
  std::string error;
  auto store = SqliteRoomStore::open(dir, error);
  EXPECT_NE(store, nullptr) << error;
  return store;
}

TEST(SqliteRoomStore, CreatesAPrivateDirectoryWithTheDatabase) {
  test::TempDir tmp;
  const fs::path dir = tmp.path() / "nested" / "data";
  auto store = open_ok(dir);
  ASSERT_NE(store, nullptr);
  struct stat info {};
  ASSERT_EQ(::stat(dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_TRUE(fs::exists(dir / "moim.sqlite3"));
  EXPECT_TRUE(fs::exists(dir / "moim.lock"));
}

TEST(SqliteRoomStore, SurvivesCloseAndReopen) {
  test::TempDir tmp;
  StoredRoom a = room(1, "Alpha"), b = room(2, "Beta");
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(a));
    ASSERT_TRUE(store->put(b));
    ASSERT_TRUE(store->touch(2, 1'800'000'000));
    ASSERT_TRUE(store->remove(1));
  }
  b.last_used = 1'800'000'000;
  auto store = open_ok(tmp.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load(), std::vector<StoredRoom>{b});
}

TEST(SqliteRoomStore, PeerIdsNeverRepeatAcrossReopen) {
  test::TempDir tmp;
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->reserve_ids(IdCounter::Peer, 1), 1u);
    EXPECT_EQ(store->reserve_ids(IdCounter::Peer, 10), 2u);  // 2..11
  }
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->reserve_ids(IdCounter::Peer, 5), 12u);  // 12..16
  }
  auto store = open_ok(tmp.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->reserve_ids(IdCounter::Peer, 1), 17u);
}

// The child writes and then dies without any chance to clean up (no destructor, no close, no
// checkpoint): what put() and reserve_ids() returned must be on disk anyway.
TEST(SqliteRoomStore, KillNineRightAfterPutLosesNothing) {
  test::TempDir tmp;
  const StoredRoom a = room(5, "Survivor");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string error;
    auto store = SqliteRoomStore::open(tmp.path(), error);
    if (!store || !store->put(a) || store->reserve_ids(IdCounter::Peer, 50) != 1u) ::_exit(1);
    ::raise(SIGKILL);
    ::_exit(2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  EXPECT_TRUE(fs::exists(tmp.path() / "moim.sqlite3-wal")) << "the child never checkpointed";

  auto store = open_ok(tmp.path());  // the dead child's lock is gone with it
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load(), std::vector<StoredRoom>{a});
  EXPECT_EQ(store->reserve_ids(IdCounter::Peer, 1), 51u);
}

// A database written by the previous version (schema 1) is upgraded in place: its rooms stay, and the
// new room counter starts after the highest stored id, so no id that a stored room has is handed out.
TEST(SqliteRoomStore, SchemaOneIsUpgradedKeepingRoomsAndCounters) {
  test::TempDir tmp;
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((tmp.path() / "moim.sqlite3").c_str(), &db), SQLITE_OK);
    // Turn the new database back into what version 1 wrote.
    const char* v1 = R"sql(
      DROP TABLE rooms; DROP TABLE sessions; DROP TABLE janus; DELETE FROM meta WHERE key = 'next_room_id';
      UPDATE meta SET value = 700 WHERE key = 'next_peer_id';
      CREATE TABLE rooms(id INTEGER PRIMARY KEY, name TEXT NOT NULL, capacity INTEGER, password_hash TEXT,
                         owner_digest TEXT, created_at INTEGER, last_used INTEGER);
      INSERT INTO rooms VALUES(2, 'Two', 4, '', 'd', 10, 11), (9, 'Nine', 6, 'h', 'e', 12, 13);
      PRAGMA user_version = 1;)sql";
    ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto store = open_ok(tmp.path());
  ASSERT_NE(store, nullptr);
  const std::vector<StoredRoom> rooms = store->load();
  ASSERT_EQ(rooms.size(), 2u);
  EXPECT_EQ(rooms[0].name, "Two");
  EXPECT_EQ(rooms[1].password_hash, "h");
  EXPECT_EQ(rooms[1].creator, "");
  EXPECT_TRUE(store->load_sessions().empty());
  EXPECT_EQ(store->reserve_ids(IdCounter::Room, 1), 10u);
  EXPECT_EQ(store->reserve_ids(IdCounter::Peer, 1), 700u);
  store.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((tmp.path() / "moim.sqlite3").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* version = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &version, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(version), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(version, 0), SqliteRoomStore::kSchemaVersion);
  sqlite3_finalize(version);
  sqlite3_close(db);
}

// Issue 15: a database of schema 2 (before room modes) is upgraded in place: every stored room is a
// mesh room whatever its capacity (an 8-person room of the old limit stays mesh), with no Janus
// secret; a large room put afterwards keeps its mode and secret across a reopen.
TEST(SqliteRoomStore, SchemaTwoIsUpgradedWithEveryRoomMeshAndLargeRoomsPersist) {
  test::TempDir tmp;
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((tmp.path() / "moim.sqlite3").c_str(), &db), SQLITE_OK);
    // Turn the new database back into what version 2 wrote.
    const char* v2 = R"sql(
      DROP TABLE rooms;
      CREATE TABLE rooms(id INTEGER PRIMARY KEY, name TEXT NOT NULL, capacity INTEGER, password_hash TEXT,
                         owner_digest TEXT, created_at INTEGER, last_used INTEGER, creator TEXT);
      INSERT INTO rooms VALUES(3, 'Eight', 8, '', 'd', 10, 11, 'c'), (4, 'Four', 4, 'h', 'e', 12, 13, '');
      DROP TABLE sessions; DROP TABLE janus;
      CREATE TABLE sessions(peer INTEGER PRIMARY KEY, room INTEGER NOT NULL);
      PRAGMA user_version = 2;)sql";
    ASSERT_EQ(sqlite3_exec(db, v2, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  StoredRoom large = room(5, "Town hall");
  large.capacity = 40;
  large.mode = proto::RoomMode::Sfu;
  large.sfu_secret = std::string(64, 'a');
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
    const std::vector<StoredRoom> rooms = store->load();
    ASSERT_EQ(rooms.size(), 2u);
    EXPECT_EQ(rooms[0].capacity, 8u);
    EXPECT_EQ(rooms[0].mode, proto::RoomMode::Mesh);
    EXPECT_EQ(rooms[0].sfu_secret, "");
    EXPECT_EQ(rooms[0].creator, "c");
    EXPECT_EQ(rooms[1].mode, proto::RoomMode::Mesh);
    ASSERT_TRUE(store->put(large));
  }
  auto store = open_ok(tmp.path());
  ASSERT_NE(store, nullptr);
  const std::vector<StoredRoom> rooms = store->load();
  ASSERT_EQ(rooms.size(), 3u);
  EXPECT_EQ(rooms[2], large);
}

// Issue 15: a database of schema 3 (no media kept) is upgraded in place: its sessions stay, with no
// media; a session's media record and the Janus session then survive a reopen, a session put again
// (restored after a restart) keeps its media, and Janus's ids keep all 64 bits.
TEST(SqliteRoomStore, SchemaThreeIsUpgradedAndMediaAndTheJanusSessionPersist) {
  test::TempDir tmp;
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->load_janus_session(), std::nullopt);
    EXPECT_EQ(store->error(), "");
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((tmp.path() / "moim.sqlite3").c_str(), &db), SQLITE_OK);
    const char* v3 = R"sql(
      DROP TABLE sessions; DROP TABLE janus;
      CREATE TABLE sessions(peer INTEGER PRIMARY KEY, room INTEGER NOT NULL);
      INSERT INTO sessions VALUES(7, 3);
      PRAGMA user_version = 3;)sql";
    ASSERT_EQ(sqlite3_exec(db, v3, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  const StoredJanusSession janus{.session = 0xfedcba9876543210ull, .handle = 1};
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->load_sessions(), (std::vector<StoredSession>{{.peer = 7, .room = 3, .media = ""}}));
    EXPECT_EQ(store->load_janus_session(), std::nullopt);
    ASSERT_TRUE(store->put_session_media(7, R"({"pub":5})"));
    ASSERT_TRUE(store->put_session_media(8, "{}"));  // no such session: nothing written
    ASSERT_TRUE(store->put_session(StoredSession{.peer = 7, .room = 3}));
    ASSERT_TRUE(store->put_janus_session(janus));
  }
  auto store = open_ok(tmp.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load_sessions(), (std::vector<StoredSession>{{.peer = 7, .room = 3, .media = R"({"pub":5})"}}));
  EXPECT_EQ(store->load_janus_session(), janus);
  ASSERT_TRUE(store->put_janus_session(StoredJanusSession{.session = 2, .handle = 3}));
  EXPECT_EQ(store->load_janus_session(), (StoredJanusSession{.session = 2, .handle = 3}));
}

// Issue 10: with a 5 s busy timeout, another process holding the write lock (a backup, the sqlite3
// tool) stalled the server's network thread, and with it every connection, for 5 s per write. Now a
// write gives up quickly and says the database is busy, and works again once the lock is gone.
TEST(SqliteRoomStore, AHeldLockMakesWritesFailFastAndSayBusy) {
  test::TempDir tmp;
  auto store = open_ok(tmp.path());
  ASSERT_NE(store, nullptr);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((tmp.path() / "moim.sqlite3").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(store->put(room(1, "Blocked")));
  EXPECT_TRUE(store->busy()) << store->error();
  EXPECT_FALSE(store->remove_session(1));
  EXPECT_TRUE(store->busy());
  EXPECT_EQ(store->reserve_ids(IdCounter::Room, 1), std::nullopt);
  const double waited_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ timing   ] three writes against a held lock: " << waited_ms << " ms\n";
  EXPECT_LT(waited_ms, 2000.0) << "the network thread must not wait seconds for another process";
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_TRUE(store->put(room(1, "Free")));
  EXPECT_FALSE(store->busy());
  EXPECT_EQ(store->reserve_ids(IdCounter::Room, 1), 1u) << "the refused reservation took nothing";
}

TEST(SqliteRoomStore, SecondOpenOfTheSameDirectoryFails) {
  test::TempDir tmp;
  auto first = open_ok(tmp.path());
  ASSERT_NE(first, nullptr);
  std::string error;
  EXPECT_EQ(SqliteRoomStore::open(tmp.path(), error), nullptr);
  EXPECT_EQ(error, "data directory " + tmp.path().string() + " is in use by another moim-server");
  first.reset();
  EXPECT_NE(open_ok(tmp.path()), nullptr) << "closing releases the lock";
}

TEST(SqliteRoomStore, GarbageDatabaseFileFailsWithAMessage) {
  test::TempDir tmp;
  {
    std::ofstream garbage(tmp.path() / "moim.sqlite3", std::ios::binary);
    for (int i = 0; i < 1000; ++i) garbage << "this is not a database ";
  }
  std::string error;
  EXPECT_EQ(SqliteRoomStore::open(tmp.path(), error), nullptr);
  EXPECT_NE(error.find("moim.sqlite3"), std::string::npos) << error;
  EXPECT_NE(error.find("not a database"), std::string::npos) << error;
}

TEST(SqliteRoomStore, DamagedDatabaseFailsWithAMessage) {
  test::TempDir tmp;
  {
    auto store = open_ok(tmp.path());
    ASSERT_NE(store, nullptr);
    for (proto::RoomId id = 1; id <= 200; ++id) ASSERT_TRUE(store->put(room(id, "Room " + std::to_string(id))));
  }  // closing checkpoints the WAL into the main file
  ASSERT_FALSE(fs::exists(tmp.path() / "moim.sqlite3-wal"));
  const auto size = fs::file_size(tmp.path() / "moim.sqlite3");
  ASSERT_GT(size, 3 * 4096u);
  {
    std::fstream file(tmp.path() / "moim.sqlite3", std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(4096);  // all of page 2: the root of the rooms table
    const std::string junk(4096, '\xAB');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::string error;
  EXPECT_EQ(SqliteRoomStore::open(tmp.path(), error), nullptr);
  EXPECT_FALSE(error.empty());
  std::cout << "[ damaged  ] " << error << '\n';
}

TEST(SqliteRoomStore, DataDirectoryThatIsAFileFails) {
  test::TempDir tmp;
  std::ofstream(tmp.path() / "file") << "x";
  std::string error;
  EXPECT_EQ(SqliteRoomStore::open(tmp.path() / "file", error), nullptr);
  EXPECT_NE(error.find("not a directory"), std::string::npos) << error;
}

TEST(SqliteRoomStore, NewerSchemaIsRefused) {
  test::TempDir tmp;
  open_ok(tmp.path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((tmp.path() / "moim.sqlite3").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  std::string error;
  EXPECT_EQ(SqliteRoomStore::open(tmp.path(), error), nullptr);
  EXPECT_NE(error.find("schema version 99"), std::string::npos) << error;
}

TEST(SqliteRoomStore, UnreadableDatabaseFailsWithAMessage) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  test::TempDir tmp;
  open_ok(tmp.path());
  fs::permissions(tmp.path() / "moim.sqlite3", fs::perms::none);
  std::string error;
  EXPECT_EQ(SqliteRoomStore::open(tmp.path(), error), nullptr);
  EXPECT_NE(error.find("moim.sqlite3"), std::string::npos) << error;
}

// Not a benchmark: figures for the docs. put() is one autocommit transaction in WAL mode with
// synchronous=NORMAL (a write() to the WAL, no fsync); about every 1000 WAL pages a commit also runs
// the automatic checkpoint (with fsync), which is what the max shows.
TEST(SqliteRoomStore, PutTiming) {
  test::TempDir tmp;
  auto store = open_ok(tmp.path());
  ASSERT_NE(store, nullptr);
  constexpr int kOps = 2000;
  const auto measure = [&](const char* name, auto&& op) {
    std::vector<double> us;
    us.reserve(kOps);
    for (int i = 0; i < kOps; ++i) {
      const auto start = std::chrono::steady_clock::now();
      ASSERT_TRUE(op(i)) << store->error();
      us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    }
    double total = 0;
    for (double u : us) total += u;
    std::sort(us.begin(), us.end());
    std::cout << "[ timing   ] SqliteRoomStore::" << name << ": mean " << total / kOps << " us, median "
              << us[kOps / 2] << " us, p99 " << us[kOps * 99 / 100] << " us, max " << us.back() << " us ("
              << kOps << " calls, " << tmp.path() << ")\n";
    RecordProperty(std::string(name) + "_mean_us", std::to_string(total / kOps));
  };
  measure("put", [&](int i) { return store->put(room(static_cast<proto::RoomId>(i % 50 + 1), "Timing")); });
  measure("touch", [&](int i) { return store->touch(static_cast<proto::RoomId>(i % 50 + 1), i); });
  measure("reserve_ids", [&](int) { return store->reserve_ids(IdCounter::Peer, 1).has_value(); });
}

}  // namespace
}  // namespace moim::server
