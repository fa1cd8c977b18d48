// The browser side of a call: our camera/microphone stream and one RTCPeerConnection per remote
// peer, all as glue handles. It carries out the signaling machine's effects and turns the browser's
// answers back into machine events. It owns every handle it creates and releases them all on leave.
#pragma once

#include "browser/events.hpp"
#include "browser/video_texture.hpp"
#include "ice_route.hpp"
#include "signaling.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace moim {

struct RemoteMedia {
  browser::Handle pc = 0;
  browser::VideoTexture video;
  std::string connection = "new";
  double frames_decoded = 0;
  double audio_energy = 0;
  double audio_level = 0;
  bool audio_live = false;
  std::optional<ice::CandidatePair> pair;  // the selected candidate pair at the last stats poll
};

class CallMedia {
 public:
  CallMedia() = default;
  CallMedia(const CallMedia&) = delete;
  CallMedia& operator=(const CallMedia&) = delete;
  ~CallMedia() { release_all(); }

  // ---- local devices
  // Asks for camera and microphone; the answer arrives as MediaOpened / MediaFailed with this id.
  int request_devices(bool audio, bool video);
  void adopt_local_stream(browser::Handle stream, bool has_audio, bool has_video);
  void release_local();
  bool capturing() const { return local_ != 0; }  // holding the camera/microphone
  bool has_local_audio() const { return local_audio_; }
  bool has_local_video() const { return local_video_; }
  bool mic_on() const { return local_audio_ && mic_on_; }
  bool camera_on() const { return local_video_ && camera_on_; }
  void set_mic(bool on);
  void set_camera(bool on);
  browser::VideoTexture& preview() { return preview_; }

  // ---- peer connections
  // The ICE servers for connections made from now on; existing ones get them too when they differ
  // (setConfiguration: fresh TURN credentials reach ICE restarts). Empty until the server sends `ice`.
  void set_ice(const proto::IceConfig& ice);
  const proto::IceConfig& ice() const { return ice_; }
  // Carries out effects; returns the signals to send to the server.
  std::vector<proto::Signal> execute(const signaling::Effects& effects);
  // A browser event about one of our connections, as a machine event (nullopt when it is not one,
  // or when it belongs to a connection already closed).
  std::optional<signaling::Event> translate(const browser::Event& event);
  void request_stats();
  // New video frames into textures; returns true when a remote tile showed its first frame.
  bool upload_frames();
  const RemoteMedia* remote(proto::PeerId peer) const;
  // The size `peer`'s tile is drawn at (device pixels), so its frames are uploaded no larger.
  void fit_remote(proto::PeerId peer, int w, int h);
  void release_all();

 private:
  std::optional<proto::PeerId> peer_of(browser::Handle pc) const;

  int next_request_ = 1;
  browser::Handle local_ = 0;
  bool local_audio_ = false, local_video_ = false;
  bool mic_on_ = true, camera_on_ = true;
  browser::VideoTexture preview_;
  std::map<proto::PeerId, RemoteMedia> remotes_;
  proto::IceConfig ice_;
};

}  // namespace moim
