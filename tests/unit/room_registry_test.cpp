// The room model: creation rules, membership, routing.
#include "room_registry.hpp"

#include <gtest/gtest.h>

#include <string>

namespace moim {
namespace {

using proto::ErrorCode;
using proto::PeerInfo;
using proto::RoomId;
using proto::RoomInfo;

PeerInfo peer(proto::PeerId id, std::string name = "Minji") {
  return PeerInfo{.id = id, .name = std::move(name), .mic = true, .camera = true};
}

RoomId make_room(RoomRegistry& registry, std::string_view name, std::uint32_t capacity = 6) {
  auto created = registry.create(name, capacity);
  EXPECT_TRUE(created.ok()) << name;
  return created.ok() ? created.get().id : 0;
}

TEST(RoomRegistry, CreateReturnsEmptyRoomWithIncreasingIds) {
  RoomRegistry registry;
  auto first = registry.create("  Standup  ", 6);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.get(), (RoomInfo{.id = 1, .name = "Standup", .participants = 0, .capacity = 6}));
  auto second = registry.create("Lunch", 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.get().id, 2u);
  EXPECT_EQ(registry.room_count(), 2u);
  EXPECT_EQ(registry.info(1), first.get());
}

TEST(RoomRegistry, DuplicateNamesAreCaseInsensitiveAfterTrim) {
  RoomRegistry registry;
  make_room(registry, "Standup");
  for (const char* name : {"Standup", "standup", "STANDUP", "  sTaNdUp\u3000"}) {
    auto again = registry.create(name, 6);
    ASSERT_FALSE(again.ok()) << name;
    EXPECT_EQ(again.error(), ErrorCode::RoomNameTaken) << name;
  }
  EXPECT_TRUE(registry.create("Standup 2", 6).ok());
  EXPECT_EQ(registry.room_count(), 2u);
}

TEST(RoomRegistry, InvalidRoomNames) {
  RoomRegistry registry;
  for (const std::string& name : {std::string(""), std::string("   "), std::string(49, 'x'), std::string("a\x01"),
                                  std::string("tab\there"), std::string("\xC3\x28")}) {
    auto created = registry.create(name, 6);
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error(), ErrorCode::RoomNameInvalid);
  }
  EXPECT_TRUE(registry.create(std::string(48, 'x'), 6).ok());
  EXPECT_EQ(registry.room_count(), 1u);
}

TEST(RoomRegistry, CapacityBounds) {
  RoomRegistry registry;
  const std::pair<std::uint32_t, bool> cases[] = {{0, false}, {1, false}, {2, true}, {6, true},
                                                  {8, true},  {9, true}, {50, true}, {51, false}, {4294967295u, false}};  // 2-50 (issue 15)
  int n = 0;
  for (const auto& [capacity, ok] : cases) {
    auto created = registry.create("room " + std::to_string(n++), capacity);
    EXPECT_EQ(created.ok(), ok) << capacity;
    if (!ok) {
      EXPECT_EQ(created.error(), ErrorCode::CapacityInvalid) << capacity;
    }
  }
}

TEST(RoomRegistry, TooManyRooms) {
  RoomRegistry registry(RoomRegistry::Limits{.max_rooms = 2});
  make_room(registry, "a");
  make_room(registry, "b");
  auto third = registry.create("c", 6);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error(), ErrorCode::TooManyRooms);
}

TEST(RoomRegistry, JoinReturnsPeersAlreadyThereAndCounts) {
  RoomRegistry registry;
  const RoomId room = make_room(registry, "Standup");
  auto first = registry.join(room, peer(10, "  Minji  "));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first.get().empty());
  EXPECT_EQ(registry.info(room)->participants, 1u);
  EXPECT_EQ(registry.peer(10)->name, "Minji");  // stored trimmed

  auto second = registry.join(room, peer(11, "Joon"));
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second.get().size(), 1u);
  EXPECT_EQ(second.get()[0], peer(10, "Minji"));
  EXPECT_EQ(registry.info(room)->participants, 2u);
  EXPECT_EQ(registry.room_of(11), room);
}

TEST(RoomRegistry, JoinErrors) {
  RoomRegistry registry;
  const RoomId room = make_room(registry, "Pair", 2);
  const RoomId other = make_room(registry, "Other");
  ASSERT_TRUE(registry.join(room, peer(1)).ok());

  struct Case {
    const char* label;
    RoomId room;
    PeerInfo who;
    ErrorCode expected;
  };
  const Case cases[] = {
      {"missing room", 99, peer(2), ErrorCode::RoomNotFound},
      {"room id 0", 0, peer(2), ErrorCode::RoomNotFound},
      {"already in this room", room, peer(1), ErrorCode::AlreadyInRoom},
      {"already in another room", other, peer(1), ErrorCode::AlreadyInRoom},
      {"empty name", room, peer(2, ""), ErrorCode::NameInvalid},
      {"blank name", room, peer(2, " \u3000 "), ErrorCode::NameInvalid},
      {"long name", room, peer(2, std::string(33, 'n')), ErrorCode::NameInvalid},
      {"control char", room, peer(2, "a\x07"), ErrorCode::NameInvalid},
  };
  for (const Case& c : cases) {
    auto joined = registry.join(c.room, c.who);
    ASSERT_FALSE(joined.ok()) << c.label;
    EXPECT_EQ(joined.error(), c.expected) << c.label;
  }
  EXPECT_EQ(registry.info(room)->participants, 1u);

  ASSERT_TRUE(registry.join(room, peer(2)).ok());
  auto full = registry.join(room, peer(3));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), ErrorCode::RoomFull);
  EXPECT_EQ(registry.info(room)->participants, 2u);
  EXPECT_EQ(registry.room_of(3), std::nullopt);
}

TEST(RoomRegistry, LeaveKeepsEmptyRoomListed) {
  RoomRegistry registry;
  const RoomId room = make_room(registry, "Standup");
  ASSERT_TRUE(registry.join(room, peer(1)).ok());
  ASSERT_TRUE(registry.join(room, peer(2)).ok());

  EXPECT_EQ(registry.leave(1), room);
  EXPECT_EQ(registry.info(room)->participants, 1u);
  EXPECT_EQ(registry.room_of(1), std::nullopt);
  EXPECT_EQ(registry.leave(1), std::nullopt);  // second leave: nothing to do

  EXPECT_EQ(registry.leave(2), room);
  ASSERT_EQ(registry.list().size(), 1u);
  EXPECT_EQ(registry.list()[0].participants, 0u);
  EXPECT_TRUE(registry.members(room).empty());

  // A peer that left may join again (with the same or another room).
  EXPECT_TRUE(registry.join(room, peer(1)).ok());
  EXPECT_EQ(registry.leave(42), std::nullopt);
}

TEST(RoomRegistry, ParticipantsAlwaysEqualMembers) {
  RoomRegistry registry;
  const RoomId room = make_room(registry, "Big", 8);
  for (proto::PeerId id = 1; id <= 8; ++id) {
    ASSERT_TRUE(registry.join(room, peer(id)).ok());
    EXPECT_EQ(registry.info(room)->participants, registry.members(room).size());
  }
  EXPECT_FALSE(registry.join(room, peer(9)).ok());
  for (proto::PeerId id : {3u, 1u, 8u}) {
    registry.leave(id);
    EXPECT_EQ(registry.info(room)->participants, registry.members(room).size());
  }
  EXPECT_EQ(registry.info(room)->participants, 5u);
}

TEST(RoomRegistry, MembersInJoinOrder) {
  RoomRegistry registry;
  const RoomId room = make_room(registry, "Standup");
  for (proto::PeerId id : {30u, 10u, 20u, 40u}) ASSERT_TRUE(registry.join(room, peer(id)).ok());
  EXPECT_EQ(registry.members(room), (std::vector<proto::PeerId>{30, 10, 20, 40}));
  registry.leave(10);
  EXPECT_EQ(registry.members(room), (std::vector<proto::PeerId>{30, 20, 40}));
  EXPECT_TRUE(registry.members(999).empty());
}

TEST(RoomRegistry, Route) {
  RoomRegistry registry;
  const RoomId a = make_room(registry, "A");
  const RoomId b = make_room(registry, "B");
  ASSERT_TRUE(registry.join(a, peer(1)).ok());
  ASSERT_TRUE(registry.join(a, peer(2)).ok());
  ASSERT_TRUE(registry.join(b, peer(3)).ok());

  struct Case {
    proto::PeerId from, to;
    std::optional<ErrorCode> error;
  };
  const Case cases[] = {
      {1, 2, std::nullopt},                // same room
      {2, 1, std::nullopt},                // and back
      {1, 3, ErrorCode::PeerNotFound},     // other room
      {1, 99, ErrorCode::PeerNotFound},    // nobody
      {1, 1, ErrorCode::PeerNotFound},     // self
      {99, 1, ErrorCode::NotInRoom},       // sender not in a room
  };
  for (const Case& c : cases) {
    auto routed = registry.route(c.from, c.to);
    if (c.error) {
      ASSERT_FALSE(routed.ok()) << c.from << "->" << c.to;
      EXPECT_EQ(routed.error(), *c.error) << c.from << "->" << c.to;
    } else {
      ASSERT_TRUE(routed.ok()) << c.from << "->" << c.to;
      EXPECT_EQ(routed.get(), c.to);
    }
  }
  registry.leave(2);
  EXPECT_EQ(registry.route(1, 2).error(), ErrorCode::PeerNotFound);
  EXPECT_EQ(registry.route(2, 1).error(), ErrorCode::NotInRoom);
}

TEST(RoomRegistry, SetMedia) {
  RoomRegistry registry;
  const RoomId room = make_room(registry, "Standup");
  ASSERT_TRUE(registry.join(room, peer(1)).ok());
  ASSERT_TRUE(registry.join(room, peer(2)).ok());
  auto updated = registry.set_media(1, false, true);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated.get(), room);
  EXPECT_FALSE(registry.peer(1)->mic);
  EXPECT_TRUE(registry.peer(1)->camera);
  EXPECT_TRUE(registry.peer(2)->mic);  // others untouched
  // A later joiner sees the current flags.
  auto third = registry.join(room, peer(3));
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third.get()[0].mic);

  auto outside = registry.set_media(42, true, true);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error(), ErrorCode::NotInRoom);
}

TEST(RoomRegistry, ListOrderedById) {
  RoomRegistry registry;
  for (const char* name : {"z", "a", "m"}) make_room(registry, name);
  const auto rooms = registry.list();
  ASSERT_EQ(rooms.size(), 3u);
  EXPECT_EQ(rooms[0].name, "z");
  EXPECT_EQ(rooms[1].name, "a");
  EXPECT_EQ(rooms[2].name, "m");
  EXPECT_LT(rooms[0].id, rooms[1].id);
  EXPECT_LT(rooms[1].id, rooms[2].id);
}

TEST(RoomRegistry, IdsMonotonicAcrossFailures) {
  RoomRegistry registry;
  EXPECT_EQ(make_room(registry, "one"), 1u);
  EXPECT_FALSE(registry.create("one", 6).ok());
  EXPECT_FALSE(registry.create("", 6).ok());
  EXPECT_EQ(make_room(registry, "two"), 2u);  // failures do not consume ids
  EXPECT_EQ(make_room(registry, "three"), 3u);
  EXPECT_EQ(registry.info(4), std::nullopt);
  EXPECT_EQ(registry.peer(1), std::nullopt);
}

}  // namespace
}  // namespace moim
