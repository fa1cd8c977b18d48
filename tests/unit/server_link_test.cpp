// The client's server link, step by step with the clock and the jitter set by hand: heartbeat and
// silence, backoff, resume within and after the grace window, a server restart, the second-tab rule,
// the goodbye on close and the farewell for a call left while disconnected.
#include "effect_script.hpp"
#include "server_link.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace moim::server_link {
namespace {

using proto::ErrorCode;
using proto::LeftReason;
using test::show;

// A scripted step: at `at` ms, an event, and the exact effects it must produce. `jitter` is the
// random number of that moment (0.5: the backoff's plain wait).
struct Step {
  double at;
  Event event;
  Effects expected;
  double jitter = 0.5;
};

void run(Machine& m, const std::vector<Step>& script) {
  test::run_script(script, [&](const Step& s) { return m.handle(s.event, s.at, s.jitter); }, test::at_ms<Step>);
}

constexpr proto::RoomId kRoom = 3;
const std::string kClient = "0123456789abcdef0123456789abcdef";

proto::Limits timings(std::uint32_t heartbeat_ms, std::uint32_t grace_ms) {
  proto::Limits l;
  l.heartbeat_ms = heartbeat_ms;
  l.resume_grace_ms = grace_ms;
  return l;
}
const proto::Limits kDefaults = timings(2000, 20000);  // what the server sends with its default flags

StatusChanged status(Phase phase, bool call_reconnecting = false) { return StatusChanged{Status{phase, call_reconnecting}}; }
Send send(proto::ClientMessage msg) { return Send{std::move(msg)}; }
Log log(std::string text) { return Log{std::move(text)}; }

// The page opens and is welcomed at `at`.
void connect(Machine& m, double at = 0, proto::Limits limits = kDefaults) {
  run(m, {
             {at, Start{}, {OpenSocket{}}},
             {at, SocketOpened{}, {send(proto::Hello{})}},
             {at, WelcomeReceived{limits}, {PassOn{}, status(Phase::Connected)}},
         });
}

// Connected at 0, in a call in kRoom from 100.
void in_call(Machine& m) {
  connect(m, 0);
  run(m, {{100, CallJoined{kRoom}, {}}});
}

// ---- heartbeat and silence ----------------------------------------------------------------------

TEST(ServerLink, PingsAtTheIntervalTheServerSends) {
  Machine m(kClient);
  run(m, {
             {0, Start{}, {OpenSocket{}}},
             {5, Tick{}, {}},  // no ping before the welcome: no timing is known yet, and hello is a sign of life
             {10, SocketOpened{}, {send(proto::Hello{})}},
             {30, WelcomeReceived{timings(3000, 20000)}, {PassOn{}, status(Phase::Connected)}},
             {3029, Tick{}, {}},
             {3030, Tick{}, {send(proto::Ping{})}},
             {3100, FrameReceived{}, {}},
             {3110, PongReceived{}, {}},  // the heartbeat's answer: nothing to do but having heard it
             {6029, Tick{}, {}},
             {6030, Tick{}, {send(proto::Ping{})}},
         });
  EXPECT_EQ(m.ping_interval_ms(), 3000);
  EXPECT_EQ(m.resume_grace_ms(), 20000);
  EXPECT_TRUE(m.connected());
}

TEST(ServerLink, ASilentServerIsDroppedAfterThreePingIntervals) {
  Machine m(kClient);
  connect(m, 0);
  run(m, {
             {1000, FrameReceived{}, {}},  // the last frame heard
             {2000, Tick{}, {send(proto::Ping{})}},
             {4000, Tick{}, {send(proto::Ping{})}},
             {6000, Tick{}, {send(proto::Ping{})}},
             {7000, Tick{}, {}},  // 6 s of silence: not yet
             {7001, Tick{},
              {log("the server has been silent for 6.0 s; reconnecting"), AbandonSocket{}, ConnectionLost{false},
               status(Phase::Waiting)}},
             {7250, Tick{}, {}},  // the first retry waits 250 ms
             {7251, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
         });
  EXPECT_EQ(m.attempts(), 1);
}

// A page whose main thread was starved (a loaded machine, a long frame) has not been listening: the
// server's frames wait behind the stall. The gap counts as one interval at most, not as silence.
TEST(ServerLink, AStarvedPageDoesNotTakeALiveServerForGone) {
  Machine m(kClient);
  connect(m, 0);
  run(m, {
             {1000, FrameReceived{}, {}},
             {2000, Tick{}, {send(proto::Ping{})}},
             {14000, Tick{}, {send(proto::Ping{})}},  // 13 s since the last frame, but 12 s of it stalled
             {14001, FrameReceived{}, {}},             // what the server said meanwhile
             {16000, Tick{}, {send(proto::Ping{})}},
         });
  EXPECT_TRUE(m.connected());
}

// A page that ticks only now and then (a background tab) still notices a dead server: each tick
// counts up to one interval.
TEST(ServerLink, ASlowPageStillNoticesADeadServer) {
  Machine m(kClient);
  connect(m, 0);
  run(m, {
             {1000, FrameReceived{}, {}},
             {5000, Tick{}, {send(proto::Ping{})}},  // counts 2 s
             {9000, Tick{}, {send(proto::Ping{})}},  // 4 s
             {13000, Tick{}, {send(proto::Ping{})}},  // 6 s: not more than three intervals yet
             {17000, Tick{},
              {log("the server has been silent for 16.0 s; reconnecting"), AbandonSocket{}, ConnectionLost{false},
               status(Phase::Waiting)}},
         });
}

TEST(ServerLink, SilenceFollowsTheServersInterval) {
  Machine m(kClient);
  connect(m, 0, timings(500, 20000));  // --heartbeat-timeout 2: pings every 0.5 s
  run(m, {
             {500, Tick{}, {send(proto::Ping{})}},
             {1000, Tick{}, {send(proto::Ping{})}},
             {1500, Tick{}, {send(proto::Ping{})}},
             {1501, Tick{},
              {log("the server has been silent for 1.5 s; reconnecting"), AbandonSocket{}, ConnectionLost{false},
               status(Phase::Waiting)}},
         });
}

TEST(ServerLink, FramesOfAnyKindKeepTheLinkAlive) {
  Machine m(kClient);
  connect(m, 0);
  for (double t = 1000; t <= 60000; t += 1000) {
    const Effects got = m.handle(FrameReceived{}, t, 0.5);
    EXPECT_TRUE(got.empty()) << show(got);
    const Effects tick = m.handle(Tick{}, t + 1, 0.5);
    for (const Effect& e : tick) EXPECT_EQ(e, Effect{send(proto::Ping{})}) << "at " << t << ": " << show(tick);
  }
  EXPECT_TRUE(m.connected());
}

TEST(ServerLink, ServerTimingsOutOfBoundsAreClampedAndSaid) {
  Machine m(kClient);
  run(m, {
             {0, Start{}, {OpenSocket{}}},
             {10, SocketOpened{}, {send(proto::Hello{})}},
             {20, WelcomeReceived{timings(0, 4'000'000'000u)},
              {log("the server asks for a ping every 0 ms; pinging every 250 ms"), PassOn{}, status(Phase::Connected)}},
             {270, Tick{}, {send(proto::Ping{})}},
         });
  EXPECT_EQ(m.ping_interval_ms(), kMinPingIntervalMs);
  EXPECT_EQ(m.resume_grace_ms(), kMaxResumeGraceMs);

  Machine slow(kClient);
  run(slow, {
                {0, Start{}, {OpenSocket{}}},
                {10, SocketOpened{}, {send(proto::Hello{})}},
                {20, WelcomeReceived{timings(900'000, 0)},  // --heartbeat-timeout 3600
                 {log("the server asks for a ping every 900000 ms; pinging every 10000 ms"), PassOn{},
                  status(Phase::Connected)}},
                {10020, Tick{}, {send(proto::Ping{})}},
            });
  EXPECT_EQ(slow.ping_interval_ms(), kMaxPingIntervalMs);
}

// ---- opening and backoff ------------------------------------------------------------------------

TEST(ServerLink, BackoffDoublesFromAQuarterSecondUpToTwoSeconds) {
  // Each row: the jitter of the loss, and the wait it must give. 0.5 is the plain wait; 0 and 1 are
  // its -30% and +30%.
  struct Row {
    double jitter;
    double wait;
  };
  const std::vector<Row> rows = {
      {0.5, 250}, {0.5, 500}, {0.5, 1000}, {0.5, 2000}, {0.5, 2000},    // doubling, then the cap
      {0.0, 1400}, {1.0, 2600}, {0.25, 1700}, {0.5, 2000}, {0.5, 2000},  // ±30% around the cap
  };
  Machine m(kClient);
  run(m, {{0, Start{}, {OpenSocket{}}}});
  double now = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    // The server refuses the connection: the browser closes the socket at once.
    const Effects lost = m.handle(SocketClosed{}, now, rows[i].jitter);
    EXPECT_EQ(lost, (Effects{ConnectionLost{false}})) << "try " << i << ": " << show(lost);
    EXPECT_NEAR(m.retry_at() - now, rows[i].wait, 1e-9) << "try " << i;
    EXPECT_TRUE(m.handle(Tick{}, m.retry_at() - 1, 0.5).empty()) << "try " << i << " went early";
    now = m.retry_at();
    EXPECT_EQ(m.handle(Tick{}, now, 0.5), (Effects{OpenSocket{}})) << "try " << i;
  }
  EXPECT_EQ(m.attempts(), static_cast<int>(rows.size()));
  EXPECT_EQ(m.status().phase, Phase::Connecting);  // never welcomed: "Connecting…", not "Reconnecting…"
}

TEST(ServerLink, AWelcomeStartsTheBackoffAgain) {
  Machine m(kClient);
  connect(m, 0);
  run(m, {
             {1000, SocketClosed{}, {ConnectionLost{false}, status(Phase::Waiting)}},
             {1250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
             {1300, SocketClosed{}, {ConnectionLost{false}, status(Phase::Waiting)}},
             {1800, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},  // 500 ms: the second try
             {1810, SocketOpened{}, {send(proto::Hello{})}},
             {1820, WelcomeReceived{kDefaults}, {PassOn{}, status(Phase::Connected)}},
             {5000, SocketClosed{}, {ConnectionLost{false}, status(Phase::Waiting)}},
             {5250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},  // 250 ms again
         });
}

TEST(ServerLink, ASocketThatNeverOpensOrIsNeverWelcomedIsGivenUp) {
  Machine m(kClient);
  run(m, {
             {0, Start{}, {OpenSocket{}}},
             {10000, Tick{}, {}},
             {10001, Tick{}, {log("connecting took too long; trying again"), AbandonSocket{}, ConnectionLost{false}}},
             {10251, Tick{}, {OpenSocket{}}},
             {10300, SocketOpened{}, {send(proto::Hello{})}},  // open, but the server never answers hello
             {20251, Tick{}, {}},
             {20252, Tick{}, {log("no welcome within 10.0 s; trying again"), AbandonSocket{}, ConnectionLost{false}}},
         });
}

TEST(ServerLink, AHelloRefusedAsRateLimitedIsTriedAgainLater) {
  Machine m(kClient);
  run(m, {
             {0, Start{}, {OpenSocket{}}},
             {10, SocketOpened{}, {send(proto::Hello{})}},
             {20, ErrorReceived{"hello", ErrorCode::RateLimited, "slow down"},
              {log("hello refused (rate-limited); trying again later"), AbandonSocket{}, ConnectionLost{false}}},
             {270, Tick{}, {OpenSocket{}}},
             {280, SocketOpened{}, {send(proto::Hello{})}},
             {290, WelcomeReceived{kDefaults}, {PassOn{}, status(Phase::Connected)}},
             // Welcomed: a later refusal of a repeated hello is only an error (the app shows or logs it).
             {300, ErrorReceived{"hello", ErrorCode::RateLimited, "slow down"}, {PassOn{}}},
         });
  EXPECT_TRUE(m.connected());
}

TEST(ServerLink, LateSocketEventsChangeNothing) {
  Machine m(kClient);
  run(m, {
             {0, SocketOpened{}, {}},  // before any socket was opened
             {0, WelcomeReceived{kDefaults}, {}},
             {0, SocketClosed{}, {}},
             {0, Tick{}, {}},  // not started: nothing opens
             {1, Start{}, {OpenSocket{}}},
             {2, Start{}, {}},  // once
             {3, SocketOpened{}, {send(proto::Hello{})}},
             {4, SocketOpened{}, {}},
             {5, WelcomeReceived{kDefaults}, {PassOn{}, status(Phase::Connected)}},
             {6, SocketClosed{}, {ConnectionLost{false}, status(Phase::Waiting)}},
             {7, SocketClosed{}, {}},
             {8, FrameReceived{}, {}},
         });
}

TEST(ServerLink, JitterOutOfRangeIsClamped) {
  for (const double jitter : {-5.0, 7.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    Machine m(kClient);
    run(m, {{0, Start{}, {OpenSocket{}}}});
    m.handle(SocketClosed{}, 100, jitter);
    const double wait = m.retry_at() - 100;
    EXPECT_GE(wait, 250 * 0.7) << jitter;
    EXPECT_LE(wait, 250 * 1.3) << jitter;
  }
}

// ---- the call across a drop ---------------------------------------------------------------------

TEST(ServerLink, DropThenResumeWithinTheGraceWindowKeepsTheCall) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {5000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {5250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
             {5260, SocketOpened{}, {send(proto::Hello{})}},
             {5270, WelcomeReceived{kDefaults}, {SendResume{}, PassOn{}, status(Phase::Connected, true)}},
             {5280, ResumedReceived{kRoom, false}, {log("resumed in room 3 (held)"), PassOn{}, status(Phase::Connected)}},
             // Held, not restored: nobody is away, so nothing is dropped later.
             {60000, FrameReceived{}, {}},
             {60001, Tick{}, {send(proto::Ping{})}},
         });
  EXPECT_TRUE(m.can_signal());
}

TEST(ServerLink, NoSignalsWhileTheResumeIsUnanswered) {
  Machine m(kClient);
  in_call(m);
  EXPECT_TRUE(m.can_signal());
  m.handle(SocketClosed{}, 5000, 0.5);
  EXPECT_FALSE(m.can_signal());
  m.handle(Tick{}, 5250, 0.5);
  m.handle(SocketOpened{}, 5260, 0.5);
  m.handle(WelcomeReceived{kDefaults}, 5270, 0.5);
  EXPECT_TRUE(m.connected());
  EXPECT_FALSE(m.can_signal()) << "signals before the resume's answer would go to a session not yet ours";
  EXPECT_TRUE(m.status().call_reconnecting);
  m.handle(ResumedReceived{kRoom, false}, 5280, 0.5);
  EXPECT_TRUE(m.can_signal());
}

// ---- signals across a drop ----------------------------------------------------------------------

proto::Signal candidate(proto::PeerId to, const char* line, std::uint64_t seq = 0) {
  proto::Signal s;
  s.peer = to;
  s.kind = proto::SignalKind::Candidate;
  s.candidate.candidate = line;
  s.seq = seq;
  return s;
}
Send signal_out(proto::PeerId to, const char* line, std::uint64_t seq) {
  return send(proto::SendSignal{candidate(to, line, seq)});
}

// After a drop at `at` (already fed): the first retry opens at +250 ms and is welcomed at +270, which
// sends the resume; its answer is the test's.
void back_and_resuming(Machine& m, double at) {
  m.handle(Tick{}, at + 250, 0.5);
  m.handle(SocketOpened{}, at + 260, 0.5);
  m.handle(WelcomeReceived{kDefaults}, at + 270, 0.5);
}

// The soak's loss: signals written into a connection that had died unnoticed. Numbered, kept until
// the pong says the server has them, and sent again after the resume; those written while the link
// was down wait for it.
TEST(ServerLink, SignalsTheServerLacksAreSentAgainAfterTheResume) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {200, SignalToSend{candidate(7, "c1")}, {signal_out(7, "c1", 1)}},
             {300, SignalToSend{candidate(7, "c2")}, {signal_out(7, "c2", 2)}},
             {400, SignalArrived{1}, {PassOn{}}},
             {2000, Tick{}, {send(proto::Ping{.seen = 1})}},
             {2010, PongReceived{.seen = 1}, {}},  // c1 arrived; c2 is still kept
             {2100, SignalToSend{candidate(7, "c3")}, {signal_out(7, "c3", 3)}},  // into a dead socket
             {2500, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {2600, SignalToSend{candidate(7, "c4")}, {}},  // the link is down: kept for the resume
             {2750, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
             {2760, SocketOpened{}, {send(proto::Hello{})}},
             {2770, WelcomeReceived{kDefaults}, {SendResume{.seen = 1}, PassOn{}, status(Phase::Connected, true)}},
             {2780, ResumedReceived{.room = kRoom, .restored = false, .seen = 2, .missed = false},
              {log("resumed in room 3 (held)"), log("sending 2 signals again"), signal_out(7, "c3", 3),
               signal_out(7, "c4", 4), PassOn{}, status(Phase::Connected)}},
             {2790, SignalArrived{1}, {}},  // the server sends again what we may not have had: 1 we had
             {2791, SignalArrived{2}, {PassOn{}}},
             {2800, SignalToSend{candidate(7, "c5")}, {signal_out(7, "c5", 5)}},
         });
  EXPECT_EQ(m.unseen_signals(), 3u);
}

TEST(ServerLink, WhatCannotBeSentAgainRestartsIce) {
  struct Row {
    const char* name;
    ResumedReceived resumed;
    int waiting;  // signals written while down
    Effects expected;
  };
  const Row rows[] = {
      {"the server lost some for us", {.room = kRoom, .restored = false, .seen = 0, .missed = true}, 0,
       {log("resumed in room 3 (held)"), log("the server no longer has every signal for us; restarting ICE"),
        SignalsLost{}, PassOn{}, status(Phase::Connected)}},
      {"more waited than we keep", {.room = kRoom, .restored = false, .seen = 0, .missed = false}, 300,
       {log("resumed in room 3 (held)"), log("more signals were waiting than are kept; restarting ICE"), SignalsLost{},
        PassOn{}, status(Phase::Connected)}},
      {"a restarted server, ours unconfirmed", {.room = kRoom, .restored = true, .seen = 0, .missed = false}, 1,
       {log("resumed in room 3 (restored)"),
        log("the server restarted before it had every signal of ours; restarting ICE"), SignalsLost{}, PassOn{},
        status(Phase::Connected)}},
      {"a restarted server, nothing unconfirmed", {.room = kRoom, .restored = true, .seen = 0, .missed = false}, 0,
       {log("resumed in room 3 (restored)"), PassOn{}, status(Phase::Connected)}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Machine m(kClient);
    in_call(m);
    m.handle(SocketClosed{}, 1000, 0.5);
    for (int i = 0; i < row.waiting; ++i) m.handle(SignalToSend{candidate(7, "c")}, 1001, 0.5);
    back_and_resuming(m, 1000);
    run(m, {{1280, row.resumed, row.expected}});
  }
}

// A restarted server numbers the restored session's signals from 1, and has none of ours: the next
// resume (nothing sent since) is not a gap.
TEST(ServerLink, AfterARestoreBothSidesNumberFromOne) {
  Machine m(kClient);
  in_call(m);
  const auto drop_and_resume = [&](double at, ResumedReceived resumed, Effects expected) {
    m.handle(SocketClosed{}, at, 0.5);
    back_and_resuming(m, at);
    run(m, {{at + 280, resumed, expected}});
  };
  run(m, {{200, SignalToSend{candidate(7, "c1")}, {signal_out(7, "c1", 1)}},
          {300, SignalArrived{1}, {PassOn{}}},
          {2000, Tick{}, {send(proto::Ping{.seen = 1})}},
          {2010, PongReceived{.seen = 1}, {}}});
  drop_and_resume(3000, {.room = kRoom, .restored = true, .seen = 0, .missed = false},
                  {log("resumed in room 3 (restored)"), PassOn{}, status(Phase::Connected)});
  drop_and_resume(6000, {.room = kRoom, .restored = false, .seen = 0, .missed = false},
                  {log("resumed in room 3 (held)"), PassOn{}, status(Phase::Connected)});
  run(m, {{7000, SignalArrived{1}, {PassOn{}}},
          {7100, SignalToSend{candidate(7, "c2")}, {signal_out(7, "c2", 1)}}});
}

TEST(ServerLink, ASkippedNumberFromTheServerRestartsIce) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {200, SignalArrived{1}, {PassOn{}}},
             {300, SignalArrived{3}, {PassOn{}, log("signals from the server were skipped; restarting ICE"), SignalsLost{}}},
             {400, SignalArrived{0}, {PassOn{}}},  // unnumbered (an older server): taken as it comes
         });
}

TEST(ServerLink, ANewSessionNumbersFromOne) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {200, SignalToSend{candidate(7, "c1")}, {signal_out(7, "c1", 1)}},
             {300, SignalArrived{1}, {PassOn{}}},
             {400, CallEnded{}, {}},
             {500, SignalToSend{candidate(7, "late")}, {log("a signal outside a call; dropped")}},
             {600, CallJoined{kRoom}, {}},
             {700, SignalArrived{1}, {PassOn{}}},  // the new session's first, not a repeat
             {800, SignalToSend{candidate(7, "c1")}, {signal_out(7, "c1", 1)}},
         });
}

TEST(ServerLink, ResumeAfterTheGraceWindowRejoinsAsANewPeer) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {2000, Tick{}, {send(proto::Ping{})}},
             {4000, Tick{}, {send(proto::Ping{})}},
             {6000, Tick{}, {send(proto::Ping{})}},
             {6001, Tick{},
              {log("the server has been silent for 6.0 s; reconnecting"), AbandonSocket{}, ConnectionLost{true},
               status(Phase::Waiting, true)}},
             // Offline for 40 s: every try is refused at once.
             {6251, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
             {6252, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {45000, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
             {45010, SocketOpened{}, {send(proto::Hello{})}},
             {45020, WelcomeReceived{kDefaults}, {SendResume{}, PassOn{}, status(Phase::Connected, true)}},
             {45030, ErrorReceived{"resume", ErrorCode::SessionExpired, "Your session has ended."},
              {log("session expired; joining room 3 again"), Rejoin{kRoom}, status(Phase::Connected)}},
             // The app joins again; its joined starts a new call.
             {45100, CallJoined{kRoom}, {}},
             {50000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
         });
}

TEST(ServerLink, ResumeRefusedOtherwiseEndsTheCall) {
  struct Row {
    ErrorCode code;
    bool room_gone;
  };
  for (const Row& row : {Row{ErrorCode::RoomNotFound, true}, Row{ErrorCode::RoomFull, false},
                         Row{ErrorCode::NameInvalid, false}}) {
    Machine m(kClient);
    in_call(m);
    run(m, {
               {1000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
               {1250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
               {1260, SocketOpened{}, {send(proto::Hello{})}},
               {1270, WelcomeReceived{kDefaults}, {SendResume{}, PassOn{}, status(Phase::Connected, true)}},
               // The person is told the code's catalog entry, not the server's sentence.
               {1280, ErrorReceived{"resume", row.code, "refused"},
                {EndCall{{ui_text::error_text(row.code), {}}, row.room_gone}, status(Phase::Connected)}},
               // Not in a call any more: the next drop keeps nothing and resumes nothing.
               {2000, SocketClosed{}, {ConnectionLost{false}, status(Phase::Waiting)}},
           });
  }
}

TEST(ServerLink, ServerRestartRestoresAndDropsPeersStillAwayAfterTheNewServersGrace) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {3000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},  // killed
             {3250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
             {3251, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},  // not back yet
             {3751, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
             {3760, SocketOpened{}, {send(proto::Hello{})}},
             // The restarted server runs with --resume-grace 5: its welcome says so.
             {3770, WelcomeReceived{timings(2000, 5000)}, {SendResume{}, PassOn{}, status(Phase::Connected, true)}},
             {3780, ResumedReceived{kRoom, true}, {log("resumed in room 3 (restored)"), PassOn{}, status(Phase::Connected)}},
             {4000, FrameReceived{}, {}},
             {8779, Tick{}, {send(proto::Ping{})}},
             {8780, Tick{}, {DropAwayPeers{}}},
             {8800, Tick{}, {}},  // once
         });
}

TEST(ServerLink, AResumedWeDidNotAskForIsIgnored) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {500, ResumedReceived{kRoom, true}, {log("ignored a resumed for room 3 that we did not ask for")}},
             {1000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {1250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
             {1260, SocketOpened{}, {send(proto::Hello{})}},
             {1270, WelcomeReceived{kDefaults}, {SendResume{}, PassOn{}, status(Phase::Connected, true)}},
             {1280, ResumedReceived{kRoom + 1, false}, {log("ignored a resumed for room 4 that we did not ask for")}},
             {1290, ErrorReceived{"resume", ErrorCode::SessionExpired, "x"},
              {log("session expired; joining room 3 again"), Rejoin{kRoom}, status(Phase::Connected)}},
             {1300, ErrorReceived{"resume", ErrorCode::SessionExpired, "x"}, {log("ignored an error for a resume we did not send")}},
         });
}

TEST(ServerLink, ACallEndedWhileReconnectingIsNotResumed) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {1000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {1100, CallEnded{}, {status(Phase::Waiting)}},  // say, the app ended it (devices, an error)
             {1250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
             {1260, SocketOpened{}, {send(proto::Hello{})}},
             {1270, WelcomeReceived{kDefaults}, {PassOn{}, status(Phase::Connected)}},
         });
}

// ---- the second tab -----------------------------------------------------------------------------

TEST(ServerLink, AnotherTabJoiningTheRoomEndsTheCallHere) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {1000, LeftReceived{LeftReason::Replaced}, {EndCall{{ui_text::Id::JoinedFromOtherTab, {}}, false}}},
             {2000, SocketClosed{}, {ConnectionLost{false}, status(Phase::Waiting)}},
             {2250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
             {2260, SocketOpened{}, {send(proto::Hello{})}},
             {2270, WelcomeReceived{kDefaults}, {PassOn{}, status(Phase::Connected)}},  // no resume
         });
}

TEST(ServerLink, EveryResumeCarriesThisBrowsersId) {
  // The second-tab rule on the server needs the id in the resume too: the farewell's is built here.
  Machine m(kClient);
  in_call(m);
  m.handle(SocketClosed{}, 1000, 0.5);
  m.handle(LeaveCall{kRoom, "tok", "Ann"}, 1100, 0.5);
  m.handle(Tick{}, 1250, 0.5);
  m.handle(SocketOpened{}, 1260, 0.5);
  const Effects got = m.handle(WelcomeReceived{kDefaults}, 1270, 0.5);
  ASSERT_FALSE(got.empty());
  const auto* resume = std::get_if<proto::Resume>(&std::get<Send>(got[0]).message);
  ASSERT_NE(resume, nullptr) << show(got);
  EXPECT_EQ(resume->client, kClient);
  EXPECT_EQ(m.client_id(), kClient);
}

// ---- leaving: the goodbye, the farewell ---------------------------------------------------------

TEST(ServerLink, LeavingWhileConnectedSaysLeaveAndTheAnswerIsTheApps) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {1000, LeaveCall{kRoom, "tok", "Ann"}, {send(proto::Leave{})}},
             {1010, WelcomeReceived{kDefaults}, {PassOn{}}},  // the server's fresh welcome before left
             {1020, LeftReceived{LeftReason::Requested}, {PassOn{}}},
         });
  EXPECT_FALSE(m.farewell_pending());
}

TEST(ServerLink, ClosingThePageInACallSaysGoodbye) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {1000, PageHidden{}, {send(proto::Leave{}), CloseSocket{}, ConnectionLost{true}, status(Phase::Waiting, true)}},
             {1001, PageHidden{}, {}},  // the socket is closed: nothing more to say
         });
  // In the lobby, or with the socket down, there is nobody to say goodbye to.
  Machine lobby(kClient);
  connect(lobby, 0);
  run(lobby, {{1000, PageHidden{}, {}}});
  Machine offline(kClient);
  in_call(offline);
  run(offline, {
                   {1000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
                   {1100, PageHidden{}, {}},
               });
}

TEST(ServerLink, ACallLeftWhileDisconnectedSaysFarewellOnceBack) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {1000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {1100, LeaveCall{kRoom, "tok-3", "Ann"}, {status(Phase::Waiting)}},  // nothing can be said now
             {1250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
             {1260, SocketOpened{}, {send(proto::Hello{})}},
             {1270, WelcomeReceived{kDefaults},
              {send(proto::Resume{"tok-3", "Ann", false, false, kClient}), send(proto::Leave{}), PassOn{},
               status(Phase::Connected)}},
             // Their answers are not news: the call is over here already.
             {1280, ResumedReceived{kRoom, false}, {}},
             {1290, WelcomeReceived{kDefaults}, {PassOn{}}},  // back in the lobby: the server's fresh welcome
             {1300, LeftReceived{LeftReason::Requested}, {}},
             // Done: a later left is the app's again.
             {1400, LeftReceived{LeftReason::Requested}, {PassOn{}}},
         });
  EXPECT_FALSE(m.farewell_pending());
}

TEST(ServerLink, AFarewellAfterTheSessionEndedIsQuiet) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {1000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {1100, LeaveCall{kRoom, "tok-3", "Ann"}, {status(Phase::Waiting)}},
             {30000, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
             {30010, SocketOpened{}, {send(proto::Hello{})}},
             {30020, WelcomeReceived{kDefaults},
              {send(proto::Resume{"tok-3", "Ann", false, false, kClient}), send(proto::Leave{}), PassOn{},
               status(Phase::Connected)}},
             {30030, ErrorReceived{"resume", ErrorCode::SessionExpired, "gone"}, {}},
             {30040, ErrorReceived{"leave", ErrorCode::NotInRoom, "not in a room"}, {}},
             {30050, ErrorReceived{"leave", ErrorCode::NotInRoom, "not in a room"}, {PassOn{}}},
         });
  EXPECT_FALSE(m.farewell_pending());
}

TEST(ServerLink, AFarewellLostWithItsSocketIsSaidAgain) {
  Machine m(kClient);
  in_call(m);
  const Effects farewell = {send(proto::Resume{"tok-3", "Ann", false, false, kClient}), send(proto::Leave{}), PassOn{},
                            status(Phase::Connected)};
  run(m, {
             {1000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {1100, LeaveCall{kRoom, "tok-3", "Ann"}, {status(Phase::Waiting)}},
             {1250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
             {1260, SocketOpened{}, {send(proto::Hello{})}},
             {1270, WelcomeReceived{kDefaults}, farewell},
             {1280, SocketClosed{}, {ConnectionLost{false}, status(Phase::Waiting)}},  // before any answer
             {1530, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
             {1540, SocketOpened{}, {send(proto::Hello{})}},
             {1550, WelcomeReceived{kDefaults}, farewell},
             {1560, ResumedReceived{kRoom, false}, {}},
             {1570, LeftReceived{LeftReason::Requested}, {}},
         });
  EXPECT_FALSE(m.farewell_pending());
}

TEST(ServerLink, LeavingWhileTheResumeIsInFlightSaysGoodbyeOnTheSameSocket) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {1000, SocketClosed{}, {ConnectionLost{true}, status(Phase::Waiting, true)}},
             {1250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting, true)}},
             {1260, SocketOpened{}, {send(proto::Hello{})}},
             {1270, WelcomeReceived{kDefaults}, {SendResume{}, PassOn{}, status(Phase::Connected, true)}},
             // Leave clicked before the resume's answer: leave right behind it (the server answers in order).
             {1275, LeaveCall{kRoom, "tok-3", "Ann"}, {send(proto::Leave{}), status(Phase::Connected)}},
             {1280, ResumedReceived{kRoom, false}, {}},
             {1290, LeftReceived{LeftReason::Requested}, {}},
             // Nothing is said again on the next socket.
             {2000, SocketClosed{}, {ConnectionLost{false}, status(Phase::Waiting)}},
             {2250, Tick{}, {OpenSocket{}, status(Phase::Reconnecting)}},
             {2260, SocketOpened{}, {send(proto::Hello{})}},
             {2270, WelcomeReceived{kDefaults}, {PassOn{}, status(Phase::Connected)}},
         });
}

// ---- server messages ----------------------------------------------------------------------------

TEST(ServerLink, OnlyLinkMessagesAreTranslated) {
  EXPECT_EQ(std::get<WelcomeReceived>(*to_event(proto::Welcome{.version = 3, .rooms = {}, .limits = kDefaults})).limits, kDefaults);
  EXPECT_TRUE(std::holds_alternative<PongReceived>(*to_event(proto::Pong{})));
  const auto resumed = std::get<ResumedReceived>(*to_event(proto::Resumed{.room = {.id = 9}, .restored = true}));
  EXPECT_EQ(resumed.room, 9u);
  EXPECT_TRUE(resumed.restored);
  const auto error = std::get<ErrorReceived>(*to_event(proto::Error{ErrorCode::RoomFull, "full", "join"}));
  EXPECT_EQ(error.request, "join");
  EXPECT_EQ(error.code, ErrorCode::RoomFull);
  EXPECT_EQ(error.message, "full");
  EXPECT_EQ(std::get<LeftReceived>(*to_event(proto::Left{LeftReason::Replaced})).reason, LeftReason::Replaced);
  EXPECT_FALSE(to_event(proto::RoomUpdated{}));
  EXPECT_FALSE(to_event(proto::Joined{}));
  proto::RelayedSignal relayed;
  relayed.signal.seq = 12;
  EXPECT_EQ(std::get<SignalArrived>(*to_event(relayed)).seq, 12u);  // numbered: the link drops what it had
  EXPECT_FALSE(to_event(proto::SessionToken{}));
  EXPECT_FALSE(to_event(proto::IceConfig{}));
}

TEST(ServerLink, ErrorsAndLeftsThatAreNotTheLinksArePassedOn) {
  Machine m(kClient);
  in_call(m);
  run(m, {
             {1000, ErrorReceived{"join", ErrorCode::RoomFull, "full"}, {PassOn{}}},
             {1010, ErrorReceived{"signal", ErrorCode::PeerNotFound, "gone"}, {PassOn{}}},
             {1020, LeftReceived{LeftReason::RoomDeleted}, {PassOn{}}},  // the app ends the call, and says so
             {1030, CallEnded{}, {}},
         });
}

}  // namespace
}  // namespace moim::server_link
