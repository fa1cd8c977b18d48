// A WebSocket client for tests that writes and reads raw frames on a plain blocking TCP socket, so a
// test can send what a client library never would: fragments with control frames between them,
// unmasked frames, reserved bits, headers announcing more than the server accepts, bytes one at a
// time. Every read has a timeout (poll), so a test never hangs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace moim::test {

// RFC 6455 opcodes.
enum class Op : std::uint8_t { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

struct RawFrame {
  bool fin = true;
  std::uint8_t rsv = 0;  // the three reserved bits (0..7)
  std::uint8_t opcode = 0;
  bool masked = false;
  std::string payload;  // unmasked
  // A close frame's status code, or 0 when the payload has none.
  unsigned close_code() const;
};

// How one frame is written. Defaults: a final, masked frame whose header announces its payload size.
struct FrameOptions {
  bool fin = true;
  bool masked = true;
  std::uint8_t rsv = 0;
  std::optional<std::uint64_t> announced_size;  // a header length other than the payload's
};
inline FrameOptions not_final() {
  FrameOptions o;
  o.fin = false;
  return o;
}
inline FrameOptions unmasked() {
  FrameOptions o;
  o.masked = false;
  return o;
}
inline FrameOptions reserved_bits(std::uint8_t rsv) {
  FrameOptions o;
  o.rsv = rsv;
  return o;
}
inline FrameOptions announcing(std::uint64_t size) {
  FrameOptions o;
  o.announced_size = size;
  return o;
}

class RawWsClient {
 public:
  // Connects to 127.0.0.1:port and completes the upgrade of /ws; throws std::runtime_error when the
  // server does not answer 101.
  explicit RawWsClient(unsigned short port);
  ~RawWsClient();
  RawWsClient(const RawWsClient&) = delete;
  RawWsClient& operator=(const RawWsClient&) = delete;

  // The bytes of one frame (masked with a fixed non-zero key unless options say otherwise).
  static std::string frame(Op opcode, std::string_view payload, const FrameOptions& options = {});
  static std::string close_frame(unsigned code, std::string_view reason = {});

  // Writes bytes as they are (whole, or in pieces of `chunk` bytes with a short pause between them,
  // so the server sees them in separate reads). False when the connection is gone.
  bool send_raw(std::string_view bytes, std::size_t chunk = 0);
  bool send(Op opcode, std::string_view payload, const FrameOptions& options = {}) {
    return send_raw(frame(opcode, payload, options));
  }

  // The next frame from the server; nullopt on timeout, end of stream or a malformed header.
  std::optional<RawFrame> read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(3));
  // The next text message (whole frames only; control frames before it are skipped, and the last
  // one is kept in last_control()); nullopt on timeout or closure.
  std::optional<std::string> read_text(std::chrono::milliseconds timeout = std::chrono::seconds(3));
  // Reads until a close frame arrives (data frames skipped): its code, or nullopt when none came.
  std::optional<unsigned> read_close_code(std::chrono::milliseconds timeout = std::chrono::seconds(3));
  // Whether the server ends the TCP connection (end of stream or reset) within the timeout; any
  // bytes before that are discarded.
  bool wait_eof(std::chrono::milliseconds timeout = std::chrono::seconds(3));

  const std::optional<RawFrame>& last_control() const { return last_control_; }

 private:
  // Fills buffer_ to at least `size` bytes; false on timeout or closure.
  bool fill(std::size_t size, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;  // bytes read but not yet parsed
  std::optional<RawFrame> last_control_;
};

}  // namespace moim::test
