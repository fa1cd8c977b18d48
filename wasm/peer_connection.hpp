// The browser objects of one peer connection of the call: the RTCPeerConnection (a glue handle), the
// remote videos it delivers (the camera's and, while the peer shares one, its screen's: elements and
// textures) and whether its data channel (chat) is open. Owning: destroying it closes the connection
// and frees the video, so the peer table (shared/peer_table.hpp), which holds one per connected peer,
// releases them whenever a peer leaves, a connection is replaced or closed, or the call ends.
#pragma once

#include "browser/events.hpp"
#include "browser/video_texture.hpp"
#include "peer_table.hpp"

#include <utility>

namespace moim {

class PeerConnection {
 public:
  explicit PeerConnection(browser::Handle pc) : pc_(pc) {}
  PeerConnection(PeerConnection&& o) noexcept
      : pc_(std::exchange(o.pc_, 0)),
        video_(std::move(o.video_)),
        screen_(std::move(o.screen_)),
        channel_open_(std::exchange(o.channel_open_, false)) {}
  PeerConnection& operator=(PeerConnection&& o) noexcept;
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;
  ~PeerConnection() { release(); }

  browser::Handle handle() const { return pc_; }
  // The remote video (none until the first track arrives: RemoteVideo).
  browser::VideoTexture& video() { return video_; }
  const browser::VideoTexture& video() const { return video_; }
  // The peer's screen share (no video while it shares none: RemoteScreen).
  browser::VideoTexture& screen() { return screen_; }
  const browser::VideoTexture& screen() const { return screen_; }
  bool sharing_screen() const { return screen_.video() != 0; }
  // The data channel (shared/peer_protocol.hpp): open from its `open` event to its `close`.
  bool channel_open() const { return channel_open_; }
  void set_channel_open(bool open) { channel_open_ = open; }

 private:
  void release();

  browser::Handle pc_ = 0;
  browser::VideoTexture video_;
  browser::VideoTexture screen_;
  bool channel_open_ = false;
};

// The client's peers: one record per remote peer, by peer id and by connection handle.
using Peers = PeerTable<PeerConnection>;

}  // namespace moim
