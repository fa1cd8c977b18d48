// How each peer of the call is reached, as the call view and the test surface show it: the route
// of the selected candidate pair (from getStats; only while connected), the peer-health verdict in
// words, and the ICE configuration the connection holds. Read-only views over CallMedia and the
// peer-health machine; App wires them.
#pragma once

#include "call_media.hpp"
#include "ice_route.hpp"
#include "peer_health.hpp"
#include "ui/views.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace moim {

// The selected pair while the connection is `connected`; nullopt otherwise (the last one polled
// may be stale, and a connection that is not up has no route).
std::optional<ice::CandidatePair> connected_pair(const RemoteMedia* media);

// Fills the tile's route and unreachable notice. `has_turn`: the current ICE configuration has a
// TURN server (otherwise the notice hints at configuring one).
void fill_peer_link(ui::TileModel& tile, const RemoteMedia* media, const peer_health::Machine& health, bool has_turn);

// Adds to a peer's state() entry: route, candidates, health, unreachable, unreachableText,
// iceConfig (docs/TESTING.md).
void add_peer_link_json(nlohmann::json& peer, const std::string& name, const RemoteMedia* media,
                        const peer_health::Machine& health, bool has_turn, proto::PeerId id);

// state().ice: the ICE configuration the server sent (credentials left out), or null before any.
nlohmann::json ice_config_json(const std::optional<proto::IceConfig>& ice);

}  // namespace moim
