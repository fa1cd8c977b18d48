#include "sfu_feeds.hpp"

#include <set>

namespace moim::sfu_feeds {

Feeds by_peer(const std::vector<proto::MediaStream>& streams, proto::PeerId self) {
  Feeds out;
  std::set<std::string> mids;
  for (const proto::MediaStream& s : streams) {
    if (s.peer == 0 || s.peer == self || s.mid.empty() || (s.screen && s.kind != proto::MediaKind::Video)) continue;
    if (!mids.insert(s.mid).second) continue;  // a mid already taken: the first one counts
    auto it = out.find(s.peer);
    if (it == out.end()) {
      if (out.size() >= kMaxFeeds) continue;
      it = out.emplace(s.peer, Mids{}).first;
    }
    std::string& slot = s.kind == proto::MediaKind::Audio ? it->second.audio : s.screen ? it->second.screen : it->second.video;
    if (slot.empty()) slot = s.mid;
  }
  return out;
}

Change diff(const Feeds& current, const Feeds& wanted) {
  Change out;
  for (const auto& [peer, mids] : wanted) {
    const auto it = current.find(peer);
    if (it == current.end() || it->second != mids) out.make.emplace_back(peer, mids);
  }
  for (const auto& [peer, _] : current)
    if (!wanted.contains(peer)) out.drop.push_back(peer);
  return out;
}

}  // namespace moim::sfu_feeds
