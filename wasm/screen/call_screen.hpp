// Screen sharing in a call: our share (shared/screen_share.hpp decides; this carries out its effects:
// the browser's capture, our own preview of it, putting it on every connection through CallMedia)
// and the peers' shares as the presenter layout shows them (whose is large: the latest to start,
// unless the person chose another).
#pragma once

#include "browser/events.hpp"
#include "browser/video_texture.hpp"
#include "call_media.hpp"
#include "peer_connection.hpp"
#include "screen_share.hpp"
#include "ui/views.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace moim {

class CallScreen {
 public:
  // What the app must do after an event: renegotiate these connections, show a notice (if any).
  struct Outcome {
    std::vector<proto::PeerId> renegotiate;
    ui_text::Message notice;
  };

  CallScreen(CallMedia& media, const Peers& peers) : media_(media), peers_(peers) {}
  CallScreen(const CallScreen&) = delete;
  CallScreen& operator=(const CallScreen&) = delete;

  // The share button (from the person's click: the browser's picker needs it).
  Outcome toggle();
  // ScreenOpened / ScreenFailed / ScreenEnded; nullopt for any other event.
  std::optional<Outcome> handle(const browser::Event& event);
  // The call ended: the capture goes (the connections go with the call).
  void call_ended();
  // After events: the peers' shares in the order they started (the latest is shown large).
  void follow_peers();
  // The person chose whose screen is large (a peer's id, or 0 for our own).
  void show(proto::PeerId peer) { chosen_ = peer, chosen_self_ = peer == 0; }

  bool sharing() const { return machine_.sharing(); }
  screen_share::State state() const { return machine_.state(); }
  browser::VideoTexture& preview() { return preview_; }
  const browser::VideoTexture& preview() const { return preview_; }
  // The screens of the call for the presenter layout: the large one first (none: the grid).
  std::vector<ui::ScreenView> model() const;
  // state().room.presenter: whose screen is large (a peer id, "self"), or null.
  nlohmann::json presenter_json() const;

 private:
  Outcome apply(const screen_share::Effects& effects);

  CallMedia& media_;
  const Peers& peers_;
  screen_share::Machine machine_;
  browser::VideoTexture preview_;  // our own capture, as we see it
  std::map<proto::PeerId, std::uint64_t> started_;  // sharing peers: when we saw each start
  std::uint64_t sequence_ = 0;
  proto::PeerId chosen_ = 0;  // a peer's screen the person chose to see large (0: the latest)
  bool chosen_self_ = false;  // our own, chosen
};

}  // namespace moim
