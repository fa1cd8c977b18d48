// TLS (--cert/--key): https and wss on the one port, plain http redirected, bad certificates refused
// at startup. The certificates are made at test time with the openssl command-line tool.
#include "http_test_client.hpp"
#include "protocol.hpp"
#include "server_fixture.hpp"
#include "server_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <functional>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace moim::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

// Two self-signed certificates for CN=localhost with their keys, made once for the whole run.
struct Certificates {
  fs::path dir, cert, key, other_cert, other_key;
  std::string error;  // set when openssl failed
};

Certificates make_certificates() {
    Certificates c;
    c.dir = fs::temp_directory_path() / ("moim-tls-test-" + std::to_string(::getpid()));
    fs::create_directories(c.dir);
    c.cert = c.dir / "cert.pem";
    c.key = c.dir / "key.pem";
    c.other_cert = c.dir / "other-cert.pem";
    c.other_key = c.dir / "other-key.pem";
    for (const auto& [cert, key] : {std::pair{c.cert, c.key}, std::pair{c.other_cert, c.other_key}}) {
      const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout '" +
                                  key.string() + "' -out '" + cert.string() + "' >/dev/null 2>&1";
      if (std::system(command.c_str()) != 0 || !fs::exists(cert) || !fs::exists(key)) {
        c.error = "could not make a test certificate with: " + command + " (is the openssl tool installed?)";
      }
    }
    return c;
}

const Certificates& certificates() {
  static const Certificates made = make_certificates();
  // Removes the folder when the test program ends.
  static const struct Cleanup {
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(certificates().dir, ec);
    }
  } cleanup;
  return made;
}

// A blocking TLS client: HTTPS requests, or one WSS connection, on one TLS connection to 127.0.0.1.
// It checks the server's certificate against the test certificate, for the name "localhost".
class TlsClient {
 public:
  explicit TlsClient(unsigned short port, int max_version = 0) : port_(port) {
    ctx_.set_verify_mode(ssl::verify_peer);
    ctx_.load_verify_file(certificates().cert.string());
    if (max_version) SSL_CTX_set_max_proto_version(ctx_.native_handle(), max_version);
    ws_.emplace(ioc_, ctx_);
    auto& tls = ws_->next_layer();
    SSL_set_tlsext_host_name(tls.native_handle(), "localhost");
    tls.set_verify_callback(ssl::host_name_verification("localhost"));
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    check(run([&](auto done) { beast::get_lowest_layer(*ws_).async_connect(endpoint, done); }), "connect");
    check(run([&](auto done) { tls.async_handshake(ssl::stream_base::client, done); }), "TLS handshake");
  }

  http::response<http::string_body> get(const std::string& target) {
    http::request<http::string_body> request{http::verb::get, target, 11};
    request.set(http::field::host, host());
    http::response<http::string_body> response;
    check(run([&](auto done) { http::async_write(ws_->next_layer(), request, done); }), "write request");
    check(run([&](auto done) { http::async_read(ws_->next_layer(), buffer_, response, done); }), "read response");
    return response;
  }

  // The WebSocket handshake for /ws; throws WsUpgradeRefused when the server answers otherwise.
  void upgrade(const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    ws_->set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
      for (const auto& [name, value] : headers) request.set(name, value);
    }));
    websocket::response_type response;
    const beast::error_code ec = run([&](auto done) { ws_->async_handshake(response, host(), "/ws", done); });
    if (ec == websocket::error::upgrade_declined) {
      throw WsUpgradeRefused(static_cast<unsigned>(response.result_int()), response.body());
    }
    check(ec, "WebSocket handshake");
  }

  bool send_json(const json& message) {
    const std::string text = message.dump();
    ws_->text(true);
    return !run([&](auto done) { ws_->async_write(asio::buffer(text), done); });
  }

  std::optional<json> read(std::chrono::milliseconds timeout = kReadTimeout) {
    buffer_.clear();
    if (run([&](auto done) { ws_->async_read(buffer_, done); }, timeout)) return std::nullopt;
    json message = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    if (message.is_discarded()) return std::nullopt;
    return message;
  }

  std::optional<json> read_type(std::string_view type, std::chrono::milliseconds timeout = kReadTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::optional<json> message = read(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!message) return std::nullopt;
      if (type_of(*message) == type) return message;
    }
    return std::nullopt;
  }

  // The close handshake, then the TLS close (close_notify both ways). The error, if any.
  beast::error_code close() {
    return run([&](auto done) { ws_->async_close(websocket::close_code::normal, done); });
  }

 private:
  std::string host() const { return "localhost:" + std::to_string(port_); }

  static void check(const beast::error_code& ec, const std::string& what) {
    if (ec) throw std::runtime_error(what + ": " + ec.message());
  }

  // Runs one asynchronous operation to completion (or `timeout`, which closes the socket).
  template <class Start>
  beast::error_code run(Start start, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (result) return *result;
    beast::get_lowest_layer(*ws_).close();
    ioc_.restart();
    ioc_.run();
    return asio::error::timed_out;
  }

  unsigned short port_;
  asio::io_context ioc_;
  ssl::context ctx_{ssl::context::tls_client};
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws_;
  beast::flat_buffer buffer_;
};

class Tls : public ServerFixture {
 protected:
  void SetUp() override {
    ASSERT_TRUE(certificates().error.empty()) << certificates().error;
    ServerFixture::SetUp();
  }
  std::vector<std::string> server_args() const override {
    return {"--cert", certificates().cert.string(), "--key", certificates().key.string()};
  }

  std::unique_ptr<TlsClient> hello() {
    auto client = std::make_unique<TlsClient>(port());
    client->upgrade();
    EXPECT_TRUE(client->send_json({{"type", "hello"}, {"version", proto::kVersion}}));
    EXPECT_TRUE(client->read_type("welcome").has_value()) << "no welcome over wss";
    return client;
  }
};

TEST_F(Tls, HttpsServesThePage) {
  TlsClient client(port());
  const auto page = client.get("/");
  EXPECT_EQ(page.result_int(), 200);
  EXPECT_EQ(page.body(), kIndexHtml);
  // Keep-alive over TLS: a second request on the same connection.
  const auto again = client.get("/app.js");
  EXPECT_EQ(again.result_int(), 200);
  EXPECT_EQ(again.body(), "console.log('moim');\n");
}

TEST_F(Tls, Tls12ClientsAreServed) {
  TlsClient client(port(), TLS1_2_VERSION);
  EXPECT_EQ(client.get("/").result_int(), 200);
}

TEST_F(Tls, WssHelloGetsWelcome) {
  auto client = hello();
  const beast::error_code ec = client->close();
  EXPECT_FALSE(ec) << "close handshake over TLS: " << ec.message();
}

TEST_F(Tls, WssCloseIsADepartureOnPurpose) {
  // A closes its socket with a close handshake (and TLS close_notify): B sees A leave at once, which the
  // hub does only for a completed close handshake (Hub::Departure::Closed), not for a lost connection.
  auto a = hello();
  auto b = hello();
  ASSERT_TRUE(a->send_json({{"type", "create-room"}, {"name", "Secure"}, {"capacity", 4}}));
  const std::optional<json> created = a->read_type("room-created");
  ASSERT_TRUE(created.has_value());
  const std::uint32_t room = (*created)["room"].value("id", 0u);
  ASSERT_TRUE(a->send_json({{"type", "join"}, {"room", room}, {"name", "Alice"}}));
  const std::optional<json> a_joined = a->read_type("joined");
  ASSERT_TRUE(a_joined.has_value());
  const std::uint32_t a_id = (*a_joined)["self"].value("id", 0u);
  ASSERT_TRUE(b->send_json({{"type", "join"}, {"room", room}, {"name", "Bob"}}));
  ASSERT_TRUE(b->read_type("joined").has_value());
  const beast::error_code ec = a->close();
  EXPECT_FALSE(ec) << ec.message();
  const std::optional<json> left = b->read_type("peer-left", std::chrono::seconds(3));
  ASSERT_TRUE(left.has_value()) << "no peer-left after a clean wss close";
  EXPECT_EQ(left->value("peer", 0u), a_id);
}

TEST_F(Tls, OriginRulesUseHttps) {
  {
    TlsClient client(port());
    EXPECT_NO_THROW(client.upgrade({{"Origin", "https://localhost:" + std::to_string(port())}}));
  }
  TlsClient client(port());
  try {
    client.upgrade({{"Origin", "http://localhost:" + std::to_string(port())}});
    ADD_FAILURE() << "an http origin was accepted on a TLS server";
  } catch (const WsUpgradeRefused& refused) {
    EXPECT_EQ(refused.status, 403u);
    EXPECT_EQ(refused.body, "origin not allowed: http://localhost:" + std::to_string(port()) + "\n");
  }
}

TEST_F(Tls, PlainHttpIsRedirectedToHttps) {
  HttpClient client(port());
  const auto response = client.request(http::verb::get, "/app.js?x=1");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 307);
  EXPECT_EQ((*response)[http::field::location], "https://127.0.0.1:" + std::to_string(port()) + "/app.js?x=1");
  EXPECT_FALSE(response->keep_alive());
  // And a plain WebSocket upgrade gets no WebSocket.
  const WsUpgrade upgrade = WsClient::try_connect(port());
  EXPECT_EQ(upgrade.status, 307u) << upgrade.error;
  // The server still serves TLS after that.
  TlsClient tls(port());
  EXPECT_EQ(tls.get("/").result_int(), 200);
}

TEST_F(Tls, BrokenClientHelloIsDropped) {
  // Starts like a TLS ClientHello but is not one: the connection is dropped, the server carries on.
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(5));
  beast::error_code read_ec;
  bool ended = false;
  char reply[256];
  const std::string hello("\x16\x03\x01\x00\x20\x01garbage garbage garbage garbage", 38);
  // Whatever the server answers (a TLS alert), the connection must end.
  std::function<void()> read_on = [&] {
    stream.async_read_some(asio::buffer(reply), [&](beast::error_code ec, std::size_t) {
      if (ec) {
        read_ec = ec;
        ended = true;
        return;
      }
      read_on();
    });
  };
  stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()), [&](beast::error_code ec) {
    ASSERT_FALSE(ec) << ec.message();
    asio::async_write(stream, asio::buffer(hello), [&](beast::error_code write_ec, std::size_t) {
      ASSERT_FALSE(write_ec) << write_ec.message();
      read_on();
    });
  });
  ioc.run();
  EXPECT_TRUE(ended);
  EXPECT_NE(read_ec, beast::error::timeout) << "the server kept a broken TLS connection open";
  TlsClient tls(port());
  EXPECT_EQ(tls.get("/").result_int(), 200);
}

// ---- protocol versions, cipher suites, headers ---------------------------------------------------------

// Whether a TLS handshake with the server succeeds for a client limited to [min_version, max_version]
// and `ciphers` (TLS 1.2 and older). The client runs at OpenSSL security level 0, so that it is
// willing to speak anything: a failure is the server refusing.
bool handshake_succeeds(unsigned short port, int min_version, int max_version, const std::string& ciphers) {
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX_set_security_level(ctx.native_handle(), 0);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), min_version);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
  if (SSL_CTX_set_cipher_list(ctx.native_handle(), (ciphers + ":@SECLEVEL=0").c_str()) != 1) {
    ADD_FAILURE() << "this OpenSSL does not know " << ciphers;
    return false;
  }
  ctx.set_verify_mode(ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  std::optional<beast::error_code> result;
  beast::get_lowest_layer(stream).async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) {
          result = ec;
          return;
        }
        stream.async_handshake(ssl::stream_base::client, [&](beast::error_code handshake_ec) { result = handshake_ec; });
      });
  ioc.run();
  return result && !*result;
}

TEST_F(Tls, Tls10AndTls11AreRefusedByTheServer) {
  ASSERT_TRUE(handshake_succeeds(port(), TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256"))
      << "control: a TLS 1.2 client with a modern suite must get through";
  EXPECT_FALSE(handshake_succeeds(port(), TLS1_VERSION, TLS1_VERSION, "ALL")) << "TLS 1.0";
  EXPECT_FALSE(handshake_succeeds(port(), TLS1_1_VERSION, TLS1_1_VERSION, "ALL")) << "TLS 1.1";
}

TEST_F(Tls, OnlyForwardSecretAeadSuitesInTls12) {
  for (const std::string suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                  "ECDHE-RSA-CHACHA20-POLY1305"}) {
    EXPECT_TRUE(handshake_succeeds(port(), TLS1_2_VERSION, TLS1_2_VERSION, suite)) << suite;
  }
  // CBC, RSA key exchange, SHA-1 MACs, DHE and null suites: refused. (3DES and RC4 are gone from
  // OpenSSL 3's default provider on both sides.)
  for (const std::string suite : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384",
                                  "DHE-RSA-AES128-GCM-SHA256", "NULL-SHA256"}) {
    EXPECT_FALSE(handshake_succeeds(port(), TLS1_2_VERSION, TLS1_2_VERSION, suite)) << suite;
  }
}

TEST_F(Tls, HttpsAnswersCarryStrictTransportSecurity) {
  TlsClient client(port());
  const auto page = client.get("/");
  EXPECT_EQ(page.result_int(), 200);
  EXPECT_EQ(page[http::field::strict_transport_security], "max-age=31536000");
  EXPECT_NE(std::string(page["Content-Security-Policy"]).find("frame-ancestors 'none'"), std::string::npos);
  const auto missing = client.get("/missing");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(missing[http::field::strict_transport_security], "max-age=31536000");
}

// ---- startup errors ---------------------------------------------------------------------------------

RunResult run_with(std::vector<std::string> args) {
  std::vector<std::string> all = {"--port", "0", "--address", "127.0.0.1"};
  all.insert(all.end(), args.begin(), args.end());
  return run_server_binary(all);
}

TEST(TlsStartup, UnusableCertificatesExitWithCode2) {
  const Certificates& c = certificates();
  ASSERT_TRUE(c.error.empty()) << c.error;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--cert", (c.dir / "missing.pem").string(), "--key", c.key.string()}, "no such file"},
      {{"--cert", c.cert.string(), "--key", (c.dir / "missing.pem").string()}, "no such file"},
      {{"--cert", c.dir.string(), "--key", c.key.string()}, "is a folder"},
      {{"--cert", c.key.string(), "--key", c.key.string()}, "is not a PEM certificate"},
      {{"--cert", c.cert.string(), "--key", c.cert.string()}, "is not a PEM private key"},
      {{"--cert", c.cert.string(), "--key", c.other_key.string()}, "does not belong to the certificate"},
      {{"--cert", c.cert.string()}, "--cert and --key go together"},
      {{"--key", c.key.string()}, "--cert and --key go together"},
  };
  for (const Case& test : cases) {
    const RunResult result = run_with(test.args);
    std::string joined;
    for (const auto& arg : test.args) joined += arg + " ";
    EXPECT_EQ(result.exit_code, 2) << joined << "-> " << result.out;
    EXPECT_NE(result.out.find("moim-server: "), std::string::npos) << joined << "-> " << result.out;
    EXPECT_NE(result.out.find(test.message), std::string::npos) << joined << "-> " << result.out;
    EXPECT_EQ(result.out.find("listening"), std::string::npos) << joined << "-> " << result.out;
  }
}

}  // namespace
}  // namespace moim::test
