// A mesh that adapts: each connection's camera encoding (shared/mesh_encoding.hpp decides) applied
// through the glue whenever the call's size or that peer's view of us changes; and our side of the
// exchange: the size we draw each peer's camera at, told to that peer (p2p::View) when it matters.
// The page flag ?adapt=0 turns the encodings off (the bench compares both).
#pragma once

#include "mesh_encoding.hpp"
#include "peer_connection.hpp"
#include "peer_protocol.hpp"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <utility>

namespace moim {

class CallEncodings {
 public:
  static constexpr double kTellEveryMs = 1000;  // at most one View a second to each peer

  explicit CallEncodings(const Peers& peers);

  // After events: every connection gets the shape it should have (only changes go to the glue).
  void sync();
  // A peer said how it draws our camera.
  void peer_view(proto::PeerId peer, const p2p::View& view);
  // After a frame: the device-pixel size each peer's camera was drawn at (absent: not drawn); tells
  // each peer whose size changed enough.
  void drawn(const std::map<proto::PeerId, p2p::View>& sizes, double now_ms);
  void call_ended();

  bool enabled() const { return enabled_; }
  // state().room.peers[i].sending: {maxKbps, scale, theirView: [w, h] | null}, or null when not applied.
  nlohmann::json state_json(proto::PeerId peer) const;

 private:
  const Peers& peers_;
  bool enabled_ = true;
  std::map<proto::PeerId, p2p::View> their_views_;  // what each peer said
  std::map<proto::PeerId, std::pair<int, mesh::SendShape>> applied_;  // by connection handle
  struct Told {
    p2p::View view;
    double at = 0;
  };
  std::map<proto::PeerId, Told> told_;  // what we told each peer
};

}  // namespace moim
