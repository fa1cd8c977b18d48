#include "stun_message.hpp"

#include <algorithm>

namespace moim::server::stun {

namespace {

constexpr std::uint32_t kFingerprintXor = 0x5354554e;  // "STUN"
constexpr std::string_view kUnknownReason = "Unknown Attribute";

std::uint16_t u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}

// The comprehension-required attributes (type < 0x8000) this responder knows how to skip: those of
// STUN itself and ICE's PRIORITY / USE-CANDIDATE. Another one is answered with 420 (RFC 8489 6.3.1).
bool known_required(std::uint16_t type) {
  switch (type) {
    case kMappedAddress: case kUsername: case kMessageIntegrity: case kErrorCode: case kUnknownAttributes:
    case kRealm: case kNonce: case kMessageIntegritySha256: case kPasswordAlgorithm: case kUserhash:
    case kXorMappedAddress: case kPriority: case kUseCandidate:
      return true;
    default:
      return false;
  }
}

std::vector<std::uint8_t> header(std::uint16_t type, const TransactionId& transaction) {
  std::vector<std::uint8_t> out;
  out.reserve(kMaxResponseBytes);
  put16(out, type);
  put16(out, 0);  // length: set by finish()
  put32(out, kMagicCookie);
  out.insert(out.end(), transaction.begin(), transaction.end());
  return out;
}

void attribute(std::vector<std::uint8_t>& out, std::uint16_t type, std::span<const std::uint8_t> value) {
  put16(out, type);
  put16(out, static_cast<std::uint16_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  while (out.size() % 4 != 0) out.push_back(0);
}

// Appends FINGERPRINT: the length field counts it already when the CRC is taken (RFC 8489 14.7).
void finish(std::vector<std::uint8_t>& out) {
  const std::size_t length = out.size() - kHeaderBytes + 8;
  out[2] = static_cast<std::uint8_t>(length >> 8);
  out[3] = static_cast<std::uint8_t>(length);
  const std::uint32_t crc = crc32(out) ^ kFingerprintXor;
  put16(out, kFingerprint);
  put16(out, 4);
  put32(out, crc);
}

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

}  // namespace

const Attribute* Message::find(std::uint16_t attr) const {
  for (const Attribute& a : attributes) {
    if (a.type == attr) return &a;
  }
  return nullptr;
}

std::string_view to_string(Drop drop) {
  switch (drop) {
    case Drop::None: return "none";
    case Drop::TooShort: return "shorter than a STUN header";
    case Drop::TooLong: return "too long";
    case Drop::NotStun: return "not STUN";
    case Drop::BadCookie: return "wrong magic cookie";
    case Drop::BadLength: return "wrong message length";
    case Drop::BadAttribute: return "an attribute runs past the end";
    case Drop::BadFingerprint: return "wrong FINGERPRINT";
    case Drop::AfterFingerprint: return "an attribute after FINGERPRINT";
    case Drop::NotRequest: return "not a request";
    case Drop::NotBinding: return "not a Binding request";
  }
  return "unknown";
}

std::uint32_t crc32(std::span<const std::uint8_t> bytes) {
  static const std::array<std::uint32_t, 256> table = make_crc_table();
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::uint8_t b : bytes) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

Parsed parse(std::span<const std::uint8_t> d, std::size_t limit) {
  Parsed out;
  const auto drop = [&](Drop why) {
    out.drop = why;
    return out;
  };
  if (d.size() < kHeaderBytes) return drop(Drop::TooShort);
  if (d.size() > limit) return drop(Drop::TooLong);
  if ((d[0] & 0xC0) != 0) return drop(Drop::NotStun);
  if (u32(&d[4]) != kMagicCookie) return drop(Drop::BadCookie);
  const std::size_t length = u16(&d[2]);
  if (length != d.size() - kHeaderBytes || length % 4 != 0) return drop(Drop::BadLength);
  Message message;
  message.type = u16(&d[0]);
  std::copy(d.begin() + 8, d.begin() + 20, message.transaction.begin());
  std::size_t pos = kHeaderBytes;
  while (pos < d.size()) {
    if (message.has_fingerprint) return drop(Drop::AfterFingerprint);
    if (d.size() - pos < 4) return drop(Drop::BadAttribute);
    const std::uint16_t type = u16(&d[pos]);
    const std::size_t size = u16(&d[pos + 2]);
    const std::size_t padded = (size + 3) & ~std::size_t{3};
    if (d.size() - pos - 4 < padded) return drop(Drop::BadAttribute);
    const Attribute attr{type, d.subspan(pos + 4, size)};
    if (type == kFingerprint) {
      if (size != 4 || (crc32(d.first(pos)) ^ kFingerprintXor) != u32(attr.value.data())) {
        return drop(Drop::BadFingerprint);
      }
      message.has_fingerprint = true;
    }
    message.attributes.push_back(attr);
    pos += 4 + padded;
  }
  out.message = std::move(message);
  return out;
}

std::optional<Address> xor_mapped_address(const Message& message) {
  const Attribute* attr = message.find(kXorMappedAddress);
  if (!attr) return std::nullopt;
  const std::span<const std::uint8_t> v = attr->value;
  if (v.size() < 4) return std::nullopt;
  Address address;
  address.port = static_cast<std::uint16_t>(u16(&v[2]) ^ (kMagicCookie >> 16));
  std::array<std::uint8_t, 16> mask{};
  for (int i = 0; i < 4; ++i) mask[i] = static_cast<std::uint8_t>(kMagicCookie >> (24 - 8 * i));
  std::copy(message.transaction.begin(), message.transaction.end(), mask.begin() + 4);
  if (v[1] == 0x01 && v.size() == 8) {
    for (int i = 0; i < 4; ++i) address.ip[i] = v[4 + i] ^ mask[i];
  } else if (v[1] == 0x02 && v.size() == 20) {
    address.v6 = true;
    for (int i = 0; i < 16; ++i) address.ip[i] = v[4 + i] ^ mask[i];
  } else {
    return std::nullopt;
  }
  return address;
}

Answer answer(std::span<const std::uint8_t> datagram, const Address& source) {
  Answer out;
  Parsed parsed = parse(datagram);
  if (!parsed.message) {
    out.drop = parsed.drop;
    return out;
  }
  const Message& request = *parsed.message;
  // Class bits are 0x0110 of the type; 00 = request. The method is the rest.
  if ((request.type & 0x0110) != 0) {
    out.drop = Drop::NotRequest;
    return out;
  }
  if ((request.type & ~std::uint16_t{0x0110}) != kBindingRequest) {
    out.drop = Drop::NotBinding;
    return out;
  }
  // Unknown comprehension-required attributes, up to MESSAGE-INTEGRITY (what follows it is ignored).
  std::vector<std::uint16_t> unknown;
  for (const Attribute& attr : request.attributes) {
    if (attr.type == kMessageIntegrity) break;
    if (attr.type < 0x8000 && !known_required(attr.type) &&
        std::find(unknown.begin(), unknown.end(), attr.type) == unknown.end()) {
      unknown.push_back(attr.type);
    }
  }
  if (!unknown.empty()) {
    out.response = header(kBindingError, request.transaction);
    const std::uint8_t code[4] = {0, 0, 4, 20};  // class 4, number 20: 420
    std::vector<std::uint8_t> error(code, code + 4);
    error.insert(error.end(), kUnknownReason.begin(), kUnknownReason.end());
    attribute(out.response, kErrorCode, error);
    std::vector<std::uint8_t> list;
    for (std::size_t i = 0; i < unknown.size() && i < kMaxUnknownListed; ++i) put16(list, unknown[i]);
    attribute(out.response, kUnknownAttributes, list);
    finish(out.response);
    return out;
  }
  out.response = header(kBindingSuccess, request.transaction);
  std::vector<std::uint8_t> mapped = {0, static_cast<std::uint8_t>(source.v6 ? 0x02 : 0x01)};
  put16(mapped, static_cast<std::uint16_t>(source.port ^ (kMagicCookie >> 16)));
  std::array<std::uint8_t, 16> mask{};
  for (int i = 0; i < 4; ++i) mask[i] = static_cast<std::uint8_t>(kMagicCookie >> (24 - 8 * i));
  std::copy(request.transaction.begin(), request.transaction.end(), mask.begin() + 4);
  const int n = source.v6 ? 16 : 4;
  for (int i = 0; i < n; ++i) mapped.push_back(source.ip[i] ^ mask[i]);
  attribute(out.response, kXorMappedAddress, mapped);
  finish(out.response);
  return out;
}

}  // namespace moim::server::stun
