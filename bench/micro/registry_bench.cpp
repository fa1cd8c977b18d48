// The room model (shared/room_registry.hpp) with 10,000 rooms already present.
#include "bench_data.hpp"
#include "room_registry.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace moim::bench {
namespace {

constexpr std::uint32_t kRooms = 10000;
constexpr std::uint32_t kSeats = 8;  // peer ids: room r (1-based) seats r*kSeats .. r*kSeats+7

proto::PeerId peer_id(proto::RoomId room, std::uint32_t seat) { return room * kSeats + seat; }

// 10,000 rooms of capacity 8, each with `members` people in it. Room ids are 1..10000.
RoomRegistry registry_with_rooms(std::uint32_t members) {
  RoomRegistry r(RoomRegistry::Limits{.max_rooms = 2 * kRooms});
  for (std::uint32_t i = 1; i <= kRooms; ++i) {
    const auto created = r.create("Room " + std::to_string(i), kSeats);
    if (!created.ok() || created.get().id != i) std::abort();
    for (std::uint32_t seat = 0; seat < members; ++seat) {
      if (!r.join(i, sample_peer(peer_id(i, seat))).ok()) std::abort();
    }
  }
  return r;
}

// Mutating benchmarks work through one batch of kRooms operations, then restore the registry
// outside the timed region, so every timed call sees between 10,000 and 20,000 rooms (create) or
// one room per call (join/leave), never a registry that drifts further.
void BM_Create(benchmark::State& state) {
  const RoomRegistry base = registry_with_rooms(0);
  std::vector<std::string> names;
  for (std::uint32_t i = 0; i < kRooms; ++i) names.push_back("New room " + std::to_string(i));
  RoomRegistry r = base;
  std::uint32_t next = 0;
  for (auto _ : state) {
    if (next == kRooms) {
      state.PauseTiming();
      r = base;
      next = 0;
      state.ResumeTiming();
    }
    auto created = r.create(names[next++], 6);
    benchmark::DoNotOptimize(created);
  }
}
BENCHMARK(BM_Create)->Name("registry.create");

// Join a room that has 2 people (the result lists them).
void BM_Join(benchmark::State& state) {
  const RoomRegistry base = registry_with_rooms(2);
  std::vector<proto::PeerInfo> joiners;
  for (std::uint32_t i = 1; i <= kRooms; ++i) joiners.push_back(sample_peer(peer_id(i, 2)));
  RoomRegistry r = base;
  std::uint32_t next = 0;
  for (auto _ : state) {
    if (next == kRooms) {
      state.PauseTiming();
      r = base;
      next = 0;
      state.ResumeTiming();
    }
    auto joined = r.join(next + 1, joiners[next]);
    ++next;
    benchmark::DoNotOptimize(joined);
  }
}
BENCHMARK(BM_Join)->Name("registry.join");

// The last of 3 people leaves a room.
void BM_Leave(benchmark::State& state) {
  const RoomRegistry base = registry_with_rooms(3);
  RoomRegistry r = base;
  std::uint32_t next = 0;
  for (auto _ : state) {
    if (next == kRooms) {
      state.PauseTiming();
      r = base;
      next = 0;
      state.ResumeTiming();
    }
    ++next;
    auto left = r.leave(peer_id(next, 2));
    benchmark::DoNotOptimize(left);
  }
}
BENCHMARK(BM_Leave)->Name("registry.leave");

// Routing a signal between two members of the same room, over every room in turn. Read-only.
void BM_Route(benchmark::State& state) {
  const RoomRegistry r = registry_with_rooms(3);
  std::uint32_t room = 0;
  for (auto _ : state) {
    room = room == kRooms ? 1 : room + 1;
    auto routed = r.route(peer_id(room, 0), peer_id(room, 2));
    benchmark::DoNotOptimize(routed);
  }
}
BENCHMARK(BM_Route)->Name("registry.route");

}  // namespace
}  // namespace moim::bench
