// The hub: every connection's messages go through here. It owns the room registry, assigns peer ids,
// sets the sender of every relayed signal and decides who receives what.
// No Asio in this file: input is (connection, text), output is a list of frames to send and
// connections to close, so tests and fuzzers drive it without sockets.
#pragma once

#include "protocol.hpp"
#include "room_registry.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace moim {

using ConnId = std::uint64_t;

struct Outgoing {
  ConnId to = 0;
  // Shared so that a broadcast is serialized once and the same buffer is queued on every connection.
  std::shared_ptr<const std::string> text;
};

struct HubOutput {
  std::vector<Outgoing> sends;
  std::vector<ConnId> closes;  // connections the transport must close after flushing their sends
};

struct HubConfig {
  RoomRegistry::Limits registry;
  std::size_t max_message_bytes = proto::kMaxMessageBytes;
  // Relays signals that are in the exact shape proto::encode writes through hub_detail's specialized
  // codec below instead of the general one (JSON DOM in, JSON DOM out), which was about a third of
  // the server's time when relaying. Same bytes out either way; tests turn it off to compare.
  bool signal_fast_path = true;
};

namespace hub_detail {
// A client "signal" exactly as proto::encode writes it (keys in its order, no white space), with
// ASCII strings using only the escapes \" \\ \/ \b \f \n \r \t. nullopt for anything else: the general
// decoder then decides. When it returns a message, proto::decode_client returns the same one.
std::optional<proto::SendSignal> decode_canonical_signal(std::string_view text);
// Exactly proto::encode(proto::RelayedSignal{signal with peer = from}), when every string is ASCII
// without control characters other than \b \f \n \r \t; nullopt otherwise (use proto::encode).
std::optional<std::string> encode_relayed_signal(proto::PeerId from, const proto::Signal& signal);
}  // namespace hub_detail

class Hub {
 public:
  using TokenSource = std::function<std::string()>;
  Hub(HubConfig config, TokenSource make_token);

  // A connection opened from `address` (the client's IP, for per-address limits). Nothing is sent
  // until it says hello.
  void connect(ConnId conn, std::string_view address = {});
  // A text frame arrived (any size: oversize frames are answered with an error here).
  HubOutput on_text(ConnId conn, std::string_view text);
  // A binary frame arrived: not part of the protocol.
  HubOutput on_binary(ConnId conn);
  // How a connection ended. A client that closed on purpose (close frame) leaves its room at once;
  // one that was lost (network error, silence) is held for the resume grace window.
  enum class Departure { Closed, Lost };
  // The connection is gone: leave its room (now or after the grace window) and tell the others.
  HubOutput disconnect(ConnId conn, Departure how = Departure::Closed);

  const RoomRegistry& registry() const { return registry_; }
  std::size_t connection_count() const { return conns_.size(); }

 private:
  struct Conn {
    bool hello = false;
    proto::PeerId peer = 0;  // 0 = not in a room
  };

  HubOutput handle(ConnId conn, Conn& state, const proto::ClientMessage& msg);
  void reply(HubOutput& out, ConnId conn, const proto::ServerMessage& msg);
  void error(HubOutput& out, ConnId conn, proto::ErrorCode code, std::string message, std::string_view request);
  void broadcast_room(HubOutput& out, proto::RoomId room);  // room-updated to every lobby connection
  void to_room(HubOutput& out, proto::RoomId room, proto::PeerId except, const proto::ServerMessage& msg);
  void relay(HubOutput& out, ConnId to, proto::PeerId from, const proto::Signal& signal);
  void leave_room(HubOutput& out, Conn& state);

  HubConfig config_;
  TokenSource make_token_;
  RoomRegistry registry_;
  std::unordered_map<ConnId, Conn> conns_;
  std::unordered_map<proto::PeerId, ConnId> conn_of_peer_;
  proto::PeerId next_peer_id_ = 1;
};

}  // namespace moim
