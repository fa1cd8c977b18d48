// libFuzzer target: the hub (server/hub.*) driven by a script of operations read from the input.
//
// The script format (read front to back, so seeds are easy to write: tests/fuzz/make_hub_seeds.py):
//   byte 0: configuration: bits 0-2 = room limit - 1 (1..8 rooms); bits 3-4 = the hub's message
//           limit: 1 = 256 bytes, 2 = 1 MiB (looser than the codec's own cap), else the protocol's 64 KiB.
//   then operations until the input runs out (at most kMaxSteps), each one op byte: bits 0-3 = the
//   operation (mod 13), bits 4-5 = the connection id (0..3); then its arguments:
//     0 connect  1 disconnect  7 leave  9 binary frame  10 oversize frame (limit + 1 bytes): none
//     2 raw text frame: u16 length (little endian) + that many bytes
//     3 hello: byte v: version 1 when v < 0xF0, else v - 0xF0 (0..15)
//     4 create-room: name, byte capacity (mod 11)
//     5 join: byte room id (mod 10), name, byte flags (bit 0 mic, bit 1 camera)
//     6 signal: byte to (mod 13), byte kind (mod 3: offer, answer, candidate); offer/answer: u16 length +
//       SDP bytes (when the script ends first, the bytes read are repeated to that length); candidate: u8 length + candidate, u8 length + sdpMid, byte sdpMLineIndex (mod 4)
//     8 media: byte flags     11 signal with "from": byte to (mod 13), byte from (mod 13)
//     12 an offer whose frame is within 128 bytes of the codec's 64 KiB cap, either side: byte to
//       (mod 13), byte b; the SDP is 65362 + b bytes (the rest of the script, repeated)
//   name: byte n: n < 0x80 picks kNames[n mod count], else u8 length + bytes.
//   Reading past the end gives zero bytes. Structured frames are encoded with proto::encode.
//   FUZZ_HUB_TRACE=1 in the environment prints every step (to read a regression input).
//
// Like the transport, every connection the hub asks to close is then disconnected.
//
// A shadow model (who is connected, who has been welcomed, which peer id each connection holds) is
// updated from the hub's own replies, and after every step these must hold (else abort, which
// libFuzzer reports as a crash):
//   - no frame is addressed to a connection that is not connected; closes only name the requester;
//   - every frame decodes with decode_server;
//   - replies and errors go only to the requester; room-updated only to welcomed connections and
//     equal to the registry's view; peer-joined / peer-left / peer-media only to other room members;
//     peer ids are never reused; every frame from an open connection is answered (but media);
//   - the registry: participants == members for every room, within capacity and the room limit; the
//     members of all rooms are exactly the peers the open connections hold;
//   - the hub with its signal fast path (HubConfig::signal_fast_path) sends exactly the frames, bytes
//     and closes of a mirror hub without it, fed the same script;
//   - a signal request yields exactly one frame: the relayed signal, to exactly the destination's
//     connection, with `from` set by the server to the sender's peer id and the body unchanged, or
//     one error to the sender (hello-required / not-in-room / peer-not-found) as the model predicts.
#include "hub.hpp"
#include "hub_world.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace moim;
using namespace moim::proto;

constexpr int kMaxSteps = 256;
constexpr ConnId kConnIds = 4;  // connections 0..3

// The last steps, printed on failure. Owned by the running Script, so that everything an input
// allocates is freed before it ends (else libFuzzer suspects a leak and runs LSan after every input).
std::deque<std::string>* g_trace = nullptr;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "\nfuzz_hub: invariant broken: %s\n  last steps (oldest first):\n", what.c_str());
  if (g_trace) {
    for (const std::string& step : *g_trace) std::fprintf(stderr, "    %s\n", step.c_str());
  }
  std::abort();
}

#define CHECK(cond, what)                                                          \
  do {                                                                             \
    if (!(cond)) fail(std::string(#cond) + " -- " + std::string(what));            \
  } while (0)

std::string clip(std::string_view text) {
  std::string out(text.substr(0, 160));
  if (text.size() > 160) out += "...(" + std::to_string(text.size()) + " bytes)";
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return out;
}

// Names that hit the registry's rules: trimming, case-insensitive uniqueness, limits, control characters.
const char* const kNames[] = {"Standup", "standup", "  STANDUP ", "김민지", "Joon", "", "   ", ("\xC2\xA0" "a\xE3\x80\x80"),
                              "tab\tinside", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg",
                              "\"quoted\\\"", "\xEF\xBB\xBFx"};

// Reads the script front to back; past the end every byte is 0.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool done() const { return p_ == end_; }
  std::uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
  std::uint16_t u16() {
    const std::uint16_t lo = byte();
    return static_cast<std::uint16_t>(lo | (byte() << 8));
  }
  // n bytes: as many as are left, then those repeated ("x" if none), so that a short script can
  // still send a frame of any size.
  std::string cycled(std::size_t n) {
    std::string out = bytes(n);
    if (out.empty()) out = "x";
    while (out.size() < n) out.append(out, 0, std::min(out.size(), n - out.size()));
    return out;
  }
  std::string bytes(std::size_t n) {
    n = std::min<std::size_t>(n, static_cast<std::size_t>(end_ - p_));
    std::string out(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return out;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

bool g_trace_all = false;  // FUZZ_HUB_TRACE=1

class Script {
 public:
  explicit Script(Reader& in) : in_(in) {
    g_trace = &trace_;
    const std::uint8_t config_byte = in_.byte();
    config_.registry.max_rooms = 1 + (config_byte & 7);
    // A looser limit than the codec's own 64 KiB cap is allowed; the codec's must then still apply.
    const int limit = (config_byte >> 3) & 3;
    if (limit == 1) config_.max_message_bytes = 256;
    if (limit == 2) config_.max_message_bytes = 1 << 20;
    config_ = test::test_config(config_);
    hub_.emplace(config_, world_.services());
    HubConfig general = config_;
    general.signal_fast_path = false;
    mirror_.emplace(general, mirror_world_.services());
    note("config: max_rooms " + std::to_string(config_.registry.max_rooms) + ", max_message_bytes " +
         std::to_string(config_.max_message_bytes));
  }

  void run() {
    for (int step = 0; step < kMaxSteps && !in_.done(); ++step) {
      one_step();
      // The server clock's lobby batch: room-list changes reach only welcomed conns in the lobby.
      in_batch_ = true;
      apply(both([](Hub& hub) { return hub.flush_lobby(); }), kNobody, /*closing=*/false);
      in_batch_ = false;
      check_invariants();
    }
  }

 private:
  struct Model {
    std::set<ConnId> connected;
    std::set<ConnId> welcomed;
    std::map<ConnId, PeerId> peer_of;
    std::set<PeerId> ever;  // every peer id handed out
  };

  void note(std::string step) {
    if (g_trace_all) std::fprintf(stderr, "step: %s\n", step.c_str());
    if (trace_.size() == 24) trace_.pop_front();
    trace_.push_back(std::move(step));
  }

  std::string name() {
    const std::uint8_t n = in_.byte();
    if (n < 0x80) return kNames[n % std::size(kNames)];
    return in_.bytes(in_.byte());
  }

  void one_step() {
    const std::uint8_t op = in_.byte();
    const ConnId c = (op >> 4) & (kConnIds - 1);
    switch ((op & 0x0F) % 13) {
      case 0:
        note("connect " + std::to_string(c));
        hub_->connect(c);
        mirror_->connect(c);
        model_.connected.insert(c);
        break;
      case 1:
        disconnect(c);
        break;
      case 2:
        text(c, in_.bytes(in_.u16()));
        break;
      case 3: {
        const std::uint8_t v = in_.byte();
        text(c, encode(ClientMessage{Hello{.version = v < 0xF0 ? kVersion : v - 0xF0}}));
        break;
      }
      case 4: {
        CreateRoom create{.name = name()};
        create.capacity = in_.byte() % 11;
        text(c, encode(ClientMessage{create}));
        break;
      }
      case 5: {
        Join join{.room = static_cast<RoomId>(in_.byte() % 10), .name = name()};
        const std::uint8_t flags = in_.byte();
        join.mic = flags & 1;
        join.camera = flags & 2;
        text(c, encode(ClientMessage{join}));
        break;
      }
      case 6: {
        Signal signal;
        signal.peer = in_.byte() % 13;
        signal.kind = static_cast<SignalKind>(in_.byte() % 3);
        if (signal.kind == SignalKind::Candidate) {
          signal.candidate.candidate = in_.bytes(in_.byte());
          signal.candidate.sdp_mid = in_.bytes(in_.byte());
          signal.candidate.sdp_mline_index = in_.byte() % 4;
        } else {
          signal.sdp = in_.cycled(in_.u16());
        }
        text(c, encode(ClientMessage{SendSignal{signal}}));
        break;
      }
      case 7:
        text(c, encode(ClientMessage{Leave{}}));
        break;
      case 8: {
        const std::uint8_t flags = in_.byte();
        text(c, encode(ClientMessage{SetMedia{.mic = (flags & 1) != 0, .camera = (flags & 2) != 0}}));
        break;
      }
      case 9: {
        note("binary " + std::to_string(c));
        const bool connected = model_.connected.contains(c);
        HubOutput out = both([&](Hub& hub) { return hub.on_binary(c); });
        CHECK(out.sends.size() == (connected ? 1u : 0u) && out.closes.empty(), "a binary frame gets one error");
        apply(out, c, /*closing=*/false);
        if (!out.sends.empty()) expect_error(out.sends[0], ErrorCode::BinaryNotSupported);
        break;
      }
      case 10: {
        // Just over the configured limit: a valid hello padded with spaces.
        std::string big = R"({"type":"hello","version":1})";
        big.resize(config_.max_message_bytes + 1, ' ');
        HubOutput out = text(c, big);
        if (!out.sends.empty()) expect_error(out.sends[0], ErrorCode::MessageTooLarge);
        break;
      }
      case 12: {
        Signal signal;
        signal.peer = in_.byte() % 13;
        signal.sdp = in_.cycled(kMaxMessageBytes - 46 - 128 + in_.byte());
        text(c, encode(ClientMessage{SendSignal{signal}}));
        break;
      }
      case 11: {
        // A signal that claims a sender: refused, nothing relayed.
        const PeerId to = in_.byte() % 13;
        const PeerId from = in_.byte() % 13;
        HubOutput out = text(c, R"({"type":"signal","from":)" + std::to_string(from) + R"(,"to":)" +
                                    std::to_string(to) + R"(,"kind":"offer","sdp":"v=0"})");
        if (!out.sends.empty() && model_.welcomed.contains(c)) expect_error(out.sends[0], ErrorCode::SpoofedSender);
        break;
      }
    }
  }

  // Runs one call on the hub and on its mirror (signal fast path off): same frames, same bytes.
  template <typename Call>
  HubOutput both(Call call) {
    HubOutput out = call(*hub_);
    const HubOutput general = call(*mirror_);
    CHECK(out.sends.size() == general.sends.size() && out.closes == general.closes,
          "the signal fast path changes what is sent");
    for (std::size_t i = 0; i < out.sends.size(); ++i) {
      CHECK(out.sends[i].to == general.sends[i].to && out.sends[i].text && general.sends[i].text &&
                test::without_tokens(*out.sends[i].text) == test::without_tokens(*general.sends[i].text),
            "the signal fast path changes frame " + std::to_string(i) + ": " +
                (out.sends[i].text ? clip(*out.sends[i].text) : "null") + " vs " +
                (general.sends[i].text ? clip(*general.sends[i].text) : "null"));
    }
    return out;
  }

  void expect_error(const Outgoing& o, ErrorCode code) {
    const Decoded<ServerMessage> d = decode_server(*o.text);
    CHECK(d.ok() && std::holds_alternative<Error>(*d.message) && std::get<Error>(*d.message).code == code,
          "expected error " + std::string(to_string(code)) + ", got " + clip(*o.text));
  }

  void disconnect(ConnId c) {
    note("disconnect " + std::to_string(c));
    model_.connected.erase(c);
    model_.welcomed.erase(c);
    model_.peer_of.erase(c);
    HubOutput out = both([&](Hub& hub) { return hub.disconnect(c); });
    apply(out, c, /*closing=*/true);
  }

  HubOutput text(ConnId c, const std::string& frame) {
    note("text " + std::to_string(c) + ": " + clip(frame));
    // What the model expects, decided before the hub runs.
    const bool connected = model_.connected.contains(c);
    const bool welcomed = model_.welcomed.contains(c);
    const std::optional<PeerId> self =
        model_.peer_of.contains(c) ? std::optional<PeerId>(model_.peer_of.at(c)) : std::nullopt;
    std::optional<ClientMessage> request;
    if (frame.size() <= config_.max_message_bytes) {
      Decoded<ClientMessage> d = decode_client(frame);
      if (d.ok()) request = std::move(*d.message);
    }

    HubOutput out = both([&](Hub& hub) { return hub.on_text(c, frame); });
    if (!connected) {
      CHECK(out.sends.empty() && out.closes.empty(), "frame from a closed conn answered");
      return out;
    }
    // Every frame from an open connection is answered, except media: the sender gets nothing back
    // (and when it is alone in its room, nobody does).
    CHECK(!out.sends.empty() || (request && welcomed && std::holds_alternative<SetMedia>(*request) && self),
          "every frame from an open conn is answered");
    if (!request) {
      CHECK(out.sends.size() == 1, "a refused frame gets exactly one error");
      expect_error_any(out.sends[0], c);
    } else if (!welcomed && !std::holds_alternative<Hello>(*request)) {
      CHECK(out.sends.size() == 1, "a request before hello gets exactly one error");
      expect_error(out.sends[0], ErrorCode::HelloRequired);
    } else if (const auto* send = std::get_if<SendSignal>(&*request)) {
      check_signal(out, c, self, send->signal);
    }
    apply(out, c, /*closing=*/false);
    for (const ConnId closed : out.closes) disconnect(closed);  // as the transport does after flushing
    return out;
  }

  void expect_error_any(const Outgoing& o, ConnId c) {
    CHECK(o.to == c, "an error goes to the requester");
    const Decoded<ServerMessage> d = decode_server(*o.text);
    CHECK(d.ok() && std::holds_alternative<Error>(*d.message), "expected an error, got " + clip(*o.text));
  }

  // A signal request from a welcomed connection: exactly one frame, relayed or refused as the model says.
  void check_signal(const HubOutput& out, ConnId c, std::optional<PeerId> self, const Signal& request) {
    CHECK(out.sends.size() == 1 && out.closes.empty(), "a signal yields exactly one frame");
    const Outgoing& o = out.sends[0];
    std::optional<ConnId> dest;
    if (self) {
      for (const auto& [conn, peer] : model_.peer_of) {
        if (peer == request.peer && conn != c && hub_->registry().room_of(peer) == hub_->registry().room_of(*self)) {
          dest = conn;
        }
      }
    }
    const Decoded<ServerMessage> d = decode_server(*o.text);
    CHECK(d.ok(), "signal output decodes");
    if (!dest) {
      CHECK(o.to == c, "a refused signal is answered to the sender only");
      expect_error(o, self ? ErrorCode::PeerNotFound : ErrorCode::NotInRoom);
      return;
    }
    CHECK(o.to == *dest, "the signal goes to the destination's connection (" + std::to_string(*dest) + "), not " +
                             std::to_string(o.to));
    CHECK(std::holds_alternative<RelayedSignal>(*d.message), "relayed as a signal: " + clip(*o.text));
    Signal expected = request;
    expected.peer = *self;
    CHECK(std::get<RelayedSignal>(*d.message).signal == expected, "from = the sender's peer id, body unchanged");
  }

  // Checks each frame against the model and updates the model from the replies.
  void apply(const HubOutput& out, ConnId actor, bool closing) {
    for (const Outgoing& o : out.sends) {
      CHECK(model_.connected.contains(o.to), "frame addressed to conn " + std::to_string(o.to) + ", not connected");
      CHECK(o.text != nullptr, "frame without text");
      const Decoded<ServerMessage> d = decode_server(*o.text);
      CHECK(d.ok(), "frame does not decode: " + d.error.message + ": " + clip(*o.text));
      const ServerMessage& msg = *d.message;
      const bool to_actor = o.to == actor;
      const std::optional<PeerId> recipient_peer =
          model_.peer_of.contains(o.to) ? std::optional<PeerId>(model_.peer_of.at(o.to)) : std::nullopt;

      if (std::holds_alternative<Welcome>(msg) || std::holds_alternative<RoomCreated>(msg) ||
          std::holds_alternative<Joined>(msg) || std::holds_alternative<Left>(msg) ||
          std::holds_alternative<Error>(msg)) {
        CHECK(to_actor && !closing, std::string(type_name(msg)) + " goes to the requester only");
      }
      if (const auto* welcome = std::get_if<Welcome>(&msg)) {
        CHECK(welcome->version == kVersion, "welcome version");
        CHECK(welcome->rooms == hub_->registry().list(), "welcome lists every room");
        model_.welcomed.insert(o.to);
      } else if (const auto* updated = std::get_if<RoomUpdated>(&msg)) {
        CHECK(in_batch_, "room-updated outside the lobby batch");
        CHECK(!recipient_peer, "room-updated to a conn in a call");
        CHECK(model_.welcomed.contains(o.to), "room-updated to a conn that has not said hello");
        CHECK(hub_->registry().info(updated->room.id) == updated->room, "room-updated is the registry's view");
      } else if (const auto* created = std::get_if<RoomCreated>(&msg)) {
        CHECK(hub_->registry().info(created->room.id) == created->room, "room-created is the registry's view");
        CHECK(created->room.participants == 0, "a new room is empty");
      } else if (const auto* joined = std::get_if<Joined>(&msg)) {
        CHECK(!recipient_peer, "joined while already holding a peer id");
        CHECK(!model_.ever.contains(joined->self.id) && joined->self.id != 0, "peer id reused or zero");
        CHECK(joined->room.participants == joined->peers.size() + 1, "joined: participants = peers + self");
        CHECK(normalize_display_name(joined->self.name) == joined->self.name, "joined: name sent trimmed");
        std::vector<PeerId> members;
        for (const PeerInfo& p : joined->peers) members.push_back(p.id);
        members.push_back(joined->self.id);
        CHECK(hub_->registry().members(joined->room.id) == members, "joined: peers + self are the members");
        model_.peer_of[o.to] = joined->self.id;
        model_.ever.insert(joined->self.id);
      } else if (std::holds_alternative<Left>(msg)) {
        CHECK(recipient_peer.has_value(), "left without being in a room");
        model_.peer_of.erase(o.to);
      } else if (const auto* pj = std::get_if<PeerJoined>(&msg)) {
        CHECK(!to_actor && recipient_peer && *recipient_peer != pj->peer.id, "peer-joined to another member");
        CHECK(hub_->registry().room_of(*recipient_peer) == hub_->registry().room_of(pj->peer.id),
              "peer-joined within the room");
      } else if (const auto* pl = std::get_if<PeerLeft>(&msg)) {
        CHECK(!to_actor && recipient_peer && *recipient_peer != pl->peer, "peer-left to another member");
        CHECK(!hub_->registry().room_of(pl->peer), "peer-left for a peer still in a room");
      } else if (const auto* pm = std::get_if<PeerMedia>(&msg)) {
        CHECK(!to_actor && recipient_peer && model_.peer_of.contains(actor) && pm->peer == model_.peer_of.at(actor),
              "peer-media from the sender's own peer id to another member");
        CHECK(hub_->registry().room_of(*recipient_peer) == hub_->registry().room_of(pm->peer),
              "peer-media within the room");
      } else if (std::holds_alternative<RelayedSignal>(msg)) {
        CHECK(!to_actor && !closing && recipient_peer, "signal relayed to another member");  // details: check_signal
      }
    }
    for (const ConnId closed : out.closes) {
      CHECK(closed == actor && !closing && model_.connected.contains(closed), "close names the requester");
    }
  }

  void check_invariants() {
    const Hub& hub = *hub_;
    const RoomRegistry& registry = hub.registry();
    CHECK(hub.connection_count() == model_.connected.size(), "connection count");
    const std::vector<RoomInfo> rooms = registry.list();
    CHECK(rooms.size() == registry.room_count() && rooms.size() <= config_.registry.max_rooms, "room count");
    std::set<PeerId> members;
    for (const RoomInfo& room : rooms) {
      const std::vector<PeerId> in_room = registry.members(room.id);
      CHECK(room.participants == in_room.size(), "room " + std::to_string(room.id) + ": participants == members");
      CHECK(is_valid_capacity(room.capacity) && room.participants <= room.capacity, "room within capacity");
      CHECK(normalize_room_name(room.name) == room.name, "room name stored trimmed");
      for (const PeerId p : in_room) {
        CHECK(members.insert(p).second, "a peer in two rooms (or twice in one)");
        CHECK(registry.room_of(p) == room.id, "room_of agrees with members");
      }
    }
    std::set<PeerId> held;
    for (const auto& [c, p] : model_.peer_of) {
      CHECK(model_.connected.contains(c), "a closed conn holds a peer id");
      held.insert(p);
    }
    CHECK(members == held, "room members are exactly the peers the open connections hold");
  }

  Reader& in_;
  std::deque<std::string> trace_;
  HubConfig config_;
  test::HubWorld world_, mirror_world_;
  std::optional<Hub> hub_;     // as configured in the server (signal fast path on)
  std::optional<Hub> mirror_;  // the same with signal_fast_path off, fed the same script
  static constexpr ConnId kNobody = ~ConnId{0};  // the actor of a lobby batch: no request caused it
  bool in_batch_ = false;
  Model model_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* trace = std::getenv("FUZZ_HUB_TRACE");
  g_trace_all = trace && *trace && *trace != '0';
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in(data, size);
  {
    Script script(in);
    script.run();
  }
  g_trace = nullptr;
  return 0;
}
