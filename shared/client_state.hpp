// What the client knows about the world, built only from server messages: the live room list and,
// while in a call, the room and ourselves. The other participants are records of the peer table
// (shared/peer_table.hpp), which holds their connections too. Pure; the UI reads it.
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
  // A large room's media server is out of reach (media-state "down"): the people see "reconnecting media".
  bool media_reconnecting = false;
};

class ClientState {
 public:
  // Applies one server message. Returns true when it changed something the UI shows. Server input is
  // untrusted: a message that makes no sense here (a resumed for another room, a peer-joined for
  // ourselves, a departure of a stranger) changes nothing.
  bool apply(const proto::ServerMessage& msg);
  // The socket is gone: the call and room list are no longer known to be current.
  void reset();
  // The socket is gone but the call goes on (its peer connections do not need the server): forget
  // the room list and the welcome, keep the call until it is resumed or given up.
  void disconnected();

  std::vector<proto::RoomInfo> rooms() const;  // ordered by id
  const proto::RoomInfo* room(proto::RoomId id) const;
  const std::optional<CallInfo>& call() const { return call_; }
  bool welcomed() const { return welcomed_; }
  const proto::Limits& limits() const { return limits_; }
  // The ICE servers for new peer connections (the latest "ice" message; none before one arrives).
  const std::optional<proto::IceConfig>& ice() const { return ice_; }

 private:
  bool welcomed_ = false;
  proto::Limits limits_;
  std::map<proto::RoomId, proto::RoomInfo> rooms_;
  std::optional<CallInfo> call_;
  std::optional<proto::IceConfig> ice_;
};

}  // namespace moim
