// What the client knows about the world, built only from server messages: the live room list and,
// while in a call, the room, ourselves and the other participants. Pure; the UI reads it.
#pragma once

#include "protocol.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace moim {

struct CallInfo {
  proto::RoomInfo room;
  proto::PeerInfo self;
  std::string token;
  std::vector<proto::PeerInfo> peers;  // in join order
  const proto::PeerInfo* find(proto::PeerId id) const;
};

class ClientState {
 public:
  // Applies one server message. Returns true when it changed something the UI shows.
  bool apply(const proto::ServerMessage& msg);
  // The socket is gone: the call and room list are no longer known to be current.
  void reset();

  std::vector<proto::RoomInfo> rooms() const;  // ordered by id
  const proto::RoomInfo* room(proto::RoomId id) const;
  const std::optional<CallInfo>& call() const { return call_; }
  bool welcomed() const { return welcomed_; }

 private:
  bool welcomed_ = false;
  std::map<proto::RoomId, proto::RoomInfo> rooms_;
  std::optional<CallInfo> call_;
};

}  // namespace moim
