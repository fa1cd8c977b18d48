// The hub's side of large rooms' peer messages: a large room has no peer-to-peer connections, so
// what browsers say to each other over a mesh's data channels (the chat) goes through here as
// `peer-message` (docs/PROTOCOL.md, "Peer messages"). The server says who sent it (this connection's
// participant, never a field of the message), reads nothing of its data but its size (checked by the
// codec), and sends it to one person of the sender's room or to everyone else in it: one frame from
// the sender, serialized once, however many receive it. A held session keeps it for its resume, as
// it keeps room events (Hub::to_peer).
#include "hub.hpp"

#include <memory>
#include <string>

namespace moim {

using proto::ErrorCode;

void Hub::on_peer_message(HubOutput& out, ConnId conn, Conn& state, const proto::SendPeerMessage& send) {
  constexpr std::string_view request = "peer-message";
  const std::optional<proto::RoomId> room = state.peer == 0 ? std::nullopt : registry_.room_of(state.peer);
  const std::optional<proto::RoomInfo> info = room ? registry_.info(*room) : std::nullopt;
  // A mesh room's browsers have their data channels: nothing of theirs goes through the server.
  if (!info || info->mode != proto::RoomMode::Sfu) {
    error(out, conn, ErrorCode::NotInLargeRoom, "peer-message is for participants of a large room.", request);
    return;
  }
  const auto text = std::make_shared<const std::string>(
      proto::encode(proto::RelayedPeerMessage{.from = state.peer, .data = send.data}));
  if (send.to == 0) {
    for (const proto::PeerId member : registry_.members(*room))
      if (member != state.peer) to_peer(out, member, text);
    return;
  }
  Result<proto::PeerId> to = registry_.route(state.peer, send.to);
  if (!to.ok()) {
    error(out, conn, to.error(), "Peer " + std::to_string(send.to) + " is not in your room.", request);
    return;
  }
  to_peer(out, to.get(), text);
}

}  // namespace moim
