#include "call_media.hpp"

#include "overloaded.hpp"
#include "peer_protocol.hpp"

#include "browser/glue.hpp"

#include <cstdio>

namespace moim {

void CallMedia::request_devices(int request, bool audio, bool video, const std::string& camera, const std::string& mic) {
  browser::open_media(request, media_plan::capture_request(audio, video, camera, mic));
}

void CallMedia::adopt_local_stream(browser::Handle stream, bool has_audio, bool has_video) {
  release_local();
  local_ = stream;
  local_audio_ = has_audio;
  local_video_ = has_video;
  if (has_audio && !mic_on_) browser::set_track_enabled(local_, true, false);
  if (has_video && !camera_on_) browser::set_track_enabled(local_, false, false);
  if (has_video) preview_ = browser::VideoTexture(browser::create_video_for_stream(stream, /*muted=*/true));
}

void CallMedia::camera_switched() {
  // The preview's element (or frame worker) read the old track; a new one reads the stream as it is.
  if (local_ && local_video_) preview_ = browser::VideoTexture(browser::create_video_for_stream(local_, /*muted=*/true));
}

void CallMedia::release_local() {
  preview_.reset();
  if (local_) browser::close_media(local_);  // stops the tracks: the camera light goes off
  local_ = 0;
  local_audio_ = local_video_ = false;
}

void CallMedia::set_mic(bool on) {
  mic_on_ = on;
  if (local_) browser::set_track_enabled(local_, true, on);
}

void CallMedia::set_camera(bool on) {
  camera_on_ = on;
  if (local_) browser::set_track_enabled(local_, false, on);
}

std::vector<proto::PeerId> CallMedia::set_screen(browser::Handle capture) {
  std::vector<proto::PeerId> changed;
  if (capture == screen_) return changed;
  screen_ = capture;
  // A large room: our screen goes out on the publication alone (its people's feeds send nothing).
  if (const browser::Handle publication = links_.handle(signaling::kPublishLink)) {
    browser::attach_screen(publication, screen_);
    return {signaling::kPublishLink};
  }
  for (const Peers::Peer* p : peers_.in_order()) {
    Peers::Connection* c = peers_.connection(p->info.id);
    if (!c) continue;
    browser::attach_screen(c->browser.handle(), screen_);
    changed.push_back(p->info.id);
  }
  return changed;
}

void CallMedia::resume_sound() const { browser::resume_sound(); }

void CallMedia::set_ice(const proto::IceConfig& ice) {
  if (ice == ice_) return;
  ice_ = ice;
  peers_.for_each_connection([&](Peers::Connection& c) { browser::set_peer_ice(c.browser.handle(), ice_); });
  links_.set_ice(ice_);
}

std::vector<proto::Signal> CallMedia::execute(const signaling::Effects& effects) {
  std::vector<proto::Signal> outgoing;
  // The handle of `peer`'s connection (or a media server link's), or 0 when it has none (closed, or never made).
  const auto pc = [&](proto::PeerId peer) {
    if (signaling::is_media_server_link(peer)) return links_.handle(peer);
    const Peers::Connection* c = peers_.connection(peer);
    return c ? c->browser.handle() : 0;
  };
  for (const auto& effect : effects) {
    std::visit(Overloaded{
                   [&](const signaling::CreatePeerConnection& e) {
                     if (signaling::is_media_server_link(e.peer)) {
                       links_.create(e.peer, local_, screen_, ice_, local_audio_, local_video_);
                       return;
                     }
                     if (!peers_.find(e.peer)) {
                       std::printf("moim: no connection for peer %llu: not in the call's list\n",
                                   static_cast<unsigned long long>(e.peer));
                       return;
                     }
                     // Every connection carries the chat channel (shared/peer_protocol.hpp) from its first offer.
                     const browser::Handle h =
                         browser::create_peer(local_, screen_, ice_, media_plan::sdp_layout(local_audio_, local_video_),
                                              browser::DataChannelSpec{p2p::kChannelLabel, p2p::kChannelId,
                                                                       p2p::kMaxPeerMessageBytes});
                     if (!h) std::printf("moim: the browser could not make a connection for peer %llu\n",
                                         static_cast<unsigned long long>(e.peer));
                     peers_.connect(e.peer, PeerConnection(h));  // replaces any; a failed one (0) is not attached
                   },
                   [&](const signaling::CreateOffer& e) {
                     if (const auto h = pc(e.peer)) browser::create_offer(h);
                   },
                   [&](const signaling::CreateAnswer& e) {
                     if (const auto h = pc(e.peer)) browser::create_answer(h);
                   },
                   [&](const signaling::RestartIce& e) {
                     if (const auto h = pc(e.peer)) browser::restart_ice(h);
                   },
                   [&](const signaling::RollbackLocalOffer& e) {
                     if (const auto h = pc(e.peer)) browser::rollback(h);
                   },
                   [&](const signaling::SetRemoteDescription& e) {
                     if (e.peer == signaling::kSubscribeLink && e.kind == proto::SignalKind::Offer) links_.applying(e.sdp);
                     if (const auto h = pc(e.peer))
                       browser::set_remote_description(h, e.kind == proto::SignalKind::Offer ? "offer" : "answer", e.sdp);
                   },
                   [&](const signaling::AddRemoteCandidate& e) {
                     if (const auto h = pc(e.peer)) browser::add_ice_candidate(h, e.candidate);
                   },
                   [&](const signaling::SendToPeer& e) { outgoing.push_back(e.signal); },
                   [&](const signaling::ClosePeerConnection& e) {
                     if (signaling::is_media_server_link(e.peer)) links_.close(e.peer);
                     else peers_.disconnect(e.peer);
                   },
                   [&](const signaling::Log& e) { std::printf("moim signaling: %s\n", e.text.c_str()); },
                   [&](const signaling::RequestIceRestart&) {},  // a message to the server: App sends it
                   [&](const signaling::RequestMediaStartOver&) {},  // likewise
               },
               effect);
  }
  return outgoing;
}

std::optional<CallMedia::PeerEvent> CallMedia::translate(const browser::Event& event) {
  if (auto link_event = translate_link(event)) return link_event;
  return std::visit(
      Overloaded{
          [&](const browser::LocalDescription& e) -> std::optional<PeerEvent> {
            const Peers::Peer* p = peers_.by_handle(e.pc);
            if (!p) return std::nullopt;
            const auto kind = e.type == "offer" ? proto::SignalKind::Offer : proto::SignalKind::Answer;
            return signaling::Event{signaling::LocalDescriptionCreated{p->info.id, kind, e.sdp}};
          },
          [&](const browser::RemoteDescriptionApplied& e) -> std::optional<PeerEvent> {
            const Peers::Peer* p = peers_.by_handle(e.pc);
            if (!p) return std::nullopt;
            return signaling::Event{signaling::RemoteDescriptionApplied{p->info.id}};
          },
          [&](const browser::IceCandidate& e) -> std::optional<PeerEvent> {
            const Peers::Peer* p = peers_.by_handle(e.pc);
            if (!p) return std::nullopt;
            return signaling::Event{signaling::LocalCandidateGathered{p->info.id, e.candidate}};
          },
          [&](const browser::ConnectionState& e) -> std::optional<PeerEvent> {
            const Peers::Peer* p = peers_.by_handle(e.pc);
            const auto state = signaling::connection_state_from_string(e.state);
            if (!p || !state) return std::nullopt;
            return peer_health::StateChanged{p->info.id, *state};
          },
          [&](const browser::PeerError& e) -> std::optional<PeerEvent> {
            const Peers::Peer* p = peers_.by_handle(e.pc);
            if (!p) return std::nullopt;
            return signaling::Event{signaling::BrowserOperationFailed{p->info.id, e.what}};
          },
          [&](const browser::RemoteVideo& e) -> std::optional<PeerEvent> {
            if (Peers::Peer* p = peers_.by_handle(e.pc)) p->connection->browser.video() = browser::VideoTexture(e.video);
            else browser::destroy_video(e.video);
            return std::nullopt;
          },
          [&](const browser::SoundBlocked& e) -> std::optional<PeerEvent> {
            sound_blocked_ = e.blocked;
            return std::nullopt;
          },
          [&](const browser::RemoteScreen& e) -> std::optional<PeerEvent> {
            if (Peers::Peer* p = peers_.by_handle(e.pc)) p->connection->browser.screen() = browser::VideoTexture(e.video);
            else if (e.video) browser::destroy_video(e.video);
            return std::nullopt;
          },
          [&](const browser::Stats& e) -> std::optional<PeerEvent> {
            if (Peers::Peer* p = peers_.by_handle(e.pc)) {
              ConnectionStats& s = p->connection->stats;
              s.frames_decoded = e.frames_decoded;
              s.screen_frames_decoded = e.screen_frames_decoded;
              s.audio_energy = e.audio_energy;
              s.audio_level = e.audio_level;
              s.audio_live = e.audio_live;
              s.pair = ice::parse_pair(e.local_candidate, e.remote_candidate, e.protocol, e.relay_protocol);
              p->connection->meter.feed(e.counters);
            }
            return std::nullopt;
          },
          [&](const auto&) -> std::optional<PeerEvent> { return std::nullopt; },
      },
      event);
}

std::optional<CallMedia::PeerEvent> CallMedia::translate_link(const browser::Event& event) {
  // The handle of the event's connection, if it names one and it is a link to the media server.
  const auto link = [&](browser::Handle h) { return links_.link_of(h); };
  return std::visit(
      Overloaded{
          [&](const browser::LocalDescription& e) -> std::optional<PeerEvent> {
            const auto id = link(e.pc);
            if (!id) return std::nullopt;
            const auto kind = e.type == "offer" ? proto::SignalKind::Offer : proto::SignalKind::Answer;
            return signaling::Event{signaling::LocalDescriptionCreated{*id, kind, e.sdp}};
          },
          [&](const browser::RemoteDescriptionApplied& e) -> std::optional<PeerEvent> {
            const auto id = link(e.pc);
            if (!id) return std::nullopt;
            return signaling::Event{signaling::RemoteDescriptionApplied{*id}};
          },
          [&](const browser::IceCandidate& e) -> std::optional<PeerEvent> {
            const auto id = link(e.pc);
            if (!id) return std::nullopt;
            return signaling::Event{signaling::LocalCandidateGathered{*id, e.candidate}};
          },
          [&](const browser::ConnectionState& e) -> std::optional<PeerEvent> {
            const auto id = link(e.pc);
            const auto state = signaling::connection_state_from_string(e.state);
            if (!id || !state) return std::nullopt;
            return peer_health::StateChanged{*id, *state};
          },
          [&](const browser::PeerError& e) -> std::optional<PeerEvent> {
            const auto id = link(e.pc);
            if (!id) return std::nullopt;
            return signaling::Event{signaling::BrowserOperationFailed{*id, e.what}};
          },
          [&](const auto&) -> std::optional<PeerEvent> { return std::nullopt; },
      },
      event);
}

void CallMedia::request_stats() {
  peers_.for_each_connection([](Peers::Connection& c) { browser::request_stats(c.browser.handle()); });
}

bool CallMedia::upload_frames() {
  // Also while our camera is off (its track then gives black frames): a frame left waiting in the
  // glue would keep the frame loop waking for nothing, and a first one would turn the pacing off.
  preview_.update();
  bool first = false;
  peers_.for_each_connection([&](Peers::Connection& c) {
    browser::VideoTexture& video = c.browser.video();
    if (video.update() && video.frames_uploaded() == 1) first = true;
    c.browser.screen().update();
  });
  return first;
}

void CallMedia::show_drawn(const DrawnVideos& drawn) {
  if (drawn.own_camera) preview_.fit(static_cast<int>(drawn.own_camera->width), static_cast<int>(drawn.own_camera->height));
  preview_.set_drawn(drawn.own_camera.has_value() && camera_on());
  for (const Peers::Peer* p : peers_.in_order()) {
    Peers::Connection* c = peers_.connection(p->info.id);
    if (!c) continue;
    const auto camera = drawn.cameras.find(p->info.id);
    const auto screen = drawn.screens.find(p->info.id);
    if (camera != drawn.cameras.end()) c->browser.video().fit(static_cast<int>(camera->second.width), static_cast<int>(camera->second.height));
    if (screen != drawn.screens.end()) c->browser.screen().fit(static_cast<int>(screen->second.width), static_cast<int>(screen->second.height));
    c->browser.video().set_drawn(p->info.camera && camera != drawn.cameras.end());
    c->browser.screen().set_drawn(screen != drawn.screens.end());
  }
}

}  // namespace moim
