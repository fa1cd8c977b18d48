#include "peer_link.hpp"

#include "browser/glue.hpp"

namespace moim {

using nlohmann::json;

std::optional<ice::CandidatePair> connected_pair(const RemoteMedia* media) {
  if (!media || media->connection != "connected") return std::nullopt;
  return media->pair;
}

void fill_peer_link(ui::TileModel& tile, const RemoteMedia* media, const peer_health::Machine& health, bool has_turn) {
  if (const auto pair = connected_pair(media)) tile.route = std::string(ice::to_string(ice::route(*pair)));
  if (health.unreachable(tile.id)) tile.unreachable = peer_health::unreachable_notice(tile.name, has_turn);
}

void add_peer_link_json(json& peer, const std::string& name, const RemoteMedia* media, const peer_health::Machine& health,
                        bool has_turn, proto::PeerId id) {
  if (const auto pair = connected_pair(media)) {
    peer["route"] = ice::to_string(ice::route(*pair));
    json c = {{"local", ice::to_string(pair->local)}, {"remote", ice::to_string(pair->remote)}};
    c["protocol"] = pair->protocol ? json(ice::to_string(*pair->protocol)) : json(nullptr);
    c["relayProtocol"] = pair->relay_protocol ? json(ice::to_string(*pair->relay_protocol)) : json(nullptr);
    peer["candidates"] = std::move(c);
  } else {
    peer["route"] = nullptr;
    peer["candidates"] = nullptr;
  }
  const peer_health::PeerStatus* status = health.peer(id);
  peer["health"] = status ? json(peer_health::to_string(status->stage)) : json(nullptr);
  peer["iceRestarts"] = status ? status->restarts : 0;
  peer["unreachable"] = health.unreachable(id);
  if (health.unreachable(id)) {
    const auto n = peer_health::unreachable_notice(name, has_turn);
    std::string text = n.text;
    for (const std::string* more : {&n.hint, &n.trying})
      if (!more->empty()) text += "\n" + *more;
    peer["unreachableText"] = text;
  } else {
    peer["unreachableText"] = nullptr;
  }
  // What RTCPeerConnection actually holds (pc.getConfiguration()): the glue path, end to end.
  json config = nullptr;
  if (media && media->pc) {
    if (const auto view = browser::peer_configuration(media->pc)) {
      json servers = json::array();
      for (const auto& s : view->servers) servers.push_back({{"urls", s.urls}, {"username", s.username}});
      config = {{"servers", std::move(servers)}, {"policy", view->policy}};
    }
  }
  peer["iceConfig"] = std::move(config);
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
