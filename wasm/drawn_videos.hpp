// Which videos the last frame drew and at what size, read from its widgets: our camera ("preview" in
// the lobby, "tile:self" in the call), our screen, and each peer's camera ("tile:ID") and screen
// ("screen:ID", "show-screen:ID"). The videos are fitted to these sizes and the others take no
// frames (CallMedia::show_drawn); the peers' camera sizes are what a mesh that adapts tells them.
#pragma once

#include "peer_protocol.hpp"
#include "protocol.hpp"
#include "ui/widgets.hpp"

#include <map>
#include <optional>
#include <vector>

namespace moim {

struct DrawnVideos {
  std::optional<p2p::View> own_camera, own_screen;  // device pixels; nullopt: not drawn
  std::map<proto::PeerId, p2p::View> cameras, screens;
};

// `device_px`: device pixels per CSS pixel (the widgets are in CSS pixels).
DrawnVideos drawn_videos(const std::vector<ui::WidgetRect>& widgets, float device_px);

}  // namespace moim
