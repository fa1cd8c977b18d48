#include "speaking.hpp"

#include <algorithm>
#include <cmath>

namespace moim::speaking {

void Detector::feed(PeerId peer, double level, double now_ms) {
  if (!(level > 0)) level = 0;  // NaN too
  level = std::min(level, 1.0);
  auto [it, fresh] = voices_.try_emplace(peer);
  Voice& v = it->second;
  if (!fresh && now_ms > v.last_ms) v.envelope *= std::exp2(-(now_ms - v.last_ms) / t_.half_life_ms);
  v.last_ms = std::max(v.last_ms, now_ms);
  v.envelope = std::max(v.envelope, level);
  if (!v.speaking) {
    if (v.envelope >= t_.on_level) v.speaking = true, v.quiet_since.reset();
  } else if (v.envelope >= t_.off_level) {
    v.quiet_since.reset();
  } else if (!v.quiet_since) {
    v.quiet_since = now_ms;
  } else if (now_ms - *v.quiet_since >= t_.hangover_ms) {
    v.speaking = false;
    v.quiet_since.reset();
  }
  choose_active(now_ms);
}

void Detector::choose_active(double now_ms) {
  // The loudest of those speaking.
  std::optional<PeerId> loudest;
  double best = -1;
  for (const auto& [id, v] : voices_)
    if (v.speaking && v.envelope > best) best = v.envelope, loudest = id;
  if (!loudest) {
    challenger_.reset();
    return;  // nobody speaks: the last speaker stays
  }
  const auto current = active_ ? voices_.find(*active_) : voices_.end();
  if (current == voices_.end() || !current->second.speaking) {
    active_ = loudest;  // the active one stopped (or there was none): the loudest takes over at once
    challenger_.reset();
    return;
  }
  if (*loudest == *active_) {
    challenger_.reset();
    return;
  }
  if (challenger_ != loudest) {
    challenger_ = loudest;
    challenger_since_ = now_ms;
  } else if (now_ms - challenger_since_ >= t_.switch_ms) {
    active_ = loudest;
    challenger_.reset();
  }
}

void Detector::forget(PeerId peer) {
  voices_.erase(peer);
  if (active_ == peer) active_.reset();
  if (challenger_ == peer) challenger_.reset();
}

void Detector::clear() {
  voices_.clear();
  active_.reset();
  challenger_.reset();
}

bool Detector::speaking(PeerId peer) const {
  auto it = voices_.find(peer);
  return it != voices_.end() && it->second.speaking;
}

double Detector::envelope(PeerId peer) const {
  auto it = voices_.find(peer);
  return it == voices_.end() ? 0 : it->second.envelope;
}

}  // namespace moim::speaking
