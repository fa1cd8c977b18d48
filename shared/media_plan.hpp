// What a call asks of the browser's media, decided here and applied verbatim by the glue
// (web/glue/media_devices.js, web/glue/peer_connections.js):
//   - the capture request: which devices getUserMedia opens, and the size and frame rate the camera
//     is asked for;
//   - the SDP layout of every peer connection: which m-lines it has, in which order and direction.
// Pure data: no browser inside, so the choices are native unit tests (tests/unit/media_plan_test.cpp)
// and the glue holds no rule of its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moim::media_plan {

// The camera's wish ("ideal" values: the browser picks the nearest mode the camera has). 640x360
// at 24 fps: a tile is rarely larger than that, and on two cores without a GPU every extra pixel
// is encoded once and decoded by each of the others (bench/README.md measures calls at this size).
struct CameraConstraints {
  int width = 640;
  int height = 360;
  int frame_rate = 24;
  bool operator==(const CameraConstraints&) const = default;
};

// getUserMedia's MediaStreamConstraints: {audio: bool | {deviceId}, video: false | {width: {ideal},
// height: {ideal}, frameRate: {ideal}, deviceId?}}. A device id is "ideal" for the call's request
// (a remembered device that is gone today: the browser takes another rather than failing) and
// "exact" for a switch (the person picked that one: another would be wrong).
struct CaptureRequest {
  bool audio = false;
  std::optional<CameraConstraints> camera;  // nullopt: no video asked for
  std::string mic_device, camera_device;    // "": the browser's default
  bool exact_devices = false;
  bool operator==(const CaptureRequest&) const = default;
};
// The request for a call: microphone when `audio`, the camera at CameraConstraints when `video`,
// preferably from these devices ("" = the default).
CaptureRequest capture_request(bool audio, bool video, std::string camera_device = {}, std::string mic_device = {});
// One track from exactly this device, to switch a held stream's track of that kind to it.
CaptureRequest switch_request(bool audio_kind, std::string device);

// A screen share's wish (getDisplayMedia's "max" values): text stays sharp at up to 1080p; slides
// and code change seldom, so 15 frames a second is plenty and leaves the encoder's time to the
// camera. The track is marked as detailed content (contentHint "detail": resolution before frames).
struct ScreenConstraints {
  int max_width = 1920;
  int max_height = 1080;
  int max_frame_rate = 15;
  bool operator==(const ScreenConstraints&) const = default;
};

enum class MediaKind { Audio, Video };
enum class Direction { SendRecv, RecvOnly };
std::string_view to_string(MediaKind kind);      // "audio", "video" (RTCRtpTransceiver kinds)
std::string_view to_string(Direction direction);  // "sendrecv", "recvonly" (transceiver directions)

// One m-line of a peer connection's SDP. A sendrecv line carries our track of its kind (the glue
// reads that from the direction).
struct MediaLine {
  MediaKind kind = MediaKind::Audio;
  Direction direction = Direction::RecvOnly;
  bool operator==(const MediaLine&) const = default;
};

// Every connection has one audio and one video m-line, audio first, whatever we have: a kind we
// send is sendrecv (our track goes on it), a kind we lack is recvonly, so a person without camera
// or microphone (denied, absent, an insecure page) still receives the others' and the others
// still offer theirs (tests/e2e/receive-only.test.mjs).
std::vector<MediaLine> sdp_layout(bool sending_audio, bool sending_video);

}  // namespace moim::media_plan
