// The "moim" data channel every peer connection carries (shared/peer_protocol.hpp), seen as events
// about peers: a browser channel event, found by its connection's handle, becomes Opened, Closed or
// Said (a decoded message), or nothing (a late callback of a released connection, a message that
// does not decode: logged and dropped). Whether the channel is open is kept in the peer's record.
// App routes the result to the parts that use the channel (wasm/chat/, wasm/files/).
#pragma once

#include "browser/events.hpp"
#include "peer_connection.hpp"
#include "peer_protocol.hpp"

#include <optional>
#include <string>
#include <variant>

namespace moim::peer_channels {

struct Opened { proto::PeerId peer = 0; };
struct Closed { proto::PeerId peer = 0; };
struct Said {
  proto::PeerId peer = 0;
  std::string name;  // the peer's display name, as the server says
  p2p::PeerMessage message;
};
using Event = std::variant<Opened, Closed, Said>;

// Whether `event` is a data channel event (ChannelOpened, ChannelClosed, ChannelMessage).
bool is_channel_event(const browser::Event& event);
// What a channel event means for the call (nullopt: nothing).
std::optional<Event> translate(Peers& peers, const browser::Event& event);
// Sends `msg` on the connection's channel; false when it is not open (then nothing is sent).
bool send(const Peers::Connection& connection, const p2p::PeerMessage& msg);

}  // namespace moim::peer_channels
