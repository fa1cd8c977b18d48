#include "media_plan.hpp"

namespace moim::media_plan {

CaptureRequest capture_request(bool audio, bool video, std::string camera_device, std::string mic_device) {
  CaptureRequest request;
  request.audio = audio;
  if (video) request.camera = CameraConstraints{};
  if (audio) request.mic_device = std::move(mic_device);
  if (video) request.camera_device = std::move(camera_device);
  return request;
}

CaptureRequest switch_request(bool audio_kind, std::string device) {
  CaptureRequest request = capture_request(audio_kind, !audio_kind, audio_kind ? std::string() : device,
                                           audio_kind ? device : std::string());
  request.exact_devices = true;
  return request;
}

std::string_view to_string(MediaKind kind) { return kind == MediaKind::Audio ? "audio" : "video"; }

std::string_view to_string(Direction direction) {
  return direction == Direction::SendRecv ? "sendrecv" : "recvonly";
}

std::vector<MediaLine> sdp_layout(bool sending_audio, bool sending_video) {
  const auto direction = [](bool sending) { return sending ? Direction::SendRecv : Direction::RecvOnly; };
  return {{MediaKind::Audio, direction(sending_audio)}, {MediaKind::Video, direction(sending_video)}};
}

std::vector<MediaLine> publish_layout(bool sending_audio, bool sending_video) {
  std::vector<MediaLine> out;
  if (sending_audio) out.push_back({MediaKind::Audio, Direction::SendRecv});
  if (sending_video) out.push_back({MediaKind::Video, Direction::SendRecv, simulcast_layers()});
  return out;
}

std::vector<Encoding> simulcast_layers() {
  return {{"h", 1, 1'200'000}, {"m", 2, 400'000}, {"l", 4, 120'000}};
}

}  // namespace moim::media_plan
