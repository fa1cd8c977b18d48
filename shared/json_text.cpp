// JSON string literals at the byte level (see json_text.hpp): one escape table for reading and one
// for writing, used by the codec and the hub's fast path alike.
#include "json_text.hpp"

namespace moim::json_text {
namespace {

// The stops of the plain runs inside a string body: what ends a run of bytes copied as they are.
template <Escapes escapes>
constexpr unsigned kBodyStops = kBackslash | kControl | (escapes == Escapes::Short ? kNonAscii : 0u);

int hex4(std::string_view text, std::size_t pos) {
  if (pos + 4 > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + 4; ++i) {
    const char c = text[i];
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the \uXXXX escape (and, for a high surrogate, the \uXXXX after it) whose hex digits start at
// text[p]; p moves past it. False when nlohmann's lexer would refuse it.
bool decode_unicode_escape(std::string_view text, std::size_t end, std::size_t& p, std::string& out) {
  const std::string_view body = text.substr(0, end);
  const int high = hex4(body, p);
  if (high < 0) return false;
  p += 4;
  char32_t cp = static_cast<char32_t>(high);
  if (high >= 0xD800 && high <= 0xDBFF) {
    if (p + 2 > end || body[p] != '\\' || body[p + 1] != 'u') return false;
    const int low = hex4(body, p + 2);
    if (low < 0xDC00 || low > 0xDFFF) return false;  // also a bad hex digit (-1)
    p += 6;
    cp = 0x10000 + ((static_cast<char32_t>(high) - 0xD800) << 10) + (static_cast<char32_t>(low) - 0xDC00);
  } else if (high >= 0xDC00 && high <= 0xDFFF) {
    return false;
  }
  append_utf8(out, cp);
  return true;
}

// Decodes the escape whose '\\' is at text[p] (p < end), appending what it stands for; p moves past
// it. False when `escapes` does not accept it or it runs past `end`. Inlined into the loops: SDPs have
// an escape every few dozen bytes (\r\n), and a call each cost the fast path about 6%.
template <Escapes escapes>
[[gnu::always_inline]] inline bool decode_escape(std::string_view text, std::size_t end, std::size_t& p, std::string& out) {
  if (p + 1 >= end) return false;  // a lone '\\' at the end
  const char escape = text[p + 1];
  p += 2;
  char decoded;
  switch (escape) {
    case '"': decoded = '"'; break;
    case '\\': decoded = '\\'; break;
    case '/': decoded = '/'; break;
    case 'b': decoded = '\b'; break;
    case 'f': decoded = '\f'; break;
    case 'n': decoded = '\n'; break;
    case 'r': decoded = '\r'; break;
    case 't': decoded = '\t'; break;
    case 'u':
      if constexpr (escapes == Escapes::Short) {
        return false;
      } else {
        return decode_unicode_escape(text, end, p, out);
      }
    default:
      return false;
  }
  out += decoded;
  return true;
}

template <Escapes escapes>
bool unescape_as(std::string_view body, std::string& out) {
  const std::size_t n = body.size();
  std::size_t p = 0;
  while (p < n) {
    const std::size_t run = find_first<kBodyStops<escapes>>(body, p);
    out.append(body.data() + p, run - p);
    p = run;
    if (p == n) break;
    // A raw control character or (Short) a non-ASCII byte; else an escape.
    if (body[p] != '\\' || !decode_escape<escapes>(body, n, p, out)) return false;
  }
  return true;
}

template <Escapes escapes>
bool read_string_as(std::string_view text, std::size_t& pos, std::string& out) {
  if (pos >= text.size() || text[pos] != '"') return false;
  out.clear();
  std::size_t p = pos + 1;
  for (;;) {
    const std::size_t special = find_first<kQuote | kBodyStops<escapes>>(text, p);
    if (special == text.size()) return false;  // never closed
    out.append(text.data() + p, special - p);
    p = special;
    if (text[p] == '"') {
      pos = p + 1;
      return true;
    }
    if (text[p] != '\\' || !decode_escape<escapes>(text, text.size(), p, out)) return false;
  }
}

}  // namespace

std::size_t string_end(std::string_view text, std::size_t open) {
  std::size_t p = open + 1;
  while ((p = find_first<kQuote | kBackslash>(text, p)) < text.size()) {
    if (text[p] == '"') return p;
    p += 2;  // an escape: the byte after '\' never closes the string
  }
  return std::string_view::npos;
}

bool unescape(std::string_view body, std::string& out, Escapes escapes) {
  out.reserve(out.size() + body.size());
  return escapes == Escapes::Short ? unescape_as<Escapes::Short>(body, out) : unescape_as<Escapes::Json>(body, out);
}

bool read_string(std::string_view text, std::size_t& pos, std::string& out, Escapes escapes) {
  return escapes == Escapes::Short ? read_string_as<Escapes::Short>(text, pos, out)
                                   : read_string_as<Escapes::Json>(text, pos, out);
}

bool append_quoted(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t pos = 0;
  for (;;) {
    const std::size_t special = find_first<kQuote | kBackslash | kControl | kNonAscii>(text, pos);
    out.append(text.data() + pos, special - pos);
    if (special == text.size()) break;
    const auto c = static_cast<unsigned char>(text[special]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c >= 0x80) return false;
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    pos = special + 1;
  }
  out += '"';
  return true;
}

std::string in_quotes(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

}  // namespace moim::json_text
