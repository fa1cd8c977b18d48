// One peer of the call as the call view and the test surface show it, read from its record (the
// peer table) and from peer health: its tile, and its state() entry (docs/TESTING.md). Where the
// connection state becomes words. Read-only views; App wires them.
#pragma once

#include "ice_route.hpp"
#include "peer_connection.hpp"
#include "peer_health.hpp"
#include "signaling.hpp"
#include "ui/views.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace moim {

// The peer's connection state (kept by peer health); `new` while the peer has no connection.
signaling::ConnectionState connection_state(const Peers::Peer& peer, const peer_health::Machine& health);

// The selected pair while the connection is `connected`; nullopt otherwise (the last one polled
// may be stale, and a connection that is not up has no route).
std::optional<ice::CandidatePair> connected_pair(const Peers::Peer& peer, const peer_health::Machine& health);

// Some peer of the call is still being connected or shown: not away, and without a connection, not
// `connected`, or with a camera whose first frame has not come. Video frames then give way to the
// offers, answers and candidates while drawing is expensive (App::frame).
bool peers_settling(const Peers& peers, const peer_health::Machine& health);

// A connection state as the person reads it ("connecting", "연결 중").
std::string connection_words(ui_text::Lang lang, signaling::ConnectionState state);

// The peer's tile, in `lang`: name, badges, video, connection, route, quality and unreachable notice.
// `has_turn`: the current ICE configuration has a TURN server (otherwise the notice hints at
// configuring one).
ui::TileModel peer_tile(ui_text::Lang lang, const Peers::Peer& peer, const peer_health::Machine& health, bool has_turn);

// The peer's entry in state().room.peers: id, name, mic, camera, away, connection, chatChannel, framesDecoded (and
// with a connection audioEnergy, audioLevel, audioLive, framesShown, videoFormat), route, candidates,
// stats, quality, health, iceRestarts, unreachable, unreachableText (in `lang`, as the tile says it), iceConfig.
nlohmann::json peer_state_json(ui_text::Lang lang, const Peers::Peer& peer, const peer_health::Machine& health, bool has_turn);

// state().ice: the ICE configuration the server sent (credentials left out), or null before any.
nlohmann::json ice_config_json(const std::optional<proto::IceConfig>& ice);

}  // namespace moim
