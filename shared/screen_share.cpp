#include "screen_share.hpp"

#include "overloaded.hpp"

namespace moim::screen_share {

std::string_view to_string(State state) {
  switch (state) {
    case State::Off: return "off";
    case State::Requesting: return "requesting";
    case State::Sharing: return "sharing";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, State state) { return os << to_string(state); }

std::ostream& operator<<(std::ostream& os, const Event& event) {
  std::visit(Overloaded{
                 [&](const ShareClicked&) { os << "ShareClicked"; },
                 [&](const StopClicked&) { os << "StopClicked"; },
                 [&](const CaptureStarted& e) { os << "CaptureStarted{" << e.request << ' ' << e.capture << '}'; },
                 [&](const CaptureFailed& e) { os << "CaptureFailed{" << e.request << ' ' << e.name << '}'; },
                 [&](const CaptureEnded& e) { os << "CaptureEnded{" << e.capture << '}'; },
                 [&](const CallEnded&) { os << "CallEnded"; },
             },
             event);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Effect& effect) {
  std::visit(Overloaded{
                 [&](const RequestCapture& e) { os << "RequestCapture{" << e.request << '}'; },
                 [&](const Attach& e) { os << "Attach{" << e.capture << '}'; },
                 [&](const Detach&) { os << "Detach"; },
                 [&](const Release& e) { os << "Release{" << e.capture << '}'; },
                 [&](const Notice& e) { os << "Notice{" << e.text << '}'; },
             },
             effect);
  return os;
}

Effects Machine::handle(const Event& event) {
  return std::visit(
      Overloaded{
          [&](const ShareClicked&) -> Effects {
            if (state_ != State::Off) return {};  // already asked, or sharing
            state_ = State::Requesting;
            return {RequestCapture{++request_}};
          },
          [&](const StopClicked&) -> Effects {
            if (state_ == State::Requesting) {  // its capture, if one comes, is released then
              state_ = State::Off;
              return {};
            }
            if (state_ != State::Sharing) return {};
            const Capture c = capture_;
            state_ = State::Off;
            capture_ = 0;
            return {Detach{}, Release{c}};
          },
          [&](const CaptureStarted& e) -> Effects {
            if (e.capture == 0) return {};
            if (state_ != State::Requesting || e.request != request_) return {Release{e.capture}};  // not wanted (any more)
            state_ = State::Sharing;
            capture_ = e.capture;
            return {Attach{e.capture}};
          },
          [&](const CaptureFailed& e) -> Effects {
            if (state_ != State::Requesting || e.request != request_) return {};
            state_ = State::Off;
            if (e.name == "NotAllowedError" || e.name == "AbortError") return {};  // the person said no
            return {Notice{{ui_text::Id::ScreenUnavailable, {e.message.empty() ? e.name : e.message}}}};
          },
          [&](const CaptureEnded& e) -> Effects {
            if (state_ != State::Sharing || e.capture != capture_) return {};  // an old capture's late end
            state_ = State::Off;
            capture_ = 0;
            return {Detach{}, Release{e.capture}};
          },
          [&](const CallEnded&) -> Effects {
            // The connections go with the call: nothing to take off them.
            const Capture c = capture_;
            state_ = State::Off;
            capture_ = 0;
            if (c) return {Release{c}};
            return {};
          },
      },
      event);
}

}  // namespace moim::screen_share
