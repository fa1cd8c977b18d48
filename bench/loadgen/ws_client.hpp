// A lean WebSocket client for the load generator.
//
// The opening handshake is Beast's (websocket::stream::async_handshake over the client's socket).
// After it, frames are written and parsed here on the bare Asio socket, because the generator must be
// cheaper per message than the server it measures:
//   - every frame is masked with the key 0 (RFC 6455 requires the mask bit, any key is valid; the
//     server unmasks as usual, we skip XORing), so a frame is a header plus the payload as it is;
//   - frames queued while a write is in flight go out together in the next write (one syscall);
//   - received frames are parsed in place and handed over as string_views (no copy unless the
//     server fragmented the message).
// Single-threaded: every Client of one io_context is used from that context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace moim::loadgen {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

class Client;

// Receives every text message of the clients it is attached to.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void on_message(Client& client, std::string_view text) = 0;
  virtual void on_closed(Client& client, error_code ec) { (void)client, (void)ec; }
};

class Client {
 public:
  Client(asio::io_context& ioc, std::size_t index);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // TCP connect from `source` (port chosen by the kernel at connect time, so many clients can share
  // one source address across servers) and the WebSocket handshake for /ws.
  void connect(const tcp::endpoint& server, const asio::ip::address& source, std::function<void(error_code)> done);

  // Starts the read loop; messages go to `handler` (which may be changed at any time).
  void start(Handler* handler);
  void set_handler(Handler* handler) { handler_ = handler; }

  // Queues one text frame.
  void send(std::string_view text);

  void close();  // closes the socket without a close handshake
  // Sends a close frame 1000 (a goodbye); the server answers with its own and closes the socket,
  // which this client then takes as closed without telling the handler.
  void goodbye();
  bool is_open() const { return open_; }

  std::size_t index() const { return index_; }
  std::uint64_t bytes_received() const { return bytes_received_; }

  // Free per-client slots for scenarios.
  std::uint32_t peer_id = 0;
  std::int64_t tag = 0;

 private:
  void do_read();
  void on_read(error_code ec, std::size_t bytes);
  void parse();
  void handle_frame(std::uint8_t opcode, bool fin, std::string_view payload);
  void queue_frame(std::uint8_t opcode, std::string_view payload);
  void do_write();
  void fail(error_code ec);

  tcp::socket socket_;
  std::size_t index_;
  Handler* handler_ = nullptr;
  bool open_ = false;
  std::unique_ptr<boost::beast::websocket::stream<tcp::socket&>> handshake_;  // only during the handshake

  std::vector<char> rbuf_;
  std::size_t rbegin_ = 0, rend_ = 0;
  std::string fragments_;  // a fragmented message being assembled
  bool in_fragmented_ = false;
  std::uint64_t bytes_received_ = 0;

  std::vector<char> pending_;   // frames waiting for the current write to finish
  std::vector<char> inflight_;  // frames being written
  bool writing_ = false;
};

}  // namespace moim::loadgen
