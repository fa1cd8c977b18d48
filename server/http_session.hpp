// One HTTP/1.1 connection: serves static files (GET/HEAD) with keep-alive, and hands a WebSocket
// upgrade request for /ws over to a WebSocketSession once it passed the admission checks (Origin,
// connections per address; admission.hpp). Every request's Host header must name this server
// (HostPolicy). Keep-alive is bounded: the first request must arrive within kReadTimeout of the
// connection, each later one within --http-keep-alive seconds of the previous answer, and a
// connection serves at most kMaxRequestsPerConnection requests and lives at most
// kMaxConnectionLifetime, so no client can hold a connection open by trickling requests.
//
// Without TLS the listener starts an HttpSession on every accepted socket. With TLS (--cert/--key)
// it starts a DetectSession, which looks at the first bytes (Beast's async_detect_ssl, as in Beast's
// example/advanced/server-flex): a TLS ClientHello goes on to a TlsHttpSession (TLS handshake, then
// the same HTTP handling, wss:// upgrades); anything else to an HttpSession that answers every
// request with a redirect to https.
#pragma once

#include "server_context.hpp"
#include "tls.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

namespace moim::server {

// The URL path of the WebSocket endpoint.
inline constexpr std::string_view kWebSocketPath = "/ws";

// Stream is boost::beast::tcp_stream (http) or TlsStream (https).
template <class Stream>
class BasicHttpSession : public std::enable_shared_from_this<BasicHttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `buffer` holds bytes already read from the connection (by DetectSession), if any. A plain
  // session on a TLS server (ctx.tls set) redirects every request to https.
  // `ticket` is the connection's place in the accept-time count, held until the socket is closed.
  BasicHttpSession(boost::beast::tcp_stream&& stream, boost::beast::flat_buffer&& buffer, ServerContext& ctx,
                   ConnectionGate::Ticket ticket);
  void run();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using std::enable_shared_from_this<BasicHttpSession<Stream>>::shared_from_this;

  void on_handshake(boost::beast::error_code ec, std::size_t bytes_used);  // TLS only
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle_request(Request&& request);
  // The WebSocket upgrade of /ws: Origin and per-address checks, then the hand-over.
  void upgrade(Request&& request);
  template <class Body>
  void send(boost::beast::http::response<Body>&& response);
  void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
  void do_close();

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  ServerContext& ctx_;
  bool redirect_to_https_ = false;  // plain connection to a TLS server
  ConnectionGate::Ticket ticket_;
  std::chrono::steady_clock::time_point started_;
  std::size_t requests_ = 0;   // requests read on this connection
  bool last_request_ = false;  // the answer being sent ends the connection
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<void> response_;  // keeps the response alive while it is being written
};

using HttpSession = BasicHttpSession<boost::beast::tcp_stream>;
using TlsHttpSession = BasicHttpSession<TlsStream>;
extern template class BasicHttpSession<boost::beast::tcp_stream>;
extern template class BasicHttpSession<TlsStream>;

// TLS servers only: tells a TLS connection from a plain one by its first bytes.
class DetectSession : public std::enable_shared_from_this<DetectSession> {
 public:
  DetectSession(boost::asio::ip::tcp::socket socket, ServerContext& ctx, ConnectionGate::Ticket ticket);
  void run();

 private:
  void on_detect(boost::beast::error_code ec, bool tls);
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  ServerContext& ctx_;
  ConnectionGate::Ticket ticket_;
};

}  // namespace moim::server
