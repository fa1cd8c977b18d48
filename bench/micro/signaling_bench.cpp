// One step of the client's signaling machine (shared/signaling.hpp), on a machine in a 6-person call.
#include "bench_data.hpp"
#include "signaling.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>

namespace moim::bench {
namespace {

using namespace moim::signaling;

constexpr PeerId kSelf = 10;
constexpr PeerId kRemote = 3;  // an older peer: it offered to us, we answer

// We joined a room with peers 1..5 (we offer to each), all negotiated to Stable.
Machine machine_in_stable_call() {
  Machine m;
  m.handle(JoinedRoom{kSelf, {1, 2, 3, 4, 5}});
  for (PeerId p = 1; p <= 5; ++p) {
    m.handle(LocalDescriptionCreated{p, proto::SignalKind::Offer, chromium_offer_sdp()});
    proto::Signal answer{p, proto::SignalKind::Answer, chromium_offer_sdp(), {}};
    m.handle(SignalReceived{answer});
    m.handle(RemoteDescriptionApplied{p});
  }
  if (m.peer(kRemote) == nullptr || m.peer(kRemote)->phase != Phase::Stable) std::abort();
  return m;
}

// A remote candidate arriving once the description is set: becomes AddRemoteCandidate at once.
// A description takes at most kMaxRemoteCandidates of them, so every that many a renegotiation
// round (not timed) starts a new count: the timed step is always the accepting one.
void BM_CandidateInStable(benchmark::State& state) {
  Machine m = machine_in_stable_call();
  proto::Signal signal;
  signal.peer = kRemote;
  signal.kind = proto::SignalKind::Candidate;
  signal.candidate = sample_candidate();
  const Event event = SignalReceived{signal};
  const Event offer = SignalReceived{proto::Signal{kRemote, proto::SignalKind::Offer, "v=0", {}}};
  const Event applied = RemoteDescriptionApplied{kRemote};
  const Event answer = LocalDescriptionCreated{kRemote, proto::SignalKind::Answer, "v=0"};
  for (auto _ : state) {
    Effects effects = m.handle(event);
    benchmark::DoNotOptimize(effects.data());
    if (m.peer(kRemote)->remote_candidates == kMaxRemoteCandidates) {
      state.PauseTiming();
      m.handle(offer);
      m.handle(applied);
      m.handle(answer);
      state.ResumeTiming();
    }
  }
  if (m.peer(kRemote)->dropped_candidates != 0) state.SkipWithError("candidates were dropped");
}
BENCHMARK(BM_CandidateInStable)->Name("signaling.candidate-in-stable");

// A full answerer round from Stable back to Stable (a renegotiation offer from the remote peer):
// offer received -> remote description applied -> answer created and sent. Three events, each
// carrying or producing the 6 KB SDP.
void BM_OfferAnswerRound(benchmark::State& state) {
  Machine m = machine_in_stable_call();
  const Event offer = SignalReceived{proto::Signal{kRemote, proto::SignalKind::Offer, chromium_offer_sdp(), {}}};
  const Event applied = RemoteDescriptionApplied{kRemote};
  const Event answer = LocalDescriptionCreated{kRemote, proto::SignalKind::Answer, chromium_offer_sdp()};
  for (auto _ : state) {
    Effects a = m.handle(offer);
    Effects b = m.handle(applied);
    Effects c = m.handle(answer);
    benchmark::DoNotOptimize(a.data());
    benchmark::DoNotOptimize(b.data());
    benchmark::DoNotOptimize(c.data());
  }
  if (m.peer(kRemote)->phase != Phase::Stable) state.SkipWithError("round did not end in Stable");
}
BENCHMARK(BM_OfferAnswerRound)->Name("signaling.offer-answer-round");

}  // namespace
}  // namespace moim::bench
