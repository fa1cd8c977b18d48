#include "media_server_links.hpp"

#include "media_plan.hpp"

#include "browser/glue.hpp"

#include <algorithm>
#include <cstdio>

namespace moim {

using signaling::kPublishLink;
using signaling::kSubscribeLink;

void MediaServerLinks::create(proto::PeerId link, browser::Handle local, browser::Handle screen,
                              const proto::IceConfig& ice, bool audio, bool video) {
  close(link);
  const bool publish = link == kPublishLink;
  const browser::Handle h =
      publish ? browser::create_peer(local, screen, ice, media_plan::publish_layout(audio, video), std::nullopt)
              : browser::create_peer(0, 0, ice, {}, std::nullopt, /*feeds=*/true);
  if (!h) std::printf("moim: the browser could not make the %s connection\n", publish ? "publish" : "subscribe");
  (publish ? publish_ : subscribe_) = PeerConnection(h);
}

void MediaServerLinks::close(proto::PeerId link) {
  if (link == kPublishLink) {
    publish_ = PeerConnection(0);
    return;
  }
  if (link != kSubscribeLink) return;
  for (const auto& [peer, h] : feed_handles_) {
    const Peers::Connection* c = peers_.connection(peer);
    if (c && c->browser.handle() == h) peers_.disconnect(peer);
  }
  feed_handles_.clear();
  attached_.clear();
  offered_.clear();
  applying_.clear();
  applied_.clear();
  subscribe_ = PeerConnection(0);
}

browser::Handle MediaServerLinks::handle(proto::PeerId link) const {
  if (link == kPublishLink) return publish_.handle();
  if (link == kSubscribeLink) return subscribe_.handle();
  return 0;
}

void MediaServerLinks::set_ice(const proto::IceConfig& ice) {
  for (const browser::Handle h : {publish_.handle(), subscribe_.handle()})
    if (h) browser::set_peer_ice(h, ice);
}

void MediaServerLinks::offered(std::string sdp, std::vector<proto::MediaStream> streams) {
  if (offered_.size() >= kMaxOffersKept) offered_.pop_front();
  offered_.emplace_back(std::move(sdp), std::move(streams));
}

void MediaServerLinks::applying(const std::string& sdp) {
  const auto it = std::find_if(offered_.rbegin(), offered_.rend(), [&](const auto& o) { return o.first == sdp; });
  if (it == offered_.rend()) {
    std::printf("moim: a subscription offer without its streams; its media is not shown\n");
    applying_.clear();
    return;
  }
  applying_ = std::move(it->second);
  offered_.erase(offered_.begin(), it.base());  // it and older ones
}

void MediaServerLinks::applied() { applied_ = applying_; }

sfu_feeds::Change MediaServerLinks::sync_feeds(proto::PeerId self) {
  // Feeds whose record went (the person left) or whose connection is no longer the feed: gone (and
  // said so, for peer health).
  std::vector<proto::PeerId> gone;
  for (auto it = feed_handles_.begin(); it != feed_handles_.end();) {
    const Peers::Connection* c = peers_.connection(it->first);
    if (c && c->browser.handle() == it->second) {
      ++it;
      continue;
    }
    gone.push_back(it->first);
    attached_.erase(it->first);
    it = feed_handles_.erase(it);
  }
  sfu_feeds::Change change = sfu_feeds::diff(attached_, sfu_feeds::by_peer(applied_, self));
  change.drop.insert(change.drop.begin(), gone.begin(), gone.end());
  for (const proto::PeerId peer : change.drop) {
    peers_.disconnect(peer);
    attached_.erase(peer);
    feed_handles_.erase(peer);
  }
  std::erase_if(change.make, [&](const auto& made) {
    const auto& [peer, mids] = made;
    if (!peers_.find(peer) || !subscribe_.handle()) return true;  // not (yet) in the call's list: next offer
    const browser::Handle h = browser::create_feed(subscribe_.handle(), mids.audio, mids.video, mids.screen);
    if (!h || !peers_.connect(peer, PeerConnection(h))) return true;
    attached_[peer] = mids;
    feed_handles_[peer] = h;
    return false;
  });
  return change;
}

std::vector<proto::PeerId> MediaServerLinks::feeds() const {
  std::vector<proto::PeerId> out;
  for (const auto& [peer, _] : feed_handles_) out.push_back(peer);
  return out;
}

std::optional<proto::PeerId> MediaServerLinks::link_of(browser::Handle h) const {
  if (h == 0) return std::nullopt;
  if (h == publish_.handle()) return kPublishLink;
  if (h == subscribe_.handle()) return kSubscribeLink;
  return std::nullopt;
}

}  // namespace moim
