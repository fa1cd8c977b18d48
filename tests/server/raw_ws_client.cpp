#include "raw_ws_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <thread>

namespace moim::test {

namespace {

using Clock = std::chrono::steady_clock;

constexpr unsigned char kMaskKey[4] = {0x37, 0xfa, 0x21, 0x3d};
constexpr std::uint64_t kMaxFrameRead = 16 * 1024 * 1024;  // what this client accepts from the server

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

unsigned RawFrame::close_code() const {
  if (payload.size() < 2) return 0;
  return (static_cast<unsigned>(static_cast<unsigned char>(payload[0])) << 8) |
         static_cast<unsigned char>(payload[1]);
}

RawWsClient::RawWsClient(unsigned short port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect failed");
  }
  // Pieces written one by one must leave one by one.
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const std::string request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  if (!send_raw(request)) {
    ::close(fd_);
    throw std::runtime_error("sending the upgrade request failed");
  }
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  std::size_t end = std::string::npos;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(buffer_.size() + 1, deadline)) {
      ::close(fd_);
      throw std::runtime_error("no answer to the upgrade request");
    }
  }
  const std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  // RFC 6455's sample key has this accept value.
  if (head.rfind("HTTP/1.1 101", 0) != 0 || head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == std::string::npos) {
    ::close(fd_);
    throw std::runtime_error("upgrade refused: " + head);
  }
}

RawWsClient::~RawWsClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string RawWsClient::frame(Op opcode, std::string_view payload, const FrameOptions& options) {
  std::string out;
  out.push_back(static_cast<char>((options.fin ? 0x80 : 0) | ((options.rsv & 7) << 4) | static_cast<unsigned>(opcode)));
  const std::uint64_t size = options.announced_size.value_or(payload.size());
  const unsigned char mask_bit = options.masked ? 0x80 : 0;
  if (size < 126) {
    out.push_back(static_cast<char>(mask_bit | size));
  } else if (size <= 0xffff) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size & 0xff));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  if (options.masked) out.append(reinterpret_cast<const char*>(kMaskKey), 4);
  const std::size_t start = out.size();
  out.append(payload);
  if (options.masked) {
    for (std::size_t i = 0; i < payload.size(); ++i) out[start + i] = static_cast<char>(out[start + i] ^ kMaskKey[i % 4]);
  }
  return out;
}

std::string RawWsClient::close_frame(unsigned code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xff));
  payload.append(reason);
  return frame(Op::Close, payload);
}

bool RawWsClient::send_raw(std::string_view bytes, std::size_t chunk) {
  const bool paced = chunk != 0;
  if (!paced) chunk = bytes.size();
  while (!bytes.empty()) {
    const std::size_t piece = std::min(chunk, bytes.size());
    std::size_t sent = 0;
    while (sent < piece) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, piece - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    bytes.remove_prefix(piece);
    if (paced && !bytes.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

bool RawWsClient::fill(std::size_t size, Clock::time_point deadline) {
  char chunk[65536];
  while (buffer_.size() < size) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;  // timeout
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // end of stream or reset
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<RawFrame> RawWsClient::read_frame(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  if (!fill(2, deadline)) return std::nullopt;
  const auto byte = [this](std::size_t i) { return static_cast<unsigned char>(buffer_[i]); };
  RawFrame f;
  f.fin = (byte(0) & 0x80) != 0;
  f.rsv = static_cast<std::uint8_t>((byte(0) >> 4) & 7);
  f.opcode = byte(0) & 0x0f;
  f.masked = (byte(1) & 0x80) != 0;
  const unsigned length7 = byte(1) & 0x7f;
  const std::size_t length_bytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
  const std::size_t header = 2 + length_bytes + (f.masked ? 4 : 0);
  if (!fill(header, deadline)) return std::nullopt;
  std::uint64_t size = length7;
  if (length_bytes > 0) {
    size = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) size = (size << 8) | byte(2 + i);
  }
  if (size > kMaxFrameRead || !fill(header + size, deadline)) return std::nullopt;
  f.payload = buffer_.substr(header, size);
  if (f.masked) {
    for (std::size_t i = 0; i < f.payload.size(); ++i) f.payload[i] = static_cast<char>(f.payload[i] ^ byte(header - 4 + i % 4));
  }
  buffer_.erase(0, header + size);
  return f;
}

std::optional<std::string> RawWsClient::read_text(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string message;
  bool in_message = false;
  for (;;) {
    std::optional<RawFrame> f = read_frame(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!f) return std::nullopt;
    if (f->opcode >= 0x8) {
      const bool close = f->opcode == static_cast<std::uint8_t>(Op::Close);
      last_control_ = std::move(f);
      if (close) return std::nullopt;
      continue;
    }
    if (!in_message && f->opcode != static_cast<std::uint8_t>(Op::Text)) return std::nullopt;
    in_message = true;
    message += f->payload;
    if (f->fin) return message;
  }
}

std::optional<unsigned> RawWsClient::read_close_code(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::optional<RawFrame> f = read_frame(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!f) return std::nullopt;
    if (f->opcode == static_cast<std::uint8_t>(Op::Close)) return f->close_code();
  }
}

bool RawWsClient::wait_eof(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  buffer_.clear();
  char chunk[65536];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
  }
}

}  // namespace moim::test
