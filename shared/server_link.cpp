#include "server_link.hpp"
#include "overloaded.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace moim::server_link {

namespace {

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000);
  return buf;
}

}  // namespace

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::Connecting: return "connecting";
    case Phase::Connected: return "connected";
    case Phase::Reconnecting: return "reconnecting";
    case Phase::Waiting: return "waiting";
  }
  return "connecting";
}

std::ostream& operator<<(std::ostream& os, const Event& event) {
  std::visit(Overloaded{
                 [&](const Start&) { os << "Start"; },
                 [&](const SocketOpened&) { os << "SocketOpened"; },
                 [&](const SocketClosed&) { os << "SocketClosed"; },
                 [&](const FrameReceived&) { os << "FrameReceived"; },
                 [&](const Tick&) { os << "Tick"; },
                 [&](const WelcomeReceived& e) {
                   os << "WelcomeReceived{heartbeatMs=" << e.limits.heartbeat_ms
                      << ", resumeGraceMs=" << e.limits.resume_grace_ms << '}';
                 },
                 [&](const PongReceived& e) { os << "PongReceived{seen " << e.seen << '}'; },
                 [&](const ResumedReceived& e) {
                   os << "ResumedReceived{room " << e.room << ", restored=" << e.restored << ", seen " << e.seen
                      << ", missed=" << e.missed << '}';
                 },
                 [&](const SignalArrived& e) { os << "SignalArrived{" << e.seq << '}'; },
                 [&](const SignalToSend& e) { os << "SignalToSend{" << e.signal.kind << " to " << e.signal.peer << '}'; },
                 [&](const ErrorReceived& e) { os << "ErrorReceived{" << e.request << ", " << e.code << '}'; },
                 [&](const LeftReceived& e) { os << "LeftReceived{" << e.reason << '}'; },
                 [&](const CallJoined& e) { os << "CallJoined{room " << e.room << '}'; },
                 [&](const CallEnded&) { os << "CallEnded"; },
                 [&](const LeaveCall& e) { os << "LeaveCall{room " << e.room << '}'; },
                 [&](const PageHidden&) { os << "PageHidden"; },
             },
             event);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Effect& effect) {
  std::visit(Overloaded{
                 [&](const OpenSocket&) { os << "OpenSocket"; },
                 [&](const Send& e) { os << "Send" << proto::encode(e.message); },
                 [&](const SendResume& e) { os << "SendResume{seen " << e.seen << '}'; },
                 [&](const CloseSocket&) { os << "CloseSocket"; },
                 [&](const AbandonSocket&) { os << "AbandonSocket"; },
                 [&](const ConnectionLost& e) { os << "ConnectionLost{call_kept=" << e.call_kept << '}'; },
                 [&](const Rejoin& e) { os << "Rejoin{room " << e.room << '}'; },
                 [&](const EndCall& e) { os << "EndCall{\"" << e.message << "\", room_gone=" << e.room_gone << '}'; },
                 [&](const DropAwayPeers&) { os << "DropAwayPeers"; },
                 [&](const SignalsLost&) { os << "SignalsLost"; },
                 [&](const PassOn&) { os << "PassOn"; },
                 [&](const StatusChanged& e) {
                   os << "StatusChanged{" << to_string(e.status.phase)
                      << (e.status.call_reconnecting ? ", call reconnecting" : "") << '}';
                 },
                 [&](const Log& e) { os << "Log{\"" << e.text << "\"}"; },
             },
             effect);
  return os;
}

std::optional<Event> to_event(const proto::ServerMessage& msg) {
  return std::visit(Overloaded{
                        [](const proto::Welcome& m) -> std::optional<Event> { return WelcomeReceived{m.limits}; },
                        [](const proto::Pong& m) -> std::optional<Event> { return PongReceived{m.seen}; },
                        [](const proto::Resumed& m) -> std::optional<Event> {
                          return ResumedReceived{m.room.id, m.restored, m.seen, m.missed};
                        },
                        [](const proto::RelayedSignal& m) -> std::optional<Event> { return SignalArrived{m.signal.seq}; },
                        [](const proto::Error& m) -> std::optional<Event> {
                          return ErrorReceived{m.request, m.code, m.message};
                        },
                        [](const proto::Left& m) -> std::optional<Event> { return LeftReceived{m.reason}; },
                        [](const auto&) -> std::optional<Event> { return std::nullopt; },
                    },
                    msg);
}

Status Machine::status() const {
  Status s;
  if (connected()) s.phase = Phase::Connected;
  else if (!ever_welcomed_) s.phase = Phase::Connecting;
  else if (socket_ == Socket::Closed) s.phase = Phase::Waiting;
  else s.phase = Phase::Reconnecting;
  s.call_reconnecting = in_call_ && !can_signal();
  return s;
}

Effects Machine::handle(const Event& event, double now_ms, double jitter) {
  now_ = std::max(now_, now_ms);  // a clock that goes back is read as standing still
  jitter_ = std::isnan(jitter) ? 0.5 : std::clamp(jitter, 0.0, 1.0);
  const Status before = status();
  Effects out;
  std::visit([&](const auto& e) { on(e, out); }, event);
  if (const Status after = status(); after != before) out.push_back(StatusChanged{after});
  return out;
}

// ---- the socket ---------------------------------------------------------------------------------

void Machine::open(Effects& out) {
  socket_ = Socket::Connecting;
  welcomed_ = false;
  connect_started_ = now_;
  out.push_back(OpenSocket{});
}

void Machine::lose(Effects& out) {
  socket_ = Socket::Closed;
  welcomed_ = false;
  resuming_ = false;
  // A farewell sent on this socket may not have reached the server: say it again on the next one
  // (if it did, the next resume is refused and its leave too, which is fine).
  if (farewell_) farewell_->stage = Farewell::Stage::Armed;
  if (in_call_) reconnecting_ = true;  // the call goes on without the server
  out.push_back(ConnectionLost{in_call_});
  const double base = std::min(kBackoffCapMs, kBackoffFirstMs * std::pow(2.0, std::min(attempts_, 16)));
  ++attempts_;
  retry_at_ = now_ + base * (1 - kBackoffJitter + 2 * kBackoffJitter * jitter_);
}

void Machine::on(const Start&, Effects& out) {
  if (started_) return;
  started_ = true;
  open(out);
}

void Machine::on(const SocketOpened&, Effects& out) {
  if (socket_ != Socket::Connecting) return;  // not the socket we are opening
  socket_ = Socket::Open;
  heard();
  out.push_back(Send{proto::Hello{}});
}

void Machine::on(const SocketClosed&, Effects& out) {
  if (socket_ == Socket::Closed) return;
  lose(out);
}

void Machine::on(const FrameReceived&, Effects&) {
  if (socket_ == Socket::Open) heard();
}

void Machine::heard() {
  last_heard_ = now_;
  silent_for_ = 0;
  counted_until_ = now_;
}

double Machine::count_silence() {
  silent_for_ += std::min(now_ - counted_until_, ping_interval_);
  counted_until_ = now_;
  return silent_for_;
}

void Machine::on(const Tick&, Effects& out) {
  switch (socket_) {
    case Socket::Open:
      if (!welcomed_) {
        if (now_ - connect_started_ > kConnectTimeoutMs) {
          out.push_back(Log{"no welcome within " + ms_text(kConnectTimeoutMs) + "; trying again"});
          out.push_back(AbandonSocket{});
          lose(out);
        }
      } else if (count_silence() > kSilentPings * ping_interval_) {
        out.push_back(Log{"the server has been silent for " + ms_text(now_ - last_heard_) + "; reconnecting"});
        out.push_back(AbandonSocket{});  // no close frame: the server would take it as a goodbye
        lose(out);
      } else if (now_ >= next_ping_at_) {
        out.push_back(Send{proto::Ping{in_call_ ? inbox_.seen() : 0}});
        next_ping_at_ = now_ + ping_interval_;
      }
      break;
    case Socket::Connecting:
      if (now_ - connect_started_ > kConnectTimeoutMs) {
        out.push_back(Log{"connecting took too long; trying again"});
        out.push_back(AbandonSocket{});
        lose(out);
      }
      break;
    case Socket::Closed:
      if (started_ && now_ >= retry_at_) open(out);
      break;
  }
  if (away_deadline_ > 0 && now_ >= away_deadline_) {
    away_deadline_ = 0;  // still not back after the server's grace window: they are gone
    out.push_back(DropAwayPeers{});
  }
}

// ---- server messages ----------------------------------------------------------------------------

void Machine::take_timings(const proto::Limits& limits, Effects& out) {
  const double asked = limits.heartbeat_ms;
  ping_interval_ = std::clamp(asked, kMinPingIntervalMs, kMaxPingIntervalMs);
  if (ping_interval_ != asked)
    out.push_back(Log{"the server asks for a ping every " + std::to_string(limits.heartbeat_ms) + " ms; pinging every " +
                      std::to_string(static_cast<long>(ping_interval_)) + " ms"});
  resume_grace_ = std::min<double>(limits.resume_grace_ms, kMaxResumeGraceMs);
}

void Machine::on(const WelcomeReceived& e, Effects& out) {
  if (socket_ != Socket::Open) return;  // only an open socket carries messages
  welcomed_ = true;
  ever_welcomed_ = true;
  attempts_ = 0;
  take_timings(e.limits, out);
  next_ping_at_ = now_ + ping_interval_;
  if (farewell_ && farewell_->stage == Farewell::Stage::Armed) {
    // Left while disconnected: take the session back only to end it, so the others see us leave now.
    out.push_back(Send{proto::Resume{farewell_->token, farewell_->name, false, false, client_id_}});
    out.push_back(Send{proto::Leave{}});
    farewell_->stage = Farewell::Stage::AwaitingResume;
  }
  if (in_call_ && reconnecting_ && !resuming_) {
    // Back after a drop: take our session back (same peer id; the others never saw us leave).
    resuming_ = true;
    out.push_back(SendResume{inbox_.seen()});
  }
  out.push_back(PassOn{});  // the room list, owner tokens, a join waiting for the server
}

// The heartbeat: hearing it is what counts; in a call it also says which of our signals arrived.
void Machine::on(const PongReceived& e, Effects&) {
  if (in_call_ && !reconnecting_) outbox_.seen(e.seen);
}

void Machine::on(const ResumedReceived& e, Effects& out) {
  if (resuming_ && in_call_ && e.room == call_room_) {
    resuming_ = false;
    reconnecting_ = false;
    // Restored after a server restart: the others come back one by one (peer-joined, resumed); those
    // not back when the server's own grace window ends are not coming.
    if (e.restored) away_deadline_ = now_ + resume_grace_;
    out.push_back(Log{"resumed in room " + std::to_string(e.room) + (e.restored ? " (restored)" : " (held)")});
    resend_unseen(e, out);
    out.push_back(PassOn{});  // the call's peers and token
    return;
  }
  if (farewell_ && farewell_->stage == Farewell::Stage::AwaitingResume && e.room == farewell_->room) {
    farewell_->stage = Farewell::Stage::AwaitingLeave;  // the farewell's: its leave follows
    return;
  }
  out.push_back(Log{"ignored a resumed for room " + std::to_string(e.room) + " that we did not ask for"});
}

void Machine::on(const ErrorReceived& e, Effects& out) {
  if (e.request == "hello" && e.code == proto::ErrorCode::RateLimited && socket_ == Socket::Open && !welcomed_) {
    // Many people behind one address came at once (say, after a server restart): the server wants
    // fewer requests from it. Try again later, with the usual backoff, instead of waiting forever.
    out.push_back(Log{"hello refused (rate-limited); trying again later"});
    out.push_back(AbandonSocket{});
    lose(out);
    return;
  }
  if (farewell_ && farewell_->stage == Farewell::Stage::AwaitingResume && e.request == "resume") {
    farewell_->stage = Farewell::Stage::AwaitingLeave;  // the session had already ended: nothing to say goodbye to
    return;
  }
  if (farewell_ && farewell_->stage == Farewell::Stage::AwaitingLeave && e.request == "leave") {
    farewell_.reset();
    return;
  }
  if (e.request == "resume") {
    if (!resuming_ || !in_call_) {
      out.push_back(Log{"ignored an error for a resume we did not send"});
      return;
    }
    // The session is over (held too long, or ended): join the same room again as a new peer. Other
    // refusals (the room is gone or full) end the call.
    const proto::RoomId room = call_room_;
    end_call_state();
    if (e.code == proto::ErrorCode::SessionExpired) {
      out.push_back(Log{"session expired; joining room " + std::to_string(room) + " again"});
      out.push_back(Rejoin{room});
    } else {
      out.push_back(EndCall{{ui_text::error_text(e.code), {}}, e.code == proto::ErrorCode::RoomNotFound});
    }
    return;
  }
  out.push_back(PassOn{});
}

void Machine::on(const LeftReceived& e, Effects& out) {
  if (farewell_ && farewell_->stage == Farewell::Stage::AwaitingLeave) {
    farewell_.reset();  // the goodbye for a call left while disconnected went through
    return;
  }
  if (e.reason == proto::LeftReason::Replaced) {
    // The same browser joined this room again (another tab): that tab has the call now.
    end_call_state();
    out.push_back(EndCall{{ui_text::Id::JoinedFromOtherTab, {}}, false});
    return;
  }
  out.push_back(PassOn{});  // a leave we asked for, a deleted room: the app's
}

// ---- the call -----------------------------------------------------------------------------------

// After a resume: our signals the server lacks go again, in order. A restarted server numbers
// afresh and kept nothing; there, and wherever a bound was passed, ICE restarts instead.
void Machine::resend_unseen(const ResumedReceived& e, Effects& out) {
  if (e.restored) {
    // The restarted server counts this session's signals from 0 both ways: so do we.
    inbox_.reset();
    const bool unconfirmed = outbox_.size() > 0;
    outbox_.reset();
    if (unconfirmed) {
      out.push_back(Log{"the server restarted before it had every signal of ours; restarting ICE"});
      out.push_back(SignalsLost{});
    }
    return;
  }
  const auto unseen = outbox_.after(e.seen);
  if (unseen) {
    if (!unseen->empty()) out.push_back(Log{"sending " + std::to_string(unseen->size()) + " signals again"});
    for (const proto::Signal* signal : *unseen) out.push_back(Send{proto::SendSignal{*signal}});
  }
  if (!unseen || e.missed) {
    out.push_back(Log{std::string(e.missed ? "the server no longer has every signal for us"
                                           : "more signals were waiting than are kept") +
                      "; restarting ICE"});
    out.push_back(SignalsLost{});
  }
}

void Machine::on(const SignalToSend& e, Effects& out) {
  if (!in_call_) {
    out.push_back(Log{"a signal outside a call; dropped"});
    return;
  }
  proto::Signal signal = e.signal;
  const std::size_t bytes = 64 + signal.sdp.size() + signal.candidate.candidate.size();
  signal.seq = outbox_.next_seq();
  // Kept until the server says it has it; while the link is down, it waits for the resume.
  if (can_signal()) out.push_back(Send{proto::SendSignal{signal}});
  outbox_.push(std::move(signal), bytes);
}

void Machine::on(const SignalArrived& e, Effects& out) {
  switch (inbox_.receive(e.seq)) {
    case ledger::Inbox::Arrival::Fresh: out.push_back(PassOn{}); break;
    case ledger::Inbox::Arrival::Duplicate: break;  // sent again after a resume: we had it
    case ledger::Inbox::Arrival::AfterGap:
      out.push_back(PassOn{});
      out.push_back(Log{"signals from the server were skipped; restarting ICE"});
      out.push_back(SignalsLost{});
      break;
  }
}

void Machine::end_call_state() {
  in_call_ = false;
  call_room_ = 0;
  reconnecting_ = false;
  resuming_ = false;
  away_deadline_ = 0;
}

void Machine::on(const CallJoined& e, Effects&) {
  outbox_.reset();  // a new session numbers from 1
  inbox_.reset();
  in_call_ = true;
  call_room_ = e.room;
  reconnecting_ = false;
  resuming_ = false;
  away_deadline_ = 0;
}

void Machine::on(const CallEnded&, Effects&) { end_call_state(); }

void Machine::on(const LeaveCall& e, Effects& out) {
  if (!in_call_) return;
  if (connected()) {
    out.push_back(Send{proto::Leave{}});
    // A resume is in flight: its answer and the leave's are the farewell's, not news.
    if (resuming_) farewell_ = Farewell{e.room, e.token, e.name, Farewell::Stage::AwaitingResume};
  } else {
    // No connection to say goodbye on: the server would hold our seat for the grace window and the
    // others would see a frozen tile. Say it once we are back (see the welcome).
    farewell_ = Farewell{e.room, e.token, e.name, Farewell::Stage::Armed};
  }
  end_call_state();
}

void Machine::on(const PageHidden&, Effects& out) {
  // The tab is closing: say goodbye so the others see us leave now, not after the grace window.
  if (!in_call_ || socket_ != Socket::Open) return;
  out.push_back(Send{proto::Leave{}});
  out.push_back(CloseSocket{});
  lose(out);  // if the page comes back (back/forward cache), it reconnects and rejoins
}

}  // namespace moim::server_link
