// A large room's simulcast, the receiving side (issue 15): each camera reaches the media server in
// three layers (media_plan::simulcast_layers: full size, half, a quarter) and we ask for the one that
// fits the tile we draw it in (proto::SetMediaLayers, "media-layers"): a thumbnail gets the quarter,
// the speaker view the full picture, a tile off the page the quarter. Pure: the app passes what it
// drew and the time.
//
// Rules: a camera drawn `h` device pixels high gets the smallest layer at most 1.25 times smaller than
// `h` (a little upscaling is not seen; more is blur), the highest when none is large enough; not
// drawn (off the page, hidden behind the presenter's screen): the lowest. Each person's layer is
// told once when their feed is new to us (even the highest: the server may still hold an older
// wish of ours), then only when it changes, at most one message every kTellEveryMs (changes in
// between go together in the next). People whose feed goes are forgotten (told again if it comes
// back). A new subscription, or a resume (a message may have died with the socket), starts over:
// everything is told again (reset).
#pragma once

#include "protocol.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace moim::sfu_layers {

// The layer for a camera drawn `height` device pixels high (0: not drawn).
proto::MediaLayer for_height(std::uint32_t height);

class Wishes {
 public:
  static constexpr double kTellEveryMs = 250;

  // After a frame: `feeds`, the people whose camera we receive; `drawn`, the device-pixel height each
  // camera was drawn at (absent: not drawn). The message to send now, if any.
  std::optional<proto::SetMediaLayers> drawn(const std::set<proto::PeerId>& feeds,
                                             const std::map<proto::PeerId, std::uint32_t>& drawn, double now_ms);
  void reset() { *this = Wishes{}; }
  // What we last told the server for this person, if anything.
  std::optional<proto::MediaLayer> told(proto::PeerId peer) const;

 private:
  std::map<proto::PeerId, proto::MediaLayer> told_;
  std::optional<double> last_told_ms_;
};

}  // namespace moim::sfu_layers
