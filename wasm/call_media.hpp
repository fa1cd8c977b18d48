// The browser side of a call: our camera/microphone stream, and the peers' connections. It carries
// out the signaling machine's effects on the peers' records (each record owns its connection's
// browser objects: wasm/peer_connection.hpp), or in a large room on the links to the media server
// (wasm/sfu/media_server_links.hpp), and turns the browser's answers back into events. It owns the
// local stream and releases it on leave.
#pragma once

#include "browser/events.hpp"
#include "browser/video_texture.hpp"
#include "drawn_videos.hpp"
#include "peer_connection.hpp"
#include "peer_health.hpp"
#include "sfu/media_server_links.hpp"
#include "signaling.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace moim {

class CallMedia {
 public:
  // What a browser event about one of our connections means: a step of its negotiation (for the
  // signaling machine) or its new connection state (for peer health, which keeps it).
  using PeerEvent = std::variant<signaling::Event, peer_health::StateChanged>;

  // `peers`: the records whose connections this makes, drives and closes (App owns them).
  explicit CallMedia(Peers& peers) : peers_(peers) {}
  CallMedia(const CallMedia&) = delete;
  CallMedia& operator=(const CallMedia&) = delete;
  ~CallMedia() { release_local(); }

  // ---- local devices
  // Asks for camera and microphone, preferably these devices ("" = the default); the answer
  // arrives as MediaOpened / MediaFailed with `request` (the join flow numbers its requests).
  void request_devices(int request, bool audio, bool video, const std::string& camera, const std::string& mic);
  // The stream is ours; its tracks are on or off as the person last chose (before joining too).
  void adopt_local_stream(browser::Handle stream, bool has_audio, bool has_video);
  void release_local();
  browser::Handle local_stream() const { return local_; }
  // Our camera's track came from another device: the preview follows the new track.
  void camera_switched();
  bool capturing() const { return local_ != 0; }  // holding the camera/microphone
  bool has_local_audio() const { return local_audio_; }
  bool has_local_video() const { return local_video_; }
  bool mic_on() const { return local_audio_ && mic_on_; }
  bool camera_on() const { return local_video_ && camera_on_; }
  void set_mic(bool on);
  void set_camera(bool on);
  browser::VideoTexture& preview() { return preview_; }

  // ---- our screen share (the capture is wasm/screen/call_screen's; this puts it on the connections)
  // On every connection, and on each one made from now on; returns the peers whose connections it
  // was put on (each must renegotiate; in a large room, the publication alone: kPublishLink). 0
  // takes it off every connection (the same answer).
  std::vector<proto::PeerId> set_screen(browser::Handle capture);
  browser::Handle screen() const { return screen_; }

  // ---- the others' sound: the browser may refuse to play it before the person's first gesture
  bool sound_blocked() const { return sound_blocked_; }
  void resume_sound() const;  // from the person's click on "Click to turn on sound"

  // ---- peer connections
  // The ICE servers for connections made from now on; existing ones get them too when they differ
  // (setConfiguration: fresh TURN credentials reach ICE restarts). Empty until the server sends `ice`.
  void set_ice(const proto::IceConfig& ice);
  const proto::IceConfig& ice() const { return ice_; }
  // Carries out effects; returns the signals to send to the server.
  std::vector<proto::Signal> execute(const signaling::Effects& effects);
  // A browser event about one of our connections, found by its handle (nullopt when it is no such
  // event, or when its connection was released: a late callback). Stats and the remote video go
  // straight into the peer's record.
  std::optional<PeerEvent> translate(const browser::Event& event);
  void request_stats();

  // ---- a large room (the machine's Sfu mode): the media server's links and everyone's feeds
  // What the media server's next subscription offer (this SDP) carries.
  void subscription_offered(std::string sdp, std::vector<proto::MediaStream> streams) {
    links_.offered(std::move(sdp), std::move(streams));
  }
  // The subscription's offer is applied (its setRemoteDescription finished): its streams are the
  // ones the feeds follow from now on.
  void subscription_applied() { links_.applied(); }
  // After the subscription's offer was applied, or someone joined: each person's feed follows the
  // streams of the offer applied last. Returns who got a feed and who lost one (peer health follows them).
  sfu_feeds::Change sync_feeds(proto::PeerId self) { return links_.sync_feeds(self); }
  bool is_feed(proto::PeerId peer) const { return links_.is_feed(peer); }
  std::vector<proto::PeerId> feeds() const { return links_.feeds(); }
  // `peer` (a person, or a media server's link) has a browser connection now.
  bool has_connection(proto::PeerId peer) const {
    return signaling::is_media_server_link(peer) ? links_.handle(peer) != 0 : peers_.find(peer) && peers_.find(peer)->connection;
  }
  // New video frames into textures; returns true when a remote tile showed its first frame.
  bool upload_frames();
  // What the last frame drew: our preview and the peers' cameras and screens are fitted to their
  // sizes (frames come no larger); the videos not drawn (a tile showing initials, one off screen,
  // our preview with the camera off) take no frames until they are drawn again.
  void show_drawn(const DrawnVideos& drawn);

 private:
  // A browser event about one of the media server's links, as translate() says it.
  std::optional<PeerEvent> translate_link(const browser::Event& event);

  Peers& peers_;
  MediaServerLinks links_{peers_};
  browser::Handle local_ = 0;
  bool local_audio_ = false, local_video_ = false;
  bool mic_on_ = true, camera_on_ = true;  // the person's choice, kept from one stream to the next
  browser::VideoTexture preview_;
  browser::Handle screen_ = 0;  // our screen capture while we share
  bool sound_blocked_ = false;  // the glue said so (SoundBlocked)
  proto::IceConfig ice_;
};

}  // namespace moim
