// The create dialog's rule for large rooms (room_admin::capacity_note): over the server's mesh_max,
// refused (Create disabled, nothing sent on confirm) while large rooms are unavailable, a note that
// it is a large room while they are; the limits follow `limits` messages (ClientState).
#include "client_state.hpp"
#include "room_admin.hpp"

#include <gtest/gtest.h>

namespace moim::room_admin {
namespace {

ClientState world(std::uint32_t mesh_max, bool large_rooms) {
  ClientState w;
  w.apply(proto::Welcome{.limits = proto::Limits{.max_capacity = 50, .mesh_max = mesh_max, .large_rooms = large_rooms}});
  return w;
}

TEST(CapacityNote, ATableOfCapacitiesAndLimits) {
  struct Row {
    std::uint32_t capacity, mesh_max;
    bool large_rooms;
    ui_text::Message expected;
    bool refused;
  };
  using ui_text::Id;
  const std::vector<Row> rows = {
      {6, 6, false, {}, false},
      {2, 6, false, {}, false},
      {7, 6, false, {Id::LargeRoomsUnavailableNote, {"6"}}, true},
      {50, 6, false, {Id::LargeRoomsUnavailableNote, {"6"}}, true},
      {7, 6, true, {Id::LargeRoomNote, {"6"}}, false},
      {8, 8, false, {}, false},
      {9, 8, true, {Id::LargeRoomNote, {"8"}}, false},
  };
  for (const Row& row : rows) {
    const CapacityNote note = capacity_note(row.capacity, world(row.mesh_max, row.large_rooms));
    EXPECT_EQ(note.text, row.expected) << row.capacity << " / " << row.mesh_max;
    EXPECT_EQ(note.refused, row.refused) << row.capacity << " / " << row.mesh_max;
  }
  EXPECT_EQ(ui_text::render(ui_text::Lang::En, capacity_note(10, world(6, false)).text),
            "Rooms for more than 6 people need the media server, which is not running here.");
}

TEST(CapacityNote, ConfirmSendsNothingWhileRefusedAndLimitsMessagesChangeIt) {
  ClientState w = world(6, false);
  Machine machine;
  machine.handle(OpenCreate{}, w);
  machine.handle(SetCapacity{10}, w);
  EXPECT_TRUE(machine.handle(ConfirmCreate{"Town hall", ""}, w).empty()) << "refused: nothing sent";
  EXPECT_FALSE(machine.create().pending);
  EXPECT_TRUE(w.apply(proto::LimitsChanged{proto::Limits{.max_capacity = 50, .mesh_max = 6, .large_rooms = true}}));
  EXPECT_TRUE(w.limits().large_rooms);
  const Effects sent = machine.handle(ConfirmCreate{"Town hall", ""}, w);
  bool create_sent = false;
  for (const Effect& effect : sent) {
    if (const auto* send = std::get_if<Send>(&effect)) {
      const auto* create = std::get_if<proto::CreateRoom>(&send->message);
      create_sent = create && create->capacity == 10;
    }
  }
  EXPECT_TRUE(create_sent);
  EXPECT_FALSE(w.apply(proto::LimitsChanged{proto::Limits{.max_capacity = 50, .mesh_max = 6, .large_rooms = true}}))
      << "the same limits change nothing";
}

}  // namespace
}  // namespace moim::room_admin
