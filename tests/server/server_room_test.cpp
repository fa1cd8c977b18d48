// Rooms over real sockets: joining, relaying signals, and noticing connections that vanish.
#include "server_fixture.hpp"

#include <sys/wait.h>

#include <thread>

namespace moim::test {
namespace {

class ServerRoom : public ServerFixture {};

TEST_F(ServerRoom, TwoClientsInARoomSeeEachOther) {
  auto a = connect_hello();
  auto b = connect_hello();
  const std::uint32_t room = create_room(*a, "Kitchen");
  ASSERT_NE(room, 0u);
  const std::uint32_t a_id = join(*a, room, "Alice");
  ASSERT_NE(a_id, 0u);

  ASSERT_TRUE(b->send_json({{"type", "join"}, {"room", room}, {"name", "Bob"}}));
  const std::optional<json> joined = b->read_type("joined");
  ASSERT_TRUE(joined.has_value());
  const std::uint32_t b_id = (*joined)["self"].value("id", 0u);
  EXPECT_NE(b_id, 0u);
  EXPECT_NE(b_id, a_id);
  EXPECT_TRUE((*joined)["token"].is_string() && !(*joined)["token"].get<std::string>().empty()) << joined->dump();
  ASSERT_TRUE((*joined)["peers"].is_array()) << joined->dump();
  ASSERT_EQ((*joined)["peers"].size(), 1u) << joined->dump();
  EXPECT_EQ((*joined)["peers"][0].value("id", 0u), a_id);
  EXPECT_EQ((*joined)["peers"][0].value("name", ""), "Alice");

  const std::optional<json> peer_joined = a->read_skipping_updates();
  ASSERT_TRUE(peer_joined && type_of(*peer_joined) == "peer-joined");
  EXPECT_EQ((*peer_joined)["peer"].value("id", 0u), b_id);
  EXPECT_EQ((*peer_joined)["peer"].value("name", ""), "Bob");
}

TEST_F(ServerRoom, SignalReachesOnlyItsDestinationFromTheServerAssignedSender) {
  auto a = connect_hello();
  auto b = connect_hello();
  auto c = connect_hello();
  const std::uint32_t room = create_room(*a, "Kitchen");
  const std::uint32_t a_id = join(*a, room, "Alice");
  const std::uint32_t b_id = join(*b, room, "Bob");
  expect_peer_joined(*a, b_id);
  const std::uint32_t c_id = join(*c, room, "Carol");
  expect_peer_joined(*a, c_id);
  expect_peer_joined(*b, c_id);

  expect_signal_delivered(*a, a_id, *b, b_id, "v=0 from alice");
  // Neither the sender nor the third member got a copy: their next messages are later signals.
  expect_signal_delivered(*b, b_id, *c, c_id, "v=0 from bob to carol");
  expect_signal_delivered(*c, c_id, *a, a_id, "v=0 from carol to alice");

  // Candidates are relayed too, with their fields.
  ASSERT_TRUE(a->send_json({{"type", "signal"},
                            {"to", b_id},
                            {"kind", "candidate"},
                            {"candidate",
                             {{"candidate", "candidate:1 1 udp 1 10.0.0.1 5000 typ host"},
                              {"sdpMid", "0"},
                              {"sdpMLineIndex", 0}}}}));
  const std::optional<json> candidate = b->read_skipping_updates();
  ASSERT_TRUE(candidate && type_of(*candidate) == "signal");
  EXPECT_EQ(candidate->value("from", 0u), a_id);
  EXPECT_EQ(candidate->value("kind", ""), "candidate");
  EXPECT_EQ((*candidate)["candidate"].value("candidate", ""), "candidate:1 1 udp 1 10.0.0.1 5000 typ host")
      << candidate->dump();
}

// A member vanishes without a close frame (FIN or reset: the browser closed it); the others learn it
// at once.
void check_vanishing_member(bool reset, WsClient& a, WsClient& b, WsClient& c, std::uint32_t room,
                            std::uint32_t c_id, WsClient& lobby) {
  if (reset) {
    c.drop_with_reset();
  } else {
    c.drop();
  }
  for (WsClient* member : {&a, &b}) {
    const std::optional<json> left = member->read_skipping_updates(3s);
    ASSERT_TRUE(left && type_of(*left) == "peer-left") << (left ? left->dump() : "nothing within 3 s");
    EXPECT_EQ(left->value("peer", 0u), c_id);
  }
  // The lobby sees the room's new head count (room-list changes come in batches: an earlier batch may
  // still say 3).
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  bool seen = false;
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const std::optional<json> update = lobby.read_type("room-updated", left);
    if (!update) break;
    if ((*update)["room"].value("id", 0u) == room) seen = (*update)["room"].value("participants", 0u) == 2u;
  }
  EXPECT_TRUE(seen) << "no room-updated with 2 participants for the room within 3 s";
}

// A lost member is held for the resume grace window (1 s here, 20 s by default) before the others
// are told; hub_sessions_test covers the window itself.
class ServerRoomVanishing : public ServerFixture, public ::testing::WithParamInterface<bool> {
 protected:
  std::vector<std::string> server_args() const override { return {"--resume-grace", "1"}; }
};

TEST_P(ServerRoomVanishing, MemberWithoutCloseFrameProducesPeerLeftAndRoomUpdated) {
  auto a = connect_hello();
  auto b = connect_hello();
  auto c = connect_hello();
  const std::uint32_t room = create_room(*a, "Kitchen");
  const std::uint32_t a_id = join(*a, room, "Alice");
  const std::uint32_t b_id = join(*b, room, "Bob");
  expect_peer_joined(*a, b_id);
  const std::uint32_t c_id = join(*c, room, "Carol");
  expect_peer_joined(*a, c_id);
  expect_peer_joined(*b, c_id);
  auto lobby = connect_hello();

  check_vanishing_member(GetParam(), *a, *b, *c, room, c_id, *lobby);
  expect_signal_delivered(*a, a_id, *b, b_id, "v=0 still here");
  expect_server_healthy();
}

INSTANTIATE_TEST_SUITE_P(Server, ServerRoomVanishing, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Reset") : std::string("Fin");
                         });

// How the connection ended decides what the others see: a close frame saying goodbye (1000, 1001 as
// a closing tab sends) or the browser closing the TCP connection without one (FIN, or a reset as a
// crashed renderer's socket gives: a tab closed while its page was too busy to say goodbye) ends the
// session at once; any other close code (the client hit an error) is treated like a lost connection
// and held for a resume (20 s by default); silence too (hub_sessions_test, resilience.test.mjs).
struct CloseCase {
  boost::beast::websocket::close_code code;
  bool on_purpose;
  enum class How { Frame, Fin, Reset } how = How::Frame;
};

class ServerRoomCloseCode : public ServerFixture, public ::testing::WithParamInterface<CloseCase> {};

TEST_P(ServerRoomCloseCode, OnlyAGoodbyeCodeEndsTheSessionAtOnce) {
  auto a = connect_hello();
  auto b = connect_hello();
  const std::uint32_t room = create_room(*a, "Kitchen");
  const std::uint32_t a_id = join(*a, room, "Alice");
  ASSERT_TRUE(b->send_json({{"type", "join"}, {"room", room}, {"name", "Bob"}}));
  const std::optional<json> joined = b->read_type("joined");
  ASSERT_TRUE(joined.has_value());
  const std::uint32_t b_id = (*joined)["self"].value("id", 0u);
  const std::string token = joined->value("token", "");
  expect_peer_joined(*a, b_id);

  switch (GetParam().how) {
    case CloseCase::How::Frame: ASSERT_TRUE(b->close(kReadTimeout, GetParam().code)); break;
    case CloseCase::How::Fin: b->drop(); break;
    case CloseCase::How::Reset: b->drop_with_reset(); break;
  }
  if (GetParam().on_purpose) {
    const std::optional<json> left = a->read_skipping_updates(3s);
    ASSERT_TRUE(left && type_of(*left) == "peer-left") << (left ? left->dump() : "nothing within 3 s");
    EXPECT_EQ(left->value("peer", 0u), b_id);
    return;
  }
  // (A read that times out ends a WsClient, so Alice is not read while Bob is away: the signal
  // below must be the next thing she gets, with no peer-left before it.)
  std::this_thread::sleep_for(1500ms);

  // Bob comes back on a new connection within the window: same id, signals reach both ways.
  auto back = connect_hello();
  ASSERT_TRUE(back->send_json({{"type", "resume"}, {"token", token}, {"name", "Bob"}}));
  const std::optional<json> resumed = back->read_type("resumed");
  ASSERT_TRUE(resumed.has_value()) << "no resumed";
  EXPECT_EQ((*resumed)["self"].value("id", 0u), b_id);
  EXPECT_FALSE(resumed->value("restored", true));
  expect_signal_delivered(*back, b_id, *a, a_id, "v=0 back again");
  expect_signal_delivered(*a, a_id, *back, b_id, "v=0 after the resume");
}

INSTANTIATE_TEST_SUITE_P(Server, ServerRoomCloseCode,
                         ::testing::Values(CloseCase{boost::beast::websocket::close_code::normal, true},
                                           CloseCase{boost::beast::websocket::close_code::going_away, true},
                                           CloseCase{boost::beast::websocket::close_code::internal_error, false},
                                           CloseCase{static_cast<boost::beast::websocket::close_code>(4000), false},
                                           CloseCase{{}, true, CloseCase::How::Fin},
                                           CloseCase{{}, true, CloseCase::How::Reset}),
                         [](const ::testing::TestParamInfo<CloseCase>& info) {
                           if (info.param.how == CloseCase::How::Fin) return std::string("TcpClosedWithoutCloseFrame");
                           if (info.param.how == CloseCase::How::Reset) return std::string("TcpReset");
                           return "Code" + std::to_string(static_cast<int>(info.param.code));
                         });

TEST_F(ServerRoom, StopsCleanlyOnSigtermWithOpenConnections) {
  auto a = connect_hello();
  auto b = connect_hello();
  const std::uint32_t room = create_room(*a, "Kitchen");
  join(*a, room, "Alice");
  join(*b, room, "Bob");
  const std::optional<int> status = server_->terminate(std::chrono::seconds(5));
  ASSERT_TRUE(status.has_value()) << "server did not exit within 5 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status)) << *status;
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace moim::test
