// How hard our camera is sent to each peer of a mesh call: every peer gets its own encoding of it
// (one per connection), so a growing call multiplies what we upload and encode. Each connection's
// video sender is given a bitrate cap and a resolution scale (RTCRtpSender.setParameters:
// encodings[0].maxBitrate, scaleResolutionDownBy) so that:
//   - all of them together stay within an uplink budget (a share of it each);
//   - the more peers, the smaller the picture (fewer pixels to encode per connection);
//   - a peer that draws our camera small (it said so: p2p::View) gets it no larger than drawn.
// Pure: tests/unit/mesh_encoding_test.cpp.
#pragma once

#include "peer_protocol.hpp"

#include <cstddef>
#include <optional>

namespace moim::mesh {

struct Budget {
  double uplink_kbps = 2400;  // all our camera's encodings together (a typical home uplink leaves this for video)
  double min_kbps = 100;      // below this a 640x360 picture falls apart
  double max_kbps = 1000;     // 640x360 at 24 fps needs no more
  int source_width = 640, source_height = 360;  // what the camera is asked for (media_plan)
};

struct SendShape {
  double max_kbps = 0;
  double scale_down = 1;  // >= 1: the sent picture's sides are the source's divided by this
  bool operator==(const SendShape&) const = default;
};

// For one connection of a call with `peers` others; `shown`: how that peer draws our camera (its
// last View), if it said.
SendShape shape_for(std::size_t peers, std::optional<p2p::View> shown, const Budget& budget = {});

// Whether a new View is worth telling the peer (it changes the shape it would cause): a side changed
// by more than a fifth, or the tile appeared or went.
bool view_changed(const p2p::View& before, const p2p::View& now);

}  // namespace moim::mesh
