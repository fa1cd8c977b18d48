// The camera and microphone a person uses, before joining and in a call: shared/device_choice
// decides; this feeds it the browser's lists and answers, carries out its effects (remember a
// choice in localStorage, switch a track of our stream through CallMedia's handle, word a notice)
// and reads the microphone's level for the meter while one is shown.
#pragma once

#include "browser/events.hpp"
#include "call_media.hpp"
#include "device_choice.hpp"
#include "ui/views.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace moim {

class CallDevices {
 public:
  static constexpr double kLevelPollMs = 66;  // the meter moves ~15 times a second
  static constexpr const char* kCameraKey = "moim.camera";  // localStorage: the chosen devices' ids
  static constexpr const char* kMicKey = "moim.mic";

  explicit CallDevices(CallMedia& media) : media_(media) {}
  CallDevices(const CallDevices&) = delete;
  CallDevices& operator=(const CallDevices&) = delete;

  void start();  // the remembered choice (at the page's start)
  // DevicesListed / TrackSwitched / TrackSwitchFailed: a notice for the person (empty = none);
  // nullopt for any other event.
  std::optional<ui_text::Message> handle(const browser::Event& event);
  // Our stream opened (with tracks from these devices) or was released.
  void stream_opened(const std::string& camera, const std::string& mic);
  void stream_closed();
  // The person picked the `index`th listed device of `kind` (an index off the list changes nothing).
  ui_text::Message choose(device_choice::Kind kind, std::size_t index);

  const std::string& wanted(device_choice::Kind kind) const { return machine_.wanted(kind); }

  // The meter: while `shown` (the lobby's card, the call's devices panel), the level is read every
  // kLevelPollMs; returns true when the meter would look different.
  bool poll_level(double now_ms, bool shown);
  // When the meter wants its next reading (page clock); nullopt while none is shown.
  std::optional<double> next_poll_at() const { return metering_ ? std::optional(next_poll_) : std::nullopt; }

  // The call's devices panel (one of the side panels: wasm/side_panel.hpp).
  void set_panel_open(bool open) { open_ = open; }
  bool panel_open() const { return open_; }

  ui::DevicesModel model(ui_text::Lang lang) const;  // unlabelled devices named in `lang`
  nlohmann::json state_json() const;  // state().devices (docs/TESTING.md)

 private:
  ui_text::Message apply(const device_choice::Effects& effects);

  CallMedia& media_;
  device_choice::Machine machine_;
  double next_poll_ = 0;
  bool metering_ = false;
  bool open_ = false;
  float level_ = 0;  // 0..1, what the meter shows (peaks fall back slowly)
  int shown_step_ = -1;  // the meter's drawn step (a redraw only when it changes)
};

}  // namespace moim
