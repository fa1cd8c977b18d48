#include "call_media.hpp"
#include "overloaded.hpp"

#include "browser/glue.hpp"

#include <cstdio>
#include <sstream>

namespace moim {

int CallMedia::request_devices(bool audio, bool video) {
  const int id = next_request_++;
  browser::open_media(id, media_plan::capture_request(audio, video));
  return id;
}

void CallMedia::adopt_local_stream(browser::Handle stream, bool has_audio, bool has_video) {
  release_local();
  local_ = stream;
  local_audio_ = has_audio;
  local_video_ = has_video;
  mic_on_ = camera_on_ = true;
  if (has_video) preview_ = browser::VideoTexture(browser::create_video_for_stream(stream, /*muted=*/true));
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

void CallMedia::set_ice(const proto::IceConfig& ice) {
  if (ice == ice_) return;
  ice_ = ice;
  for (const auto& [_, r] : remotes_) browser::set_peer_ice(r.pc, ice_);
}

std::vector<proto::Signal> CallMedia::execute(const signaling::Effects& effects) {
  std::vector<proto::Signal> outgoing;
  for (const auto& effect : effects) {
    std::visit(Overloaded{
                   [&](const signaling::CreatePeerConnection& e) {
                     auto& r = remotes_[e.peer];
                     if (r.pc) browser::close_peer(r.pc);
                     r = RemoteMedia{};
                     r.pc = browser::create_peer(local_, ice_, media_plan::sdp_layout(local_audio_, local_video_));
                   },
                   [&](const signaling::CreateOffer& e) {
                     if (auto it = remotes_.find(e.peer); it != remotes_.end()) browser::create_offer(it->second.pc);
                   },
                   [&](const signaling::CreateAnswer& e) {
                     if (auto it = remotes_.find(e.peer); it != remotes_.end()) browser::create_answer(it->second.pc);
                   },
                   [&](const signaling::RestartIce& e) {
                     if (auto it = remotes_.find(e.peer); it != remotes_.end()) browser::restart_ice(it->second.pc);
                   },
                   [&](const signaling::RollbackLocalOffer& e) {
                     if (auto it = remotes_.find(e.peer); it != remotes_.end()) browser::rollback(it->second.pc);
                   },
                   [&](const signaling::SetRemoteDescription& e) {
                     if (auto it = remotes_.find(e.peer); it != remotes_.end())
                       browser::set_remote_description(it->second.pc, e.kind == proto::SignalKind::Offer ? "offer" : "answer", e.sdp);
                   },
                   [&](const signaling::AddRemoteCandidate& e) {
                     if (auto it = remotes_.find(e.peer); it != remotes_.end()) browser::add_ice_candidate(it->second.pc, e.candidate);
                   },
                   [&](const signaling::SendToPeer& e) { outgoing.push_back(e.signal); },
                   [&](const signaling::ClosePeerConnection& e) {
                     if (auto it = remotes_.find(e.peer); it != remotes_.end()) {
                       it->second.video.reset();
                       browser::close_peer(it->second.pc);
                       remotes_.erase(it);
                     }
                   },
                   [&](const signaling::Log& e) { std::printf("moim signaling: %s\n", e.text.c_str()); },
               },
               effect);
  }
  return outgoing;
}

std::optional<proto::PeerId> CallMedia::peer_of(browser::Handle pc) const {
  for (const auto& [id, r] : remotes_)
    if (r.pc == pc) return id;
  return std::nullopt;
}

std::optional<signaling::Event> CallMedia::translate(const browser::Event& event) {
  return std::visit(
      Overloaded{
          [&](const browser::LocalDescription& e) -> std::optional<signaling::Event> {
            auto peer = peer_of(e.pc);
            if (!peer) return std::nullopt;
            const auto kind = e.type == "offer" ? proto::SignalKind::Offer : proto::SignalKind::Answer;
            return signaling::LocalDescriptionCreated{*peer, kind, e.sdp};
          },
          [&](const browser::RemoteDescriptionApplied& e) -> std::optional<signaling::Event> {
            auto peer = peer_of(e.pc);
            if (!peer) return std::nullopt;
            return signaling::RemoteDescriptionApplied{*peer};
          },
          [&](const browser::IceCandidate& e) -> std::optional<signaling::Event> {
            auto peer = peer_of(e.pc);
            if (!peer) return std::nullopt;
            return signaling::LocalCandidateGathered{*peer, e.candidate};
          },
          [&](const browser::ConnectionState& e) -> std::optional<signaling::Event> {
            auto peer = peer_of(e.pc);
            if (!peer) return std::nullopt;
            remotes_[*peer].connection = e.state;
            auto state = signaling::connection_state_from_string(e.state);
            if (!state) return std::nullopt;
            return signaling::ConnectionStateChanged{*peer, *state};
          },
          [&](const browser::PeerError& e) -> std::optional<signaling::Event> {
            auto peer = peer_of(e.pc);
            if (!peer) return std::nullopt;
            return signaling::BrowserOperationFailed{*peer, e.what};
          },
          [&](const browser::RemoteVideo& e) -> std::optional<signaling::Event> {
            if (auto peer = peer_of(e.pc)) remotes_[*peer].video = browser::VideoTexture(e.video);
            else browser::destroy_video(e.video);
            return std::nullopt;
          },
          [&](const browser::Stats& e) -> std::optional<signaling::Event> {
            if (auto peer = peer_of(e.pc)) {
              auto& r = remotes_[*peer];
              r.frames_decoded = e.frames_decoded;
              r.audio_energy = e.audio_energy;
              r.audio_level = e.audio_level;
              r.audio_live = e.audio_live;
              r.pair = ice::parse_pair(e.local_candidate, e.remote_candidate, e.protocol, e.relay_protocol);
            }
            return std::nullopt;
          },
          [&](const auto&) -> std::optional<signaling::Event> { return std::nullopt; },
      },
      event);
}

void CallMedia::request_stats() {
  for (const auto& [_, r] : remotes_) browser::request_stats(r.pc);
}

bool CallMedia::upload_frames() {
  if (camera_on()) preview_.update();
  bool first = false;
  for (auto& [_, r] : remotes_) {
    if (r.video.update() && r.video.frames_uploaded() == 1) first = true;
  }
  return first;
}

const RemoteMedia* CallMedia::remote(proto::PeerId peer) const {
  auto it = remotes_.find(peer);
  return it == remotes_.end() ? nullptr : &it->second;
}

void CallMedia::fit_remote(proto::PeerId peer, int w, int h) {
  if (auto it = remotes_.find(peer); it != remotes_.end()) it->second.video.fit(w, h);
}

void CallMedia::release_all() {
  for (auto& [_, r] : remotes_) {
    r.video.reset();
    browser::close_peer(r.pc);
  }
  remotes_.clear();
  release_local();
}

}  // namespace moim
