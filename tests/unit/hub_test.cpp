// The hub, driven without sockets: who receives what, and that senders cannot be forged.
#include "hub.hpp"
#include "hub_world.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace moim {
namespace {

using namespace proto;

Signal sdp_signal(PeerId to, SignalKind kind, std::string sdp) {
  Signal signal;
  signal.peer = to;
  signal.kind = kind;
  signal.sdp = std::move(sdp);
  return signal;
}
Signal offer(PeerId to) { return sdp_signal(to, SignalKind::Offer, "v=0"); }

// Wraps a Hub and checks, on every call, that no frame is addressed to a connection that is not open.
class HubHarness {
 public:
  HubHarness() : HubHarness(HubConfig{}) {}
  explicit HubHarness(HubConfig config, bool as_given = false)
      : hub_(as_given ? config : test::test_config(config), world_.services()) {}

  // The (peer, room) a session token names, if it is one of ours.
  std::optional<std::pair<PeerId, RoomId>> verify(const std::string& token) const {
    auto claims = world_.secrets->verify_session(token);
    if (!claims) return std::nullopt;
    return std::pair<PeerId, RoomId>{claims->peer, claims->room};
  }

  void connect(ConnId conn) {
    hub_.connect(conn);
    open_.insert(conn);
  }
  HubOutput text(ConnId conn, std::string_view text) { return checked(hub_.on_text(conn, text)); }
  HubOutput send(ConnId conn, const ClientMessage& msg) { return text(conn, encode(msg)); }
  HubOutput binary(ConnId conn) { return checked(hub_.on_binary(conn)); }
  HubOutput disconnect(ConnId conn) {
    open_.erase(conn);
    return checked(hub_.disconnect(conn));
  }
  // The room-list batch the server clock would send next.
  HubOutput flush() { return checked(hub_.flush_lobby()); }

  // Connects and says hello; returns the welcome.
  Welcome hello(ConnId conn) {
    connect(conn);
    HubOutput out = send(conn, Hello{});
    EXPECT_EQ(out.sends.size(), 1u);
    auto msgs = received(out, conn);
    EXPECT_EQ(msgs.size(), 1u);
    return msgs.empty() ? Welcome{} : std::get<Welcome>(msgs[0]);
  }
  RoomInfo create(ConnId conn, std::string name, std::uint32_t capacity = 6) {
    HubOutput out = send(conn, CreateRoom{.name = std::move(name), .capacity = capacity});
    auto msgs = received(out, conn);
    EXPECT_FALSE(msgs.empty());
    return msgs.empty() ? RoomInfo{} : std::get<RoomCreated>(msgs[0]).room;
  }
  // Joins; the joiner gets its ICE servers (nothing configured here: an empty list), then joined.
  Joined join(ConnId conn, RoomId room, std::string name) {
    HubOutput out = send(conn, Join{.room = room, .name = std::move(name)});
    auto msgs = received(out, conn);
    EXPECT_EQ(msgs.size(), 2u);
    if (msgs.size() < 2 || !std::holds_alternative<IceConfig>(msgs[0]) || !std::holds_alternative<Joined>(msgs[1])) {
      ADD_FAILURE() << "expected ice, then joined";
      return Joined{};
    }
    EXPECT_EQ(std::get<IceConfig>(msgs[0]), IceConfig{});
    return std::get<Joined>(msgs[1]);
  }

  // The decoded messages `out` sends to `conn`, in order.
  static std::vector<ServerMessage> received(const HubOutput& out, ConnId conn) {
    std::vector<ServerMessage> msgs;
    for (const Outgoing& o : out.sends) {
      if (o.to != conn) continue;
      EXPECT_TRUE(o.text);
      auto decoded = decode_server(*o.text);
      EXPECT_TRUE(decoded.ok()) << *o.text;
      if (decoded.ok()) msgs.push_back(std::move(*decoded.message));
    }
    return msgs;
  }
  static std::set<ConnId> recipients(const HubOutput& out) {
    std::set<ConnId> to;
    for (const Outgoing& o : out.sends) to.insert(o.to);
    return to;
  }
  static Error only_error(const HubOutput& out, ConnId conn) {
    EXPECT_EQ(out.sends.size(), 1u);
    EXPECT_EQ(recipients(out), std::set<ConnId>{conn});
    auto msgs = received(out, conn);
    if (msgs.size() != 1 || !std::holds_alternative<Error>(msgs[0])) {
      ADD_FAILURE() << "expected exactly one error";
      return {};
    }
    return std::get<Error>(msgs[0]);
  }

  Hub& hub() { return hub_; }

 private:
  HubOutput checked(HubOutput out) {
    for (const Outgoing& o : out.sends) EXPECT_TRUE(open_.contains(o.to)) << "frame addressed to closed conn " << o.to;
    return out;
  }

  int tokens_ = 0;
  test::HubWorld world_;  // before hub_: the hub keeps references into it
  Hub hub_;
  std::set<ConnId> open_;
};

template <typename T>
const T& as(const ServerMessage& msg) {
  EXPECT_TRUE(std::holds_alternative<T>(msg)) << "got type " << type_name(msg);
  static const T fallback{};
  return std::holds_alternative<T>(msg) ? std::get<T>(msg) : fallback;
}

// ---- hello --------------------------------------------------------------------------------------

TEST(HubHello, NothingIsSentOnConnect) {
  HubHarness h;
  h.connect(1);
  EXPECT_EQ(h.hub().connection_count(), 1u);
}

TEST(HubHello, EveryRequestBeforeHelloIsRefused) {
  HubHarness h;
  h.connect(1);
  const ClientMessage requests[] = {CreateRoom{.name = "a"}, Join{.room = 1, .name = "a"}, Leave{},
                                    SendSignal{offer(2)},
                                    SetMedia{}};
  for (const ClientMessage& msg : requests) {
    HubOutput out = h.send(1, msg);
    const Error error = HubHarness::only_error(out, 1);
    EXPECT_EQ(error.code, ErrorCode::HelloRequired);
    EXPECT_EQ(error.request, type_name(msg));
    EXPECT_TRUE(out.closes.empty());
  }
  EXPECT_EQ(h.hub().registry().room_count(), 0u);
}

TEST(HubHello, WelcomeListsRooms) {
  HubHarness h;
  EXPECT_TRUE(h.hello(1).rooms.empty());
  const RoomInfo room = h.create(1, "Standup", 4);
  const Welcome welcome = h.hello(2);
  EXPECT_EQ(welcome.version, kVersion);
  EXPECT_EQ(welcome.rooms, std::vector<RoomInfo>{room});
}

TEST(HubHello, VersionMismatchClosesTheConnection) {
  HubHarness h;
  h.connect(1);
  HubOutput out = h.send(1, Hello{.version = 99});
  const Error error = HubHarness::only_error(out, 1);
  EXPECT_EQ(error.code, ErrorCode::VersionMismatch);
  EXPECT_EQ(error.request, "hello");
  EXPECT_EQ(out.closes, std::vector<ConnId>{1});
  // Still not hello'd.
  EXPECT_EQ(HubHarness::only_error(h.send(1, Leave{}), 1).code, ErrorCode::HelloRequired);
}

// ---- create -------------------------------------------------------------------------------------

TEST(HubCreate, RoomUpdatedToEveryHelloedConnWithOneSharedBuffer) {
  HubHarness h;
  h.hello(1);
  h.hello(2);
  h.hello(3);
  h.connect(4);  // connected but never said hello: stays out of the lobby
  HubOutput created = h.send(1, CreateRoom{.name = " Standup ", .capacity = 4});
  auto creator = HubHarness::received(created, 1);
  ASSERT_EQ(creator.size(), 1u);
  const RoomInfo expected{.id = 1, .name = "Standup", .participants = 0, .capacity = 4};
  EXPECT_EQ(as<RoomCreated>(creator[0]).room, expected);
  EXPECT_EQ(HubHarness::recipients(created), std::set<ConnId>{1}) << "the lobby hears of it in the next batch";

  HubOutput out = h.flush();
  EXPECT_EQ(as<RoomUpdated>(HubHarness::received(out, 1).at(0)).room, expected);

  const std::string* shared = nullptr;
  int updates = 0;
  for (const Outgoing& o : out.sends) {
    if (o.text->find("room-updated") == std::string::npos) continue;
    ++updates;
    if (!shared) shared = o.text.get();
    EXPECT_EQ(o.text.get(), shared) << "each broadcast is serialized once";
  }
  EXPECT_EQ(updates, 3);
  EXPECT_EQ(HubHarness::recipients(out), (std::set<ConnId>{1, 2, 3}));
}

TEST(HubCreate, RefusalsGoOnlyToTheRequester) {
  HubHarness h;
  h.hello(1);
  h.hello(2);
  h.create(1, "Standup");
  const std::pair<CreateRoom, ErrorCode> cases[] = {
      {CreateRoom{.name = "STANDUP"}, ErrorCode::RoomNameTaken},
      {CreateRoom{.name = "   "}, ErrorCode::RoomNameInvalid},
      {CreateRoom{.name = std::string(49, 'x')}, ErrorCode::RoomNameInvalid},
      {CreateRoom{.name = "Tiny", .capacity = 1}, ErrorCode::CapacityInvalid},
      {CreateRoom{.name = "Huge", .capacity = 51}, ErrorCode::CapacityInvalid},
      {CreateRoom{.name = "Large", .capacity = 7}, ErrorCode::LargeRoomsUnavailable},  // no Janus here
  };
  for (const auto& [request, code] : cases) {
    const Error error = HubHarness::only_error(h.send(2, request), 2);
    EXPECT_EQ(error.code, code) << request.name;
    EXPECT_EQ(error.request, "create-room");
    EXPECT_FALSE(error.message.empty());
  }
  EXPECT_EQ(h.hub().registry().room_count(), 1u);
}

TEST(HubCreate, TooManyRooms) {
  HubHarness h(HubConfig{.registry = {.max_rooms = 1}});
  h.hello(1);
  h.create(1, "a");
  EXPECT_EQ(HubHarness::only_error(h.send(1, CreateRoom{.name = "b"}), 1).code, ErrorCode::TooManyRooms);
}

// ---- join ---------------------------------------------------------------------------------------

TEST(HubJoin, ReplyContentsAndNoticesToOthersOnly) {
  HubHarness h;
  h.hello(1);
  h.hello(2);
  h.hello(3);  // lobby only
  const RoomInfo room = h.create(1, "Standup");

  const Joined first = h.join(1, room.id, "  Minji ");
  EXPECT_EQ(first.room, (RoomInfo{.id = room.id, .name = "Standup", .participants = 1, .capacity = 6}));
  EXPECT_EQ(first.self, (PeerInfo{.id = 1, .name = "Minji", .mic = true, .camera = true}));
  EXPECT_EQ(h.verify(first.token), (std::pair<PeerId, RoomId>{1, room.id}));
  EXPECT_TRUE(first.peers.empty());

  HubOutput out = h.send(2, Join{.room = room.id, .name = "Joon", .mic = false, .camera = true});
  auto joiner = HubHarness::received(out, 2);
  ASSERT_EQ(joiner.size(), 2u);
  EXPECT_EQ(as<IceConfig>(joiner[0]), IceConfig{}) << "the ICE servers just before joined";
  const Joined& second = as<Joined>(joiner[1]);
  EXPECT_EQ(second.self, (PeerInfo{.id = 2, .name = "Joon", .mic = false, .camera = true}));
  EXPECT_EQ(second.room.participants, 2u);
  EXPECT_EQ(h.verify(second.token), (std::pair<PeerId, RoomId>{2, room.id}));
  EXPECT_EQ(second.peers, std::vector<PeerInfo>{first.self});

  auto existing = HubHarness::received(out, 1);
  ASSERT_EQ(existing.size(), 1u);
  EXPECT_EQ(as<PeerJoined>(existing[0]).peer, second.self);
  EXPECT_TRUE(HubHarness::received(out, 3).empty()) << "no peer-joined in the lobby";

  // Issue 10: the room list reaches the lobby only (3), in one batch; those in the call (1, 2) hear
  // nothing of it (they get a fresh list when they go back to the lobby).
  HubOutput batch = h.flush();
  EXPECT_EQ(HubHarness::recipients(batch), std::set<ConnId>{3});
  auto lobby = HubHarness::received(batch, 3);
  ASSERT_EQ(lobby.size(), 1u);
  EXPECT_EQ(as<RoomUpdated>(lobby[0]).room.participants, 2u);
  EXPECT_TRUE(h.flush().sends.empty()) << "nothing changed since";
}

// Issue 10: under churn, one room changing many times between two batches is one room-updated.
TEST(HubLobby, ChangesBetweenBatchesCoalesceToOneMessagePerRoom) {
  HubHarness h;
  h.hello(1);  // the lobby
  for (ConnId c = 2; c <= 5; ++c) h.hello(c);
  const RoomInfo a = h.create(2, "A");
  const RoomInfo b = h.create(2, "B");
  h.flush();
  for (ConnId c = 2; c <= 5; ++c) h.join(c, a.id, "P" + std::to_string(c));
  h.send(3, Leave{});
  h.send(4, Leave{});
  h.join(3, b.id, "again");
  HubOutput batch = h.flush();
  auto lobby = HubHarness::received(batch, 1);
  ASSERT_EQ(lobby.size(), 2u) << "8 changes, 2 rooms: 2 messages";
  EXPECT_EQ(as<RoomUpdated>(lobby[0]).room, (RoomInfo{.id = a.id, .name = "A", .participants = 2, .capacity = 6}));
  EXPECT_EQ(as<RoomUpdated>(lobby[1]).room.participants, 1u);
  EXPECT_EQ(HubHarness::recipients(batch), (std::set<ConnId>{1, 4})) << "4 left for the lobby; 2, 3, 5 are in calls";
}

// Issue 10: going back to the lobby brings a fresh room list (sent just before `left`).
TEST(HubLobby, LeavingACallBringsAFreshListBeforeLeft) {
  HubHarness h;
  h.hello(1);
  h.hello(2);
  const RoomInfo a = h.create(1, "A");
  h.join(1, a.id, "In");
  h.create(2, "Made while 1 was in a call");
  HubOutput out = h.send(1, Leave{});
  auto msgs = HubHarness::received(out, 1);
  ASSERT_EQ(msgs.size(), 2u);
  const Welcome& list = as<Welcome>(msgs[0]);
  ASSERT_EQ(list.rooms.size(), 2u);
  EXPECT_EQ(list.rooms[0].participants, 0u) << "the list already counts the leaver out";
  EXPECT_EQ(as<Left>(msgs[1]).reason, LeftReason::Requested);
}

// Issue 10: a repeated hello re-sent the whole list (928 KB with 10,000 rooms) as often as asked. The
// welcome is now serialized once per change, and a connection gets it again at most every 5 s.
TEST(HubLobby, TheWelcomeIsSharedAndARepeatedHelloWaits) {
  HubHarness h(
      [] {
        HubConfig config = test::test_config();
        config.rehello_interval_ms = 5000;
        return config;
      }(),
      true);
  h.hello(1);
  h.create(1, "A");
  const Error error = HubHarness::only_error(h.send(1, Hello{}), 1);  // again, at once
  EXPECT_EQ(error.code, ErrorCode::RateLimited);
  EXPECT_EQ(error.request, "hello");
  h.connect(3);
  h.connect(4);
  HubOutput a = h.send(3, Hello{});
  HubOutput b = h.send(4, Hello{});
  ASSERT_EQ(a.sends.size(), 1u);
  ASSERT_EQ(b.sends.size(), 1u);
  EXPECT_EQ(a.sends[0].text.get(), b.sends[0].text.get()) << "one serialization for both";
  h.create(1, "B");
  h.hub().set_time(5000, 0);
  HubOutput again = h.send(1, Hello{});
  auto list = HubHarness::received(again, 1);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(as<Welcome>(list[0]).rooms.size(), 2u) << "a change makes a new one";
  EXPECT_NE(again.sends[0].text.get(), a.sends[0].text.get());
}

TEST(HubJoin, Refusals) {
  HubHarness h;
  for (ConnId c = 1; c <= 4; ++c) h.hello(c);
  const RoomInfo pair = h.create(1, "Pair", 2);
  h.join(1, pair.id, "A");
  h.join(2, pair.id, "B");

  Error error = HubHarness::only_error(h.send(3, Join{.room = 77, .name = "C"}), 3);
  EXPECT_EQ(error.code, ErrorCode::RoomNotFound);
  EXPECT_EQ(error.request, "join");

  error = HubHarness::only_error(h.send(3, Join{.room = pair.id, .name = "C"}), 3);
  EXPECT_EQ(error.code, ErrorCode::RoomFull);
  EXPECT_EQ(error.message, "Room \"Pair\" is full (2/2).");

  error = HubHarness::only_error(h.send(3, Join{.room = pair.id, .name = ""}), 3);
  EXPECT_EQ(error.code, ErrorCode::NameInvalid);

  const RoomInfo other = h.create(3, "Other");
  error = HubHarness::only_error(h.send(1, Join{.room = other.id, .name = "A"}), 1);
  EXPECT_EQ(error.code, ErrorCode::AlreadyInRoom);

  EXPECT_EQ(h.hub().registry().info(pair.id)->participants, 2u);
}

TEST(HubJoin, PeerIdsAreNeverReused) {
  HubHarness h;
  h.hello(1);
  h.hello(2);
  const RoomInfo room = h.create(1, "Standup");
  EXPECT_FALSE(h.send(1, Join{.room = 99, .name = "A"}).sends.empty());  // refused join
  EXPECT_EQ(h.join(1, room.id, "A").self.id, 1u);
  h.send(1, Leave{});
  EXPECT_EQ(h.join(1, room.id, "A").self.id, 2u);
  EXPECT_EQ(h.join(2, room.id, "B").self.id, 3u);
}

// ---- signal -------------------------------------------------------------------------------------

class HubSignal : public ::testing::Test {
 protected:
  void SetUp() override {
    for (ConnId c = 1; c <= 4; ++c) h.hello(c);
    const RoomInfo a = h.create(1, "A");
    const RoomInfo b = h.create(4, "B");
    alice = h.join(1, a.id, "Alice").self.id;
    bob = h.join(2, a.id, "Bob").self.id;
    carol = h.join(3, a.id, "Carol").self.id;
    dave = h.join(4, b.id, "Dave").self.id;
  }
  HubHarness h;
  PeerId alice = 0, bob = 0, carol = 0, dave = 0;
};

TEST_F(HubSignal, RoutedToExactlyOneConnWithServerSetSender) {
  const Signal kinds[] = {
      sdp_signal(bob, SignalKind::Offer, "v=0 offer"),
      sdp_signal(bob, SignalKind::Answer, "v=0 answer"),
      Signal{.peer = bob,
             .kind = SignalKind::Candidate,
             .sdp = "",
             .candidate = {.candidate = "candidate:1", .sdp_mid = "0", .sdp_mline_index = 0}},
  };
  std::uint64_t seq = 0;
  for (const Signal& signal : kinds) {
    HubOutput out = h.send(1, SendSignal{signal});
    ASSERT_EQ(out.sends.size(), 1u) << "never broadcast";
    EXPECT_EQ(out.sends[0].to, 2u);
    auto got = HubHarness::received(out, 2);
    ASSERT_EQ(got.size(), 1u);
    Signal expected = signal;
    expected.peer = alice;
    expected.seq = ++seq;  // numbered for bob's session
    EXPECT_EQ(as<RelayedSignal>(got[0]).signal, expected);
  }
}

TEST_F(HubSignal, SpoofedFromIsRejectedAndNothingRelayed) {
  HubOutput out = h.text(1, R"({"type":"signal","from":3,"to":2,"kind":"offer","sdp":"v=0"})");
  const Error error = HubHarness::only_error(out, 1);
  EXPECT_EQ(error.code, ErrorCode::SpoofedSender);
  EXPECT_EQ(error.request, "signal");
}

TEST_F(HubSignal, PeerInAnotherRoomOrUnknownOrSelf) {
  for (PeerId to : {dave, PeerId{999}, alice}) {
    HubOutput out = h.send(1, SendSignal{offer(to)});
    const Error error = HubHarness::only_error(out, 1);
    EXPECT_EQ(error.code, ErrorCode::PeerNotFound) << to;
    EXPECT_EQ(error.request, "signal");
  }
}

TEST_F(HubSignal, NotInRoom) {
  h.hello(5);
  HubOutput out = h.send(5, SendSignal{offer(alice)});
  EXPECT_EQ(HubHarness::only_error(out, 5).code, ErrorCode::NotInRoom);
  EXPECT_EQ(HubHarness::only_error(h.send(5, SetMedia{}), 5).code, ErrorCode::NotInRoom);
  EXPECT_EQ(HubHarness::only_error(h.send(5, Leave{}), 5).code, ErrorCode::NotInRoom);
}

TEST_F(HubSignal, MediaGoesToOthersInTheRoomOnly) {
  HubOutput out = h.send(1, SetMedia{.mic = false, .camera = true});
  EXPECT_EQ(HubHarness::recipients(out), (std::set<ConnId>{2, 3}));
  EXPECT_EQ(out.sends.size(), 2u);
  EXPECT_EQ(out.sends[0].text.get(), out.sends[1].text.get());
  EXPECT_EQ(as<PeerMedia>(HubHarness::received(out, 2).at(0)),
            (PeerMedia{.peer = alice, .mic = false, .camera = true}));
  EXPECT_FALSE(h.hub().registry().peer(alice)->mic);
}

TEST_F(HubSignal, LeaveNotifiesOthersAndEveryone) {
  h.flush();
  HubOutput out = h.send(2, Leave{});
  auto leaver = HubHarness::received(out, 2);
  ASSERT_EQ(leaver.size(), 2u);
  EXPECT_EQ(as<Welcome>(leaver[0]).rooms.at(0).participants, 2u);  // back in the lobby, with a fresh list
  as<Left>(leaver[1]);
  for (ConnId c : {1u, 3u}) {
    auto msgs = HubHarness::received(out, c);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(as<PeerLeft>(msgs[0]).peer, bob);
  }
  EXPECT_TRUE(HubHarness::received(out, 4).empty());  // another room's call hears nothing
  auto batch = HubHarness::received(h.flush(), 2);     // the leaver is in the lobby now
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(as<RoomUpdated>(batch[0]).room.participants, 2u);
  // Bob is gone: signals to him now fail.
  HubOutput late = h.send(1, SendSignal{offer(bob)});
  EXPECT_EQ(HubHarness::only_error(late, 1).code, ErrorCode::PeerNotFound);
}

TEST_F(HubSignal, DisconnectMidCall) {
  HubOutput out = h.disconnect(2);
  EXPECT_FALSE(HubHarness::recipients(out).contains(2));
  for (ConnId c : {1u, 3u}) {
    auto msgs = HubHarness::received(out, c);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(as<PeerLeft>(msgs[0]).peer, bob);
  }
  EXPECT_EQ(h.hub().registry().info(1)->participants, 2u);
  EXPECT_EQ(h.hub().connection_count(), 3u);
  EXPECT_EQ(h.hub().registry().room_of(bob), std::nullopt);

  // Nothing is ever produced for the gone connection, whatever arrives afterwards.
  EXPECT_TRUE(h.text(2, encode(ClientMessage{Hello{}})).sends.empty());
  EXPECT_TRUE(h.binary(2).sends.empty());
  EXPECT_TRUE(h.disconnect(2).sends.empty());
  HubOutput relayed = h.send(1, SendSignal{offer(bob)});
  EXPECT_EQ(HubHarness::only_error(relayed, 1).code, ErrorCode::PeerNotFound);
  // Broadcasts from the others skip it (the harness fails on any frame to a closed conn).
  h.create(3, "After");
  h.send(1, SetMedia{.mic = false, .camera = false});
  h.send(3, Leave{});
}

// ---- malformed frames ---------------------------------------------------------------------------

TEST(HubMalformed, BinaryIsRefused) {
  HubHarness h;
  h.connect(1);
  EXPECT_EQ(HubHarness::only_error(h.binary(1), 1).code, ErrorCode::BinaryNotSupported);
  EXPECT_TRUE(h.binary(42).sends.empty());  // unknown connection
}

TEST(HubMalformed, BadJsonAnsweredToSenderOnly) {
  HubHarness h;
  h.hello(1);
  h.hello(2);
  const RoomInfo room = h.create(1, "Standup");
  h.join(1, room.id, "A");
  h.join(2, room.id, "B");

  const std::pair<std::string, ErrorCode> cases[] = {
      {"{not json", ErrorCode::BadJson},
      {"[]", ErrorCode::BadJson},
      {"{}", ErrorCode::MissingType},
      {R"({"type":"fly"})", ErrorCode::UnknownType},
      {R"({"type":"join","room":"1","name":"x"})", ErrorCode::BadField},
      {"\xC0\xAF", ErrorCode::BadUtf8},
      {std::string(kMaxMessageBytes + 1, ' '), ErrorCode::MessageTooLarge},
      {std::string(10000, '['), ErrorCode::BadJson},
  };
  for (const auto& [text, code] : cases) {
    HubOutput out = h.text(2, text);
    EXPECT_EQ(HubHarness::only_error(out, 2).code, code) << text.substr(0, 40);
    EXPECT_TRUE(out.closes.empty());
  }
  // The room is untouched and the connection still works.
  EXPECT_EQ(h.hub().registry().info(room.id)->participants, 2u);
  HubOutput out = h.send(2, SendSignal{offer(1)});
  EXPECT_EQ(HubHarness::recipients(out), std::set<ConnId>{1});
}

TEST(HubMalformed, ConfiguredSizeLimit) {
  HubHarness h(HubConfig{.registry = {}, .max_message_bytes = 100});
  h.connect(1);
  HubOutput out = h.text(1, R"({"type":"hello","version":1,"pad":")" + std::string(100, 'x') + "\"}");
  EXPECT_EQ(HubHarness::only_error(out, 1).code, ErrorCode::MessageTooLarge);
}

TEST(HubMalformed, UnknownConnectionGetsNothing) {
  HubHarness h;
  EXPECT_TRUE(h.hub().on_text(7, R"({"type":"hello","version":1})").sends.empty());
  EXPECT_TRUE(h.hub().disconnect(7).sends.empty());
  EXPECT_EQ(h.hub().connection_count(), 0u);
}

TEST(HubMalformed, DisconnectBeforeHelloOrOutsideRoom) {
  HubHarness h;
  h.connect(1);
  h.hello(2);
  EXPECT_TRUE(h.disconnect(1).sends.empty());
  EXPECT_TRUE(h.disconnect(2).sends.empty());
  EXPECT_EQ(h.hub().connection_count(), 0u);
}

}  // namespace
}  // namespace moim
