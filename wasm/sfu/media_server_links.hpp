// The browser side of a large room (issue 15; the signaling machine's Sfu mode): the two
// connections to the media server, keyed as the machine keys them (signaling::kPublishLink, our
// camera and microphone going out; signaling::kSubscribeLink, everyone else's media coming in), and
// the feeds made from the subscription (shared/sfu_feeds.hpp): each person's part of it, attached to
// their record in the peer table as a connection would be, so tiles, rings and stats work as in a
// mesh.
//
// Lifetime: the links live from the machine's CreatePeerConnection to its ClosePeerConnection (or
// the end of the call); feeds follow each subscription offer once it is applied, and all go with
// the subscription. A feed lives in its person's record (released with it); a record that goes takes
// its feed, which the next offer makes again if the person is still offered.
#pragma once

#include "browser/events.hpp"
#include "peer_connection.hpp"
#include "sfu_feeds.hpp"
#include "signaling.hpp"

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace moim {

class MediaServerLinks {
 public:
  explicit MediaServerLinks(Peers& peers) : peers_(peers) {}
  MediaServerLinks(const MediaServerLinks&) = delete;
  MediaServerLinks& operator=(const MediaServerLinks&) = delete;

  // ---- the machine's effects for a link (signaling::is_media_server_link)
  // The publication carries our stream's tracks (and our screen capture while we share); the
  // subscription only receives.
  void create(proto::PeerId link, browser::Handle local, browser::Handle screen, const proto::IceConfig& ice,
              bool audio, bool video);
  void close(proto::PeerId link);  // the subscription takes every feed with it
  void close_all() { close(signaling::kPublishLink), close(signaling::kSubscribeLink); }
  browser::Handle handle(proto::PeerId link) const;  // 0 when it has none
  void set_ice(const proto::IceConfig& ice);

  // ---- the subscription's feeds
  // What the media server says its offer (this SDP) carries, before the machine applies it.
  void offered(std::string sdp, std::vector<proto::MediaStream> streams);
  // The machine applies this subscription offer now (its SetRemoteDescription): its streams are
  // the ones the feeds follow once it is applied.
  void applying(const std::string& sdp);
  // That offer's setRemoteDescription finished: its transceivers exist, feeds may be made of them.
  void applied();
  // Each person's feed is made (again) or dropped to match the offer applied last (never one still
  // being applied: its transceivers may not exist yet, and a feed made then would have no tracks).
  // `self`: our id, never a feed. Returns who got a feed and who lost one (also those whose record
  // went since the last sync).
  sfu_feeds::Change sync_feeds(proto::PeerId self);

  // The link whose connection has this handle, if any (a browser event of one of ours).
  std::optional<proto::PeerId> link_of(browser::Handle h) const;
  bool is_feed(proto::PeerId peer) const { return attached_.contains(peer); }
  // The people whose feed is attached (or was, if their record went since: the next sync says so).
  std::vector<proto::PeerId> feeds() const;

 private:
  static constexpr std::size_t kMaxOffersKept = 4;  // offered but not yet applied

  Peers& peers_;
  PeerConnection publish_{0}, subscribe_{0};
  std::deque<std::pair<std::string, std::vector<proto::MediaStream>>> offered_;  // by SDP, newest last
  std::vector<proto::MediaStream> applying_, applied_;
  sfu_feeds::Feeds attached_;  // the feeds put in the peer table (pruned of those gone since)
  std::map<proto::PeerId, browser::Handle> feed_handles_;
};

}  // namespace moim
