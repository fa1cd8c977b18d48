// Who is speaking, from the audio levels of what we receive (polled a few times a second): a ring on
// a speaker's tile that does not flicker between syllables, and the call's active speaker (shown
// large in the speaker view), which does not jump at every cough. No clock inside: each level comes
// with the time it was read; tests/unit/speaking_test.cpp plays sequences through it.
//
// How: each peer's level feeds an envelope that follows a peak at once and decays with a half-life
// (so the gaps between words keep it up); speaking starts when the envelope reaches `on_level` and
// ends once it has stayed under `off_level` for `hangover_ms`. The active speaker is the loudest
// speaking peer, kept until another has been louder for `switch_ms` or it stops speaking; when
// nobody speaks, the last one stays (as in every call app).
#pragma once

#include "protocol.hpp"

#include <map>
#include <optional>

namespace moim::speaking {

using proto::PeerId;

struct Tuning {
  double half_life_ms = 300;  // the envelope halves this fast after a peak
  // Levels are linear (0..1, 1 = 0 dBov; the client's are the received audio's root mean square
  // between two readings, from totalAudioEnergy): speech reaches 0.05-0.3, a quiet room with a
  // noise-suppressed microphone stays under 0.01.
  double on_level = 0.02;
  double off_level = 0.01;
  double hangover_ms = 800;  // under off_level this long before the ring goes
  double switch_ms = 1000;   // louder than the active speaker this long before the view switches
};

class Detector {
 public:
  explicit Detector(Tuning tuning = {}) : t_(tuning) {}

  // A level read at `now_ms` (levels outside 0..1 are clamped; NaN counts as 0).
  void feed(PeerId peer, double level, double now_ms);
  void forget(PeerId peer);  // the peer left (or its connection went)
  // Forgets everyone but `peers` (those still heard).
  template <class Set>
  void retain(const Set& peers) {
    for (auto it = voices_.begin(); it != voices_.end();) {
      if (peers.count(it->first)) ++it;
      else forget((it++)->first);
    }
  }
  void clear();

  bool speaking(PeerId peer) const;
  std::optional<PeerId> active() const { return active_; }
  double envelope(PeerId peer) const;

 private:
  struct Voice {
    double envelope = 0;
    double last_ms = 0;
    bool speaking = false;
    std::optional<double> quiet_since;  // under off_level since (while speaking)
  };
  void choose_active(double now_ms);

  Tuning t_;
  std::map<PeerId, Voice> voices_;
  std::optional<PeerId> active_;
  std::optional<PeerId> challenger_;  // louder than the active speaker...
  double challenger_since_ = 0;       // ...since then
};

}  // namespace moim::speaking
