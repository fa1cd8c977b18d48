#include "frame_pacing.hpp"

#include <algorithm>

namespace moim::frame_pacing {

double Pacer::video_interval_ms() const {
  // A frame that holds the page for c ms, one every i ms: the page is held c / i of the time.
  const double affordable = cost_ms_ / (settling_ ? config_.settling_busy_share : config_.busy_share);
  const double least = settling_ ? config_.settling_min_video_interval_ms : config_.min_video_interval_ms;
  const double most = settling_ ? config_.settling_max_video_interval_ms : config_.max_video_interval_ms;
  return std::clamp(affordable, least, most);
}

double Pacer::next_video_at() const {
  return last_draw_ms_ < 0 ? 0 : last_draw_ms_ + video_interval_ms() - config_.vsync_ms / 2;
}

bool Pacer::frame(double now_ms, bool ui, bool video, bool settling) {
  if (!settling) settling_since_ms_ = -1;
  else if (settling_since_ms_ < 0) settling_since_ms_ = now_ms;
  settling_ = settling && now_ms - settling_since_ms_ < config_.max_settling_ms;
  if (drew_last_ && last_frame_ms_ >= 0 && now_ms >= last_frame_ms_) {
    const double held = std::clamp(now_ms - last_frame_ms_ - config_.vsync_ms, 0.0, config_.max_held_ms);
    cost_ms_ += config_.smoothing * (held - cost_ms_);
  }
  last_frame_ms_ = now_ms;
  // Half a vsync early is on time: animation frames come one vsync apart, give or take.
  const bool due = now_ms >= next_video_at();
  const bool draw = ui || (video && due);
  if (draw) last_draw_ms_ = now_ms;
  drew_last_ = draw;
  return draw;
}

}  // namespace moim::frame_pacing
