#include "server_channel.hpp"

#include <cstdio>
#include <string>
#include <utility>

namespace moim::server_channel {

proto::SendPeerMessage to_server(const p2p::PeerMessage& msg, proto::PeerId to) {
  return proto::SendPeerMessage{.to = to, .data = p2p::encode(msg)};
}

std::optional<peer_channels::Event> translate(const Peers& peers, bool large_room, const proto::RelayedPeerMessage& relayed) {
  const auto dropped = [&](std::string_view why) {
    std::printf("moim: dropped a peer message through the server from peer %llu: %s\n",
                static_cast<unsigned long long>(relayed.from), std::string(why).c_str());
    return std::nullopt;
  };
  if (!large_room) return dropped("not in a large room");
  const Peers::Peer* p = peers.find(relayed.from);
  if (!p) return dropped("not someone in the call");
  p2p::DecodedPeer d = p2p::decode_peer(relayed.data);
  if (!d.ok()) {
    // A newer Moim may say things this one does not know: nothing to complain about.
    if (d.error == p2p::PeerError::NewerVersion || d.error == p2p::PeerError::UnknownType) return std::nullopt;
    return dropped(p2p::to_string(d.error));
  }
  if (!p2p::carried_in_large_rooms(*d.message)) return dropped("not carried through the server");
  return peer_channels::Said{p->info.id, p->info.name, std::move(*d.message)};
}

}  // namespace moim::server_channel
