#include "secrets.hpp"

#include "data_dir.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <new>

namespace moim::server {
namespace {

static_assert(Secrets::kKeyBytes == crypto_kdf_KEYBYTES);
static_assert(Secrets::kKeyBytes == crypto_auth_KEYBYTES);
static_assert(Secrets::kKeyBytes >= crypto_generichash_KEYBYTES_MIN &&
              Secrets::kKeyBytes <= crypto_generichash_KEYBYTES_MAX);

constexpr std::size_t kDigestBytes = crypto_generichash_BYTES;  // 32
constexpr std::size_t kNonceBytes = 8;  // makes two tokens for the same claims differ
constexpr std::size_t kMacBytes = crypto_auth_BYTES;  // 32
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "moimkey1";
constexpr std::uint64_t kDigestSubkey = 1, kSessionSubkey = 2;

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = kHex[bytes[i] >> 4];
    hex[2 * i + 1] = kHex[bytes[i] & 0xF];
  }
  return hex;
}

// Strict: exactly 2 * size lowercase hex digits. (sodium_hex2bin also takes upper case, which would let
// a changed character still verify.) The input is public, so this need not be constant time.
bool from_hex(std::string_view hex, unsigned char* out, std::size_t size) {
  if (hex.size() != 2 * size) return false;
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < size; ++i) {
    const int high = nibble(hex[2 * i]), low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return true;
}

// A decimal number in the one form sign_session writes (no sign for unsigned, no leading zeros, no '+').
template <typename Int>
bool parse_canonical(std::string_view text, Int& value) {
  if (text.empty() || text.size() > 20) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && std::to_string(value) == text;
}

bool read_key_file(const std::filesystem::path& path, unsigned char* key, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    error = "cannot read " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  struct stat info {};
  bool ok = false;
  if (::fstat(fd, &info) != 0) {
    error = "cannot stat " + path.string() + ": " + std::strerror(errno);
  } else if (!S_ISREG(info.st_mode) || info.st_size != static_cast<off_t>(Secrets::kKeyBytes)) {
    error = path.string() + " must be a file of exactly 32 bytes (delete it to make a new key; "
            "every session and owner token is then lost)";
  } else if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    error = path.string() + " is accessible by other users (mode " + mode + "); chmod 600 it";
  } else {
    std::size_t got = 0;
    while (got < Secrets::kKeyBytes) {
      const ssize_t n = ::read(fd, key + got, Secrets::kKeyBytes - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    ok = got == Secrets::kKeyBytes;
    if (!ok) error = "cannot read " + path.string() + ": short read";
  }
  ::close(fd);
  return ok;
}

// Writes a new key to a temporary file, then link()s it into place: a crash never leaves a half-written
// secret.key, and if two processes race, both end up with the one that was linked first.
bool create_key_file(const std::filesystem::path& dir, const std::filesystem::path& path, std::string& error) {
  unsigned char key[Secrets::kKeyBytes];
  randombytes_buf(key, sizeof key);
  const auto temp = dir / ("secret.key.tmp." + std::to_string(::getpid()));
  ::unlink(temp.c_str());  // left over by a crash of an earlier process with the same pid
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    sodium_memzero(key, sizeof key);
    error = "cannot create " + temp.string() + ": " + std::strerror(errno);
    return false;
  }
  const bool written = ::write(fd, key, sizeof key) == static_cast<ssize_t>(sizeof key) && ::fsync(fd) == 0;
  const int write_errno = errno;
  sodium_memzero(key, sizeof key);
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    error = "cannot write " + temp.string() + ": " + std::strerror(write_errno);
    return false;
  }
  const bool linked = ::link(temp.c_str(), path.c_str()) == 0 || errno == EEXIST;
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (!linked) {
    error = "cannot create " + path.string() + ": " + std::strerror(link_errno);
    return false;
  }
  // Make the new directory entry durable too, so the key survives a power cut as well.
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return true;
}

}  // namespace

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;  // 0: initialized now, 1: already; -1: failure
  return ready;
}

Secrets::Secrets(std::span<const unsigned char, kKeyBytes> key) {
  crypto_kdf_derive_from_key(digest_key_.data(), digest_key_.size(), kDigestSubkey, kKdfContext, key.data());
  crypto_kdf_derive_from_key(session_key_.data(), session_key_.size(), kSessionSubkey, kKdfContext, key.data());
}

Secrets::~Secrets() {
  sodium_memzero(digest_key_.data(), digest_key_.size());
  sodium_memzero(session_key_.data(), session_key_.size());
}

std::unique_ptr<Secrets> Secrets::with_key(std::span<const unsigned char, kKeyBytes> key) {
  if (!sodium_ready()) return nullptr;
  return std::unique_ptr<Secrets>(new (std::nothrow) Secrets(key));
}

std::unique_ptr<Secrets> Secrets::open(const std::filesystem::path& data_dir, std::string& error) {
  if (!sodium_ready()) {
    error = "libsodium failed to initialize";
    return nullptr;
  }
  std::array<unsigned char, kKeyBytes> key{};
  std::unique_ptr<Secrets> secrets;
  try {
    if (data_dir.empty()) {
      randombytes_buf(key.data(), key.size());
    } else {
      const auto path = data_dir / "secret.key";
      std::error_code ec;
      if (!ensure_data_dir(data_dir, error)) return nullptr;
      if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec)) && !create_key_file(data_dir, path, error))
        return nullptr;
      if (!read_key_file(path, key.data(), error)) {
        sodium_memzero(key.data(), key.size());
        return nullptr;
      }
    }
    secrets.reset(new Secrets(key));
  } catch (const std::bad_alloc&) {
    error = "out of memory loading the secret key";
  }
  sodium_memzero(key.data(), key.size());
  return secrets;
}

std::string Secrets::random_token() const {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return to_hex(bytes, sizeof bytes);
}

std::string Secrets::digest(std::string_view token) const {
  unsigned char out[kDigestBytes];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     digest_key_.data(), digest_key_.size());
  return to_hex(out, sizeof out);
}

bool Secrets::digest_matches(std::string_view token, std::string_view stored_digest) const {
  unsigned char stored[kDigestBytes];
  if (!from_hex(stored_digest, stored, sizeof stored)) return false;
  unsigned char actual[kDigestBytes];
  crypto_generichash(actual, sizeof actual, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     digest_key_.data(), digest_key_.size());
  return sodium_memcmp(actual, stored, kDigestBytes) == 0;
}

std::string Secrets::sign_session(const SessionClaims& claims) const {
  unsigned char nonce[kNonceBytes];
  randombytes_buf(nonce, sizeof nonce);
  std::string token = "s2." + std::to_string(claims.peer) + '.' + std::to_string(claims.room) + '.' +
                      std::to_string(claims.room_created) + '.' + std::to_string(claims.issued_at) + '.' +
                      to_hex(nonce, sizeof nonce);
  unsigned char mac[kMacBytes];
  crypto_auth(mac, reinterpret_cast<const unsigned char*>(token.data()), token.size(), session_key_.data());
  token += '.';
  token += to_hex(mac, sizeof mac);
  return token;
}

std::optional<SessionClaims> Secrets::verify_session(std::string_view token) const {
  try {
    if (token.size() > kMaxSessionTokenChars || !token.starts_with("s2.")) return std::nullopt;
    // Exactly six dot-separated fields after the prefix.
    constexpr std::size_t kFields = 6;
    std::string_view fields[kFields];
    std::string_view rest = token.substr(3);
    for (std::size_t i = 0; i < kFields; ++i) {
      const auto dot = rest.find('.');
      if ((dot == std::string_view::npos) != (i == kFields - 1)) return std::nullopt;
      fields[i] = rest.substr(0, dot);
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    SessionClaims claims;
    unsigned char nonce[kNonceBytes], mac[kMacBytes];
    if (!parse_canonical(fields[0], claims.peer) || !parse_canonical(fields[1], claims.room) ||
        !parse_canonical(fields[2], claims.room_created) || !parse_canonical(fields[3], claims.issued_at) ||
        !from_hex(fields[4], nonce, sizeof nonce) || !from_hex(fields[5], mac, sizeof mac))
      return std::nullopt;
    const std::string_view signed_part = token.substr(0, token.size() - fields[5].size() - 1);
    if (crypto_auth_verify(mac, reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
                           session_key_.data()) != 0)
      return std::nullopt;
    return claims;
  } catch (...) {  // std::to_string allocating; nothing else here can throw
    return std::nullopt;
  }
}

}  // namespace moim::server
