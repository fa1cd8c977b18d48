// Who may open a WebSocket: the Origin check and the per-address connection limit, against the real
// server (unit tests of the rules themselves are in admission_test.cpp).
#include "http_test_client.hpp"
#include "protocol.hpp"
#include "server_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace moim::test {
namespace {

WsOptions with_origin(const std::string& origin) { return WsOptions{.source = {}, .headers = {{"Origin", origin}}}; }

// The client can say hello and gets a welcome: the connection reached the hub and works.
void expect_usable(WsUpgrade& upgrade, const std::string& context) {
  ASSERT_EQ(upgrade.status, 101u) << context << ": " << upgrade.body << upgrade.error;
  ASSERT_TRUE(upgrade.client);
  ASSERT_TRUE(upgrade.client->send_json({{"type", "hello"}, {"version", proto::kVersion}})) << context;
  EXPECT_TRUE(upgrade.client->read_type("welcome").has_value()) << context << ": no welcome";
}

void expect_refused(const WsUpgrade& upgrade, unsigned status, const std::string& body, const std::string& context) {
  EXPECT_EQ(upgrade.status, status) << context << ": " << upgrade.error;
  EXPECT_EQ(upgrade.body, body + "\n") << context;
  EXPECT_FALSE(upgrade.client) << context;
}

// ---- Origin, default policy: same origin only ----------------------------------------------------

using OriginDefault = ServerFixture;

TEST_F(OriginDefault, NoOriginHeaderIsAllowed) {
  // Non-browser clients (tests, bench/loadgen) send none.
  WsUpgrade upgrade = WsClient::try_connect(port());
  expect_usable(upgrade, "no Origin");
}

TEST_F(OriginDefault, SameOriginIsAllowed) {
  // The test client sends Host: 127.0.0.1:PORT.
  const std::string self = "http://127.0.0.1:" + std::to_string(port());
  WsUpgrade upgrade = WsClient::try_connect(port(), with_origin(self));
  expect_usable(upgrade, self);
  WsUpgrade upper = WsClient::try_connect(port(), with_origin("HTTP://127.0.0.1:" + std::to_string(port())));
  expect_usable(upper, "upper-case scheme");
}

TEST_F(OriginDefault, OtherOriginsAreRefusedWith403) {
  const std::string p = std::to_string(port());
  for (const std::string& origin : std::vector<std::string>{"http://evil.example", "http://localhost:" + p, "https://127.0.0.1:" + p,
                                                            "http://127.0.0.1:1" + p, "http://127.0.0.1", "null", ""}) {
    const WsUpgrade upgrade = WsClient::try_connect(port(), with_origin(origin));
    expect_refused(upgrade, 403, "origin not allowed: " + origin, "Origin '" + origin + "'");
  }
  expect_server_healthy();
}

// ---- Origin with --allow-origin -------------------------------------------------------------------

class OriginAllowList : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--allow-origin", "https://moim.example:8443", "--allow-origin=http://Friend.Example/"};
  }
};

TEST_F(OriginAllowList, ListedOriginsAreAllowed) {
  for (const std::string origin : {"https://moim.example:8443", "http://friend.example", "http://friend.example:80"}) {
    WsUpgrade upgrade = WsClient::try_connect(port(), with_origin(origin));
    expect_usable(upgrade, origin);
  }
}

TEST_F(OriginAllowList, SameOriginStillAllowedOthersRefused) {
  WsUpgrade self = WsClient::try_connect(port(), with_origin("http://127.0.0.1:" + std::to_string(port())));
  expect_usable(self, "same origin");
  for (const std::string origin : {"https://moim.example", "http://moim.example:8443", "https://friend.example",
                                   "https://moim.example:8443.evil"}) {
    const WsUpgrade upgrade = WsClient::try_connect(port(), with_origin(origin));
    expect_refused(upgrade, 403, "origin not allowed: " + origin, origin);
  }
}

class OriginAny : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override { return {"--allow-origin", "*"}; }
};

TEST_F(OriginAny, StarAllowsEveryOrigin) {
  for (const std::string origin : {"http://evil.example", "null", "https://anything.example:1234"}) {
    WsUpgrade upgrade = WsClient::try_connect(port(), with_origin(origin));
    expect_usable(upgrade, origin);
  }
}

// ---- Connections per address -----------------------------------------------------------------------

using PerAddressDefault = ServerFixture;

TEST_F(PerAddressDefault, ThirtyThirdConnectionFromOneAddressGets429) {
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 32; ++i) {
    WsUpgrade upgrade = WsClient::try_connect(port());
    ASSERT_EQ(upgrade.status, 101u) << "connection " << i + 1 << ": " << upgrade.body << upgrade.error;
    clients.push_back(std::move(upgrade.client));
  }
  expect_refused(WsClient::try_connect(port()), 429, "too many connections from 127.0.0.1", "33rd");
  // The limit is on WebSockets: plain HTTP from the same address still works.
  HttpClient http(port());
  const auto page = http.request(boost::beast::http::verb::get, "/");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->result_int(), 200);
  WsUpgrade bystander = WsClient::try_connect(port(), WsOptions{.source = "127.0.0.2", .headers = {}});
  expect_usable(bystander, "bystander from 127.0.0.2");
}

class PerAddressLimit : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override { return {"--max-connections-per-address", "3"}; }
};

TEST_F(PerAddressLimit, RefusedAboveTheLimitBystanderUnaffectedFreedOnClose) {
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 3; ++i) {
    WsUpgrade upgrade = WsClient::try_connect(port());
    expect_usable(upgrade, "connection " + std::to_string(i + 1));
    clients.push_back(std::move(upgrade.client));
  }
  expect_refused(WsClient::try_connect(port()), 429, "too many connections from 127.0.0.1", "4th");

  // Another source address has its own count.
  WsUpgrade bystander = WsClient::try_connect(port(), WsOptions{.source = "127.0.0.2", .headers = {}});
  expect_usable(bystander, "bystander from 127.0.0.2");

  // Closing one (close handshake) frees its slot.
  ASSERT_TRUE(clients.back()->close());
  clients.pop_back();
  WsUpgrade again;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  do {
    again = WsClient::try_connect(port());
    if (again.status == 101) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  expect_usable(again, "after a close");
  expect_refused(WsClient::try_connect(port()), 429, "too many connections from 127.0.0.1", "full again");

  // A dropped connection (no close handshake) frees its slot too.
  clients.front()->drop();
  WsUpgrade after_drop;
  const auto drop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  do {
    after_drop = WsClient::try_connect(port());
    if (after_drop.status == 101) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < drop_deadline);
  expect_usable(after_drop, "after a drop");
}

class PerAddressUnlimited : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override { return {"--max-connections-per-address", "0"}; }
};

TEST_F(PerAddressUnlimited, ZeroMeansNoLimit) {
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 40; ++i) {
    WsUpgrade upgrade = WsClient::try_connect(port());
    ASSERT_EQ(upgrade.status, 101u) << "connection " << i + 1 << ": " << upgrade.body << upgrade.error;
    clients.push_back(std::move(upgrade.client));
  }
  expect_server_healthy();
}

}  // namespace
}  // namespace moim::test
