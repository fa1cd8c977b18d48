#include "media_sessions.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

namespace moim::sfu {

namespace {

using json = nlohmann::json;
using proto::MediaLink;
using proto::PeerId;
using proto::SignalKind;

std::string string_of(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json candidate_json(const proto::IceCandidate& c) {
  if (c.candidate.empty()) return json{{"completed", true}};
  return json{{"candidate", c.candidate}, {"sdpMid", c.sdp_mid}, {"sdpMLineIndex", c.sdp_mline_index}};
}

// A link failure (not Janus refusing): the link's state says what happens next.
bool link_trouble(ErrorCode code) {
  return code == ErrorCode::Unavailable || code == ErrorCode::ConnectionLost || code == ErrorCode::SessionLost ||
         code == ErrorCode::Stopped;
}

// The mid of an SDP's first video m-line ("" if none): the first a=mid after the first "m=video".
std::string first_video_mid(std::string_view sdp) {
  const std::size_t video = sdp.find("m=video");
  if (video == std::string_view::npos) return {};
  const std::size_t next_m = sdp.find("\nm=", video);
  const std::size_t mid = sdp.find("a=mid:", video);
  if (mid == std::string_view::npos || (next_m != std::string_view::npos && mid > next_m)) return {};
  const std::size_t begin = mid + 6;
  const std::size_t end = sdp.find_first_of("\r\n", begin);
  return std::string(sdp.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin));
}

// The mids of an SDP's audio and video m-lines that send (sendrecv or sendonly, the default
// sendrecv; a rejected line, port 0, does not).
std::set<std::string> sending_mids(std::string_view sdp) {
  std::set<std::string> out;
  std::size_t at = sdp.find("m=");
  while (at != std::string_view::npos) {
    const std::size_t next = sdp.find("\nm=", at);
    const std::string_view section = sdp.substr(at, next == std::string_view::npos ? std::string_view::npos : next + 1 - at);
    const bool media = section.starts_with("m=audio ") || section.starts_with("m=video ");
    const bool rejected = section.starts_with("m=audio 0 ") || section.starts_with("m=video 0 ");
    const bool silent = section.find("a=recvonly") != std::string_view::npos || section.find("a=inactive") != std::string_view::npos;
    const std::size_t mid = section.find("a=mid:");
    if (media && !rejected && !silent && mid != std::string_view::npos) {
      const std::size_t end = section.find_first_of("\r\n", mid + 6);
      out.insert(std::string(section.substr(mid + 6, end == std::string_view::npos ? std::string_view::npos : end - mid - 6)));
    }
    at = next == std::string_view::npos ? next : next + 1;
  }
  return out;
}

json feeds_json(const std::set<PeerId>& feeds) {
  json streams = json::array();
  for (const PeerId feed : feeds) streams.push_back(json{{"feed", feed}});
  return streams;
}

}  // namespace

void MediaOutput::append(MediaOutput&& other) {
  for (auto& c : other.janus) janus.push_back(std::move(c));
  for (auto& m : other.to_peers) to_peers.push_back(std::move(m));
  for (auto& l : other.log) log.push_back(std::move(l));
}

void MediaSessions::tell(MediaOutput& out, PeerId peer, proto::ServerMessage message) {
  changed_.insert(peer);
  out.to_peers.push_back(MediaOutput::ToPeer{peer, std::move(message)});
}

RequestId MediaSessions::send(MediaOutput& out, PeerId peer, What what, MediaCommand command) {
  const RequestId id = next_id_++;
  command.id = id;
  // A candidate changes nothing of the record: no record written again (and serialized) per candidate.
  if (peer != 0 && what != What::Trickle) changed_.insert(peer);
  const auto it = peers_.find(peer);
  requests_[id] = Request{peer, it == peers_.end() ? 0 : it->second.generation, what, {},
                          command.kind == MediaCommand::Kind::Detach ? command.handle : 0};
  out.janus.push_back(std::move(command));
  return id;
}

RequestId MediaSessions::detach(MediaOutput& out, JanusId handle) {
  if (!up_) {
    orphans_.insert(handle);
    return 0;
  }
  return send(out, 0, What::Detach, MediaCommand{.kind = MediaCommand::Kind::Detach, .handle = handle});
}

bool MediaSessions::publishing(PeerId peer) const {
  const auto it = peers_.find(peer);
  return it != peers_.end() && it->second.publishing;
}

std::set<PeerId> MediaSessions::subscribed(PeerId peer) const {
  const auto it = peers_.find(peer);
  return it == peers_.end() ? std::set<PeerId>{} : it->second.subscribed;
}

MediaOutput MediaSessions::join(PeerId peer, proto::RoomId room, std::string display) {
  MediaOutput out;
  if (peers_.contains(peer)) return out;
  Participant& p = peers_[peer];
  p.room = room;
  p.display = std::move(display);
  p.ready = !unready_rooms_.contains(room);
  if (p.ready && up_) start(out, peer, p);
  return out;
}

void MediaSessions::start(MediaOutput& out, PeerId peer, Participant& p) {
  p.pub_busy = send(out, peer, What::PubAttach, MediaCommand{.kind = MediaCommand::Kind::Attach});
}

void MediaSessions::join_publisher(MediaOutput& out, PeerId peer, Participant& p) {
  p.pub_busy = send(out, peer, What::PubJoin,
                    MediaCommand{.kind = MediaCommand::Kind::Message,
                                 .handle = p.pub,
                                 .body = json{{"request", "join"},
                                              {"ptype", "publisher"},
                                              {"room", p.room},
                                              {"id", peer},
                                              {"display", p.display}}});
}

RequestId MediaSessions::detach_all(MediaOutput& out, Participant& p, bool leave_first) {
  RequestId wait = 0;
  const bool leaving = leave_first && up_ && p.pub != 0 && p.pub_joined;
  if (leaving) {
    // "leave" goes through VideoRoom's one message queue: answered, the feed id is free again.
    wait = send(out, 0, What::Detach,
                MediaCommand{.kind = MediaCommand::Kind::Message, .handle = p.pub, .body = json{{"request", "leave"}}});
    detach_later_[wait] = {p.pub, p.sub};
  }
  for (const JanusId handle : {p.pub, p.sub}) {
    if (handle == 0) continue;
    handles_.erase(handle);
    if (leaving) continue;
    const RequestId id = detach(out, handle);
    if (handle == p.pub) wait = id;
  }
  const proto::RoomId room = p.room;
  const std::string display = std::move(p.display);
  const std::uint64_t generation = p.generation + 1;
  const int failures = p.failures;
  const int browser_losses = p.browser_losses;
  const bool ready = p.ready;
  const bool away = p.away;
  std::map<PeerId, int> layers = std::move(p.layers);  // the browser's wish, not Janus's state
  p = Participant{};
  p.away = away;
  p.layers = std::move(layers);
  p.room = room;
  p.display = display;
  p.generation = generation;
  p.failures = failures;
  p.browser_losses = browser_losses;
  p.ready = ready;
  return wait;
}

void MediaSessions::start_after(MediaOutput& out, PeerId peer, Participant& p, RequestId detach) {
  if (detach == 0) return start(out, peer, p);
  start_after_[detach] = peer;
  p.pub_busy = detach;  // nothing else starts meanwhile
}

MediaOutput MediaSessions::leave(PeerId peer) {
  MediaOutput out;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  changed_.insert(peer);
  const bool was_publishing = it->second.publishing;
  const proto::RoomId room = it->second.room;
  detach_all(out, it->second, /*leave_first=*/false);
  peers_.erase(it);
  if (was_publishing) sync_room(out, room, peer);
  return out;
}

void MediaSessions::fail(MediaOutput& out, PeerId peer, Participant& p, const std::string& why) {
  const bool was_publishing = p.publishing;
  out.log.push_back("peer " + std::to_string(peer) + ": " + why + "; its media starts over");
  tell(out, peer,
       proto::Error{proto::ErrorCode::MediaFailed,
                    "The media server could not set up your audio and video; they start over: publish again.",
                    "media-signal"});
  const RequestId detach = detach_all(out, p, /*leave_first=*/true);
  ++p.failures;
  if (p.failures <= kMaxRestarts && up_ && p.ready) {
    start_after(out, peer, p, detach);
  } else {
    out.log.push_back("peer " + std::to_string(peer) + ": media given up after " + std::to_string(p.failures) +
                      " failures in a row (until the media server's next session or a new join)");
  }
  if (was_publishing) sync_room(out, p.room, peer);
}

MediaOutput MediaSessions::signal(PeerId peer, const proto::MediaSignal& s) {
  MediaOutput out;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  Participant& p = it->second;
  if (s.link == MediaLink::Publish) {
    if (s.kind == SignalKind::Offer) {
      p.offer = s.sdp;
      p.camera_mid = first_video_mid(s.sdp);
      // Not started (joined while the link was down): now. Given up after failures: not again (the
      // client answers every media-failed with a new offer: a new try each time would never end);
      // a new media server session or a new join is a new chance.
      if (p.pub == 0 && p.pub_busy == 0 && p.ready && up_ && p.failures <= kMaxRestarts) start(out, peer, p);
      pump_publisher(out, peer, p);
    } else if (s.kind == SignalKind::Candidate) {
      if (p.pub != 0 && p.pub_remote) {
        trickle(out, peer, p.pub, candidate_json(s.candidate));
      } else if (p.pub_candidates.size() < kMaxQueuedCandidates) {
        p.pub_candidates.push_back(candidate_json(s.candidate));
      } else {
        out.log.push_back("peer " + std::to_string(peer) + ": a publish candidate dropped (" +
                          std::to_string(kMaxQueuedCandidates) + " already waiting)");
      }
    }
    return out;
  }
  if (s.kind == SignalKind::Answer) {
    if (p.sub == 0 || !p.sub_joined || !p.awaiting_answer) {
      out.log.push_back("peer " + std::to_string(peer) + ": a subscription answer to no offer, dropped");
      return out;
    }
    p.awaiting_answer = false;
    p.sub_remote = true;
    p.sub_busy = send(out, peer, What::SubStart,
                      MediaCommand{.kind = MediaCommand::Kind::Message,
                                   .handle = p.sub,
                                   .body = json{{"request", "start"}},
                                   .jsep = json{{"type", "answer"}, {"sdp", s.sdp}}});
    flush(out, peer, p.sub, p.sub_candidates);
  } else if (s.kind == SignalKind::Candidate) {
    if (p.sub != 0 && p.sub_remote) {
      trickle(out, peer, p.sub, candidate_json(s.candidate));
    } else if (p.sub_candidates.size() < kMaxQueuedCandidates) {
      p.sub_candidates.push_back(candidate_json(s.candidate));
    } else {
      out.log.push_back("peer " + std::to_string(peer) + ": a subscribe candidate dropped (" +
                        std::to_string(kMaxQueuedCandidates) + " already waiting)");
    }
  }
  return out;
}

MediaOutput MediaSessions::restart(PeerId peer) {
  MediaOutput out;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  it->second.restart = true;
  sync_subscriber(out, peer, it->second);
  return out;
}

MediaOutput MediaSessions::start_over(PeerId peer) {
  MediaOutput out;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  // Bounded per participation (a browser failing the same way each time would start over forever:
  // Janus taking its offer again resets the failures counted).
  if (it->second.failures > kMaxRestarts || ++it->second.browser_losses > kMaxBrowserLosses) {
    out.log.push_back("peer " + std::to_string(peer) + ": its browser lost a media connection; not started over again");
    return out;
  }
  fail(out, peer, it->second, "its browser lost a media connection (a browser operation failed)");
  return out;
}

MediaOutput MediaSessions::layers(PeerId peer, const std::vector<proto::LayerWish>& wishes) {
  MediaOutput out;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  Participant& p = it->second;
  changed_.insert(peer);
  for (const proto::LayerWish& wish : wishes) {
    if (wish.peer == peer) continue;
    const auto other = peers_.find(wish.peer);
    if (other == peers_.end() || other->second.room != p.room) continue;  // gone just now, or never here
    p.layers[wish.peer] = static_cast<int>(wish.layer);  // MediaLayer: Low 0, Medium 1, High 2
  }
  std::erase_if(p.layers, [&](const auto& entry) { return !peers_.contains(entry.first); });
  apply_layers(out, peer, p);
  return out;
}

void MediaSessions::apply_layers(MediaOutput& out, PeerId peer, Participant& p) {
  if (!up_ || p.sub == 0 || !p.sub_joined) return;
  json streams = json::array();
  std::map<std::string, std::pair<PeerId, int>> told;
  for (const proto::MediaStream& s : p.offered.streams) {
    if (s.kind != proto::MediaKind::Video || s.screen) continue;  // a screen is sent in one layer
    const auto wish = p.layers.find(s.peer);
    const int want = wish == p.layers.end() ? 2 : wish->second;
    const auto before = p.layers_told.find(s.mid);
    // A new m-line, or one that now carries another feed: Janus starts it at the highest.
    const int now = before != p.layers_told.end() && before->second.first == s.peer ? before->second.second : 2;
    if (want != now) streams.push_back(json{{"mid", s.mid}, {"substream", want}});
    told[s.mid] = {s.peer, want};
  }
  p.layers_told = std::move(told);
  if (streams.empty()) return;
  send(out, peer, What::SubLayers,
       MediaCommand{.kind = MediaCommand::Kind::Message,
                    .handle = p.sub,
                    .body = json{{"request", "configure"}, {"streams", std::move(streams)}}});
}

void MediaSessions::forget_missing_feeds(Participant& p) {
  if (p.sub_busy != 0 || p.offered.streams.size() >= proto::kMaxMediaStreams) return;  // in flight, or cut short
  std::set<PeerId> present;
  for (const proto::MediaStream& s : p.offered.streams) present.insert(s.peer);
  std::erase_if(p.subscribed, [&](PeerId feed) { return !present.contains(feed); });
}

std::optional<int> MediaSessions::substream(PeerId peer, const std::string& mid) const {
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return std::nullopt;
  const auto told = it->second.layers_told.find(mid);
  if (told == it->second.layers_told.end()) return std::nullopt;
  return told->second.second;
}

MediaOutput MediaSessions::resumed(PeerId peer) {
  MediaOutput out;
  const auto it = peers_.find(peer);
  if (it != peers_.end() && it->second.awaiting_answer) tell(out, peer, proto::RelayedMediaSignal{it->second.offered});
  return out;
}

void MediaSessions::trickle(MediaOutput& out, PeerId peer, JanusId handle, json candidate) {
  send(out, peer, What::Trickle,
       MediaCommand{.kind = MediaCommand::Kind::Trickle, .handle = handle, .body = std::move(candidate)});
}

void MediaSessions::flush(MediaOutput& out, PeerId peer, JanusId handle, std::deque<json>& queue) {
  while (!queue.empty()) {
    trickle(out, peer, handle, std::move(queue.front()));
    queue.pop_front();
  }
}

void MediaSessions::pump_publisher(MediaOutput& out, PeerId peer, Participant& p) {
  if (!up_ || !p.pub_joined || p.pub_busy != 0 || !p.offer) return;
  p.pub_busy = send(out, peer, What::PubConfigure,
                    MediaCommand{.kind = MediaCommand::Kind::Message,
                                 .handle = p.pub,
                                 .body = json{{"request", "configure"}, {"audio", true}, {"video", true}},
                                 .jsep = json{{"type", "offer"}, {"sdp", *p.offer}}});
  p.configuring_mids = sending_mids(*p.offer);
  p.offer.reset();
  p.pub_remote = true;
  flush(out, peer, p.pub, p.pub_candidates);
}

std::set<PeerId> MediaSessions::wanted(PeerId peer, const Participant& p) const {
  std::set<PeerId> feeds;
  for (const auto& [other, q] : peers_) {
    if (other != peer && q.room == p.room && q.publishing && !p.skipped.contains(other)) feeds.insert(other);
  }
  return feeds;
}

void MediaSessions::sync_room(MediaOutput& out, proto::RoomId room, PeerId except) {
  for (auto& [peer, p] : peers_) {
    if (peer != except && p.room == room) sync_subscriber(out, peer, p);
  }
}

void MediaSessions::sync_subscriber(MediaOutput& out, PeerId peer, Participant& p) {
  if (!up_ || !p.ready) return;
  changed_.insert(peer);
  const std::set<PeerId> want = wanted(peer, p);
  // Feeds that stopped: Janus removed their streams itself (and renegotiates).
  std::erase_if(p.subscribed, [&](PeerId feed) { return !want.contains(feed); });
  std::erase_if(p.streams_to_add, [&](const auto& entry) { return !p.subscribed.contains(entry.first); });
  std::erase_if(p.streams_to_drop, [&](const auto& entry) { return !p.subscribed.contains(entry.first); });
  if (p.sub == 0) {
    if (!want.empty() && p.sub_busy == 0) {
      p.sub_busy = send(out, peer, What::SubAttach, MediaCommand{.kind = MediaCommand::Kind::Attach});
    }
    return;
  }
  if (p.sub_busy != 0 || p.awaiting_answer) return;
  if (!p.sub_joined) {
    if (want.empty()) return;
    p.sub_busy = send(out, peer, What::SubJoin,
                      MediaCommand{.kind = MediaCommand::Kind::Message,
                                   .handle = p.sub,
                                   .body = json{{"request", "join"},
                                                {"ptype", "subscriber"},
                                                {"room", p.room},
                                                {"streams", feeds_json(want)}}});
    requests_[p.sub_busy].feeds = want;
    p.subscribed = want;
    return;
  }
  std::set<PeerId> add;
  std::set_difference(want.begin(), want.end(), p.subscribed.begin(), p.subscribed.end(), std::inserter(add, add.end()));
  if (!add.empty()) {
    p.sub_busy = send(out, peer, What::SubChange,
                      MediaCommand{.kind = MediaCommand::Kind::Message,
                                   .handle = p.sub,
                                   .body = json{{"request", "subscribe"}, {"streams", feeds_json(add)}}});
    requests_[p.sub_busy].feeds = add;
    p.subscribed.insert(add.begin(), add.end());
    return;
  }
  for (auto* change : {&p.streams_to_drop, &p.streams_to_add}) {
    if (change->empty()) continue;
    json streams = json::array();
    for (const auto& [feed, mids] : *change)
      for (const std::string& mid : mids) streams.push_back(json{{"feed", feed}, {"mid", mid}});
    const char* request = change == &p.streams_to_add ? "subscribe" : "unsubscribe";
    change->clear();
    p.sub_busy = send(out, peer, What::SubChange,
                      MediaCommand{.kind = MediaCommand::Kind::Message,
                                   .handle = p.sub,
                                   .body = json{{"request", request}, {"streams", std::move(streams)}}});
    return;
  }
  if (p.restart) {
    p.restart = false;
    p.sub_busy = send(out, peer, What::SubRestart,
                      MediaCommand{.kind = MediaCommand::Kind::Message,
                                   .handle = p.sub,
                                   .body = json{{"request", "configure"}, {"restart", true}}});
  }
}

void MediaSessions::add_new_streams(MediaOutput& out, PeerId peer, Participant& p) {
  std::set<std::string> added, dropped;
  std::set_difference(p.configuring_mids.begin(), p.configuring_mids.end(), p.published_mids.begin(), p.published_mids.end(),
                      std::inserter(added, added.end()));
  std::set_difference(p.published_mids.begin(), p.published_mids.end(), p.configuring_mids.begin(), p.configuring_mids.end(),
                      std::inserter(dropped, dropped.end()));
  const bool first = p.published_mids.empty();
  p.published_mids = p.configuring_mids;
  // A first publication reaches the others whole, once it is up ("webrtcup": sync_room).
  if (first || (added.empty() && dropped.empty()) || !p.publishing) return;
  for (auto& [other, q] : peers_) {
    if (other == peer || q.room != p.room || !q.subscribed.contains(peer)) continue;
    for (const std::string& mid : added) {
      if (!q.streams_to_drop[peer].erase(mid)) q.streams_to_add[peer].insert(mid);
    }
    for (const std::string& mid : dropped) {
      if (!q.streams_to_add[peer].erase(mid)) q.streams_to_drop[peer].insert(mid);
    }
    std::erase_if(q.streams_to_add, [](const auto& e) { return e.second.empty(); });
    std::erase_if(q.streams_to_drop, [](const auto& e) { return e.second.empty(); });
    sync_subscriber(out, other, q);
  }
}

void MediaSessions::relay_offer(MediaOutput& out, PeerId peer, Participant& p, const json& data, const json& jsep) {
  proto::MediaSignal signal{.link = MediaLink::Subscribe, .kind = SignalKind::Offer, .sdp = string_of(jsep, "sdp")};
  const auto streams = data.find("streams");
  const bool summary = streams != data.end() && streams->is_array();
  // An ICE restart's offer ("configured", janus_videoroom.c) has no summary: its m-lines are the
  // previous offer's, less those its SDP no longer sends on (a feed Janus dropped meanwhile).
  if (!summary) {
    const std::set<std::string> sending = sending_mids(signal.sdp);
    for (const proto::MediaStream& s : p.offered.streams)
      if (sending.contains(s.mid)) signal.streams.push_back(s);
  }
  if (summary) {
    for (const json& s : *streams) {
      if (signal.streams.size() >= proto::kMaxMediaStreams) break;
      if (!s.is_object() || !s.value("active", false)) continue;
      const std::string type = string_of(s, "type");
      const std::string mid = string_of(s, "mid");
      const auto feed = s.find("feed_id");
      if ((type != "audio" && type != "video") || mid.empty() || mid.size() > proto::kMaxMidBytes ||
          feed == s.end() || !feed->is_number_unsigned()) {
        continue;
      }
      const PeerId publisher = feed->get<PeerId>();
      // A video m-line of the publisher's that is not its camera's is its screen.
      const auto other = peers_.find(publisher);
      const std::string feed_mid = string_of(s, "feed_mid");
      const bool screen = type == "video" && other != peers_.end() && !other->second.camera_mid.empty() &&
                          !feed_mid.empty() && feed_mid != other->second.camera_mid;
      signal.streams.push_back(proto::MediaStream{.mid = mid,
                                                  .peer = publisher,
                                                  .kind = type == "audio" ? proto::MediaKind::Audio : proto::MediaKind::Video,
                                                  .screen = screen});
    }
  }
  p.awaiting_answer = true;
  p.sub_remote = false;
  p.offered = signal;
  tell(out, peer, proto::RelayedMediaSignal{std::move(signal)});
  apply_layers(out, peer, p);  // its m-lines exist in Janus from this offer on
}

MediaOutput MediaSessions::answer(RequestId id, const MediaAnswer& answer) {
  MediaOutput out;
  const auto it = requests_.find(id);
  if (it == requests_.end()) return out;
  const Request request = it->second;
  requests_.erase(it);
  // A detach the link could not deliver: that handle (and its feed, for a publisher) would stay in
  // the session for good; it goes once the link is back with the same session.
  if (request.detaching != 0 && !answer.ok && link_trouble(answer.error.code)) orphans_.insert(request.detaching);
  if (const auto later = detach_later_.find(id); later != detach_later_.end()) {
    for (const JanusId handle : later->second) {
      if (handle != 0) detach(out, handle);
    }
    detach_later_.erase(later);
  }
  if (const auto waiting = start_after_.find(id); waiting != start_after_.end()) {
    const PeerId peer = waiting->second;
    start_after_.erase(waiting);
    const auto p = peers_.find(peer);
    if (p != peers_.end() && p->second.pub_busy == id) {
      p->second.pub_busy = 0;
      if (up_ && p->second.ready) start(out, peer, p->second);
    }
    return out;
  }
  const auto peer = peers_.find(request.peer);
  const bool current = peer != peers_.end() && peer->second.generation == request.generation;
  if (current) changed_.insert(request.peer);
  if (!current) {
    // Left or started over meanwhile: a handle attached for it is not wanted.
    if (answer.ok && answer.handle != 0 && (request.what == What::PubAttach || request.what == What::SubAttach)) {
      detach(out, answer.handle);
    }
    return out;
  }
  on_answer(out, request, peer->second, answer);
  return out;
}

void MediaSessions::on_answer(MediaOutput& out, const Request& request, Participant& p, const MediaAnswer& answer) {
  const PeerId peer = request.peer;
  if (request.what == What::Trickle) {
    if (!answer.ok) out.log.push_back("peer " + std::to_string(peer) + ": a candidate refused: " + answer.error.reason);
    return;
  }
  if (request.what == What::Detach) return;
  if (request.what == What::SubLayers) {
    // Not worth starting over for: the m-line may have gone just then; the next offer tries again.
    if (!answer.ok) {
      out.log.push_back("peer " + std::to_string(peer) + ": Janus refused a layer choice: " + answer.error.reason);
      for (auto& [mid, told] : p.layers_told) told.second = -1;  // not known: all are told again next time
    }
    return;
  }
  const bool on_publisher = request.what == What::PubAttach || request.what == What::PubJoin ||
                            request.what == What::PubKick || request.what == What::PubConfigure;
  if (on_publisher) p.pub_busy = 0;
  else p.sub_busy = 0;
  if (!answer.ok) {
    if (link_trouble(answer.error.code)) {
      p.lost = true;  // dealt with when the link is back
      return;
    }
    constexpr int kNoSuchFeed = 428;  // janus_videoroom.c: JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED
    if (answer.error.janus_code == kNoSuchFeed && (request.what == What::SubJoin || request.what == What::SubChange)) {
      for (const PeerId feed : request.feeds) {
        p.subscribed.erase(feed);
        p.skipped.insert(feed);
      }
      out.log.push_back("peer " + std::to_string(peer) + ": Janus has no feed for a publisher asked for (" +
                        answer.error.reason + "); left out until it changes");
      sync_subscriber(out, peer, p);
      return;
    }
    constexpr int kIdExists = 436;  // JANUS_VIDEOROOM_ERROR_ID_EXISTS
    if (answer.error.janus_code == kIdExists && request.what == What::PubJoin && !p.kicked_stale) {
      // Our feed id is held by a publisher of ours Janus still has, one no record names (its record
      // was never written before the previous run of moim-server stopped): kicked, then joined again.
      p.kicked_stale = true;
      out.log.push_back("peer " + std::to_string(peer) + ": its feed id is held by a stale publisher; kicking it");
      p.pub_busy = send(out, peer, What::PubKick,
                        MediaCommand{.kind = MediaCommand::Kind::Message,
                                     .handle = p.pub,
                                     .body = json{{"request", "kick"}, {"room", p.room}, {"id", peer}}});
      return;
    }
    if (answer.error.janus_code == kNoSuchFeed && request.what == What::PubKick) {
      join_publisher(out, peer, p);  // it went by itself meanwhile
      return;
    }
    const std::string why = "Janus refused " + std::string(request.what == What::PubConfigure ? "a publish offer"
                                                           : request.what == What::SubStart   ? "a subscription answer"
                                                                                              : "a request") +
                            " (" + std::string(to_string(answer.error.code)) + " " + std::to_string(answer.error.janus_code) +
                            " " + answer.error.reason + ")";
    fail(out, peer, p, why);
    return;
  }
  switch (request.what) {
    case What::PubAttach:
      p.pub = answer.handle;
      handles_[p.pub] = peer;
      join_publisher(out, peer, p);
      return;
    case What::PubKick:
      join_publisher(out, peer, p);
      return;
    case What::PubJoin:
      p.pub_joined = true;
      p.kicked_stale = false;
      pump_publisher(out, peer, p);
      sync_subscriber(out, peer, p);  // others may publish already
      return;
    case What::PubConfigure: {
      if (string_of(answer.jsep, "type") != "answer") {
        fail(out, peer, p, "Janus answered a publish offer without an SDP answer");
        return;
      }
      p.failures = 0;
      tell(out, peer,
           proto::RelayedMediaSignal{
               proto::MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Answer, .sdp = string_of(answer.jsep, "sdp")}});
      add_new_streams(out, peer, p);
      pump_publisher(out, peer, p);
      return;
    }
    case What::SubAttach:
      p.sub = answer.handle;
      handles_[p.sub] = peer;
      sync_subscriber(out, peer, p);
      return;
    case What::SubJoin:
    case What::SubChange:
    case What::SubRestart:
      if (request.what == What::SubJoin) p.sub_joined = true;
      if (string_of(answer.jsep, "type") == "offer") {
        relay_offer(out, peer, p, answer.data, answer.jsep);
        if (request.what == What::SubRestart) forget_missing_feeds(p);
      } else if (request.what == What::SubJoin) {
        fail(out, peer, p, "Janus made a subscription without an offer");
        return;
      }
      // "updating": the change goes into the offer Janus sends once the pending answer is in.
      sync_subscriber(out, peer, p);
      return;
    case What::SubStart:
      sync_subscriber(out, peer, p);
      return;
    case What::SubLayers:
    case What::Trickle:
    case What::Detach: return;
  }
}

MediaOutput MediaSessions::event(const HandleEvent& e) {
  MediaOutput out;
  const auto owner = handles_.find(e.handle);
  if (owner == handles_.end()) return out;
  const PeerId peer = owner->second;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  changed_.insert(peer);
  Participant& p = it->second;
  if (e.handle == p.pub) {
    if (e.janus == "webrtcup" || e.janus == "hangup") {
      for (auto& [other, q] : peers_) q.skipped.erase(peer);
    }
    if (e.janus == "webrtcup") {
      // Also when it publishes already as far as we know: a hangup we never heard (lost while
      // moim-server was away) took its feed out of the subscriptions, and this puts it back.
      p.publishing = true;
      sync_room(out, p.room, peer);
    } else if (e.janus == "hangup" && p.publishing) {
      p.publishing = false;
      p.pub_remote = false;
      sync_room(out, p.room, peer);
    } else if (e.janus == "detached") {
      handles_.erase(e.handle);
      p.pub = 0;
      fail(out, peer, p, "Janus detached the publisher handle");
    }
    return out;
  }
  if (e.handle == p.sub) {
    // Janus renegotiating by itself (a publisher left): "updated" with a new offer.
    if (e.janus == "event" && string_of(e.jsep, "type") == "offer") {
      relay_offer(out, peer, p, e.data, e.jsep);
      forget_missing_feeds(p);
    } else if (e.janus == "detached") {
      handles_.erase(e.handle);
      p.sub = 0;
      fail(out, peer, p, "Janus detached the subscriber handle");
    }
  }
  return out;
}

MediaOutput MediaSessions::link_down() {
  MediaOutput out;
  if (!up_) return out;
  up_ = false;
  for (const auto& [peer, p] : peers_) tell(out, peer, proto::MediaState{proto::MediaServerState::Down});
  return out;
}

MediaOutput MediaSessions::link_up(SessionKind kind) {
  MediaOutput out;
  const bool was_down = !up_;
  up_ = true;
  if (kind == SessionKind::Reclaimed) {
    for (const JanusId handle : std::exchange(orphans_, {})) detach(out, handle);
    for (auto& [peer, p] : peers_) {
      if (p.lost) {
        // A request lost with the socket: its state is not known; it starts over.
        const RequestId detach = detach_all(out, p, /*leave_first=*/true);
        p.failures = 0;
        tell(out, peer, proto::MediaState{proto::MediaServerState::Reset});
        if (p.ready) start_after(out, peer, p, detach);
      } else {
        if (was_down) tell(out, peer, proto::MediaState{proto::MediaServerState::Up});
        // Joined while the link was down (a restored session): not started yet.
        if (p.ready && p.pub == 0 && p.pub_busy == 0 && p.failures <= kMaxRestarts) start(out, peer, p);
      }
    }
    for (auto& [peer, p] : peers_) {
      pump_publisher(out, peer, p);  // offers that came while it was down
      sync_subscriber(out, peer, p);
      apply_layers(out, peer, p);  // wishes that came while it was down, or whose request it lost
    }
    return out;
  }
  // A new session: every handle is gone. Each room starts over once the hub has made it again.
  requests_.clear();
  handles_.clear();
  orphans_.clear();
  start_after_.clear();
  detach_later_.clear();
  for (auto& [peer, p] : peers_) {
    const proto::RoomId room = p.room;
    const std::string display = p.display;
    const std::uint64_t generation = p.generation + 1;
    const bool away = p.away;
    p = Participant{};
    p.room = room;
    p.display = display;
    p.generation = generation;
    p.away = away;
    p.ready = false;
    unready_rooms_.insert(room);
    changed_.insert(peer);  // its record's handles are gone: not one to take over after a restart
  }
  return out;
}

MediaOutput MediaSessions::room_ready(proto::RoomId room) {
  MediaOutput out;
  unready_rooms_.erase(room);
  for (auto& [peer, p] : peers_) {
    if (p.room != room || p.ready) continue;
    p.ready = true;
    p.failures = 0;  // a new session of the media server: a new chance
    tell(out, peer, proto::MediaState{proto::MediaServerState::Reset});
    if (up_) start(out, peer, p);
  }
  return out;
}

}  // namespace moim::sfu
