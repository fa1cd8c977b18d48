// Who is speaking in the call: the glue's audio levels of every connection, read a few times a
// second, through shared/speaking's detector (the speaker view the person may choose instead of
// the grid: wasm/call_layout.hpp).
#pragma once

#include "peer_connection.hpp"
#include "speaking.hpp"

#include <optional>

namespace moim {

class CallSpeakers {
 public:
  static constexpr double kPollMs = 150;  // a syllable is ~200 ms: fast enough for a ring that follows speech

  explicit CallSpeakers(const Peers& peers) : peers_(peers) {}

  // Reads the levels if kPollMs have passed; returns true when a ring or the active speaker changed.
  bool poll(double now_ms);
  void call_ended();

  bool speaking(proto::PeerId peer) const { return detector_.speaking(peer); }
  // The active speaker among those still in the call (nullopt before anyone spoke).
  std::optional<proto::PeerId> active() const;

 private:
  const Peers& peers_;
  speaking::Detector detector_;
  double next_poll_ = 0;
};

}  // namespace moim
