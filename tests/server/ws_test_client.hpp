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
#include <optional>
#include <string>
#include <string_view>

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

class WsClient {
 public:
  // Connects to ws://127.0.0.1:port/ws; throws std::runtime_error on failure.
  explicit WsClient(unsigned short port, std::string_view target = "/ws");

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
