#include "peer_connection.hpp"

#include "browser/glue.hpp"

namespace moim {

PeerConnection& PeerConnection::operator=(PeerConnection&& o) noexcept {
  if (this != &o) {
    release();
    pc_ = std::exchange(o.pc_, 0);
    video_ = std::move(o.video_);
    screen_ = std::move(o.screen_);
    channel_open_ = std::exchange(o.channel_open_, false);
  }
  return *this;
}

void PeerConnection::release() {
  video_.reset();  // the videos first: their frames stop before the connection that feeds them
  screen_.reset();
  if (pc_) browser::close_peer(pc_);
  pc_ = 0;
  channel_open_ = false;
}

}  // namespace moim
