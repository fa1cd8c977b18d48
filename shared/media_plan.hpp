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

// One layer of a simulcast camera (RTCRtpEncodingParameters): its rid, how much smaller than the
// camera, its bitrate cap.
struct Encoding {
  std::string rid;
  double scale_down = 1;
  int max_bitrate_bps = 0;
  bool operator==(const Encoding&) const = default;
};

// One m-line of a peer connection's SDP. A sendrecv line carries our track of its kind (the glue
// reads that from the direction); `encodings`, when there are any, are its simulcast layers.
struct MediaLine {
  MediaKind kind = MediaKind::Audio;
  Direction direction = Direction::RecvOnly;
  std::vector<Encoding> encodings;
  bool operator==(const MediaLine&) const = default;
};

// A large room's camera goes to the media server in three layers, highest first (the order Janus
// VideoRoom expects of rids h, m, l), so each receiver can be sent the one its tile needs: full
// size, half and a quarter, capped at 1.2 Mbit/s, 400 and 120 kbit/s (within about 1.7 Mbit/s of
// upload however many people watch).
std::vector<Encoding> simulcast_layers();

// Every connection has one audio and one video m-line, audio first, whatever we have: a kind we
// send is sendrecv (our track goes on it), a kind we lack is recvonly, so a person without camera
// or microphone (denied, absent, an insecure page) still receives the others' and the others
// still offer theirs (tests/e2e/receive-only.test.mjs).
std::vector<MediaLine> sdp_layout(bool sending_audio, bool sending_video);
// A large room's publication (our media to the media server, which sends nothing back on it): a
// line for each kind we send, audio first; the camera's in simulcast layers.
std::vector<MediaLine> publish_layout(bool sending_audio, bool sending_video);

}  // namespace moim::media_plan
