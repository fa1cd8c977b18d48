// In a large room there are no peer connections, so no "moim" data channels: the server is every
// peer's channel. What would go on a channel goes to the server as a `peer-message` (to one person,
// or to everyone else in the room at once), and a `peer-message` from the server becomes the same
// Said event a channel message gives (wasm/peer_channels.hpp), from the peer the server names.
// Only the chat and the files' control messages are carried (p2p::carried_in_large_rooms): views and
// a file-end (which goes on the transfer's own channel) are dropped.
#pragma once

#include "peer_channels.hpp"
#include "peer_connection.hpp"
#include "peer_protocol.hpp"
#include "protocol.hpp"

#include <optional>

namespace moim::server_channel {

// `msg` for `to` (0: everyone else in the room), as the server takes it.
proto::SendPeerMessage to_server(const p2p::PeerMessage& msg, proto::PeerId to = 0);
// What a relayed peer message means for the call (nullopt: nothing; a bad one is logged and dropped,
// as from a data channel). `large_room`: the call is one (a mesh call hears nothing this way).
std::optional<peer_channels::Event> translate(const Peers& peers, bool large_room, const proto::RelayedPeerMessage& relayed);

}  // namespace moim::server_channel
