// Client timings for window.app.metrics() (bench/client): when the first frame and the room list
// appeared, the phases of each join, and the CPU cost of recent frames. Times are performance.now()
// milliseconds (since navigation start). Recording is a few stores per event; nothing is computed
// until metrics() is read.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace moim {

struct JoinTiming {
  std::uint32_t room = 0;
  double click = -1;            // join clicked
  double media_ready = -1;      // camera/microphone settled (granted or not)
  double socket_joined = -1;    // server's "joined" arrived
  double offer_sent = -1;       // first offer sent (the newcomer offers)
  double answer_received = -1;  // first answer applied for
  double ice_connected = -1;    // first peer connection "connected"
  double first_frame = -1;      // first remote video frame presented in a tile
  double last_frame = -1;       // the latest tile's first frame (with every peer shown: the last one)
};

class Metrics {
 public:
  void first_frame(double now) { if (first_frame_ < 0) first_frame_ = now; }
  void room_list_shown(double now) { if (room_list_shown_ < 0) room_list_shown_ = now; }
  void join_clicked(std::uint32_t room, double now) { joins_.push_back({room, now}); }
  // Marks a phase of the latest join once (the first occurrence counts).
  void mark(double JoinTiming::*phase, double now);
  // Marks a phase of the latest join again (the last occurrence counts).
  void mark_latest(double JoinTiming::*phase, double now);
  // total_ms includes upload_ms (texture uploads) and convert_ms (video frames converted to RGBA
  // since the last frame, outside the frame function but on the same thread).
  void frame_cost(double total_ms, double upload_ms, double convert_ms, int tiles);
  std::string json() const;

 private:
  double first_frame_ = -1, room_list_shown_ = -1;
  std::vector<JoinTiming> joins_;
  static constexpr std::size_t kFrames = 600;
  std::array<float, kFrames> frame_ms_{};
  std::array<float, kFrames> upload_ms_{};
  std::array<float, kFrames> convert_ms_{};
  std::array<std::uint8_t, kFrames> frame_tiles_{};
  std::size_t frames_ = 0;  // total recorded; ring index = frames_ % kFrames
};

}  // namespace moim
