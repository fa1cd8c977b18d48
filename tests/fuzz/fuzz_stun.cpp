// libFuzzer target: the built-in STUN responder's codec (server/stun_message.*).
//
// Input: byte 0 bit 0 = the source is IPv6; bytes 1-16 = its address (IPv4: the first 4), bytes 17-18
// = its port (big endian); the rest is the datagram given to stun::answer (as if from that source).
// Short inputs are padded with zeros up to the datagram.
//
// Checks (else abort, which libFuzzer reports as a crash):
//   - answer() and parse() never crash, leak or hit undefined behaviour, and answer() is deterministic;
//   - an answer is given only to a well-formed Binding request of at most kMaxRequestBytes (parse
//     accepts it, class request, method Binding); everything else gets no answer and a reason;
//   - every answer is at most kMaxResponseBytes, parses back (with a correct FINGERPRINT, last), echoes
//     the request's transaction id, and is either a Binding success response whose XOR-MAPPED-ADDRESS
//     is exactly the source, or a 420 error response with a non-empty UNKNOWN-ATTRIBUTES;
//   - an answer is never itself answered (a responder cannot be made to talk to another one forever);
//   - parse() of any input: every attribute lies inside the input, FINGERPRINT (if any) is last.
#include "stun_message.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

namespace stun = moim::server::stun;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "\nfuzz_stun: invariant broken: %s\n", what);
  std::abort();
}

#define CHECK(cond)                                  \
  do {                                               \
    if (!(cond)) fail(#cond);                        \
  } while (0)

std::uint16_t u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kPrefix = 19;
  std::uint8_t prefix[kPrefix] = {};
  std::memcpy(prefix, data, size < kPrefix ? size : kPrefix);
  stun::Address source;
  source.v6 = (prefix[0] & 1) != 0;
  std::memcpy(source.ip.data(), prefix + 1, source.v6 ? 16 : 4);  // an IPv4 source has zeros after its 4 bytes
  source.port = u16(prefix + 17);
  const std::span<const std::uint8_t> datagram =
      size > kPrefix ? std::span<const std::uint8_t>(data + kPrefix, size - kPrefix) : std::span<const std::uint8_t>();

  // The framing reader on its own, also past the request size limit.
  const stun::Parsed any = stun::parse(datagram, SIZE_MAX);
  if (any.message) {
    CHECK(any.drop == stun::Drop::None);
    for (std::size_t i = 0; i < any.message->attributes.size(); ++i) {
      const stun::Attribute& a = any.message->attributes[i];
      CHECK(a.value.data() >= datagram.data() && a.value.data() + a.value.size() <= datagram.data() + datagram.size());
      if (a.type == stun::kFingerprint) CHECK(i + 1 == any.message->attributes.size() && any.message->has_fingerprint);
    }
    CHECK(datagram.size() >= stun::kHeaderBytes && datagram.size() % 4 == 0);
  } else {
    CHECK(any.drop != stun::Drop::None);
  }

  const stun::Answer answer = stun::answer(datagram, source);
  const stun::Answer again = stun::answer(datagram, source);
  CHECK(answer.response == again.response && answer.drop == again.drop);

  const stun::Parsed request = stun::parse(datagram);
  const bool binding_request = request.message && request.message->type == stun::kBindingRequest;
  if (answer.response.empty()) {
    CHECK(answer.drop != stun::Drop::None);
    CHECK(!binding_request);
    return 0;
  }
  CHECK(answer.drop == stun::Drop::None);
  CHECK(binding_request);
  CHECK(datagram.size() <= stun::kMaxRequestBytes);
  CHECK(answer.response.size() <= stun::kMaxResponseBytes);

  const stun::Parsed back = stun::parse(answer.response);
  CHECK(back.message.has_value());
  CHECK(back.message->has_fingerprint);
  CHECK(back.message->attributes.back().type == stun::kFingerprint);
  CHECK(back.message->transaction == request.message->transaction);
  if (back.message->type == stun::kBindingSuccess) {
    const std::optional<stun::Address> mapped = stun::xor_mapped_address(*back.message);
    CHECK(mapped.has_value());
    CHECK(*mapped == source);
  } else {
    CHECK(back.message->type == stun::kBindingError);
    const stun::Attribute* code = back.message->find(stun::kErrorCode);
    CHECK(code != nullptr && code->value.size() >= 4 && code->value[2] == 4 && code->value[3] == 20);
    const stun::Attribute* unknown = back.message->find(stun::kUnknownAttributes);
    CHECK(unknown != nullptr && !unknown->value.empty() && unknown->value.size() % 2 == 0);
    for (std::size_t i = 0; i < unknown->value.size(); i += 2) CHECK(u16(&unknown->value[i]) < 0x8000);
  }
  // The answer is not a request: answered by nobody, ourselves included.
  CHECK(stun::answer(answer.response, source).response.empty());
  return 0;
}
