// STUN (RFC 8489) as the built-in responder needs it: read a datagram, and answer a Binding request
// with the address it came from (XOR-MAPPED-ADDRESS) and a FINGERPRINT. Everything else is dropped
// without an answer, with the reason. Bytes in, bytes out: no sockets (stun_responder.* does those).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace moim::server::stun {

inline constexpr std::uint32_t kMagicCookie = 0x2112A442;
inline constexpr std::size_t kHeaderBytes = 20;
// Larger requests are not answered: a Binding request from a browser is about 20-100 bytes, and 548 is
// the smallest datagram every IPv4 path carries (576 less the IP and UDP headers).
inline constexpr std::size_t kMaxRequestBytes = 548;
// Every answer is at most this big (a success for IPv6 is 60 bytes), so the responder never sends
// much more than it was sent: a reflection attack through it gains little.
inline constexpr std::size_t kMaxResponseBytes = 80;
// A 420 answer lists at most this many unknown attributes (keeping it under kMaxResponseBytes).
inline constexpr std::size_t kMaxUnknownListed = 8;

inline constexpr std::uint16_t kBindingRequest = 0x0001;
inline constexpr std::uint16_t kBindingSuccess = 0x0101;
inline constexpr std::uint16_t kBindingError = 0x0111;

// Attribute types used here (RFC 8489 section 18.3, RFC 8445 for the ICE ones).
enum Attr : std::uint16_t {
  kMappedAddress = 0x0001,
  kUsername = 0x0006,
  kMessageIntegrity = 0x0008,
  kErrorCode = 0x0009,
  kUnknownAttributes = 0x000A,
  kRealm = 0x0014,
  kNonce = 0x0015,
  kMessageIntegritySha256 = 0x001C,
  kPasswordAlgorithm = 0x001D,
  kUserhash = 0x001E,
  kXorMappedAddress = 0x0020,
  kPriority = 0x0024,
  kUseCandidate = 0x0025,
  kSoftware = 0x8022,
  kFingerprint = 0x8028,
};

using TransactionId = std::array<std::uint8_t, 12>;

struct Attribute {
  std::uint16_t type = 0;
  std::span<const std::uint8_t> value;  // points into the datagram
};

// A message whose framing is sound: header, attribute lengths, FINGERPRINT (when present) correct
// and last.
struct Message {
  std::uint16_t type = 0;  // method and class, as on the wire
  TransactionId transaction{};
  std::vector<Attribute> attributes;  // in order, FINGERPRINT included
  bool has_fingerprint = false;
  const Attribute* find(std::uint16_t attr) const;
};

// Why a datagram gets no answer.
enum class Drop {
  None,
  TooShort,           // under the 20-byte header
  TooLong,            // over kMaxRequestBytes
  NotStun,            // the first two bits are not 0
  BadCookie,          // not the RFC 5389/8489 magic cookie (RFC 3489 clients are not served)
  BadLength,          // the length field disagrees with the datagram, or is not a multiple of 4
  BadAttribute,       // an attribute runs past the end
  BadFingerprint,     // FINGERPRINT with a wrong CRC or size
  AfterFingerprint,   // an attribute after FINGERPRINT
  NotRequest,         // an indication, success or error response: never answered
  NotBinding,         // a request of another method (Allocate...: this is no TURN server)
};
std::string_view to_string(Drop drop);

struct Parsed {
  std::optional<Message> message;
  Drop drop = Drop::None;  // meaningful only without a message
};
// Checks the framing of any STUN message (request or response) of at most `limit` bytes.
Parsed parse(std::span<const std::uint8_t> datagram, std::size_t limit = kMaxRequestBytes);

// CRC-32 (ISO-HDLC: the polynomial of Ethernet and zlib), as FINGERPRINT uses it.
std::uint32_t crc32(std::span<const std::uint8_t> bytes);

// A transport address: IPv4 (the first 4 bytes of `ip`) or IPv6, and a port.
struct Address {
  bool v6 = false;
  std::array<std::uint8_t, 16> ip{};
  std::uint16_t port = 0;
  bool operator==(const Address&) const = default;
};

// XOR-MAPPED-ADDRESS of a message (for tests and the fuzzer), or nullopt when absent or malformed.
std::optional<Address> xor_mapped_address(const Message& message);

// What to send back to `source` for `datagram`: a Binding success response (XOR-MAPPED-ADDRESS =
// source, FINGERPRINT), a 420 error response listing unknown comprehension-required attributes
// (those before MESSAGE-INTEGRITY; those after it are ignored, as RFC 8489 section 14.5 says), or
// nothing (`response` empty) with the reason in `drop`.
struct Answer {
  std::vector<std::uint8_t> response;
  Drop drop = Drop::None;
};
Answer answer(std::span<const std::uint8_t> datagram, const Address& source);

}  // namespace moim::server::stun
