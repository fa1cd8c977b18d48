// The frame pacer, animation frame by animation frame with the clock set by hand: what is drawn at
// once, how far apart video frames are drawn when frames are cheap and when they hold the page.
#include "frame_pacing.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace moim::frame_pacing {
namespace {

// One animation frame: at `at` ms, whether something other than video changed, whether video
// frames wait, and whether the pacer must draw.
struct Step {
  double at;
  bool ui, video, draw;
};

void run(Pacer& p, const std::vector<Step>& script) {
  for (std::size_t i = 0; i < script.size(); ++i) {
    const Step& s = script[i];
    EXPECT_EQ(p.frame(s.at, s.ui, s.video), s.draw)
        << "step " << i << " at " << s.at << " ms (ui " << s.ui << ", video " << s.video << "), cost "
        << p.frame_cost_ms() << " ms, video interval " << p.video_interval_ms() << " ms";
  }
}

constexpr double kV = 1000.0 / 60;  // one vsync

TEST(FramePacing, NothingChangedDrawsNothing) {
  Pacer p;
  run(p, {{0, false, false, false}, {kV, false, false, false}, {2 * kV, false, false, false}});
}

TEST(FramePacing, AnythingButVideoIsDrawnAtOnceEvenWhenFramesAreExpensive) {
  Pacer p;
  // Each drawn frame holds the page 200 ms: input is still drawn at every animation frame.
  run(p, {{0, true, true, true}, {200 + kV, true, false, true}, {400 + 2 * kV, true, true, true}, {600 + 3 * kV, true, false, true}});
  EXPECT_NEAR(p.frame_cost_ms(), 200 * (1 - 0.7 * 0.7 * 0.7), 0.01);  // smoothed from 0
}

TEST(FramePacing, CheapFramesShowVideoAtUpToThirtyFramesASecond) {
  Pacer p;
  std::vector<Step> script;
  // Video waiting at every animation frame (four cameras out of step): every second one is drawn.
  for (int i = 0; i < 12; ++i) script.push_back({i * kV, false, true, i % 2 == 0});
  run(p, script);
  EXPECT_NEAR(p.frame_cost_ms(), 0, 1e-9);
  EXPECT_NEAR(p.video_interval_ms(), 1000.0 / 30, 1e-9);
}

TEST(FramePacing, FramesThatHoldThePageSpaceVideoSoThePageIsHeldAtMostHalfTheTime) {
  Config c;
  c.smoothing = 1;  // take each measurement as it is, to follow the numbers
  Pacer p(c);
  run(p, {
             {0, false, true, true},          // drawn; the next animation frame comes 100 ms late
             {100 + kV, false, true, false},  // held 100 ms: the next video frame 200 ms after the last
             {150, false, true, false},
             {190, false, true, false},
             {195, false, true, true},        // 200 ms, give or take half a vsync
             {195 + kV, false, true, false},  // this one held nothing: cost 0, interval back to 33 ms
             {195 + 2 * kV, false, true, true},
         });
  EXPECT_NEAR(p.frame_cost_ms(), 0, 1e-9);
}

TEST(FramePacing, VideoMovesAtLeastTwiceASecondHoweverSlowThePage) {
  Config c;
  c.smoothing = 1;
  Pacer p(c);
  run(p, {{0, false, true, true}, {900 + kV, false, true, true}});  // held 900 ms, yet drawn: 500 ms is the most
  EXPECT_EQ(p.frame_cost_ms(), 900);
  EXPECT_EQ(p.video_interval_ms(), 500);
  EXPECT_NEAR(p.next_video_at(), 900 + kV + 500 - kV / 2, 1e-9);  // when the frame loop wakes for video
}

TEST(FramePacing, WhileConnectionsAreSetUpSlowVideoMovesOnceASecond) {
  Config c;
  c.smoothing = 1;
  Pacer p(c);
  EXPECT_TRUE(p.frame(0, false, true, true));
  EXPECT_FALSE(p.frame(300 + kV, false, true, true));  // held 300 ms: 3 s apart by the share, 1 s at most
  EXPECT_EQ(p.video_interval_ms(), 1000);
  EXPECT_FALSE(p.frame(990, false, true, true));
  EXPECT_TRUE(p.frame(995, false, true, true));
  EXPECT_FALSE(p.frame(995 + 300 + kV, false, true, false));  // settled: 600 ms by the share, 500 at most
  EXPECT_EQ(p.video_interval_ms(), 500);
}

TEST(FramePacing, AHiddenTabIsNotTakenForAnExpensiveFrame) {
  Config c;
  c.smoothing = 1;
  Pacer p(c);
  // Animation frames stop for ten minutes (the tab was hidden): counted as 1 s at most.
  run(p, {{0, true, false, true}, {600000, false, true, true}});
  EXPECT_EQ(p.frame_cost_ms(), 1000);
  // A cheap frame from then on brings video back to its full rate.
  run(p, {{600000 + kV, false, true, false}, {600000 + 2 * kV, false, true, true}});
  EXPECT_NEAR(p.frame_cost_ms(), 0, 1e-9);
}

TEST(FramePacing, WhileConnectionsAreSetUpVideoLeavesThePageNineTenthsFree) {
  Config c;
  c.smoothing = 1;
  Pacer p(c);
  // Frames hold the page 40 ms: 80 ms apart normally, 400 ms apart while someone joins.
  EXPECT_TRUE(p.frame(0, false, true, false));
  EXPECT_FALSE(p.frame(40 + kV, false, true, false));
  EXPECT_NEAR(p.video_interval_ms(), 80, 1e-9);
  EXPECT_TRUE(p.frame(80, false, true, false));
  EXPECT_FALSE(p.frame(120 + kV, false, true, true));  // someone joins
  EXPECT_NEAR(p.video_interval_ms(), 400, 1e-9);
  EXPECT_FALSE(p.frame(470, false, true, true));
  EXPECT_TRUE(p.frame(475, false, true, true));  // 395 ms after the last: within half a vsync
  EXPECT_TRUE(p.frame(515 + kV, true, false, true));  // input is never held back
  // Settled: back to 80 ms.
  EXPECT_FALSE(p.frame(555 + 2 * kV, false, true, false));
  EXPECT_NEAR(p.video_interval_ms(), 80, 1e-9);
}

TEST(FramePacing, WhileConnectionsAreSetUpEvenCheapVideoFramesComeEightASecond) {
  Pacer p;
  // Every animation frame for a second has video waiting; frames cost nothing (GPU compositing).
  std::vector<double> drawn;
  for (int i = 0; i < 60; ++i) {
    if (p.frame(i * kV, false, true, true)) drawn.push_back(i * kV);
  }
  EXPECT_NEAR(p.video_interval_ms(), 125, 1e-9);
  EXPECT_GE(drawn.size(), 8u);
  EXPECT_LE(drawn.size(), 9u);
  for (std::size_t i = 1; i < drawn.size(); ++i) {  // 125 ms apart, give or take half a vsync
    EXPECT_GE(drawn[i] - drawn[i - 1], 125 - kV / 2 - 1e-9);
    EXPECT_LE(drawn[i] - drawn[i - 1], 125 + kV);
  }
  // Settled: every second animation frame again (30 a second).
  Pacer q;
  EXPECT_TRUE(q.frame(0, false, true, false));
  EXPECT_FALSE(q.frame(kV, false, true, false));
  EXPECT_TRUE(q.frame(2 * kV, false, true, false));
}

TEST(FramePacing, AConnectionThatNeverSettlesStopsHoldingVideoBackAfterTenSeconds) {
  Config c;
  c.smoothing = 1;
  Pacer p(c);
  EXPECT_TRUE(p.frame(0, false, true, true));
  EXPECT_FALSE(p.frame(40 + kV, false, true, true));  // held 40 ms: 400 ms apart while settling
  EXPECT_NEAR(p.video_interval_ms(), 400, 1e-9);
  EXPECT_TRUE(p.frame(10000, false, true, true));     // 10 s of settling: no longer counts
  EXPECT_FALSE(p.frame(10000 + 40 + kV, false, true, true));
  EXPECT_NEAR(p.video_interval_ms(), 80, 1e-9);
  EXPECT_TRUE(p.frame(10080, false, true, true));
}

}  // namespace
}  // namespace moim::frame_pacing
