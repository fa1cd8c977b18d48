// JSON codec for the Moim wire protocol, plus the text rules (UTF-8, trimming, name limits).
//
// Decoding must never throw: the browser build defines JSON_NOEXCEPTION, where nlohmann turns every
// would-be exception into abort(). So parsing uses the non-throwing overload, and every field is checked
// for presence and JSON type before it is read.
#include "protocol.hpp"
#include "json_text.hpp"
#include "overloaded.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

namespace moim::proto {

namespace {

using json = nlohmann::json;
// Encoding keeps insertion order so "type" comes first on the wire: easier to read in logs.
using ojson = nlohmann::ordered_json;
using json_text::in_quotes;

// ---- message type names ---------------------------------------------------------------------------

// Position of T in a variant, usable as a case label: `case position<Hello, ClientMessage>:`.
template <typename T, typename Variant, std::size_t I = 0>
constexpr std::size_t variant_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Variant>, T>) {
    return I;
  } else {
    return variant_index<T, Variant, I + 1>();
  }
}
template <typename T, typename Variant>
inline constexpr std::size_t position = variant_index<T, Variant>();

// Wire names, in variant order (checked below).
constexpr std::array<std::string_view, std::variant_size_v<ClientMessage>> kClientTypes = {
    "hello", "create-room", "join", "leave", "signal", "media", "resume", "ping", "rename-room", "delete-room",
    "media-signal", "media-restart", "media-layers", "peer-message"};
constexpr std::array<std::string_view, std::variant_size_v<ServerMessage>> kServerTypes = {
    "welcome", "room-created", "room-updated", "joined", "peer-joined",
    "peer-left", "signal", "peer-media", "left", "error", "resumed", "pong", "room-removed", "token", "ice",
    "limits", "media-signal", "media-state", "peer-message"};

static_assert(kClientTypes[position<Hello, ClientMessage>] == "hello");
static_assert(kClientTypes[position<CreateRoom, ClientMessage>] == "create-room");
static_assert(kClientTypes[position<Join, ClientMessage>] == "join");
static_assert(kClientTypes[position<Leave, ClientMessage>] == "leave");
static_assert(kClientTypes[position<SendSignal, ClientMessage>] == "signal");
static_assert(kClientTypes[position<SetMedia, ClientMessage>] == "media");
static_assert(kServerTypes[position<Welcome, ServerMessage>] == "welcome");
static_assert(kServerTypes[position<RoomCreated, ServerMessage>] == "room-created");
static_assert(kServerTypes[position<RoomUpdated, ServerMessage>] == "room-updated");
static_assert(kServerTypes[position<Joined, ServerMessage>] == "joined");
static_assert(kServerTypes[position<PeerJoined, ServerMessage>] == "peer-joined");
static_assert(kServerTypes[position<PeerLeft, ServerMessage>] == "peer-left");
static_assert(kServerTypes[position<RelayedSignal, ServerMessage>] == "signal");
static_assert(kServerTypes[position<PeerMedia, ServerMessage>] == "peer-media");
static_assert(kServerTypes[position<Left, ServerMessage>] == "left");
static_assert(kServerTypes[position<Error, ServerMessage>] == "error");
static_assert(kClientTypes[position<Resume, ClientMessage>] == "resume");
static_assert(kClientTypes[position<Ping, ClientMessage>] == "ping");
static_assert(kClientTypes[position<RenameRoom, ClientMessage>] == "rename-room");
static_assert(kClientTypes[position<DeleteRoom, ClientMessage>] == "delete-room");
static_assert(kServerTypes[position<Resumed, ServerMessage>] == "resumed");
static_assert(kServerTypes[position<Pong, ServerMessage>] == "pong");
static_assert(kServerTypes[position<RoomRemoved, ServerMessage>] == "room-removed");
static_assert(kServerTypes[position<SessionToken, ServerMessage>] == "token");
static_assert(kServerTypes[position<IceConfig, ServerMessage>] == "ice");
static_assert(kServerTypes[position<LimitsChanged, ServerMessage>] == "limits");
static_assert(kClientTypes[position<SendMediaSignal, ClientMessage>] == "media-signal");
static_assert(kClientTypes[position<RestartMedia, ClientMessage>] == "media-restart");
static_assert(kClientTypes[position<SetMediaLayers, ClientMessage>] == "media-layers");
static_assert(kServerTypes[position<RelayedMediaSignal, ServerMessage>] == "media-signal");
static_assert(kServerTypes[position<MediaState, ServerMessage>] == "media-state");
static_assert(kClientTypes[position<SendPeerMessage, ClientMessage>] == "peer-message");
static_assert(kServerTypes[position<RelayedPeerMessage, ServerMessage>] == "peer-message");

// Type strings echoed back in errors are clipped: a hostile client could send a 64 KiB "type".
constexpr std::size_t kMaxEchoedBytes = 64;

// ---- UTF-8 ----------------------------------------------------------------------------------------

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one code point at `pos` and advances past it. Invalid sequences yield kInvalid and advance
// one byte, so callers scanning untrusted text always make progress.
char32_t next_code_point(std::string_view text, std::size_t& pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const std::size_t n = text.size();
  const unsigned char c = byte(pos);
  if (c < 0x80) {
    ++pos;
    return c;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (rules out overlongs/surrogates)
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    ++pos;  // continuation byte, overlong lead (C0/C1) or F5..FF
    return kInvalid;
  }
  if (pos + len > n || byte(pos + 1) < lo || byte(pos + 1) > hi) {
    ++pos;
    return kInvalid;
  }
  for (std::size_t i = 1; i < len; ++i) {
    const unsigned char cc = byte(pos + i);
    if ((cc & 0xC0) != 0x80) {
      ++pos;
      return kInvalid;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  pos += len;
  return cp;
}

// White_Space code points plus the invisible ones people paste around names (ZWSP, word joiner, BOM).
bool is_space(char32_t cp) {
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0x85: case 0xA0: case 0x1680: case 0x180E:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x2060:
    case 0x3000: case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200B;
  }
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// Names have at least one code point (kMinNameChars = kMinRoomNameChars = 1): empty after trimming is
// the only way to be too short.
static_assert(kMinNameChars == 1 && kMinRoomNameChars == 1);

CheckedName check_name(std::string_view typed, std::size_t max_chars) {
  CheckedName out;
  if (!is_valid_utf8(typed)) {
    out.fault = NameFault::Invalid;
    return out;
  }
  out.name = trim(typed);
  const std::size_t chars = utf8_length(out.name);
  const bool control = has_control_characters(out.name);
  // Too long is said before control characters: it is what a person can see and fix.
  if (chars == 0) out.fault = NameFault::Empty;
  else if (chars > max_chars) out.fault = NameFault::TooLong;
  else if (control) out.fault = NameFault::Invalid;
  return out;
}

std::optional<std::string> ok_name(CheckedName checked) {
  if (!checked.ok()) return std::nullopt;
  return std::move(checked.name);
}

// Cuts at most `max_bytes` without splitting a code point (input is valid UTF-8).
std::string clip(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

// ---- decoding helpers -----------------------------------------------------------------------------

// Reads the fields of one JSON object, recording the first problem in `error` (code bad-field, with a
// message naming the field). Every read checks presence and JSON type first, so nothing can throw.
// Strings are moved out of the parsed document: it is discarded after decoding.
class Fields {
 public:
  Fields(json& object, std::string_view type, Error& error, std::string path = {})
      : object_(object), type_(type), error_(error), path_(std::move(path)) {}

  bool string(const char* key, std::string& out) {
    json* value = find(key);
    if (!value) return missing(key);
    if (!value->is_string()) return wrong(key, "a string");
    out = std::move(value->get_ref<std::string&>());
    return true;
  }

  // Optional string: absent or null keeps `out` unchanged.
  bool optional_string(const char* key, std::string& out) {
    json* value = find(key);
    if (!value || value->is_null()) return true;
    return string(key, out);
  }

  bool boolean(const char* key, bool& out) {
    json* value = find(key);
    if (!value) return missing(key);
    if (!value->is_boolean()) return wrong(key, "true or false");
    out = value->get<bool>();
    return true;
  }

  bool optional_boolean(const char* key, bool& out) {
    json* value = find(key);
    if (!value || value->is_null()) return true;
    return boolean(key, out);
  }

  // A whole number from 0 to `max`, stored in `out` (an unsigned type `max` fits in).
  template <typename Unsigned>
  bool whole_number(const char* key, std::uint64_t max, Unsigned& out) {
    json* value = find(key);
    if (!value) return missing(key);
    std::int64_t n = 0;
    if (!integer_in(*value, 0, static_cast<std::int64_t>(max), n)) {
      return wrong(key, "a whole number from 0 to " + std::to_string(max));
    }
    out = static_cast<Unsigned>(n);
    return true;
  }
  // A peer or room id: 0 to kMaxId (2^53 - 1, exact in a JavaScript number).
  bool id(const char* key, std::uint64_t& out) { return whole_number(key, kMaxId, out); }
  bool u32(const char* key, std::uint32_t& out) {
    return whole_number(key, std::numeric_limits<std::uint32_t>::max(), out);
  }

  bool optional_u32(const char* key, std::uint32_t& out) {
    json* value = find(key);
    if (!value || value->is_null()) return true;
    return u32(key, out);
  }

  bool optional_whole_number(const char* key, std::uint64_t max, std::uint64_t& out) {
    json* value = find(key);
    if (!value || value->is_null()) return true;
    return whole_number(key, max, out);
  }

  bool int32(const char* key, int& out, std::int64_t min = std::numeric_limits<int>::min()) {
    json* value = find(key);
    if (!value) return missing(key);
    std::int64_t n = 0;
    if (!integer_in(*value, min, std::numeric_limits<int>::max(), n)) {
      return wrong(key, min == 0 ? "a whole number from 0 to 2147483647" : "a whole number");
    }
    out = static_cast<int>(n);
    return true;
  }

  bool optional_int32(const char* key, int& out, std::int64_t min = std::numeric_limits<int>::min()) {
    json* value = find(key);
    if (!value || value->is_null()) return true;
    return int32(key, out, min);
  }

  json* object(const char* key) {
    json* value = find(key);
    if (!value) {
      missing(key);
      return nullptr;
    }
    if (!value->is_object()) {
      wrong(key, "an object");
      return nullptr;
    }
    return value;
  }

  json* array(const char* key) {
    json* value = find(key);
    if (!value) {
      missing(key);
      return nullptr;
    }
    if (!value->is_array()) {
      wrong(key, "an array");
      return nullptr;
    }
    return value;
  }

  bool has(const char* key) const { return object_.contains(key); }

  // A bad-field error for a value that has the right JSON type but not an allowed value.
  bool invalid(const char* key, std::string_view must_be) { return wrong(key, must_be); }

  std::string_view type() const { return type_; }
  Error& error() { return error_; }
  const std::string& path() const { return path_; }

 private:
  json* find(const char* key) {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  static bool integer_in(const json& value, std::int64_t min, std::int64_t max, std::int64_t& out) {
    if (value.is_number_unsigned()) {
      const std::uint64_t n = value.get<std::uint64_t>();
      if (n > static_cast<std::uint64_t>(max)) return false;
      out = static_cast<std::int64_t>(n);
    } else if (value.is_number_integer()) {
      out = value.get<std::int64_t>();
    } else {
      return false;  // floats (3.0 included), strings, null...
    }
    return out >= min && out <= max;
  }

  bool missing(const char* key) {
    error_.code = ErrorCode::BadField;
    error_.message = "The " + in_quotes(type_) + " message is missing the " + in_quotes(path_ + key) + " field.";
    return false;
  }

  bool wrong(const char* key, std::string_view must_be) {
    error_.code = ErrorCode::BadField;
    error_.message = "The " + in_quotes(path_ + key) + " field of " + in_quotes(type_) + " must be ";
    error_.message += must_be;
    error_.message += '.';
    return false;
  }

  json& object_;
  std::string_view type_;
  Error& error_;
  std::string path_;  // "candidate." for nested objects, so messages name the full field
};

bool read_room(Fields& f, RoomInfo& room) {
  std::string mode = "mesh";  // a server from before room modes: every room is a mesh room
  if (!(f.id("id", room.id) && f.string("name", room.name) && f.u32("participants", room.participants) &&
        f.u32("capacity", room.capacity) && f.optional_boolean("locked", room.locked) &&
        f.optional_string("mode", mode))) {
    return false;
  }
  const std::optional<RoomMode> known = room_mode_from_string(mode);
  if (!known) return f.invalid("mode", "\"mesh\" or \"sfu\"");
  room.mode = *known;
  return true;
}

bool read_limits(Fields& f, Limits& limits) {
  // A server from before large rooms sends no meshMax: all its rooms are mesh rooms.
  bool has_mesh_max = f.has("meshMax");
  if (!(f.u32("maxNameChars", limits.max_name_chars) && f.u32("maxRoomNameChars", limits.max_room_name_chars) &&
        f.u32("maxCapacity", limits.max_capacity) && f.u32("heartbeatMs", limits.heartbeat_ms) &&
        f.u32("resumeGraceMs", limits.resume_grace_ms) && f.optional_u32("meshMax", limits.mesh_max) &&
        f.optional_boolean("largeRooms", limits.large_rooms))) {
    return false;
  }
  if (!has_mesh_max) limits.mesh_max = limits.max_capacity;
  // Within what a mesh can be here whatever the server says (a meshMax of 0 would make every room a
  // large one): kMinCapacity .. the smaller of maxCapacity and kMaxMeshCapacity.
  limits.mesh_max = std::clamp(limits.mesh_max, kMinCapacity,
                               std::max(kMinCapacity, std::min(limits.max_capacity, kMaxMeshCapacity)));
  return true;
}

bool read_peer(Fields& f, PeerInfo& peer) {
  return f.id("id", peer.id) && f.string("name", peer.name) && f.boolean("mic", peer.mic) &&
         f.boolean("camera", peer.camera);
}

// Reads the object at `key` with `read`, naming nested fields "key.field" in errors.
template <typename T, typename Read>
bool read_nested(Fields& f, const char* key, T& out, Read read) {
  json* value = f.object(key);
  if (!value) return false;
  Fields nested(*value, f.type(), f.error(), f.path() + key + ".");
  return read(nested, out);
}

template <typename T, typename Read>
bool read_list(Fields& f, const char* key, std::vector<T>& out, Read read) {
  json* list = f.array(key);
  if (!list) return false;
  out.reserve(list->size());
  std::size_t index = 0;
  for (json& item : *list) {
    const std::string item_path = f.path() + key + "[" + std::to_string(index++) + "]";
    if (!item.is_object()) return f.invalid(key, "an array of objects");
    Fields fields(item, f.type(), f.error(), item_path + ".");
    if (!read(fields, out.emplace_back())) return false;
  }
  return true;
}

bool read_candidate(Fields& f, IceCandidate& candidate) {
  return f.string("candidate", candidate.candidate) && f.optional_string("sdpMid", candidate.sdp_mid) &&
         f.optional_int32("sdpMLineIndex", candidate.sdp_mline_index, 0);
}

// The part of a signal shared by both directions: kind plus its payload.
bool read_signal_body(Fields& f, Signal& signal) {
  std::string kind;
  if (!f.string("kind", kind)) return false;
  if (kind == "offer") {
    signal.kind = SignalKind::Offer;
  } else if (kind == "answer") {
    signal.kind = SignalKind::Answer;
  } else if (kind == "candidate") {
    signal.kind = SignalKind::Candidate;
  } else {
    return f.invalid("kind", "\"offer\", \"answer\" or \"candidate\"");
  }
  if (signal.kind == SignalKind::Candidate) {
    if (!read_nested(f, "candidate", signal.candidate, read_candidate)) return false;
  } else if (!f.string("sdp", signal.sdp)) {
    return false;
  }
  return f.optional_whole_number("seq", kMaxId, signal.seq);
}

bool read_media_stream(Fields& f, MediaStream& stream) {
  std::string kind;
  if (!(f.string("mid", stream.mid) && f.id("peer", stream.peer) && f.string("kind", kind) &&
        f.optional_boolean("screen", stream.screen))) {
    return false;
  }
  if (stream.mid.empty() || stream.mid.size() > kMaxMidBytes) return f.invalid("mid", "1 to 64 bytes");
  if (kind == "audio") stream.kind = MediaKind::Audio;
  else if (kind == "video") stream.kind = MediaKind::Video;
  else return f.invalid("kind", "\"audio\" or \"video\"");
  return true;
}

bool read_layer_wish(Fields& f, LayerWish& wish) {
  std::string layer;
  if (!(f.id("peer", wish.peer) && f.string("layer", layer))) return false;
  if (layer == "low") wish.layer = MediaLayer::Low;
  else if (layer == "medium") wish.layer = MediaLayer::Medium;
  else if (layer == "high") wish.layer = MediaLayer::High;
  else return f.invalid("layer", "\"low\", \"medium\" or \"high\"");
  return true;
}

// A media-signal in either direction; `streams`: the server's (a subscription offer may list them).
bool read_media_signal(Fields& f, MediaSignal& signal, bool streams) {
  std::string link;
  if (!f.string("link", link)) return false;
  if (link == "publish") signal.link = MediaLink::Publish;
  else if (link == "subscribe") signal.link = MediaLink::Subscribe;
  else return f.invalid("link", "\"publish\" or \"subscribe\"");
  Signal body;
  if (!read_signal_body(f, body)) return false;
  signal.kind = body.kind;
  signal.sdp = std::move(body.sdp);
  signal.candidate = std::move(body.candidate);
  if (streams && f.has("streams")) {
    if (!read_list(f, "streams", signal.streams, read_media_stream)) return false;
    if (signal.streams.size() > kMaxMediaStreams) return f.invalid("streams", "at most 200 streams");
  }
  return true;
}

// ---- JSON parsing, with a fast path for long strings ----------------------------------------------
//
// nlohmann's lexer handles one character at a time: decoding an offer spent 93% of its time lexing the
// SDP string (about 7 ns per byte). So string *values* of kLongStringBytes or more are unescaped here by
// a word-at-a-time loop, replaced by "" in a copy of the text, and the much shorter copy is parsed by
// nlohmann through a SAX handler that wraps its own DOM builder and puts each long string back by
// position (the n-th string value in document order), never by content, so no input can be mistaken
// for a placeholder.
//
// Why this accepts exactly what plain json::parse accepts: a '"' outside a string always starts a
// string token (no other JSON token contains one), so the literals found here are the lexer's string
// tokens, and swapping one valid string literal for another leaves every other byte and token as it
// was. The copy is therefore valid JSON exactly when the original is, provided json_text::unescape
// accepts exactly the string bodies nlohmann's lexer accepts (raw bytes >= 0x80 were already checked
// as UTF-8 by read_envelope). The differential tests in tests/unit/protocol_test.cpp hold it to that.

constexpr std::size_t kLongStringBytes = 256;

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct LongString {
  std::size_t value_index = 0;  // among the document's string values (keys not counted), in order
  std::string text;             // decoded
};

// SAX handler: nlohmann's own DOM builder, with the long strings put back into their values.
// (json_sax_dom_parser is in nlohmann::detail, but is what json::parse itself uses, in 3.x alike.)
class DomWithLongStrings {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  DomWithLongStrings(json& result, std::vector<LongString>& long_strings)
      : dom_(result, /*allow_exceptions_=*/false), long_strings_(long_strings) {}

  bool null() { return dom_.null(); }
  bool boolean(bool value) { return dom_.boolean(value); }
  bool number_integer(number_integer_t value) { return dom_.number_integer(value); }
  bool number_unsigned(number_unsigned_t value) { return dom_.number_unsigned(value); }
  bool number_float(number_float_t value, const string_t& text) { return dom_.number_float(value, text); }
  bool string(string_t& value) {
    if (next_ < long_strings_.size() && long_strings_[next_].value_index == values_seen_) {
      value = std::move(long_strings_[next_++].text);
    }
    ++values_seen_;
    return dom_.string(value);
  }
  bool binary(binary_t& value) { return dom_.binary(value); }
  bool start_object(std::size_t size) { return dom_.start_object(size); }
  bool key(string_t& value) { return dom_.key(value); }
  bool end_object() { return dom_.end_object(); }
  bool start_array(std::size_t size) { return dom_.start_array(size); }
  bool end_array() { return dom_.end_array(); }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& ex) {
    return dom_.parse_error(position, token, ex);
  }
  bool errored() const { return dom_.is_errored(); }

 private:
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::vector<LongString>& long_strings_;
  std::size_t next_ = 0;
  std::size_t values_seen_ = 0;
};

// Parses one JSON value (the whole text) into `doc`. Never throws; false when it is not valid JSON.
bool parse_json(std::string_view text, json& doc) {
  // A NUL byte is never valid JSON (not whitespace, and raw in a string it is a control character), but
  // nlohmann reads it as the end of the input and would accept `{...}\0garbage`.
  if (text.find('\0') != std::string_view::npos) return false;
  std::vector<LongString> long_strings;
  std::string shortened;  // the text with every long string value emptied
  std::size_t copied = 0, values = 0;
  for (std::size_t open = text.find('"'); open != std::string_view::npos; open = text.find('"', open)) {
    const std::size_t close = json_text::string_end(text, open);
    if (close == std::string_view::npos) break;  // unterminated: nlohmann reports it
    std::size_t next = close + 1;
    while (next < text.size() && is_json_space(text[next])) ++next;
    const bool is_key = next < text.size() && text[next] == ':';
    if (!is_key) {
      if (close - open - 1 >= kLongStringBytes) {
        LongString& long_string = long_strings.emplace_back();
        long_string.value_index = values;
        if (!json_text::unescape(text.substr(open + 1, close - open - 1), long_string.text)) return false;
        if (shortened.empty()) shortened.reserve(text.size() / 8 + 64);
        shortened.append(text.substr(copied, open + 1 - copied));  // up to and with the opening quote
        copied = close;                                             // from the closing quote on
      }
      ++values;
    }
    open = close + 1;
  }
  if (long_strings.empty()) {
    doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    return !doc.is_discarded();
  }
  shortened.append(text.substr(copied));
  DomWithLongStrings handler(doc, long_strings);
  const bool ok = json::sax_parse(shortened.begin(), shortened.end(), &handler);
  return ok && !handler.errored();
}

// Size, UTF-8, JSON, object, "type": the checks every message goes through before its fields.
// On success `doc` holds the parsed object and `type` views its "type" string.
bool read_envelope(std::string_view text, std::size_t max_bytes, json& doc, std::string_view& type, Error& error) {
  const auto fail = [&](ErrorCode code, std::string message) {
    error.code = code;
    error.message = std::move(message);
    return false;
  };
  if (text.size() > max_bytes) {
    return fail(ErrorCode::MessageTooLarge, "The message is " + std::to_string(text.size()) +
                                                " bytes; the limit is " + std::to_string(max_bytes) + " bytes.");
  }
  if (!is_valid_utf8(text)) return fail(ErrorCode::BadUtf8, "The message is not valid UTF-8 text.");
  if (!parse_json(text, doc)) return fail(ErrorCode::BadJson, "The message is not valid JSON.");
  if (!doc.is_object()) return fail(ErrorCode::BadJson, "The message must be a JSON object.");
  auto it = doc.find("type");
  if (it == doc.end() || !it->is_string()) {
    return fail(ErrorCode::MissingType, "The message has no \"type\" string.");
  }
  type = it->get_ref<const std::string&>();
  error.request = clip(type, kMaxEchoedBytes);
  return true;
}

template <typename T>
void unknown_type(Decoded<T>& out) {
  out.error.code = ErrorCode::UnknownType;
  out.error.message = "Unknown message type " + in_quotes(out.error.request) + ".";
}

// Position of the wire name `type` in a names table; names.size() when unknown.
std::size_t index_of(const auto& names, std::string_view type) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == type) return i;
  }
  return names.size();
}

// A string field already read, checked against a byte limit (passwords, tokens: bounded work later).
bool bounded(Fields& f, const char* key, const std::string& value, std::size_t max_bytes) {
  if (value.size() <= max_bytes) return true;
  return f.invalid(key, "at most " + std::to_string(max_bytes) + " bytes");
}

// A peer-message's data: 1 to kMaxPeerMessageDataBytes bytes (what is inside is the browsers' business).
bool read_peer_message_data(Fields& f, const std::string& data) {
  if (data.empty()) return f.invalid("data", "a peer message, not empty");
  if (data.size() <= kMaxPeerMessageDataBytes) return true;
  f.error().code = ErrorCode::PeerMessageTooLarge;
  f.error().message = "The peer message is " + std::to_string(data.size()) + " bytes; the limit is " +
                      std::to_string(kMaxPeerMessageDataBytes) + " bytes.";
  return false;
}

bool is_turn_url(std::string_view url) { return url.starts_with("turn:") || url.starts_with("turns:"); }
bool is_stun_url(std::string_view url) { return url.starts_with("stun:") || url.starts_with("stuns:"); }

// ICE servers: each one's URLs are stun:/stuns:/turn:/turns: URIs, and a TURN server comes with a
// username and credential (RTCPeerConnection throws on anything else, so it is refused here).
bool read_ice_server(Fields& f, IceServer& server) {
  json* urls = f.array("urls");
  if (!urls) return false;
  if (urls->empty() || urls->size() > kMaxIceUrls) {
    return f.invalid("urls", "an array of 1 to " + std::to_string(kMaxIceUrls) + " URLs");
  }
  bool turn = false;
  for (json& url : *urls) {
    if (!url.is_string()) return f.invalid("urls", "an array of strings");
    std::string& text = url.get_ref<std::string&>();
    if (text.size() > kMaxIceUrlBytes) {
      return f.invalid("urls", "URLs of at most " + std::to_string(kMaxIceUrlBytes) + " bytes");
    }
    const bool is_turn = is_turn_url(text);
    if (!is_turn && !is_stun_url(text)) {
      return f.invalid("urls", "stun:, stuns:, turn: or turns: URLs");
    }
    turn = turn || is_turn;
    server.urls.push_back(std::move(text));
  }
  if (!f.optional_string("username", server.username) ||
      !bounded(f, "username", server.username, kMaxIceSecretBytes) ||
      !f.optional_string("credential", server.credential) ||
      !bounded(f, "credential", server.credential, kMaxIceSecretBytes)) {
    return false;
  }
  if (turn && (server.username.empty() || server.credential.empty())) {
    return f.invalid("username", "given, with a credential, for a TURN server");
  }
  return true;
}

bool read_ice_servers(Fields& f, std::vector<IceServer>& servers) {
  const json* list = f.array("servers");
  if (!list) return false;
  if (list->size() > kMaxIceServers) {
    return f.invalid("servers", "an array of at most " + std::to_string(kMaxIceServers) + " servers");
  }
  return read_list(f, "servers", servers, read_ice_server);
}

bool read_ice_policy(Fields& f, const std::string& text, IcePolicy& policy) {
  if (text == "all") policy = IcePolicy::All;
  else if (text == "relay") policy = IcePolicy::Relay;
  else return f.invalid("policy", "\"all\" or \"relay\"");
  return true;
}

// ---- encoding helpers -----------------------------------------------------------------------------

ojson room_json(const RoomInfo& room) {
  ojson j = ojson::object();
  j["id"] = room.id;
  j["name"] = room.name;
  j["participants"] = room.participants;
  j["capacity"] = room.capacity;
  if (room.locked) j["locked"] = true;
  j["mode"] = to_string(room.mode);
  return j;
}

ojson limits_json(const Limits& limits) {
  ojson j = ojson::object();
  j["maxNameChars"] = limits.max_name_chars;
  j["maxRoomNameChars"] = limits.max_room_name_chars;
  j["maxCapacity"] = limits.max_capacity;
  j["heartbeatMs"] = limits.heartbeat_ms;
  j["resumeGraceMs"] = limits.resume_grace_ms;
  j["meshMax"] = limits.mesh_max;
  j["largeRooms"] = limits.large_rooms;
  return j;
}

ojson peer_json(const PeerInfo& peer) {
  ojson j = ojson::object();
  j["id"] = peer.id;
  j["name"] = peer.name;
  j["mic"] = peer.mic;
  j["camera"] = peer.camera;
  return j;
}

// The kind and its payload (the SDP, or the candidate), as `signal` and `media-signal` carry them.
template <class AnySignal>
void write_kind_and_payload(ojson& j, const AnySignal& signal) {
  j["kind"] = to_string(signal.kind);
  if (signal.kind == SignalKind::Candidate) {
    ojson c = ojson::object();
    c["candidate"] = signal.candidate.candidate;
    c["sdpMid"] = signal.candidate.sdp_mid;
    c["sdpMLineIndex"] = signal.candidate.sdp_mline_index;
    j["candidate"] = std::move(c);
  } else {
    j["sdp"] = signal.sdp;
  }
}

// `peer_key` is "to" from a client and "from" from the server.
void write_signal(ojson& j, const char* peer_key, const Signal& signal) {
  j[peer_key] = signal.peer;
  write_kind_and_payload(j, signal);
  if (signal.seq != 0) j["seq"] = signal.seq;
}

void write_media_signal(ojson& j, const MediaSignal& signal) {
  j["link"] = to_string(signal.link);
  write_kind_and_payload(j, signal);
  if (!signal.streams.empty()) {
    ojson streams = ojson::array();
    for (const MediaStream& stream : signal.streams) {
      ojson s = ojson::object();
      s["mid"] = stream.mid;
      s["peer"] = stream.peer;
      s["kind"] = to_string(stream.kind);
      if (stream.screen) s["screen"] = true;
      streams.push_back(std::move(s));
    }
    j["streams"] = std::move(streams);
  }
}

std::string dump(const ojson& j) {
  // replace: a string holding invalid UTF-8 must never make encoding throw (or abort in wasm).
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

ojson typed(std::string_view type) {
  ojson j = ojson::object();
  j["type"] = type;
  return j;
}

}  // namespace

// ---- errors -------------------------------------------------------------------------------------

ErrorClass classify(ErrorCode code) {
  switch (code) {
    case ErrorCode::NameInvalid:
    case ErrorCode::RoomNameInvalid:
    case ErrorCode::RoomNameTaken:
    case ErrorCode::CapacityInvalid:
    case ErrorCode::RoomNotFound:
    case ErrorCode::RoomFull:
    case ErrorCode::AlreadyInRoom:
    case ErrorCode::NotInRoom:
    case ErrorCode::TooManyRooms:
    case ErrorCode::SessionExpired:
    case ErrorCode::PasswordRequired:
    case ErrorCode::PasswordWrong:
    case ErrorCode::TooManyAttempts:
    case ErrorCode::RoomQuota:
    case ErrorCode::NotOwner:
    case ErrorCode::LargeRoomsUnavailable:
    case ErrorCode::LargeRoomMediaPending:
      return ErrorClass::User;
    case ErrorCode::BadJson:
    case ErrorCode::BadUtf8:
    case ErrorCode::MessageTooLarge:
    case ErrorCode::BinaryNotSupported:
    case ErrorCode::MissingType:
    case ErrorCode::UnknownType:
    case ErrorCode::BadField:
    case ErrorCode::SpoofedSender:
    case ErrorCode::PeerNotFound:
    case ErrorCode::HelloRequired:
    case ErrorCode::VersionMismatch:
    case ErrorCode::RateLimited:
    case ErrorCode::SignalTooLarge:
    case ErrorCode::NotInLargeRoom:
    case ErrorCode::PeerMessageTooLarge:
      return ErrorClass::Protocol;
    case ErrorCode::Internal:
    case ErrorCode::ServerBusy:
    case ErrorCode::MediaFailed:
      return ErrorClass::Internal;
  }
  return ErrorClass::Internal;
}

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::NameInvalid: return "name-invalid";
    case ErrorCode::RoomNameInvalid: return "room-name-invalid";
    case ErrorCode::RoomNameTaken: return "room-name-taken";
    case ErrorCode::CapacityInvalid: return "capacity-invalid";
    case ErrorCode::RoomNotFound: return "room-not-found";
    case ErrorCode::RoomFull: return "room-full";
    case ErrorCode::AlreadyInRoom: return "already-in-room";
    case ErrorCode::NotInRoom: return "not-in-room";
    case ErrorCode::TooManyRooms: return "too-many-rooms";
    case ErrorCode::SessionExpired: return "session-expired";
    case ErrorCode::PasswordRequired: return "password-required";
    case ErrorCode::PasswordWrong: return "password-wrong";
    case ErrorCode::TooManyAttempts: return "too-many-attempts";
    case ErrorCode::RoomQuota: return "room-quota";
    case ErrorCode::NotOwner: return "not-owner";
    case ErrorCode::LargeRoomsUnavailable: return "large-rooms-unavailable";
    case ErrorCode::LargeRoomMediaPending: return "large-room-media-pending";
    case ErrorCode::BadJson: return "bad-json";
    case ErrorCode::BadUtf8: return "bad-utf8";
    case ErrorCode::MessageTooLarge: return "message-too-large";
    case ErrorCode::BinaryNotSupported: return "binary-not-supported";
    case ErrorCode::MissingType: return "missing-type";
    case ErrorCode::UnknownType: return "unknown-type";
    case ErrorCode::BadField: return "bad-field";
    case ErrorCode::SpoofedSender: return "spoofed-sender";
    case ErrorCode::PeerNotFound: return "peer-not-found";
    case ErrorCode::HelloRequired: return "hello-required";
    case ErrorCode::VersionMismatch: return "version-mismatch";
    case ErrorCode::RateLimited: return "rate-limited";
    case ErrorCode::SignalTooLarge: return "signal-too-large";
    case ErrorCode::NotInLargeRoom: return "not-in-large-room";
    case ErrorCode::PeerMessageTooLarge: return "peer-message-too-large";
    case ErrorCode::MediaFailed: return "media-failed";
    case ErrorCode::Internal: return "internal";
    case ErrorCode::ServerBusy: return "server-busy";
  }
  return "internal";
}

std::optional<ErrorCode> error_code_from_string(std::string_view text) {
  // The switch in to_string is the single table of names; MediaFailed is the last enumerator.
  for (int i = 0; i <= static_cast<int>(ErrorCode::MediaFailed); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    if (to_string(code) == text) return code;
  }
  return std::nullopt;
}

std::string_view to_string(ErrorClass cls) {
  switch (cls) {
    case ErrorClass::User: return "user";
    case ErrorClass::Protocol: return "protocol";
    case ErrorClass::Internal: return "internal";
  }
  return "internal";
}

std::ostream& operator<<(std::ostream& os, ErrorCode code) { return os << to_string(code); }
std::ostream& operator<<(std::ostream& os, ErrorClass cls) { return os << to_string(cls); }

std::string_view to_string(SignalKind kind) {
  switch (kind) {
    case SignalKind::Offer: return "offer";
    case SignalKind::Answer: return "answer";
    case SignalKind::Candidate: return "candidate";
  }
  return "offer";
}

std::ostream& operator<<(std::ostream& os, SignalKind kind) { return os << to_string(kind); }

std::string_view to_string(MediaLink link) { return link == MediaLink::Subscribe ? "subscribe" : "publish"; }
std::string_view to_string(MediaKind kind) { return kind == MediaKind::Video ? "video" : "audio"; }
std::string_view to_string(MediaLayer layer) {
  return layer == MediaLayer::Low ? "low" : layer == MediaLayer::Medium ? "medium" : "high";
}
std::string_view to_string(MediaServerState state) {
  switch (state) {
    case MediaServerState::Up: return "up";
    case MediaServerState::Down: return "down";
    case MediaServerState::Reset: return "reset";
  }
  return "up";
}
bool client_may_send(MediaLink link, SignalKind kind) {
  if (kind == SignalKind::Candidate) return true;
  return link == MediaLink::Publish ? kind == SignalKind::Offer : kind == SignalKind::Answer;
}

std::string_view to_string(IcePolicy policy) { return policy == IcePolicy::Relay ? "relay" : "all"; }

bool IceConfig::has_turn() const {
  for (const IceServer& server : servers) {
    for (const std::string& url : server.urls) {
      if (is_turn_url(url)) return true;
    }
  }
  return false;
}

std::string_view to_string(LeftReason reason) {
  switch (reason) {
    case LeftReason::Requested: return "requested";
    case LeftReason::Replaced: return "replaced";
    case LeftReason::RoomDeleted: return "room-deleted";
  }
  return "requested";
}

std::ostream& operator<<(std::ostream& os, LeftReason reason) { return os << to_string(reason); }

// ---- codec --------------------------------------------------------------------------------------

std::string_view type_name(const ClientMessage& msg) { return kClientTypes[msg.index()]; }
std::string_view type_name(const ServerMessage& msg) { return kServerTypes[msg.index()]; }

std::string encode(const ClientMessage& msg) {
  ojson j = typed(type_name(msg));
  std::visit(Overloaded{
                 [&](const Hello& m) { j["version"] = m.version; },
                 [&](const CreateRoom& m) {
                   j["name"] = m.name;
                   j["capacity"] = m.capacity;
                   if (!m.password.empty()) j["password"] = m.password;
                 },
                 [&](const Join& m) {
                   j["room"] = m.room;
                   j["name"] = m.name;
                   j["mic"] = m.mic;
                   j["camera"] = m.camera;
                   if (!m.password.empty()) j["password"] = m.password;
                   if (!m.client.empty()) j["client"] = m.client;
                 },
                 [&](const Resume& m) {
                   j["token"] = m.token;
                   j["name"] = m.name;
                   j["mic"] = m.mic;
                   j["camera"] = m.camera;
                   if (!m.client.empty()) j["client"] = m.client;
                   if (m.seen != 0) j["seen"] = m.seen;
                 },
                 [&](const Ping& m) {
                   if (m.seen != 0) j["seen"] = m.seen;
                 },
                 [&](const RenameRoom& m) {
                   j["room"] = m.room;
                   j["name"] = m.name;
                   j["owner"] = m.owner;
                 },
                 [&](const DeleteRoom& m) {
                   j["room"] = m.room;
                   j["owner"] = m.owner;
                 },
                 [&](const Leave&) {},
                 [&](const SendSignal& m) { write_signal(j, "to", m.signal); },
                 [&](const SetMedia& m) {
                   j["mic"] = m.mic;
                   j["camera"] = m.camera;
                 },
                 [&](const SendMediaSignal& m) {
                   MediaSignal s = m.signal;
                   s.streams.clear();  // the server's alone
                   write_media_signal(j, s);
                 },
                 [&](const RestartMedia& m) {
                   if (m.fresh) j["fresh"] = true;
                 },
                 [&](const SetMediaLayers& m) {
                   ojson layers = ojson::array();
                   for (const LayerWish& w : m.layers) layers.push_back(ojson{{"peer", w.peer}, {"layer", to_string(w.layer)}});
                   j["layers"] = std::move(layers);
                 },
                 [&](const SendPeerMessage& m) {
                   if (m.to != 0) j["to"] = m.to;
                   j["data"] = m.data;
                 },
             },
             msg);
  return dump(j);
}

std::string encode(const ServerMessage& msg) {
  ojson j = typed(type_name(msg));
  std::visit(Overloaded{
                 [&](const Welcome& m) {
                   j["version"] = m.version;
                   ojson rooms = ojson::array();
                   for (const RoomInfo& room : m.rooms) rooms.push_back(room_json(room));
                   j["rooms"] = std::move(rooms);
                   j["limits"] = limits_json(m.limits);
                 },
                 [&](const RoomCreated& m) {
                   j["room"] = room_json(m.room);
                   j["owner"] = m.owner;
                 },
                 [&](const RoomUpdated& m) { j["room"] = room_json(m.room); },
                 [&](const Joined& m) {
                   j["room"] = room_json(m.room);
                   j["self"] = peer_json(m.self);
                   j["token"] = m.token;
                   ojson peers = ojson::array();
                   for (const PeerInfo& peer : m.peers) peers.push_back(peer_json(peer));
                   j["peers"] = std::move(peers);
                 },
                 [&](const PeerJoined& m) {
                   j["peer"] = peer_json(m.peer);
                   if (m.resumed) j["resumed"] = true;
                 },
                 [&](const Resumed& m) {
                   j["room"] = room_json(m.room);
                   j["self"] = peer_json(m.self);
                   j["token"] = m.token;
                   ojson peers = ojson::array();
                   for (const PeerInfo& peer : m.peers) peers.push_back(peer_json(peer));
                   j["peers"] = std::move(peers);
                   j["restored"] = m.restored;
                   if (m.seen != 0) j["seen"] = m.seen;
                   if (m.missed) j["missed"] = true;
                 },
                 [&](const Pong& m) {
                   if (m.seen != 0) j["seen"] = m.seen;
                 },
                 [&](const RoomRemoved& m) { j["room"] = m.room; },
                 [&](const LimitsChanged& m) { j["limits"] = limits_json(m.limits); },
                 [&](const SessionToken& m) { j["token"] = m.token; },
                 [&](const IceConfig& m) {
                   ojson servers = ojson::array();
                   for (const IceServer& server : m.servers) {
                     ojson s = ojson::object();
                     s["urls"] = server.urls;
                     if (!server.username.empty()) s["username"] = server.username;
                     if (!server.credential.empty()) s["credential"] = server.credential;
                     servers.push_back(std::move(s));
                   }
                   j["servers"] = std::move(servers);
                   j["policy"] = to_string(m.policy);
                   if (m.expires != 0) j["expires"] = m.expires;
                 },
                 [&](const PeerLeft& m) { j["peer"] = m.peer; },
                 [&](const RelayedSignal& m) { write_signal(j, "from", m.signal); },
                 [&](const RelayedMediaSignal& m) { write_media_signal(j, m.signal); },
                 [&](const RelayedPeerMessage& m) {
                   j["from"] = m.from;
                   j["data"] = m.data;
                 },
                 [&](const MediaState& m) { j["state"] = to_string(m.state); },
                 [&](const PeerMedia& m) {
                   j["peer"] = m.peer;
                   j["mic"] = m.mic;
                   j["camera"] = m.camera;
                 },
                 [&](const Left& m) { j["reason"] = to_string(m.reason); },
                 [&](const Error& m) {
                   j["code"] = to_string(m.code);
                   j["message"] = m.message;
                   if (!m.request.empty()) j["request"] = m.request;
                 },
             },
             msg);
  return dump(j);
}

Decoded<ClientMessage> decode_client(std::string_view text) {
  Decoded<ClientMessage> out;
  json doc;
  std::string_view type;
  if (!read_envelope(text, kMaxMessageBytes, doc, type, out.error)) return out;
  Fields f(doc, type, out.error);

  switch (index_of(kClientTypes, type)) {
    case position<Hello, ClientMessage>: {
      Hello m;
      if (f.int32("version", m.version)) out.message = m;
      break;
    }
    case position<CreateRoom, ClientMessage>: {
      CreateRoom m;
      if (f.string("name", m.name) && f.optional_u32("capacity", m.capacity) &&
          f.optional_string("password", m.password) && bounded(f, "password", m.password, kMaxPasswordBytes)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<Join, ClientMessage>: {
      Join m;
      if (f.id("room", m.room) && f.string("name", m.name) && f.optional_boolean("mic", m.mic) &&
          f.optional_boolean("camera", m.camera) && f.optional_string("password", m.password) &&
          bounded(f, "password", m.password, kMaxPasswordBytes) && f.optional_string("client", m.client) &&
          bounded(f, "client", m.client, kMaxTokenBytes)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<Resume, ClientMessage>: {
      Resume m;
      if (f.string("token", m.token) && bounded(f, "token", m.token, kMaxTokenBytes) && f.string("name", m.name) &&
          f.optional_boolean("mic", m.mic) && f.optional_boolean("camera", m.camera) &&
          f.optional_string("client", m.client) && bounded(f, "client", m.client, kMaxTokenBytes) &&
          f.optional_whole_number("seen", kMaxId, m.seen)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<Ping, ClientMessage>: {
      Ping m;
      if (f.optional_whole_number("seen", kMaxId, m.seen)) out.message = m;
      break;
    }
    case position<RenameRoom, ClientMessage>: {
      RenameRoom m;
      if (f.id("room", m.room) && f.string("name", m.name) && f.string("owner", m.owner) &&
          bounded(f, "owner", m.owner, kMaxTokenBytes)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<DeleteRoom, ClientMessage>: {
      DeleteRoom m;
      if (f.id("room", m.room) && f.string("owner", m.owner) && bounded(f, "owner", m.owner, kMaxTokenBytes)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<Leave, ClientMessage>:
      out.message = Leave{};
      break;
    case position<SendSignal, ClientMessage>: {
      // Only the server says who a signal is from; a client claiming a sender is refused outright.
      if (f.has("from")) {
        out.error.code = ErrorCode::SpoofedSender;
        out.error.message = "A signal must not set \"from\": the server fills in the sender.";
        break;
      }
      SendSignal m;
      if (f.id("to", m.signal.peer) && read_signal_body(f, m.signal)) out.message = std::move(m);
      break;
    }
    case position<SetMedia, ClientMessage>: {
      SetMedia m;
      if (f.boolean("mic", m.mic) && f.boolean("camera", m.camera)) out.message = m;
      break;
    }
    case position<SendMediaSignal, ClientMessage>: {
      SendMediaSignal m;
      if (read_media_signal(f, m.signal, /*streams=*/false)) out.message = std::move(m);
      break;
    }
    case position<RestartMedia, ClientMessage>: {
      RestartMedia m;
      if (f.optional_boolean("fresh", m.fresh)) out.message = m;
      break;
    }
    case position<SetMediaLayers, ClientMessage>: {
      SetMediaLayers m;
      if (read_list(f, "layers", m.layers, read_layer_wish)) {
        if (m.layers.size() > kMaxLayerWishes) f.invalid("layers", "at most 64 entries");
        else out.message = std::move(m);
      }
      break;
    }
    case position<SendPeerMessage, ClientMessage>: {
      // As with signals, only the server says who a peer message is from.
      if (f.has("from")) {
        out.error.code = ErrorCode::SpoofedSender;
        out.error.message = "A peer-message must not set \"from\": the server fills in the sender.";
        break;
      }
      SendPeerMessage m;
      // `to` absent or null: everyone else in the room (0 in the struct); 0 on the wire is no peer.
      constexpr std::uint64_t kEveryone = std::numeric_limits<std::uint64_t>::max();
      m.to = kEveryone;
      if (!f.optional_whole_number("to", kMaxId, m.to)) break;
      if (m.to == 0) {
        f.invalid("to", "a peer id (absent: everyone)");
        break;
      }
      if (m.to == kEveryone) m.to = 0;
      if (f.string("data", m.data) && read_peer_message_data(f, m.data)) out.message = std::move(m);
      break;
    }
    default:
      unknown_type(out);
  }
  return out;
}

Decoded<ServerMessage> decode_server(std::string_view text) {
  Decoded<ServerMessage> out;
  json doc;
  std::string_view type;
  if (!read_envelope(text, kMaxServerMessageBytes, doc, type, out.error)) return out;
  Fields f(doc, type, out.error);

  switch (index_of(kServerTypes, type)) {
    case position<Welcome, ServerMessage>: {
      Welcome m;
      if (f.int32("version", m.version) && read_list(f, "rooms", m.rooms, read_room) &&
          read_nested(f, "limits", m.limits, read_limits)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<RoomCreated, ServerMessage>: {
      RoomCreated m;
      if (read_nested(f, "room", m.room, read_room) && f.optional_string("owner", m.owner)) out.message = std::move(m);
      break;
    }
    case position<RoomUpdated, ServerMessage>: {
      RoomUpdated m;
      if (read_nested(f, "room", m.room, read_room)) out.message = std::move(m);
      break;
    }
    case position<Joined, ServerMessage>: {
      Joined m;
      if (read_nested(f, "room", m.room, read_room) && read_nested(f, "self", m.self, read_peer) &&
          f.string("token", m.token) && read_list(f, "peers", m.peers, read_peer)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<PeerJoined, ServerMessage>: {
      PeerJoined m;
      if (read_nested(f, "peer", m.peer, read_peer) && f.optional_boolean("resumed", m.resumed)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<Resumed, ServerMessage>: {
      Resumed m;
      if (read_nested(f, "room", m.room, read_room) && read_nested(f, "self", m.self, read_peer) &&
          f.string("token", m.token) && read_list(f, "peers", m.peers, read_peer) &&
          f.optional_boolean("restored", m.restored) && f.optional_whole_number("seen", kMaxId, m.seen) &&
          f.optional_boolean("missed", m.missed)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<Pong, ServerMessage>: {
      Pong m;
      if (f.optional_whole_number("seen", kMaxId, m.seen)) out.message = m;
      break;
    }
    case position<SessionToken, ServerMessage>: {
      SessionToken m;
      if (f.string("token", m.token)) out.message = std::move(m);
      break;
    }
    case position<IceConfig, ServerMessage>: {
      IceConfig m;
      std::string policy = "all";
      if (read_ice_servers(f, m.servers) && f.optional_string("policy", policy) && read_ice_policy(f, policy, m.policy) &&
          f.optional_whole_number("expires", kMaxId, m.expires)) {
        out.message = std::move(m);
      }
      break;
    }
    case position<LimitsChanged, ServerMessage>: {
      LimitsChanged m;
      if (read_nested(f, "limits", m.limits, read_limits)) out.message = m;
      break;
    }
    case position<RoomRemoved, ServerMessage>: {
      RoomRemoved m;
      if (f.id("room", m.room)) out.message = m;
      break;
    }
    case position<PeerLeft, ServerMessage>: {
      PeerLeft m;
      if (f.id("peer", m.peer)) out.message = m;
      break;
    }
    case position<RelayedSignal, ServerMessage>: {
      RelayedSignal m;
      if (f.id("from", m.signal.peer) && read_signal_body(f, m.signal)) out.message = std::move(m);
      break;
    }
    case position<RelayedMediaSignal, ServerMessage>: {
      RelayedMediaSignal m;
      if (read_media_signal(f, m.signal, /*streams=*/true)) out.message = std::move(m);
      break;
    }
    case position<RelayedPeerMessage, ServerMessage>: {
      RelayedPeerMessage m;
      if (f.id("from", m.from) && f.string("data", m.data) && read_peer_message_data(f, m.data)) out.message = std::move(m);
      break;
    }
    case position<MediaState, ServerMessage>: {
      MediaState m;
      std::string state;
      if (!f.string("state", state)) break;
      if (state == "up") m.state = MediaServerState::Up;
      else if (state == "down") m.state = MediaServerState::Down;
      else if (state == "reset") m.state = MediaServerState::Reset;
      else {
        f.invalid("state", "\"up\", \"down\" or \"reset\"");
        break;
      }
      out.message = m;
      break;
    }
    case position<PeerMedia, ServerMessage>: {
      PeerMedia m;
      if (f.id("peer", m.peer) && f.boolean("mic", m.mic) && f.boolean("camera", m.camera)) out.message = m;
      break;
    }
    case position<Left, ServerMessage>: {
      Left m;
      std::string reason = "requested";
      if (!f.optional_string("reason", reason)) break;
      if (reason == "requested") {
        m.reason = LeftReason::Requested;
      } else if (reason == "replaced") {
        m.reason = LeftReason::Replaced;
      } else if (reason == "room-deleted") {
        m.reason = LeftReason::RoomDeleted;
      } else {
        f.invalid("reason", "\"requested\", \"replaced\" or \"room-deleted\"");
        break;
      }
      out.message = m;
      break;
    }
    case position<Error, ServerMessage>: {
      Error m;
      std::string code;
      if (!f.string("code", code) || !f.string("message", m.message) || !f.optional_string("request", m.request)) {
        break;
      }
      // A code from a newer server is still an error the user should see: keep its message.
      m.code = error_code_from_string(code).value_or(ErrorCode::Internal);
      out.message = std::move(m);
      break;
    }
    default:
      unknown_type(out);
  }
  return out;
}

// ---- text rules ---------------------------------------------------------------------------------

bool is_valid_utf8(std::string_view text) {
  const std::size_t n = text.size();
  std::size_t pos = 0;
  while (pos < n) {
    // Fast path: SDP and most JSON are ASCII; skip 8 ASCII bytes at a time.
    if (pos + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + pos, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        pos += 8;
        continue;
      }
    }
    if (next_code_point(text, pos) == kInvalid) return false;
  }
  return true;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

std::string trim(std::string_view text) {
  // Scan forward (backward UTF-8 decoding is error-prone): keep from the first non-space code point to
  // the end of the last one. Invalid bytes count as non-space, so they are never silently dropped.
  std::size_t begin = text.size(), end = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    if (!is_space(next_code_point(text, pos))) {
      if (begin == text.size()) begin = start;
      end = pos;
    }
  }
  if (begin >= end) return {};
  return std::string(text.substr(begin, end - begin));
}

bool has_control_characters(std::string_view text, bool allow_line_breaks) {
  for (std::size_t pos = 0; pos < text.size();) {
    const char32_t cp = next_code_point(text, pos);
    if (is_control(cp) && !(allow_line_breaks && (cp == U'\n' || cp == U'\t'))) return true;
  }
  return false;
}

CheckedName check_display_name(std::string_view typed, std::size_t max_chars) {
  return check_name(typed, std::min(max_chars, kMaxNameChars));
}

CheckedName check_room_name(std::string_view typed, std::size_t max_chars) {
  return check_name(typed, std::min(max_chars, kMaxRoomNameChars));
}

std::optional<std::string> normalize_display_name(std::string_view name, std::size_t max_chars) {
  return ok_name(check_display_name(name, max_chars));
}

std::optional<std::string> normalize_room_name(std::string_view name, std::size_t max_chars) {
  return ok_name(check_room_name(name, max_chars));
}

bool is_valid_capacity(std::uint32_t capacity) { return capacity >= kMinCapacity && capacity <= kMaxCapacity; }

std::string room_name_key(std::string_view normalized_name) {
  std::string key(normalized_name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

}  // namespace moim::proto
