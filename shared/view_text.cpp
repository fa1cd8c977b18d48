#include "view_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace moim::view_text {

std::string link_status(server_link::Phase phase, double retry_at_ms, double now_ms) {
  switch (phase) {
    case server_link::Phase::Connected: return "Connected";
    case server_link::Phase::Connecting: return "Connecting\xE2\x80\xA6";
    case server_link::Phase::Reconnecting: return "Reconnecting\xE2\x80\xA6";
    case server_link::Phase::Waiting:
      return "Reconnecting\xE2\x80\xA6 (next try in " +
             std::to_string(std::max(1, static_cast<int>((retry_at_ms - now_ms) / 1000 + 0.99))) + " s)";
  }
  return {};
}

std::string preview_status(bool secure, join_flow::Devices devices, bool has_audio, bool has_video, bool camera_on) {
  if (!secure)
    return "Camera and microphone need a secure page: open this app over https (or on localhost). You can still "
           "join, to see and hear the others.";
  if (devices == join_flow::Devices::Requesting) return "Starting camera\xE2\x80\xA6";
  if (devices == join_flow::Devices::Idle) return "Camera off until you join";
  if (!has_video && !has_audio) return "Camera and microphone unavailable: you will join without them";
  if (!has_video) return "No camera: you will join with audio only";
  if (!camera_on) return "Camera off: you will join without video";
  return {};
}

std::string call_status(bool call_reconnecting) {
  return call_reconnecting ? "Reconnecting\xE2\x80\xA6 (the call goes on)" : std::string();
}

std::string name_fault(proto::NameFault fault, std::size_t max_chars, std::string_view subject,
                                std::string_view if_empty) {
  switch (fault) {
    case proto::NameFault::Empty: return std::string(if_empty);
    case proto::NameFault::TooLong: return std::string(subject) + " can have at most " + std::to_string(max_chars) + " characters.";
    case proto::NameFault::None:  // not refused: not called
    case proto::NameFault::Invalid: break;
  }
  return std::string(subject) + " cannot contain control characters.";
}

std::string clock_text(int hour, int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", hour, minute);
  return buf;
}

std::string stats_figure(call_stats::Metric metric, std::optional<double> value) {
  if (!value || !std::isfinite(*value)) return "\xE2\x80\x93";
  char buf[32];
  switch (metric) {
    case call_stats::Metric::KbpsIn:
    case call_stats::Metric::KbpsOut: {
      const long long k = std::llround(std::max(0.0, std::min(*value, 1e12)));
      if (k >= 1000) std::snprintf(buf, sizeof buf, "%lld,%03lld kbps", k / 1000, k % 1000);
      else std::snprintf(buf, sizeof buf, "%lld kbps", k);
      break;
    }
    case call_stats::Metric::RttMs: std::snprintf(buf, sizeof buf, "%.0f ms", std::max(0.0, std::min(*value, 1e9))); break;
    case call_stats::Metric::LossPct: std::snprintf(buf, sizeof buf, "%.1f %%", std::clamp(*value, 0.0, 100.0)); break;
    case call_stats::Metric::Fps: std::snprintf(buf, sizeof buf, "%.0f fps", std::max(0.0, std::min(*value, 1e6))); break;
  }
  return buf;
}

std::string stats_details(int width, int height, std::string_view codec, std::string_view route) {
  std::string s;
  const auto add = [&](std::string_view part) {
    if (part.empty()) return;
    if (!s.empty()) s += " \xC2\xB7 ";
    s += part;
  };
  if (width > 0 && height > 0) add(std::to_string(width) + "\xC3\x97" + std::to_string(height));
  add(codec);
  add(route);
  return s;
}

}  // namespace moim::view_text
