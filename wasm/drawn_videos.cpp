#include "drawn_videos.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace moim {

namespace {
// The peer id after the widget id's `prefix` (ids pass 2^32).
proto::PeerId peer_after(const std::string& id, std::string_view prefix) {
  return static_cast<proto::PeerId>(std::strtoull(id.c_str() + prefix.size(), nullptr, 10));
}
bool starts_with(const std::string& id, std::string_view prefix) { return id.rfind(prefix, 0) == 0; }
}  // namespace

DrawnVideos drawn_videos(const std::vector<ui::WidgetRect>& widgets, float device_px) {
  DrawnVideos d;
  for (const auto& w : widgets) {
    const auto pixels = [&](float css) { return static_cast<std::uint32_t>(std::max(0.0f, std::ceil(css * device_px))); };
    const p2p::View size{pixels(w.w), pixels(w.h)};
    if (w.id == "preview" || w.id == "tile:self") d.own_camera = size;
    else if (w.id == "screen:self" || w.id == "show-screen:self") d.own_screen = size;
    else if (starts_with(w.id, "screen:")) d.screens[peer_after(w.id, "screen:")] = size;
    else if (starts_with(w.id, "show-screen:")) d.screens[peer_after(w.id, "show-screen:")] = size;
    else if (starts_with(w.id, "tile:")) d.cameras[peer_after(w.id, "tile:")] = size;
  }
  return d;
}

}  // namespace moim
