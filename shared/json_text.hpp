// JSON string literals at the byte level: finding where one ends, decoding its escapes, writing one.
// Shared by the codec (shared/protocol.cpp, its long-string path) and the hub's signal fast path
// (server/signal_fast_path.cpp), so both read and write strings by the same rules as nlohmann:
// bytes are scanned eight at a time, because SDPs are kilobytes of plain text.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace moim::json_text {

// The byte classes a scan can stop at (combine with |).
enum Stop : unsigned {
  kQuote = 1,      // '"'
  kBackslash = 2,  // '\\'
  kControl = 4,    // below 0x20 (raw, these are invalid inside a JSON string)
  kNonAscii = 8,   // 0x80 and above
};

// Index of the first byte of text[from..] in one of the `stops` classes; text.size() if there is none.
template <unsigned stops>
std::size_t find_first(std::string_view text, std::size_t from) {
  constexpr std::uint64_t kEachByte = 0x0101010101010101ULL, kHighBits = 0x8080808080808080ULL;
  // The high bit of each byte of `w` below `limit` (<= 128). Bytes above a match may be flagged
  // wrongly (borrows), but the lowest flagged byte is always a true match, which is all that is used.
  constexpr auto below = [](std::uint64_t w, unsigned char limit) { return (w - kEachByte * limit) & ~w & kHighBits; };
  constexpr auto equal = [below](std::uint64_t w, unsigned char c) { return below(w ^ (kEachByte * c), 1); };
  const std::size_t n = text.size();
  std::size_t p = from;
  if constexpr (std::endian::native == std::endian::little) {
    for (; p + 8 <= n; p += 8) {
      std::uint64_t w;
      std::memcpy(&w, text.data() + p, sizeof w);
      std::uint64_t mask = 0;
      if constexpr ((stops & kQuote) != 0) mask |= equal(w, '"');
      if constexpr ((stops & kBackslash) != 0) mask |= equal(w, '\\');
      if constexpr ((stops & kControl) != 0) mask |= below(w, 0x20);
      if constexpr ((stops & kNonAscii) != 0) mask |= w & kHighBits;
      if (mask) return p + static_cast<std::size_t>(std::countr_zero(mask)) / 8;
    }
  }
  for (; p < n; ++p) {
    const auto c = static_cast<unsigned char>(text[p]);
    if (((stops & kQuote) != 0 && c == '"') || ((stops & kBackslash) != 0 && c == '\\') ||
        ((stops & kControl) != 0 && c < 0x20) || ((stops & kNonAscii) != 0 && c >= 0x80)) {
      return p;
    }
  }
  return n;
}

// What a string may hold to be read.
enum class Escapes {
  Json,   // everything nlohmann's lexer accepts: any byte but raw controls (UTF-8 is checked elsewhere),
          // \" \\ \/ \b \f \n \r \t and \uXXXX (a high surrogate followed by a low one, never a lone low one)
  Short,  // ASCII only, and only the two-character escapes: the canonical signal shape of the hub's fast path
};

// Position of the '"' closing the string literal whose opening '"' is at text[open]; npos if it is
// never closed. Escapes are skipped, not checked.
std::size_t string_end(std::string_view text, std::size_t open);

// Decodes the body of a string literal (the bytes between its quotes) and appends it to `out`;
// false when `escapes` does not accept it (`out` then holds part of it).
bool unescape(std::string_view body, std::string& out, Escapes escapes = Escapes::Json);

// Reads the string literal whose opening '"' is at text[pos] in one pass: its decoded text replaces
// `out` and pos moves past the closing '"'. False when there is no such literal or `escapes` does not
// accept it (pos and out are then unspecified).
bool read_string(std::string_view text, std::size_t& pos, std::string& out, Escapes escapes);

// Appends `text` as a string literal exactly as nlohmann's dump writes it (ensure_ascii off): the
// short escapes for '"', '\\', \b, \f, \n, \r and \t, other controls as \u00xx, everything else as
// it is. False, with `out` unspecified, when `text` holds a byte >= 0x80: how nlohmann writes it
// depends on its UTF-8 error handler.
bool append_quoted(std::string& out, std::string_view text);

// "text" between double quotes, for human-readable messages (A room named "x" already exists.);
// nothing is escaped (the message is, when it is encoded).
std::string in_quotes(std::string_view text);

}  // namespace moim::json_text
