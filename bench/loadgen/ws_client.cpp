#include "ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/error.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <utility>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace moim::loadgen {

namespace websocket = boost::beast::websocket;

namespace {
constexpr std::size_t kInitialReadBuffer = 2 * 1024;  // idle clients stay small; busy ones grow
constexpr std::size_t kBusyReadBuffer = 64 * 1024;    // once a read fills the buffer
constexpr std::uint8_t kOpContinuation = 0x0, kOpText = 0x1, kOpBinary = 0x2, kOpClose = 0x8, kOpPing = 0x9;
constexpr std::uint8_t kOpPong = 0xA;
}  // namespace

Client::Client(asio::io_context& ioc, std::size_t index) : socket_(ioc), index_(index) {}

void Client::connect(const tcp::endpoint& server, const asio::ip::address& source,
                     std::function<void(error_code)> done) {
  error_code ec;
  socket_.open(server.protocol(), ec);
  if (!ec) {
    // Defer the port choice to connect(): the 4-tuple, not the source port alone, must be unique.
    const int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    socket_.bind(tcp::endpoint(source, 0), ec);
  }
  if (ec) {
    asio::post(socket_.get_executor(), [done = std::move(done), ec] { done(ec); });
    return;
  }
  socket_.async_connect(server, [this, server, done = std::move(done)](error_code ec) mutable {
    if (ec) return done(ec);
    socket_.set_option(tcp::no_delay(true), ec);
    handshake_ = std::make_unique<websocket::stream<tcp::socket&>>(socket_);
    const std::string host = server.address().to_string() + ":" + std::to_string(server.port());
    handshake_->async_handshake(host, "/ws", [this, done = std::move(done)](error_code ec) mutable {
      // The stream only did the upgrade; drop it outside its own completion.
      asio::post(socket_.get_executor(), [this] { handshake_.reset(); });
      if (!ec) open_ = true;
      done(ec);
    });
  });
}

void Client::start(Handler* handler) {
  handler_ = handler;
  rbuf_.resize(kInitialReadBuffer);
  do_read();
}

void Client::do_read() {
  if (rend_ == rbuf_.size()) {
    // Full: make room (compact, else grow).
    if (rbegin_ > 0) {
      std::memmove(rbuf_.data(), rbuf_.data() + rbegin_, rend_ - rbegin_);
      rend_ -= rbegin_;
      rbegin_ = 0;
    } else {
      rbuf_.resize(std::max(rbuf_.size() * 2, kBusyReadBuffer));
    }
  }
  socket_.async_read_some(asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_),
                          [this](error_code ec, std::size_t bytes) { on_read(ec, bytes); });
}

void Client::on_read(error_code ec, std::size_t bytes) {
  if (ec) return fail(ec);
  bytes_received_ += bytes;
  const bool filled = rend_ + bytes == rbuf_.size();
  rend_ += bytes;
  parse();
  if (!open_) return;
  if (filled && rbuf_.size() < kBusyReadBuffer) rbuf_.resize(kBusyReadBuffer);
  do_read();
}

void Client::parse() {
  for (;;) {
    const std::size_t avail = rend_ - rbegin_;
    if (avail < 2) break;
    auto* p = reinterpret_cast<std::uint8_t*>(rbuf_.data() + rbegin_);
    const bool fin = (p[0] & 0x80) != 0;
    const std::uint8_t opcode = p[0] & 0x0f;
    const bool masked = (p[1] & 0x80) != 0;
    std::uint64_t len = p[1] & 0x7f;
    std::size_t header = 2;
    if (len == 126) {
      if (avail < 4) break;
      len = (std::uint64_t{p[2]} << 8) | p[3];
      header = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      header = 10;
    }
    std::uint8_t key[4] = {0, 0, 0, 0};
    if (masked) {
      if (avail < header + 4) break;
      std::memcpy(key, p + header, 4);
      header += 4;
    }
    const std::size_t need = header + static_cast<std::size_t>(len);
    if (avail < need) {
      if (need > rbuf_.size() - rbegin_) {
        std::memmove(rbuf_.data(), rbuf_.data() + rbegin_, avail);
        rbegin_ = 0;
        rend_ = avail;
        if (need > rbuf_.size()) rbuf_.resize(std::max(need, kBusyReadBuffer));
      }
      break;
    }
    char* payload = rbuf_.data() + rbegin_ + header;
    if (masked) {
      for (std::size_t i = 0; i < len; ++i) payload[i] = static_cast<char>(payload[i] ^ key[i & 3]);
    }
    rbegin_ += need;
    handle_frame(opcode, fin, std::string_view(payload, static_cast<std::size_t>(len)));
    if (!open_) return;
  }
  if (rbegin_ == rend_) rbegin_ = rend_ = 0;
}

void Client::handle_frame(std::uint8_t opcode, bool fin, std::string_view payload) {
  switch (opcode) {
    case kOpText:
    case kOpBinary:
      if (fin && !in_fragmented_) {
        if (handler_) handler_->on_message(*this, payload);
      } else {
        fragments_.assign(payload);
        in_fragmented_ = true;
      }
      break;
    case kOpContinuation:
      fragments_.append(payload);
      if (fin) {
        in_fragmented_ = false;
        if (handler_) handler_->on_message(*this, fragments_);
      }
      break;
    case kOpPing:
      queue_frame(kOpPong, payload);
      break;
    case kOpClose:
      fail(websocket::error::closed);
      break;
    default:
      break;  // pong
  }
}

void Client::send(std::string_view text) { queue_frame(kOpText, text); }

void Client::queue_frame(std::uint8_t opcode, std::string_view payload) {
  if (!open_) return;
  std::uint8_t header[14];
  std::size_t n = 0;
  header[n++] = static_cast<std::uint8_t>(0x80 | opcode);
  const std::uint64_t len = payload.size();
  if (len < 126) {
    header[n++] = static_cast<std::uint8_t>(0x80 | len);
  } else if (len <= 0xffff) {
    header[n++] = 0x80 | 126;
    header[n++] = static_cast<std::uint8_t>(len >> 8);
    header[n++] = static_cast<std::uint8_t>(len);
  } else {
    header[n++] = 0x80 | 127;
    for (int i = 7; i >= 0; --i) header[n++] = static_cast<std::uint8_t>(len >> (8 * i));
  }
  for (int i = 0; i < 4; ++i) header[n++] = 0;  // masking key 0: the payload goes as it is
  const std::size_t at = pending_.size();
  pending_.resize(at + n + payload.size());
  std::memcpy(pending_.data() + at, header, n);
  std::memcpy(pending_.data() + at + n, payload.data(), payload.size());
  if (!writing_) do_write();
}

void Client::do_write() {
  writing_ = true;
  inflight_.swap(pending_);
  pending_.clear();
  asio::async_write(socket_, asio::buffer(inflight_), [this](error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return fail(ec);
    inflight_.clear();
    if (!pending_.empty() && open_) do_write();
  });
}

void Client::fail(error_code ec) {
  const bool was_open = open_;
  open_ = false;
  error_code ignored;
  socket_.close(ignored);
  if (was_open && handler_) handler_->on_closed(*this, ec);
}

void Client::goodbye() {
  static constexpr char kNormal[2] = {0x03, static_cast<char>(0xE8)};  // 1000, network byte order
  queue_frame(kOpClose, std::string_view(kNormal, 2));
  handler_ = nullptr;
}

void Client::close() {
  open_ = false;
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace moim::loadgen
