// The soak's verdict on each signal (soak_accounting.hpp), case by case.
#include "soak_accounting.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace moim::loadgen::soak_accounting {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

enum class Verdict { Delivered, DeliveredAndRefused, Refused, RefusedUnheard, Undecided, Lost, LostWithDrop };
std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::Delivered: return "delivered";
    case Verdict::DeliveredAndRefused: return "delivered and refused";
    case Verdict::Refused: return "refused";
    case Verdict::RefusedUnheard: return "refused unheard";
    case Verdict::Undecided: return "undecided";
    case Verdict::Lost: return "lost";
    case Verdict::LostWithDrop: return "lost with drop";
  }
  return "?";
}
// One signal's verdict, from an Accounting of that one signal.
Verdict verdict_of(const Accounting& a) {
  if (a.delivered_and_refused) return Verdict::DeliveredAndRefused;
  if (a.delivered) return Verdict::Delivered;
  if (a.refused_matched) return Verdict::Refused;
  if (a.refused_unheard) return Verdict::RefusedUnheard;
  if (a.undecided) return Verdict::Undecided;
  return a.lost_with_drop ? Verdict::LostWithDrop : Verdict::Lost;
}

// Peer 1 sends to peer 2 at 10 s; peer 2's session ends as `to`, its drops at `drops`.
struct Row {
  const char* what;
  Signal signal;
  std::uint32_t refusals = 0;                // heard for (1, 2)
  std::optional<SessionEnd> to;              // peer 2's last connection
  std::uint64_t gaps = 0;
  std::vector<std::int64_t> drops;
  Verdict want;
};

TEST(SoakAccounting, EachSignalsVerdict) {
  const auto sig = [](std::uint32_t delivered, bool maybe_lost = false, std::int64_t confirmed_ns = 0) {
    return Signal{.from_peer = 1, .to_peer = 2, .sent_ns = 10 * kSecond, .delivered = delivered, .seq = 1,
                  .answer_maybe_lost = maybe_lost, .confirmed_ns = confirmed_ns};
  };
  // Peer 2 resumed (sent at 9 s, attached at 11 s: after the signal was sent) and left.
  const SessionEnd resumed_late{.resume_sent_ns = 9 * kSecond, .attached_ns = 11 * kSecond, .left = true};
  SessionEnd resumed_live = resumed_late;
  resumed_live.marked = resumed_live.live_after_mark = true;
  const std::vector<Row> rows = {
      {"delivered", sig(1), 0, {}, 0, {}, Verdict::Delivered},
      {"delivered, and a refusal heard for it", sig(1), 1, {}, 0, {}, Verdict::DeliveredAndRefused},
      {"refused, heard", sig(0), 1, {}, 0, {}, Verdict::Refused},
      {"no answer, nothing known", sig(0), 0, {}, 0, {}, Verdict::Lost},
      {"no answer, its addressee dropped 0.9 s later", sig(0), 0, {}, 0, {10 * kSecond + 900'000'000}, Verdict::LostWithDrop},
      {"no answer, its addressee dropped 0.9 s before", sig(0), 0, {}, 0, {10 * kSecond - 900'000'000}, Verdict::LostWithDrop},
      {"no answer, its addressee dropped 1.1 s later", sig(0), 0, {}, 0, {10 * kSecond + 1'100'000'000}, Verdict::Lost},
      {"answer maybe lost, the addressee never left", sig(0, true), 0,
       SessionEnd{.attached_ns = 0, .left = false}, 0, {}, Verdict::Lost},
      {"answer maybe lost, the addressee joined on its last connection and left", sig(0, true), 0,
       SessionEnd{.attached_ns = 0, .left = true}, 0, {}, Verdict::RefusedUnheard},
      {"answer maybe lost, no session known", sig(0, true), 0, {}, 0, {}, Verdict::Lost},
      {"answer maybe lost, the addressee attached later and read a live number", sig(0, true), 0, resumed_live, 0, {},
       Verdict::RefusedUnheard},
      {"as above, but a number was skipped somewhere", sig(0, true), 0, resumed_live, 1, {}, Verdict::Undecided},
      {"attached later, nothing live read", sig(0, true), 0, resumed_late, 0, {}, Verdict::Undecided},
      {"attached later, confirmed to its sender before the addressee's resume", sig(0, true, 8 * kSecond), 0,
       resumed_late, 0, {}, Verdict::Lost},
      {"attached later, confirmed after the addressee's resume was sent", sig(0, true, 9 * kSecond + 1), 0, resumed_late,
       0, {}, Verdict::Undecided},
  };
  for (const Row& row : rows) {
    const std::vector<Signal> signals = {row.signal};
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> refusals;
    if (row.refusals) refusals[{1, 2}] = row.refusals;
    std::unordered_map<std::uint32_t, SessionEnd> sessions;
    if (row.to) sessions[2] = *row.to;
    const Accounting a = account({.signals = signals,
                                  .refusals_by_pair = refusals,
                                  .refusals_unnamed = 0,
                                  .sessions = sessions,
                                  .gaps = row.gaps,
                                  .drops_of = [&](std::uint32_t peer) {
                                    return peer == 2 ? row.drops : std::vector<std::int64_t>{};
                                  }});
    EXPECT_EQ(to_string(verdict_of(a)), to_string(row.want)) << row.what;
    EXPECT_EQ(a.refusals_unmatched, 0u) << row.what;
    EXPECT_EQ(a.lost_signals.size(), a.lost) << row.what;
    EXPECT_EQ(a.undecided_signals.size(), a.undecided) << row.what;
  }
}

// n refusals for a pair answer its last n signals; refusals left over, or naming no peer, are unmatched.
TEST(SoakAccounting, RefusalsAnswerTheLastSignalsOfTheirPair) {
  const auto sig = [](std::uint32_t from, std::uint32_t to) { return Signal{.from_peer = from, .to_peer = to, .sent_ns = kSecond}; };
  const std::vector<Signal> signals = {sig(1, 2), sig(1, 3), sig(1, 2), sig(1, 2)};
  const std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> refusals = {{{1, 2}, 2}, {{4, 5}, 1}};
  const std::unordered_map<std::uint32_t, SessionEnd> sessions;
  const Accounting a = account({.signals = signals, .refusals_by_pair = refusals, .refusals_unnamed = 2,
                                .sessions = sessions, .gaps = 0, .drops_of = nullptr});
  EXPECT_EQ(a.refused_matched, 2u);
  EXPECT_EQ(a.lost, 2u);  // the first 1 -> 2 and the 1 -> 3
  ASSERT_EQ(a.lost_signals.size(), 2u);
  EXPECT_EQ(a.lost_signals[0].signal, 0u);
  EXPECT_EQ(a.lost_signals[1].signal, 1u);
  EXPECT_EQ(a.refusals_unmatched, 3u);  // (4, 5) and the two naming no peer
  EXPECT_EQ(a.unexplained(), 2u);
}

}  // namespace
}  // namespace moim::loadgen::soak_accounting
