// One WebSocket connection: feeds the hub with what the client sends and writes what the hub
// addresses to it, through a bounded queue. Created by HttpSession after it read an upgrade request.
#pragma once

#include "connection_registry.hpp"
#include "server_context.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace moim::server {

// Transport limit on one incoming message. Messages between the protocol limit
// (proto::kMaxMessageBytes, answered by the hub with "message-too-large") and this one reach the
// hub; larger ones make Beast fail the read and close the connection with 1009 (message too big).
inline constexpr std::size_t kMaxIncomingMessageBytes = 1024 * 1024;

// Send-queue bounds per connection. A client that lets more than this pile up (it stopped reading,
// or its link is far slower than the room's traffic) is dropped: the queue is discarded, the hub is
// told it disconnected, and the socket is closed with 1008 (policy violation). 1008 rather than
// 1013 (try again later) because the cause is the client, not server load.
inline constexpr std::size_t kMaxQueuedMessages = 1024;
inline constexpr std::size_t kMaxQueuedBytes = 8 * 1024 * 1024;

// How long a closing connection may take to flush and complete the close handshake before its
// socket is shut without ceremony.
inline constexpr std::chrono::seconds kCloseGracePeriod{5};

class WebSocketSession : public Connection, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(boost::beast::tcp_stream&& stream, ServerContext& ctx);

  // Completes the WebSocket handshake for the upgrade request HttpSession has read.
  void run(boost::beast::http::request<boost::beast::http::string_body> upgrade_request);

  void send(std::shared_ptr<const std::string> text) override;
  void close_after_flush() override;

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);

  // Stops taking input and output, flushes what is queued, then closes with `reason`.
  void begin_close(boost::beast::websocket::close_reason reason);
  void start_close_handshake();
  void abort();               // closes the socket now; pending operations fail
  void drop_unsent();         // empties the queue except a frame Beast is currently writing
  void drop_slow_consumer();  // the send queue overflowed
  void detach_from_hub();     // tells the hub the connection is gone (once) and delivers its output
  void finish();              // the read loop ended: the connection is over

  template <class F>
  HubOutput call_hub(F&& call);  // runs a hub call; an exception closes this connection

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  ServerContext& ctx_;
  ConnId id_ = 0;
  bool attached_ = false;  // known to the hub and the registry
  std::deque<std::shared_ptr<const std::string>> queue_;  // front is being written when writing_
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;     // no more input forwarded, no more output accepted
  bool close_sent_ = false;  // async_close started
  boost::beast::websocket::close_reason close_reason_;
  boost::asio::steady_timer close_timer_;
};

}  // namespace moim::server
