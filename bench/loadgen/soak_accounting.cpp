#include "soak_accounting.hpp"

namespace moim::loadgen::soak_accounting {

Accounting account(const Record& r) {
  Accounting a;
  std::vector<char> refused_heard(r.signals.size(), 0);
  auto unmatched = r.refusals_by_pair;
  for (std::size_t k = r.signals.size(); k-- > 0;) {
    const auto it = unmatched.find({r.signals[k].from_peer, r.signals[k].to_peer});
    if (it != unmatched.end() && it->second > 0) {
      --it->second;
      refused_heard[k] = 1;
    }
  }
  a.refusals_unmatched = r.refusals_unnamed;
  for (const auto& [pair, left] : unmatched) a.refusals_unmatched += left;

  // For an undelivered signal with no refusal heard: refused unheard (1), undecided (0) or lost (-1).
  const auto unheard = [&](const Signal& s) {
    const auto to = r.sessions.find(s.to_peer);
    if (!s.answer_maybe_lost || to == r.sessions.end() || !to->second.left) return -1;
    const SessionEnd& last = to->second;
    if (last.attached_ns <= s.sent_ns || (last.live_after_mark && r.gaps == 0)) return 1;
    if (s.confirmed_ns != 0 && s.confirmed_ns <= last.resume_sent_ns) return -1;
    return 0;
  };
  const auto dropped_near = [&](std::uint32_t peer, std::int64_t at) {
    if (!r.drops_of) return false;
    for (const std::int64_t drop : r.drops_of(peer))
      if (drop - at <= 1'000'000'000 && at - drop <= 1'000'000'000) return true;
    return false;
  };
  for (std::size_t k = 0; k < r.signals.size(); ++k) {
    const Signal& s = r.signals[k];
    if (s.delivered) {
      ++a.delivered;
      a.delivered_and_refused += refused_heard[k];
    } else if (refused_heard[k]) {
      ++a.refused_matched;
    } else if (const int verdict = unheard(s); verdict == 1) {
      ++a.refused_unheard;
    } else if (verdict == 0) {
      ++a.undecided;
      a.undecided_signals.push_back(k);
    } else {
      const bool with_drop = dropped_near(s.to_peer, s.sent_ns);
      ++a.lost;
      a.lost_with_drop += with_drop;
      a.lost_signals.push_back({k, with_drop});
    }
  }
  return a;
}

}  // namespace moim::loadgen::soak_accounting
