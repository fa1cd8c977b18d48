#include "mesh/call_encodings.hpp"

#include "peer_channels.hpp"

#include "browser/glue.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace moim {

CallEncodings::CallEncodings(const Peers& peers) : peers_(peers), enabled_(browser::page_flag("adapt") != "0") {}

void CallEncodings::sync() {
  if (!enabled_) return;
  std::size_t connected = 0;
  for (const Peers::Peer* p : peers_.in_order())
    if (p->connection) ++connected;
  std::set<proto::PeerId> present;
  for (const Peers::Peer* p : peers_.in_order()) {
    if (!p->connection) continue;
    present.insert(p->info.id);
    const auto view = their_views_.find(p->info.id);
    const mesh::SendShape shape =
        mesh::shape_for(connected, view == their_views_.end() ? std::nullopt : std::optional(view->second));
    const int handle = p->connection->browser.handle();
    const auto it = applied_.find(p->info.id);
    if (it != applied_.end() && it->second.first == handle && it->second.second == shape) continue;
    browser::set_camera_encoding(handle, shape.max_kbps * 1000, shape.scale_down);
    applied_[p->info.id] = {handle, shape};
  }
  std::erase_if(applied_, [&](const auto& e) { return !present.count(e.first); });
  std::erase_if(their_views_, [&](const auto& e) { return !peers_.find(e.first); });
  std::erase_if(told_, [&](const auto& e) { return !peers_.find(e.first); });
}

void CallEncodings::peer_view(proto::PeerId peer, const p2p::View& view) {
  const Peers::Peer* p = peers_.find(peer);
  if (!p || !p->connection) return;  // only a peer we send to
  their_views_[peer] = view;
  sync();
}

void CallEncodings::drawn(const std::map<proto::PeerId, p2p::View>& sizes, double now_ms) {
  for (const Peers::Peer* p : peers_.in_order()) {
    if (!p->connection || !p->connection->browser.channel_open()) continue;
    const auto s = sizes.find(p->info.id);
    const p2p::View now = s == sizes.end() ? p2p::View{} : s->second;
    const auto told = told_.find(p->info.id);
    if (told != told_.end() && (now_ms - told->second.at < kTellEveryMs || !mesh::view_changed(told->second.view, now))) continue;
    if (peer_channels::send(*p->connection, now)) told_[p->info.id] = Told{now, now_ms};
  }
}

void CallEncodings::call_ended() {
  their_views_.clear();
  applied_.clear();
  told_.clear();
}

nlohmann::json CallEncodings::state_json(proto::PeerId peer) const {
  const auto it = applied_.find(peer);
  if (it == applied_.end()) return nullptr;
  const auto view = their_views_.find(peer);
  return {{"maxKbps", it->second.second.max_kbps},
          {"scale", it->second.second.scale_down},
          {"theirView", view == their_views_.end() ? nlohmann::json(nullptr)
                                                    : nlohmann::json::array({view->second.width, view->second.height})}};
}

}  // namespace moim
