// moim-server's Janus client (server/sfu) against REAL Janus (Debian's janus, started by
// scripts/janus.sh on a free port in a temporary folder): the configuration exposes only the API on
// loopback, behind the API secret, with only VideoRoom; rooms made through the client exist for
// Janus (its own `exists` and `list`) and only their secret destroys them; the session survives a
// dropped socket (claimed back), is kept alive past Janus's session timeout, and is made again when
// Janus is killed and started again (the owner is told to make its rooms again). And moim-server
// with --janus-url: it starts and serves without Janus, connects when Janus comes, and survives
// Janus's loss. Janus is killed at the end of every test, also a failed one (and with the test
// process, through setpriv --pdeathsig).
#include "janus_client.hpp"
#include "janus_process.hpp"
#include "protocol.hpp"
#include "server_process.hpp"
#include "ws_test_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <map>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

namespace moim::test {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? (info.st_mode & 07777) : 0;
}

// Janus's data folder (scripts/janus.sh --data-dir) inside a fresh temporary folder, removed at the
// end of a passing test (kept, with Janus's log, after a failing one).
class JanusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    base_ = std::filesystem::temp_directory_path() /
            ("moim-janus-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
    dir_ = base_ / "janus";
    port_ = free_tcp_port();
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (janus_ && HasFailure()) std::cerr << "---- Janus's log (" << base_.string() << ") ----\n" << janus_->log() << "\n";
    janus_.reset();  // SIGKILL if still running
    if (!HasFailure()) std::filesystem::remove_all(base_);
  }
  void start_janus(const std::vector<std::string>& extra = {"--rtp-ports", "40000-40099"}) {
    std::string error;
    janus_ = JanusProcess::start(dir_, port_, error, extra);
    ASSERT_TRUE(janus_) << error;
  }
  std::string secret(const char* name) const { return read_file(dir_ / name); }

  std::filesystem::path base_, dir_;
  unsigned short port_ = 0;
  std::unique_ptr<JanusProcess> janus_;
};

// The client on its own io_context thread; what it reports is recorded for the test to wait on.
class Client {
 public:
  using Result = sfu::JanusClient::Result;

  Client(unsigned short port, sfu::Config config) : guard_(asio::make_work_guard(ioc_)) {
    sfu::JanusClient::Observer observer;
    observer.up = [this](const sfu::SessionUp& up) { record("up " + std::string(sfu::to_string(up.kind)), up.session); };
    observer.down = [this](const std::string& reason) { record("down: " + reason); };
    observer.recreate_rooms = [this] { record("recreate rooms"); };
    auto log = [](sfu::Log::Level, const std::string& text) { std::cerr << "[client] " << text << "\n"; };
    client_ = sfu::JanusClient::create(ioc_, *sfu::parse_url("ws://127.0.0.1:" + std::to_string(port)), std::move(config),
                                       std::move(observer), log);
    client_->start();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~Client() {
    client_->stop();
    guard_.reset();
    asio::post(ioc_, [this] { ioc_.stop(); });
    thread_.join();
  }

  // Waits until the events recorded since `from` include `what`; returns its index or -1.
  int wait_for(const std::string& what, std::size_t from = 0, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    int found = -1;
    changed_.wait_for(lock, timeout, [&] {
      for (std::size_t i = from; i < events_.size(); ++i) {
        if (events_[i].rfind(what, 0) == 0) {
          found = static_cast<int>(i);
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t event_count() {
    std::lock_guard lock(mutex_);
    return events_.size();
  }
  std::uint64_t session() {
    std::lock_guard lock(mutex_);
    return session_;
  }

  Result create_room(sfu::JanusId room, const std::string& secret, int publishers = 50) {
    return wait([&](sfu::JanusClient::Callback done) {
      client_->create_room(room, secret, publishers, "moim test room", std::move(done));
    });
  }
  Result destroy_room(sfu::JanusId room, const std::string& secret) {
    return wait([&](sfu::JanusClient::Callback done) { client_->destroy_room(room, secret, std::move(done)); });
  }
  void drop_connection() { client_->drop_connection(); }

 private:
  void record(std::string event, std::uint64_t session = 0) {
    std::cerr << "[client event] " << event << "\n";
    std::lock_guard lock(mutex_);
    if (session != 0) session_ = session;  // with the event: a waiter sees both
    events_.push_back(std::move(event));
    changed_.notify_all();
  }
  template <class Ask>
  Result wait(Ask ask) {
    auto promise = std::make_shared<std::promise<Result>>();
    std::future<Result> future = promise->get_future();
    ask([promise](const Result& result) { promise->set_value(result); });
    if (future.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
      Result late;
      late.error = sfu::Error{sfu::ErrorCode::JanusError, 0, "no callback within 15 s"};
      return late;
    }
    return future.get();
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::shared_ptr<sfu::JanusClient> client_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
  std::uint64_t session_ = 0;
};

std::string describe(const Client::Result& result) {
  if (result.ok) return "ok, room " + std::to_string(result.room);
  return std::string(sfu::to_string(result.error.code)) + " " + std::to_string(result.error.janus_code) + " " +
         result.error.reason;
}

sfu::Config client_config(const std::string& api_secret, const std::string& admin_key) {
  sfu::Config config;
  config.api_secret = api_secret;
  config.admin_key = admin_key;
  config.backoff_first_ms = 100;  // a restarted Janus is found again quickly
  config.backoff_cap_ms = 500;
  return config;
}

TEST_F(JanusTest, RoomsWithASecretThroughADroppedSocketAndARestart) {
  const auto started = Clock::now();
  start_janus();
  if (HasFatalFailure()) return;
  std::cerr << "[ figures  ] Janus listening after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() << " ms\n";

  // What janus.sh made: secrets (64 hex digits, mode 0600) and the configuration, in 0700 folders.
  const std::string api_secret = secret("api-secret"), admin_key = secret("admin-key");
  for (const std::string& value : {api_secret, admin_key, secret("admin-secret")}) {
    EXPECT_EQ(value.size(), 64u) << value;
    EXPECT_EQ(value.find_first_not_of("0123456789abcdef"), std::string::npos) << value;
  }
  EXPECT_NE(api_secret, admin_key);
  for (const char* file : {"api-secret", "admin-key", "admin-secret", "conf/janus.jcfg", "conf/janus.plugin.videoroom.jcfg",
                           "conf/janus.transport.websockets.jcfg"}) {
    EXPECT_EQ(mode_of(dir_ / file), 0600u) << file;
  }
  EXPECT_EQ(mode_of(dir_), 0700u);
  EXPECT_EQ(mode_of(dir_ / "conf"), 0700u);
  const std::string videoroom_conf = read_file(dir_ / "conf/janus.plugin.videoroom.jcfg");
  EXPECT_NE(videoroom_conf.find("admin_key = \"" + admin_key + "\""), std::string::npos) << videoroom_conf;
  EXPECT_EQ(videoroom_conf.find("room-"), std::string::npos) << "no static rooms: " << videoroom_conf;
  // The only socket Janus listens on is the API on loopback (no HTTP transport, no Admin API).
  EXPECT_EQ(janus_->listening_tcp(), std::vector<std::string>{"127.0.0.1:" + std::to_string(port_)});
  EXPECT_TRUE(janus_->wait_for_log("JANUS WebSockets transport plugin initialized!"));
  const std::string log = janus_->log();
  EXPECT_NE(log.find("Loading plugin 'libjanus_videoroom.so'"), std::string::npos) << log;
  EXPECT_NE(log.find("Loading transport plugin 'libjanus_websockets.so'"), std::string::npos) << log;
  EXPECT_EQ(log.find("Loading transport plugin 'libjanus_http.so'"), std::string::npos) << log;
  EXPECT_NE(log.find("RTP port range: 40000 -- 40099"), std::string::npos) << log;

  // Janus's own view, through its API: the secret is required, only VideoRoom and WebSockets exist.
  JanusApi check(port_);
  std::string why;
  EXPECT_FALSE(check.open_videoroom("", why));
  EXPECT_NE(why.find("\"code\":403"), std::string::npos) << why;
  JanusApi janus(port_);
  ASSERT_TRUE(janus.open_videoroom(api_secret, why)) << why;
  const std::optional<json> info = janus.call({{"janus", "info"}, {"apisecret", api_secret}});
  ASSERT_TRUE(info);
  EXPECT_EQ((*info)["plugins"].size(), 1u) << info->dump();
  EXPECT_TRUE((*info)["plugins"].contains("janus.plugin.videoroom")) << info->dump();
  EXPECT_EQ((*info)["transports"].size(), 1u) << info->dump();
  EXPECT_TRUE((*info)["transports"].contains("janus.transport.websockets")) << info->dump();
  EXPECT_EQ((*info)["api_secret"], true);
  EXPECT_EQ((*info)["reclaim-session-timeout"], 60);

  // moim's client: a session and a room with a secret only it knows.
  Client client(port_, client_config(api_secret, admin_key));
  ASSERT_GE(client.wait_for("up first"), 0) << "no session within 10 s";
  const std::uint64_t first_session = client.session();
  std::cerr << "[ figures  ] client ready after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() << " ms from the start\n";
  constexpr sfu::JanusId kRoom = 4242;
  const std::string room_secret = "only-moim-server-knows-this";
  const Client::Result created = client.create_room(kRoom, room_secret, 50);
  ASSERT_TRUE(created.ok) << describe(created);
  EXPECT_EQ(created.room, kRoom);

  // Janus has it: exists, and listed (private: only with the admin key) with its publishers.
  EXPECT_EQ(janus.videoroom({{"request", "exists"}, {"room", kRoom}})["exists"], true);
  const json listed = janus.videoroom({{"request", "list"}, {"admin_key", admin_key}});
  const json rooms = listed.value("list", json::array());
  const json* entry = nullptr;
  for (const json& room : rooms) {
    if (room.value("room", 0ull) == kRoom) entry = &room;
  }
  ASSERT_NE(entry, nullptr) << listed.dump();
  EXPECT_EQ((*entry)["is_private"], true);
  EXPECT_EQ((*entry)["max_publishers"], 50);
  EXPECT_EQ((*entry)["description"], "moim test room");
  const json public_list = janus.videoroom({{"request", "list"}});
  EXPECT_EQ(public_list.dump().find("4242"), std::string::npos) << "a private room listed without the key: " << public_list.dump();
  // Nobody without the admin key creates rooms; nobody without the room's secret destroys it.
  EXPECT_EQ(janus.videoroom({{"request", "create"}, {"room", 77}, {"secret", "x"}})["error_code"], 429);
  EXPECT_EQ(janus.videoroom({{"request", "create"}, {"room", 77}, {"admin_key", "wrong"}})["error_code"], 433);
  EXPECT_EQ(janus.videoroom({{"request", "destroy"}, {"room", kRoom}, {"secret", "wrong"}})["error_code"], 433);
  EXPECT_EQ(janus.videoroom({{"request", "destroy"}, {"room", kRoom}})["error_code"], 429);
  const Client::Result wrong = client.destroy_room(kRoom, "not-the-secret");
  EXPECT_FALSE(wrong.ok);
  EXPECT_EQ(wrong.error.code, sfu::ErrorCode::RoomUnauthorized) << describe(wrong);
  EXPECT_EQ(janus.videoroom({{"request", "exists"}, {"room", kRoom}})["exists"], true) << "destroyed with a wrong secret";
  const Client::Result again = client.create_room(kRoom, room_secret);
  EXPECT_EQ(again.error.code, sfu::ErrorCode::RoomExists) << describe(again);
  // The secret destroys it.
  const Client::Result destroyed = client.destroy_room(kRoom, room_secret);
  EXPECT_TRUE(destroyed.ok) << describe(destroyed);
  EXPECT_EQ(janus.videoroom({{"request", "exists"}, {"room", kRoom}})["exists"], false);
  EXPECT_EQ(client.destroy_room(kRoom, room_secret).error.code, sfu::ErrorCode::NoSuchRoom);

  // The socket drops (Janus is fine): the session is claimed back, nothing to make again.
  std::size_t mark = client.event_count();
  client.drop_connection();
  ASSERT_GE(client.wait_for("down", mark), 0);
  ASSERT_GE(client.wait_for("up reclaimed", mark), 0) << "events: " << ::testing::PrintToString(client.events());
  EXPECT_EQ(client.session(), first_session);
  EXPECT_LT(client.wait_for("recreate rooms", mark, std::chrono::milliseconds(0)), 0);
  ASSERT_TRUE(client.create_room(kRoom, room_secret).ok);

  // Janus is killed: the client says so, and refuses requests at once.
  mark = client.event_count();
  const auto killed = Clock::now();
  ASSERT_TRUE(janus_->stop(SIGKILL));
  ASSERT_GE(client.wait_for("down", mark, std::chrono::seconds(5)), 0) << "the loss was not reported";
  std::cerr << "[ figures  ] loss reported after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed).count() << " ms\n";
  const Client::Result while_down = client.create_room(kRoom + 1, room_secret);
  EXPECT_EQ(while_down.error.code, sfu::ErrorCode::Unavailable) << describe(while_down);

  // Janus again (same folder, same secrets): a new session, and the owner is asked for its rooms,
  // which Janus has indeed forgotten.
  const auto restarted = Clock::now();
  start_janus();
  if (HasFatalFailure()) return;
  ASSERT_GE(client.wait_for("up replaced", mark), 0) << "events: " << ::testing::PrintToString(client.events());
  std::cerr << "[ figures  ] session made again "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restarted).count()
            << " ms after starting Janus again\n";
  EXPECT_GE(client.wait_for("recreate rooms", mark, std::chrono::seconds(1)), 0);
  EXPECT_NE(client.session(), first_session);
  JanusApi after(port_);
  ASSERT_TRUE(after.open_videoroom(api_secret, why)) << why;
  EXPECT_EQ(after.videoroom({{"request", "exists"}, {"room", kRoom}})["exists"], false);
  const Client::Result recreated = client.create_room(kRoom, room_secret);
  EXPECT_TRUE(recreated.ok) << describe(recreated);
  EXPECT_EQ(after.videoroom({{"request", "exists"}, {"room", kRoom}})["exists"], true);

  // SIGTERM ends Janus cleanly.
  const std::optional<int> status = janus_->stop(SIGTERM);
  ASSERT_TRUE(status) << "Janus did not exit within 10 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

// Janus drops a session that sends nothing for --session-timeout (3 s here): the client's keepalive
// (every second here) holds it for 8 s, while a bare session opened beside it times out.
TEST_F(JanusTest, TheKeepaliveHoldsTheSessionPastJanusTimeout) {
  start_janus({"--session-timeout", "3", "--rtp-ports", "40100-40199"});
  if (HasFatalFailure()) return;
  const std::string api_secret = secret("api-secret");
  sfu::Config config = client_config(api_secret, secret("admin-key"));
  config.keepalive_ms = 1000;
  Client client(port_, config);
  ASSERT_GE(client.wait_for("up first"), 0);
  const std::uint64_t session = client.session();
  JanusApi bare(port_);
  std::string why;
  ASSERT_TRUE(bare.open_videoroom(api_secret, why)) << why;

  bool bare_timed_out = false;
  const auto until = Clock::now() + std::chrono::seconds(8);
  while (Clock::now() < until) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    const std::optional<json> event = bare.next_event(std::max(left, std::chrono::milliseconds(1)));
    if (event && event->value("janus", "") == "timeout" && event->value("session_id", 0ull) == bare.session()) {
      bare_timed_out = true;
    }
  }
  EXPECT_TRUE(bare_timed_out) << "Janus did not time out a session without keepalives: the test proves nothing";
  EXPECT_EQ(client.events(), std::vector<std::string>{"up first"}) << "the client's session was lost";
  EXPECT_EQ(client.session(), session);
  const Client::Result created = client.create_room(9, "secret-of-room-9", 6);
  EXPECT_TRUE(created.ok) << describe(created);
}

// moim-server with --janus-url: serves without Janus (tries again, says so), connects when Janus
// comes, survives its loss, and makes the session again when it is back.
TEST_F(JanusTest, TheServerConnectsWhenJanusComesAndSurvivesItsLoss) {
  // The secrets first (janus.sh keeps those it finds), so the server can read them before Janus runs.
  std::filesystem::create_directories(dir_);
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
  const std::string api_secret(64, 'a'), admin_key(64, 'b');
  for (const auto& [name, value] : {std::pair{"api-secret", api_secret}, std::pair{"admin-key", admin_key}}) {
    std::ofstream(dir_ / name) << value;
    std::filesystem::permissions(dir_ / name, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  const std::filesystem::path root = base_ / "site";
  std::filesystem::create_directories(root);
  std::ofstream(root / "index.html") << "<!doctype html><title>moim</title>\n";
  const std::filesystem::path server_log = base_ / "server.log";
  std::string error;
  std::unique_ptr<ServerProcess> server = ServerProcess::start(
      root, error,
      {"--janus-url", "ws://127.0.0.1:" + std::to_string(port_), "--janus-api-secret-file", (dir_ / "api-secret").string(),
       "--janus-admin-key-file", (dir_ / "admin-key").string(), "--stun-port", "0"},
      SpawnOptions{{}, server_log});
  ASSERT_TRUE(server) << error;
  const auto log_has = [&](const std::string& text, std::size_t from, std::chrono::milliseconds timeout) -> std::size_t {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const std::string log = read_file(server_log);
      const std::size_t at = log.find(text, from);
      if (at != std::string::npos) return at;
      if (Clock::now() >= deadline) return std::string::npos;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  const auto healthy = [&] {
    ASSERT_TRUE(server->alive()) << read_file(server_log);
    WsClient ws(server->port());
    ASSERT_TRUE(ws.send_json({{"type", "hello"}, {"version", proto::kVersion}}));
    const std::optional<json> welcome = ws.read_type("welcome");
    EXPECT_TRUE(welcome) << "no welcome";
  };
  std::size_t at = log_has("cannot reach Janus", 0, std::chrono::seconds(5));
  ASSERT_NE(at, std::string::npos) << read_file(server_log);
  healthy();

  start_janus({"--rtp-ports", "40200-40299"});
  if (HasFatalFailure()) return;
  at = log_has("ready: session", at, std::chrono::seconds(10));
  ASSERT_NE(at, std::string::npos) << read_file(server_log);
  EXPECT_NE(read_file(server_log).find("(first)", at), std::string::npos) << read_file(server_log);
  healthy();

  ASSERT_TRUE(janus_->stop(SIGKILL));
  at = log_has("connection lost", at, std::chrono::seconds(5));
  ASSERT_NE(at, std::string::npos) << read_file(server_log);
  healthy();

  start_janus({"--rtp-ports", "40200-40299"});
  if (HasFatalFailure()) return;
  at = log_has("ready: session", at, std::chrono::seconds(10));
  ASSERT_NE(at, std::string::npos) << read_file(server_log);
  EXPECT_NE(read_file(server_log).find("(replaced)", at), std::string::npos) << read_file(server_log);
  healthy();

  const std::optional<int> status = server->terminate(std::chrono::seconds(10));
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status << "\n" << read_file(server_log);
}

// Issue 15: large rooms through moim-server. A room over --mesh-max made through the WebSocket API
// exists in Janus (the same id, private, its capacity as publishers) once room-created arrives, is
// joined (its media: LargeRoomMediaGoesThroughJanus), is made again after Janus is killed and started again
// (the clients hear large rooms go away and come back: `limits`), and is destroyed in Janus when its
// owner deletes it.
TEST_F(JanusTest, LargeRoomsAreJanusRoomsMadeAgainAfterARestartAndDestroyedWithTheRoom) {
  std::filesystem::create_directories(dir_);
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
  const std::string api_secret(64, 'c'), admin_key(64, 'd');
  for (const auto& [name, value] : {std::pair{"api-secret", api_secret}, std::pair{"admin-key", admin_key}}) {
    std::ofstream(dir_ / name) << value;
    std::filesystem::permissions(dir_ / name, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  start_janus({"--rtp-ports", "40300-40399"});
  if (HasFatalFailure()) return;
  const std::filesystem::path root = base_ / "site";
  std::filesystem::create_directories(root);
  std::ofstream(root / "index.html") << "<!doctype html><title>moim</title>\n";
  const std::filesystem::path server_log = base_ / "server.log";
  std::string error;
  std::unique_ptr<ServerProcess> server = ServerProcess::start(
      root, error,
      {"--janus-url", "ws://127.0.0.1:" + std::to_string(port_), "--janus-api-secret-file", (dir_ / "api-secret").string(),
       "--janus-admin-key-file", (dir_ / "admin-key").string(), "--stun-port", "0", "--data-dir", (base_ / "data").string()},
      SpawnOptions{{}, server_log});
  ASSERT_TRUE(server) << error;

  // Large rooms are available once the link is ready: in the welcome, or pushed as `limits`.
  WsClient owner(server->port());
  ASSERT_TRUE(owner.send_json({{"type", "hello"}, {"version", proto::kVersion}}));
  const std::optional<json> welcome = owner.read_type("welcome");
  ASSERT_TRUE(welcome);
  EXPECT_EQ((*welcome)["limits"]["maxCapacity"], 50);
  EXPECT_EQ((*welcome)["limits"]["meshMax"], 6);
  if (!(*welcome)["limits"]["largeRooms"].get<bool>()) {
    const std::optional<json> limits = owner.read_type("limits", std::chrono::seconds(10));
    ASSERT_TRUE(limits) << read_file(server_log);
    EXPECT_EQ((*limits)["limits"]["largeRooms"], true);
  }
  const auto started = Clock::now();
  ASSERT_TRUE(owner.send_json({{"type", "create-room"}, {"name", "Town hall"}, {"capacity", 40}}));
  const std::optional<json> created = owner.read_type("room-created", std::chrono::seconds(10));
  ASSERT_TRUE(created) << read_file(server_log);
  std::cerr << "[ figures  ] large room created (Janus confirmed) in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() << " ms\n";
  EXPECT_EQ((*created)["room"]["mode"], "sfu");
  const std::uint64_t room = (*created)["room"]["id"].get<std::uint64_t>();
  const std::string owner_token = (*created)["owner"].get<std::string>();

  JanusApi janus(port_);
  std::string why;
  ASSERT_TRUE(janus.open_videoroom(api_secret, why)) << why;
  EXPECT_EQ(janus.videoroom({{"request", "exists"}, {"room", room}})["exists"], true);
  const auto listed_entry = [&](JanusApi& api) -> std::optional<json> {
    const json listed = api.videoroom({{"request", "list"}, {"admin_key", admin_key}});
    for (const json& r : listed.value("list", json::array())) {
      if (r.value("room", 0ull) == room) return r;
    }
    return std::nullopt;
  };
  const std::optional<json> entry = listed_entry(janus);
  ASSERT_TRUE(entry);
  EXPECT_EQ((*entry)["is_private"], true);
  EXPECT_EQ((*entry)["max_publishers"], 40);
  EXPECT_EQ((*entry)["description"], "Town hall");
  const json without_key = janus.videoroom({{"request", "list"}});
  for (const json& r : without_key.value("list", json::array())) EXPECT_NE(r.value("room", 0ull), room) << "private";
  // Only moim-server knows its secret: destroying it without fails.
  EXPECT_NE(janus.videoroom({{"request", "destroy"}, {"room", room}}).value("error_code", 0), 0);

  WsClient joiner(server->port());
  ASSERT_TRUE(joiner.send_json({{"type", "hello"}, {"version", proto::kVersion}}));
  ASSERT_TRUE(joiner.read_type("welcome"));
  ASSERT_TRUE(joiner.send_json({{"type", "join"}, {"room", room}, {"name", "Bo"}}));
  const std::optional<json> joined = joiner.read_skipping_updates();
  ASSERT_TRUE(joined);
  EXPECT_EQ((*joined)["type"], "ice");
  EXPECT_TRUE(joiner.read_type("joined"));

  // Janus killed: large rooms go away for the clients; started again: they come back, and the room
  // is made again in the new Janus.
  ASSERT_TRUE(janus_->stop(SIGKILL));
  const std::optional<json> gone = owner.read_type("limits", std::chrono::seconds(10));
  ASSERT_TRUE(gone) << read_file(server_log);
  EXPECT_EQ((*gone)["limits"]["largeRooms"], false);
  ASSERT_TRUE(owner.send_json({{"type", "create-room"}, {"name", "Another"}, {"capacity", 20}}));
  const std::optional<json> unavailable = owner.read_type("error");
  ASSERT_TRUE(unavailable);
  EXPECT_EQ((*unavailable)["code"], "large-rooms-unavailable");
  start_janus({"--rtp-ports", "40300-40399"});
  if (HasFatalFailure()) return;
  const std::optional<json> back = owner.read_type("limits", std::chrono::seconds(15));
  ASSERT_TRUE(back) << read_file(server_log);
  EXPECT_EQ((*back)["limits"]["largeRooms"], true);
  JanusApi again(port_);
  ASSERT_TRUE(again.open_videoroom(api_secret, why)) << why;
  bool exists = false;
  for (const auto deadline = Clock::now() + std::chrono::seconds(10); !exists && Clock::now() < deadline;) {
    exists = again.videoroom({{"request", "exists"}, {"room", room}}).value("exists", false);
    if (!exists) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(exists) << "made again after the restart\n" << read_file(server_log);
  const std::optional<json> remade = listed_entry(again);
  ASSERT_TRUE(remade);
  EXPECT_EQ((*remade)["max_publishers"], 40);

  // Deleted by its owner: gone from Janus too.
  ASSERT_TRUE(owner.send_json({{"type", "delete-room"}, {"room", room}, {"owner", owner_token}}));
  ASSERT_TRUE(owner.read_type("room-removed", std::chrono::seconds(5)));
  bool destroyed = false;
  for (const auto deadline = Clock::now() + std::chrono::seconds(10); !destroyed && Clock::now() < deadline;) {
    destroyed = !again.videoroom({{"request", "exists"}, {"room", room}}).value("exists", true);
    if (!destroyed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(destroyed) << read_file(server_log);
  const std::optional<int> status = server->terminate(std::chrono::seconds(10));
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status << "\n" << read_file(server_log);
}

// Issue 15: a large room's media through moim-server and a real Janus. Each participant is a
// VideoRoom publisher whose id is its Moim peer id and display its name; a browser's publish offer
// (one Chromium made: bench/data/chromium-offer.sdp, audio and video) is answered by Janus through
// moim-server, with Janus's candidates in the SDP (no trickle); Janus refuses a feed whose
// PeerConnection is not up (no DTLS here), so nobody gets a subscription offer yet; an SDP Janus
// cannot read is media-failed, and the publisher comes back (new handles, same id); media-signal
// outside a large room, or the wrong kind for a link, is refused; Janus killed and started again:
// media-state down, then reset once the room is made again, the participants publishers again; a
// participant who leaves is gone from Janus's room.
TEST_F(JanusTest, LargeRoomMediaGoesThroughJanus) {
  std::filesystem::create_directories(dir_);
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
  const std::string api_secret(64, 'e'), admin_key(64, 'f');
  for (const auto& [name, value] : {std::pair{"api-secret", api_secret}, std::pair{"admin-key", admin_key}}) {
    std::ofstream(dir_ / name) << value;
    std::filesystem::permissions(dir_ / name, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  start_janus({"--rtp-ports", "40400-40499"});
  if (HasFatalFailure()) return;
  const std::filesystem::path root = base_ / "site";
  std::filesystem::create_directories(root);
  std::ofstream(root / "index.html") << "<!doctype html><title>moim</title>\n";
  const std::filesystem::path server_log = base_ / "server.log";
  std::string error;
  std::unique_ptr<ServerProcess> server = ServerProcess::start(
      root, error,
      {"--janus-url", "ws://127.0.0.1:" + std::to_string(port_), "--janus-api-secret-file", (dir_ / "api-secret").string(),
       "--janus-admin-key-file", (dir_ / "admin-key").string(), "--stun-port", "0", "--data-dir", (base_ / "data").string()},
      SpawnOptions{{}, server_log});
  ASSERT_TRUE(server) << error;

  WsClient owner(server->port());
  ASSERT_TRUE(owner.send_json({{"type", "hello"}, {"version", proto::kVersion}}));
  const std::optional<json> welcome = owner.read_type("welcome");
  ASSERT_TRUE(welcome);
  if (!(*welcome)["limits"]["largeRooms"].get<bool>()) ASSERT_TRUE(owner.read_type("limits", std::chrono::seconds(10)));
  ASSERT_TRUE(owner.send_json({{"type", "create-room"}, {"name", "Town hall"}, {"capacity", 20}}));
  const std::optional<json> created = owner.read_type("room-created", std::chrono::seconds(10));
  ASSERT_TRUE(created) << read_file(server_log);
  const std::uint64_t room = (*created)["room"]["id"].get<std::uint64_t>();

  const auto join = [&](WsClient& ws, const std::string& name) -> std::uint64_t {
    EXPECT_TRUE(ws.send_json({{"type", "hello"}, {"version", proto::kVersion}}));
    EXPECT_TRUE(ws.read_type("welcome"));
    EXPECT_TRUE(ws.send_json({{"type", "join"}, {"room", room}, {"name", name}}));
    const std::optional<json> joined = ws.read_type("joined");
    EXPECT_TRUE(joined) << read_file(server_log);
    return joined ? (*joined)["self"]["id"].get<std::uint64_t>() : 0;
  };
  WsClient ann(server->port()), bo(server->port());
  const std::uint64_t ann_id = join(ann, "Ann"), bo_id = join(bo, "Bo");
  ASSERT_NE(ann_id, 0u);

  // Both are publishers in Janus's room, under their Moim ids and names (listparticipants).
  JanusApi janus(port_);
  std::string why;
  ASSERT_TRUE(janus.open_videoroom(api_secret, why)) << why;
  JanusApi* janus_api = &janus;  // the one of the Janus running now
  const auto participants = [&] {
    std::map<std::uint64_t, std::string> found;
    const json listed = janus_api->videoroom({{"request", "listparticipants"}, {"room", room}});
    for (const json& p : listed.value("participants", json::array())) {
      found[p.value("id", 0ull)] = p.value("display", "");
    }
    return found;
  };
  const auto wait_participants = [&](const std::map<std::uint64_t, std::string>& expected) {
    std::map<std::uint64_t, std::string> now;
    for (const auto deadline = Clock::now() + std::chrono::seconds(10); Clock::now() < deadline;) {
      now = participants();
      if (now == expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return now;
  };
  EXPECT_EQ(wait_participants({{ann_id, "Ann"}, {bo_id, "Bo"}}), (std::map<std::uint64_t, std::string>{{ann_id, "Ann"}, {bo_id, "Bo"}}))
      << read_file(server_log);

  // Ann publishes: Janus's answer comes back on the publish link, its candidates inside.
  const std::string offer = read_file(std::filesystem::path(MOIM_SOURCE_DIR) / "bench/data/chromium-offer.sdp");
  ASSERT_NE(offer.find("m=video"), std::string::npos);
  const auto started = Clock::now();
  ASSERT_TRUE(ann.send_json({{"type", "media-signal"}, {"link", "publish"}, {"kind", "offer"}, {"sdp", offer}}));
  const std::optional<json> answer = ann.read_type("media-signal", std::chrono::seconds(10));
  ASSERT_TRUE(answer) << read_file(server_log);
  std::cerr << "[ figures  ] publish answer from Janus in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() << " ms\n";
  EXPECT_EQ((*answer)["link"], "publish");
  EXPECT_EQ((*answer)["kind"], "answer");
  const std::string sdp = answer->value("sdp", "");
  for (const char* line : {"m=audio", "m=video", "a=ice-ufrag:", "a=fingerprint:", "a=candidate:", "a=end-of-candidates"}) {
    EXPECT_NE(sdp.find(line), std::string::npos) << line << "\n" << sdp;
  }
  EXPECT_FALSE(answer->contains("streams"));
  // Ann's candidates are taken (trickled to her publisher handle), nothing comes back for them.
  ASSERT_TRUE(ann.send_json({{"type", "media-signal"}, {"link", "publish"}, {"kind", "candidate"},
                             {"candidate", {{"candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"},
                                            {"sdpMid", "0"}, {"sdpMLineIndex", 0}}}}));
  ASSERT_TRUE(ann.send_json({{"type", "media-signal"}, {"link", "publish"}, {"kind", "candidate"}, {"candidate", {{"candidate", ""}}}}));
  // No PeerConnection comes up (nobody does DTLS here): Janus lets nobody subscribe to Ann yet.
  // Bo's messages up to the answer to his next request (sent 1.5 s later) hold no media-signal.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // The wrong kind for a link; a participant of no large room.
  ASSERT_TRUE(bo.send_json({{"type", "media-signal"}, {"link", "subscribe"}, {"kind", "offer"}, {"sdp", offer}}));
  std::optional<json> wrong;
  for (std::optional<json> next; (next = bo.read());) {
    EXPECT_NE((*next)["type"], "media-signal") << next->dump();
    if ((*next)["type"] == "error") {
      wrong = next;
      break;
    }
  }
  ASSERT_TRUE(wrong);
  EXPECT_EQ((*wrong)["code"], "bad-field");
  ASSERT_TRUE(owner.send_json({{"type", "media-restart"}}));
  const std::optional<json> outside = owner.read_type("error");
  ASSERT_TRUE(outside);
  EXPECT_EQ((*outside)["code"], "not-in-large-room");

  // An SDP Janus cannot read: media-failed; Ann's publisher comes back, same id.
  ASSERT_TRUE(ann.send_json({{"type", "media-signal"}, {"link", "publish"}, {"kind", "offer"}, {"sdp", "v=0\r\nnonsense\r\n"}}));
  const std::optional<json> failed = ann.read_type("error", std::chrono::seconds(10));
  ASSERT_TRUE(failed) << read_file(server_log);
  EXPECT_EQ((*failed)["code"], "media-failed");
  EXPECT_EQ((*failed)["request"], "media-signal");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(wait_participants({{ann_id, "Ann"}, {bo_id, "Bo"}}), (std::map<std::uint64_t, std::string>{{ann_id, "Ann"}, {bo_id, "Bo"}}))
      << read_file(server_log);
  ASSERT_TRUE(ann.send_json({{"type", "media-signal"}, {"link", "publish"}, {"kind", "offer"}, {"sdp", offer}}));
  const std::optional<json> again = ann.read_type("media-signal", std::chrono::seconds(10));
  ASSERT_TRUE(again) << read_file(server_log);
  EXPECT_EQ((*again)["kind"], "answer");

  // Janus killed: media-state down to both; started again: the room is made again first, then both
  // hear reset and are publishers again (new handles, same ids), and a new offer is answered.
  ASSERT_TRUE(janus_->stop(SIGKILL));
  for (WsClient* ws : {&ann, &bo}) {
    const std::optional<json> down = ws->read_type("media-state", std::chrono::seconds(10));
    ASSERT_TRUE(down) << read_file(server_log);
    EXPECT_EQ((*down)["state"], "down");
  }
  start_janus({"--rtp-ports", "40400-40499"});
  if (HasFatalFailure()) return;
  for (WsClient* ws : {&ann, &bo}) {
    const std::optional<json> reset = ws->read_type("media-state", std::chrono::seconds(15));
    ASSERT_TRUE(reset) << read_file(server_log);
    EXPECT_EQ((*reset)["state"], "reset");
  }
  JanusApi restarted(port_);
  ASSERT_TRUE(restarted.open_videoroom(api_secret, why)) << why;
  janus_api = &restarted;
  EXPECT_EQ(wait_participants({{ann_id, "Ann"}, {bo_id, "Bo"}}), (std::map<std::uint64_t, std::string>{{ann_id, "Ann"}, {bo_id, "Bo"}}))
      << read_file(server_log);
  ASSERT_TRUE(ann.send_json({{"type", "media-signal"}, {"link", "publish"}, {"kind", "offer"}, {"sdp", offer}}));
  const std::optional<json> after_reset = ann.read_type("media-signal", std::chrono::seconds(10));
  ASSERT_TRUE(after_reset) << read_file(server_log);
  EXPECT_EQ((*after_reset)["kind"], "answer");

  // Bo leaves: his handles are detached, he is gone from Janus's room.
  ASSERT_TRUE(bo.send_json({{"type", "leave"}}));
  ASSERT_TRUE(bo.read_type("left"));
  EXPECT_EQ(wait_participants({{ann_id, "Ann"}}), (std::map<std::uint64_t, std::string>{{ann_id, "Ann"}})) << read_file(server_log);
  // Ann closes her tab: gone too.
  ASSERT_TRUE(ann.close());
  EXPECT_EQ(wait_participants({}), (std::map<std::uint64_t, std::string>{})) << read_file(server_log);

  const std::optional<int> status = server->terminate(std::chrono::seconds(10));
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status << "\n" << read_file(server_log);
}

// scripts/janus.sh itself: bad arguments stop it with exit code 2 and a message before it writes
// anything; --prepare makes the secrets (kept on the next run) and the configuration without Janus.
struct ScriptRun {
  int exit_code = -1;
  std::string out;
};
ScriptRun run_script(const std::vector<std::string>& args) {
  std::string command = "/bin/bash '" + janus_script().string() + "'";
  for (const std::string& arg : args) command += " '" + arg + "'";
  command += " 2>&1";
  ScriptRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) run.out += buffer;
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST_F(JanusTest, TheScriptRefusesBadArgumentsAndPreparesItsFolder) {
  const std::filesystem::path password = base_ / "turn-password";
  std::ofstream(password) << "pass-word\n";
  std::filesystem::permissions(password, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                             std::filesystem::perms::others_read);
  const std::string d = dir_.string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--port", "8188"}, "--data-dir is required"},
      {{"--data-dir", d, "--port", "0"}, "--port needs a port number"},
      {{"--data-dir", d, "--port", "70000"}, "--port needs a port number"},
      {{"--data-dir", d, "--port", "x"}, "--port needs a port number"},
      {{"--data-dir", d, "--port"}, "--port needs a value"},
      {{"--data-dir", d, "--rtp-ports", "100-200"}, "1024 <= MIN <= MAX <= 65535"},
      {{"--data-dir", d, "--rtp-ports", "30000-20000"}, "1024 <= MIN <= MAX <= 65535"},
      {{"--data-dir", d, "--rtp-ports", "20000"}, "--rtp-ports needs MIN-MAX"},
      {{"--data-dir", d, "--port", "20100"}, "lies inside --rtp-ports"},
      {{"--data-dir", d, "--session-timeout", "0"}, "--session-timeout needs a number from 1 to 3600"},
      {{"--data-dir", d, "--reclaim-timeout", "-1"}, "--reclaim-timeout needs a number from 0 to 3600"},
      {{"--data-dir", d, "--debug-level", "9"}, "--debug-level needs a number from 0 to 7"},
      {{"--data-dir", d, "--nat-1-1", "example.org"}, "--nat-1-1 needs an IP address"},
      {{"--data-dir", d, "--stun-server", "a\"b"}, "--stun-server needs HOST[:PORT]"},
      {{"--data-dir", d, "--stun-server", "stun.example:0"}, "bad port"},
      {{"--data-dir", d, "--turn-server", "turn.example"}, "--turn-server needs --turn-user and --turn-password-file"},
      {{"--data-dir", d, "--turn-user", "u"}, "need --turn-server"},
      {{"--data-dir", d, "--turn-server", "turn.example", "--turn-user", "u", "--turn-password-file", password.string()},
       "is readable by others"},
      {{"--data-dir", d, "--turn-server", "turn.example", "--turn-user", "u", "--turn-password-file", password.string(),
        "--turn-type", "sctp"},
       "--turn-type needs udp, tcp or tls"},
      {{"--data-dir", d, "--bogus"}, "unknown option '--bogus'"},
      {{"--data-dir", d, "--check=1"}, "--check takes no value"},
      {{"--data-dir", "/proc/version"}, "is not a folder"},
  };
  for (const auto& [args, says] : cases) {
    const ScriptRun run = run_script(args);
    std::string joined;
    for (const std::string& arg : args) joined += arg + " ";
    EXPECT_EQ(run.exit_code, 2) << joined << "-> " << run.out;
    EXPECT_NE(run.out.find("janus.sh: "), std::string::npos) << joined << "-> " << run.out;
    EXPECT_NE(run.out.find(says), std::string::npos) << joined << "-> " << run.out;
    EXPECT_FALSE(std::filesystem::exists(dir_)) << joined << "made the folder";
  }
  EXPECT_EQ(run_script({"--data-dir", d, "--check"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_)) << "--check made the folder";

  // --prepare: the secrets and the configuration, no Janus; the secrets are kept by the next run.
  std::filesystem::permissions(password, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const ScriptRun prepared = run_script({"--data-dir", d, "--prepare", "--port", "9188", "--rtp-ports", "30000-30009",
                                   "--nat-1-1", "203.0.113.7", "--stun-server", "stun.example:3479", "--turn-server",
                                   "turn.example", "--turn-user", "janus", "--turn-password-file", password.string()});
  ASSERT_EQ(prepared.exit_code, 0) << prepared.out;
  const std::string api_secret = secret("api-secret");
  const std::string conf = read_file(dir_ / "conf/janus.jcfg");
  for (const std::string& line : {"api_secret = \"" + api_secret + "\"", std::string("rtp_port_range = \"30000-30009\""),
                                  std::string("nat_1_1_mapping = \"203.0.113.7\""), std::string("stun_server = \"stun.example\""),
                                  std::string("stun_port = 3479"), std::string("turn_server = \"turn.example\""),
                                  std::string("turn_port = 3478"), std::string("turn_pwd = \"pass-word\""),
                                  std::string("session_timeout = 60"), std::string("reclaim_session_timeout = 60")}) {
    EXPECT_NE(conf.find(line), std::string::npos) << line << " not in\n" << conf;
  }
  // Every plugin and transport the package has but the two, disabled by name.
  for (const char* name : {"libjanus_echotest.so", "libjanus_streaming.so", "libjanus_audiobridge.so"}) {
    EXPECT_NE(conf.find(name), std::string::npos) << name;
  }
  EXPECT_NE(conf.find("libjanus_http.so"), std::string::npos);
  EXPECT_EQ(conf.find("libjanus_videoroom.so"), std::string::npos);
  EXPECT_EQ(conf.find("libjanus_websockets.so"), std::string::npos);
  const std::string ws = read_file(dir_ / "conf/janus.transport.websockets.jcfg");
  EXPECT_NE(ws.find("ws_port = 9188"), std::string::npos) << ws;
  EXPECT_NE(ws.find("ws_ip = \"127.0.0.1\""), std::string::npos) << ws;
  EXPECT_NE(ws.find("admin_ws = false"), std::string::npos) << ws;
  ASSERT_EQ(run_script({"--data-dir", d, "--prepare"}).exit_code, 0);
  EXPECT_EQ(secret("api-secret"), api_secret) << "the secret changed on the next run";
  // A secret file that is not what janus.sh writes is refused, not overwritten.
  std::ofstream(dir_ / "admin-key") << "short";
  const ScriptRun broken = run_script({"--data-dir", d, "--prepare"});
  EXPECT_EQ(broken.exit_code, 2) << broken.out;
  EXPECT_NE(broken.out.find("holds something other than 64 hex digits"), std::string::npos) << broken.out;
}

}  // namespace
}  // namespace moim::test
