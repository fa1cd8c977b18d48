// A large room's subscription, person by person (issue 15): everyone else's media arrives on one
// connection from the media server, whose offer says which m-line carries whose media
// (proto::MediaStream). Here: which m-lines make each person's feed (their microphone, camera and
// screen), and how the feeds change from one offer to the next. Pure; the client attaches a feed to each
// person's record as it would a connection (wasm/sfu/media_server_links.hpp).
//
// Rules (the server is not trusted): a stream of ourselves, of id 0, with an empty mid, or with a
// mid already taken is skipped; a person's first audio, first camera and first screen stream count,
// later ones of the same kind are skipped; a person with none has no feed. At most kMaxFeeds people.
#pragma once

#include "protocol.hpp"

#include <map>
#include <string>
#include <vector>

namespace moim::sfu_feeds {

inline constexpr std::size_t kMaxFeeds = proto::kMaxCapacity - 1;

// The m-lines of one person's feed ("" for none).
struct Mids {
  std::string audio;
  std::string video;
  std::string screen;
  bool operator==(const Mids&) const = default;
};
using Feeds = std::map<proto::PeerId, Mids>;

Feeds by_peer(const std::vector<proto::MediaStream>& streams, proto::PeerId self);

// From the feeds we have to the feeds an offer describes: the people whose feed is new or made of
// other m-lines (made again), and those who have none any more.
struct Change {
  std::vector<std::pair<proto::PeerId, Mids>> make;  // by peer id
  std::vector<proto::PeerId> drop;
  bool operator==(const Change&) const = default;
};
Change diff(const Feeds& current, const Feeds& wanted);

}  // namespace moim::sfu_feeds
