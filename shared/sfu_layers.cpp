#include "sfu_layers.hpp"

#include "media_plan.hpp"

#include <utility>

namespace moim::sfu_layers {

proto::MediaLayer for_height(std::uint32_t height) {
  if (height == 0) return proto::MediaLayer::Low;
  const media_plan::CameraConstraints camera;
  const auto layers = media_plan::simulcast_layers();  // highest first: high, medium, low
  constexpr double kUpscaleSeen = 1.25;
  // From the smallest up: the first whose picture, enlarged at most kUpscaleSeen, fills the tile.
  constexpr proto::MediaLayer kFromSmallest[] = {proto::MediaLayer::Low, proto::MediaLayer::Medium, proto::MediaLayer::High};
  for (std::size_t i = 0; i < layers.size() && i < std::size(kFromSmallest); ++i) {
    const double layer_height = camera.height / layers[layers.size() - 1 - i].scale_down;
    if (layer_height * kUpscaleSeen >= height) return kFromSmallest[i];
  }
  return proto::MediaLayer::High;
}

std::optional<proto::SetMediaLayers> Wishes::drawn(const std::set<proto::PeerId>& feeds,
                                                   const std::map<proto::PeerId, std::uint32_t>& drawn, double now_ms) {
  std::erase_if(told_, [&](const auto& entry) { return !feeds.contains(entry.first); });
  proto::SetMediaLayers message;
  for (const proto::PeerId peer : feeds) {
    const auto at = drawn.find(peer);
    const proto::MediaLayer want = for_height(at == drawn.end() ? 0 : at->second);
    const auto before = told_.find(peer);
    if (before == told_.end() || before->second != want) message.layers.push_back(proto::LayerWish{peer, want});
  }
  if (message.layers.empty()) return std::nullopt;
  if (last_told_ms_ && now_ms - *last_told_ms_ < kTellEveryMs) return std::nullopt;  // the next frame will
  if (message.layers.size() > proto::kMaxLayerWishes) message.layers.resize(proto::kMaxLayerWishes);  // the rest next time
  for (const proto::LayerWish& wish : message.layers) told_[wish.peer] = wish.layer;
  last_told_ms_ = now_ms;
  return message;
}

std::optional<proto::MediaLayer> Wishes::told(proto::PeerId peer) const {
  const auto it = told_.find(peer);
  if (it == told_.end()) return std::nullopt;
  return it->second;
}

}  // namespace moim::sfu_layers
