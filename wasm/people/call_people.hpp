// The call's participant panel in the browser: everyone in the call, ourselves first, with microphone
// and camera state, how each is connected (peer health), and whether a file can go to them now (their
// channel is open); and whether the panel is open. Read-only over the call and the peer table; App
// wires it, wasm/side_panel.hpp keeps it and the chat one at a time.
#pragma once

#include "client_state.hpp"
#include "peer_connection.hpp"
#include "peer_health.hpp"
#include "ui/views.hpp"

#include <optional>

namespace moim {

class CallPeople {
 public:
  CallPeople(const Peers& peers, const peer_health::Machine& health) : peers_(peers), health_(health) {}
  CallPeople(const CallPeople&) = delete;
  CallPeople& operator=(const CallPeople&) = delete;

  void set_panel_open(bool open) { open_ = open; }
  bool panel_open() const { return open_; }  // state().peopleOpen

  // The panel's rows (none outside a call), in `lang`; `mic` and `camera`: ours, as we send them.
  ui::PeopleModel model(ui_text::Lang lang, const std::optional<CallInfo>& call, bool mic, bool camera) const;

 private:
  const Peers& peers_;
  const peer_health::Machine& health_;
  bool open_ = false;  // kept across calls, like the chat panel's
};

}  // namespace moim
