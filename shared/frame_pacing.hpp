// When the client draws a frame. Anything but video (input, a server or browser event, a video's
// first frame, the once-a-second refresh) is drawn at the next animation frame; new frames of
// videos already shown are drawn only as often as the page can afford.
//
// Why: a drawn frame holds the page. With software compositing (no GPU, Chromium's --disable-gpu)
// the main thread waits while the GPU process reads the whole canvas back, and with software GL
// the GPU process has to draw every pixel first; four videos at 24 fps asked for up to 60 frames a
// second, and on two cores the page then spent nearly all its time waiting, so signaling (the
// socket, the offer, the answer) crawled and joining a call took seconds. The pacer measures how
// long each drawn frame held the page (the animation-frame gap beyond one vsync) and spaces video
// frames so that drawing holds the page at most `busy_share` of the time; while connections are
// being set up (someone joins), at most `settling_busy_share` and 8 frames a second (at least one), so the offer,
// the answer, the candidates and the new connections' encoders find the page and the CPU free.
//
// Events in (the animation frames, with what changed), a decision out; no clock inside.
#pragma once

namespace moim::frame_pacing {

struct Config {
  double vsync_ms = 1000.0 / 60;            // the gap of an animation frame that held nothing
  double min_video_interval_ms = 1000.0 / 30;  // never more often than this for video alone
  double max_video_interval_ms = 500;       // video keeps moving, however slow the page
  double busy_share = 0.5;                  // of the page's time, at most this spent on video frames
  double settling_busy_share = 0.1;         // the same while connections are being set up
  // And never more often than this then: with GPU compositing a frame does not hold the page, but
  // software GL still spends a core drawing it, which the connections being set up need.
  double settling_min_video_interval_ms = 125;
  double settling_max_video_interval_ms = 1000;  // and video moves at least once a second
  double max_settling_ms = 10000;           // a connection that never settles stops counting after this
  double smoothing = 0.3;                   // weight of the newest measurement
  double max_held_ms = 1000;                // a longer gap is the tab hidden, not the frame's cost
};

class Pacer {
 public:
  explicit Pacer(Config config = {}) : config_(config) {}
  // At every animation frame (`now_ms`: its time): `ui` = something other than video frames
  // changed, `video` = new video frames wait, `settling` = connections are being set up. Returns
  // whether to draw now.
  bool frame(double now_ms, bool ui, bool video, bool settling = false);
  // How long a drawn frame holds the page (smoothed), and the spacing of video frames that follows.
  double frame_cost_ms() const { return cost_ms_; }
  double video_interval_ms() const;
  // When waiting video frames are next drawn (the clock of frame()'s `now_ms`).
  double next_video_at() const;

 private:
  Config config_;
  double last_frame_ms_ = -1;   // the previous animation frame
  bool drew_last_ = false;      // whether it drew
  double cost_ms_ = 0;
  double last_draw_ms_ = -1;    // the last frame drawn (any drawn frame takes the waiting video too)
  double settling_since_ms_ = -1;  // when connections began to be set up; -1: they are not
  bool settling_ = false;       // and it counts (not for longer than max_settling_ms)
};

}  // namespace moim::frame_pacing
