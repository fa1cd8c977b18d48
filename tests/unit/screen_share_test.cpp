// Our screen share as a machine (shared/screen_share.hpp): every state against every event (the
// exact next state, capture and effects), then the stories the table is made of.
#include "screen_share.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace moim::screen_share {
namespace {

std::string show(const Effects& effects) {
  std::ostringstream os;
  for (const auto& e : effects) os << e << ' ';
  return os.str();
}

// A machine in `state`, its request number 1; Sharing holds capture 10.
Machine in_state(State state) {
  Machine m;
  if (state != State::Off) m.handle(ShareClicked{});
  if (state == State::Sharing) m.handle(CaptureStarted{1, 10});
  EXPECT_EQ(m.state(), state);
  return m;
}

TEST(ScreenShare, EveryStateAgainstEveryEvent) {
  const struct {
    State from;
    Event event;
    State to;
    Capture capture;
    std::string effects;
  } table[] = {
      // Off: only a click starts anything; a capture nobody asked for is released.
      {State::Off, ShareClicked{}, State::Requesting, 0, "RequestCapture{1} "},
      {State::Off, StopClicked{}, State::Off, 0, ""},
      {State::Off, CaptureStarted{1, 11}, State::Off, 0, "Release{11} "},
      {State::Off, CaptureFailed{1, "NotReadableError", "x"}, State::Off, 0, ""},
      {State::Off, CaptureEnded{11}, State::Off, 0, ""},
      {State::Off, CallEnded{}, State::Off, 0, ""},
      // Requesting (request 1): the picker is open.
      {State::Requesting, ShareClicked{}, State::Requesting, 0, ""},
      {State::Requesting, StopClicked{}, State::Off, 0, ""},
      {State::Requesting, CaptureStarted{1, 11}, State::Sharing, 11, "Attach{11} "},
      {State::Requesting, CaptureStarted{0, 11}, State::Requesting, 0, "Release{11} "},  // an earlier request's
      {State::Requesting, CaptureStarted{1, 0}, State::Requesting, 0, ""},                // no capture: nothing to hold
      {State::Requesting, CaptureFailed{1, "NotAllowedError", "Permission denied"}, State::Off, 0, ""},
      {State::Requesting, CaptureFailed{1, "AbortError", ""}, State::Off, 0, ""},
      {State::Requesting, CaptureFailed{1, "NotReadableError", "Could not start video source"}, State::Off, 0,
       "Notice{Screen sharing is not available: Could not start video source} "},
      {State::Requesting, CaptureFailed{1, "NotSupportedError", ""}, State::Off, 0,
       "Notice{Screen sharing is not available: NotSupportedError} "},
      {State::Requesting, CaptureFailed{0, "NotReadableError", "old"}, State::Requesting, 0, ""},
      {State::Requesting, CaptureEnded{11}, State::Requesting, 0, ""},
      {State::Requesting, CallEnded{}, State::Off, 0, ""},
      // Sharing capture 10.
      {State::Sharing, ShareClicked{}, State::Sharing, 10, ""},
      {State::Sharing, StopClicked{}, State::Off, 0, "Detach Release{10} "},
      {State::Sharing, CaptureStarted{1, 11}, State::Sharing, 10, "Release{11} "},
      {State::Sharing, CaptureFailed{1, "NotReadableError", "x"}, State::Sharing, 10, ""},
      {State::Sharing, CaptureEnded{10}, State::Off, 0, "Detach Release{10} "},
      {State::Sharing, CaptureEnded{9}, State::Sharing, 10, ""},  // an old capture's late end
      {State::Sharing, CallEnded{}, State::Off, 0, "Release{10} "},
  };
  for (const auto& row : table) {
    std::ostringstream name;
    name << row.from << " + " << row.event;
    SCOPED_TRACE(name.str());
    Machine m = in_state(row.from);
    EXPECT_EQ(show(m.handle(row.event)), row.effects);
    EXPECT_EQ(m.state(), row.to);
    EXPECT_EQ(m.capture(), row.capture);
    EXPECT_EQ(m.sharing(), row.to == State::Sharing);
  }
}

TEST(ScreenShare, StopWhileThePickerIsOpenReleasesTheCaptureWhenItComes) {
  Machine m;
  EXPECT_EQ(show(m.handle(ShareClicked{})), "RequestCapture{1} ");
  EXPECT_EQ(show(m.handle(StopClicked{})), "");
  EXPECT_EQ(show(m.handle(ShareClicked{})), "RequestCapture{2} ");
  // The first request's capture arrives late: released, not shared in place of the second's.
  EXPECT_EQ(show(m.handle(CaptureStarted{1, 5})), "Release{5} ");
  EXPECT_EQ(m.state(), State::Requesting);
  EXPECT_EQ(show(m.handle(CaptureStarted{2, 6})), "Attach{6} ");
  // The browser's own "Stop sharing" bar, then sharing again.
  EXPECT_EQ(show(m.handle(CaptureEnded{6})), "Detach Release{6} ");
  EXPECT_EQ(show(m.handle(ShareClicked{})), "RequestCapture{3} ");
  EXPECT_EQ(show(m.handle(CaptureStarted{3, 7})), "Attach{7} ");
  EXPECT_EQ(m.capture(), 7u);
}

TEST(ScreenShare, StatesPrint) {
  std::ostringstream os;
  os << State::Off << ' ' << State::Requesting << ' ' << State::Sharing;
  EXPECT_EQ(os.str(), "off requesting sharing");
}

}  // namespace
}  // namespace moim::screen_share
