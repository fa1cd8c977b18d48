// The client's join flow (shared/join_flow.hpp), step by step: devices asked for, retried with audio
// only, settled with a note; a join at once or after the devices; a stale answer dropped; the join
// sent again only on a new socket's welcome; leave, cancel, a refused join; the answer to a cancelled
// join awaited before the next goes out; an insecure page.
#include "effect_script.hpp"
#include "join_flow.hpp"

#include <gtest/gtest.h>

namespace moim::join_flow {
namespace {

struct Step {
  Event event;
  Effects expected;
};

void run(Machine& m, const std::vector<Step>& script) {
  test::run_script(script, [&](const Step& s) { return m.handle(s.event); }, [](const Step&) { return std::string(); });
}

constexpr proto::RoomId kRoom = 7, kOther = 9;
const ui_text::Message kAudioOnlyNote{ui_text::Id::NoCameraAudioOnly, {}};
std::string en(const ui_text::Message& m) { return ui_text::render(ui_text::Lang::En, m); }

// A page on a secure origin, connected (socket 1 open), the lobby shown: devices requested (#1).
Machine connected_lobby() {
  Machine m;
  run(m, {
             {PageOpened{true}, {}},
             {SocketOpening{}, {}},
             {SocketOpened{}, {}},
             {Welcomed{}, {}},
             {LobbyShown{}, {RequestDevices{true, true, 1}}},
         });
  EXPECT_EQ(m.devices(), Devices::Requesting);
  return m;
}

// ... and the camera and microphone given.
Machine settled_lobby() {
  Machine m = connected_lobby();
  run(m, {{MediaOpened{1, true, true}, {UseStream{true, true}}}});
  EXPECT_EQ(m.devices(), Devices::Settled);
  return m;
}

TEST(JoinFlow, JoinWithDevicesSettledIsSentAtOnce) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, ""}, {SendJoin{kRoom, "", true, true}}},
             {Joined{}, {Admitted{}}},  // nothing to say: the banner is cleared
         });
  EXPECT_EQ(m.stage(), Stage::None);
  EXPECT_FALSE(m.joining());
  EXPECT_EQ(m.room(), kRoom);
}

TEST(JoinFlow, JoinWhileDevicesAreRequestedIsSentWithTheirAnswer) {
  Machine m = connected_lobby();
  run(m, {
             {StartJoin{kRoom, "pw"}, {}},  // the lobby's request is on its way: no second one
         });
  EXPECT_EQ(m.stage(), Stage::AcquiringMedia);
  EXPECT_TRUE(m.joining());
  run(m, {
             {MediaOpened{1, true, true}, {UseStream{true, true}, SendJoin{kRoom, "pw", true, true}}},
         });
  EXPECT_EQ(m.stage(), Stage::WaitingForServer);
  EXPECT_TRUE(m.joining());
}

TEST(JoinFlow, ACameraFailureIsTriedAgainWithAudioOnlyAndSaidWhenTheCallStarts) {
  Machine m = connected_lobby();
  run(m, {
             {StartJoin{kRoom, ""}, {}},
             {MediaFailed{1, "NotReadableError", "Could not start video source"}, {RequestDevices{true, false, 2}}},
             {MediaOpened{2, true, false}, {UseStream{true, false}, SendJoin{kRoom, "", true, false}}},
             {Joined{}, {Admitted{kAudioOnlyNote}}},
         });
  EXPECT_EQ(m.note(), kAudioOnlyNote);
  EXPECT_TRUE(m.audio());
  EXPECT_FALSE(m.video());
}

TEST(JoinFlow, WhatTheDevicesGaveIsSaidInOneNote) {
  struct Row {
    std::string what;
    std::vector<Event> answers;  // to requests #1 and, after a failure, #2
    bool audio, video;
    std::string note;
  };
  const std::vector<Row> rows = {
      {"both", {MediaOpened{1, true, true}}, true, true, ""},
      {"no microphone", {MediaOpened{1, false, true}}, false, true,
       "No microphone available. You join with video only."},
      {"no camera", {MediaOpened{1, true, false}}, true, false, en(kAudioOnlyNote)},
      {"busy camera, microphone", {MediaFailed{1, "NotReadableError", ""}, MediaOpened{2, true, false}}, true,
       false, en(kAudioOnlyNote)},
      {"nothing at all", {MediaFailed{1, "NotFoundError", "Requested device not found"}, MediaFailed{2, "NotFoundError", ""}},
       false, false,
       "Camera and microphone are unavailable (NotFoundError). You join without sending audio or video; you can "
       "still see and hear the others."},
      {"denied", {MediaFailed{1, "NotAllowedError", "Permission denied"}}, false, false,
       "Camera and microphone are unavailable (NotAllowedError: Permission denied). You join without sending audio "
       "or video; you can still see and hear the others."},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Machine m = connected_lobby();
    for (const Event& answer : row.answers) m.handle(answer);
    EXPECT_EQ(m.devices(), Devices::Settled);
    EXPECT_EQ(m.audio(), row.audio);
    EXPECT_EQ(m.video(), row.video);
    EXPECT_EQ(en(m.note()), row.note);
    run(m, {{StartJoin{kRoom, ""}, {SendJoin{kRoom, "", row.audio, row.video}}}, {Joined{}, {Admitted{m.note()}}}});
  }
}

TEST(JoinFlow, DeniedIsFinalNoAudioOnlyRetry) {
  Machine m = connected_lobby();
  run(m, {
             {StartJoin{kRoom, ""}, {}},
             {MediaFailed{1, "NotAllowedError", "Permission denied"}, {SendJoin{kRoom, "", false, false}}},
         });
}

TEST(JoinFlow, AStaleMediaAnswerIsDropped) {
  Machine m = connected_lobby();
  run(m, {
             {MediaFailed{1, "NotReadableError", ""}, {RequestDevices{true, false, 2}}},
             {MediaOpened{1, true, true}, {CloseStream{}}},  // the first request's late stream: closed
             {MediaFailed{1, "NotReadableError", ""}, {}},
             {MediaOpened{2, true, false}, {UseStream{true, false}}},
             {MediaOpened{2, true, false}, {CloseStream{}}},  // settled: nothing is requested any more
             {MediaOpened{3, true, true}, {CloseStream{}}},   // never asked for
         });
  EXPECT_EQ(m.devices(), Devices::Settled);
  EXPECT_FALSE(m.video());
  // Left while the devices were requested: their answer finds nothing waiting.
  Machine n = connected_lobby();
  run(n, {
             {CallEnded{}, {ReleaseDevices{}}},
             {MediaOpened{1, true, true}, {CloseStream{}}},
             {MediaFailed{1, "NotReadableError", ""}, {}},
         });
  EXPECT_EQ(n.devices(), Devices::Idle);
}

TEST(JoinFlow, AWelcomeOnTheSocketTheJoinWentOutOnDoesNotSendItAgain) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, ""}, {SendJoin{kRoom, "", true, true}}},
             {Welcomed{}, {}},  // the server's welcome before `left` (leave a room, join another at once)
             {Joined{}, {Admitted{}}},
         });
}

TEST(JoinFlow, ANewSocketsWelcomeSendsTheJoinAgainWithTheKeptPassword) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, "secret"}, {SendJoin{kRoom, "secret", true, true}}},
             {SocketGone{}, {}},
             {SocketOpening{}, {}},
             {SocketOpened{}, {}},
             {Welcomed{}, {SendJoin{kRoom, "secret", true, true}}},
             {Welcomed{}, {}},  // the same socket again: sent on it already
             {Joined{}, {Admitted{}}},
         });
  EXPECT_EQ(m.password(), "secret");  // kept in the call, for a rejoin
  run(m, {{Rejoin{kRoom}, {SendJoin{kRoom, "secret", true, true}}}});
  EXPECT_EQ(m.stage(), Stage::WaitingForServer);
}

TEST(JoinFlow, AJoinMadeWhileNoSocketIsOpenGoesOutWithTheNextWelcome) {
  Machine m = settled_lobby();
  run(m, {
             {SocketGone{}, {}},
             {StartJoin{kRoom, "pw"}, {SendJoin{kRoom, "pw", true, true}}},  // dropped by the socket; noted as unsent
             {SocketOpening{}, {}},
             {SocketOpened{}, {}},
             {Welcomed{}, {SendJoin{kRoom, "pw", true, true}}},
         });
  // A socket that opens and closes again before the welcome: the join is still owed.
  Machine n = settled_lobby();
  run(n, {
             {SocketOpening{}, {}},  // the link replaces the socket: not open yet
             {StartJoin{kRoom, ""}, {SendJoin{kRoom, "", true, true}}},
             {SocketOpened{}, {}},
             {Welcomed{}, {SendJoin{kRoom, "", true, true}}},
         });
}

TEST(JoinFlow, LeaveReleasesTheDevicesAndTheNextJoinAsksAgain) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, "pw"}, {SendJoin{kRoom, "pw", true, true}}},
             {Joined{}, {Admitted{}}},
             {CallEnded{}, {ReleaseDevices{}}},
         });
  EXPECT_EQ(m.devices(), Devices::Idle);
  EXPECT_EQ(m.password(), "");
  EXPECT_FALSE(m.audio());
  run(m, {
             {StartJoin{kOther, ""}, {RequestDevices{true, true, 2}}},
             {MediaOpened{2, true, true}, {UseStream{true, true}, SendJoin{kOther, "", true, true}}},
         });
}

TEST(JoinFlow, ARefusedJoinClearsTheStageAndThePassword) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, "pw"}, {SendJoin{kRoom, "pw", true, true}}},
             {JoinRefused{}, {}},
             {CallEnded{}, {ReleaseDevices{}}},  // the server's error for the join ends it
             {Joined{}, {SendLeave{}}},          // a late joined is not taken
         });
  EXPECT_EQ(m.stage(), Stage::None);
  EXPECT_EQ(m.password(), "");
}

TEST(JoinFlow, ACancelledJoinIsAnsweredWithLeaveAndKeepsTheDevices) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, "pw"}, {SendJoin{kRoom, "pw", true, true}}},
             {Cancel{}, {}},
             {Joined{}, {SendLeave{}}},
         });
  EXPECT_EQ(m.devices(), Devices::Settled);
  EXPECT_EQ(m.password(), "");
  // In a call a cancel (nothing on its way) keeps the password for a rejoin.
  run(m, {
             {StartJoin{kRoom, "pw"}, {SendJoin{kRoom, "pw", true, true}}},
             {Joined{}, {Admitted{}}},
             {Cancel{}, {}},
         });
  EXPECT_EQ(m.password(), "pw");
}

// A join sent and then cancelled is still answered (a locked room's password is checked off the
// server's main thread). A new join waits for that answer, so it is not taken for the new one's.
TEST(JoinFlow, AJoinAfterACancelledOneWaitsForItsAnswer) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, "pw"}, {SendJoin{kRoom, "pw", true, true}}},
             {Cancel{}, {}},
             {StartJoin{kOther, ""}, {}},  // held
         });
  EXPECT_TRUE(m.abandoned_answer_due());
  EXPECT_TRUE(m.joining());
  run(m, {
             {Joined{}, {SendLeave{}, SendJoin{kOther, "", true, true}}},  // room 7's joined: left, then ours
         });
  EXPECT_FALSE(m.abandoned_answer_due());
  run(m, {{Joined{}, {Admitted{}}}});
  EXPECT_EQ(m.room(), kOther);
}

TEST(JoinFlow, TheRefusalOfACancelledJoinEndsNothingAndSendsTheHeldOne) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, "wrong"}, {SendJoin{kRoom, "wrong", true, true}}},
             {Cancel{}, {}},
             {StartJoin{kOther, ""}, {}},
             {JoinRefused{}, {Log{"a refusal of a join given up on; nothing ends"}, SendJoin{kOther, "", true, true}}},
         });
  EXPECT_EQ(m.stage(), Stage::WaitingForServer);
  run(m, {{JoinRefused{}, {}}});  // the next refusal is the held join's own: it is over
  EXPECT_EQ(m.stage(), Stage::None);
}

// The password prompt's "wrong password": the refusal ends the join, and the prompt's cancel that
// follows it leaves no answer to wait for, so the next try goes out at once.
TEST(JoinFlow, ACancelAfterTheRefusalWaitsForNothing) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, "wrong"}, {SendJoin{kRoom, "wrong", true, true}}},
             {JoinRefused{}, {}},
             {Cancel{}, {}},
             {StartJoin{kRoom, "right"}, {SendJoin{kRoom, "right", true, true}}},
         });
  EXPECT_FALSE(m.abandoned_answer_due());
}

TEST(JoinFlow, ANewSocketBringsNoAnswerOfTheCancelledJoinAndTheHeldOneGoesOutAtItsWelcome) {
  Machine m = settled_lobby();
  run(m, {
             {StartJoin{kRoom, "pw"}, {SendJoin{kRoom, "pw", true, true}}},
             {Cancel{}, {}},
             {StartJoin{kOther, ""}, {}},
             {SocketGone{}, {}},
             {SocketOpening{}, {}},
             {SocketOpened{}, {}},
         });
  EXPECT_FALSE(m.abandoned_answer_due());
  run(m, {
             {Welcomed{}, {SendJoin{kOther, "", true, true}}},
             {Joined{}, {Admitted{}}},
         });
}

TEST(JoinFlow, ACancelBeforeTheJoinWentOutLeavesNoAnswerToWaitFor) {
  Machine m = connected_lobby();
  run(m, {
             {StartJoin{kRoom, ""}, {}},  // waits for the devices
             {Cancel{}, {}},
             {MediaOpened{1, true, true}, {UseStream{true, true}}},
             {StartJoin{kOther, ""}, {SendJoin{kOther, "", true, true}}},
         });
  EXPECT_FALSE(m.abandoned_answer_due());
}

TEST(JoinFlow, ASecondJoinWhileOneIsOnItsWayIsIgnored) {
  Machine m = connected_lobby();
  run(m, {
             {StartJoin{kRoom, ""}, {}},
             {StartJoin{kOther, "x"}, {Log{"ignored a join of room 9 while one is on its way"}}},
             {MediaOpened{1, true, true}, {UseStream{true, true}, SendJoin{kRoom, "", true, true}}},
         });
}

TEST(JoinFlow, AnInsecurePageAsksForNothingAndJoinsWithoutMedia) {
  const ui_text::Message note{ui_text::Id::NoDevicesInsecure, {}};
  EXPECT_EQ(en(note),
            "Camera and microphone need a secure page (https:// or http://localhost). You join without sending audio or "
            "video; you can still see and hear the others.");
  Machine m;
  run(m, {
             {PageOpened{false}, {}},
             {SocketOpening{}, {}},
             {SocketOpened{}, {}},
             {LobbyShown{}, {}},
         });
  EXPECT_FALSE(m.secure());
  EXPECT_EQ(m.devices(), Devices::Settled);
  run(m, {
             {StartJoin{kRoom, ""}, {SendJoin{kRoom, "", false, false}}},
             {Joined{}, {Admitted{note}}},
             {CallEnded{}, {ReleaseDevices{}}},
             {StartJoin{kRoom, ""}, {SendJoin{kRoom, "", false, false}}},  // asked again: still nothing to ask
         });
}

}  // namespace
}  // namespace moim::join_flow
