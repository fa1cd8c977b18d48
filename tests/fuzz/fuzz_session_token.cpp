// libFuzzer target: the server's session tokens (server/secrets.*), which decide who gets a peer id
// back on `resume` — a forged or altered token accepted would hand a stranger someone's seat.
//
// Input byte 0 picks the mode:
//   even: the rest of the input is a token given to verify_session as is. The key is fixed, but no
//         input can carry a valid MAC for it by chance, so anything accepted is a bug (abort).
//   odd:  the rest builds claims (u32 peer, u32 room, i64 issued_at, little endian; zero bytes past
//         the end), which are signed; then each following pair of bytes (p, c) edits the signed token:
//           p < 0x80: the character at p becomes c, or, when c is 0, changes case (a hex digit a-f
//                     becomes A-F: the same value, another spelling);
//           0x80 <= p < 0xFE: c is inserted before position p - 0x80;  0xFE: the last character
//           is removed;  0xFF: c is appended.
//         The edited token must verify to exactly the signed claims when the edits left it
//         unchanged, and must be refused otherwise (no second spelling of a token: no upper-case
//         hex, no leading zeros, no sign, no extra field). The nonce is random, so which characters
//         are letters differs between runs; a seed toggles many positions to be sure to hit some.
// Either way verify_session must never crash or throw (ASan + UBSan build, tests/fuzz/run.sh).
#include "secrets.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace {

using moim::server::SessionClaims;
using moim::server::Secrets;

const Secrets& secrets() {
  static const std::unique_ptr<Secrets> instance = [] {
    std::array<unsigned char, Secrets::kKeyBytes> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
    auto made = Secrets::with_key(key);
    if (!made) {
      std::fprintf(stderr, "libsodium did not start\n");
      std::abort();
    }
    return made;
  }();
  return *instance;
}

template <class T>
T read_le(const std::uint8_t*& data, std::size_t& size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    const std::uint64_t byte = size > 0 ? *data : 0;
    if (size > 0) ++data, --size;
    value |= byte << (8 * i);
  }
  return static_cast<T>(value);
}

[[noreturn]] void fail(const char* what, std::string_view token) {
  std::fprintf(stderr, "%s: '%.*s'\n", what, static_cast<int>(token.size()), token.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool signed_mode = (data[0] & 1) != 0;
  ++data, --size;
  const Secrets& keys = secrets();

  if (!signed_mode) {
    const std::string_view token(reinterpret_cast<const char*>(data), size);
    if (keys.verify_session(token)) fail("a token not signed with the key was accepted", token);
    return 0;
  }

  SessionClaims claims;
  claims.peer = read_le<std::uint32_t>(data, size);
  claims.room = read_le<std::uint32_t>(data, size);
  claims.issued_at = read_le<std::int64_t>(data, size);
  const std::string original = keys.sign_session(claims);
  if (original.size() > Secrets::kMaxSessionTokenChars) fail("a signed token is over the size limit", original);
  const std::optional<SessionClaims> back = keys.verify_session(original);
  if (!back || !(*back == claims)) fail("a freshly signed token does not verify to its claims", original);

  std::string edited = original;
  while (size >= 2) {
    const std::size_t position = data[0];
    const char character = static_cast<char>(data[1]);
    data += 2, size -= 2;
    if (position < 0x80) {
      if (position >= edited.size()) continue;
      char& at = edited[position];
      if (character != 0) {
        at = character;
      } else if (at >= 'a' && at <= 'z') {
        at = static_cast<char>(at - 'a' + 'A');
      } else if (at >= 'A' && at <= 'Z') {
        at = static_cast<char>(at - 'A' + 'a');
      }
    } else if (position < 0xFE) {
      if (position - 0x80 <= edited.size()) edited.insert(edited.begin() + (position - 0x80), character);
    } else if (position == 0xFE) {
      if (!edited.empty()) edited.pop_back();
    } else {
      edited.push_back(character);
    }
  }
  const std::optional<SessionClaims> result = keys.verify_session(edited);
  if (edited == original) {
    if (!result || !(*result == claims)) fail("an unchanged token no longer verifies", edited);
  } else if (result) {
    fail("an altered token was accepted", edited);
  }
  return 0;
}
