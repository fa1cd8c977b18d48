// A blocking WebSocket client for tests. Every operation has a timeout so a test never hangs:
// each call runs the client's own io_context for at most that long.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace moim::test {

using json = nlohmann::json;
using namespace std::chrono_literals;

inline constexpr std::chrono::milliseconds kReadTimeout = 3s;

// The "type" of a message, or "" when it has none.
inline std::string type_of(const json& message) {
  if (!message.is_object()) return "";
  const auto it = message.find("type");
  return it != message.end() && it->is_string() ? it->get<std::string>() : "";
}

struct WsOptions {
  std::string source;  // local address to connect from (e.g. "127.0.0.2"); empty: the kernel's choice
  std::vector<std::pair<std::string, std::string>> headers;  // added to the upgrade request (e.g. Origin)
};

// The server answered the upgrade request with something other than 101.
struct WsUpgradeRefused : std::runtime_error {
  WsUpgradeRefused(unsigned status, std::string body)
      : std::runtime_error("upgrade refused with HTTP " + std::to_string(status) + ": " + body),
        status(status),
        body(std::move(body)) {}
  unsigned status;
  std::string body;
};

class WsClient;

// One upgrade attempt: a connected client, or the server's refusal.
struct WsUpgrade {
  std::unique_ptr<WsClient> client;  // set when the server accepted (101)
  unsigned status = 0;               // the HTTP status of the answer (101 when accepted); 0: no answer
  std::string body;                  // the refusal's body
  std::string error;                 // why there was no answer
};

class WsClient {
 public:
  // Connects to ws://127.0.0.1:port/ws; throws std::runtime_error on failure (WsUpgradeRefused when
  // the server answered the upgrade with an HTTP error).
  explicit WsClient(unsigned short port, std::string_view target = "/ws", const WsOptions& options = {});
  // The same, but reports a refusal instead of throwing.
  static WsUpgrade try_connect(unsigned short port, const WsOptions& options = {}, std::string_view target = "/ws");

  // Sends fail silently when the server has closed the connection; the result says whether it worked.
  bool send_text(std::string_view text, std::chrono::milliseconds timeout = 10s);
  bool send_json(const json& message) { return send_text(message.dump()); }
  bool send_binary(std::string_view bytes);

  // The next message (parsed JSON), or nullopt on timeout, closure or a non-JSON frame.
  std::optional<json> read(std::chrono::milliseconds timeout = kReadTimeout);
  // Reads until a message whose "type" is `type`; others are skipped. nullopt on timeout/closure.
  std::optional<json> read_type(std::string_view type, std::chrono::milliseconds timeout = kReadTimeout);
  // The next message that is not a room-updated broadcast.
  std::optional<json> read_skipping_updates(std::chrono::milliseconds timeout = kReadTimeout);

  // Reads (discarding messages) until the server ends the connection. True if it did in time.
  bool wait_closed(std::chrono::milliseconds timeout = kReadTimeout);

  // The WebSocket close handshake (close frame `code`, wait for the server's). True if it completed.
  bool close(std::chrono::milliseconds timeout = kReadTimeout,
             boost::beast::websocket::close_code code = boost::beast::websocket::close_code::normal);
  // Closes the TCP socket without a WebSocket close frame (FIN), or with a reset (RST).
  void drop();
  void drop_with_reset();

  bool closed() const { return closed_; }
  boost::beast::error_code last_error() const { return last_error_; }
  // The code of the close frame the server sent, when there was one.
  boost::beast::websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  template <class Start>
  boost::beast::error_code run_op(Start start, std::chrono::milliseconds timeout);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  bool closed_ = false;
  boost::beast::error_code last_error_;
};

}  // namespace moim::test
