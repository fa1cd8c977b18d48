// Which camera and microphone a person uses, as a machine: the devices the browser lists
// (enumerateDevices, again on each devicechange), the person's choice (remembered across visits),
// the stream we hold (what its tracks really come from) and the answers to switching a track in,
// what the app must do out: remember a choice, switch the stream's track of one kind to another
// device (in a call the senders take the new track without renegotiation: replaceTrack), tell the
// person about a device unplugged or plugged in. No browser in here: tests/unit/device_choice_test.cpp
// runs the table.
//
// Rules:
//  - The choice: remembered ids come first. The call's request asks for them as "ideal" (a device
//    absent today must not fail it); the browser may give another even when the wanted one is
//    there, so a stream that opens from another device while the wanted one is listed is switched to
//    it at once. An absent one stays wanted for the day it is back. The picker shows the device in
//    use while a stream is held, the wanted one otherwise.
//  - Choosing while no stream is held (or the stream has no track of that kind): remembered, used
//    at the next request. While one is held: that kind's track is switched; remembered once the
//    browser gave it. Switches are numbered: only the latest one's answer counts.
//  - A device in use that leaves the list (unplugged) while the stream is held: switched to the
//    first one left of its kind, with a notice; none left: a notice, and no device of that kind in
//    use. A device new to the list: a notice, no switch (the person decides). Only a list taken while
//    a stream is held counts: before the browser's permission, lists have no ids and no labels.
#pragma once

#include "ui_text.hpp"

#include <array>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::device_choice {

enum class Kind { Camera, Mic };
std::string_view to_string(Kind kind);  // "camera", "mic"

struct Device {
  std::string id;     // the browser's deviceId (stable for this site)
  std::string label;  // "" before permission (the pickers name such a device "Camera 2")
  bool operator==(const Device&) const = default;
};

// ---- events
struct Remembered { std::string camera, mic; };         // the earlier choice (storage), at start
struct Listed { std::vector<Device> cameras, mics; };   // enumerateDevices' video and audio inputs
struct StreamOpened { std::string camera, mic; };       // the held stream's tracks' devices ("" = no such track)
struct StreamClosed {};
struct Chosen { Kind kind = Kind::Camera; std::string id; };  // the person picked a device
struct Switched { int request = 0; Kind kind = Kind::Camera; std::string id; };
struct SwitchFailed { int request = 0; Kind kind = Kind::Camera; std::string name, message; };
using Event = std::variant<Remembered, Listed, StreamOpened, StreamClosed, Chosen, Switched, SwitchFailed>;

// ---- effects
struct Remember {
  Kind kind = Kind::Camera;
  std::string id;
  bool operator==(const Remember&) const = default;
};
// Open `id` alone and put its track in the held stream in place of the old one (and on every sender).
struct SwitchTrack {
  int request = 0;
  Kind kind = Kind::Camera;
  std::string id;
  bool operator==(const SwitchTrack&) const = default;
};
enum class NoticeKind {
  Unplugged,          // `device` left; nothing of its kind is left to use
  UnpluggedSwitched,  // `device` left; `other` is used instead
  PluggedIn,          // `device` is new; it can be chosen
  SwitchFailed,       // switching to `device` failed; `other` is the browser's reason
};
struct Notice {
  NoticeKind what = NoticeKind::Unplugged;
  Kind kind = Kind::Camera;
  std::string device, other;  // labels (or the reason, for SwitchFailed)
  bool operator==(const Notice&) const = default;
};
ui_text::Message notice_message(const Notice& notice);  // the sentence the person reads (shared/ui_text)
using Effect = std::variant<Remember, SwitchTrack, Notice>;
using Effects = std::vector<Effect>;

std::ostream& operator<<(std::ostream& os, const Event& event);
std::ostream& operator<<(std::ostream& os, const Effect& effect);

class Machine {
 public:
  Effects handle(const Event& event);

  const std::vector<Device>& devices(Kind kind) const { return of(kind).list; }
  // The device to ask for at the next request ("" = the browser's default).
  const std::string& wanted(Kind kind) const { return of(kind).wanted; }
  const std::string& in_use(Kind kind) const { return of(kind).in_use; }
  // What the picker shows as chosen: the device in use while a stream is held, else the wanted one.
  const std::string& shown(Kind kind) const;
  bool switching(Kind kind) const { return of(kind).pending != 0; }
  bool holding() const { return holding_; }

 private:
  struct PerKind {
    std::vector<Device> list;
    bool counted = false;  // the list was taken while a stream was held (its changes are news)
    std::string wanted, in_use;
    int pending = 0;  // the switch in flight (its request number), 0 none
    bool check_wanted = false;  // a stream just opened: is it from the wanted device (once the list is known)?
  };
  PerKind& of(Kind kind) { return kinds_[kind == Kind::Camera ? 0 : 1]; }
  const PerKind& of(Kind kind) const { return kinds_[kind == Kind::Camera ? 0 : 1]; }
  void relist(Kind kind, std::vector<Device> list, Effects& out);
  void switch_to(Kind kind, const std::string& id, Effects& out);
  void honour_wanted(Kind kind, Effects& out);

  std::array<PerKind, 2> kinds_;
  bool holding_ = false;
  int request_ = 0;
};

}  // namespace moim::device_choice
