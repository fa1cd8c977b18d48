#include "server_fixture.hpp"

#include <atomic>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace moim::test {

namespace {

void write_file(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::string describe(const std::optional<json>& message) { return message ? message->dump() : "<nothing>"; }

}  // namespace

void ServerFixture::SetUp() {
  static std::atomic<int> counter{0};
  base_dir_ = std::filesystem::temp_directory_path() /
              ("moim-server-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  root_ = base_dir_ / "web";
  std::filesystem::create_directories(root_ / "sub");
  write_file(root_ / "index.html", kIndexHtml);
  write_file(root_ / "app.wasm", std::string_view("\0asm\1\0\0\0", 8));
  write_file(root_ / "app.js", "console.log('moim');\n");
  write_file(root_ / "sub" / "index.html", "<p>sub</p>\n");
  write_file(base_dir_ / "secret.txt", kSecret);
  prepare_root(root_);

  std::string error;
  server_ = ServerProcess::start(root_, error, server_args(), spawn_options());
  ASSERT_NE(server_, nullptr) << error;
}

void ServerFixture::TearDown() {
  if (server_) {
    const std::optional<int> status = server_->terminate();
    EXPECT_TRUE(status.has_value()) << "server did not stop on SIGTERM";
    if (status) {
      EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "server exit status " << *status;
    }
    server_.reset();
  }
  std::error_code ec;
  std::filesystem::remove_all(base_dir_, ec);
}

std::unique_ptr<WsClient> ServerFixture::connect() { return std::make_unique<WsClient>(port()); }

std::unique_ptr<WsClient> ServerFixture::connect_hello() {
  auto client = connect();
  EXPECT_TRUE(client->send_json({{"type", "hello"}, {"version", 3}}));
  const std::optional<json> welcome = client->read_type("welcome");
  EXPECT_TRUE(welcome.has_value()) << "no welcome";
  if (welcome) {
    EXPECT_EQ(welcome->value("version", 0), 3);
    EXPECT_TRUE(welcome->contains("rooms") && (*welcome)["rooms"].is_array()) << welcome->dump();
  }
  return client;
}

std::uint32_t ServerFixture::create_room(WsClient& client, const std::string& name, int capacity) {
  client.send_json({{"type", "create-room"}, {"name", name}, {"capacity", capacity}});
  const std::optional<json> created = client.read_skipping_updates();
  EXPECT_TRUE(created && type_of(*created) == "room-created") << describe(created);
  if (!created || type_of(*created) != "room-created") return 0;
  return (*created)["room"].value("id", 0u);
}

std::uint32_t ServerFixture::join(WsClient& client, std::uint32_t room, const std::string& name) {
  client.send_json({{"type", "join"}, {"room", room}, {"name", name}});
  // The ICE servers come just before joined (PROTOCOL.md "ice").
  const std::optional<json> ice = client.read_skipping_updates();
  EXPECT_TRUE(ice && type_of(*ice) == "ice") << "expected ice before joined, got " << describe(ice);
  const std::optional<json> joined = ice && type_of(*ice) == "ice" ? client.read_skipping_updates() : ice;
  EXPECT_TRUE(joined && type_of(*joined) == "joined") << describe(joined);
  if (!joined || type_of(*joined) != "joined") return 0;
  EXPECT_EQ((*joined)["room"].value("id", 0u), room);
  EXPECT_EQ((*joined)["self"].value("name", ""), name);
  return (*joined)["self"].value("id", 0u);
}

void ServerFixture::expect_error(WsClient& client, std::string_view code, std::string_view context) {
  const std::optional<json> message = client.read_skipping_updates();
  ASSERT_TRUE(message.has_value()) << context << ": no reply, expected error " << code;
  EXPECT_EQ(type_of(*message), "error") << context << ": " << message->dump();
  EXPECT_EQ(message->value("code", ""), code) << context << ": " << message->dump();
  ASSERT_TRUE(message->contains("message") && (*message)["message"].is_string()) << message->dump();
  EXPECT_FALSE((*message)["message"].get<std::string>().empty()) << message->dump();
}

void ServerFixture::expect_peer_joined(WsClient& client, std::uint32_t peer) {
  const std::optional<json> message = client.read_skipping_updates();
  ASSERT_TRUE(message && type_of(*message) == "peer-joined") << describe(message);
  EXPECT_EQ((*message)["peer"].value("id", 0u), peer) << message->dump();
}

void ServerFixture::expect_peer_left(WsClient& client, std::uint32_t peer) {
  const std::optional<json> message = client.read_skipping_updates();
  ASSERT_TRUE(message && type_of(*message) == "peer-left") << describe(message);
  EXPECT_EQ(message->value("peer", 0u), peer) << message->dump();
}

void ServerFixture::expect_signal_delivered(WsClient& from, std::uint32_t from_id, WsClient& to, std::uint32_t to_id,
                                            const std::string& sdp) {
  ASSERT_TRUE(from.send_json({{"type", "signal"}, {"to", to_id}, {"kind", "offer"}, {"sdp", sdp}}));
  const std::optional<json> message = to.read_skipping_updates();
  ASSERT_TRUE(message && type_of(*message) == "signal") << "expected signal '" << sdp << "', got " << describe(message);
  EXPECT_EQ(message->value("from", 0u), from_id) << message->dump();
  EXPECT_EQ(message->value("kind", ""), "offer") << message->dump();
  EXPECT_EQ(message->value("sdp", ""), sdp) << message->dump();
  EXPECT_FALSE(message->contains("to")) << message->dump();
}

void ServerFixture::expect_server_healthy() {
  ASSERT_TRUE(server_->alive()) << "the server process died";
  auto fresh = connect_hello();
  EXPECT_FALSE(fresh->closed());
}

void CallFixture::SetUp() {
  ServerFixture::SetUp();
  if (HasFatalFailure()) return;
  a_ = connect_hello();
  b_ = connect_hello();
  room_ = create_room(*a_, "Call");
  ASSERT_NE(room_, 0u);
  a_id_ = join(*a_, room_, "Alice");
  ASSERT_NE(a_id_, 0u);
  b_id_ = join(*b_, room_, "Bob");
  ASSERT_NE(b_id_, 0u);
  ASSERT_NE(a_id_, b_id_);
  expect_peer_joined(*a_, b_id_);
}

std::uint32_t CallFixture::add_to_call(WsClient& client, const std::string& name) {
  const std::uint32_t id = join(client, room_, name);
  EXPECT_NE(id, 0u);
  expect_peer_joined(*a_, id);
  expect_peer_joined(*b_, id);
  return id;
}

void CallFixture::expect_call_unaffected(const std::string& tag) {
  expect_signal_delivered(*a_, a_id_, *b_, b_id_, "v=0 a-to-b " + tag);
  expect_signal_delivered(*b_, b_id_, *a_, a_id_, "v=0 b-to-a " + tag);
  expect_server_healthy();
}

}  // namespace moim::test
