// The peer-health machine, step by step with the clock set by hand: when ICE restarts are asked
// for, when a peer is declared unreachable, and when that verdict goes away.
#include "effect_script.hpp"
#include "peer_health.hpp"

#include <gtest/gtest.h>

namespace moim::peer_health {
namespace {

using CS = ConnectionState;

// A scripted step: at `at` ms, an event, and the exact effects it must produce.
struct Step {
  double at;
  Event event;
  Effects expected;
};

void run(Machine& m, const std::vector<Step>& script) {
  test::run_script(script, [&](const Step& s) { return m.handle(s.event, s.at); }, test::at_ms<Step>);
}

constexpr PeerId kBob = 7, kCat = 9;

TEST(PeerHealth, AConnectionThatConnectsNeedsNothing) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {100, StateChanged{kBob, CS::Connecting}, {}},
             {900, StateChanged{kBob, CS::Connected}, {}},
             {60000, Tick{}, {}},
         });
  EXPECT_EQ(m.peer(kBob)->stage, Stage::Connected);
  EXPECT_FALSE(m.unreachable(kBob));
}

TEST(PeerHealth, NeverConnectingRestartsAtTheBoundThenIsUnreachable) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {50, StateChanged{kBob, CS::Connecting}, {}},
             {kConnectBoundMs - 1, Tick{}, {}},
             {kConnectBoundMs, Tick{}, {RestartIce{kBob}}},
             {kConnectBoundMs + kRestartRetryMs - 1, Tick{}, {}},
             {kConnectBoundMs + kRestartRetryMs, Tick{}, {RestartIce{kBob}}},
             {kConnectBoundMs + 2 * kRestartRetryMs, Tick{}, {RestartIce{kBob}}},
             {kConnectBoundMs + kRestartBoundMs - 1, Tick{}, {}},
             {kConnectBoundMs + kRestartBoundMs, Tick{}, {BecameUnreachable{kBob}}},
         });
  EXPECT_TRUE(m.unreachable(kBob));
  EXPECT_EQ(m.peer(kBob)->restarts, 3);
}

TEST(PeerHealth, FailedRestartsAtOnce) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {4000, StateChanged{kBob, CS::Failed}, {}},
             {4200, Tick{}, {RestartIce{kBob}}},
             {4200 + kRestartBoundMs, Tick{}, {BecameUnreachable{kBob}}},
         });
  EXPECT_TRUE(m.unreachable(kBob));
}

TEST(PeerHealth, DisconnectedGetsAGraceThenRestarts) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {500, StateChanged{kBob, CS::Connected}, {}},
             {10000, StateChanged{kBob, CS::Disconnected}, {}},
             {10000 + kDisconnectedGraceMs - 1, Tick{}, {}},
             {10000 + kDisconnectedGraceMs, Tick{}, {RestartIce{kBob}}},
             // The restart works: connected again, nothing more.
             {14000, StateChanged{kBob, CS::Connecting}, {}},
             {14500, StateChanged{kBob, CS::Connected}, {}},
             {60000, Tick{}, {}},
         });
  EXPECT_EQ(m.peer(kBob)->stage, Stage::Connected);
}

TEST(PeerHealth, ABriefDisconnectionIsNotTrouble) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {500, StateChanged{kBob, CS::Connected}, {}},
             {10000, StateChanged{kBob, CS::Disconnected}, {}},
             {11000, Tick{}, {}},
             {12000, StateChanged{kBob, CS::Connected}, {}},
             {13100, Tick{}, {}},
         });
}

TEST(PeerHealth, MediaPathCutForGoodEndsUnreachableAndRetriesSlowly) {
  Machine m;
  const double cut = 30000, restart = cut + kDisconnectedGraceMs, verdict = restart + kRestartBoundMs;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {500, StateChanged{kBob, CS::Connected}, {}},
             {cut, StateChanged{kBob, CS::Disconnected}, {}},
             {restart, Tick{}, {RestartIce{kBob}}},
             {restart + 100, StateChanged{kBob, CS::Connecting}, {}},
             {restart + kRestartRetryMs, Tick{}, {RestartIce{kBob}}},
             {restart + 8000, StateChanged{kBob, CS::Failed}, {}},
             {restart + 2 * kRestartRetryMs, Tick{}, {RestartIce{kBob}}},
             {verdict, Tick{}, {BecameUnreachable{kBob}}},
             // From now on, a restart only every kBackgroundRetryMs, and the verdict stays.
             {verdict + kBackgroundRetryMs - 1, Tick{}, {}},
             {verdict + kBackgroundRetryMs, Tick{}, {RestartIce{kBob}}},
             {verdict + kBackgroundRetryMs + 500, StateChanged{kBob, CS::Failed}, {}},
             {verdict + 2 * kBackgroundRetryMs - 1, Tick{}, {}},
             {verdict + 2 * kBackgroundRetryMs, Tick{}, {RestartIce{kBob}}},
             // The path is back: the background restart connects, and the verdict goes.
             {verdict + 2 * kBackgroundRetryMs + 700, StateChanged{kBob, CS::Connected}, {ReachableAgain{kBob}}},
             {verdict + 5 * kBackgroundRetryMs, Tick{}, {}},
         });
  EXPECT_FALSE(m.unreachable(kBob));
  EXPECT_EQ(m.peer(kBob)->stage, Stage::Connected);
}

TEST(PeerHealth, LeavingConnectedStartsAFreshStretch) {
  // An earlier failure and recovery do not count against a later one.
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {kConnectBoundMs, Tick{}, {RestartIce{kBob}}},
             {kConnectBoundMs + 1000, StateChanged{kBob, CS::Connected}, {}},
             {100000, StateChanged{kBob, CS::Failed}, {}},
             {100000, Tick{}, {RestartIce{kBob}}},
             {100000 + kRestartBoundMs - 1, Tick{}, {RestartIce{kBob}}},  // the only tick since: one retry
             {100000 + kRestartBoundMs, Tick{}, {BecameUnreachable{kBob}}},
         });
}

TEST(PeerHealth, PeersAreJudgedApart) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {0, ConnectionCreated{kCat}, {}},
             {800, StateChanged{kCat, CS::Connected}, {}},
             {kConnectBoundMs, Tick{}, {RestartIce{kBob}}},
             {kConnectBoundMs + kRestartBoundMs, Tick{}, {BecameUnreachable{kBob}}},
         });
  EXPECT_TRUE(m.unreachable(kBob));
  EXPECT_FALSE(m.unreachable(kCat));
}

TEST(PeerHealth, NothingFiresWithoutSignalingAndClocksRestartWhenItIsBack) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {1000, StateChanged{kBob, CS::Failed}, {}},
             // The server is away: no restart can be sent, so none is asked for, and no verdict.
             {1500, Tick{false}, {}},
             {60000, Tick{false}, {}},
             // Back: trouble is seen afresh (the connection is still failed) and restarted now.
             {61000, Tick{true}, {RestartIce{kBob}}},
             {61000 + kRestartRetryMs, Tick{}, {RestartIce{kBob}}},
             {61000 + 2 * kRestartRetryMs, Tick{}, {RestartIce{kBob}}},
             {61000 + kRestartBoundMs, Tick{}, {BecameUnreachable{kBob}}},
             // Away again, past a background retry; back: the unreachable peer is retried at once.
             {61000 + kRestartBoundMs + 10, Tick{false}, {}},
             {200000, Tick{false}, {}},
             {200500, Tick{true}, {RestartIce{kBob}}},
             {200600, Tick{true}, {}},
         });
  EXPECT_TRUE(m.unreachable(kBob));
}

TEST(PeerHealth, AServerOutageDoesNotEatTheConnectBound) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {5000, Tick{false}, {}},
             {30000, Tick{true}, {}},  // 30 s since creation, but the stretch restarts now
             {30000 + kConnectBoundMs - 1, Tick{}, {}},
             {30000 + kConnectBoundMs, Tick{}, {RestartIce{kBob}}},
         });
}

TEST(PeerHealth, ClosedOrReplacedConnectionsForgetTheirVerdict) {
  Machine m;
  run(m, {
             {0, ConnectionCreated{kBob}, {}},
             {0, StateChanged{kBob, CS::Failed}, {}},
             {1, Tick{}, {RestartIce{kBob}}},
             {1 + kRestartBoundMs, Tick{}, {BecameUnreachable{kBob}}},
             // A new connection to the same peer (a rejoin): judged from scratch.
             {20000, ConnectionCreated{kBob}, {}},
             {20001, Tick{}, {}},
         });
  EXPECT_FALSE(m.unreachable(kBob));
  EXPECT_EQ(m.peer(kBob)->stage, Stage::Waiting);
  run(m, {
             {21000, ConnectionClosed{kBob}, {}},
             {21000, StateChanged{kBob, CS::Failed}, {}},  // a late state of the closed one: ignored
             {99000, Tick{}, {}},
         });
  EXPECT_EQ(m.peer(kBob), nullptr);
}

TEST(PeerHealth, StatesOfUnknownPeersChangeNothing) {
  Machine m;
  run(m, {
             {0, StateChanged{kBob, CS::Failed}, {}},
             {0, ConnectionClosed{kCat}, {}},
             {90000, Tick{}, {}},
         });
  EXPECT_TRUE(m.peers().empty());
}

TEST(PeerHealth, NoticeNamesThePeerAndHintsAtTurnOnlyWhenThereIsNone) {
  using ui_text::Lang;
  const auto without = unreachable_notice(Lang::En, "Bob", false);
  EXPECT_EQ(without.text, "Can't reach Bob: your networks block a direct connection.");
  EXPECT_NE(without.hint.find("no TURN relay"), std::string::npos);
  EXPECT_NE(without.hint.find("README: Run it on a server"), std::string::npos);
  EXPECT_FALSE(without.trying.empty());
  const auto with = unreachable_notice(Lang::En, "모임", true);
  EXPECT_EQ(with.text, "Can't reach 모임: your networks block a direct connection.");
  EXPECT_TRUE(with.hint.empty());
  const auto korean = unreachable_notice(Lang::Ko, "Bob", false);
  EXPECT_EQ(korean.text, "Bob님에게 연결할 수 없습니다: 네트워크가 직접 연결을 막고 있습니다.");
  EXPECT_NE(korean.hint.find("TURN"), std::string::npos);
  EXPECT_FALSE(korean.trying.empty());
}

}  // namespace
}  // namespace moim::peer_health
