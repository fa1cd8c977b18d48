// Inputs shared by the microbenchmarks: the captured Chromium offer and realistic messages.
#pragma once

#include "protocol.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace moim::bench {

// bench/data/chromium-offer.sdp: a real Chromium offer (audio + video, ICE gathering complete, host
// candidates), captured by bench/data/capture-sdp.mjs. MOIM_BENCH_DATA overrides the folder.
inline const std::string& chromium_offer_sdp() {
  static const std::string sdp = [] {
    const char* dir = std::getenv("MOIM_BENCH_DATA");
    const std::string path = std::string(dir ? dir : MOIM_BENCH_DATA_DIR) + "/chromium-offer.sdp";
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in || text.str().empty()) {
      std::fprintf(stderr, "moim_micro_bench: cannot read %s\n", path.c_str());
      std::exit(2);
    }
    return text.str();
  }();
  return sdp;
}

// One ICE candidate as Chromium trickles it.
inline proto::IceCandidate sample_candidate() {
  return {"candidate:2944329941 1 udp 2122194687 192.0.2.2 37567 typ host generation 0 ufrag Xy4t "
          "network-id 1",
          "0", 0};
}

inline proto::RoomInfo sample_room(proto::RoomId id) {
  return {id, "Room " + std::to_string(id) + " standup", id % 7, 6};
}

inline proto::PeerInfo sample_peer(proto::PeerId id) { return {id, "Participant " + std::to_string(id), true, id % 2 == 0}; }

}  // namespace moim::bench
