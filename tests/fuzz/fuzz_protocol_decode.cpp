// libFuzzer target: the wire codec (shared/protocol.*) on arbitrary bytes.
//
// The same input goes to decode_client and decode_server. Properties (any failure aborts, so libFuzzer
// keeps the input as a crash):
//   - decoding never crashes, leaks or hits undefined behaviour (ASan + UBSan);
//   - a successful decode re-encodes to text that decodes to an equal message, and that text is a fixed
//     point (encoding the second decode gives the same bytes);
//   - the re-encoding says nothing the input did not: every field it writes has the input's value, or
//     the field's default when the input left it out or null (so the long-string fast path in the
//     codec agrees with plain nlohmann parsing on every string it reads);
//   - bad-utf8 exactly when a plain byte-by-byte UTF-8 check refuses the text, bad-json "not JSON"
//     exactly when nlohmann refuses it or it holds a NUL byte (which nlohmann reads as the end);
//   - encoding any string (even invalid UTF-8) never throws and gives a message that decodes;
//   - the hub's specialized signal codec (server/signal_fast_path.hpp, hub_detail) agrees with the
//     general one: a signal it decodes is the one decode_client gives, and a relayed signal it
//     encodes has exactly the bytes proto::encode writes (both read and write strings through
//     shared/json_text, as the codec's long-string path does).
#include "signal_fast_path.hpp"
#include "protocol.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace moim::proto;
using json = nlohmann::json;

[[noreturn]] void fail(std::string_view what, std::string_view input, std::string_view detail = {}) {
  const auto clipped = [](std::string_view text) { return int(text.size() > 2000 ? 2000 : text.size()); };
  std::fprintf(stderr, "\nfuzz_protocol_decode: %.*s\n  input (%zu bytes): %.*s\n  %.*s\n", int(what.size()), what.data(),
               input.size(), clipped(input), input.data(), clipped(detail), detail.data());
  std::abort();
}

// Reference UTF-8 check, one byte at a time (Unicode table 3-7), independent of the codec's fast path.
bool reference_utf8(std::string_view text) {
  std::size_t i = 0;
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < text.size()) {
    const unsigned c = at(i);
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c <= 0x7F) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3, hi = 0x9F;
    } else if (c == 0xF0) {
      len = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F;
    } else {
      return false;
    }
    if (i + len > text.size()) return false;
    if (at(i + 1) < lo || at(i + 1) > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      if (at(i + k) < 0x80 || at(i + k) > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

// Every field of `encoded` (the re-encoding) must be the input's value, unless the input omitted the
// field or set it to null, where the encoder writes the default. `path` names the field for the report.
bool agrees(const json& encoded, const json& original, const std::string& path, std::string& why) {
  if (encoded.is_object()) {
    if (!original.is_object()) {
      why = path + ": the input has no object here";
      return false;
    }
    for (const auto& [key, value] : encoded.items()) {
      const auto it = original.find(key);
      if (it == original.end() || it->is_null()) continue;  // a default
      if (!agrees(value, *it, path + "." + key, why)) return false;
    }
    return true;
  }
  if (encoded.is_array()) {
    if (!original.is_array() || original.size() != encoded.size()) {
      why = path + ": the input has no array of " + std::to_string(encoded.size()) + " here";
      return false;
    }
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      if (!agrees(encoded[i], original[i], path + "[" + std::to_string(i) + "]", why)) return false;
    }
    return true;
  }
  if (encoded != original) {
    why = path + ": re-encoded " + encoded.dump() + ", input " + original.dump(-1, ' ', false, json::error_handler_t::replace);
    return false;
  }
  return true;
}

template <typename Message, typename Decode>
void check_decoder(std::string_view input, Decode decode, std::size_t limit, const char* side) {
  const Decoded<Message> decoded = decode(input);

  // The error classes that have a plain reference.
  if (input.size() > limit) {
    if (decoded.ok() || decoded.error.code != ErrorCode::MessageTooLarge) fail("oversize input not refused", input, side);
    return;
  }
  const bool utf8 = reference_utf8(input);
  if (!utf8) {
    if (decoded.ok() || decoded.error.code != ErrorCode::BadUtf8) fail("invalid UTF-8 not refused as bad-utf8", input, side);
    return;
  }
  if (!decoded.ok() && decoded.error.code == ErrorCode::BadUtf8) fail("valid UTF-8 refused as bad-utf8", input, side);
  const json plain = json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  // nlohmann stops at a NUL byte as at the end of the input; JSON has no NUL anywhere, so the codec refuses it.
  if (plain.is_discarded() || input.find('\0') != std::string_view::npos) {
    if (decoded.ok() || decoded.error.code != ErrorCode::BadJson) fail("JSON that nlohmann refuses was not bad-json", input, side);
    return;
  }
  if (!plain.is_object()) {
    if (decoded.ok() || decoded.error.code != ErrorCode::BadJson) fail("a JSON non-object was not bad-json", input, side);
    return;
  }
  if (!decoded.ok()) {
    if (decoded.error.code == ErrorCode::BadJson) fail("a JSON object nlohmann accepts was refused as bad-json", input, side);
    return;
  }

  // Round trip.
  const Message& message = *decoded.message;
  const std::string encoded = encode(message);
  const Decoded<Message> again = decode(encoded);
  if (encoded.size() > limit) {
    // Re-encoding writes the defaults of omitted fields, so an input just under the limit can come back
    // just over it; that must be the (only) reason it is refused.
    if (again.ok() || again.error.code != ErrorCode::MessageTooLarge) fail("oversize re-encoding not refused", input, side);
    if (encoded.size() > input.size() + 64) fail("re-encoding grew by more than the defaults", input, encoded);
    return;
  }
  if (!again.ok()) fail("re-encoding does not decode", input, std::string(side) + ": " + encoded + " -> " + again.error.message);
  if (!(*again.message == message)) fail("re-encoding decodes to another message", input, std::string(side) + ": " + encoded);
  if (encode(*again.message) != encoded) fail("encoding is not a fixed point", input, std::string(side) + ": " + encoded);

  // The re-encoding agrees with nlohmann's own reading of the input.
  const json reread = json::parse(encoded, nullptr, /*allow_exceptions=*/false);
  if (reread.is_discarded()) fail("re-encoding is not JSON", input, encoded);
  json original = plain;
  if constexpr (std::is_same_v<Message, ServerMessage>) {
    // An error code this version does not know is read as "internal" (and keeps its message).
    if (std::holds_alternative<Error>(message) && original.contains("code") && original["code"].is_string() &&
        !error_code_from_string(original["code"].get<std::string>())) {
      original["code"] = "internal";
    }
  }
  std::string why;
  if (!agrees(reread, original, side, why)) fail("re-encoding disagrees with the input", input, why);
}

// hub_detail's encoder writes what proto::encode writes, when it writes anything.
void check_fast_encode(std::string_view input, PeerId from, const Signal& signal) {
  const std::optional<std::string> fast = moim::hub_detail::encode_relayed_signal(from, signal.seq, signal);
  if (!fast) return;
  RelayedSignal relayed{signal};
  relayed.signal.peer = from;
  const std::string general = encode(ServerMessage{relayed});
  if (*fast != general) fail("hub fast path encodes a relayed signal differently", input, *fast + "\n  general: " + general);
}

void check_hub_signal_codec(std::string_view input) {
  const Decoded<ClientMessage> general = decode_client(input);
  if (const std::optional<SendSignal> fast = moim::hub_detail::decode_canonical_signal(input)) {
    if (!general.ok()) fail("hub fast path accepts a signal decode_client refuses", input, general.error.message);
    if (!(ClientMessage{*fast} == *general.message)) fail("hub fast path decodes a signal differently", input);
  }
  if (general.ok()) {
    if (const auto* send = std::get_if<SendSignal>(&*general.message)) {
      check_fast_encode(input, 1, send->signal);
      check_fast_encode(input, 4294967295u, send->signal);
    }
  }
  const Decoded<ServerMessage> relayed = decode_server(input);
  if (relayed.ok()) {
    if (const auto* signal = std::get_if<RelayedSignal>(&*relayed.message)) {
      check_fast_encode(input, signal->signal.peer, signal->signal);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_decoder<ClientMessage>(input, decode_client, kMaxMessageBytes, "client");
  check_decoder<ServerMessage>(input, decode_server, kMaxServerMessageBytes, "server");
  check_hub_signal_codec(input);

  // Encoding arbitrary bytes (invalid UTF-8 included) never throws and always decodes; valid UTF-8
  // comes back unchanged.
  if (size <= 4096) {
    const std::string bytes(input);
    const std::string text = encode(ServerMessage{Error{.code = ErrorCode::Internal, .message = bytes, .request = bytes}});
    const Decoded<ServerMessage> decoded = decode_server(text);
    if (!decoded.ok()) fail("an encoded error does not decode", input, text);
    const Error& error = std::get<Error>(*decoded.message);
    if (reference_utf8(input) && (error.message != bytes || error.request != bytes)) {
      fail("an encoded string did not come back unchanged", input, text);
    }
  }
  return 0;
}
