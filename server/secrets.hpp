// The server's secret key and everything derived from it: random tokens, keyed digests of owner tokens
// (so the database never holds a usable token), and signed session tokens that survive restarts.
// Thread-safe after construction (every method is const and uses only libsodium).
#pragma once

#include "protocol.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace moim::server {

// sodium_init() once per process (thread-safe); false if libsodium cannot start (no entropy source).
bool sodium_ready();

struct SessionClaims {
  proto::PeerId peer = 0;
  proto::RoomId room = 0;
  // The room's creation stamp (unix seconds): with the id, it names one room instance, so a token is
  // refused by any other room that might ever carry the same id.
  std::int64_t room_created = 0;
  std::int64_t issued_at = 0;  // unix seconds; the caller decides how old is too old
  bool operator==(const SessionClaims&) const = default;
};

class Secrets {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kMaxSessionTokenChars = 160;

  // Loads <data_dir>/secret.key (32 random bytes, created with mode 0600 if missing) so that tokens
  // stay valid across restarts; with an empty path, a fresh random key in memory. nullptr and a
  // message in `error` if the file cannot be created or read, is not exactly 32 bytes, or can be read
  // by other users.
  static std::unique_ptr<Secrets> open(const std::filesystem::path& data_dir, std::string& error);
  static std::unique_ptr<Secrets> with_key(std::span<const unsigned char, kKeyBytes> key);  // tests; nullptr if libsodium fails
  ~Secrets();
  Secrets(const Secrets&) = delete;
  Secrets& operator=(const Secrets&) = delete;

  std::string random_token() const;               // 128 random bits as 32 lowercase hex digits
  std::string digest(std::string_view token) const;  // keyed BLAKE2b-256 of token, 64 lowercase hex digits
  // Constant time in the digest's contents; false for a stored digest that is not 64 lowercase hex digits.
  bool digest_matches(std::string_view token, std::string_view stored_digest) const;
  // "s2.<peer>.<room>.<room_created>.<issued_at>.<nonce: 16 hex>.<mac: 64 hex>", at most 128 printable
  // ASCII characters; the MAC (HMAC-SHA512-256) covers everything before its dot. (s1 tokens, without
  // room_created, are refused.)
  std::string sign_session(const SessionClaims& claims) const;
  // nullopt for anything malformed, tampered with, or signed with another key. Never crashes, whatever
  // the input; the MAC comparison is constant time.
  std::optional<SessionClaims> verify_session(std::string_view token) const;

 private:
  explicit Secrets(std::span<const unsigned char, kKeyBytes> key);

  // Independent subkeys derived from the one stored key (crypto_kdf), so a digest can never be
  // mistaken for a MAC or the other way round.
  std::array<unsigned char, kKeyBytes> digest_key_{};
  std::array<unsigned char, kKeyBytes> session_key_{};
};

}  // namespace moim::server
