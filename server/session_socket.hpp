// SessionSocket: the stream under Beast's websocket::stream in a WebSocketSession (Beast's NextLayer),
// and everything the server does underneath Beast: a transport (a TCP socket, or TLS over one) with
//   - coalesced writes: the session appends each outgoing text frame to a byte buffer and everything
//     queued leaves in one write, so frames that pile up while a write is in flight (a batch of
//     room-list updates, a burst of signals) cost one syscall, with no Beast write operation per
//     message. Beast's own frames (the handshake response, pongs, the close frame) go through the same
//     buffer, ahead of data frames.
//   - a FrameTracker on what Beast reads: it follows the frame boundaries of those bytes, so after a
//     message the session knows whether Beast still holds unread bytes. When it holds none, the session
//     waits for the socket to become readable instead of parking a Beast read with a prepared buffer:
//     an idle connection owns no read buffer and no Beast read operation. Only with a plain socket:
//     with TLS, OpenSSL may hold decrypted bytes that the socket's readiness does not show.
// Beast still parses and checks every frame (masking, UTF-8, fragments, control frames, sizes, the
// close handshake); the tracker only counts.
//
// Why not Beast's stream directly on the socket: measured side by side (issue 12 item 7,
// bench/loadgen/compare.sh), Beast's stream needs 1.5-1.7 KB more server memory per idle connection
// (the buffer its parked read prepares; 1.46-1.59 times as much) and 1.4-1.5 times the server CPU per
// join or leave in the churn scenario (one write per message to each lobby connection); relay
// throughput and latency are the same within the noise. Figures: bench/loadgen/README.md.
//
// Conformance: tests/server/server_websocket_test.cpp (the real server, raw frames: fragments, control
// frames between them, many messages per segment and one message over many, the close handshake both
// ways, masking and other protocol errors, oversize messages) and tests/server/frame_tracker_test.cpp.
#pragma once

#include "tls.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace moim::server {

// TLS only: after the WebSocket close handshake, how long the TLS close (close_notify both ways)
// may take before the socket is simply closed.
inline constexpr std::chrono::seconds kTlsShutdownTimeout{5};

// Follows the WebSocket frames in a byte stream (the bytes Beast reads), without keeping them.
class FrameTracker {
 public:
  void feed(const unsigned char* data, std::size_t size) {
    while (size > 0) {
      if (payload_left_ > 0) {
        const std::size_t take = payload_left_ < size ? static_cast<std::size_t>(payload_left_) : size;
        data += take;
        size -= take;
        payload_left_ -= take;
        if (payload_left_ == 0) end_frame();
        continue;
      }
      header_[header_size_++] = *data++;
      --size;
      if (header_size_ < 2) continue;
      const unsigned length7 = header_[1] & 0x7f;
      const std::size_t full = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header_[1] & 0x80) ? 4 : 0);
      if (header_size_ < full) continue;
      std::uint64_t length = length7;
      if (length7 == 126) length = (std::uint64_t{header_[2]} << 8) | header_[3];
      if (length7 == 127) {
        length = 0;
        for (int i = 2; i < 10; ++i) length = (length << 8) | header_[i];
      }
      header_size_ = 0;
      payload_left_ = length;
      if (length == 0) end_frame();
    }
  }
  // Every byte fed so far belongs to complete frames and the last one ended a data message.
  bool at_message_end() const { return header_size_ == 0 && payload_left_ == 0 && last_ended_message_; }
  std::uint64_t messages() const { return messages_; }  // data messages completed so far

 private:
  void end_frame() {
    const bool fin = (header_[0] & 0x80) != 0;
    const bool control = (header_[0] & 0x08) != 0;
    last_ended_message_ = fin && !control;
    if (last_ended_message_) ++messages_;
  }

  unsigned char header_[14] = {};
  std::uint8_t header_size_ = 0;  // bytes of the current frame header seen so far
  std::uint64_t payload_left_ = 0;
  bool last_ended_message_ = true;  // nothing read yet counts as a boundary
  std::uint64_t messages_ = 0;
};

// What a SessionSocket tells the connection that owns it.
class SessionSocketOwner {
 public:
  // Holds the owner (and so the socket) alive while a write is in flight.
  virtual std::shared_ptr<void> keep_alive() = 0;
  virtual void on_flushed() = 0;        // everything queued has been written
  virtual void on_write_failed() = 0;   // a write failed; nothing queued will be written

 protected:
  ~SessionSocketOwner() = default;
};

template <class Transport>
class SessionSocket {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = typename Transport::executor_type;
  using next_layer_type = Transport;
  static constexpr bool kPlain = std::is_same_v<Transport, socket_type>;

  SessionSocket(Transport transport, SessionSocketOwner& owner) : socket_(std::move(transport)), owner_(owner) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  Transport& next_layer() noexcept { return socket_; }
  const Transport& next_layer() const noexcept { return socket_; }
  // The TCP socket at the bottom.
  socket_type& tcp_socket() noexcept {
    if constexpr (kPlain) return socket_;
    else return boost::beast::get_lowest_layer(socket_).socket();
  }

  // ---- for Beast ----

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

  // ---- for the session ----

  // Queues a data frame: FIN + text, unmasked (server to client).
  void queue_text(std::string_view payload) {
    unsigned char header[10];
    std::size_t n = 0;
    header[n++] = 0x81;
    const std::uint64_t size = payload.size();
    if (size < 126) {
      header[n++] = static_cast<unsigned char>(size);
    } else if (size <= 0xffff) {
      header[n++] = 126;
      header[n++] = static_cast<unsigned char>(size >> 8);
      header[n++] = static_cast<unsigned char>(size);
    } else {
      header[n++] = 127;
      for (int shift = 56; shift >= 0; shift -= 8) header[n++] = static_cast<unsigned char>(size >> shift);
    }
    data_.out.append(reinterpret_cast<const char*>(header), n);
    data_.out.append(payload);
    ++out_messages_;
    out_payload_ += payload.size();
    if (!writing_) start_write();
  }
  // Forgets data frames not yet handed to the socket (what is being written stays: a frame must not
  // be cut).
  void drop_unsent_data() {
    data_.out.clear();
    out_messages_ = 0;
    out_payload_ = 0;
  }
  bool busy() const { return writing_; }  // nothing is waiting when no write is in flight
  std::size_t queued_messages() const { return out_messages_ + wire_messages_; }
  std::size_t queued_bytes() const { return out_payload_ + wire_payload_; }

  // Whether Beast holds no unread byte once it has handed over `messages_delivered` messages: then
  // the session may wait with async_wait_readable instead of a Beast read. Always false with TLS.
  bool beast_has_nothing_unread(std::uint64_t messages_delivered) const {
    return kPlain && tracker_.at_message_end() && tracker_.messages() == messages_delivered;
  }
  template <class WaitHandler>
  void async_wait_readable(WaitHandler&& handler) {
    tcp_socket().async_wait(boost::asio::socket_base::wait_read, std::forward<WaitHandler>(handler));
  }

 private:
  // Write buffers up to this capacity are kept for the next write while more is coming; all are
  // released when the socket is idle.
  static constexpr std::size_t kKeptWriteBufferBytes = 64 * 1024;

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
        self->tracker_.feed(static_cast<const unsigned char*>(chunk.data()), n);
        left -= n;
      }
      std::move(handler)(ec, bytes);
    }
  };

  // Two byte buffers per kind: `out` fills while `wire` is being written.
  struct Buffers {
    std::string out, wire;
  };
  static void release(std::string& buffer) { std::string().swap(buffer); }

  void queue_beast_write(std::unique_ptr<Completion> completion, std::size_t size) {
    // Beast serializes its writes; a second one before the first completed would be a bug.
    beast_write_ = std::move(completion);
    beast_write_bytes_ = size;
    beast_write_on_wire_ = false;
    if (!writing_) start_write();
  }

  void start_write() {
    writing_ = true;
    control_.wire.swap(control_.out);
    data_.wire.swap(data_.out);
    wire_messages_ = out_messages_;
    wire_payload_ = out_payload_;
    out_messages_ = out_payload_ = 0;
    if (beast_write_) beast_write_on_wire_ = true;
    const std::array<boost::asio::const_buffer, 2> buffers{boost::asio::buffer(control_.wire),
                                                           boost::asio::buffer(data_.wire)};
    boost::asio::async_write(socket_, buffers,
                             [this, alive = owner_.keep_alive()](boost::system::error_code ec, std::size_t) {
                               on_written(ec);
                             });
  }

  void on_written(boost::system::error_code ec) {
    writing_ = false;
    wire_messages_ = wire_payload_ = 0;
    control_.wire.clear();
    data_.wire.clear();
    std::unique_ptr<Completion> beast_done;
    if (beast_write_ && (beast_write_on_wire_ || ec)) {
      beast_done = std::move(beast_write_);
      beast_write_on_wire_ = false;
    }
    const bool more = !control_.out.empty() || !data_.out.empty();
    if (ec || !more) {
      // Idle (or failed): hold no write buffer at all. Nothing queued is written after a failure.
      for (Buffers* b : {&control_, &data_}) {
        release(b->out);
        release(b->wire);
      }
      out_messages_ = out_payload_ = 0;
    } else {
      // More is coming: keep a moderate buffer for the write after this one.
      for (Buffers* b : {&control_, &data_}) {
        if (b->wire.capacity() > kKeptWriteBufferBytes) release(b->wire);
      }
      start_write();
    }
    if (beast_done) beast_done->complete(ec, ec ? 0 : beast_write_bytes_);
    if (ec) return owner_.on_write_failed();  // the pending read fails next and ends the session
    if (!writing_) owner_.on_flushed();
  }

  Transport socket_;
  SessionSocketOwner& owner_;
  FrameTracker tracker_;
  Buffers control_, data_;  // control: Beast's frames (pongs, close), sent ahead of data frames
  std::size_t out_messages_ = 0, out_payload_ = 0, wire_messages_ = 0, wire_payload_ = 0;
  bool writing_ = false;
  std::unique_ptr<Completion> beast_write_;
  std::size_t beast_write_bytes_ = 0;
  bool beast_write_on_wire_ = false;  // its bytes are in the write in flight
};

// Beast tears the connection down through its NextLayer after the close handshake: the socket's.
inline void teardown(boost::beast::role_type role, SessionSocket<boost::asio::ip::tcp::socket>& socket,
                     boost::system::error_code& ec) {
  boost::beast::websocket::teardown(role, socket.next_layer(), ec);
}
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, SessionSocket<boost::asio::ip::tcp::socket>& socket,
                    TeardownHandler&& handler) {
  boost::beast::websocket::async_teardown(role, socket.next_layer(), std::forward<TeardownHandler>(handler));
}
// With TLS: close_notify both ways, bounded by kTlsShutdownTimeout. The WebSocket close handshake is
// already complete when Beast calls this, so a peer that skips close_notify (or drops the TCP
// connection first) still counts as a clean close: errors here are not reported.
inline void teardown(boost::beast::role_type, SessionSocket<TlsStream>& socket, boost::system::error_code& ec) {
  socket.next_layer().shutdown(ec);
  ec = {};
}
template <class TeardownHandler>
void async_teardown(boost::beast::role_type, SessionSocket<TlsStream>& socket, TeardownHandler&& handler) {
  boost::beast::get_lowest_layer(socket.next_layer()).expires_after(kTlsShutdownTimeout);
  socket.next_layer().async_shutdown(
      [handler = std::forward<TeardownHandler>(handler)](boost::system::error_code) mutable {
        std::move(handler)(boost::system::error_code{});
      });
}

}  // namespace moim::server
