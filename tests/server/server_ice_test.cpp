// The ICE servers of a running moim-server: the built-in STUN responder answering real UDP Binding
// requests, and the `ice` message a client gets before joined (TURN REST credentials checked against
// the openssl tool, {host} from the Host header the client used).
#include "server_fixture.hpp"
#include "stun_message.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace moim::test {
namespace {

namespace stun = server::stun;
using Bytes = std::vector<std::uint8_t>;

// A UDP socket on 127.0.0.1 (or another local address) for talking STUN to the server.
class UdpProbe {
 public:
  explicit UdpProbe(const char* local = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, local, &address.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << "bind " << local;
    socklen_t size = sizeof local_;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local_), &size);
  }
  ~UdpProbe() { ::close(fd_); }
  UdpProbe(const UdpProbe&) = delete;
  UdpProbe& operator=(const UdpProbe&) = delete;

  std::uint16_t port() const { return ntohs(local_.sin_port); }
  std::array<std::uint8_t, 4> ip() const {
    std::array<std::uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), &local_.sin_addr, 4);
    return bytes;
  }

  void send(const Bytes& datagram, std::uint16_t port, const char* to = "127.0.0.1") {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, to, &address.sin_addr);
    EXPECT_EQ(::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address),
              static_cast<ssize_t>(datagram.size()));
  }
  // The next datagram within `timeout`, and where it came from; nullopt when none comes.
  std::optional<Bytes> receive(std::chrono::milliseconds timeout, sockaddr_in* from = nullptr) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    Bytes buffer(2048);
    sockaddr_in sender{};
    socklen_t size = sizeof sender;
    const ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&sender), &size);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<std::size_t>(n));
    if (from) *from = sender;
    return buffer;
  }

 private:
  int fd_ = -1;
  sockaddr_in local_{};
};

// A Binding request as a browser sends it (20 bytes, a random transaction id), optionally with a
// FINGERPRINT.
Bytes binding_request(stun::TransactionId& transaction, bool fingerprint = false) {
  static std::mt19937 random(std::random_device{}());
  for (auto& b : transaction) b = static_cast<std::uint8_t>(random());
  Bytes request = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
  request.insert(request.end(), transaction.begin(), transaction.end());
  if (fingerprint) {
    request[3] = 8;
    const std::uint32_t crc = stun::crc32(request) ^ 0x5354554eu;
    request.insert(request.end(), {0x80, 0x28, 0x00, 0x04, static_cast<std::uint8_t>(crc >> 24),
                                   static_cast<std::uint8_t>(crc >> 16), static_cast<std::uint8_t>(crc >> 8),
                                   static_cast<std::uint8_t>(crc)});
  }
  return request;
}

// Checks a Binding success response by hand (not with the server's own reader): header, transaction,
// XOR-MAPPED-ADDRESS = the probe's address and port, and a FINGERPRINT that is last and right.
void expect_binding_success(const Bytes& response, const stun::TransactionId& transaction, const UdpProbe& probe) {
  ASSERT_GE(response.size(), 20u);
  EXPECT_LE(response.size(), stun::kMaxResponseBytes);
  EXPECT_EQ(response[0], 0x01);
  EXPECT_EQ(response[1], 0x01) << "Binding success response";
  EXPECT_EQ(std::size_t(response[2] << 8 | response[3]), response.size() - 20) << "message length";
  EXPECT_EQ(Bytes(response.begin() + 4, response.begin() + 8), (Bytes{0x21, 0x12, 0xA4, 0x42}));
  EXPECT_EQ(Bytes(response.begin() + 8, response.begin() + 20), Bytes(transaction.begin(), transaction.end()));
  bool mapped = false, fingerprint = false;
  for (std::size_t pos = 20; pos + 4 <= response.size();) {
    const unsigned type = response[pos] << 8 | response[pos + 1];
    const std::size_t size = response[pos + 2] << 8 | response[pos + 3];
    ASSERT_LE(pos + 4 + size, response.size());
    const std::uint8_t* v = &response[pos + 4];
    EXPECT_FALSE(fingerprint) << "an attribute after FINGERPRINT";
    if (type == 0x0020) {
      ASSERT_EQ(size, 8u) << "IPv4 XOR-MAPPED-ADDRESS";
      EXPECT_EQ(v[1], 0x01) << "family IPv4";
      EXPECT_EQ(std::uint16_t((v[2] << 8 | v[3]) ^ 0x2112), probe.port()) << "the probe's port";
      const std::array<std::uint8_t, 4> ip = {std::uint8_t(v[4] ^ 0x21), std::uint8_t(v[5] ^ 0x12),
                                               std::uint8_t(v[6] ^ 0xA4), std::uint8_t(v[7] ^ 0x42)};
      EXPECT_EQ(ip, probe.ip()) << "the probe's address";
      mapped = true;
    } else if (type == 0x8028) {
      ASSERT_EQ(size, 4u);
      const std::uint32_t value = std::uint32_t(v[0]) << 24 | std::uint32_t(v[1]) << 16 | std::uint32_t(v[2]) << 8 | v[3];
      EXPECT_EQ(value, stun::crc32(std::span(response.data(), pos)) ^ 0x5354554eu) << "FINGERPRINT";
      fingerprint = true;
    }
    pos += 4 + ((size + 3) & ~std::size_t{3});
  }
  EXPECT_TRUE(mapped) << "no XOR-MAPPED-ADDRESS";
  EXPECT_TRUE(fingerprint) << "no FINGERPRINT";
}

// A free UDP port on 127.0.0.1 (the kernel's pick, given back at once).
std::uint16_t free_udp_port() {
  UdpProbe probe;
  return probe.port();
}

// base64(HMAC-SHA1(secret, text)) by the openssl tool, as an administrator would check it.
std::string openssl_hmac(const std::string& secret, const std::string& text) {
  const std::string command = "printf %s '" + text + "' | openssl dgst -sha1 -hmac '" + secret + "' -binary | base64";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {};
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---- the built-in STUN responder -----------------------------------------------------------------

using StunResponder = ServerFixture;  // default flags: the responder on the HTTP port's number

TEST_F(StunResponder, AnswersABindingRequestWithTheSendersAddressOnTheHttpPort) {
  UdpProbe probe;
  for (const bool fingerprint : {false, true}) {
    stun::TransactionId transaction;
    probe.send(binding_request(transaction, fingerprint), port());
    const std::optional<Bytes> response = probe.receive(std::chrono::seconds(3));
    ASSERT_TRUE(response.has_value()) << "no answer on udp 127.0.0.1:" << port();
    expect_binding_success(*response, transaction, probe);
  }
  expect_server_healthy();
}

TEST_F(StunResponder, DropsWhatIsNotABindingRequestAndKeepsAnswering) {
  UdpProbe probe;
  stun::TransactionId transaction;
  Bytes good = binding_request(transaction, true);
  Bytes bad_fingerprint = good;
  bad_fingerprint.back() ^= 1;
  Bytes bad_cookie = good;
  bad_cookie[4] = 0;
  Bytes indication = good;
  indication[1] = 0x11;
  stun::TransactionId other;
  Bytes allocate = binding_request(other);
  allocate[1] = 0x03;
  for (const Bytes& bad : {Bytes{}, Bytes{1, 2, 3}, bad_fingerprint, bad_cookie, indication, allocate, Bytes(600, 0),
                           Bytes(good.begin(), good.end() - 4)}) {
    probe.send(bad, port());
  }
  EXPECT_FALSE(probe.receive(std::chrono::milliseconds(500)).has_value()) << "answered something that is no Binding request";
  probe.send(good, port());
  const std::optional<Bytes> response = probe.receive(std::chrono::seconds(3));
  ASSERT_TRUE(response.has_value());
  expect_binding_success(*response, transaction, probe);
}

TEST_F(StunResponder, OneAddressFloodingIsAnsweredOnlyWithinItsBudget) {
  UdpProbe probe;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 300; ++i) {
    stun::TransactionId transaction;
    probe.send(binding_request(transaction), port());
  }
  int answered = 0;
  while (probe.receive(std::chrono::milliseconds(300))) ++answered;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ figures  ] STUN flood: 300 Binding requests from one address, " << answered << " answered in "
            << seconds << " s\n";
  EXPECT_GE(answered, 50) << "the burst is answered";
  EXPECT_LE(answered, 50 + static_cast<int>(20 * seconds) + 1) << "burst 50, then 20 a second";
}

class StunResponderOff : public ServerFixture {
  std::vector<std::string> server_args() const override { return {"--stun-port", "0"}; }
};

TEST_F(StunResponderOff, NoAnswerAndNoStunServerAdvertised) {
  UdpProbe probe;
  stun::TransactionId transaction;
  probe.send(binding_request(transaction), port());
  EXPECT_FALSE(probe.receive(std::chrono::milliseconds(700)).has_value());
  auto client = connect_hello();
  const std::uint32_t room = create_room(*client, "Room");
  client->send_json({{"type", "join"}, {"room", room}, {"name", "Minji"}});
  const std::optional<json> ice = client->read_skipping_updates();
  ASSERT_TRUE(ice && type_of(*ice) == "ice") << (ice ? ice->dump() : "nothing");
  EXPECT_EQ((*ice)["servers"], json::array()) << "nothing configured: host candidates only";
  EXPECT_EQ(ice->value("policy", ""), "all");
  EXPECT_FALSE(ice->contains("expires"));
}

// Bound to 0.0.0.0, the answer leaves from the address the request was sent to (127.0.0.2 here,
// where the kernel alone would pick 127.0.0.1): a STUN client drops answers from another address.
class StunResponderAnyAddress : public ServerFixture {
  std::vector<std::string> server_args() const override { return {"--address", "0.0.0.0"}; }
};

TEST_F(StunResponderAnyAddress, AnswersFromTheAddressTheRequestWentTo) {
  UdpProbe probe;
  for (const char* to : {"127.0.0.2", "127.0.0.1"}) {
    stun::TransactionId transaction;
    probe.send(binding_request(transaction), port(), to);
    sockaddr_in from{};
    const std::optional<Bytes> response = probe.receive(std::chrono::seconds(3), &from);
    ASSERT_TRUE(response.has_value()) << "no answer via " << to;
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
    EXPECT_EQ(std::string(text), to);
    EXPECT_EQ(ntohs(from.sin_port), port());
    expect_binding_success(*response, transaction, probe);
  }
}

// ---- the ice message --------------------------------------------------------------------------------

constexpr const char* kTurnSecret = "north-wind-7";

class IceServers : public ServerFixture {
 protected:
  void prepare_root(const std::filesystem::path&) override {
    stun_port_ = free_udp_port();
    secret_path_ = base_dir_ / "turn-secret";
    std::ofstream(secret_path_) << kTurnSecret << "\n";  // the final newline is not part of it
    std::filesystem::permissions(secret_path_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  std::vector<std::string> server_args() const override {
    std::vector<std::string> args = {"--turn-uri", "turn:{host}:3478?transport=udp", "--turn-secret-file",
                                     secret_path_.string(), "--turn-ttl", "600", "--stun-port",
                                     std::to_string(stun_port_)};
    args.insert(args.end(), extra_.begin(), extra_.end());
    return args;
  }

  // Joins a new room through a connection whose upgrade said `Host: host_header`; returns the ice
  // message that came just before joined, and the joiner's peer id.
  std::pair<json, std::uint32_t> join_with_host(const std::string& host_header) {
    WsOptions options;
    if (!host_header.empty()) options.headers = {{"Host", host_header}};
    WsClient client(port(), "/ws", options);
    EXPECT_TRUE(client.send_json({{"type", "hello"}, {"version", 3}}));
    EXPECT_TRUE(client.read_type("welcome").has_value());
    const std::uint32_t room = create_room(client, "Room " + std::to_string(++rooms_));
    client.send_json({{"type", "join"}, {"room", room}, {"name", "Minji"}});
    const std::optional<json> ice = client.read_skipping_updates();
    const std::optional<json> joined = client.read_skipping_updates();
    EXPECT_TRUE(ice && type_of(*ice) == "ice") << (ice ? ice->dump() : "nothing");
    EXPECT_TRUE(joined && type_of(*joined) == "joined") << "joined right after ice: " << (joined ? joined->dump() : "nothing");
    if (!ice || !joined) return {json::object(), 0};
    return {*ice, (*joined)["self"].value("id", 0u)};
  }

  // The TURN server of `ice`: username <expiry>:<peer>, expiry about now + 600 s, credential the HMAC.
  void expect_turn(const json& ice, const std::string& url, std::uint32_t peer) {
    ASSERT_TRUE(ice.contains("servers") && ice["servers"].is_array()) << ice.dump();
    const json* turn = nullptr;
    for (const json& server : ice["servers"]) {
      if (server.contains("username")) turn = &server;
    }
    ASSERT_NE(turn, nullptr) << "no TURN server: " << ice.dump();
    EXPECT_EQ((*turn)["urls"], json::array({url}));
    const std::string username = turn->value("username", "");
    const std::size_t colon = username.find(':');
    ASSERT_NE(colon, std::string::npos) << username;
    const std::int64_t expiry = std::stoll(username.substr(0, colon));
    EXPECT_NEAR(static_cast<double>(expiry), static_cast<double>(unix_now() + 600), 5.0) << username;
    EXPECT_EQ(username.substr(colon + 1), std::to_string(peer)) << "the peer id after the colon";
    EXPECT_EQ(turn->value("credential", ""), openssl_hmac(kTurnSecret, username)) << "base64(HMAC-SHA1(secret, username))";
    EXPECT_EQ(ice.value("expires", std::int64_t{0}), expiry);
  }

  std::uint16_t stun_port_ = 0;
  std::filesystem::path secret_path_;
  std::vector<std::string> extra_;
  int rooms_ = 0;
};

TEST_F(IceServers, IceBeforeJoinedNamesTheHostTheClientUsed) {
  struct Case {
    std::string host_header;  // "" = the client's own: 127.0.0.1:PORT
    std::string host;
  };
  for (const Case& c : {Case{"", "127.0.0.1"}, Case{"localhost:" + std::to_string(port()), "localhost"},
                        Case{"[::1]:" + std::to_string(port()), "[::1]"}}) {
    SCOPED_TRACE("Host: " + (c.host_header.empty() ? "127.0.0.1:PORT" : c.host_header));
    const auto [ice, peer] = join_with_host(c.host_header);
    ASSERT_NE(peer, 0u);
    ASSERT_GE(ice["servers"].size(), 2u) << ice.dump();
    EXPECT_EQ(ice["servers"][0], json({{"urls", {"stun:" + c.host + ":" + std::to_string(stun_port_)}}}))
        << "the built-in STUN first";
    expect_turn(ice, "turn:" + c.host + ":3478?transport=udp", peer);
    EXPECT_EQ(ice.value("policy", ""), "all");
  }
  // The advertised STUN port answers.
  UdpProbe probe;
  stun::TransactionId transaction;
  probe.send(binding_request(transaction, true), stun_port_);
  const std::optional<Bytes> response = probe.receive(std::chrono::seconds(3));
  ASSERT_TRUE(response.has_value()) << "no answer on the --stun-port " << stun_port_;
  expect_binding_success(*response, transaction, probe);
}

class IceServersRelay : public IceServers {
 protected:
  IceServersRelay() { extra_ = {"--ice-policy", "relay"}; }
};

TEST_F(IceServersRelay, RelayPolicyIsSent) {
  const auto [ice, peer] = join_with_host("");
  ASSERT_NE(peer, 0u);
  EXPECT_EQ(ice.value("policy", ""), "relay");
  expect_turn(ice, "turn:127.0.0.1:3478?transport=udp", peer);
}

}  // namespace
}  // namespace moim::test
