// The signal fast path: a byte-exact reader and writer of the one shape our client sends and the hub
// relays (see signal_fast_path.hpp).
#include "signal_fast_path.hpp"

#include <bit>
#include <climits>
#include <cstdint>
#include <cstring>

namespace moim {
// ---- reader and writer ---------------------------------------------------------------------------
namespace hub_detail {
namespace {

// Index of the first byte of text[from..] that is '"', '\\', a control character (< 0x20) or not
// ASCII (>= 0x80); text.size() if none. Eight bytes at a time: SDPs are kilobytes of plain text.
std::size_t find_special(std::string_view text, std::size_t from) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const std::size_t n = text.size();
  std::size_t p = from;
  if constexpr (std::endian::native == std::endian::little) {
    for (; p + 8 <= n; p += 8) {
      std::uint64_t w;
      std::memcpy(&w, text.data() + p, sizeof w);
      // Per byte: high bit set, below 0x20, equal to '"', equal to '\\'. A flag may be wrong above a
      // true match (borrows) but the lowest one is always right, which is all that is used.
      const std::uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
      const std::uint64_t mask =
          (w & kHigh) | ((w - kOnes * 0x20) & ~w & kHigh) | ((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh);
      if (mask) return p + static_cast<std::size_t>(std::countr_zero(mask)) / 8;
    }
  }
  for (; p < n; ++p) {
    const auto c = static_cast<unsigned char>(text[p]);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
  }
  return n;
}

// Reads the canonical shape left to right; any surprise makes the caller give up.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool literal(std::string_view expected) {
    if (text_.substr(pos_, expected.size()) != expected) return false;
    pos_ += expected.size();
    return true;
  }

  // A JSON integer without sign, fraction, exponent or leading zeros, at most `max`.
  bool unsigned_number(std::uint64_t max, std::uint64_t& out) {
    const std::size_t start = pos_;
    std::uint64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (pos_ - start == 19) return false;
      value = value * 10 + static_cast<std::uint64_t>(text_[pos_++] - '0');
    }
    const std::size_t digits = pos_ - start;
    if (digits == 0 || (digits > 1 && text_[start] == '0') || value > max) return false;
    out = value;
    return true;
  }

  // A JSON string of ASCII text; \uXXXX escapes are left to the general decoder.
  bool string(std::string& out) {
    if (!literal("\"")) return false;
    out.clear();
    for (;;) {
      const std::size_t special = find_special(text_, pos_);
      if (special == text_.size()) return false;
      out.append(text_.data() + pos_, special - pos_);
      pos_ = special + 1;
      switch (text_[special]) {
        case '"':
          return true;
        case '\\':
          if (pos_ == text_.size()) return false;
          switch (text_[pos_++]) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            default: return false;
          }
          break;
        default:
          return false;  // a raw control character (invalid JSON) or a non-ASCII byte
      }
    }
  }

  bool at_end() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Appends `text` as nlohmann's dump writes it (ensure_ascii off); false if it holds a byte that the
// general encoder should handle (non-ASCII, or a control character written as \u00XX).
bool append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t pos = 0;
  for (;;) {
    const std::size_t special = find_special(text, pos);
    out.append(text.data() + pos, special - pos);
    if (special == text.size()) break;
    switch (text[special]) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: return false;
    }
    pos = special + 1;
  }
  out += '"';
  return true;
}

}  // namespace

std::optional<proto::SendSignal> decode_canonical_signal(std::string_view text) {
  Cursor in(text);
  proto::SendSignal msg;
  proto::Signal& signal = msg.signal;
  std::uint64_t number = 0;
  if (!in.literal(R"({"type":"signal","to":)") || !in.unsigned_number(proto::kMaxId, number)) return std::nullopt;
  signal.peer = static_cast<proto::PeerId>(number);
  if (in.literal(R"(,"kind":"candidate","candidate":{"candidate":)")) {
    signal.kind = proto::SignalKind::Candidate;
    if (!in.string(signal.candidate.candidate) || !in.literal(R"(,"sdpMid":)") || !in.string(signal.candidate.sdp_mid) ||
        !in.literal(R"(,"sdpMLineIndex":)") || !in.unsigned_number(INT_MAX, number) || !in.literal("}}") ||
        !in.at_end()) {
      return std::nullopt;
    }
    signal.candidate.sdp_mline_index = static_cast<int>(number);
    return msg;
  }
  if (in.literal(R"(,"kind":"offer","sdp":)")) {
    signal.kind = proto::SignalKind::Offer;
  } else if (in.literal(R"(,"kind":"answer","sdp":)")) {
    signal.kind = proto::SignalKind::Answer;
  } else {
    return std::nullopt;
  }
  if (!in.string(signal.sdp) || !in.literal("}") || !in.at_end()) return std::nullopt;
  return msg;
}

std::optional<std::string> encode_relayed_signal(proto::PeerId from, const proto::Signal& signal) {
  std::string out;
  const bool candidate = signal.kind == proto::SignalKind::Candidate;
  out.reserve(96 + (candidate ? signal.candidate.candidate.size() + signal.candidate.sdp_mid.size()
                              : signal.sdp.size() + signal.sdp.size() / 16));
  out += R"({"type":"signal","from":)";
  out += std::to_string(from);
  if (candidate) {
    if (signal.candidate.sdp_mline_index < 0) return std::nullopt;
    out += R"(,"kind":"candidate","candidate":{"candidate":)";
    if (!append_json_string(out, signal.candidate.candidate)) return std::nullopt;
    out += R"(,"sdpMid":)";
    if (!append_json_string(out, signal.candidate.sdp_mid)) return std::nullopt;
    out += R"(,"sdpMLineIndex":)";
    out += std::to_string(signal.candidate.sdp_mline_index);
    out += "}}";
  } else {
    out += R"(,"kind":")";
    out += proto::to_string(signal.kind);
    out += R"(","sdp":)";
    if (!append_json_string(out, signal.sdp)) return std::nullopt;
    out += '}';
  }
  return out;
}

}  // namespace hub_detail

}  // namespace moim
