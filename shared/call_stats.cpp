#include "call_stats.hpp"

#include <algorithm>

namespace moim::call_stats {

namespace {

// later - earlier of one counter, or nullopt when either poll lacks it.
std::optional<double> delta(const std::optional<double>& earlier, const std::optional<double>& later) {
  if (!earlier || !later) return std::nullopt;
  return *later - *earlier;
}

// A counter that only grows went backwards: the counters restarted.
bool went_back(const std::optional<double>& earlier, const std::optional<double>& later) {
  return earlier && later && *later < *earlier;
}

std::optional<double> rtt_ms(const Counters& c) {
  if (c.pair_rtt_s && *c.pair_rtt_s >= 0) return *c.pair_rtt_s * 1000;
  if (c.remote_rtt_s && *c.remote_rtt_s >= 0) return *c.remote_rtt_s * 1000;
  return std::nullopt;
}

void set(Values& v, Metric m, std::optional<double> x) { v[static_cast<std::size_t>(m)] = x; }

}  // namespace

std::string_view key(Metric metric) {
  switch (metric) {
    case Metric::KbpsIn: return "kbpsIn";
    case Metric::KbpsOut: return "kbpsOut";
    case Metric::RttMs: return "rttMs";
    case Metric::LossPct: return "lossPct";
    case Metric::Fps: return "fps";
  }
  return "";
}

std::string_view to_string(Quality quality) {
  switch (quality) {
    case Quality::Good: return "good";
    case Quality::Fair: return "fair";
    case Quality::Poor: return "poor";
  }
  return "";
}

void History::push(const Point& point) {
  if (size_ < kHistory) {
    points_[(head_ + size_) % kHistory] = point;
    ++size_;
  } else {
    points_[head_] = point;  // the oldest goes
    head_ = (head_ + 1) % kHistory;
  }
}

std::optional<Quality> judge(const History& history) {
  double loss = 0, rtt = 0;
  int losses = 0, rtts = 0;
  const std::size_t from = history.size() > kJudgedPoints ? history.size() - kJudgedPoints : 0;
  for (std::size_t i = from; i < history.size(); ++i) {
    if (const auto l = history[i].value(Metric::LossPct)) loss += *l, ++losses;
    if (const auto r = history[i].value(Metric::RttMs)) rtt += *r, ++rtts;
  }
  if (losses == 0 && rtts == 0) return std::nullopt;
  const std::optional<double> mean_loss = losses ? std::optional(loss / losses) : std::nullopt;
  const std::optional<double> mean_rtt = rtts ? std::optional(rtt / rtts) : std::nullopt;
  if ((mean_loss && *mean_loss >= kPoorLossPct) || (mean_rtt && *mean_rtt >= kPoorRttMs)) return Quality::Poor;
  if ((!mean_loss || *mean_loss < kGoodLossPct) && (!mean_rtt || *mean_rtt < kGoodRttMs)) return Quality::Good;
  return Quality::Fair;
}

std::string codec_name(std::string_view mime_type) {
  const auto slash = mime_type.rfind('/');
  return std::string(slash == std::string_view::npos ? mime_type : mime_type.substr(slash + 1));
}

Meter::Fed Meter::feed(const Counters& c) {
  if (!c.at_ms) return Fed::Ignored;
  if (!last_ || !last_->at_ms) {
    last_ = c;
    return Fed::Baseline;
  }
  const Counters& p = *last_;
  const double dt_ms = *c.at_ms - *p.at_ms;
  if (dt_ms <= 0) return Fed::Ignored;  // a repeat (or a clock step back): keep the baseline
  if (dt_ms > kMaxIntervalMs || went_back(p.bytes_received, c.bytes_received) || went_back(p.bytes_sent, c.bytes_sent) ||
      went_back(p.packets_received, c.packets_received) || went_back(p.frames_decoded, c.frames_decoded)) {
    last_ = c;
    return Fed::Baseline;
  }
  const double dt_s = dt_ms / 1000;
  const auto per_second = [&](std::optional<double> d, double scale) -> std::optional<double> {
    if (!d) return std::nullopt;
    return *d * scale / dt_s;
  };
  Point point;
  point.at_ms = *c.at_ms;
  set(point.values, Metric::KbpsIn, per_second(delta(p.bytes_received, c.bytes_received), 8.0 / 1000));
  set(point.values, Metric::KbpsOut, per_second(delta(p.bytes_sent, c.bytes_sent), 8.0 / 1000));
  set(point.values, Metric::Fps, per_second(delta(p.frames_decoded, c.frames_decoded), 1));
  set(point.values, Metric::RttMs, rtt_ms(c));
  // Of the packets expected this second (received + lost), the share lost. Lost going down (late
  // duplicates subtracted) counts as none lost; no packets expected: unknown, not 0 %.
  const auto received = delta(p.packets_received, c.packets_received);
  const auto lost = delta(p.packets_lost, c.packets_lost);
  if (received && lost) {
    const double l = std::max(0.0, *lost), expected = *received + l;
    set(point.values, Metric::LossPct, expected > 0 ? std::optional(100 * l / expected) : std::nullopt);
  }
  history_.push(point);
  figures_ = Figures{point.values, c.width, c.height, codec_name(c.codec)};
  last_ = c;
  return Fed::Point;
}

}  // namespace moim::call_stats
