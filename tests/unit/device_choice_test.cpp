// Which camera and microphone (shared/device_choice.hpp): a table of situations against events
// (the effects, then what the picker shows and what is in use), then stories.
#include "device_choice.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace moim::device_choice {
namespace {

std::string show(const Effects& effects) {
  std::ostringstream os;
  for (const auto& e : effects) os << e << ' ';
  return os.str();
}

const std::vector<Device> kCameras = {{"c1", "Front"}, {"c2", "USB"}};
const std::vector<Device> kMics = {{"m1", "Built-in"}, {"m2", "Headset"}};

enum class Start { Fresh, Holding, Switching };
// Fresh: lists known (taken before any stream), nothing held, nothing chosen. Holding: a stream
// with c1 and m1, lists taken while holding it. Switching: Holding, then the camera switch to c2
// (request 1) on its way.
Machine in_state(Start start) {
  Machine m;
  if (start == Start::Fresh) {
    m.handle(Listed{kCameras, kMics});
    return m;
  }
  m.handle(StreamOpened{"c1", "m1"});
  m.handle(Listed{kCameras, kMics});
  if (start == Start::Switching) EXPECT_EQ(show(m.handle(Chosen{Kind::Camera, "c2"})), "SwitchTrack{1,camera,c2} ");
  return m;
}

TEST(DeviceChoice, Table) {
  const struct {
    Start from;
    Event event;
    std::string effects;
    std::string camera_shown, camera_in_use;
  } table[] = {
      // Nothing held: a choice is remembered for the next request; an unknown id changes nothing.
      {Start::Fresh, Chosen{Kind::Camera, "c2"}, "Remember{camera,c2} ", "c2", ""},
      {Start::Fresh, Chosen{Kind::Camera, "zz"}, "", "", ""},
      {Start::Fresh, Chosen{Kind::Camera, ""}, "", "", ""},
      {Start::Fresh, Switched{1, Kind::Camera, "c2"}, "", "", ""},  // no stream: nothing was asked
      {Start::Fresh, SwitchFailed{1, Kind::Camera, "NotReadableError", "busy"}, "", "", ""},
      // A list taken before a stream is held is no news: no notice.
      {Start::Fresh, Listed{{{"c3", "New"}}, kMics}, "", "", ""},
      {Start::Fresh, StreamOpened{"c1", "m1"}, "", "c1", "c1"},
      // Holding: a choice switches the track; remembered once the browser gave it.
      {Start::Holding, Chosen{Kind::Camera, "c2"}, "SwitchTrack{1,camera,c2} ", "c2", "c1"},
      {Start::Holding, Chosen{Kind::Camera, "c1"}, "", "c1", "c1"},  // the one in use
      {Start::Holding, Chosen{Kind::Mic, "m2"}, "SwitchTrack{1,mic,m2} ", "c1", "c1"},
      {Start::Holding, Switched{1, Kind::Camera, "c2"}, "", "c1", "c1"},  // nothing on its way
      // Unplugged: the first left is used, and the person is told; none left: told, none in use.
      {Start::Holding, Listed{{{"c2", "USB"}}, kMics},
       "Notice{Camera \xE2\x80\x9C" "Front\xE2\x80\x9D was disconnected; now using \xE2\x80\x9CUSB\xE2\x80\x9D.} "
       "SwitchTrack{1,camera,c2} ",
       "c2", "c1"},
      {Start::Holding, Listed{{}, kMics},
       "Notice{Camera \xE2\x80\x9C" "Front\xE2\x80\x9D was disconnected; there is no other to use.} ", "", ""},
      // Plugged in: told, not switched.
      {Start::Holding, Listed{{{"c1", "Front"}, {"c2", "USB"}, {"c3", "Desk"}}, kMics},
       "Notice{Camera \xE2\x80\x9C" "Desk\xE2\x80\x9D was connected; choose it under Devices.} ", "c1", "c1"},
      {Start::Holding, Listed{kCameras, {{"m1", "Built-in"}}}, "", "c1", "c1"},  // a mic not in use left: no notice
      {Start::Holding, StreamClosed{}, "", "", ""},
      // Switching camera to c2 (request 1).
      {Start::Switching, Switched{1, Kind::Camera, "c2"}, "Remember{camera,c2} ", "c2", "c2"},
      {Start::Switching, Switched{0, Kind::Camera, "c2"}, "", "c2", "c1"},  // another request's
      {Start::Switching, Switched{1, Kind::Mic, "m2"}, "", "c2", "c1"},     // the other kind has none on its way
      {Start::Switching, SwitchFailed{1, Kind::Camera, "NotReadableError", "Could not start video source"},
       "Notice{Could not switch to \xE2\x80\x9CUSB\xE2\x80\x9D: Could not start video source} ", "c1", "c1"},
      {Start::Switching, SwitchFailed{1, Kind::Camera, "OverconstrainedError", ""},
       "Notice{Could not switch to \xE2\x80\x9CUSB\xE2\x80\x9D: OverconstrainedError} ", "c1", "c1"},
      {Start::Switching, Chosen{Kind::Camera, "c1"}, "SwitchTrack{2,camera,c1} ", "c1", "c1"},  // back, while on its way
      {Start::Switching, StreamClosed{}, "", "c2", ""},
      // The device being switched to leaves: the first left is used instead.
      {Start::Switching, Listed{{{"c1", "Front"}}, kMics},
       "Notice{Camera \xE2\x80\x9CUSB\xE2\x80\x9D was disconnected; now using \xE2\x80\x9C" "Front\xE2\x80\x9D.} "
       "SwitchTrack{2,camera,c1} ",
       "c1", "c1"},
  };
  int row = 0;
  for (const auto& t : table) {
    Machine m = in_state(t.from);
    EXPECT_EQ(show(m.handle(t.event)), t.effects) << "row " << row << ": " << t.event;
    EXPECT_EQ(m.shown(Kind::Camera), t.camera_shown) << "row " << row;
    EXPECT_EQ(m.in_use(Kind::Camera), t.camera_in_use) << "row " << row;
    ++row;
  }
}

TEST(DeviceChoice, RememberedDeviceIsWantedUntilThePersonChoosesAnother) {
  Machine m;
  m.handle(Remembered{"c2", "m2"});
  EXPECT_EQ(m.wanted(Kind::Camera), "c2");
  EXPECT_EQ(m.wanted(Kind::Mic), "m2");
  // The browser took another camera (c2 is not here today): the choice stays for the day it is back.
  m.handle(StreamOpened{"c1", "m2"});
  m.handle(Listed{{{"c1", "Front"}}, kMics});
  EXPECT_EQ(m.wanted(Kind::Camera), "c2");
  EXPECT_EQ(m.shown(Kind::Camera), "c1");
  // It is plugged in: told, not switched to behind the person's back.
  EXPECT_EQ(show(m.handle(Listed{kCameras, kMics})),
            "Notice{Camera \xE2\x80\x9CUSB\xE2\x80\x9D was connected; choose it under Devices.} ");
  EXPECT_EQ(m.in_use(Kind::Camera), "c1");
}

TEST(DeviceChoice, AStreamFromAnotherDeviceThanTheWantedOneIsSwitchedToIt) {
  // The browser took the default although the remembered camera is there ("ideal" is a wish):
  // switched once the list shows it, then remembered again.
  Machine m;
  m.handle(Remembered{"c2", "m1"});
  EXPECT_EQ(show(m.handle(StreamOpened{"c1", "m1"})), "");
  EXPECT_EQ(show(m.handle(Listed{kCameras, kMics})), "SwitchTrack{1,camera,c2} ");
  EXPECT_EQ(show(m.handle(Switched{1, Kind::Camera, "c2"})), "Remember{camera,c2} ");
  EXPECT_EQ(show(m.handle(Listed{kCameras, kMics})), "");  // once per stream
  // The next stream (after a call) with the list already known: at once.
  m.handle(StreamClosed{});
  EXPECT_EQ(show(m.handle(StreamOpened{"c1", "m1"})), "SwitchTrack{2,camera,c2} ");
  // A failed switch is not tried again: the picker shows the truth.
  EXPECT_EQ(show(m.handle(SwitchFailed{2, Kind::Camera, "NotReadableError", "busy"})),
            "Notice{Could not switch to \xE2\x80\x9CUSB\xE2\x80\x9D: busy} ");
  EXPECT_EQ(show(m.handle(Listed{kCameras, kMics})), "");
  EXPECT_EQ(m.shown(Kind::Camera), "c1");
}

TEST(DeviceChoice, OnlyTheLatestSwitchCounts) {
  Machine m = in_state(Start::Holding);
  EXPECT_EQ(show(m.handle(Chosen{Kind::Mic, "m2"})), "SwitchTrack{1,mic,m2} ");
  EXPECT_EQ(show(m.handle(Chosen{Kind::Mic, "m1"})), "SwitchTrack{2,mic,m1} ");
  EXPECT_EQ(show(m.handle(Switched{1, Kind::Mic, "m2"})), "");
  EXPECT_EQ(m.in_use(Kind::Mic), "m1");
  EXPECT_TRUE(m.switching(Kind::Mic));
  EXPECT_EQ(show(m.handle(Switched{2, Kind::Mic, "m1"})), "Remember{mic,m1} ");
  EXPECT_FALSE(m.switching(Kind::Mic));
}

TEST(DeviceChoice, UnlabelledDevicesAreKeptUnnamedAndIdlessOnesAreDropped) {
  Machine m;
  m.handle(Listed{{{"", ""}, {"a", ""}, {"b", "Named"}}, {{"x", ""}}});
  ASSERT_EQ(m.devices(Kind::Camera).size(), 2u);
  EXPECT_EQ(m.devices(Kind::Camera)[0].label, "");  // the pickers name it, in the person's language
  EXPECT_EQ(m.devices(Kind::Camera)[1].label, "Named");
  EXPECT_EQ(m.devices(Kind::Mic)[0].label, "");
}

TEST(DeviceChoice, AStreamWithoutACameraRemembersTheChoiceForTheNextRequest) {
  Machine m;
  m.handle(StreamOpened{"", "m1"});
  m.handle(Listed{kCameras, kMics});
  EXPECT_EQ(show(m.handle(Chosen{Kind::Camera, "c2"})), "Remember{camera,c2} ");
  EXPECT_EQ(m.wanted(Kind::Camera), "c2");
}

}  // namespace
}  // namespace moim::device_choice
