// MediaSessions across a restart of moim-server (the rules in media_sessions.hpp): each
// participant's record for the store, and the participants a restarted server takes over from their
// records (away until their browser rejoins, dropped if it does not come back).
#include "media_sessions.hpp"

#include <algorithm>
#include <utility>

namespace moim::sfu {

using json = nlohmann::json;
using proto::MediaLink;
using proto::PeerId;

json MediaSessions::record(PeerId peer) const {
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return nullptr;
  const Participant& p = it->second;
  json streams = json::array();
  for (const proto::MediaStream& s : p.offered.streams)
    streams.push_back(json::array({s.mid, s.peer, proto::to_string(s.kind), s.screen}));
  json layers = json::array();
  for (const auto& [feed, layer] : p.layers) layers.push_back(json::array({feed, layer}));
  json told = json::array();
  for (const auto& [mid, what] : p.layers_told) told.push_back(json::array({mid, what.first, what.second}));
  // Settled: nothing of it is with Janus or with its browser, waiting for an answer.
  const bool in_flight = std::any_of(requests_.begin(), requests_.end(), [&](const auto& r) {
    return r.second.peer == peer && r.second.what != What::Trickle && r.second.what != What::SubLayers;
  });
  return json{{"room", p.room},
              {"display", p.display},
              {"pub", p.pub},
              {"pubJoined", p.pub_joined},
              {"publishing", p.publishing},
              {"cameraMid", p.camera_mid},
              {"mids", p.published_mids},
              {"sub", p.sub},
              {"subJoined", p.sub_joined},
              {"subscribed", p.subscribed},
              {"streams", std::move(streams)},
              {"layers", std::move(layers)},
              {"told", std::move(told)},
              // A publisher Janus answered but that never came up (its "webrtcup" may have died with
              // the old server) is not settled either: nobody would subscribe to it.
              {"settled", !in_flight && !p.awaiting_answer && p.pub_busy == 0 && p.sub_busy == 0 && !p.lost && p.ready &&
                              !(p.pub_joined && !p.published_mids.empty() && !p.publishing)},
              // Started over while away: its browser still has to hear "reset" (also after another restart).
              {"owed", p.away && !p.taken_over}};
}

std::set<PeerId> MediaSessions::changed() { return std::exchange(changed_, {}); }

bool MediaSessions::restore(PeerId peer, proto::RoomId room, const json& r) {
  if (peers_.contains(peer) || !r.is_object()) return false;
  Participant p;
  try {
    if (r.at("room").get<proto::RoomId>() != room) return false;
    p.room = room;
    p.display = r.at("display").get<std::string>();
    p.pub = r.at("pub").get<JanusId>();
    p.pub_joined = r.at("pubJoined").get<bool>();
    p.publishing = r.at("publishing").get<bool>();
    p.camera_mid = r.at("cameraMid").get<std::string>();
    p.published_mids = p.configuring_mids = r.at("mids").get<std::set<std::string>>();
    p.sub = r.at("sub").get<JanusId>();
    p.sub_joined = r.at("subJoined").get<bool>();
    p.subscribed = r.at("subscribed").get<std::set<PeerId>>();
    for (const json& s : r.at("streams")) {
      const std::string kind = s.at(2).get<std::string>();
      if (kind != "audio" && kind != "video") return false;
      p.offered.streams.push_back(proto::MediaStream{.mid = s.at(0).get<std::string>(),
                                                     .peer = s.at(1).get<PeerId>(),
                                                     .kind = kind == "audio" ? proto::MediaKind::Audio : proto::MediaKind::Video,
                                                     .screen = s.at(3).get<bool>()});
    }
    for (const json& l : r.at("layers")) p.layers[l.at(0).get<PeerId>()] = l.at(1).get<int>();
    // Which layer Janus last took is not known: a layer choice in flight may have died with the old
    // server (its record says what was asked). Unknown (-1): each is told again with the next offer.
    for (const json& t : r.at("told")) {
      (void)t.at(2).get<int>();
      p.layers_told[t.at(0).get<std::string>()] = {t.at(1).get<PeerId>(), -1};
    }
    p.lost = !r.at("settled").get<bool>();
    p.taken_over = !r.value("owed", false);
  } catch (const json::exception&) {
    return false;
  }
  if ((p.pub_joined && p.pub == 0) || (p.sub_joined && p.sub == 0) || (p.pub != 0 && p.pub == p.sub)) return false;
  for (const JanusId handle : {p.pub, p.sub}) {
    if (handle != 0 && handles_.contains(handle)) return false;  // another's: not a record of ours
  }
  p.offered.link = MediaLink::Subscribe;
  p.pub_remote = p.pub_joined && !p.published_mids.empty();  // its offer went to Janus: candidates may go
  p.sub_remote = p.sub_joined;
  p.away = true;
  p.ready = !unready_rooms_.contains(room);
  if (p.pub != 0) handles_[p.pub] = peer;
  if (p.sub != 0) handles_[p.sub] = peer;
  peers_.emplace(peer, std::move(p));
  return true;
}

MediaOutput MediaSessions::rejoin(PeerId peer, proto::RoomId room, std::string display) {
  MediaOutput out;
  const auto it = peers_.find(peer);
  if (it != peers_.end() && it->second.room == room && it->second.away) {
    Participant& p = it->second;
    p.away = false;
    if (!p.taken_over) {
      // Started over while it was away: its browser makes both links again, and hears the new
      // subscription's offer if one was sent meanwhile.
      tell(out, peer, proto::MediaState{proto::MediaServerState::Reset});
      if (!up_) tell(out, peer, proto::MediaState{proto::MediaServerState::Down});
      out.append(resumed(peer));
    } else if (!up_) {
      tell(out, peer, proto::MediaState{proto::MediaServerState::Down});
    } else {
      out.append(resumed(peer));
    }
    // What Janus said while moim-server was away is lost (an "updated" offer after someone left, a
    // feed that went or came): a fresh subscription offer (fresh ICE credentials, the streams as they
    // are now) catches up. If Janus still waits for an answer to an offer we never saw, it holds this
    // request unanswered: its timeout starts the participant over (media-failed).
    if (p.taken_over && p.sub_joined && !p.awaiting_answer) {
      p.restart = true;
      sync_subscriber(out, peer, p);
    }
    return out;
  }
  if (it != peers_.end()) out.append(leave(peer));
  tell(out, peer, proto::MediaState{proto::MediaServerState::Reset});  // this server never knew its handles
  if (!up_) tell(out, peer, proto::MediaState{proto::MediaServerState::Down});
  out.append(join(peer, room, std::move(display)));
  return out;
}

MediaOutput MediaSessions::drop_away() {
  MediaOutput out;
  std::vector<PeerId> gone;
  for (const auto& [peer, p] : peers_) {
    if (p.away) gone.push_back(peer);
  }
  for (const PeerId peer : gone) {
    out.log.push_back("peer " + std::to_string(peer) + ": did not come back after the restart; its media is dropped");
    out.append(leave(peer));
  }
  return out;
}

std::size_t MediaSessions::away() const {
  return static_cast<std::size_t>(std::count_if(peers_.begin(), peers_.end(), [](const auto& e) { return e.second.away; }));
}

std::set<JanusId> MediaSessions::handles() const {
  std::set<JanusId> out;
  for (const auto& [handle, peer] : handles_) out.insert(handle);
  return out;
}

}  // namespace moim::sfu
