#include "peer_link.hpp"

#include "browser/glue.hpp"
#include "stats/call_stats_panel.hpp"

namespace moim {

using nlohmann::json;

signaling::ConnectionState connection_state(const Peers::Peer& peer, const peer_health::Machine& health) {
  const peer_health::PeerStatus* status = peer.connection ? health.peer(peer.info.id) : nullptr;
  return status ? status->connection : signaling::ConnectionState::New;
}

std::optional<ice::CandidatePair> connected_pair(const Peers::Peer& peer, const peer_health::Machine& health) {
  if (connection_state(peer, health) != signaling::ConnectionState::Connected) return std::nullopt;
  return peer.connection->stats.pair;
}

bool peers_settling(const Peers& peers, const peer_health::Machine& health) {
  return peers.any_of([&](const Peers::Peer& p) {
    if (p.away) return false;
    return !p.connection || connection_state(p, health) != signaling::ConnectionState::Connected ||
           (p.info.camera && p.connection->browser.video().drawn() && !p.connection->browser.video().has_frame());
  });
}

std::string connection_words(ui_text::Lang lang, signaling::ConnectionState state) {
  using signaling::ConnectionState;
  using ui_text::Id;
  switch (state) {
    case ConnectionState::New: return std::string(ui_text::text(lang, Id::ConnNew));
    case ConnectionState::Connecting: return std::string(ui_text::text(lang, Id::ConnConnecting));
    case ConnectionState::Connected: return std::string(ui_text::text(lang, Id::ConnConnected));
    case ConnectionState::Disconnected: return std::string(ui_text::text(lang, Id::ConnDisconnected));
    case ConnectionState::Failed: return std::string(ui_text::text(lang, Id::ConnFailed));
    case ConnectionState::Closed: return std::string(ui_text::text(lang, Id::ConnClosed));
  }
  return {};
}

ui::TileModel peer_tile(ui_text::Lang lang, const Peers::Peer& peer, const peer_health::Machine& health, bool has_turn) {
  ui::TileModel t;
  t.id = peer.info.id;
  t.name = peer.info.name;
  t.mic = peer.info.mic;
  t.camera = peer.info.camera;
  const signaling::ConnectionState state = connection_state(peer, health);
  t.connected = state == signaling::ConnectionState::Connected;
  t.connection = connection_words(lang, state);
  if (peer.connection && peer.connection->browser.video().has_frame()) {
    const browser::VideoTexture& video = peer.connection->browser.video();
    t.texture = video.texture();
    t.video_w = video.width();
    t.video_h = video.height();
  }
  if (const auto pair = connected_pair(peer, health)) t.route = std::string(ice::to_string(ice::route(*pair)));
  if (health.unreachable(t.id)) t.unreachable = peer_health::unreachable_notice(lang, t.name, has_turn);
  t.quality = peer_quality(peer, health);
  return t;
}

json peer_state_json(ui_text::Lang lang, const Peers::Peer& peer, const peer_health::Machine& health, bool has_turn) {
  const proto::PeerId id = peer.info.id;
  json j = {{"id", id}, {"name", peer.info.name}, {"mic", peer.info.mic}, {"camera", peer.info.camera}, {"away", peer.away}};
  j["connection"] = signaling::to_string(connection_state(peer, health));
  j["chatChannel"] = peer.connection && peer.connection->browser.channel_open();  // the data channel (wasm/chat/)
  if (peer.connection) {
    const ConnectionStats& s = peer.connection->stats;
    const browser::VideoTexture& video = peer.connection->browser.video();
    j["framesDecoded"] = s.frames_decoded;
    j["audioEnergy"] = s.audio_energy;
    j["audioLevel"] = s.audio_level;
    j["audioLive"] = s.audio_live;
    j["framesShown"] = video.frames_uploaded();
    if (video.has_frame()) j["videoFormat"] = video.planar() ? "I420" : "RGBA";
    // The peer's screen share while it shares one: decoded (getStats) and drawn frames.
    const browser::VideoTexture& screen = peer.connection->browser.screen();
    j["screen"] = peer.connection->browser.sharing_screen()
                      ? json{{"framesDecoded", s.screen_frames_decoded}, {"framesShown", screen.frames_uploaded()},
                             {"width", screen.width()}, {"height", screen.height()}}
                      : json(nullptr);
  } else {
    j["framesDecoded"] = 0;
    j["screen"] = nullptr;
  }
  if (const auto pair = connected_pair(peer, health)) {
    j["route"] = ice::to_string(ice::route(*pair));
    json c = {{"local", ice::to_string(pair->local)}, {"remote", ice::to_string(pair->remote)}};
    c["protocol"] = pair->protocol ? json(ice::to_string(*pair->protocol)) : json(nullptr);
    c["relayProtocol"] = pair->relay_protocol ? json(ice::to_string(*pair->relay_protocol)) : json(nullptr);
    j["candidates"] = std::move(c);
  } else {
    j["route"] = nullptr;
    j["candidates"] = nullptr;
  }
  // Connection quality (wasm/stats/): the latest second's figures, and the tile's verdict.
  j["stats"] = stats_json(peer);
  const auto quality = peer_quality(peer, health);
  j["quality"] = quality ? json(call_stats::to_string(*quality)) : json(nullptr);
  const peer_health::PeerStatus* status = health.peer(id);
  j["health"] = status ? json(peer_health::to_string(status->stage)) : json(nullptr);
  j["iceRestarts"] = status ? status->restarts : 0;
  j["unreachable"] = health.unreachable(id);
  if (health.unreachable(id)) {
    const auto n = peer_health::unreachable_notice(lang, peer.info.name, has_turn);
    std::string text = n.text;
    for (const std::string* more : {&n.hint, &n.trying})
      if (!more->empty()) text += "\n" + *more;
    j["unreachableText"] = text;
  } else {
    j["unreachableText"] = nullptr;
  }
  // What RTCPeerConnection actually holds (pc.getConfiguration()): the glue path, end to end.
  json config = nullptr;
  if (peer.connection) {
    if (const auto view = browser::peer_configuration(peer.connection->browser.handle())) {
      json servers = json::array();
      for (const auto& s : view->servers) servers.push_back({{"urls", s.urls}, {"username", s.username}});
      config = {{"servers", std::move(servers)}, {"policy", view->policy}};
    }
  }
  j["iceConfig"] = std::move(config);
  return j;
}

json ice_config_json(const std::optional<proto::IceConfig>& ice) {
  if (!ice) return nullptr;
  json servers = json::array();
  for (const auto& s : ice->servers) servers.push_back({{"urls", s.urls}, {"username", s.username}});
  return {{"servers", std::move(servers)},
          {"policy", proto::to_string(ice->policy)},
          {"expires", ice->expires},
          {"hasTurn", ice->has_turn()}};
}

}  // namespace moim
