#include "speaking/call_speakers.hpp"

#include "browser/glue.hpp"

#include <set>


namespace moim {

bool CallSpeakers::poll(double now_ms) {
  if (now_ms < next_poll_) return false;
  next_poll_ = now_ms + kPollMs;
  std::set<proto::PeerId> heard;
  bool changed = false;
  const auto before_active = detector_.active();
  for (const auto& [handle, level] : browser::audio_levels()) {
    const Peers::Peer* p = peers_.by_handle(handle);
    if (!p) continue;  // a connection that went meanwhile
    const bool was = detector_.speaking(p->info.id);
    detector_.feed(p->info.id, p->info.mic ? level : 0.0, now_ms);  // muted: silent, whatever arrives
    changed |= was != detector_.speaking(p->info.id);
    heard.insert(p->info.id);
  }
  // Peers without a connection now (left, or reconnecting) are forgotten; a ring of theirs goes.
  for (const auto& p : peers_.in_order()) changed |= !heard.count(p->info.id) && detector_.speaking(p->info.id);
  detector_.retain(heard);
  return changed || before_active != detector_.active();
}

void CallSpeakers::call_ended() {
  detector_.clear();
  next_poll_ = 0;
}

std::optional<proto::PeerId> CallSpeakers::active() const {
  const auto a = detector_.active();
  return a && peers_.find(*a) ? a : std::nullopt;
}

}  // namespace moim
