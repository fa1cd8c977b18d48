#include "mesh_encoding.hpp"

#include <algorithm>
#include <cmath>

namespace moim::mesh {

namespace {
// The resolution for the call's size: up to 3 others full size; 4-5 two thirds; 6 and more half.
double scale_for_count(std::size_t peers) { return peers <= 3 ? 1.0 : peers <= 5 ? 1.5 : 2.0; }
}  // namespace

SendShape shape_for(std::size_t peers, std::optional<p2p::View> shown, const Budget& b) {
  peers = std::max<std::size_t>(peers, 1);
  double scale = scale_for_count(peers);
  if (shown) {
    if (shown->width == 0 || shown->height == 0) {
      scale = 4;  // not drawn at all (an overflowing strip): keep a thumbnail going
    } else {
      // The largest scale whose picture still covers the tile on both sides.
      const double fit = std::min(b.source_width / static_cast<double>(shown->width),
                                  b.source_height / static_cast<double>(shown->height));
      scale = std::max(scale, fit);
    }
  }
  scale = std::clamp(std::round(scale * 4) / 4, 1.0, 4.0);  // quarter steps: small tile changes change nothing
  // The share of the budget, and no more than the picture needs (bits go with the pixels).
  const double share = b.uplink_kbps / static_cast<double>(peers);
  const double need = b.max_kbps / (scale * scale);
  return SendShape{std::floor(std::clamp(std::min(share, need), b.min_kbps, b.max_kbps)), scale};  // down: the sum stays within
}

bool view_changed(const p2p::View& a, const p2p::View& b) {
  if ((a.width == 0) != (b.width == 0) || (a.height == 0) != (b.height == 0)) return true;
  const auto far = [](double x, double y) { return std::abs(x - y) > 0.2 * std::max(x, y); };
  return far(a.width, b.width) || far(a.height, b.height);
}

}  // namespace moim::mesh
