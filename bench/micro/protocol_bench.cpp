// Encode and decode of every message kind of the wire protocol (shared/protocol.hpp).
// Benchmark names become the part ids: "decode.offer" -> micro.decode.offer (bench/micro/to_part.mjs).
#include "bench_data.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

namespace moim::bench {
namespace {

using namespace moim::proto;

Signal offer_signal(PeerId peer) {
  Signal s;
  s.peer = peer;
  s.kind = SignalKind::Offer;
  s.sdp = chromium_offer_sdp();
  return s;
}

Signal candidate_signal(PeerId peer) {
  Signal s;
  s.peer = peer;
  s.kind = SignalKind::Candidate;
  s.candidate = sample_candidate();
  return s;
}

// Short names ("Room 17"): with 1,000 rooms the message must stay under kMaxMessageBytes (64 KiB) or
// the client refuses it as message-too-large; names of 16+ bytes already push it over.
Welcome welcome_with_rooms(std::size_t count) {
  Welcome w;
  for (std::size_t i = 1; i <= count; ++i) {
    RoomInfo room = sample_room(static_cast<RoomId>(i));
    room.name = "Room " + std::to_string(i);
    w.rooms.push_back(std::move(room));
  }
  return w;
}

Joined joined_with_peers(std::size_t count) {
  Joined j;
  j.room = sample_room(3);
  j.room.participants = static_cast<std::uint32_t>(count + 1);
  j.self = sample_peer(42);
  j.token = "9f2c4e1ab07d45c3b8e6a1d0f4c2e7b9";
  for (std::size_t i = 0; i < count; ++i) j.peers.push_back(sample_peer(static_cast<PeerId>(10 + i)));
  return j;
}

template <typename Message>
void encode_bench(benchmark::State& state, const Message& message) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = encode(message);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["bytes"] = static_cast<double>(bytes);
}

template <typename Decode>
void decode_bench(benchmark::State& state, const std::string& text, Decode decode) {
  if (!decode(text).ok()) {
    state.SkipWithError("sample message does not decode");
    return;
  }
  for (auto _ : state) {
    auto decoded = decode(text);
    benchmark::DoNotOptimize(decoded.message);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["bytes"] = static_cast<double>(text.size());
}

void register_client(const std::string& name, ClientMessage message) {
  const std::string text = encode(message);
  benchmark::RegisterBenchmark(("encode." + name).c_str(),
                               [message](benchmark::State& s) { encode_bench(s, message); });
  benchmark::RegisterBenchmark(("decode." + name).c_str(),
                               [text](benchmark::State& s) { decode_bench(s, text, decode_client); });
}

void register_server(const std::string& name, ServerMessage message) {
  const std::string text = encode(message);
  benchmark::RegisterBenchmark(("encode." + name).c_str(),
                               [message](benchmark::State& s) { encode_bench(s, message); });
  benchmark::RegisterBenchmark(("decode." + name).c_str(),
                               [text](benchmark::State& s) { decode_bench(s, text, decode_server); });
}

// Registered before main() runs (benchmark_main parses the flags afterwards).
[[maybe_unused]] const int registered = [] {
  // client -> server
  register_client("hello", Hello{});
  register_client("create-room", CreateRoom{"Standup", 6});
  register_client("join", Join{3, "Minji", true, true});
  register_client("leave", Leave{});
  register_client("offer", SendSignal{offer_signal(7)});
  register_client("candidate", SendSignal{candidate_signal(7)});
  register_client("media", SetMedia{false, true});
  // server -> client
  register_server("welcome-1000-rooms", welcome_with_rooms(1000));
  register_server("room-created", RoomCreated{sample_room(3)});
  register_server("room-updated", RoomUpdated{sample_room(3)});
  register_server("joined-5-peers", joined_with_peers(5));
  register_server("peer-joined", PeerJoined{sample_peer(5)});
  register_server("peer-left", PeerLeft{5});
  register_server("relayed-offer", RelayedSignal{offer_signal(5)});
  register_server("relayed-candidate", RelayedSignal{candidate_signal(5)});
  register_server("peer-media", PeerMedia{5, false, true});
  register_server("left", Left{});
  register_server("error", Error{ErrorCode::RoomFull, "Room \"Standup\" is full (6/6).", "join"});
  return 0;
}();

}  // namespace
}  // namespace moim::bench
