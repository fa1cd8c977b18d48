#include "session_token.hpp"

#include <random>

namespace moim::server {

std::string make_session_token() {
  static std::random_device device;  // libstdc++ on Linux: getrandom / /dev/urandom
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  token.reserve(32);
  for (int word = 0; word < 4; ++word) {
    std::uint32_t bits = device();
    for (int nibble = 0; nibble < 8; ++nibble) {
      token.push_back(kHex[bits & 0xF]);
      bits >>= 4;
    }
  }
  return token;
}

}  // namespace moim::server
