#include "view_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace moim::view_text {

using ui_text::Id;

std::string link_status(ui_text::Lang lang, server_link::Phase phase, double retry_at_ms, double now_ms) {
  switch (phase) {
    case server_link::Phase::Connected: return std::string(text(lang, Id::StatusConnected));
    case server_link::Phase::Connecting: return std::string(text(lang, Id::StatusConnecting));
    case server_link::Phase::Reconnecting: return std::string(text(lang, Id::StatusReconnecting));
    case server_link::Phase::Waiting:
      return format(lang, Id::StatusRetryIn,
                    {std::to_string(std::max(1, static_cast<int>((retry_at_ms - now_ms) / 1000 + 0.99)))});
  }
  return {};
}

std::string preview_status(ui_text::Lang lang, bool secure, join_flow::Devices devices, bool has_audio, bool has_video,
                           bool camera_on) {
  const auto say = [&](Id id) { return std::string(text(lang, id)); };
  if (!secure) return say(Id::PreviewInsecure);
  if (devices == join_flow::Devices::Requesting) return say(Id::PreviewStarting);
  if (devices == join_flow::Devices::Idle) return say(Id::PreviewIdle);
  if (!has_video && !has_audio) return say(Id::PreviewNoDevices);
  if (!has_video) return say(Id::PreviewNoCamera);
  if (!camera_on) return say(Id::PreviewCameraOff);
  return {};
}

std::string call_status(ui_text::Lang lang, bool call_reconnecting, bool media_reconnecting) {
  if (call_reconnecting) return std::string(text(lang, Id::CallReconnecting));
  return media_reconnecting ? std::string(text(lang, Id::MediaReconnecting)) : std::string();
}

ui_text::Message name_fault(proto::NameFault fault, std::size_t max_chars, NameSubject subject) {
  const bool room = subject == NameSubject::Room;
  switch (fault) {
    case proto::NameFault::Empty: return {room ? Id::RoomNameEmpty : Id::NameEmpty, {}};
    case proto::NameFault::TooLong: return {room ? Id::RoomNameTooLong : Id::NameTooLong, {std::to_string(max_chars)}};
    case proto::NameFault::None:  // not refused: not called
    case proto::NameFault::Invalid: break;
  }
  return {room ? Id::RoomNameInvalid : Id::NameInvalid, {}};
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
