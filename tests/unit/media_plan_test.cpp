// What the client asks of the browser's media: the capture request per device choice, and the SDP
// layout (m-lines and directions) per set of local tracks. The glue applies both as they are.
#include "media_plan.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace moim::media_plan {

// Failures print the request as getUserMedia would get it (gtest finds this by argument lookup).
void PrintTo(const CaptureRequest& r, std::ostream* os) {
  *os << "{audio: " << (r.audio ? "true" : "false") << ", video: ";
  if (r.camera) *os << r.camera->width << "x" << r.camera->height << " at " << r.camera->frame_rate << " fps}";
  else *os << "false}";
}

namespace {

// A layout as text, "audio:sendrecv video:recvonly", so a table row reads like the SDP's m-lines.
std::string spelled(const std::vector<MediaLine>& layout) {
  std::string out;
  for (const MediaLine& line : layout) {
    if (!out.empty()) out += ' ';
    out += std::string(to_string(line.kind)) + ':' + std::string(to_string(line.direction));
  }
  return out;
}

TEST(MediaPlan, CaptureRequestPerDeviceChoice) {
  const CameraConstraints camera{640, 360, 24};
  struct Row {
    bool audio, video;
    CaptureRequest want;
  };
  const std::vector<Row> rows = {
      {true, true, {true, camera}},        // the call's first ask: both
      {true, false, {true, std::nullopt}},  // the camera refused or absent: the microphone alone
      {false, true, {false, camera}},
      {false, false, {false, std::nullopt}},
  };
  for (const Row& r : rows)
    EXPECT_EQ(capture_request(r.audio, r.video), r.want) << "audio " << r.audio << ", video " << r.video;
}

TEST(MediaPlan, ChosenDevicesAreIdealForTheCallAndExactForASwitch) {
  const CameraConstraints camera{640, 360, 24};
  // A remembered device is preferred; one of a kind not asked for is not passed on.
  EXPECT_EQ(capture_request(true, true, "cam", "mic"), (CaptureRequest{true, camera, "mic", "cam", false}));
  EXPECT_EQ(capture_request(true, false, "cam", "mic"), (CaptureRequest{true, std::nullopt, "mic", "", false}));
  EXPECT_EQ(capture_request(false, true, "cam", "mic"), (CaptureRequest{false, camera, "", "cam", false}));
  // A switch asks for one track, from exactly that device, the camera at the call's size.
  EXPECT_EQ(switch_request(true, "mic2"), (CaptureRequest{true, std::nullopt, "mic2", "", true}));
  EXPECT_EQ(switch_request(false, "cam2"), (CaptureRequest{false, camera, "", "cam2", true}));
}

TEST(MediaPlan, ScreenIsAtMost1080pAt15Fps) {
  const ScreenConstraints s;
  EXPECT_EQ(s.max_width, 1920);
  EXPECT_EQ(s.max_height, 1080);
  EXPECT_EQ(s.max_frame_rate, 15);
}

TEST(MediaPlan, LayoutIsOneAudioAndOneVideoLineAudioFirstRecvOnlyForWhatWeLack) {
  struct Row {
    bool audio, video;
    const char* want;
  };
  const std::vector<Row> rows = {
      {true, true, "audio:sendrecv video:sendrecv"},
      {true, false, "audio:sendrecv video:recvonly"},   // no camera: still receives the others' video
      {false, true, "audio:recvonly video:sendrecv"},
      {false, false, "audio:recvonly video:recvonly"},  // denied or an insecure page: receive only
  };
  for (const Row& r : rows)
    EXPECT_EQ(spelled(sdp_layout(r.audio, r.video)), r.want) << "audio " << r.audio << ", video " << r.video;
}

TEST(MediaPlan, APublicationHasALineForEachKindWeSendOnly) {
  struct Row {
    bool audio, video;
    const char* want;
  };
  const std::vector<Row> rows = {
      {true, true, "audio:sendrecv video:sendrecv"},
      {true, false, "audio:sendrecv"},
      {false, true, "video:sendrecv"},
      {false, false, ""},
  };
  for (const Row& r : rows)
    EXPECT_EQ(spelled(publish_layout(r.audio, r.video)), r.want) << "audio " << r.audio << ", video " << r.video;
  // The camera in three layers, highest first (Janus's h, m, l); the microphone in one.
  const auto layout = publish_layout(true, true);
  EXPECT_TRUE(layout[0].encodings.empty());
  ASSERT_EQ(layout[1].encodings.size(), 3u);
  EXPECT_EQ(layout[1].encodings, simulcast_layers());
  EXPECT_EQ(layout[1].encodings[0], (Encoding{"h", 1, 1'200'000}));
  EXPECT_EQ(layout[1].encodings[2].rid, "l");
  EXPECT_GT(layout[1].encodings[1].scale_down, layout[1].encodings[0].scale_down);
  EXPECT_GT(layout[1].encodings[2].scale_down, layout[1].encodings[1].scale_down);
  // A mesh connection's camera: one encoding (the mesh adapts it per connection instead).
  EXPECT_TRUE(sdp_layout(true, true)[1].encodings.empty());
}

}  // namespace
}  // namespace moim::media_plan
