// One WebSocket connection: feeds the hub with what the client sends and writes what the hub
// addresses to it, through a bounded queue. Created by HttpSession after it read an upgrade request.
//
// Beast's websocket::stream does the handshake, reads and parses every frame (masking, UTF-8,
// fragments, control frames, the close handshake). Underneath it sits SessionSocket instead of a
// beast::tcp_stream, for speed and memory (measured with bench/loadgen, see bench/loadgen/README.md):
//   - Writes: the session appends each outgoing text frame to a byte buffer and the socket writes
//     everything queued in one go, so frames that pile up while a write is in flight leave in one
//     syscall (under load that is most of them), with no Beast write operation per message. Beast's
//     own frames (the handshake response, pongs, the close frame) go through the same buffer.
//   - Reads: SessionSocket follows the frame boundaries of the bytes Beast reads, so after a message
//     the session knows whether Beast still holds unread bytes. When it holds none, the session waits
//     for the socket to become readable instead of parking a Beast read with a prepared buffer: an
//     idle connection owns no read buffer and no read operation.
//   - No transport keep-alive: Beast's idle timer and keep-alive pings are off. Liveness is the hub's
//     heartbeat (clients send `ping` every 2 s; the hub closes a connection silent for
//     --heartbeat-timeout), which always came first.
//
// The session is a template on the transport under SessionSocket: a plain tcp::socket (ws://), or a
// TlsStream (wss://, --cert/--key). Both coalesce writes the same way. Only the plain one waits for
// readability on the socket between messages: with TLS, OpenSSL may already hold decrypted bytes that
// the socket's readiness does not show, so a TLS session always keeps a Beast read pending (more
// memory per idle connection; TLS is not the benchmarked path).
#pragma once

#include "admission.hpp"
#include "connection_registry.hpp"
#include "server_context.hpp"
#include "tls.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

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
// TLS only: after the WebSocket close handshake, how long the TLS close (close_notify both ways)
// may take before the socket is simply closed.
inline constexpr std::chrono::seconds kTlsShutdownTimeout{5};

// Follows the WebSocket frames in a byte stream (the bytes Beast reads), without keeping them.
class FrameTracker {
 public:
  void feed(const unsigned char* data, std::size_t size);
  // Every byte fed so far belongs to complete frames and the last one ended a data message.
  bool at_message_end() const { return header_size_ == 0 && payload_left_ == 0 && last_ended_message_; }
  std::uint64_t messages() const { return messages_; }  // data messages completed so far

 private:
  void end_frame();
  unsigned char header_[14] = {};
  std::uint8_t header_size_ = 0;  // bytes of the current frame header seen so far
  std::uint64_t payload_left_ = 0;
  bool last_ended_message_ = true;  // nothing read yet counts as a boundary
  std::uint64_t messages_ = 0;
};

template <class Transport>
class BasicWebSocketSession;

// The stream under Beast's websocket::stream (Beast's NextLayer): the transport (a TCP socket, or
// TLS over one) with a coalescing write buffer and a FrameTracker on what is read. Used only by
// BasicWebSocketSession.
template <class Transport>
class SessionSocket {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = typename Transport::executor_type;
  using next_layer_type = Transport;
  static constexpr bool kPlain = std::is_same_v<Transport, socket_type>;

  SessionSocket(Transport transport, BasicWebSocketSession<Transport>& owner)
      : socket_(std::move(transport)), owner_(owner) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  Transport& next_layer() noexcept { return socket_; }
  const Transport& next_layer() const noexcept { return socket_; }
  // The TCP socket at the bottom.
  socket_type& tcp_socket() noexcept {
    if constexpr (kPlain) return socket_;
    else return boost::beast::get_lowest_layer(socket_).socket();
  }

  // Beast's reads: straight from the socket, through the tracker.
  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return boost::asio::async_initiate<ReadHandler, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& buffers) {
          socket_.async_read_some(buffers, ReadDone<MutableBufferSequence, decltype(handler)>{
                                               this, buffers, std::move(handler)});
        },
        handler, buffers);
  }

  // Beast's writes (handshake response, pong, close, ...): copied into the write buffer; complete
  // once written. Beast has at most one write outstanding.
  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& buffers) {
          const std::size_t size = boost::asio::buffer_size(buffers);
          control_.out.resize(control_.out.size() + size);
          boost::asio::buffer_copy(boost::asio::buffer(control_.out.data() + control_.out.size() - size, size), buffers);
          queue_beast_write(std::make_unique<CompletionOf<decltype(handler)>>(std::move(handler)), size);
        },
        handler, buffers);
  }

 private:
  friend class BasicWebSocketSession<Transport>;

  // A Beast write handler, kept until its bytes are written.
  struct Completion {
    virtual ~Completion() = default;
    virtual void complete(boost::system::error_code ec, std::size_t bytes) = 0;
  };
  template <class Handler>
  struct CompletionOf final : Completion {
    explicit CompletionOf(Handler&& h) : handler(std::move(h)) {}
    void complete(boost::system::error_code ec, std::size_t bytes) override { std::move(handler)(ec, bytes); }
    Handler handler;
  };

  template <class Buffers, class Handler>
  struct ReadDone {
    SessionSocket* self;
    Buffers buffers;
    Handler handler;
    void operator()(boost::system::error_code ec, std::size_t bytes) {
      std::size_t left = bytes;
      for (auto it = boost::asio::buffer_sequence_begin(buffers); left > 0 && it != boost::asio::buffer_sequence_end(buffers);
           ++it) {
        const boost::asio::const_buffer chunk(*it);
        const std::size_t n = std::min(left, chunk.size());
        self->received(static_cast<const unsigned char*>(chunk.data()), n);
        left -= n;
      }
      std::move(handler)(ec, bytes);
    }
  };

  // Two byte buffers per kind: `out` fills while `wire` is being written.
  struct Buffers {
    std::string out, wire;
  };

  void received(const unsigned char* data, std::size_t size) { tracker_.feed(data, size); }
  void queue_beast_write(std::unique_ptr<Completion> completion, std::size_t size);
  void queue_text(std::string_view payload);  // a data frame: FIN + text, unmasked (server to client)
  void drop_unsent_data();                     // forgets data frames not yet handed to the socket
  void start_write();
  void on_written(boost::system::error_code ec);
  bool busy() const { return writing_; }  // nothing is waiting when no write is in flight
  std::size_t queued_messages() const { return out_messages_ + wire_messages_; }
  std::size_t queued_bytes() const { return out_payload_ + wire_payload_; }

  Transport socket_;
  BasicWebSocketSession<Transport>& owner_;
  FrameTracker tracker_;
  Buffers control_, data_;  // control: Beast's frames (pongs, close), sent ahead of data frames
  std::size_t out_messages_ = 0, out_payload_ = 0, wire_messages_ = 0, wire_payload_ = 0;
  bool writing_ = false;
  std::unique_ptr<Completion> beast_write_;
  std::size_t beast_write_bytes_ = 0;
  bool beast_write_on_wire_ = false;  // its bytes are in the write in flight
};

// Beast tears the connection down through its NextLayer after the close handshake: the socket's.
void teardown(boost::beast::role_type role, SessionSocket<boost::asio::ip::tcp::socket>& socket,
              boost::system::error_code& ec);
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, SessionSocket<boost::asio::ip::tcp::socket>& socket,
                    TeardownHandler&& handler) {
  boost::beast::websocket::async_teardown(role, socket.next_layer(), std::forward<TeardownHandler>(handler));
}
// With TLS: close_notify both ways, bounded by kTlsShutdownTimeout. The WebSocket close handshake is
// already complete when Beast calls this, so a peer that skips close_notify (or drops the TCP
// connection first) still counts as a clean close: errors here are not reported.
void teardown(boost::beast::role_type role, SessionSocket<TlsStream>& socket, boost::system::error_code& ec);
template <class TeardownHandler>
void async_teardown(boost::beast::role_type, SessionSocket<TlsStream>& socket, TeardownHandler&& handler) {
  boost::beast::get_lowest_layer(socket.next_layer()).expires_after(kTlsShutdownTimeout);
  socket.next_layer().async_shutdown(
      [handler = std::forward<TeardownHandler>(handler)](boost::system::error_code) mutable {
        std::move(handler)(boost::system::error_code{});
      });
}

template <class Transport>
class BasicWebSocketSession : public Connection, public std::enable_shared_from_this<BasicWebSocketSession<Transport>> {
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
  friend class SessionSocket<Transport>;
  using std::enable_shared_from_this<BasicWebSocketSession<Transport>>::shared_from_this;
  using std::enable_shared_from_this<BasicWebSocketSession<Transport>>::weak_from_this;

  SessionSocket<Transport>& socket() { return ws_.next_layer(); }
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_readable(boost::beast::error_code ec);
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_flushed();  // everything queued has been written

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

extern template class SessionSocket<boost::asio::ip::tcp::socket>;
extern template class SessionSocket<TlsStream>;
extern template class BasicWebSocketSession<boost::asio::ip::tcp::socket>;
extern template class BasicWebSocketSession<TlsStream>;

}  // namespace moim::server
