// Our screen share in a call, as a machine: the person's Share / Stop clicks, the browser's capture
// (getDisplayMedia, its answer, its own "Stop sharing" bar ending the track) and the end of the call
// in; what the app must do out: ask for a capture, put the screen on every connection or take it off
// (each then renegotiates: signaling::NegotiationNeeded), release a capture. No browser in here:
// tests/unit/screen_share_test.cpp runs every state against every event.
//
// Rules:
//  - One capture at a time. Requests are numbered: a capture that arrives when it is no longer
//    wanted (Stop clicked or the call ended while the browser's picker was open, the answer to an
//    earlier request) is released at once.
//  - The person closing the picker is not an error (nothing shown); any other refusal is a notice.
//  - The browser's own stop (the capture's track ended) is a stop like the button's.
#pragma once

#include "ui_text.hpp"

#include <cstdint>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace moim::screen_share {

using Capture = std::uint32_t;  // the browser's handle of a screen capture (never 0)

enum class State { Off, Requesting, Sharing };
std::string_view to_string(State state);
std::ostream& operator<<(std::ostream& os, State state);

// ---- events
struct ShareClicked {};
struct StopClicked {};
struct CaptureStarted { int request = 0; Capture capture = 0; };
// The browser refused: `name` is the DOMException's name ("NotAllowedError" when the person closed
// the picker or denied it), `message` its text.
struct CaptureFailed { int request = 0; std::string name; std::string message; };
struct CaptureEnded { Capture capture = 0; };  // the track ended (the browser's "Stop sharing")
struct CallEnded {};
using Event = std::variant<ShareClicked, StopClicked, CaptureStarted, CaptureFailed, CaptureEnded, CallEnded>;

// ---- effects
struct RequestCapture { int request = 0; bool operator==(const RequestCapture&) const = default; };
// Put the capture on every connection (and on every one made while it lasts); each renegotiates.
struct Attach { Capture capture = 0; bool operator==(const Attach&) const = default; };
// Take it off every connection; each renegotiates.
struct Detach { bool operator==(const Detach&) const = default; };
struct Release { Capture capture = 0; bool operator==(const Release&) const = default; };  // stop its tracks
struct Notice { ui_text::Message text; bool operator==(const Notice&) const = default; };  // for the person
using Effect = std::variant<RequestCapture, Attach, Detach, Release, Notice>;
using Effects = std::vector<Effect>;

std::ostream& operator<<(std::ostream& os, const Event& event);
std::ostream& operator<<(std::ostream& os, const Effect& effect);

class Machine {
 public:
  Effects handle(const Event& event);
  State state() const { return state_; }
  Capture capture() const { return capture_; }  // while Sharing, else 0
  bool sharing() const { return state_ == State::Sharing; }

 private:
  State state_ = State::Off;
  Capture capture_ = 0;
  int request_ = 0;  // the latest request's number (the one a Requesting state waits for)
};

}  // namespace moim::screen_share
