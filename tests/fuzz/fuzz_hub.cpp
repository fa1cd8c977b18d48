// libFuzzer target: the hub (server/hub.*) driven by a script of operations read from the input.
//
// The script format (read front to back, so seeds are easy to write: tests/fuzz/make_seeds.py):
//   byte 0: configuration: bits 0-2 = room limit - 1 (1..8 rooms); bits 3-4 = the hub's message
//           limit: 1 = 256 bytes, 2 = 1 MiB (looser than the codec's own cap), else the protocol's 64 KiB;
//           bit 5: resume grace 0 (a lost connection leaves at once); bit 6: ICE servers (the built-in
//           STUN and TURN with credentials, kTurnTtl), else none; bit 7: ICE policy relay.
//   then operations until the input runs out (at most kMaxSteps), each one op byte: bits 0-3 = the
//   operation, bits 4-5 = the connection id (0..3), bit 6 = the address of a connect (two addresses),
//   bit 7 = the Host header of a connect (kHosts: one that can go into a URI, one that cannot);
//   then its arguments:
//     0 connect  1 disconnect (close frame)  7 leave  9 binary frame  10 oversize frame (limit + 1 bytes): none
//     2 raw text frame: u16 length (little endian) + that many bytes  (15 is 2 as well)
//     3 hello: byte v: version 1 when v < 0xF0, else v - 0xF0 (0..15)
//     4 create-room: name, byte capacity (mod 11)
//     5 join: byte room id (mod 10), name, byte flags (bit 0 mic, bit 1 camera)
//     6 signal: byte to (mod 13), byte kind (mod 3: offer, answer, candidate); offer/answer: u16 length +
//       SDP bytes (when the script ends first, the bytes read are repeated to that length); candidate: u8 length + candidate, u8 length + sdpMid, byte sdpMLineIndex (mod 4)
//     8 media: byte flags     11 signal with "from": byte to (mod 13), byte from (mod 13)
//     12 an offer whose frame is within 128 bytes of the codec's 64 KiB cap, either side: byte to
//       (mod 13), byte b; the SDP is 65362 + b bytes (the rest of the script, repeated)
//     13 clock: byte b: b < 0xE0: + (b + 1) * 50 ms, else + kBigSteps[b & 7]; then tick() on both hubs
//     14 more: byte s, then by s mod 8:
//        0 resume: byte t (a token seen in this run: index t mod count), byte m, byte p: m mod 4 = 0:
//          as seen, 1: the character at p replaced by the next byte, 2: cut to p characters, 3: the
//          MAC of seen token p; then name, byte flags (bits 0-1 media, bits 2-3 client id: kClients)
//        1 create-room with a password: name, byte capacity (mod 11), byte password (kPasswords)
//        2 join with a password: byte room id (mod 10), name, byte password (kPasswords), byte flags
//          (bits 0-1 media, bits 2-3 client id: kClients)
//        3 finish a password job: byte j (the pending job j mod count), byte r (r mod 4 == 3: the
//          hasher fails); the fake hasher: hash = "fake:" + password, verify compares
//        4 rename-room: byte room id (mod 10), byte owner (even: the room's owner token, odd: another
//          room's or a made-up one), name
//        5 delete-room: byte room id (mod 10), byte owner (as for rename)
//        6 disconnect, connection lost (Departure::Lost: held for the grace window)
//        7 restart: both hubs are destroyed and made again on the same stores and key (the main hub
//          on a real SqliteRoomStore in a directory under /dev/shm, emptied for every input)
//   name: byte n: n < 0x80 picks kNames[n mod count], else u8 length + bytes.
//   Reading past the end gives zero bytes. Structured frames are encoded with proto::encode.
//   FUZZ_HUB_TRACE=1 in the environment prints every step (to read a regression input).
//
// Like the transport, every connection the hub asks to close is then disconnected.
//
// A shadow model (who is connected and from which address, who has been welcomed, which peer id each
// connection holds, every session with its room and state: attached, held, stored at the last restart,
// ended; every room with its owner token and creation time; the password jobs in flight; every token
// seen) is updated from the hub's own replies, and after every step these must hold (else abort,
// which libFuzzer reports as a crash):
//   - no frame is addressed to a connection that is not connected; closes name the requester (version
//     mismatch), the older connection of a resumed session, or (tick) exactly the silent connections;
//   - every frame decodes with decode_server;
//   - replies and errors go only to the requester; welcome + left (replaced, room-deleted) to the
//     members concerned, welcome just before left; room-updated / room-removed only in flush_lobby
//     output, only to welcomed connections not in a call, equal to the registry's view; `token` only
//     from tick, only to connections in a call, for their own session; peer-joined / peer-left /
//     peer-media only to other room members; peer ids and room ids are never reused, across restarts
//     too; every frame from an open connection is answered (but media and password requests);
//   - ice: only to a connection outside a call immediately before its joined / resumed, with TURN
//     credentials (username "<now + ttl>:<that peer>", credential the HMAC of the secret) for the
//     peer joined or resumed, or from a tick to a connection in a call for its own peer; the policy
//     as configured; {host} filled in with the connection's host or, for the one that cannot go into
//     a URI, those URIs left out; every joined / resumed right after an ice; after a tick no
//     connected session's newest credentials are half kTurnTtl old (with TURN configured);
//   - resume: `resumed` only for a token seen in this run (no edited spelling), not older than
//     session_max_age_s, for a session that is attached or held in this run or was stored at the last
//     restart and not restored since (then restored: true, else false), never one that ended (leave,
//     close frame, grace expiry, replaced, room deleted), into exactly the token's room instance; and a
//     fresh token of a session live in this run is always resumed; held sessions end at grace expiry;
//     after a tick no connected session's newest token is half session_max_age_s old;
//   - passwords: a locked room is joined only when a password job for that connection and room just
//     finished with the right password, and a locked room is created only from a finished hash job; no
//     address has more password jobs in flight than max_password_jobs_per_address, nor more checks
//     started in failure_window_ms than max_failures_per_address; too-many-attempts / server-busy only
//     when the requester's own address (or connection) is over a limit: one address never throttles another;
//   - rename-room / delete-room change a room only with its owner token (and delete with it always does);
//     rooms change name or disappear only then (or expire, empty, at a tick);
//   - a restart keeps every room (id, name, capacity, lock) and nothing else;
//   - the registry: participants == members for every room, within capacity and the room limit; the
//     members of all rooms are exactly the peers the open connections hold plus the held sessions;
//   - the hub with its signal fast path (HubConfig::signal_fast_path) sends exactly the frames, bytes,
//     closes and password jobs of a mirror hub without it (on a MemoryRoomStore), fed the same script;
//   - a signal request yields exactly one frame: the relayed signal, to exactly the destination's
//     connection, with `from` set by the server to the sender's peer id, `seq` the destination
//     session's next number (counted on across a resume, from 1 after a restart; a signal for a held
//     session is numbered too and sends nothing) and the body unchanged, or one error to the sender
//     (hello-required / not-in-room / peer-not-found) as the model predicts; a signal whose `seq` the
//     sender's session already gave is dropped without a word.
#include "hub.hpp"
#include "hub_world.hpp"
#include "sqlite_room_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using namespace moim;
using namespace moim::proto;

constexpr int kMaxSteps = 256;
constexpr ConnId kConnIds = 4;  // connections 0..3
constexpr std::int64_t kStartMs = 1'000'000;
constexpr std::int64_t kStartUnix = 1'800'000'000;
// The big clock steps: about the grace window, half and whole token age, an hour, past room expiry.
constexpr std::int64_t kBigSteps[] = {19'999, 20'000, 60'000, 150'000, 300'000, 301'000, 3'600'000, 31LL * 24 * 3'600'000};
const char* const kAddresses[] = {"192.0.2.1", "198.51.100.7"};
const char* const kHosts[] = {"moim.example:8080", "evil\"host"};
constexpr std::int64_t kTurnTtl = 60;  // --turn-ttl's minimum: refreshed every 30 s, within a few pings
constexpr const char* kTurnSecret = "fuzz-secret";
const char* const kPasswords[] = {"", "pw1", "pw2", "p\"w"};
const char* const kClients[] = {"", "tabA", "tabB", "tabA"};
constexpr ConnId kNobody = ~ConnId{0};  // the actor of a lobby batch or a tick: no request caused it

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
std::filesystem::path g_store_dir;  // the main hub's SQLite data directory (this process's own)
// FUZZ_HUB_MEMORY_STORE=1: the main hub on a MemoryRoomStore kept across restarts instead (to
// measure what SQLite costs).
bool g_memory_store = false;

// The main hub's store: SQLite in a directory of its own, emptied for every input; a restart closes
// it and opens it again, as a new server process would.
std::unique_ptr<server::RoomStore> open_store(bool empty) {
  if (g_memory_store) return std::make_unique<server::MemoryRoomStore>();
  std::error_code ignored;
  if (empty) std::filesystem::remove_all(g_store_dir, ignored);
  std::string error;
  std::unique_ptr<server::RoomStore> store = server::SqliteRoomStore::open(g_store_dir, error);
  CHECK(store != nullptr, "cannot open the SQLite store: " + error);
  return store;
}

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
    if (config_byte & 0x20) config_.resume_grace_ms = 0;
    if (config_byte & 0x40) {
      config_.ice.stun_port = 8080;
      config_.ice.turn_uris = {"turn:{host}:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"};
      config_.ice.turn_secret = kTurnSecret;
      config_.ice.turn_ttl_s = kTurnTtl;
    }
    if (config_byte & 0x80) config_.ice.policy = IcePolicy::Relay;
    config_ = test::test_config(config_);
    store_ = open_store(/*empty=*/true);
    start_hubs();
    note("config: max_rooms " + std::to_string(config_.registry.max_rooms) + ", max_message_bytes " +
         std::to_string(config_.max_message_bytes) + ", resume_grace_ms " + std::to_string(config_.resume_grace_ms));
  }

  void run() {
    for (int step = 0; step < kMaxSteps && !in_.done(); ++step) {
      before_ = hub_->registry().list();
      step_ = Step{};
      one_step();
      // The server clock's lobby batch: room-list changes reach only welcomed conns in the lobby.
      in_batch_ = true;
      apply(both([](Hub& hub) { return hub.flush_lobby(); }), kNobody, /*closing=*/false);
      in_batch_ = false;
      after_step();
      check_invariants();
    }
  }

 private:
  enum class State { Attached, Held, Stored, Ended };
  struct Session {
    RoomId room = 0;
    State state = State::Attached;
    std::optional<ConnId> conn;
    std::int64_t lost_ms = 0;
    std::int64_t newest_token = 0;  // unix seconds of the newest token sent
    std::int64_t newest_ice = 0;    // unix seconds of the newest ice sent
    // Signal numbers (docs/PROTOCOL.md, "Signals that survive a drop"): the last one the hub gave a
    // signal for this session, and the highest one it took from it. Kept across a resume, from 1
    // again after a restart.
    std::uint64_t seq_out = 0;
    std::uint64_t seen_in = 0;
  };
  struct RoomModel {
    std::int64_t created = 0;  // unix seconds (the hub's created_at)
    std::string owner, mirror_owner;  // owner tokens of the main hub and of the mirror
    std::string name;
    bool gone = false;
  };
  struct Job {
    PasswordJob job;
    ConnId conn = 0;
    std::string address;
    RoomId room = 0;  // for a check: the room asked for
  };
  struct Model {
    std::set<ConnId> connected;
    std::set<ConnId> welcomed;
    std::map<ConnId, PeerId> peer_of;
    std::map<ConnId, std::string> address;
    std::map<ConnId, std::string> host;  // the Host header it connected with
    std::map<ConnId, std::int64_t> last_heard;
    std::set<PeerId> ever;   // every peer id handed out, across restarts
    std::set<RoomId> ever_rooms;
    std::map<PeerId, Session> sessions;
    std::map<RoomId, RoomModel> rooms;
    std::vector<Job> jobs;  // password jobs in flight (results not yet delivered)
    std::map<std::string, std::vector<std::int64_t>> checks_started;  // per address, steady ms
    std::map<std::pair<std::string, RoomId>, std::size_t> wrong;       // wrong passwords delivered
    std::map<std::pair<std::string, RoomId>, std::int64_t> next_try;   // the growing wait after them
    std::vector<std::string> tokens;  // session tokens seen, oldest first
    std::set<std::string> token_set;
    std::int64_t restart_unix = 0;
  };
  // What the current step is, for the checks that depend on who asked.
  struct Step {
    enum Kind { Other, Tick, Resume, Result, Rename, Delete, Create, Join } kind = Other;
    ConnId conn = kNobody;
    std::optional<Job> job;       // Result: the job finished
    bool job_ok = false;          // Result: the fake hasher said yes
    RoomId room = 0;              // Rename / Delete / Join: the room named
    bool right_owner = false;     // Rename / Delete
    std::string token;            // Resume
    std::optional<ConnId> taken_over;  // Resume: the older connection of the session
    bool replaying = false;       // Resume: the held messages follow `resumed`
  };

  void start_hubs() {
    hub_.emplace(config_, HubServices{*store_, *world_.secrets});
    CHECK(hub_->startup_error().empty(), "main hub start: " + hub_->startup_error());
    HubConfig general = config_;
    general.signal_fast_path = false;
    mirror_.emplace(general, mirror_world_.services());
    CHECK(mirror_->startup_error().empty(), "mirror hub start: " + mirror_->startup_error());
    set_time();
  }

  void set_time() {
    const std::int64_t unix = kStartUnix + (now_ms_ - kStartMs) / 1000;
    hub_->set_time(now_ms_, unix);
    mirror_->set_time(now_ms_, unix);
  }
  std::int64_t now_unix() const { return kStartUnix + (now_ms_ - kStartMs) / 1000; }

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
    // Connection ids are never reused (as in the server): script connection i is the newest
    // connection opened as i.
    const std::size_t logical = (op >> 4) & (kConnIds - 1);
    if ((op & 0x0F) == 0 && !model_.connected.contains(conn_ids_[logical])) conn_ids_[logical] = next_conn_++;
    const ConnId c = conn_ids_[logical];
    switch (op & 0x0F) {
      case 0: {
        note("connect " + std::to_string(c));
        const std::string address = kAddresses[(op >> 6) & 1];
        const std::string host = kHosts[(op >> 7) & 1];
        hub_->connect(c, address, host);
        mirror_->connect(c, address, host);
        if (!model_.connected.contains(c)) {
          model_.address[c] = address;
          model_.host[c] = host;
          model_.last_heard[c] = now_ms_;
        }
        model_.connected.insert(c);
        break;
      }
      case 1:
        disconnect(c, Hub::Departure::Closed);
        break;
      case 2:
      case 15:
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
        step_.kind = Step::Create;
        text(c, encode(ClientMessage{create}));
        break;
      }
      case 5: {
        Join join{.room = static_cast<RoomId>(in_.byte() % 10), .name = name()};
        const std::uint8_t flags = in_.byte();
        join.mic = flags & 1;
        join.camera = flags & 2;
        step_.kind = Step::Join;
        step_.room = join.room;
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
        if (connected) model_.last_heard[c] = now_ms_;
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
      case 13:
        clock(in_.byte());
        break;
      case 14:
        more(c, in_.byte());
        break;
    }
  }

  void more(ConnId c, std::uint8_t sub) {
    switch (sub % 8) {
      case 0:
        resume(c);
        break;
      case 1: {
        CreateRoom create{.name = name()};
        create.capacity = in_.byte() % 11;
        create.password = kPasswords[in_.byte() % std::size(kPasswords)];
        step_.kind = Step::Create;
        text(c, encode(ClientMessage{create}));
        break;
      }
      case 2: {
        Join join{.room = static_cast<RoomId>(in_.byte() % 10), .name = name()};
        join.password = kPasswords[in_.byte() % std::size(kPasswords)];
        const std::uint8_t flags = in_.byte();
        join.mic = flags & 1;
        join.camera = flags & 2;
        join.client = kClients[(flags >> 2) & 3];
        step_.kind = Step::Join;
        step_.room = join.room;
        text(c, encode(ClientMessage{join}));
        break;
      }
      case 3:
        password_result(in_.byte(), in_.byte());
        break;
      case 4:
      case 5: {
        const bool rename = sub % 8 == 4;
        const RoomId room = in_.byte() % 10;
        const std::uint8_t owner_pick = in_.byte();
        std::string owner = "0123456789abcdef0123456789abcdef", mirror_owner = owner;
        step_.right_owner = false;
        if (const auto it = model_.rooms.find(room); it != model_.rooms.end() && owner_pick % 2 == 0) {
          owner = it->second.owner;
          mirror_owner = it->second.mirror_owner;
          step_.right_owner = true;
        } else if (!model_.rooms.empty() && owner_pick % 4 == 1) {
          // Another room's owner token.
          auto other = model_.rooms.begin();
          std::advance(other, (owner_pick / 4) % model_.rooms.size());
          owner = other->second.owner;
          mirror_owner = other->second.mirror_owner;
          step_.right_owner = other->first == room;
        }
        step_.kind = rename ? Step::Rename : Step::Delete;
        step_.room = room;
        step_.conn = c;
        std::string frame, mirror_frame;
        if (rename) {
          const std::string new_name = name();
          frame = encode(ClientMessage{RenameRoom{.room = room, .name = new_name, .owner = owner}});
          mirror_frame = encode(ClientMessage{RenameRoom{.room = room, .name = new_name, .owner = mirror_owner}});
        } else {
          frame = encode(ClientMessage{DeleteRoom{.room = room, .owner = owner}});
          mirror_frame = encode(ClientMessage{DeleteRoom{.room = room, .owner = mirror_owner}});
        }
        text(c, frame, &mirror_frame);
        break;
      }
      case 6:
        disconnect(c, Hub::Departure::Lost);
        break;
      case 7:
        restart();
        break;
    }
  }

  // ---- the new operations ---------------------------------------------------------------------

  void clock(std::uint8_t b) {
    const std::int64_t step = b < 0xE0 ? (b + 1) * 50 : kBigSteps[b & 7];
    now_ms_ += step;
    note("clock +" + std::to_string(step) + " ms, tick");
    set_time();
    step_.kind = Step::Tick;
    // Who the tick must find silent, and which sessions it must end.
    std::set<ConnId> silent;
    for (const ConnId c : model_.connected) {
      if (now_ms_ - model_.last_heard[c] >= config_.heartbeat_timeout_ms) silent.insert(c);
    }
    HubOutput out = both([](Hub& hub) { return hub.tick(); });
    CHECK(std::set<ConnId>(out.closes.begin(), out.closes.end()) == silent && out.closes.size() == silent.size(),
          "tick closes exactly the silent connections");
    // (Without a grace window, a silent connection may still hear of another one's leaving in the
    // same tick, before its own turn comes.)
    apply(out, kNobody, /*closing=*/false);
    // The silent connections' sessions are held (or end, without a grace window).
    for (const ConnId c : silent) {
      if (const auto p = model_.peer_of.find(c); p != model_.peer_of.end()) {
        Session& s = model_.sessions.at(p->second);
        s.conn.reset();
        s.state = config_.resume_grace_ms > 0 ? State::Held : State::Ended;
        s.lost_ms = now_ms_;
        model_.peer_of.erase(p);
      }
    }
    // Held past the grace window: ended, and out of the registry.
    for (auto& [peer, s] : model_.sessions) {
      if (s.state == State::Held && now_ms_ - s.lost_ms >= config_.resume_grace_ms) {
        CHECK(!hub_->registry().room_of(peer), "a held session outlives the grace window: peer " + std::to_string(peer));
        s.state = State::Ended;
      }
    }
    // Every token of the last run has expired: its stored sessions are gone for good.
    for (auto& [peer, s] : model_.sessions) {
      if (s.state == State::Stored && now_unix() > model_.restart_unix + config_.session_max_age_s) s.state = State::Ended;
    }
    // Connected sessions have a token younger than half the maximum age, and TURN credentials
    // younger than half their lifetime.
    for (const auto& [peer, s] : model_.sessions) {
      if (s.state == State::Attached) {
        CHECK(now_unix() - s.newest_token < config_.session_max_age_s / 2,
              "no fresh token for connected peer " + std::to_string(peer));
        CHECK(!config_.ice.has_turn() || now_unix() - s.newest_ice < config_.ice.turn_ttl_s / 2,
              "no fresh TURN credentials for connected peer " + std::to_string(peer));
      }
    }
    for (const ConnId c : silent) disconnect(c, Hub::Departure::Lost);  // as the transport does
  }

  void resume(ConnId c) {
    std::string token = "s2.1.1.1.1.0000000000000000." + std::string(64, '0');
    const std::uint8_t t = in_.byte(), m = in_.byte();
    if (!model_.tokens.empty()) token = model_.tokens[t % model_.tokens.size()];
    const std::uint8_t p = in_.byte();
    switch (m % 4) {
      case 1:
        if (!token.empty()) token[p % token.size()] = static_cast<char>(in_.byte());
        break;
      case 2:
        token.resize(std::min<std::size_t>(token.size(), p));
        break;
      case 3:
        if (!model_.tokens.empty()) {
          const std::string& other = model_.tokens[p % model_.tokens.size()];
          token = token.substr(0, token.rfind('.')) + other.substr(other.rfind('.'));
        }
        break;
    }
    Resume req{.token = token, .name = name()};
    const std::uint8_t flags = in_.byte();
    req.mic = flags & 1;
    req.camera = flags & 2;
    req.client = kClients[(flags >> 2) & 3];
    step_.kind = Step::Resume;
    step_.conn = c;
    step_.token = token;
    const std::string frame = encode(ClientMessage{req});

    // A fresh token of a session live in this run is always resumed.
    bool must = false;
    const std::optional<server::SessionClaims> claims = world_.secrets->verify_session(token);
    if (claims && model_.connected.contains(c) && model_.welcomed.contains(c) && !model_.peer_of.contains(c) &&
        frame.size() <= config_.max_message_bytes && now_unix() - claims->issued_at <= config_.session_max_age_s &&
        claims->issued_at <= now_unix()) {
      const auto s = model_.sessions.find(claims->peer);
      const auto r = model_.rooms.find(claims->room);
      must = s != model_.sessions.end() && (s->second.state == State::Attached || s->second.state == State::Held) &&
             s->second.room == claims->room && r != model_.rooms.end() && !r->second.gone &&
             r->second.created == claims->room_created;
    }
    HubOutput out = text(c, frame);
    if (must) {
      bool resumed = false;
      for (const Outgoing& o : out.sends) {
        const Decoded<ServerMessage> d = decode_server(*o.text);
        resumed |= o.to == c && d.ok() && std::holds_alternative<Resumed>(*d.message);
      }
      CHECK(resumed, "a fresh token of a live session is not resumed: " + clip(out.sends.empty() ? "" : *out.sends[0].text));
    }
  }

  void password_result(std::uint8_t j, std::uint8_t r) {
    if (model_.jobs.empty()) {
      note("password result: no job in flight");
      return;
    }
    const std::size_t index = j % model_.jobs.size();
    const Job job = model_.jobs[index];
    model_.jobs.erase(model_.jobs.begin() + static_cast<std::ptrdiff_t>(index));
    PasswordResult result{.id = job.job.id, .ok = false, .hash = {}, .error = {}};
    if (r % 4 == 3) {
      result.error = "the fake hasher failed";
    } else if (job.job.kind == PasswordJob::Kind::Hash) {
      result.ok = true;
      result.hash = "fake:" + job.job.password;
    } else {
      result.ok = job.job.hash == "fake:" + job.job.password;
    }
    note("password result: job " + std::to_string(job.job.id) + (job.job.kind == PasswordJob::Kind::Hash ? " hash" : " check") +
         " of conn " + std::to_string(job.conn) + (result.ok ? " ok" : result.error.empty() ? " wrong" : " error"));
    const bool same_conn = model_.connected.contains(job.conn);
    // A wrong password counts against its address and room whether or not its connection is still
    // there to hear it (else closing the connection right after each try would skip every wait).
    if (job.job.kind == PasswordJob::Kind::Verify && !result.ok && result.error.empty()) {
      const std::size_t count = ++model_.wrong[{job.address, job.room}];
      if (count >= config_.free_failures_per_room) {
        std::int64_t delay = config_.failure_first_delay_ms;
        for (std::size_t n = config_.free_failures_per_room; n < count && delay < config_.failure_max_delay_ms; ++n) delay *= 2;
        model_.next_try[{job.address, job.room}] = now_ms_ + std::min(delay, config_.failure_max_delay_ms);
      }
    }
    // The right password starts the count over (when there is a connection to admit, as in the hub).
    if (job.job.kind == PasswordJob::Kind::Verify && result.ok && same_conn && hub_->registry().info(job.room)) {
      model_.wrong.erase({job.address, job.room});
      model_.next_try.erase({job.address, job.room});
    }
    step_.kind = Step::Result;
    step_.job = job;
    step_.job_ok = result.ok;
    step_.conn = job.conn;
    HubOutput out = both([&](Hub& hub) { return hub.on_password_result(result); });
    CHECK(out.password_jobs.empty() && out.closes.empty(), "a password result starts no job and closes nothing");
    if (!same_conn) CHECK(out.sends.empty(), "a password result for a connection that is gone is answered");
    apply(out, same_conn ? job.conn : kNobody, /*closing=*/false);
  }

  void restart() {
    note("restart");
    std::vector<RoomInfo> rooms = hub_->registry().list();
    for (RoomInfo& room : rooms) room.participants = 0;
    mirror_.reset();
    hub_.reset();
    if (!g_memory_store) {
      store_.reset();
      store_ = open_store(/*empty=*/false);
    }
    start_hubs();
    CHECK(hub_->registry().list() == rooms, "a restart keeps the rooms");
    CHECK(mirror_->registry().list() == rooms, "a restart keeps the rooms (mirror)");
    model_.connected.clear();
    model_.welcomed.clear();
    model_.peer_of.clear();
    model_.jobs.clear();  // the password pool went with the process
    model_.checks_started.clear();
    model_.wrong.clear();
    model_.next_try.clear();
    model_.restart_unix = now_unix();
    for (auto& [peer, s] : model_.sessions) {
      if (s.state != State::Ended) {
        s.state = State::Stored;
        s.conn.reset();
      }
    }
    std::size_t stored = 0;
    for (const auto& [peer, s] : model_.sessions) stored += s.state == State::Stored && !model_.rooms.at(s.room).gone;
    CHECK(hub_->restorable_session_count() <= stored, "more sessions restorable than were live");
  }

  // ---- running and checking -------------------------------------------------------------------

  // Runs one call on the hub and on its mirror (signal fast path off): same frames, same bytes.
  template <typename Call>
  HubOutput both(Call call) {
    HubOutput out = call(*hub_, false);
    mirror_out_ = call(*mirror_, true);
    const HubOutput& general = mirror_out_;
    CHECK(out.sends.size() == general.sends.size() && out.closes == general.closes,
          "the signal fast path changes what is sent");
    for (std::size_t i = 0; i < out.sends.size(); ++i) {
      CHECK(out.sends[i].to == general.sends[i].to && out.sends[i].text && general.sends[i].text &&
                test::without_tokens(*out.sends[i].text) == test::without_tokens(*general.sends[i].text),
            "the signal fast path changes frame " + std::to_string(i) + ": " +
                (out.sends[i].text ? clip(*out.sends[i].text) : "null") + " vs " +
                (general.sends[i].text ? clip(*general.sends[i].text) : "null"));
    }
    CHECK(out.password_jobs.size() == general.password_jobs.size(), "the mirror asks for other password jobs");
    for (std::size_t i = 0; i < out.password_jobs.size(); ++i) {
      const PasswordJob &a = out.password_jobs[i], &b = general.password_jobs[i];
      CHECK(a.id == b.id && a.kind == b.kind && a.password == b.password && a.hash == b.hash,
            "the mirror asks for another password job");
    }
    return out;
  }
  template <typename Call>
    requires std::is_invocable_v<Call, Hub&>
  HubOutput both(Call call) {
    return both([&](Hub& hub, bool) { return call(hub); });
  }

  void expect_error(const Outgoing& o, ErrorCode code) {
    const Decoded<ServerMessage> d = decode_server(*o.text);
    CHECK(d.ok() && std::holds_alternative<Error>(*d.message) && std::get<Error>(*d.message).code == code,
          "expected error " + std::string(to_string(code)) + ", got " + clip(*o.text));
  }

  void disconnect(ConnId c, Hub::Departure how) {
    note(std::string(how == Hub::Departure::Lost ? "lost " : "disconnect ") + std::to_string(c));
    if (const auto p = model_.peer_of.find(c); p != model_.peer_of.end()) {
      Session& s = model_.sessions.at(p->second);
      s.conn.reset();
      s.lost_ms = now_ms_;
      s.state = how == Hub::Departure::Lost && config_.resume_grace_ms > 0 ? State::Held : State::Ended;
    }
    model_.connected.erase(c);
    model_.welcomed.erase(c);
    model_.peer_of.erase(c);
    HubOutput out = both([&](Hub& hub) { return hub.disconnect(c, how); });
    apply(out, c, /*closing=*/true);
  }

  // `mirror_frame`: another frame for the mirror (owner tokens differ between the two hubs).
  HubOutput text(ConnId c, const std::string& frame, const std::string* mirror_frame = nullptr) {
    note("text " + std::to_string(c) + ": " + clip(frame));
    if (step_.conn == kNobody) step_.conn = c;
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
    if (connected) model_.last_heard[c] = now_ms_;
    // What kind of request this is, however it was written (raw frames too).
    if (request) {
      if (std::holds_alternative<CreateRoom>(*request)) {
        step_.kind = Step::Create;
      } else if (const auto* join = std::get_if<Join>(&*request)) {
        step_.kind = Step::Join;
        step_.room = join->room;
      } else if (const auto* resume = std::get_if<Resume>(&*request)) {
        step_.kind = Step::Resume;
        step_.token = resume->token;
        if (const std::optional<server::SessionClaims> claims = world_.secrets->verify_session(resume->token)) {
          const auto s = model_.sessions.find(claims->peer);
          if (s != model_.sessions.end() && s->second.state == State::Attached) step_.taken_over = s->second.conn;
        }
      } else if (const auto* rename = std::get_if<RenameRoom>(&*request)) {
        step_.kind = Step::Rename;
        step_.room = rename->room;
        step_.right_owner = model_.rooms.contains(rename->room) && model_.rooms.at(rename->room).owner == rename->owner;
      } else if (const auto* del = std::get_if<DeleteRoom>(&*request)) {
        step_.kind = Step::Delete;
        step_.room = del->room;
        step_.right_owner = model_.rooms.contains(del->room) && model_.rooms.at(del->room).owner == del->owner;
      }
    }

    HubOutput out = both([&](Hub& hub, bool mirror) { return hub.on_text(c, mirror && mirror_frame ? *mirror_frame : frame); });
    if (!connected) {
      CHECK(out.sends.empty() && out.closes.empty() && out.password_jobs.empty(), "frame from a closed conn answered");
      return out;
    }
    CHECK(out.password_jobs.empty() || (out.password_jobs.size() == 1 && out.sends.empty()),
          "a request starts at most one password job, and says nothing meanwhile");
    if (!request) {
      CHECK(out.sends.size() == 1, "a refused frame gets exactly one error");
      expect_error_any(out.sends[0], c);
    } else if (!welcomed && !std::holds_alternative<Hello>(*request)) {
      CHECK(out.sends.size() == 1, "a request before hello gets exactly one error");
      expect_error(out.sends[0], ErrorCode::HelloRequired);
    } else if (const auto* send = std::get_if<SendSignal>(&*request)) {
      check_signal(out, c, self, send->signal);
    }
    // Every frame from an open connection is answered, except media (the sender gets nothing back,
    // and when it is alone in its room, nobody does), requests waiting for a password job, and a
    // rename or delete that worked (the lobby hears of it in the next batch).
    CHECK(!out.sends.empty() || signal_unanswered_ ||
              ((step_.kind == Step::Rename || step_.kind == Step::Delete) && step_.right_owner) || (request && welcomed && std::holds_alternative<SetMedia>(*request) && self) ||
              (out.password_jobs.size() == 1 && request && (std::holds_alternative<CreateRoom>(*request) ||
                                                 std::holds_alternative<Join>(*request))),
          "every frame from an open conn is answered");
    signal_unanswered_ = false;
    for (const PasswordJob& job : out.password_jobs) {
      CHECK(request.has_value(), "a password job for a frame that does not decode");
      Job j{.job = job, .conn = c, .address = model_.address[c], .room = 0};
      if (const auto* join = std::get_if<Join>(&*request)) {
        CHECK(job.kind == PasswordJob::Kind::Verify && job.password == join->password && !join->password.empty(),
              "a join starts a check of its own password");
        const auto room = model_.rooms.find(join->room);
        CHECK(room != model_.rooms.end() && !room->second.gone && hub_->registry().info(join->room) &&
                  hub_->registry().info(join->room)->locked,
              "a password is checked only for a locked room");
        j.room = join->room;
        model_.checks_started[j.address].push_back(now_ms_);
        const auto wait = model_.next_try.find({j.address, join->room});
        CHECK(wait == model_.next_try.end() || now_ms_ >= wait->second,
              "a password check started during this address's wait for this room (" +
                  std::to_string(model_.wrong[{j.address, join->room}]) + " wrong passwords, " +
                  std::to_string(wait == model_.next_try.end() ? 0 : wait->second - now_ms_) + " ms to wait)");
      } else {
        CHECK(job.kind == PasswordJob::Kind::Hash && job.password == std::get<CreateRoom>(*request).password,
              "a create-room hashes its own password");
        model_.checks_started[j.address].push_back(now_ms_);  // a hash spends the same budget as a check
      }
      model_.jobs.push_back(std::move(j));
    }
    // Throttles answer only for the requester's own address (or connection).
    if (request && welcomed && out.sends.size() == 1) {
      const Decoded<ServerMessage> d = decode_server(*out.sends[0].text);
      const Error* e = d.ok() ? std::get_if<Error>(&*d.message) : nullptr;
      const std::string& address = model_.address[c];
      if (e && e->code == ErrorCode::TooManyAttempts) {
        const auto* join = std::get_if<Join>(&*request);
        const bool budget_spent = checks_in_window(address) >= config_.max_failures_per_address;
        CHECK((join && (budget_spent || model_.wrong[{address, join->room}] >= config_.free_failures_per_room)) ||
                  (std::holds_alternative<CreateRoom>(*request) && budget_spent),
              "too-many-attempts for an address that is within its limits");
      }
      if (e && e->code == ErrorCode::ServerBusy &&
          (std::holds_alternative<Join>(*request) || std::holds_alternative<CreateRoom>(*request))) {
        bool own_job = false;
        for (const Job& j : model_.jobs) own_job |= j.conn == c;
        CHECK(jobs_in_flight(address) >= config_.max_password_jobs_per_address ||
                  (std::holds_alternative<Join>(*request) && own_job),
              "server-busy for an address that is within its limits");
      }
    }
    apply(out, c, /*closing=*/false);
    for (const ConnId closed : out.closes) disconnect(closed, Hub::Departure::Closed);  // as the transport does after flushing
    return out;
  }

  std::size_t checks_in_window(const std::string& address) {
    std::size_t n = 0;
    for (const std::int64_t t : model_.checks_started[address]) n += now_ms_ - t < config_.failure_window_ms;
    return n;
  }
  std::size_t jobs_in_flight(const std::string& address) const {
    std::size_t n = 0;
    for (const Job& j : model_.jobs) n += j.address == address;
    return n;
  }

  void expect_error_any(const Outgoing& o, ConnId c) {
    CHECK(o.to == c, "an error goes to the requester");
    const Decoded<ServerMessage> d = decode_server(*o.text);
    CHECK(d.ok() && std::holds_alternative<Error>(*d.message), "expected an error, got " + clip(*o.text));
  }

  // A signal request from a welcomed connection: exactly one frame, relayed or refused as the model says.
  void check_signal(const HubOutput& out, ConnId c, std::optional<PeerId> self, const Signal& request) {
    if (self && request.seq != 0) {
      std::uint64_t& seen = model_.sessions.at(*self).seen_in;
      if (request.seq <= seen) {
        // Had it (sent again after a resume): dropped without a word.
        signal_unanswered_ = true;
        CHECK(out.sends.empty() && out.closes.empty(), "a signal number seen before is relayed or answered again");
        return;
      }
      seen = request.seq;  // taken even when refused below, as the hub does
    }
    std::optional<ConnId> dest;
    std::optional<PeerId> held_dest;
    if (self) {
      for (const auto& [conn, peer] : model_.peer_of) {
        if (peer == request.peer && conn != c && hub_->registry().room_of(peer) == hub_->registry().room_of(*self)) {
          dest = conn;
        }
      }
      const auto s = model_.sessions.find(request.peer);
      if (s != model_.sessions.end() && s->second.state == State::Held && request.peer != *self &&
          hub_->registry().room_of(request.peer) == hub_->registry().room_of(*self)) {
        held_dest = request.peer;
      }
    }
    if (held_dest) {
      // Kept for the resume, numbered: the sender hears nothing.
      ++model_.sessions.at(*held_dest).seq_out;
      signal_unanswered_ = true;
      CHECK(out.sends.empty() && out.closes.empty(), "a signal to a held session is answered or relayed");
      return;
    }
    CHECK(out.sends.size() == 1 && out.closes.empty(), "a signal yields exactly one frame");
    const Outgoing& o = out.sends[0];
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
    expected.seq = ++model_.sessions.at(model_.peer_of.at(*dest)).seq_out;  // numbered for the receiver
    CHECK(std::get<RelayedSignal>(*d.message).signal == expected,
          "from = the sender's peer id, seq = the receiver's next number (" + std::to_string(expected.seq) +
              "), body unchanged: " + clip(*o.text));
  }

  void saw_token(const std::string& token, PeerId peer, RoomId room) {
    const std::optional<server::SessionClaims> claims = world_.secrets->verify_session(token);
    CHECK(claims && claims->peer == peer && claims->room == room && claims->issued_at == now_unix() &&
              model_.rooms.contains(room) && claims->room_created == model_.rooms.at(room).created,
          "a session token names its peer, its room instance and now: " + clip(token));
    model_.sessions.at(peer).newest_token = now_unix();
    if (model_.token_set.insert(token).second) {
      if (model_.tokens.size() == 64) model_.tokens.erase(model_.tokens.begin() + 32);  // keep the oldest ones too
      model_.tokens.push_back(token);
    }
  }

  // An ice message for `peer` on connection `c`: the configured servers, with {host} and fresh
  // credentials for that peer.
  void check_ice(const IceConfig& ice, ConnId c, PeerId peer) {
    CHECK(ice.policy == config_.ice.policy, "ice: the configured policy");
    const std::optional<std::string> host = server::uri_host_of(model_.host[c]);
    CHECK(ice == server::ice_config_for(config_.ice, host, peer, now_unix()),
          "ice: the configured servers for this connection's host and peer " + std::to_string(peer));
    for (const IceServer& server : ice.servers) {
      for (const std::string& url : server.urls) {
        CHECK(url.find('{') == std::string::npos && url.find('"') == std::string::npos, "ice: a URL with " + url);
        if (host) CHECK(url.find("moim.example") != std::string::npos || url.find("turn.example.org") != std::string::npos,
                        "ice: {host} filled in: " + url);
      }
      if (!server.username.empty()) {
        CHECK(server.username == std::to_string(now_unix() + config_.ice.turn_ttl_s) + ":" + std::to_string(peer),
              "ice: the TURN username is <expiry>:<peer>: " + server.username);
        CHECK(server.credential == server::turn_rest_credential(kTurnSecret, server.username), "ice: the TURN credential");
      }
    }
    CHECK(ice.has_turn() == config_.ice.has_turn(), "ice: TURN when configured (one URI needs no host)");
  }

  // ice goes just before joined / resumed (the peer it names is in them), or from a tick to a
  // connection in a call; and every joined / resumed has its ice just before it.
  void check_ice_order(const HubOutput& out) {
    std::map<ConnId, std::optional<IceConfig>> pending;  // per connection: the ice just sent
    for (const Outgoing& o : out.sends) {
      const Decoded<ServerMessage> d = decode_server(*o.text);
      if (!d.ok()) continue;  // apply() reports it
      const ServerMessage& msg = *d.message;
      std::optional<IceConfig>& before = pending[o.to];
      const auto* joined = std::get_if<Joined>(&msg);
      const auto* resumed = std::get_if<Resumed>(&msg);
      if (joined || resumed) {
        CHECK(before.has_value(), std::string(type_name(msg)) + " without an ice just before it");
        check_ice(*before, o.to, joined ? joined->self.id : resumed->self.id);
      } else if (const auto* ice = std::get_if<IceConfig>(&msg)) {
        CHECK(!before.has_value(), "two ice messages in a row");
        const auto p = model_.peer_of.find(o.to);
        if (step_.kind == Step::Tick && p != model_.peer_of.end()) {
          check_ice(*ice, o.to, p->second);
          model_.sessions.at(p->second).newest_ice = now_unix();
          continue;  // a refresh: nothing follows it
        }
        CHECK(p == model_.peer_of.end(), "ice to a connection in a call outside a tick");
        before = *ice;
        continue;
      } else {
        CHECK(!before.has_value(), "ice not followed by joined or resumed: " + clip(*o.text));
      }
      before.reset();
    }
    for (const auto& [conn, before] : pending) CHECK(!before.has_value(), "ice at the end, without joined or resumed");
  }

  // Checks each frame against the model and updates the model from the replies.
  void apply(const HubOutput& out, ConnId actor, bool closing) {
    check_ice_order(out);
    std::map<ConnId, bool> last_was_welcome;
    for (const Outgoing& o : out.sends) {
      CHECK(model_.connected.contains(o.to), "frame addressed to conn " + std::to_string(o.to) + ", not connected");
      CHECK(o.text != nullptr, "frame without text");
      const Decoded<ServerMessage> d = decode_server(*o.text);
      CHECK(d.ok(), "frame does not decode: " + d.error.message + ": " + clip(*o.text));
      const ServerMessage& msg = *d.message;
      const bool to_actor = o.to == actor;
      const bool after_welcome = last_was_welcome[o.to];
      last_was_welcome[o.to] = std::holds_alternative<Welcome>(msg);
      const std::optional<PeerId> recipient_peer =
          model_.peer_of.contains(o.to) ? std::optional<PeerId>(model_.peer_of.at(o.to)) : std::nullopt;

      if (step_.replaying && to_actor) {
        // Held while away, in order: what the room said.
        CHECK(std::holds_alternative<RelayedSignal>(msg) || std::holds_alternative<PeerJoined>(msg) ||
                  std::holds_alternative<PeerLeft>(msg) || std::holds_alternative<PeerMedia>(msg),
              "only room events are held for a session: " + clip(*o.text));
        continue;
      }
      if (std::holds_alternative<RoomCreated>(msg) || std::holds_alternative<Joined>(msg) ||
          std::holds_alternative<Resumed>(msg) || std::holds_alternative<Error>(msg) ||
          std::holds_alternative<Pong>(msg)) {
        CHECK(to_actor && !closing, std::string(type_name(msg)) + " goes to the requester only");
      }
      if (std::holds_alternative<IceConfig>(msg)) {
        CHECK(!closing && (to_actor || (step_.kind == Step::Tick && recipient_peer)),
              "ice to the requester, or from a tick to a connection in a call");
        continue;  // checked by check_ice_order
      }
      if (const auto* welcome = std::get_if<Welcome>(&msg)) {
        CHECK(!closing && (to_actor || recipient_peer), "welcome to the requester, or to a member going back to the lobby");
        CHECK(welcome->version == kVersion, "welcome version");
        // A member sent back to the lobby by a join that replaced it hears of that join in the next batch.
        if (step_.kind == Step::Join || step_.kind == Step::Result) {
          std::vector<RoomId> listed, rooms;
          for (const RoomInfo& r : welcome->rooms) listed.push_back(r.id);
          for (const RoomInfo& r : hub_->registry().list()) rooms.push_back(r.id);
          CHECK(listed == rooms, "welcome lists every room");
        } else {
          CHECK(welcome->rooms == hub_->registry().list(), "welcome lists every room");
        }
        model_.welcomed.insert(o.to);
      } else if (const auto* updated = std::get_if<RoomUpdated>(&msg)) {
        CHECK(in_batch_, "room-updated outside the lobby batch");
        CHECK(!recipient_peer, "room-updated to a conn in a call");
        CHECK(model_.welcomed.contains(o.to), "room-updated to a conn that has not said hello");
        CHECK(hub_->registry().info(updated->room.id) == updated->room, "room-updated is the registry's view");
      } else if (const auto* removed = std::get_if<RoomRemoved>(&msg)) {
        CHECK(in_batch_, "room-removed outside the lobby batch");
        CHECK(!recipient_peer, "room-removed to a conn in a call");
        CHECK(model_.welcomed.contains(o.to), "room-removed to a conn that has not said hello");
        CHECK(!hub_->registry().info(removed->room), "room-removed for a room that exists");
      } else if (const auto* created = std::get_if<RoomCreated>(&msg)) {
        CHECK(hub_->registry().info(created->room.id) == created->room, "room-created is the registry's view");
        CHECK(created->room.participants == 0, "a new room is empty");
        CHECK(model_.ever_rooms.insert(created->room.id).second && created->room.id != 0, "room id reused or zero");
        CHECK(!created->room.locked || (step_.kind == Step::Result && step_.job_ok &&
                                        step_.job->job.kind == PasswordJob::Kind::Hash),
              "a locked room is created only once its password is hashed");
        CHECK(created->room.locked || step_.kind == Step::Create, "an open room is created only by create-room");
        std::string mirror_owner;
        for (const Outgoing& m : mirror_out_.sends) {
          const Decoded<ServerMessage> md = decode_server(*m.text);
          if (md.ok() && std::holds_alternative<RoomCreated>(*md.message)) mirror_owner = std::get<RoomCreated>(*md.message).owner;
        }
        model_.rooms[created->room.id] =
            RoomModel{.created = now_unix(), .owner = created->owner, .mirror_owner = mirror_owner, .name = created->room.name};
      } else if (const auto* joined = std::get_if<Joined>(&msg)) {
        CHECK(!recipient_peer, "joined while already holding a peer id");
        CHECK(!model_.ever.contains(joined->self.id) && joined->self.id != 0, "peer id reused or zero");
        CHECK(joined->room.participants == joined->peers.size() + 1, "joined: participants = peers + self");
        CHECK(normalize_display_name(joined->self.name) == joined->self.name, "joined: name sent trimmed");
        std::vector<PeerId> members;
        for (const PeerInfo& p : joined->peers) members.push_back(p.id);
        members.push_back(joined->self.id);
        CHECK(hub_->registry().members(joined->room.id) == members, "joined: peers + self are the members");
        if (joined->room.locked) {
          CHECK(step_.kind == Step::Result && step_.job_ok && step_.job->job.kind == PasswordJob::Kind::Verify &&
                    step_.job->room == joined->room.id,
                "a locked room is joined only after its right password: room " + std::to_string(joined->room.id));
        } else {
          CHECK(step_.kind == Step::Join && step_.room == joined->room.id, "joined the room asked for");
        }
        model_.peer_of[o.to] = joined->self.id;
        model_.ever.insert(joined->self.id);
        model_.sessions[joined->self.id] =
            Session{.room = joined->room.id, .state = State::Attached, .conn = o.to, .newest_ice = now_unix()};
        saw_token(joined->token, joined->self.id, joined->room.id);
      } else if (const auto* resumed = std::get_if<Resumed>(&msg)) {
        CHECK(step_.kind == Step::Resume && !recipient_peer, "resumed only for a resume from outside a call");
        CHECK(model_.token_set.contains(step_.token), "resumed with a token never handed out: " + clip(step_.token));
        const std::optional<server::SessionClaims> claims = world_.secrets->verify_session(step_.token);
        CHECK(claims.has_value(), "resumed with a token that does not verify");
        CHECK(now_unix() - claims->issued_at <= config_.session_max_age_s, "resumed with an expired token");
        CHECK(resumed->self.id == claims->peer && resumed->room.id == claims->room, "resumed into the token's room as its peer");
        const auto room = model_.rooms.find(claims->room);
        CHECK(room != model_.rooms.end() && !room->second.gone && room->second.created == claims->room_created,
              "resumed into another instance of the token's room");
        const auto s = model_.sessions.find(claims->peer);
        CHECK(s != model_.sessions.end(), "resumed a session never seen");
        CHECK(s->second.state != State::Ended, "resumed a session that ended: peer " + std::to_string(claims->peer));
        CHECK(s->second.room == claims->room, "resumed into another room than the session's");
        CHECK(resumed->restored == (s->second.state == State::Stored), "resumed: restored iff after a restart");
        const std::vector<PeerId> in_room = hub_->registry().members(claims->room);
        const std::set<PeerId> members(in_room.begin(), in_room.end());
        std::set<PeerId> listed{resumed->self.id};
        for (const PeerInfo& p : resumed->peers) listed.insert(p.id);
        CHECK(listed == members && listed.size() == resumed->peers.size() + 1, "resumed: peers + self are the members");
        if (s->second.conn) {
          CHECK(step_.taken_over == s->second.conn, "resumed a session attached elsewhere unexpectedly");
          model_.peer_of.erase(*s->second.conn);
        }
        const bool restored = s->second.state == State::Stored;
        s->second = Session{.room = claims->room,
                            .state = State::Attached,
                            .conn = o.to,
                            .newest_ice = now_unix(),
                            .seq_out = restored ? 0 : s->second.seq_out,
                            .seen_in = restored ? 0 : s->second.seen_in};
        model_.peer_of[o.to] = claims->peer;
        saw_token(resumed->token, claims->peer, claims->room);
        step_.replaying = true;
      } else if (const auto* fresh = std::get_if<SessionToken>(&msg)) {
        CHECK(step_.kind == Step::Tick && recipient_peer, "a token only from a tick, to a connection in a call");
        saw_token(fresh->token, *recipient_peer, model_.sessions.at(*recipient_peer).room);
      } else if (const auto* left = std::get_if<Left>(&msg)) {
        CHECK(!closing && recipient_peer.has_value(), "left without being in a room");
        CHECK(left->reason != LeftReason::Requested || to_actor, "left (requested) to the requester only");
        CHECK(left->reason != LeftReason::RoomDeleted || step_.kind == Step::Delete || step_.kind == Step::Tick,
              "left (room-deleted) only when a room is deleted");
        CHECK(after_welcome || !model_.welcomed.contains(o.to), "a fresh welcome just before left");
        CHECK(left->reason != LeftReason::Replaced || step_.kind == Step::Join || step_.kind == Step::Result,
              "left (replaced) only when a join replaces the session");
        model_.sessions.at(*recipient_peer).state = State::Ended;
        model_.sessions.at(*recipient_peer).conn.reset();
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
      CHECK(!closing && model_.connected.contains(closed), "close of a connection that is not open");
      CHECK(closed == actor || step_.kind == Step::Tick || (step_.kind == Step::Resume && step_.taken_over == closed),
            "close names the requester, a silent connection or the one a resume took over");
    }
  }

  // What changed in the rooms during the step, against who may change them.
  void after_step() {
    for (const RoomInfo& was : before_) {
      const std::optional<RoomInfo> now = hub_->registry().info(was.id);
      RoomModel& room = model_.rooms.at(was.id);
      if (!now) {
        CHECK((step_.kind == Step::Delete && step_.room == was.id && step_.right_owner) ||
                  (step_.kind == Step::Tick && was.participants == 0),
              "room " + std::to_string(was.id) + " removed without its owner token");
        room.gone = true;
      } else if (now->name != was.name) {
        CHECK(step_.kind == Step::Rename && step_.room == was.id && step_.right_owner,
              "room " + std::to_string(was.id) + " renamed without its owner token");
        room.name = now->name;
      }
    }
    if (step_.kind == Step::Delete && step_.right_owner && step_.room != 0 && model_.connected.contains(step_.conn) &&
        model_.welcomed.contains(step_.conn)) {
      CHECK(!hub_->registry().info(step_.room), "delete-room with the owner token leaves the room");
    }
    // Sessions that left the registry (replaced, room deleted, too much held) have ended.
    for (auto& [peer, s] : model_.sessions) {
      if ((s.state == State::Held || s.state == State::Attached) && !hub_->registry().room_of(peer)) {
        CHECK(s.state == State::Held, "peer " + std::to_string(peer) + " left its room but its connection was not told");
        s.state = State::Ended;
      }
      if (s.state == State::Stored && model_.rooms.at(s.room).gone) s.state = State::Ended;
    }
    // Password limits, per address.
    for (const char* address : kAddresses) {
      CHECK(jobs_in_flight(address) <= config_.max_password_jobs_per_address,
            std::string("too many password jobs in flight for ") + address);
      CHECK(checks_in_window(address) <= config_.max_failures_per_address,
            std::string("too many password checks started in a window for ") + address);
    }
    CHECK(hub_->pending_password_jobs() == model_.jobs.size(), "password jobs in flight");
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
      CHECK(model_.sessions.at(p).state == State::Attached && model_.sessions.at(p).conn == c, "peer_of agrees with sessions");
      held.insert(p);
    }
    std::size_t held_sessions = 0;
    for (const auto& [p, s] : model_.sessions) {
      if (s.state == State::Held) {
        held.insert(p);
        ++held_sessions;
      }
    }
    CHECK(members == held, "room members are exactly the peers the open connections hold and the held sessions");
    CHECK(hub.held_session_count() == held_sessions, "held sessions");
  }

  Reader& in_;
  std::deque<std::string> trace_;
  HubConfig config_;
  test::HubWorld world_, mirror_world_;  // world_: the key; its memory store is unused (the main hub's is SQLite)
  std::unique_ptr<server::RoomStore> store_;
  std::optional<Hub> hub_;     // as configured in the server (signal fast path on)
  std::optional<Hub> mirror_;  // the same with signal_fast_path off, fed the same script
  HubOutput mirror_out_;       // the mirror's output of the last call
  bool in_batch_ = false;
  bool signal_unanswered_ = false;  // the current signal went to a held session or was a repeat (nothing is sent)
  ConnId conn_ids_[kConnIds] = {1001, 1002, 1003, 1004};  // never connected until a connect op
  ConnId next_conn_ = 1;
  std::int64_t now_ms_ = kStartMs;
  std::vector<RoomInfo> before_;  // the rooms before the step
  Step step_;
  Model model_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* trace = std::getenv("FUZZ_HUB_TRACE");
  g_trace_all = trace && *trace && *trace != '0';
  const char* memory = std::getenv("FUZZ_HUB_MEMORY_STORE");
  g_memory_store = memory && *memory && *memory != '0';
  // tmpfs when there is one: the store syncs its id reservations to disk.
  const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  g_store_dir = base / ("moim-fuzz-hub-" + std::to_string(::getpid())) / "data";
  std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(g_store_dir.parent_path(), ignored);
  });
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
