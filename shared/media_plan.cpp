#include "media_plan.hpp"

namespace moim::media_plan {

CaptureRequest capture_request(bool audio, bool video) {
  CaptureRequest request;
  request.audio = audio;
  if (video) request.camera = CameraConstraints{};
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

}  // namespace moim::media_plan
