// Walking UTF-8 text one code point at a time, for text we wrote or already checked (the catalog,
// the protocol's validated strings, the text overlay's value). The protocol's own validator
// (proto::is_valid_utf8) is the one for untrusted input.
#pragma once

#include <cstddef>
#include <string_view>

namespace moim::utf8 {

// Calls f(code point) for each character of `s`; stops at anything that is not UTF-8 (nothing odd
// is guessed at).
template <class F>
void for_each_codepoint(std::string_view s, F&& f) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    unsigned cp;
    std::size_t len;
    if (c < 0x80) { cp = c; len = 1; }
    else if ((c >> 5) == 0x6) { cp = c & 0x1F; len = 2; }
    else if ((c >> 4) == 0xE) { cp = c & 0x0F; len = 3; }
    else if ((c >> 3) == 0x1E) { cp = c & 0x07; len = 4; }
    else return;
    if (i + len > s.size()) return;
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    f(cp);
  }
}

}  // namespace moim::utf8
