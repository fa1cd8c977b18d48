// The signal fast path: a byte-exact reader and writer of the one shape our client sends and the hub
// relays (see signal_fast_path.hpp). Strings are read and written by shared/json_text, the codec's
// own rules.
#include "signal_fast_path.hpp"

#include "json_text.hpp"

#include <climits>
#include <cstdint>

namespace moim::hub_detail {
namespace {

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

  // A JSON string of ASCII text with only the short escapes; \uXXXX is left to the general decoder.
  bool string(std::string& out) { return json_text::read_string(text_, pos_, out, json_text::Escapes::Short); }

  bool at_end() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// The end of a signal: `}`, or `,"seq":N}`, and nothing after it.
bool read_seq(Cursor& in, std::uint64_t& seq) {
  seq = 0;
  if (in.literal(R"(,"seq":)") && !in.unsigned_number(proto::kMaxId, seq)) return false;
  return in.literal("}") && in.at_end();
}

void write_seq(std::string& out, std::uint64_t seq) {
  if (seq == 0) return;
  out += R"(,"seq":)";
  out += std::to_string(seq);
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
        !in.literal(R"(,"sdpMLineIndex":)") || !in.unsigned_number(INT_MAX, number) || !in.literal("}")) {
      return std::nullopt;
    }
    signal.candidate.sdp_mline_index = static_cast<int>(number);
    if (!read_seq(in, signal.seq)) return std::nullopt;
    return msg;
  }
  if (in.literal(R"(,"kind":"offer","sdp":)")) {
    signal.kind = proto::SignalKind::Offer;
  } else if (in.literal(R"(,"kind":"answer","sdp":)")) {
    signal.kind = proto::SignalKind::Answer;
  } else {
    return std::nullopt;
  }
  if (!in.string(signal.sdp) || !read_seq(in, signal.seq)) return std::nullopt;
  return msg;
}

std::optional<std::string> encode_relayed_signal(proto::PeerId from, std::uint64_t seq, const proto::Signal& signal) {
  std::string out;
  const bool candidate = signal.kind == proto::SignalKind::Candidate;
  out.reserve(96 + (candidate ? signal.candidate.candidate.size() + signal.candidate.sdp_mid.size()
                              : signal.sdp.size() + signal.sdp.size() / 16));
  out += R"({"type":"signal","from":)";
  out += std::to_string(from);
  if (candidate) {
    if (signal.candidate.sdp_mline_index < 0) return std::nullopt;
    out += R"(,"kind":"candidate","candidate":{"candidate":)";
    if (!json_text::append_quoted(out, signal.candidate.candidate)) return std::nullopt;
    out += R"(,"sdpMid":)";
    if (!json_text::append_quoted(out, signal.candidate.sdp_mid)) return std::nullopt;
    out += R"(,"sdpMLineIndex":)";
    out += std::to_string(signal.candidate.sdp_mline_index);
    out += '}';
    write_seq(out, seq);
    out += '}';
  } else {
    out += R"(,"kind":")";
    out += proto::to_string(signal.kind);
    out += R"(","sdp":)";
    if (!json_text::append_quoted(out, signal.sdp)) return std::nullopt;
    write_seq(out, seq);
    out += '}';
  }
  return out;
}

}  // namespace moim::hub_detail
