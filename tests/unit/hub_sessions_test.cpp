// The hub's time-dependent and stateful rules, with the clock set by hand: heartbeats, the resume
// grace window, restoring sessions after a restart, the second-tab rule, rate and size limits, room
// passwords (the argon2id jobs run for real, at libsodium's minimum cost), owners, expiry.
#include "hub.hpp"
#include "hub_frames.hpp"
#include "hub_world.hpp"
#include "password_pool.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace moim {
namespace {

using namespace proto;

using test::of_type;
using test::received;

ErrorCode error_code(const HubOutput& out, ConnId conn) {
  auto errors = of_type<Error>(out, conn);
  return errors.empty() ? ErrorCode::Internal : errors.back().code;
}

Signal candidate_to(PeerId to, std::string line = "candidate:1 1 udp 1 10.0.0.1 9 typ host") {
  Signal s;
  s.peer = to;
  s.kind = SignalKind::Candidate;
  s.candidate.candidate = std::move(line);
  s.candidate.sdp_mid = "0";
  return s;
}

// Runs argon2id jobs for real (minimum cost) and feeds the results back, as the server does.
std::vector<PasswordResult> run_jobs(const std::vector<PasswordJob>& jobs) {
  std::mutex mutex;
  std::condition_variable done;
  std::vector<PasswordResult> results;
  {
    server::PasswordPool pool(1, 64, [&](PasswordResult r) {
      std::lock_guard lock(mutex);
      results.push_back(std::move(r));
      done.notify_all();
    }, server::PasswordCost::minimum());
    for (const auto& job : jobs) EXPECT_TRUE(pool.submit(job));
    std::unique_lock lock(mutex);
    done.wait_for(lock, std::chrono::seconds(20), [&] { return results.size() == jobs.size(); });
  }
  return results;
}

class Sessions : public ::testing::Test, protected test::ClockedHub {
 protected:
  // Heartbeats off unless a test turns them on: most tests let the clock run without pinging.
  static HubConfig quiet() {
    HubConfig config = test::test_config();
    config.heartbeat_timeout_ms = 3'600'000;
    return config;
  }
  Sessions() { make_hub(quiet()); }

  void make_hub(HubConfig config) { ASSERT_EQ(start_hub(config), ""); }
  RoomId create(ConnId conn, std::string name) {
    const RoomId room = ClockedHub::create(conn, std::move(name));
    EXPECT_NE(room, 0u);
    return room;
  }
  Joined join(ConnId conn, RoomId room, std::string name, std::string client = {}) {
    auto joined = of_type<Joined>(
        send(conn, Join{.room = room, .name = std::move(name), .mic = true, .camera = true, .password = {}, .client = std::move(client)}),
        conn);
    EXPECT_EQ(joined.size(), 1u);
    return joined.empty() ? Joined{} : joined[0];
  }
  // Connections 1 (A) and 2 (B) in a new room "Standup".
  struct TwoInARoom {
    RoomId room;
    Joined a, b;
  };
  TwoInARoom a_and_b_in_standup() {
    hello(1), hello(2);
    const RoomId room = create(1, "Standup");
    Joined a = join(1, room, "A");
    Joined b = join(2, room, "B");
    return {room, std::move(a), std::move(b)};
  }
  Resume resume_of(const Joined& j) {
    return Resume{.token = j.token, .name = j.self.name, .mic = true, .camera = true, .client = {}};
  }
};

// ---- resume -------------------------------------------------------------------------------------

TEST_F(Sessions, LostConnectionIsHeldSilentlyAndResumesWithTheSamePeerIdAndWhatItMissed) {
  hello(1), hello(2), hello(3);
  const RoomId room = create(1, "Standup");
  const Joined a = join(1, room, "A");
  const Joined b = join(2, room, "B");

  HubOutput lost = hub().disconnect(2, Hub::Departure::Lost);
  EXPECT_TRUE(lost.sends.empty()) << "nobody hears about a lost connection during the grace window";
  advance(10'000);
  EXPECT_TRUE(of_type<PeerLeft>(hub().tick(), 1).empty());
  // A signals B meanwhile: held for B, in order.
  EXPECT_TRUE(send(1, SendSignal{candidate_to(b.self.id, "candidate:first")}).sends.empty());
  send(1, SendSignal{candidate_to(b.self.id, "candidate:second")});
  EXPECT_EQ(hub().held_session_count(), 1u);

  hello(4);  // B's new connection
  HubOutput resumed = send(4, resume_of(b));
  auto msgs = received(resumed, 4);
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<IceConfig>(msgs[0])) << "the ICE servers just before resumed";
  const auto& r = std::get<Resumed>(msgs[1]);
  EXPECT_EQ(r.self.id, b.self.id);
  EXPECT_FALSE(r.restored);
  EXPECT_EQ(r.peers, std::vector<PeerInfo>{a.self});
  EXPECT_EQ(std::get<RelayedSignal>(msgs[2]).signal.candidate.candidate, "candidate:first");
  EXPECT_EQ(std::get<RelayedSignal>(msgs[3]).signal.candidate.candidate, "candidate:second");
  EXPECT_TRUE(received(resumed, 1).empty()) << "A sees nothing: no leave, no join";
  // The resumed connection relays as before, both ways.
  EXPECT_EQ(of_type<RelayedSignal>(send(4, SendSignal{candidate_to(a.self.id)}), 1).size(), 1u);
  EXPECT_EQ(of_type<RelayedSignal>(send(1, SendSignal{candidate_to(b.self.id)}), 4).size(), 1u);
  advance(30'000);
  hub().tick();
  EXPECT_EQ(hub().registry().info(room)->participants, 2u);
}

// The connection died but nobody noticed yet: what the hub wrote into it is gone. The resume says the
// last signal the client got; the hub sends the rest again, numbered as before, and says which of
// the client's own it has (the client sends those after it again, and the hub drops repeats).
TEST_F(Sessions, AResumeSendsAgainTheSignalsADeadConnectionSwallowed) {
  [[maybe_unused]] const auto [room, a, b] = a_and_b_in_standup();
  std::vector<std::uint64_t> numbers;
  for (const char* line : {"candidate:1", "candidate:2", "candidate:3"}) {
    for (const auto& m : of_type<RelayedSignal>(send(1, SendSignal{candidate_to(b.self.id, line)}), 2))
      numbers.push_back(m.signal.seq);
  }
  EXPECT_EQ(numbers, (std::vector<std::uint64_t>{1, 2, 3}));
  // B's signals to A carry B's numbers; the hub keeps the last.
  Signal numbered = candidate_to(a.self.id, "candidate:b1");
  numbered.seq = 1;
  EXPECT_EQ(of_type<RelayedSignal>(send(2, SendSignal{numbered}), 1).size(), 1u);
  numbered.seq = 2;
  send(2, SendSignal{numbered});
  // B's ping says it got signal 1: the pong says the hub got B's 2.
  EXPECT_EQ(of_type<Pong>(send(2, Ping{.seen = 1}), 2), std::vector<Pong>{Pong{.seen = 2}});
  // Now B's connection dies unnoticed; B comes back having seen only signal 1.
  hub().disconnect(2, Hub::Departure::Lost);
  send(1, SendSignal{candidate_to(b.self.id, "candidate:4")});  // while held
  hello(3);
  Resume resume = resume_of(b);
  resume.seen = 1;
  auto msgs = received(send(3, resume), 3);
  ASSERT_EQ(msgs.size(), 5u);
  const auto& r = std::get<Resumed>(msgs[1]);
  EXPECT_EQ(r.seen, 2u);
  EXPECT_FALSE(r.missed);
  std::vector<std::string> again;
  for (std::size_t i = 2; i < msgs.size(); ++i) {
    const auto& s = std::get<RelayedSignal>(msgs[i]).signal;
    again.push_back(s.candidate.candidate + "#" + std::to_string(s.seq));
  }
  EXPECT_EQ(again, (std::vector<std::string>{"candidate:2#2", "candidate:3#3", "candidate:4#4"}));
  // B sends its signal 2 again (it did not know the hub had it): dropped, not relayed twice.
  EXPECT_TRUE(send(3, SendSignal{numbered}).sends.empty());
  numbered.seq = 3;
  EXPECT_EQ(of_type<RelayedSignal>(send(3, SendSignal{numbered}), 1).size(), 1u);
}

TEST_F(Sessions, MoreSignalsThanKeptForAHeldSessionAskForAnIceRestartInsteadOfEndingIt) {
  [[maybe_unused]] const auto [room, a, b] = a_and_b_in_standup();
  hub().disconnect(2, Hub::Departure::Lost);
  for (int i = 0; i < 200; ++i) send(1, SendSignal{candidate_to(b.self.id, "candidate:" + std::to_string(i))});
  EXPECT_TRUE(of_type<PeerLeft>(hub().tick(), 1).empty()) << "signals do not overflow the held queue";
  hello(3);
  auto msgs = received(send(3, resume_of(b)), 3);
  ASSERT_GE(msgs.size(), 2u);
  EXPECT_TRUE(std::get<Resumed>(msgs[1]).missed);
  std::vector<RelayedSignal> relayed;
  for (const auto& m : msgs)
    if (const auto* s = std::get_if<RelayedSignal>(&m)) relayed.push_back(*s);
  EXPECT_TRUE(relayed.empty()) << "a replay with a hole in it helps nobody";
}

TEST_F(Sessions, AfterTheGraceWindowTheOthersSeeItLeaveAndTheTokenIsExpired) {
  [[maybe_unused]] const auto [room, a, b] = a_and_b_in_standup();
  hub().disconnect(2, Hub::Departure::Lost);
  advance(19'999);
  EXPECT_TRUE(of_type<PeerLeft>(hub().tick(), 1).empty());
  advance(1);
  HubOutput out = hub().tick();
  ASSERT_EQ(of_type<PeerLeft>(out, 1).size(), 1u);
  EXPECT_EQ(of_type<PeerLeft>(out, 1)[0].peer, b.self.id);
  EXPECT_EQ(hub().registry().info(room)->participants, 1u);

  hello(3);
  EXPECT_EQ(error_code(send(3, resume_of(b)), 3), ErrorCode::SessionExpired);
  // Joining again gives a new id.
  EXPECT_NE(join(3, room, "B").self.id, b.self.id);
}

TEST_F(Sessions, AClosedConnectionLeavesAtOnce) {
  [[maybe_unused]] const auto [room, a, b] = a_and_b_in_standup();
  HubOutput out = hub().disconnect(2, Hub::Departure::Closed);
  ASSERT_EQ(of_type<PeerLeft>(out, 1).size(), 1u);
  hello(3);
  EXPECT_EQ(error_code(send(3, resume_of(b)), 3), ErrorCode::SessionExpired);
}

TEST_F(Sessions, ASilentConnectionIsClosedAndHeldThenLeavesWithinThirtySeconds) {
  make_hub(test::test_config());  // the default heartbeat timeout and grace window
  hello(1), hello(2);
  const RoomId room = create(1, "Standup");
  join(1, room, "A");
  join(2, room, "B");
  // A keeps pinging; B goes silent (a frozen tab).
  std::int64_t left_after = -1;
  for (int s = 1; s <= 40 && left_after < 0; ++s) {
    advance(1000);
    if (s % 2 == 0) EXPECT_EQ(of_type<Pong>(send(1, Ping{}), 1).size(), 1u);
    HubOutput out = hub().tick();
    if (s == 8) EXPECT_EQ(out.closes, std::vector<ConnId>{2}) << "closed after the heartbeat timeout";
    if (!of_type<PeerLeft>(out, 1).empty()) left_after = s;
  }
  EXPECT_GT(left_after, 20);
  EXPECT_LE(left_after, 30);
  // The transport reports the close later: nothing more happens.
  EXPECT_TRUE(hub().disconnect(2, Hub::Departure::Closed).sends.empty());
}

TEST_F(Sessions, ResumeWhileTheOldConnectionStillLooksAliveTakesOver) {
  [[maybe_unused]] const auto [room, a, b] = a_and_b_in_standup();
  hello(3);
  HubOutput out = send(3, resume_of(b));
  EXPECT_EQ(of_type<Resumed>(out, 3).size(), 1u);
  EXPECT_EQ(out.closes, std::vector<ConnId>{2});
  EXPECT_TRUE(received(out, 1).empty());
  // The old connection's end changes nothing.
  EXPECT_TRUE(hub().disconnect(2, Hub::Departure::Closed).sends.empty());
  EXPECT_EQ(hub().registry().info(room)->participants, 2u);
}

TEST_F(Sessions, TooMuchHeldForALostSessionEndsIt) {
  HubConfig config = quiet();
  config.max_held_messages = 3;
  make_hub(config);
  [[maybe_unused]] const auto [room, a, b] = a_and_b_in_standup();
  hub().disconnect(2, Hub::Departure::Lost);
  for (int i = 0; i < 4; ++i) send(1, SetMedia{.mic = i % 2 == 0, .camera = true});  // peer-media for B, held
  hello(5);
  EXPECT_EQ(error_code(send(5, resume_of(b)), 5), ErrorCode::SessionExpired) << "lost messages: not resumable";
  HubOutput out = hub().tick();
  EXPECT_EQ(of_type<PeerLeft>(out, 1).size(), 1u) << "it could not be resumed without losing messages";
  hello(3);
  EXPECT_EQ(error_code(send(3, resume_of(b)), 3), ErrorCode::SessionExpired);
}

TEST_F(Sessions, ForgedOrForeignTokensAreRefused) {
  hello(1);
  const RoomId room = create(1, "Standup");
  const Joined a = join(1, room, "A");
  hello(2);
  std::string forged = a.token;
  forged[3] = forged[3] == '9' ? '8' : '9';
  for (const std::string& token : {forged, std::string("s1.1.1.0.x.y"), std::string(), std::string(200, 'a')}) {
    EXPECT_EQ(error_code(send(2, Resume{.token = token, .name = "A", .mic = true, .camera = true, .client = {}}), 2),
              ErrorCode::SessionExpired)
        << token;
  }
  EXPECT_EQ(hub().registry().info(room)->participants, 1u);
}

// ---- restart ------------------------------------------------------------------------------------

TEST_F(Sessions, AfterARestartTokensRestoreTheSamePeersAndNewPeersGetNewIds) {
  hello(1), hello(2), hello(3);
  const RoomId room = create(1, "Standup");
  const Joined a = join(1, room, "A");
  const Joined b = join(2, room, "B");
  const Joined c = join(3, room, "C");

  make_hub(config_);  // the same store and key: a restarted server
  ASSERT_EQ(hub().registry().info(room)->name, "Standup");
  EXPECT_EQ(hub().registry().info(room)->participants, 0u);

  hello(11), hello(12), hello(13), hello(14);
  HubOutput ra = send(11, resume_of(a));
  auto resumed_a = of_type<Resumed>(ra, 11);
  ASSERT_EQ(resumed_a.size(), 1u);
  EXPECT_TRUE(resumed_a[0].restored);
  EXPECT_EQ(resumed_a[0].self.id, a.self.id);
  EXPECT_TRUE(resumed_a[0].peers.empty()) << "the others are not back yet";

  HubOutput rb = send(12, resume_of(b));
  auto resumed_b = of_type<Resumed>(rb, 12);
  ASSERT_EQ(resumed_b.size(), 1u);
  EXPECT_EQ(resumed_b[0].peers, std::vector<PeerInfo>{a.self});
  auto back = of_type<PeerJoined>(rb, 11);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].peer.id, b.self.id);
  EXPECT_TRUE(back[0].resumed);

  // A newcomer gets an id no one had before the restart.
  const Joined d = join(14, room, "D");
  EXPECT_GT(d.self.id, c.self.id);
  // A token cannot be restored twice once its session ended.
  hub().disconnect(11, Hub::Departure::Closed);
  hello(15);
  EXPECT_EQ(error_code(send(15, resume_of(a)), 15), ErrorCode::SessionExpired);
}

// ---- second tab ---------------------------------------------------------------------------------

TEST_F(Sessions, TheSameBrowserJoiningTheSameRoomAgainReplacesItsOlderSession) {
  hello(1), hello(2), hello(3);
  const RoomId room = create(1, "Standup");
  join(1, room, "A");
  const Joined first = join(2, room, "B", "browser-b");
  HubOutput out = send(3, Join{.room = room, .name = "B", .mic = true, .camera = true, .password = {}, .client = "browser-b"});
  auto left = of_type<Left>(out, 2);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].reason, LeftReason::Replaced);
  auto joined = of_type<Joined>(out, 3);
  ASSERT_EQ(joined.size(), 1u);
  ASSERT_EQ(of_type<PeerLeft>(out, 1).size(), 1u);
  EXPECT_EQ(of_type<PeerLeft>(out, 1)[0].peer, first.self.id);
  ASSERT_EQ(of_type<PeerJoined>(out, 1).size(), 1u);
  EXPECT_EQ(of_type<PeerJoined>(out, 1)[0].peer.id, joined[0].self.id);
  EXPECT_EQ(hub().registry().info(room)->participants, 2u);
}

// ---- limits -------------------------------------------------------------------------------------

TEST_F(Sessions, AFloodIsDroppedWithOneErrorASecondAndTheBystanderIsServed) {
  HubConfig config = quiet();
  config.messages_per_second = 10;
  config.message_burst = 10;
  make_hub(config);
  hello(1), hello(2);  // 1 message each from the bucket
  int errors = 0, pongs = 0;
  for (int i = 0; i < 100; ++i) {
    HubOutput out = send(1, Ping{});
    errors += static_cast<int>(of_type<Error>(out, 1).size());
    pongs += static_cast<int>(of_type<Pong>(out, 1).size());
  }
  EXPECT_EQ(pongs, 9);
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(of_type<Pong>(send(2, Ping{}), 2).size(), 1u) << "another connection is not limited";
  advance(1000);
  EXPECT_EQ(of_type<Pong>(send(1, Ping{}), 1).size(), 1u) << "refilled";
}

TEST_F(Sessions, OversizedSignalsAreRefused) {
  HubConfig config = quiet();
  config.max_sdp_bytes = 2000;
  make_hub(config);
  [[maybe_unused]] const auto [room, a, b] = a_and_b_in_standup();
  Signal offer;
  offer.peer = b.self.id;
  offer.kind = SignalKind::Offer;
  offer.sdp = std::string(2001, 'v');
  HubOutput out = send(1, SendSignal{offer});
  EXPECT_EQ(error_code(out, 1), ErrorCode::SignalTooLarge);
  EXPECT_TRUE(received(out, 2).empty());
}

TEST_F(Sessions, NameAndCapacityLimitsFromTheConfigAreEnforcedAndAnnounced) {
  HubConfig config = quiet();
  config.resume_grace_ms = 20000;
  config.max_name_chars = 5;
  config.max_room_name_chars = 6;
  config.max_capacity = 4;
  make_hub(config);
  hub().connect(1, "a");
  auto welcome = of_type<Welcome>(send(1, Hello{}), 1);
  ASSERT_EQ(welcome.size(), 1u);
  // The timings too: pings every quarter of the heartbeat timeout, and the resume grace as configured.
  EXPECT_EQ(welcome[0].limits, (Limits{.max_name_chars = 5, .max_room_name_chars = 6, .max_capacity = 4,
                                       .heartbeat_ms = 3'600'000 / 4, .resume_grace_ms = 20000,
                                       // mesh_max follows a smaller max_capacity; no Janus: no large rooms
                                       .mesh_max = 4, .large_rooms = false}));
  EXPECT_EQ(error_code(send(1, CreateRoom{.name = "Seven77", .capacity = 4, .password = {}}), 1), ErrorCode::RoomNameInvalid);
  EXPECT_EQ(error_code(send(1, CreateRoom{.name = "Six666", .capacity = 5, .password = {}}), 1), ErrorCode::CapacityInvalid);
  const RoomId room = create(1, "Six666");
  EXPECT_EQ(error_code(send(1, Join{.room = room, .name = "Sixsix", .mic = true, .camera = true, .password = {}, .client = {}}), 1),
            ErrorCode::NameInvalid);
}

TEST_F(Sessions, RenameKeepsToTheServersRoomNameLimitAsCreateDoes) {
  HubConfig config = quiet();
  config.max_room_name_chars = 6;
  make_hub(config);
  hello(1);
  const auto created = of_type<RoomCreated>(send(1, CreateRoom{.name = "Six666", .capacity = 4, .password = {}}), 1).at(0);
  const std::string limit_message = "A room name must be 1 to 6 characters, without control characters.";
  // Names this server refuses (over its limit, though within the protocol's; empty; a control
  // character), refused alike by create and rename, with the server's own limit in the sentence.
  for (const std::string& name : std::vector<std::string>{"Seven77", "", "  ", "ab\x01"}) {
    SCOPED_TRACE("name \"" + name + "\"");
    for (const ClientMessage& request :
         {ClientMessage{CreateRoom{.name = name, .capacity = 4, .password = {}}},
          ClientMessage{RenameRoom{.room = created.room.id, .name = name, .owner = created.owner}}}) {
      const auto errors = of_type<Error>(send(1, request), 1);
      ASSERT_EQ(errors.size(), 1u) << type_name(request);
      EXPECT_EQ(errors[0].code, ErrorCode::RoomNameInvalid) << type_name(request);
      EXPECT_EQ(errors[0].message, limit_message) << type_name(request);
    }
  }
  EXPECT_EQ(hub().registry().info(created.room.id)->name, "Six666");
  EXPECT_EQ(world_.store.load().at(0).name, "Six666");
  EXPECT_TRUE(of_type<Error>(send(1, RenameRoom{.room = created.room.id, .name = "Sixsix", .owner = created.owner}), 1).empty());
  EXPECT_EQ(world_.store.load().at(0).name, "Sixsix") << "a name within the limit is taken";
}

// ---- passwords ----------------------------------------------------------------------------------

TEST_F(Sessions, LockedRoomsNeedTheirPasswordAndWrongOnesAreThrottled) {
  hello(1), hello(2);
  HubOutput asked = send(1, CreateRoom{.name = "Locked", .capacity = 4, .password = "hunter2"});
  ASSERT_EQ(asked.password_jobs.size(), 1u);
  EXPECT_TRUE(asked.sends.empty()) << "nothing is created before the hash exists";
  HubOutput created = hub().on_password_result(run_jobs(asked.password_jobs).at(0));
  auto room_created = of_type<RoomCreated>(created, 1);
  ASSERT_EQ(room_created.size(), 1u);
  EXPECT_TRUE(room_created[0].room.locked);
  EXPECT_EQ(room_created[0].owner.size(), 32u);
  EXPECT_TRUE(of_type<RoomUpdated>(hub().flush_lobby(), 2).at(0).room.locked) << "the lobby sees the lock";
  const RoomId room = room_created[0].room.id;
  EXPECT_EQ(world_.store.load().at(0).password_hash.rfind("$argon2id$", 0), 0u) << "stored as argon2id, never in clear";

  auto join_with = [&](ConnId conn, std::string password) {
    return send(conn, Join{.room = room, .name = "B", .mic = true, .camera = true, .password = std::move(password), .client = {}});
  };
  auto wrong = [&](ConnId conn, std::string password) {
    HubOutput check = join_with(conn, std::move(password));
    ASSERT_EQ(check.password_jobs.size(), 1u);
    EXPECT_EQ(error_code(hub().on_password_result(run_jobs(check.password_jobs).at(0)), conn), ErrorCode::PasswordWrong);
  };
  EXPECT_EQ(error_code(join_with(2, ""), 2), ErrorCode::PasswordRequired);
  // Three wrong tries at this room are free; then this address waits 2 s, then 4 s, ...
  for (int i = 0; i < 3; ++i) wrong(2, "wrong" + std::to_string(i));
  HubOutput waits = join_with(2, "hunter2");
  EXPECT_EQ(error_code(waits, 2), ErrorCode::TooManyAttempts);
  EXPECT_EQ(of_type<Error>(waits, 2).at(0).message, "Too many wrong passwords for this room. Wait 2 s before trying again.");
  EXPECT_TRUE(waits.password_jobs.empty());
  // Issue 10: the room-wide limit let one address keep a room shut for its members. Another address
  // is not held back by the first one's failures.
  hello(3);
  HubOutput member = join_with(3, "hunter2");
  ASSERT_EQ(member.password_jobs.size(), 1u);
  ASSERT_EQ(of_type<Joined>(hub().on_password_result(run_jobs(member.password_jobs).at(0)), 3).size(), 1u);
  advance(2000);
  wrong(2, "wrong3");
  advance(3999);
  EXPECT_EQ(error_code(join_with(2, "hunter2"), 2), ErrorCode::TooManyAttempts) << "the second wait is 4 s";
  advance(1);
  // Five checks a minute per address (all rooms): this one is the fifth, the next is refused.
  wrong(2, "wrong4");
  advance(8000);
  EXPECT_EQ(error_code(join_with(2, "hunter2"), 2), ErrorCode::TooManyAttempts);
  EXPECT_EQ(of_type<Error>(join_with(2, "hunter2"), 2).at(0).message,
            "Too many password attempts from your network address. Wait a minute before trying again.");
  advance(60'000);
  hub().tick();
  HubOutput check = join_with(2, "hunter2");
  ASSERT_EQ(check.password_jobs.size(), 1u);
  auto joined = of_type<Joined>(hub().on_password_result(run_jobs(check.password_jobs).at(0)), 2);
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0].room.id, room);
}

// Issue 10: checks were counted when they failed, so 32 connections from one address could have 32
// checks running at once against a stated 5 a minute. They now count when they start, and one address
// has at most 2 in flight.
TEST_F(Sessions, PasswordChecksCountWhenTheyStartAcrossConnections) {
  HubConfig config = quiet();
  config.max_password_jobs_per_address = 2;
  config.max_failures_per_address = 5;
  make_hub(config);
  hello(1);
  HubOutput asked = send(1, CreateRoom{.name = "Locked", .capacity = 6, .password = "pw"});
  const RoomId room = of_type<RoomCreated>(hub().on_password_result(run_jobs(asked.password_jobs).at(0)), 1).at(0).room.id;
  std::vector<PasswordJob> started;
  std::size_t busy = 0, refused = 0;
  for (ConnId conn = 100; conn < 132; ++conn) {
    hub().connect(conn, "203.0.113.9");  // 32 connections, one address
    send(conn, Hello{});
    HubOutput out = send(conn, Join{.room = room, .name = "X", .mic = true, .camera = true, .password = "guess", .client = {}});
    started.insert(started.end(), out.password_jobs.begin(), out.password_jobs.end());
    busy += error_code(out, conn) == ErrorCode::ServerBusy && out.password_jobs.empty();
    refused += error_code(out, conn) == ErrorCode::TooManyAttempts;
  }
  EXPECT_EQ(started.size(), 2u) << "two in flight from one address";
  EXPECT_EQ(busy, 30u);
  for (const PasswordResult& result : run_jobs(started)) hub().on_password_result(result);
  for (ConnId conn = 200; conn < 210; ++conn) {
    hub().connect(conn, "203.0.113.9");
    send(conn, Hello{});
    HubOutput out = send(conn, Join{.room = room, .name = "X", .mic = true, .camera = true, .password = "guess", .client = {}});
    for (const PasswordResult& result : run_jobs(out.password_jobs)) hub().on_password_result(result);
    refused += error_code(out, conn) == ErrorCode::TooManyAttempts;
  }
  EXPECT_EQ(hub().pending_password_jobs(), 0u);
  EXPECT_GE(refused, 7u) << "at most 5 checks a minute, whether they failed yet or not";
}

// Found by fuzz_hub: a wrong password whose connection closed before the answer was not counted, so
// closing right after each try skipped every growing wait.
TEST_F(Sessions, ClosingRightAfterAWrongTryDoesNotSkipTheWait) {
  hello(1);
  HubOutput asked = send(1, CreateRoom{.name = "Locked", .capacity = 4, .password = "pw"});
  const RoomId room = of_type<RoomCreated>(hub().on_password_result(run_jobs(asked.password_jobs).at(0)), 1).at(0).room.id;
  for (ConnId conn = 10; conn < 13; ++conn) {
    hub().connect(conn, "198.51.100.7");
    send(conn, Hello{});
    HubOutput check = send(conn, Join{.room = room, .name = "M", .mic = true, .camera = true, .password = "guess", .client = {}});
    ASSERT_EQ(check.password_jobs.size(), 1u);
    hub().disconnect(conn, Hub::Departure::Closed);  // gone before the answer
    hub().on_password_result(run_jobs(check.password_jobs).at(0));
  }
  hub().connect(20, "198.51.100.7");
  send(20, Hello{});
  HubOutput fourth = send(20, Join{.room = room, .name = "M", .mic = true, .camera = true, .password = "guess", .client = {}});
  EXPECT_EQ(error_code(fourth, 20), ErrorCode::TooManyAttempts);
  EXPECT_TRUE(fourth.password_jobs.empty());
}

// Issue 10: creating locked rooms hashes passwords (64 MiB of Argon2id each): one address may not
// queue more than its share.
TEST_F(Sessions, PasswordHashingIsCappedPerAddress) {
  HubConfig config = quiet();
  config.max_password_jobs_per_address = 2;
  make_hub(config);
  hello(1), hello(2);
  std::size_t jobs = 0;
  for (int i = 0; i < 5; ++i) {
    HubOutput out = send(1, CreateRoom{.name = "L" + std::to_string(i), .capacity = 4, .password = "pw"});
    jobs += out.password_jobs.size();
    if (out.password_jobs.empty()) EXPECT_EQ(error_code(out, 1), ErrorCode::ServerBusy);
  }
  EXPECT_EQ(jobs, 2u);
  EXPECT_EQ(send(2, CreateRoom{.name = "Other", .capacity = 4, .password = "pw"}).password_jobs.size(), 1u)
      << "another address is not held back";
}

// A hash comes out of the same 5-a-minute budget as password checks, even when its create is
// abandoned (the connection closes before the hash is done): found by review.
TEST_F(Sessions, AbandonedLockedCreatesStillSpendTheHashBudget) {
  std::size_t hashes = 0;
  for (ConnId conn = 30; conn < 40; ++conn) {
    hub().connect(conn, "198.51.100.7");
    send(conn, Hello{});
    HubOutput out = send(conn, CreateRoom{.name = "L" + std::to_string(conn), .capacity = 4, .password = "pw"});
    hub().disconnect(conn, Hub::Departure::Closed);
    for (const PasswordResult& result : run_jobs(out.password_jobs)) hub().on_password_result(result);
    hashes += out.password_jobs.size();
    if (out.password_jobs.empty()) EXPECT_EQ(error_code(out, conn), ErrorCode::TooManyAttempts);
  }
  EXPECT_EQ(hashes, 5u);
  advance(60'000);
  hello(41);
  EXPECT_EQ(send(41, CreateRoom{.name = "Later", .capacity = 4, .password = "pw"}).password_jobs.size(), 1u);
}

TEST_F(Sessions, APasswordResultForAConnectionThatLeftIsDropped) {
  hello(1), hello(2);
  HubOutput asked = send(1, CreateRoom{.name = "Locked", .capacity = 4, .password = "pw"});
  const RoomId room = of_type<RoomCreated>(hub().on_password_result(run_jobs(asked.password_jobs).at(0)), 1).at(0).room.id;
  HubOutput check = send(2, Join{.room = room, .name = "B", .mic = true, .camera = true, .password = "pw", .client = {}});
  hub().disconnect(2, Hub::Departure::Closed);
  EXPECT_TRUE(hub().on_password_result(run_jobs(check.password_jobs).at(0)).sends.empty());
  EXPECT_EQ(hub().registry().info(room)->participants, 0u);
  EXPECT_EQ(hub().pending_password_jobs(), 0u);
}

// ---- owners, deletion, expiry, persistence ------------------------------------------------------

TEST_F(Sessions, OnlyTheOwnerRenamesOrDeletesAndDeletingEndsTheCall) {
  hello(1), hello(2), hello(3);
  auto created = of_type<RoomCreated>(send(1, CreateRoom{.name = "Mine", .capacity = 4, .password = {}}), 1).at(0);
  const RoomId room = created.room.id;
  join(2, room, "B");
  EXPECT_EQ(error_code(send(3, RenameRoom{.room = room, .name = "Theirs", .owner = "nope"}), 3), ErrorCode::NotOwner);
  EXPECT_EQ(error_code(send(3, DeleteRoom{.room = room, .owner = std::string(32, '0')}), 3), ErrorCode::NotOwner);

  send(1, RenameRoom{.room = room, .name = "Ours", .owner = created.owner});
  EXPECT_EQ(of_type<RoomUpdated>(hub().flush_lobby(), 3).at(0).room.name, "Ours");
  EXPECT_EQ(world_.store.load().at(0).name, "Ours");

  HubOutput deleted = send(1, DeleteRoom{.room = room, .owner = created.owner});
  auto left = of_type<Left>(deleted, 2);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].reason, LeftReason::RoomDeleted);
  EXPECT_EQ(of_type<RoomRemoved>(hub().flush_lobby(), 3).at(0).room, room);
  EXPECT_FALSE(hub().registry().info(room));
  EXPECT_TRUE(world_.store.load().empty());
  // B is in the lobby again and can join elsewhere.
  const RoomId other = create(3, "Other");
  join(2, other, "B");
}

TEST_F(Sessions, RoomsPersistAndUnusedOnesExpire) {
  HubConfig config = quiet();
  config.room_expiry_seconds = 3 * 86400;
  make_hub(config);
  hello(1);
  const RoomId old_room = create(1, "Old");
  advance(2LL * 86400 * 1000);
  const RoomId used = create(1, "Used");
  make_hub(config);  // restart: both come back
  EXPECT_TRUE(hub().registry().info(old_room));
  EXPECT_TRUE(hub().registry().info(used));
  advance(1LL * 86400 * 1000 + 1000);
  hello(2);
  hub().tick();
  auto removed = of_type<RoomRemoved>(hub().flush_lobby(), 2);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].room, old_room);
  EXPECT_TRUE(hub().registry().info(used));
  ASSERT_EQ(world_.store.load().size(), 1u);
}

}  // namespace
}  // namespace moim
