// The transport's defences against the real server (security review, issue 10): connections counted
// at accept time (per address and in all, under a low open-file limit), bounded HTTP keep-alive,
// silent WebSockets closed by the hub's heartbeat, --trust-proxy and forwarded client addresses, the
// Host check, security headers on every answer, and what the static server refuses to publish.
#include "http_test_client.hpp"
#include "protocol.hpp"
#include "server_fixture.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace moim::test {
namespace {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

// A plain TCP socket to 127.0.0.1:port, from `source` when given; -1 on failure.
int open_socket(unsigned short port, const std::string& source = {}) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (!source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads until the peer closes or `timeout` passes. `closed` says whether it closed.
std::string read_all(int fd, std::chrono::milliseconds timeout, bool* closed = nullptr) {
  std::string text;
  const auto deadline = Clock::now() + timeout;
  if (closed) *closed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left < 0) return text;  // 0: still one look at the socket
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) return text;
    char chunk[4096];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      return text;
    }
    text.append(chunk, static_cast<std::size_t>(n));
  }
}

// One raw request (the exact bytes given) on a new connection that asks to close; the raw answer.
std::string raw_exchange(unsigned short port, const std::string& request) {
  Fd socket(open_socket(port));
  if (socket.fd < 0) return "";
  if (::send(socket.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return "";
  return read_all(socket.fd, std::chrono::seconds(3));
}

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

void write_file(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// ---- connections counted at accept time -----------------------------------------------------------------

// The server runs with an open-file limit of 256 (soft and hard, so it cannot raise it) and its
// default limits; its log goes to a file.
class LowFileLimit : public ServerFixture {
 protected:
  void SetUp() override {
    log_path_ = std::filesystem::temp_directory_path() / ("moim-transport-log-" + std::to_string(::getpid()) + "-" +
                                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ServerFixture::SetUp();
  }
  void TearDown() override {
    ServerFixture::TearDown();
    std::error_code ec;
    std::filesystem::remove(log_path_, ec);
  }
  SpawnOptions spawn_options() const override {
    return SpawnOptions{.command_prefix = {"/usr/bin/prlimit", "--nofile=256:256", "--"}, .stderr_path = log_path_};
  }
  std::filesystem::path log_path_;
};

TEST_F(LowFileLimit, IdleSocketsFromOneAddressDoNotKeepAnotherOut) {
  // 400 idle sockets from 127.0.0.1: more than the server has descriptors for.
  std::vector<Fd> idle;
  for (int i = 0; i < 400; ++i) {
    Fd socket(open_socket(port()));
    ASSERT_GE(socket.fd, 0) << "connect " << i;
    idle.push_back(std::move(socket));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the server has seen them all
  // A visitor from another address is served at once.
  const auto start = Clock::now();
  HttpClient visitor(port(), "127.0.0.2");
  const auto page = visitor.request(http::verb::get, "/", std::chrono::seconds(3));
  ASSERT_TRUE(page.has_value()) << "GET from 127.0.0.2 got no answer while 127.0.0.1 holds 400 idle sockets";
  EXPECT_EQ(page->result_int(), 200);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  // The excess was closed at once: most of the 400 sockets see their end.
  std::size_t closed = 0;
  for (Fd& socket : idle) {
    bool ended = false;
    read_all(socket.fd, std::chrono::milliseconds(1), &ended);
    if (ended) ++closed;
  }
  EXPECT_GE(closed, 400u - 64u) << "connections over the per-address limit of 64 should be closed";
  idle.clear();
  expect_server_healthy();
  const std::string log = read_file(log_path_);
  EXPECT_EQ(count_of(log, "accept failed"), 0u) << log;
  EXPECT_LE(count_of(log, "connection refused"), 2u) << log;  // one line per 10 s, with the count
  EXPECT_NE(log.find("connection refused: 127.0.0.1 holds 64 connections"), std::string::npos) << log;
  EXPECT_NE(log.find("open-file limit 256"), std::string::npos) << log;
}

class LowFileLimitNoPerAddress : public LowFileLimit {
 protected:
  std::vector<std::string> server_args() const override { return {"--max-http-connections-per-address", "0"}; }
};

TEST_F(LowFileLimitNoPerAddress, TheTotalLimitKeepsDescriptorsFree) {
  std::vector<Fd> idle;
  for (int i = 0; i < 400; ++i) {
    Fd socket(open_socket(port()));
    ASSERT_GE(socket.fd, 0) << "connect " << i;
    idle.push_back(std::move(socket));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // Full, but never out of descriptors: the refused sockets were closed, not left in the backlog.
  std::size_t closed = 0;
  for (Fd& socket : idle) {
    bool ended = false;
    read_all(socket.fd, std::chrono::milliseconds(1), &ended);
    if (ended) ++closed;
  }
  EXPECT_GE(closed, 400u - 192u) << "256 descriptors less 64 reserved = 192 connections";
  idle.clear();
  // Once the sockets are gone the server serves at once.
  const auto start = Clock::now();
  std::optional<http::response<http::string_body>> page;
  while (!page && Clock::now() - start < std::chrono::seconds(3)) {
    HttpClient visitor(port(), "127.0.0.2");
    page = visitor.request(http::verb::get, "/", std::chrono::seconds(1));
  }
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->result_int(), 200);
  expect_server_healthy();
  const std::string log = read_file(log_path_);
  EXPECT_EQ(count_of(log, "accept failed"), 0u) << log;
  EXPECT_NE(log.find("connection refused: the server holds 192 connections"), std::string::npos) << log;
}

class PerAddressHttpLimit : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--max-http-connections-per-address", "3", "--trust-proxy", "127.0.0.3"};
  }
};

TEST_F(PerAddressHttpLimit, EveryKindOfConnectionCountsAndTrustedProxiesAreExempt) {
  // A WebSocket and two idle sockets fill 127.0.0.1's three places.
  WsUpgrade ws = WsClient::try_connect(port());
  ASSERT_EQ(ws.status, 101u) << ws.error;
  Fd idle1(open_socket(port())), idle2(open_socket(port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Fd fourth(open_socket(port()));
  bool ended = false;
  read_all(fourth.fd, std::chrono::seconds(2), &ended);
  EXPECT_TRUE(ended) << "a fourth connection from 127.0.0.1 should be closed at once";
  // A trusted proxy may hold more.
  std::vector<std::unique_ptr<HttpClient>> through_proxy;
  for (int i = 0; i < 6; ++i) {
    through_proxy.push_back(std::make_unique<HttpClient>(port(), "127.0.0.3"));
    const auto page = through_proxy.back()->request(http::verb::get, "/");
    ASSERT_TRUE(page.has_value()) << "connection " << i + 1 << " from the trusted proxy";
    EXPECT_EQ(page->result_int(), 200);
  }
  // Closing frees a place.
  ::close(std::exchange(idle1.fd, -1));
  std::optional<http::response<http::string_body>> page;
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  while (!page && Clock::now() < deadline) {
    HttpClient again(port());
    page = again.request(http::verb::get, "/", std::chrono::milliseconds(500));
  }
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->result_int(), 200);
}

// ---- HTTP keep-alive has limits --------------------------------------------------------------------------

using KeepAliveDefault = ServerFixture;

TEST_F(KeepAliveDefault, AConnectionServesAtMostAThousandRequests) {
  HttpClient client(port());
  for (int i = 1; i < 1000; ++i) {
    const auto page = client.request(http::verb::head, "/");
    ASSERT_TRUE(page.has_value()) << "request " << i;
    ASSERT_TRUE(page->keep_alive()) << "request " << i;
  }
  const auto last = client.request(http::verb::head, "/");
  ASSERT_TRUE(last.has_value());
  EXPECT_FALSE(last->keep_alive()) << "the 1000th answer should close the connection";
  EXPECT_FALSE(client.request(http::verb::head, "/", std::chrono::seconds(1)).has_value());
}

class KeepAliveOneSecond : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override { return {"--http-keep-alive", "1"}; }
};

TEST_F(KeepAliveOneSecond, IdleAndTricklingConnectionsAreClosed) {
  // Idle after an answer: closed after about a second.
  Fd idle(open_socket(port()));
  const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(::send(idle.fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  bool closed = false;
  const auto start = Clock::now();
  const std::string answer = read_all(idle.fd, std::chrono::seconds(5), &closed);
  EXPECT_EQ(status_line(answer), "HTTP/1.1 200 OK");
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2500));

  // A second request sent one byte every 200 ms: the trickle does not extend the deadline.
  Fd trickle(open_socket(port()));
  ASSERT_EQ(::send(trickle.fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  read_all(trickle.fd, std::chrono::milliseconds(300));
  const auto trickle_start = Clock::now();
  bool trickle_closed = false;
  for (char c : std::string("GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")) {
    if (::send(trickle.fd, &c, 1, MSG_NOSIGNAL) != 1) {
      trickle_closed = true;
      break;
    }
    read_all(trickle.fd, std::chrono::milliseconds(200), &trickle_closed);
    if (trickle_closed) break;
  }
  EXPECT_TRUE(trickle_closed);
  EXPECT_LT(Clock::now() - trickle_start, std::chrono::milliseconds(2500));
}

class KeepAliveOff : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override { return {"--http-keep-alive", "0"}; }
};

TEST_F(KeepAliveOff, ZeroMeansOneRequestPerConnection) {
  HttpClient client(port());
  const auto page = client.request(http::verb::get, "/");
  ASSERT_TRUE(page.has_value());
  EXPECT_FALSE(page->keep_alive());
}

// ---- a silent WebSocket is closed by the hub's heartbeat (there is no transport keep-alive) ----------------

class HeartbeatOneSecond : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override { return {"--heartbeat-timeout", "1"}; }
};

TEST_F(HeartbeatOneSecond, ASilentConnectionIsClosedAndOneThatPingsStays) {
  // Both answer WebSocket pings by themselves (Beast does); only one sends `ping` messages.
  auto silent = connect_hello();
  auto pinging = connect_hello();
  std::atomic<bool> stop = false, pongs_ok = true;
  std::thread pinger([&] {
    while (!stop) {
      if (!pinging->send_json({{"type", "ping"}}) || !pinging->read_type("pong", 1s)) pongs_ok = false;
      std::this_thread::sleep_for(200ms);
    }
  });
  const auto start = Clock::now();
  const bool closed = silent->wait_closed(5s);
  const auto waited = Clock::now() - start;
  stop = true;
  pinger.join();
  EXPECT_TRUE(closed) << "silent for --heartbeat-timeout: closed by the hub";
  EXPECT_GE(waited, 900ms);
  EXPECT_EQ(silent->close_reason().code, boost::beast::websocket::close_code::normal) << "with a close handshake";
  EXPECT_TRUE(pongs_ok) << "the connection that pings stays open";
  ASSERT_TRUE(pinging->send_json({{"type", "ping"}}));
  EXPECT_TRUE(pinging->read_type("pong"));
}

// ---- reverse proxies ------------------------------------------------------------------------------------

class TrustProxy : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--trust-proxy", "127.0.0.2", "--trust-proxy", "::1/128", "--max-connections-per-address", "2"};
  }
};

WsOptions from(const std::string& source, const std::string& forwarded_for) {
  return WsOptions{.source = source, .headers = {{"X-Forwarded-For", forwarded_for}}};
}

TEST_F(TrustProxy, AForgedHeaderFromAnUntrustedPeerIsIgnored) {
  std::vector<WsUpgrade> held;
  held.push_back(WsClient::try_connect(port(), from("127.0.0.1", "198.51.100.1")));
  held.push_back(WsClient::try_connect(port(), from("127.0.0.1", "198.51.100.2")));
  for (const WsUpgrade& upgrade : held) ASSERT_EQ(upgrade.status, 101u) << upgrade.body << upgrade.error;
  const WsUpgrade third = WsClient::try_connect(port(), from("127.0.0.1", "198.51.100.3"));
  EXPECT_EQ(third.status, 429u);
  EXPECT_EQ(third.body, "too many connections from 127.0.0.1\n");
  const WsUpgrade forwarded = WsClient::try_connect(
      port(), WsOptions{.source = "127.0.0.1", .headers = {{"Forwarded", "for=198.51.100.4"}}});
  EXPECT_EQ(forwarded.status, 429u);
}

TEST_F(TrustProxy, FromATrustedProxyTheForwardedClientIsCounted) {
  std::vector<WsUpgrade> held;
  held.push_back(WsClient::try_connect(port(), from("127.0.0.2", "198.51.100.1")));
  held.push_back(WsClient::try_connect(port(), from("127.0.0.2", "203.0.113.66, 198.51.100.1")));  // forged left hop
  for (const WsUpgrade& upgrade : held) ASSERT_EQ(upgrade.status, 101u) << upgrade.body << upgrade.error;
  const WsUpgrade third = WsClient::try_connect(port(), from("127.0.0.2", "198.51.100.1"));
  EXPECT_EQ(third.status, 429u);
  EXPECT_EQ(third.body, "too many connections from 198.51.100.1\n");
  // Another client behind the same proxy has its own count; so does the proxy's own address.
  held.push_back(WsClient::try_connect(port(), from("127.0.0.2", "198.51.100.2")));
  EXPECT_EQ(held.back().status, 101u) << held.back().body;
  held.push_back(WsClient::try_connect(
      port(), WsOptions{.source = "127.0.0.2", .headers = {{"Forwarded", R"(for="[2001:db8:1:2::1]:4711")"}}}));
  EXPECT_EQ(held.back().status, 101u) << held.back().body;
  held.push_back(WsClient::try_connect(port(), from("127.0.0.2", "[2001:db8:1:2::99]:1")));
  EXPECT_EQ(held.back().status, 101u) << held.back().body;
  // IPv6 clients count by /64: a third address of 2001:db8:1:2::/64 is one too many.
  const WsUpgrade same_64 = WsClient::try_connect(port(), from("127.0.0.2", "2001:db8:1:2:ffff::1"));
  EXPECT_EQ(same_64.status, 429u);
  EXPECT_EQ(same_64.body, "too many connections from 2001:db8:1:2::/64\n");
  // The clients work.
  ASSERT_TRUE(held.front().client);
  ASSERT_TRUE(held.front().client->send_json({{"type", "hello"}, {"version", proto::kVersion}}));
  EXPECT_TRUE(held.front().client->read_type("welcome").has_value());
}

TEST(TrustProxyFlag, BadRangesExitWithCode2AndAClearMessage) {
  for (const auto& [value, message] : std::vector<std::pair<std::string, std::string>>{
           {"10.0.0.1/8", "did you mean 10.0.0.0/8?"},
           {"10.0.0.0/33", "0 to 32"},
           {"proxy.example", "expected an IPv4 or IPv6 address or range"},
           {"", "expected an IPv4 or IPv6 address or range"}}) {
    const RunResult result = run_server_binary({"--trust-proxy", value, "--port", "0"});
    EXPECT_EQ(result.exit_code, 2) << value << ": " << result.out;
    EXPECT_NE(result.out.find("invalid --trust-proxy '" + value + "'"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find(message), std::string::npos) << result.out;
  }
  for (const std::string& bad : {"https://moim.example", "moim.example:80", "a b"}) {
    const RunResult result = run_server_binary({"--server-name", bad, "--port", "0"});
    EXPECT_EQ(result.exit_code, 2) << bad << ": " << result.out;
    EXPECT_NE(result.out.find("invalid --server-name"), std::string::npos) << result.out;
  }
}

// ---- the Host header ------------------------------------------------------------------------------------

using HostDefault = ServerFixture;

std::string get_with_host(unsigned short port, const std::string& host, const std::string& target = "/",
                          const std::string& extra = {}) {
  return raw_exchange(port, "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "Connection: close\r\n\r\n");
}

const std::string kUpgrade =
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n";

TEST_F(HostDefault, IpLiteralsAndLocalhostOnly) {
  const std::string p = std::to_string(port());
  for (const std::string host : std::vector<std::string>{"127.0.0.1:" + p, "localhost:" + p, "127.0.0.1", "[::1]:" + p, "LocalHost:" + p}) {
    EXPECT_EQ(status_line(get_with_host(port(), host)), "HTTP/1.1 200 OK") << host;
  }
  // A DNS-rebinding page: its Host is the attacker's name (and its Origin agrees with it).
  for (const std::string host : std::vector<std::string>{"rebind.evil.example:" + p, "moim.test:" + p, "127.0.0.1.nip.io:" + p}) {
    const std::string answer = get_with_host(port(), host);
    EXPECT_EQ(status_line(answer), "HTTP/1.1 421 Misdirected Request") << host;
    EXPECT_NE(answer.find("unknown host: " + host), std::string::npos) << answer;
    EXPECT_EQ(answer.find(kIndexHtml), std::string::npos) << answer;
    const std::string upgrade =
        raw_exchange(port(), "GET /ws HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host + "\r\n" + kUpgrade + "\r\n");
    EXPECT_EQ(status_line(upgrade), "HTTP/1.1 421 Misdirected Request") << upgrade;
  }
  // HTTP/1.1 needs exactly one Host.
  EXPECT_EQ(status_line(raw_exchange(port(), "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status_line(raw_exchange(port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n")),
            "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status_line(raw_exchange(port(), "GET / HTTP/1.0\r\n\r\n")), "HTTP/1.0 200 OK");
  expect_server_healthy();
}

class HostNamed : public ServerFixture {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--server-name", "moim.test", "--server-name", "Moim.Example.", "--allow-origin", "https://friend.example"};
  }
};

TEST_F(HostNamed, ListedNamesAndAllowedOriginHosts) {
  const std::string p = std::to_string(port());
  for (const std::string host : std::vector<std::string>{"moim.test:" + p, "moim.example", "friend.example:" + p, "127.0.0.1:" + p, "localhost"}) {
    EXPECT_EQ(status_line(get_with_host(port(), host)), "HTTP/1.1 200 OK") << host;
  }
  EXPECT_EQ(status_line(get_with_host(port(), "evil.example")), "HTTP/1.1 421 Misdirected Request");
  const std::string upgrade = raw_exchange(
      port(), "GET /ws HTTP/1.1\r\nHost: moim.test:" + p + "\r\nOrigin: http://moim.test:" + p + "\r\n" + kUpgrade + "\r\n");
  EXPECT_EQ(status_line(upgrade), "HTTP/1.1 101 Switching Protocols") << upgrade;
}

// ---- security headers on every answer -------------------------------------------------------------------

using SecurityHeaders = ServerFixture;

void expect_security_headers(const std::string& answer, const std::string& context) {
  EXPECT_NE(answer.find("\r\nContent-Security-Policy: default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src blob:;"),
            std::string::npos)
      << context << ":\n" << answer;
  EXPECT_NE(answer.find("frame-ancestors 'none'"), std::string::npos) << context;
  EXPECT_NE(answer.find("\r\nX-Frame-Options: DENY\r\n"), std::string::npos) << context;
  EXPECT_NE(answer.find("\r\nReferrer-Policy: no-referrer\r\n"), std::string::npos) << context;
  EXPECT_NE(answer.find("\r\nX-Content-Type-Options: nosniff\r\n"), std::string::npos) << context;
  EXPECT_EQ(answer.find("Strict-Transport-Security"), std::string::npos) << context << ": not over plain http";
}

TEST_F(SecurityHeaders, OnEveryKindOfAnswer) {
  const std::string host = "127.0.0.1:" + std::to_string(port());
  const std::string page = get_with_host(port(), host);
  EXPECT_EQ(status_line(page), "HTTP/1.1 200 OK");
  expect_security_headers(page, "200");
  expect_security_headers(get_with_host(port(), host, "/missing"), "404");
  expect_security_headers(
      raw_exchange(port(), "POST / HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
      "405");
  expect_security_headers(get_with_host(port(), "evil.example"), "421");
  expect_security_headers(get_with_host(port(), host, "/%zz"), "400");
  const std::size_t at = page.find("ETag: ");
  ASSERT_NE(at, std::string::npos);
  const std::string etag = page.substr(at + 6, page.find("\r\n", at) - at - 6);
  const std::string not_modified = get_with_host(port(), host, "/", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(status_line(not_modified), "HTTP/1.1 304 Not Modified");
  expect_security_headers(not_modified, "304");
  const std::string refused =
      raw_exchange(port(), "GET /ws HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://evil.example\r\n" + kUpgrade + "\r\n");
  EXPECT_EQ(status_line(refused), "HTTP/1.1 403 Forbidden");
  expect_security_headers(refused, "403 upgrade");
}

// ---- what the static server publishes ---------------------------------------------------------------------

class StaticPublishing : public ServerFixture {
 protected:
  void SetUp() override {
    // Made before the server starts: it reads the folder once.
    static int counter = 0;
    outside_ = std::filesystem::temp_directory_path() / ("moim-outside-" + std::to_string(::getpid()) + "-" +
                                                         std::to_string(counter++));
    write_file(outside_ / "secret.key", "THE KEY\n");
    ServerFixture::SetUp();
  }
  void TearDown() override {
    ServerFixture::TearDown();
    std::error_code ec;
    std::filesystem::remove_all(outside_, ec);
  }
  void prepare_root(const std::filesystem::path& root) override {
    write_file(root / ".env", "PASSWORD=hunter2\n");
    write_file(root / ".git" / "config", "[core]\n");
    write_file(root / "sub" / ".hidden" / "x.txt", "hidden\n");
    write_file(root / "real.txt", "real\n");
    std::filesystem::create_symlink(outside_ / "secret.key", root / "key-link.txt");
    std::filesystem::create_symlink(outside_, root / "outside-dir");
    std::filesystem::create_symlink(root / "real.txt", root / "inside-link.txt");
    std::filesystem::create_symlink(root / ".env", root / "env-link.txt");
  }
  std::filesystem::path outside_;
};

TEST_F(StaticPublishing, NoDotfilesAndNoLinksOutOfTheRoot) {
  HttpClient client(port());
  for (const std::string target : {"/.env", "/.git/config", "/sub/.hidden/x.txt", "/%2eenv", "/key-link.txt",
                                   "/outside-dir/secret.key", "/env-link.txt"}) {
    const auto response = client.request(http::verb::get, target);
    ASSERT_TRUE(response.has_value()) << target;
    EXPECT_EQ(response->result_int(), 404) << target;
    EXPECT_EQ(response->body().find("hunter2"), std::string::npos) << target;
    EXPECT_EQ(response->body().find("THE KEY"), std::string::npos) << target;
  }
  for (const std::string target : {"/real.txt", "/inside-link.txt"}) {
    const auto response = client.request(http::verb::get, target);
    ASSERT_TRUE(response.has_value()) << target;
    EXPECT_EQ(response->result_int(), 200) << target;
    EXPECT_EQ(response->body(), "real\n") << target;
  }
}

TEST(StaticRootFlag, ARootHoldingTheDataFolderIsRefused) {
  const std::filesystem::path base =
      std::filesystem::temp_directory_path() / ("moim-root-data-" + std::to_string(::getpid()));
  write_file(base / "index.html", "x");
  for (const auto& [root, data] : std::vector<std::pair<std::filesystem::path, std::filesystem::path>>{
           {base, base / "moim-data"},            // the data folder inside the root (created if missing)
           {base, base},                          // the same folder
           {base / ".", base / "sub" / ".." / "d"},  // spelled differently
       }) {
    const RunResult result = run_server_binary({"--root", root.string(), "--data-dir", data.string(), "--port", "0"});
    EXPECT_EQ(result.exit_code, 2) << root << " " << data << ": " << result.out;
    EXPECT_NE(result.out.find("the data folder"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("would publish the server's key"), std::string::npos) << result.out;
  }
  EXPECT_FALSE(std::filesystem::exists(base / "moim-data" / "secret.key"));
  std::error_code ec;
  std::filesystem::remove_all(base, ec);
}

}  // namespace
}  // namespace moim::test
