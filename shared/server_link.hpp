// The client's link to the signaling server: one WebSocket at a time, kept alive, noticed when dead,
// opened again with backoff, and the call's session taken back over it (docs/PROTOCOL.md,
// "Heartbeats", "Resume").
//
//   effects = machine.handle(event, now_ms, jitter)
//
// No socket, clock or randomness inside: each call says what time it is (milliseconds, any monotonic
// origin) and brings a random number in [0, 1] (`jitter`, used only when a reconnect is scheduled),
// so every transition is a native table test. The app feeds the browser's socket events, the
// server's link-related messages (to_event) and the call's start and end, and carries out the
// effects (open, send, close, drop the socket; end or rejoin the call; show the status).
//
// Rules:
//  - Heartbeat: after the welcome, a `ping` every `limits.heartbeatMs` (the server's, so the client
//    has no copy of it). A server silent (not one frame) for kSilentPings intervals is taken as
//    gone (counted on ticks, a gap between two ticks at most one interval: a page whose main thread
//    was starved has not been listening, and its queued frames arrive after the stall): the socket is dropped without a close frame (a close frame is a goodbye, and would end
//    our session at once) and a new one is opened.
//  - Opening: a socket must open and bring a welcome within kConnectTimeoutMs, else it is dropped and
//    tried again. A first hello refused with `rate-limited` (many people behind one address) is too.
//  - Backoff: the n-th try after a loss waits min(kBackoffCapMs, kBackoffFirstMs * 2^n) ± 30% (the
//    jitter spreads a crowd hitting a restarted server); a welcome starts the count again.
//  - The call outlives the link (media is browser to browser): a loss keeps it, and the first welcome
//    on the next socket sends `resume` for its session. `resumed` for its room ends the reconnect;
//    restored (the server restarted), peers still away when the server's resume grace (from the
//    welcome) has passed are dropped. `session-expired` means the grace passed: rejoin the room as a
//    new peer. Any other refusal ends the call.
//  - Leave while disconnected: the others would see a frozen tile until the server's grace runs out,
//    so the goodbye waits for the next welcome (the farewell: `resume` then `leave`, whose answers
//    are not news). A farewell whose socket dies before its `left` is said again on the next one. A
//    leave while a resume is in flight is the farewell on the same socket.
//  - Signals lose nothing: each is numbered (`seq`) and kept until the server's pong or resumed says
//    it has it; those it lacks after a resume are sent again, also those written while the link was
//    down. Our pings and resume say the last number we got from the server; a number seen twice is
//    dropped. What cannot be filled (a bound passed, a number skipped, a server restart) asks for an
//    ICE restart with every peer instead (SignalsLost). See shared/signal_ledger.hpp.
//  - Page closing: in a call, `leave` and a close frame, so the others see us go at once.
//  - Second tab: `left` with reason `replaced` (this browser joined the room again in another tab)
//    ends the call here.
#pragma once

#include "protocol.hpp"
#include "ui_text.hpp"
#include "signal_ledger.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::server_link {

// The client's own bounds (not the server's timings, which come in the welcome).
inline constexpr double kConnectTimeoutMs = 10000;  // a refused connection fails at once; this is for a black hole
inline constexpr double kBackoffFirstMs = 250;
inline constexpr double kBackoffCapMs = 2000;
inline constexpr double kBackoffJitter = 0.3;       // ± this fraction of the wait
inline constexpr int kSilentPings = 3;              // ping intervals of silence that mean the server is gone
// What a server may ask for: pings at most 4 a second (the server's smallest heartbeat timeout is
// 1 s, pinged at a quarter of it) and at least every 10 s (the client wants to notice a dead socket
// within 30 s, whatever the server tolerates); a resume grace of at most an hour (the server's cap).
inline constexpr double kMinPingIntervalMs = 250;
inline constexpr double kMaxPingIntervalMs = 10000;
inline constexpr double kMaxResumeGraceMs = 3600 * 1000;

// What the person sees of the link.
enum class Phase {
  Connecting,    // never connected yet (the page just opened): opening, or waiting to try again
  Connected,     // the socket is open and the server said welcome on it
  Reconnecting,  // was connected; a new socket is opening (or waits for its welcome)
  Waiting,       // was connected; the next try is at retry_at()
};
std::string_view to_string(Phase phase);

struct Status {
  Phase phase = Phase::Connecting;
  // In a call that cannot reach the server (socket down, or its resume unanswered): the call goes
  // on, and no signal can be sent.
  bool call_reconnecting = false;
  bool operator==(const Status&) const = default;
};

// ---- events -------------------------------------------------------------------------------------
struct Start {};          // the page opened: connect
struct SocketOpened {};   // the socket's open event
struct SocketClosed {};   // the browser closed it (or could not even create it)
struct FrameReceived {};  // any frame on the socket, before decoding: a sign of life
struct Tick {};           // time passes (every frame, and every 500 ms in a hidden tab)
// Server messages (to_event):
struct WelcomeReceived { proto::Limits limits; };
struct PongReceived { std::uint64_t seen = 0; };
struct ResumedReceived { proto::RoomId room = 0; bool restored = false; std::uint64_t seen = 0; bool missed = false; };
struct SignalArrived { std::uint64_t seq = 0; };  // a relayed signal with this number (0: unnumbered)
struct ErrorReceived { std::string request; proto::ErrorCode code = proto::ErrorCode::Internal; std::string message; };
struct LeftReceived { proto::LeftReason reason = proto::LeftReason::Requested; };
// The call (the app's other parts decide when it starts and ends):
struct CallJoined { proto::RoomId room = 0; };  // `joined` put us in a call
struct CallEnded {};                             // it is over, for whatever reason
// The person leaves the call: a goodbye now, or the farewell later. `token` and `name` are the
// session's latest, for the farewell's resume.
struct LeaveCall { proto::RoomId room = 0; std::string token; std::string name; };
struct PageHidden {};  // pagehide: the tab is closing
struct SignalToSend { proto::Signal signal; };  // from the signaling machine, to one peer

using Event = std::variant<Start, SocketOpened, SocketClosed, FrameReceived, Tick, WelcomeReceived, PongReceived,
                           ResumedReceived, ErrorReceived, LeftReceived, CallJoined, CallEnded, LeaveCall, PageHidden,
                           SignalArrived, SignalToSend>;

// ---- effects ------------------------------------------------------------------------------------
struct OpenSocket { bool operator==(const OpenSocket&) const = default; };
struct Send { proto::ClientMessage message; bool operator==(const Send&) const = default; };
// Send `resume` for the call in progress: the app fills in its latest token, name and media flags.
struct SendResume { std::uint64_t seen = 0; bool operator==(const SendResume&) const = default; };
// Close with a close frame: a goodbye (the server ends the session at once).
struct CloseSocket { bool operator==(const CloseSocket&) const = default; };
// Forget the socket without a close frame (it looks dead; the server holds the session).
struct AbandonSocket { bool operator==(const AbandonSocket&) const = default; };
// The socket is gone: answers to what was sent on it never come. `call_kept`: a call goes on
// without the server (keep it, tiles and connections); otherwise the room list is stale.
struct ConnectionLost { bool call_kept = false; bool operator==(const ConnectionLost&) const = default; };
// The session is over (held past the grace window): close every peer connection and join `room`
// again as a new peer (with the password typed for this call, if any).
struct Rejoin { proto::RoomId room = 0; bool operator==(const Rejoin&) const = default; };
// The call ends here, with this message for the person ("" = none). `room_gone`: the room no longer exists.
struct EndCall { ui_text::Message message; bool room_gone = false; bool operator==(const EndCall&) const = default; };
// The server's grace after a restore has passed: peers still away are not coming back.
struct DropAwayPeers { bool operator==(const DropAwayPeers&) const = default; };
// Signals between us and the server were lost for good: restart ICE with every peer.
struct SignalsLost { bool operator==(const SignalsLost&) const = default; };
// The server message fed in is not only the link's: after these effects the app handles it as usual.
struct PassOn { bool operator==(const PassOn&) const = default; };
struct StatusChanged { Status status; bool operator==(const StatusChanged&) const = default; };
struct Log { std::string text; bool operator==(const Log&) const = default; };  // a console line

using Effect = std::variant<OpenSocket, Send, SendResume, CloseSocket, AbandonSocket, ConnectionLost, Rejoin, EndCall,
                            DropAwayPeers, SignalsLost, PassOn, StatusChanged, Log>;
using Effects = std::vector<Effect>;

std::ostream& operator<<(std::ostream& os, const Event& event);
std::ostream& operator<<(std::ostream& os, const Effect& effect);

// The link's part of a server message (welcome, pong, resumed, error, left); nullopt for the others,
// which the app handles without the link.
std::optional<Event> to_event(const proto::ServerMessage& msg);

class Machine {
 public:
  // `client_id`: this browser's id for the server's second-tab rule, sent with every resume.
  explicit Machine(std::string client_id = {}) : client_id_(std::move(client_id)) {}

  // `jitter`: a random number in [0, 1] (out of range is clamped), used when a reconnect is scheduled.
  Effects handle(const Event& event, double now_ms, double jitter);

  Status status() const;
  bool connected() const { return socket_ == Socket::Open && welcomed_; }
  // Signals (and ICE restarts) can be sent: connected, and a call's session is ours on this socket.
  bool can_signal() const { return connected() && !reconnecting_; }
  double retry_at() const { return retry_at_; }  // when the socket is closed: the next try
  const std::string& client_id() const { return client_id_; }
  // The server's timings, from the latest welcome (0 before the first).
  double ping_interval_ms() const { return ping_interval_; }
  double resume_grace_ms() const { return resume_grace_; }
  int attempts() const { return attempts_; }  // tries since the last welcome
  bool farewell_pending() const { return farewell_.has_value(); }
  std::size_t unseen_signals() const { return outbox_.size(); }  // sent or waiting, not yet confirmed

 private:
  enum class Socket { Closed, Connecting, Open };
  // A call left while the server could not hear the goodbye.
  struct Farewell {
    enum class Stage { Armed, AwaitingResume, AwaitingLeave };  // to send; sent, waiting for their answers
    proto::RoomId room = 0;
    std::string token, name;
    Stage stage = Stage::Armed;
  };

  void on(const Start& e, Effects& out);
  void on(const SocketOpened& e, Effects& out);
  void on(const SocketClosed& e, Effects& out);
  void on(const FrameReceived& e, Effects& out);
  void on(const Tick& e, Effects& out);
  void on(const WelcomeReceived& e, Effects& out);
  void on(const PongReceived& e, Effects& out);
  void on(const ResumedReceived& e, Effects& out);
  void on(const ErrorReceived& e, Effects& out);
  void on(const LeftReceived& e, Effects& out);
  void on(const CallJoined& e, Effects& out);
  void on(const CallEnded& e, Effects& out);
  void on(const LeaveCall& e, Effects& out);
  void on(const PageHidden& e, Effects& out);
  void on(const SignalArrived& e, Effects& out);
  void on(const SignalToSend& e, Effects& out);

  void open(Effects& out);
  // The socket is gone (closed, dropped, or given up on): keep the call, schedule the next try.
  void lose(Effects& out);
  void take_timings(const proto::Limits& limits, Effects& out);
  void heard();
  double count_silence();
  void resend_unseen(const ResumedReceived& e, Effects& out);
  void end_call_state();

  std::string client_id_;
  double now_ = 0;
  double jitter_ = 0.5;
  // socket
  Socket socket_ = Socket::Closed;
  bool started_ = false;
  bool welcomed_ = false;      // on this socket
  bool ever_welcomed_ = false;
  double connect_started_ = 0;
  double last_heard_ = 0;
  // Silence counted only while the page runs: each tick adds the time since the previous one, at most
  // one ping interval, so a page starved for seconds (its socket's messages queued behind the stall)
  // does not take a live server for gone.
  double silent_for_ = 0;
  double counted_until_ = 0;
  double next_ping_at_ = 0;
  double retry_at_ = 0;
  int attempts_ = 0;
  // the server's timings (latest welcome)
  double ping_interval_ = 0;
  double resume_grace_ = 0;
  // the call
  bool in_call_ = false;
  proto::RoomId call_room_ = 0;
  bool reconnecting_ = false;  // in a call whose socket dropped, until resumed (or given up)
  bool resuming_ = false;      // resume sent on this socket, waiting for its answer
  double away_deadline_ = 0;   // restored: peers still away then are dropped; 0 = none
  std::optional<Farewell> farewell_;
  // the call's signals (numbered per session)
  ledger::Outbox<proto::Signal> outbox_;
  ledger::Inbox inbox_;
};

}  // namespace moim::server_link
