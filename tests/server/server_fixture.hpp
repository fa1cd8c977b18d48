// Test fixture: a temporary web root, a running moim-server on a free port, and protocol helpers.
#pragma once

#include "server_process.hpp"
#include "ws_test_client.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace moim::test {

inline constexpr std::string_view kIndexHtml = "<!doctype html><title>Moim test</title><p>hello</p>\n";
inline constexpr std::string_view kSecret = "top secret, outside the web root\n";

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Flags added to the server's command line (after --address, --port and --root).
  virtual std::vector<std::string> server_args() const { return {}; }
  // How the server is started beyond its flags (a wrapper command, where its log goes).
  virtual SpawnOptions spawn_options() const { return {}; }
  // Adds files to the web root before the server starts (it reads the folder once).
  virtual void prepare_root(const std::filesystem::path& /*root*/) {}

  unsigned short port() const { return server_->port(); }
  std::unique_ptr<WsClient> connect();
  // A connected client that has said hello (the welcome is consumed).
  std::unique_ptr<WsClient> connect_hello();

  // Protocol steps; each one fails the test (and returns 0) when the expected reply does not come.
  std::uint32_t create_room(WsClient& client, const std::string& name, int capacity = 6);
  std::uint32_t join(WsClient& client, std::uint32_t room, const std::string& name);
  // Reads the next non-room-updated message on `client` and checks it is error `code`.
  void expect_error(WsClient& client, std::string_view code, std::string_view context = {});
  // Reads the next non-room-updated message on `client` and checks it is peer-joined for `peer`.
  void expect_peer_joined(WsClient& client, std::uint32_t peer);
  void expect_peer_left(WsClient& client, std::uint32_t peer);

  // Sends a signal from `from` to peer `to_id` and checks `to` receives it next, from `from_id`.
  void expect_signal_delivered(WsClient& from, std::uint32_t from_id, WsClient& to, std::uint32_t to_id,
                               const std::string& sdp);
  // The server process runs and a new client still gets a welcome.
  void expect_server_healthy();

  std::filesystem::path base_dir_;  // holds web/ and, outside it, secret.txt
  std::filesystem::path root_;      // the server's --root
  std::unique_ptr<ServerProcess> server_;
};

// A fixture with a call in progress: clients A and B have joined room "Call".
class CallFixture : public ServerFixture {
 protected:
  void SetUp() override;

  // Adds `client` (already hello'd) to the call; A and B see it join. Returns its peer id.
  std::uint32_t add_to_call(WsClient& client, const std::string& name);
  // The call is unaffected: A -> B and B -> A signals are relayed with the right senders.
  void expect_call_unaffected(const std::string& tag);

  std::uint32_t room_ = 0;
  std::unique_ptr<WsClient> a_, b_;
  std::uint32_t a_id_ = 0, b_id_ = 0;
};

}  // namespace moim::test
