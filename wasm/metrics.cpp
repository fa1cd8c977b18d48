#include "metrics.hpp"

#include <nlohmann/json.hpp>

namespace moim {

void Metrics::mark(double JoinTiming::*phase, double now) {
  if (joins_.empty()) return;
  auto& j = joins_.back();
  if (j.*phase < 0) j.*phase = now;
}

void Metrics::mark_latest(double JoinTiming::*phase, double now) {
  if (!joins_.empty()) joins_.back().*phase = now;
}

void Metrics::frame_cost(double ms, double upload_ms, double convert_ms, int tiles) {
  frame_ms_[frames_ % kFrames] = static_cast<float>(ms);
  upload_ms_[frames_ % kFrames] = static_cast<float>(upload_ms);
  convert_ms_[frames_ % kFrames] = static_cast<float>(convert_ms);
  frame_tiles_[frames_ % kFrames] = static_cast<std::uint8_t>(tiles < 0 ? 0 : (tiles > 255 ? 255 : tiles));
  ++frames_;
}

std::string Metrics::json() const {
  using nlohmann::json;
  auto t = [](double v) { return v < 0 ? json(nullptr) : json(v); };
  json joins = json::array();
  for (const auto& j : joins_) {
    joins.push_back({{"room", j.room},
                     {"click", t(j.click)},
                     {"mediaReady", t(j.media_ready)},
                     {"socketJoined", t(j.socket_joined)},
                     {"offerSent", t(j.offer_sent)},
                     {"answerReceived", t(j.answer_received)},
                     {"iceConnected", t(j.ice_connected)},
                     {"firstFrame", t(j.first_frame)},
                     {"lastFrame", t(j.last_frame)}});
  }
  // Recent frames, oldest first: [cost ms, tiles drawn, of which texture uploads ms].
  json frames = json::array();
  const std::size_t n = frames_ < kFrames ? frames_ : kFrames;
  for (std::size_t i = frames_ - n; i < frames_; ++i)
    frames.push_back({frame_ms_[i % kFrames], frame_tiles_[i % kFrames], upload_ms_[i % kFrames], convert_ms_[i % kFrames]});
  return json{{"firstFrame", t(first_frame_)},
              {"roomListShown", t(room_list_shown_)},
              {"joins", std::move(joins)},
              {"framesRecorded", frames_},
              {"frames", std::move(frames)}}
      .dump();
}

}  // namespace moim
