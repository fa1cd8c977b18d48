// Who is speaking (shared/speaking.hpp): level sequences as a poll every 100 ms would read them.
#include "speaking.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace moim::speaking {
namespace {

// Feeds `levels` for `peer`, one every 100 ms from `start_ms`; returns the speaking flag after each.
std::string play(Detector& d, PeerId peer, const std::vector<double>& levels, double start_ms = 0) {
  std::string out;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    d.feed(peer, levels[i], start_ms + 100.0 * static_cast<double>(i));
    out += d.speaking(peer) ? 'S' : '.';
  }
  return out;
}

TEST(Speaking, SequencesOfOnePeer) {
  const struct {
    const char* what;
    std::vector<double> levels;
    std::string expected;
  } table[] = {
      {"silence", {0, 0, 0.001, 0.005, 0, 0}, "......"},
      {"background noise under the threshold", {0.008, 0.015, 0.012, 0.019, 0.01}, "....."},
      {"speech starts at once", {0, 0.2, 0.1, 0.15}, ".SSS"},
      // A beep every 400 ms with quiet between: the envelope bridges the gaps, no flicker.
      {"syllables with gaps", {0.3, 0, 0, 0, 0.3, 0, 0, 0, 0.3, 0, 0, 0}, "SSSSSSSSSSSS"},
      // After the last word: the envelope decays under off_level (0.3 -> 0.0094 at 1.5 s), then 800 ms of hangover.
      {"stops after the hangover", {0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
       "SSSSSSSSSSSSSSSSSSSSSSS..."},
      // 0.03 is under off_level after 500 ms; 800 ms of hangover.
      {"a click (one loud reading) is short", {0.03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "SSSSSSSSSSSSS."},
      {"levels out of range are clamped, NaN is silence", {std::nan(""), -3, 7, 0}, "..SS"},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(row.what);
    Detector d;
    EXPECT_EQ(play(d, 1, row.levels), row.expected);
  }
}

// A word again during the hangover: the hangover starts over after it.
TEST(Speaking, AWordDuringTheHangoverStartsItOver) {
  std::vector<double> levels(46, 0.0);
  levels[0] = levels[17] = 0.3;  // under off_level from 1500 ms; the second word at 1700 ms
  Detector d;
  EXPECT_EQ(play(d, 1, levels), std::string(40, 'S') + std::string(6, '.'));  // quiet again from 3200 ms, off at 4000
}

TEST(Speaking, TheActiveSpeakerIsStickyAndSwitchesAfterALongerLouderStretch) {
  Detector d;
  EXPECT_EQ(d.active(), std::nullopt);
  for (int i = 0; i < 5; ++i) d.feed(1, 0.1, i * 100.0), d.feed(2, 0, i * 100.0);
  EXPECT_EQ(d.active(), 1u);
  // Peer 2 speaks louder: for under a second the view stays with 1...
  double t = 500;
  for (; t < 1400; t += 100) d.feed(1, 0.1, t), d.feed(2, 0.3, t);
  EXPECT_EQ(d.active(), 1u);
  EXPECT_TRUE(d.speaking(1));
  EXPECT_TRUE(d.speaking(2));
  // ...then it switches.
  for (; t < 1700; t += 100) d.feed(1, 0.1, t), d.feed(2, 0.3, t);
  EXPECT_EQ(d.active(), 2u);
  // Everyone silent for long: the last speaker stays active, nobody has a ring.
  for (; t < 6000; t += 100) d.feed(1, 0, t), d.feed(2, 0, t);
  EXPECT_FALSE(d.speaking(1));
  EXPECT_FALSE(d.speaking(2));
  EXPECT_EQ(d.active(), 2u);
  // The active one silent, another speaks: it takes over at once.
  d.feed(1, 0.2, t);
  EXPECT_EQ(d.active(), 1u);
}

TEST(Speaking, APeerWhoLeavesIsForgotten) {
  Detector d;
  d.feed(3, 0.2, 0);
  EXPECT_EQ(d.active(), 3u);
  d.forget(3);
  EXPECT_FALSE(d.speaking(3));
  EXPECT_EQ(d.active(), std::nullopt);
  d.feed(4, 0.2, 100);
  d.clear();
  EXPECT_EQ(d.active(), std::nullopt);
  EXPECT_EQ(d.envelope(4), 0);
}

TEST(Speaking, RetainKeepsOnlyThoseStillHeard) {
  Detector d;
  d.feed(1, 0.2, 0);
  d.feed(2, 0, 0);
  d.retain(std::set<PeerId>{2});
  EXPECT_FALSE(d.speaking(1));
  EXPECT_EQ(d.active(), std::nullopt);
  EXPECT_EQ(d.envelope(1), 0);
}

TEST(Speaking, TimeGoingBackwardsDoesNotRaiseTheEnvelope) {
  Detector d;
  d.feed(1, 0.5, 1000);
  d.feed(1, 0, 500);  // a late reading: no decay, no growth
  EXPECT_DOUBLE_EQ(d.envelope(1), 0.5);
}

}  // namespace
}  // namespace moim::speaking
