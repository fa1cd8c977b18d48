// The hub's large rooms (server/hub_large_rooms.cpp), driven without sockets or Janus: the mode rule
// (over mesh_max is a large room), refusal while large rooms are unavailable, the create answered only
// once Janus confirmed (or refused, leaving nothing), destroy on delete and expiry, every large room
// made again after a Janus restart and after a moim-server restart (mode and secret from the store),
// the availability pushed as `limits`, and the join of a large room (its media: hub_media_test.cpp).
#include "hub.hpp"
#include "hub_world.hpp"

#include "hub_frames.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace moim {
namespace {

using namespace proto;

std::optional<ErrorCode> error_of(const HubOutput& out, ConnId conn) {
  for (const ServerMessage& m : test::received(out, conn)) {
    if (const auto* e = std::get_if<Error>(&m)) return e->code;
  }
  return std::nullopt;
}

class HubLargeRooms : public ::testing::Test, public test::ClockedHub {
 protected:
  void SetUp() override { start(/*janus=*/true); }
  void start(bool janus) {
    HubConfig config = test::test_config();
    config.janus_configured = janus;
    ASSERT_EQ(start_hub(config), "");
  }
  HubOutput create(ConnId conn, std::string name, std::uint32_t capacity) {
    return send(conn, CreateRoom{.name = std::move(name), .capacity = capacity, .password = {}});
  }
};

TEST(RoomMode, OverMeshMaxIsALargeRoom) {
  struct Row {
    std::uint32_t capacity, mesh_max;
    RoomMode expected;
  };
  for (const Row& row : std::vector<Row>{{2, 6, RoomMode::Mesh},
                                         {6, 6, RoomMode::Mesh},
                                         {7, 6, RoomMode::Sfu},
                                         {50, 6, RoomMode::Sfu},
                                         {8, 8, RoomMode::Mesh},
                                         {3, 2, RoomMode::Sfu},
                                         {50, 50, RoomMode::Mesh}}) {
    EXPECT_EQ(room_mode_for(row.capacity, row.mesh_max), row.expected) << row.capacity << " / " << row.mesh_max;
  }
}

TEST_F(HubLargeRooms, WithoutJanusLargeRoomsAreRefusedAndMeshRoomsAreAsBefore) {
  start(/*janus=*/false);
  hub().connect(1, "10.0.0.1");
  const HubOutput welcome = send(1, Hello{});
  const auto msgs = test::received(welcome, 1);
  ASSERT_EQ(msgs.size(), 1u);
  const Limits limits = std::get<Welcome>(msgs[0]).limits;
  EXPECT_EQ(limits.max_capacity, 50u);
  EXPECT_EQ(limits.mesh_max, 6u);
  EXPECT_FALSE(limits.large_rooms);
  EXPECT_EQ(error_of(create(1, "Big", 7), 1), ErrorCode::LargeRoomsUnavailable);
  EXPECT_EQ(error_of(create(1, "Huge", 50), 1), ErrorCode::LargeRoomsUnavailable);
  EXPECT_EQ(error_of(create(1, "Too big", 51), 1), ErrorCode::CapacityInvalid);
  EXPECT_EQ(hub().registry().room_count(), 0u);
  const HubOutput six = create(1, "Six", 6);
  ASSERT_EQ(test::received(six, 1).size(), 1u);
  const RoomInfo room = std::get<RoomCreated>(test::received(six, 1)[0]).room;
  EXPECT_EQ(room.mode, RoomMode::Mesh);
  EXPECT_TRUE(six.janus.empty());
  EXPECT_TRUE(hub().set_janus_ready(true).sends.empty()) << "no Janus configured: nothing changes";
}

TEST_F(HubLargeRooms, AvailabilityFollowsTheLinkAndIsPushedToEveryHelloedConnection) {
  hello(1);
  hub().connect(2, "10.0.0.2");  // no hello: hears nothing
  EXPECT_EQ(error_of(create(1, "Big", 10), 1), ErrorCode::LargeRoomsUnavailable) << "the link is not ready yet";
  const HubOutput up = hub().set_janus_ready(true);
  ASSERT_EQ(up.sends.size(), 1u);
  const auto msgs = test::received(up, 1);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_TRUE(std::get<LimitsChanged>(msgs[0]).limits.large_rooms);
  EXPECT_TRUE(hub().set_janus_ready(true).sends.empty()) << "no change, nothing said";
  hub().connect(3, "10.0.0.3");
  const auto welcome = test::received(send(3, Hello{}), 3);
  ASSERT_EQ(welcome.size(), 1u);
  EXPECT_TRUE(std::get<Welcome>(welcome[0]).limits.large_rooms) << "the welcome is rebuilt";
  const HubOutput down = hub().set_janus_ready(false);
  EXPECT_EQ(down.sends.size(), 2u);
  EXPECT_FALSE(std::get<LimitsChanged>(test::received(down, 3)[0]).limits.large_rooms);
}

TEST_F(HubLargeRooms, CreatedOnlyOnceJanusConfirmsThenDestroyedOnDelete) {
  hello(1);
  hello(2);
  hub().set_janus_ready(true);
  const HubOutput asked = create(1, "Town hall", 40);
  EXPECT_TRUE(test::received(asked, 1).empty()) << "no answer before Janus's";
  ASSERT_EQ(asked.janus.size(), 1u);
  const sfu::RoomCommand command = asked.janus[0];
  EXPECT_EQ(command.kind, sfu::RoomCommand::Kind::Create);
  EXPECT_EQ(command.publishers, 40);
  EXPECT_EQ(command.description, "Town hall");
  EXPECT_EQ(command.secret.size(), 64u);
  EXPECT_EQ(command.secret.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(hub().registry().room_count(), 0u) << "not listed yet";
  EXPECT_TRUE(hub().flush_lobby().sends.empty());

  const HubOutput done = hub().on_janus_done(command.id);
  const auto msgs = test::received(done, 1);
  ASSERT_EQ(msgs.size(), 1u);
  const RoomCreated created = std::get<RoomCreated>(msgs[0]);
  EXPECT_EQ(created.room.mode, RoomMode::Sfu);
  EXPECT_EQ(created.room.capacity, 40u);
  EXPECT_EQ(sfu::janus_room_for(created.room.id), command.room) << "the Janus room is the Moim room's id";
  const auto listed = test::received(hub().flush_lobby(), 2);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(std::get<RoomUpdated>(listed[0]).room.mode, RoomMode::Sfu);
  const std::vector<server::StoredRoom> stored = world_.store.load();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].mode, RoomMode::Sfu);
  EXPECT_EQ(stored[0].sfu_secret, command.secret);

  // Joined while the link is ready: its media session starts (the relay's own tests: hub_media_test).
  const HubOutput joined = send(2, Join{.room = created.room.id, .name = "Bo"});
  EXPECT_EQ(error_of(joined, 2), std::nullopt);
  ASSERT_EQ(joined.media.size(), 1u);
  EXPECT_EQ(joined.media[0].kind, sfu::MediaCommand::Kind::Attach);

  const HubOutput deleted = send(1, DeleteRoom{.room = created.room.id, .owner = created.owner});
  ASSERT_EQ(deleted.janus.size(), 1u);
  EXPECT_EQ(deleted.janus[0].kind, sfu::RoomCommand::Kind::Destroy);
  EXPECT_EQ(deleted.janus[0].room, command.room);
  EXPECT_EQ(deleted.janus[0].secret, command.secret);
  EXPECT_TRUE(hub().on_janus_done(deleted.janus[0].id).warnings.empty());
  EXPECT_FALSE(hub().large_rooms().known(created.room.id));
}

TEST_F(HubLargeRooms, AFailedJanusCreateAnswersTheCreatorAndLeavesNothing) {
  hello(1);
  hub().set_janus_ready(true);
  struct Row {
    sfu::ErrorCode code;
    ErrorCode expected;
  };
  for (const Row& row : {Row{sfu::ErrorCode::Unavailable, ErrorCode::LargeRoomsUnavailable},
                         Row{sfu::ErrorCode::ConnectionLost, ErrorCode::LargeRoomsUnavailable},
                         Row{sfu::ErrorCode::Timeout, ErrorCode::ServerBusy},
                         Row{sfu::ErrorCode::RoomUnauthorized, ErrorCode::ServerBusy}}) {
    const HubOutput asked = create(1, "Town hall", 12);
    ASSERT_EQ(asked.janus.size(), 1u);
    const HubOutput failed = hub().on_janus_failed(asked.janus[0].id, sfu::Error{row.code, 0, "no"});
    EXPECT_EQ(error_of(failed, 1), row.expected) << sfu::to_string(row.code);
    EXPECT_FALSE(failed.warnings.empty());
    EXPECT_EQ(hub().registry().room_count(), 0u);
    EXPECT_TRUE(world_.store.load().empty());
    EXPECT_EQ(hub().large_rooms().size(), 0u);
  }
}

TEST_F(HubLargeRooms, ACreatorGoneOrANameTakenMeanwhileDestroysTheJanusRoom) {
  hello(1);
  hello(2);
  hub().set_janus_ready(true);
  const HubOutput first = create(1, "Town hall", 12);
  const HubOutput second = create(2, "Town hall", 12);  // the same name, both waiting for Janus
  ASSERT_EQ(first.janus.size(), 1u);
  ASSERT_EQ(second.janus.size(), 1u);
  EXPECT_NE(first.janus[0].room, second.janus[0].room) << "each has its own id";
  EXPECT_EQ(test::received(hub().on_janus_done(first.janus[0].id), 1).size(), 1u);
  const HubOutput late = hub().on_janus_done(second.janus[0].id);
  EXPECT_EQ(error_of(late, 2), ErrorCode::RoomNameTaken);
  ASSERT_EQ(late.janus.size(), 1u);
  EXPECT_EQ(late.janus[0].kind, sfu::RoomCommand::Kind::Destroy);
  EXPECT_EQ(late.janus[0].room, second.janus[0].room);

  const HubOutput third = create(2, "Gone", 12);
  ASSERT_EQ(third.janus.size(), 1u);
  hub().disconnect(2);
  const HubOutput orphan = hub().on_janus_done(third.janus[0].id);
  EXPECT_TRUE(orphan.sends.empty());
  ASSERT_EQ(orphan.janus.size(), 1u);
  EXPECT_EQ(orphan.janus[0].kind, sfu::RoomCommand::Kind::Destroy);
  EXPECT_EQ(hub().registry().room_count(), 1u);
}

// The per-address quota is checked again when Janus answers: creates asked for at once all passed it
// when asked, but only those within it are made (the others' Janus rooms destroyed).
TEST_F(HubLargeRooms, CreatesWaitingForJanusStayWithinTheAddresssQuota) {
  HubConfig config = test::test_config();
  config.janus_configured = true;
  config.max_live_rooms_per_address = 1;
  ASSERT_EQ(start_hub(config), "");
  hello(1);
  hub().set_janus_ready(true);
  const HubOutput first = create(1, "One", 12);
  const HubOutput second = create(1, "Two", 12);
  ASSERT_EQ(first.janus.size(), 1u);
  ASSERT_EQ(second.janus.size(), 1u) << "both pass the quota while none is made yet";
  EXPECT_EQ(test::received(hub().on_janus_done(first.janus[0].id), 1).size(), 1u);
  const HubOutput over = hub().on_janus_done(second.janus[0].id);
  EXPECT_EQ(error_of(over, 1), ErrorCode::RoomQuota);
  ASSERT_EQ(over.janus.size(), 1u);
  EXPECT_EQ(over.janus[0].kind, sfu::RoomCommand::Kind::Destroy);
  EXPECT_EQ(over.janus[0].room, second.janus[0].room);
  EXPECT_EQ(hub().registry().room_count(), 1u);
  EXPECT_EQ(world_.store.load().size(), 1u);
}

TEST_F(HubLargeRooms, JanusAndServerRestartsMakeEveryLargeRoomAgainWithItsSecret) {
  hello(1);
  hub().set_janus_ready(true);
  const HubOutput asked = create(1, "Town hall", 30);
  ASSERT_EQ(asked.janus.size(), 1u);
  hub().on_janus_done(asked.janus[0].id);
  ASSERT_NE(test::ClockedHub::create(1, "Small"), 0u);  // a mesh room: no Janus room
  const HubOutput again = hub().recreate_large_rooms();
  ASSERT_EQ(again.janus.size(), 1u);
  EXPECT_EQ(again.janus[0].room, asked.janus[0].room);
  EXPECT_EQ(again.janus[0].secret, asked.janus[0].secret);
  EXPECT_TRUE(hub().on_janus_failed(again.janus[0].id, sfu::Error{sfu::ErrorCode::RoomExists, 427, "exists"})
                  .warnings.empty());

  // moim-server restarts: the mode and the secret come back from the store.
  start(/*janus=*/true);
  EXPECT_EQ(hub().registry().room_count(), 2u);
  const HubOutput restored = hub().recreate_large_rooms();
  ASSERT_EQ(restored.janus.size(), 1u);
  EXPECT_EQ(restored.janus[0].secret, asked.janus[0].secret);
  EXPECT_EQ(restored.janus[0].publishers, 30);
  bool found = false;
  for (const RoomInfo& room : hub().registry().list()) {
    if (room.name == "Town hall") {
      found = true;
      EXPECT_EQ(room.mode, RoomMode::Sfu);
    } else {
      EXPECT_EQ(room.mode, RoomMode::Mesh);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(HubLargeRooms, MeshMaxIsTheServersAndKeptWithinMaxCapacity) {
  HubConfig config = test::test_config();
  config.mesh_max = 8;
  ASSERT_EQ(start_hub(config), "");
  hello(1);
  EXPECT_EQ(std::get<RoomCreated>(test::received(create(1, "Eight", 8), 1)[0]).room.mode, RoomMode::Mesh);
  EXPECT_EQ(error_of(create(1, "Nine", 9), 1), ErrorCode::LargeRoomsUnavailable);
  config.max_capacity = 4;  // mesh_max above max_capacity is brought down to it
  ASSERT_EQ(start_hub(config), "");
  EXPECT_EQ(hub().config().mesh_max, 4u);
  config.max_capacity = 50;
  config.mesh_max = 20;  // and never above the mesh's own limit (the client's peer connections)
  ASSERT_EQ(start_hub(config), "");
  EXPECT_EQ(hub().config().mesh_max, proto::kMaxMeshCapacity);
}

TEST_F(HubLargeRooms, ExpiryDestroysTheJanusRoom) {
  HubConfig config = test::test_config();
  config.janus_configured = true;
  config.room_expiry_seconds = 3600;
  ASSERT_EQ(start_hub(config), "");
  hello(1);
  hub().set_janus_ready(true);
  const HubOutput asked = create(1, "Town hall", 20);
  ASSERT_EQ(asked.janus.size(), 1u);
  hub().on_janus_done(asked.janus[0].id);
  advance_s(7200);
  const HubOutput ticked = hub().tick();
  ASSERT_EQ(ticked.janus.size(), 1u);
  EXPECT_EQ(ticked.janus[0].kind, sfu::RoomCommand::Kind::Destroy);
  EXPECT_EQ(hub().registry().room_count(), 0u);
}

}  // namespace
}  // namespace moim
