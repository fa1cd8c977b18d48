// Connection quality of one peer connection, derived from the browser's getStats counters.
//
//   meter.feed(counters)   // once per poll (the app polls every second)
//
// The browser reports cumulative counters (bytes, packets, frames since the connection began); this
// turns two consecutive polls into per-second figures (bitrate in and out, packet loss, frames per
// second; the round-trip time is reported as it is), keeps the last kHistory of them for the plots
// (a ring buffer: bounded whatever the call's length), and judges the connection good, fair or poor
// for the tile's signal bars. Pure (no browser, no clock of its own), so every case is a table test.
//
// Rules:
//  - The first poll, and the first after a reset, only sets the baseline: a rate needs two polls.
//  - A counter that only grows (bytes, packets received, frames) going backwards means the counters
//    restarted (a new connection, a stream replaced): that poll is a new baseline, nothing is
//    plotted for it. packetsLost may go down (duplicates are subtracted), so it never resets.
//  - A poll no later than the previous one is ignored (a repeat); one more than kMaxIntervalMs
//    after it starts again from a baseline (a hidden tab's throttled timers: an average over a long
//    gap is not "now", and the plot shows the gap).
//  - A field missing from either poll leaves its figure unknown (nullopt) for that second; the
//    others are still derived. A poll without a timestamp is ignored.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace moim::call_stats {

// One sample a second: the last minute.
inline constexpr std::size_t kHistory = 60;
// Longest time between two polls that still gives a rate (see the rules above).
inline constexpr double kMaxIntervalMs = 5000;

// One poll of one connection's getStats, as the browser reported it. nullopt: the field was missing.
struct Counters {
  std::optional<double> at_ms;             // the report's timestamp (ms)
  std::optional<double> bytes_received;    // summed over every inbound-rtp stream (audio, camera, screen)
  std::optional<double> bytes_sent;        // summed over every outbound-rtp stream
  std::optional<double> packets_received;  // summed over inbound-rtp
  std::optional<double> packets_lost;      // summed over inbound-rtp (may go down)
  std::optional<double> frames_decoded;    // the camera's inbound video
  std::optional<double> pair_rtt_s;        // the selected candidate pair's currentRoundTripTime (s)
  std::optional<double> remote_rtt_s;      // remote-inbound-rtp roundTripTime (s), when the pair has none
  int width = 0, height = 0;               // the camera's frameWidth / frameHeight (0: unknown)
  std::string codec;                       // the camera's codec mimeType, e.g. "video/VP8" ("": unknown)
};

// What is plotted, in this order.
enum class Metric { KbpsIn, KbpsOut, RttMs, LossPct, Fps };
inline constexpr std::size_t kMetrics = 5;
inline constexpr std::array<Metric, kMetrics> kAllMetrics = {Metric::KbpsIn, Metric::KbpsOut, Metric::RttMs,
                                                             Metric::LossPct, Metric::Fps};
// state()'s key ("kbpsIn", "kbpsOut", "rttMs", "lossPct", "fps"), also in the plots' widget ids.
std::string_view key(Metric metric);

using Values = std::array<std::optional<double>, kMetrics>;

// One second's figures, plotted at `at_ms` (the later poll's timestamp).
struct Point {
  double at_ms = 0;
  Values values{};
  std::optional<double> value(Metric m) const { return values[static_cast<std::size_t>(m)]; }
};

// The latest figures, with what is not a rate: the picture's size and the codec ("VP8").
struct Figures {
  Values values{};
  int width = 0, height = 0;
  std::string codec;
  std::optional<double> value(Metric m) const { return values[static_cast<std::size_t>(m)]; }
};

// The last kHistory points, oldest first; the oldest is overwritten when full.
class History {
 public:
  void push(const Point& point);
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Point& operator[](std::size_t i) const { return points_[(head_ + i) % kHistory]; }  // 0 = oldest
  const Point& back() const { return (*this)[size_ - 1]; }

 private:
  std::array<Point, kHistory> points_{};
  std::size_t head_ = 0;  // the oldest
  std::size_t size_ = 0;
};

// The tile's verdict (its signal bars: three, two, one).
enum class Quality { Good, Fair, Poor };
std::string_view to_string(Quality quality);  // "good" | "fair" | "poor"

// Judged over the last kJudgedPoints points (a few seconds: one bad second is not a bad connection):
//  - good: loss under 2 % and round trip under 250 ms. WebRTC hides a percent or two of loss
//    (retransmission, concealment), and 250 ms round trip is about the 150 ms one-way delay that
//    ITU-T G.114 calls unnoticed in conversation.
//  - poor: loss of 8 % or more, or a round trip of 600 ms or more: video freezes and smears, audio
//    breaks up, people talk over each other.
//  - fair: in between.
// By the mean of each over those points that have it; nullopt when neither is known.
inline constexpr std::size_t kJudgedPoints = 5;
inline constexpr double kGoodLossPct = 2, kPoorLossPct = 8;
inline constexpr double kGoodRttMs = 250, kPoorRttMs = 600;
std::optional<Quality> judge(const History& history);

// "video/VP8" -> "VP8"; the text after the last '/', or all of it.
std::string codec_name(std::string_view mime_type);

class Meter {
 public:
  // What one poll did (for the tests and the console).
  enum class Fed { Baseline, Point, Ignored };
  Fed feed(const Counters& counters);

  // The latest second's figures; nullopt before the first two polls.
  const std::optional<Figures>& figures() const { return figures_; }
  const History& history() const { return history_; }
  std::optional<Quality> quality() const { return judge(history_); }

 private:
  std::optional<Counters> last_;  // the baseline
  std::optional<Figures> figures_;
  History history_;
};

}  // namespace moim::call_stats
