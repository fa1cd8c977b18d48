// Connection quality from getStats counters (shared/call_stats.hpp): polls in, per-second figures,
// the minute of history and the tile's verdict out. Each table is a script of polls.
#include "call_stats.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace moim::call_stats {
namespace {

using Fed = Meter::Fed;
constexpr auto kNone = std::nullopt;

// A poll with every field: at `at` ms, the cumulative counters given.
Counters poll(double at, double bytes_in, double bytes_out, double packets_in, double lost, double frames,
              std::optional<double> rtt_s = 0.02) {
  Counters c;
  c.at_ms = at;
  c.bytes_received = bytes_in;
  c.bytes_sent = bytes_out;
  c.packets_received = packets_in;
  c.packets_lost = lost;
  c.frames_decoded = frames;
  c.pair_rtt_s = rtt_s;
  c.width = 640;
  c.height = 480;
  c.codec = "video/VP8";
  return c;
}

// One step: a poll, what the meter did with it, and the figures after it (nullopt: none yet).
struct Expected {
  std::optional<double> kbps_in, kbps_out, rtt_ms, loss_pct, fps;
};
struct Step {
  Counters poll;
  Fed fed;
  std::optional<Expected> figures;
};

void expect_value(std::optional<double> got, std::optional<double> want, const char* what, std::size_t step) {
  ASSERT_EQ(got.has_value(), want.has_value()) << what << " at step " << step;
  if (want) {
    EXPECT_NEAR(*got, *want, 1e-6) << what << " at step " << step;
  }
}

void run(Meter& m, const std::vector<Step>& script) {
  for (std::size_t i = 0; i < script.size(); ++i) {
    const Step& s = script[i];
    EXPECT_EQ(m.feed(s.poll), s.fed) << "step " << i;
    ASSERT_EQ(m.figures().has_value(), s.figures.has_value()) << "figures at step " << i;
    if (!s.figures) continue;
    const Figures& f = *m.figures();
    expect_value(f.value(Metric::KbpsIn), s.figures->kbps_in, "kbpsIn", i);
    expect_value(f.value(Metric::KbpsOut), s.figures->kbps_out, "kbpsOut", i);
    expect_value(f.value(Metric::RttMs), s.figures->rtt_ms, "rttMs", i);
    expect_value(f.value(Metric::LossPct), s.figures->loss_pct, "lossPct", i);
    expect_value(f.value(Metric::Fps), s.figures->fps, "fps", i);
  }
}

TEST(CallStats, TheFirstPollIsOnlyABaselineTheSecondGivesPerSecondFigures) {
  Meter m;
  run(m, {
             {poll(1000, 0, 0, 0, 0, 0), Fed::Baseline, kNone},
             // 125,000 bytes in a second = 1,000 kbps; 62,500 out = 500 kbps; 98 of 100 packets: 2 % lost.
             {poll(2000, 125000, 62500, 98, 2, 30), Fed::Point, Expected{1000, 500, 20, 2, 30}},
             // Half a second: rates scale with the real interval, not the nominal second.
             {poll(2500, 187500, 93750, 148, 2, 45), Fed::Point, Expected{1000, 500, 20, 0, 30}},
         });
  const Figures& f = *m.figures();
  EXPECT_EQ(f.width, 640);
  EXPECT_EQ(f.height, 480);
  EXPECT_EQ(f.codec, "VP8");
  EXPECT_EQ(m.history().size(), 2u);
  EXPECT_EQ(m.history().back().at_ms, 2500);
}

TEST(CallStats, CountersGoingBackwardsStartAgainFromABaseline) {
  Meter m;
  run(m, {
             {poll(1000, 100000, 50000, 100, 0, 30), Fed::Baseline, kNone},
             {poll(2000, 225000, 112500, 200, 0, 60), Fed::Point, Expected{1000, 500, 20, 0, 30}},
             // A new connection: every counter from zero again. Not a negative rate: a baseline, the
             // last figures stay, nothing is plotted.
             {poll(3000, 1000, 500, 10, 0, 1), Fed::Baseline, Expected{1000, 500, 20, 0, 30}},
             {poll(4000, 63500, 31750, 60, 0, 16), Fed::Point, Expected{500, 250, 20, 0, 15}},
         });
  EXPECT_EQ(m.history().size(), 2u);
}

TEST(CallStats, AnyCounterThatOnlyGrowsGoingBackwardsIsAReset) {
  const Counters base = poll(1000, 100000, 50000, 100, 0, 30);
  for (int which = 0; which < 4; ++which) {
    Meter m;
    m.feed(base);
    Counters next = poll(2000, 200000, 100000, 200, 0, 60);
    if (which == 0) next.bytes_received = 10;
    if (which == 1) next.bytes_sent = 10;
    if (which == 2) next.packets_received = 10;
    if (which == 3) next.frames_decoded = 10;
    EXPECT_EQ(m.feed(next), Fed::Baseline) << "counter " << which;
    EXPECT_FALSE(m.figures()) << "counter " << which;
  }
}

TEST(CallStats, PacketsLostGoingDownIsNoResetAndNoNegativeLoss) {
  Meter m;
  run(m, {
             {poll(1000, 0, 0, 100, 5, 0), Fed::Baseline, kNone},
             // Late duplicates take 2 off packetsLost: none lost this second, not -2 %.
             {poll(2000, 125000, 0, 200, 3, 30), Fed::Point, Expected{1000, 0, 20, 0, 30}},
             {poll(3000, 250000, 0, 290, 13, 60), Fed::Point, Expected{1000, 0, 20, 10, 30}},
         });
}

TEST(CallStats, NoPacketsExpectedIsUnknownLossNotZero) {
  Meter m;
  run(m, {
             {poll(1000, 0, 0, 0, 0, 0), Fed::Baseline, kNone},
             {poll(2000, 0, 1000, 0, 0, 0), Fed::Point, Expected{0, 8, 20, kNone, 0}},
         });
}

TEST(CallStats, RepeatsAreIgnoredAndLongGapsStartFromABaseline) {
  Meter m;
  run(m, {
             {poll(1000, 0, 0, 0, 0, 0), Fed::Baseline, kNone},
             {poll(2000, 125000, 0, 100, 0, 30), Fed::Point, Expected{1000, 0, 20, 0, 30}},
             // The same report again, and one stamped earlier: ignored, the baseline stays.
             {poll(2000, 125000, 0, 100, 0, 30), Fed::Ignored, Expected{1000, 0, 20, 0, 30}},
             {poll(1500, 0, 0, 0, 0, 0), Fed::Ignored, Expected{1000, 0, 20, 0, 30}},
             {poll(3000, 250000, 0, 200, 0, 60), Fed::Point, Expected{1000, 0, 20, 0, 30}},
             // Exactly the longest interval still gives a rate...
             {poll(3000 + kMaxIntervalMs, 875000, 0, 700, 0, 60), Fed::Point, Expected{1000, 0, 20, 0, 0}},
             // ...longer (a throttled tab) does not: the average of a minute is not "now".
             {poll(70000, 9000000, 0, 9000, 0, 900), Fed::Baseline, Expected{1000, 0, 20, 0, 0}},
             {poll(71000, 9250000, 0, 9200, 0, 930), Fed::Point, Expected{2000, 0, 20, 0, 30}},
         });
  // The plot has the gap: no point between 8,000 and 71,000 ms.
  EXPECT_EQ(m.history().size(), 4u);
  EXPECT_EQ(m.history()[2].at_ms, 3000 + kMaxIntervalMs);
  EXPECT_EQ(m.history()[3].at_ms, 71000);
}

TEST(CallStats, MissingFieldsLeaveOnlyTheirFiguresUnknown) {
  Counters no_time = poll(0, 0, 0, 0, 0, 0);
  no_time.at_ms.reset();
  Counters first = poll(1000, 0, 0, 0, 0, 0);
  first.frames_decoded.reset();  // no camera video yet
  Counters second = poll(2000, 125000, 62500, 100, 0, 30, kNone);
  second.bytes_sent.reset();
  second.remote_rtt_s = 0.1;  // no pair RTT: the remote-inbound-rtp one
  Counters third = poll(3000, 250000, 125000, 200, 0, 60, kNone);
  Counters fourth = poll(4000, 375000, 187500, 300, 0, 90, 0.03);
  fourth.remote_rtt_s = 0.5;  // the pair's is preferred
  Meter m;
  run(m, {
             {no_time, Fed::Ignored, kNone},
             {first, Fed::Baseline, kNone},
             {second, Fed::Point, Expected{1000, kNone, 100, 0, kNone}},
             {third, Fed::Point, Expected{1000, kNone, kNone, 0, 30}},
             {fourth, Fed::Point, Expected{1000, 500, 30, 0, 30}},
         });
  // A baseline without a timestamp is none: the next poll is the baseline.
  Meter n;
  EXPECT_EQ(n.feed(no_time), Fed::Ignored);
  EXPECT_EQ(n.feed(first), Fed::Baseline);
}

TEST(CallStats, TheHistoryKeepsTheLastMinuteOnly) {
  Meter m;
  for (int i = 0; i <= 100; ++i) m.feed(poll(1000.0 * i, 125000.0 * i, 0, 100.0 * i, 0, 30.0 * i));
  ASSERT_EQ(m.history().size(), kHistory);
  EXPECT_EQ(m.history()[0].at_ms, 1000.0 * (101 - kHistory));
  EXPECT_EQ(m.history().back().at_ms, 100000);
  for (std::size_t i = 1; i < kHistory; ++i) EXPECT_LT(m.history()[i - 1].at_ms, m.history()[i].at_ms) << i;
}

TEST(CallStats, CodecNames) {
  EXPECT_EQ(codec_name("video/VP8"), "VP8");
  EXPECT_EQ(codec_name("video/H264"), "H264");
  EXPECT_EQ(codec_name("VP9"), "VP9");
  EXPECT_EQ(codec_name(""), "");
}

// The verdict over the last kJudgedPoints seconds: (loss %, RTT ms) per second -> verdict.
struct Judged {
  std::vector<std::pair<std::optional<double>, std::optional<double>>> seconds;
  std::optional<Quality> verdict;
};

TEST(CallStats, QualityVerdicts) {
  const std::vector<Judged> table = {
      {{}, kNone},
      {{{kNone, kNone}}, kNone},
      {{{0, 20}}, Quality::Good},
      {{{1.9, 249}}, Quality::Good},
      {{{2, 20}}, Quality::Fair},
      {{{0, 250}}, Quality::Fair},
      {{{7.9, 599}}, Quality::Fair},
      {{{8, 20}}, Quality::Poor},
      {{{0, 600}}, Quality::Poor},
      {{{kNone, 30}}, Quality::Good},   // loss unknown: judged by the RTT
      {{{12, kNone}}, Quality::Poor},   // RTT unknown: judged by the loss
      // One bad second among good ones is averaged: 30 % / 5 = 6 %: fair, not poor.
      {{{0, 20}, {0, 20}, {30, 20}, {0, 20}, {0, 20}}, Quality::Fair},
      // Only the last kJudgedPoints count: a bad start a minute ago is forgotten.
      {{{50, 900}, {0, 20}, {0, 20}, {0, 20}, {0, 20}, {0, 20}}, Quality::Good},
  };
  for (std::size_t i = 0; i < table.size(); ++i) {
    History h;
    double at = 0;
    for (const auto& [loss, rtt] : table[i].seconds) {
      Point p;
      p.at_ms = at += 1000;
      p.values[static_cast<std::size_t>(Metric::LossPct)] = loss;
      p.values[static_cast<std::size_t>(Metric::RttMs)] = rtt;
      h.push(p);
    }
    EXPECT_EQ(judge(h), table[i].verdict) << "row " << i;
  }
  EXPECT_EQ(to_string(Quality::Good), "good");
  EXPECT_EQ(to_string(Quality::Fair), "fair");
  EXPECT_EQ(to_string(Quality::Poor), "poor");
}

}  // namespace
}  // namespace moim::call_stats
