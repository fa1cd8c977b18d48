// One WebSocket connection: feeds the hub with what the client sends and writes what the hub
// addresses to it, through a bounded queue. Created by HttpSession after it read an upgrade request.
//
// Beast's websocket::stream does the handshake, reads and parses every frame (masking, UTF-8,
// fragments, control frames, the close handshake). Underneath it sits a SessionSocket instead of a
// beast::tcp_stream (session_socket.hpp: coalesced writes; an idle connection holds no read buffer
// and no Beast read).
//
// No transport keep-alive: Beast's idle timer and keep-alive pings are off. Liveness is the hub's
// heartbeat (clients send `ping` every quarter of --heartbeat-timeout, as the welcome tells them; the
// hub closes a connection silent for --heartbeat-timeout), which always came first.
//
// The session is a template on the transport under SessionSocket: a plain tcp::socket (ws://), or a
// TlsStream (wss://, --cert/--key).
#pragma once

#include "admission.hpp"
#include "connection_registry.hpp"
#include "server_context.hpp"
#include "session_socket.hpp"
#include "tls.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

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

// Time allowed for the opening handshake (and, as in Beast, for the close handshake once started).
inline constexpr std::chrono::seconds kHandshakeTimeout{30};

template <class Transport>
class BasicWebSocketSession : public Connection,
                              private SessionSocketOwner,
                              public std::enable_shared_from_this<BasicWebSocketSession<Transport>> {
 public:
  // `transport` comes from HttpSession (its socket, or its TlsStream after the TLS handshake); `slot`
  // is this connection's place in the per-address WebSocket limit, held until the connection ends;
  // `ticket` its place in the accept-time count (ConnectionGate), held until the socket is closed;
  // `client_address` the key of the client (address_key; behind a trusted proxy, the forwarded
  // client's), which the hub keys its own per-address limits on; `host` the upgrade request's Host
  // header, which names the host of the ICE server URIs the hub sends (ice_servers.hpp).
  BasicWebSocketSession(Transport transport, ServerContext& ctx, AddressLimiter::Slot slot,
                        ConnectionGate::Ticket ticket, std::string client_address, std::string host);

  // Completes the WebSocket handshake for the upgrade request HttpSession has read.
  void run(boost::beast::http::request<boost::beast::http::string_body> upgrade_request);

  void send(std::string_view text) override;
  void close_after_flush() override;

 private:
  using std::enable_shared_from_this<BasicWebSocketSession<Transport>>::shared_from_this;
  using std::enable_shared_from_this<BasicWebSocketSession<Transport>>::weak_from_this;

  // SessionSocketOwner
  std::shared_ptr<void> keep_alive() override { return shared_from_this(); }
  void on_flushed() override;
  void on_write_failed() override { abort(); }

  SessionSocket<Transport>& socket() { return ws_.next_layer(); }
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_readable(boost::beast::error_code ec);
  void on_read(boost::beast::error_code ec, std::size_t bytes);

  // Stops taking input and output, flushes what is queued, then closes with this code and reason.
  void begin_close(boost::beast::websocket::close_code code, const char* reason = "");
  void start_close_handshake();
  void abort();               // closes the socket now; pending operations fail
  void drop_slow_consumer();  // the send queue overflowed
  // Tells the hub the connection is gone (once) and delivers its output.
  void detach_from_hub(Hub::Departure how);
  // Whether the read loop ended with a close handshake the client began as a goodbye (1000/1001).
  bool closed_on_purpose(boost::beast::error_code ec) const;
  void finish(boost::beast::error_code ec);  // the read loop ended: the connection is over

  template <class F>
  HubOutput call_hub(F&& call);  // runs a hub call; an exception closes this connection

  boost::beast::websocket::stream<SessionSocket<Transport>, /*deflateSupported=*/false> ws_;
  boost::beast::flat_buffer buffer_;  // the message being read; released when the peer is quiet
  ServerContext& ctx_;
  ConnId id_ = 0;
  std::uint64_t messages_read_ = 0;  // messages Beast has handed over (compared with the tracker's)
  bool attached_ = false;            // known to the hub and the registry
  bool closing_ = false;             // no more input forwarded, no more output accepted
  bool close_sent_ = false;          // async_close started
  boost::beast::websocket::close_code close_code_ = boost::beast::websocket::close_code::normal;
  const char* close_text_ = "";
  std::unique_ptr<boost::asio::steady_timer> close_timer_;  // only while closing
  AddressLimiter::Slot slot_;  // given back when the read loop ends (finish) or with the session
  ConnectionGate::Ticket ticket_;  // given back with the session (and its socket)
  std::string client_address_;
  std::string host_;
};

using WebSocketSession = BasicWebSocketSession<boost::asio::ip::tcp::socket>;  // ws://
using TlsWebSocketSession = BasicWebSocketSession<TlsStream>;                   // wss://

extern template class BasicWebSocketSession<boost::asio::ip::tcp::socket>;
extern template class BasicWebSocketSession<TlsStream>;

}  // namespace moim::server
