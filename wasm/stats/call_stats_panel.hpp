// The call's connection stats in the browser: the panel's model (per peer, the figures of its
// connection over the last minute: shared/call_stats.hpp, fed by wasm/call_media.cpp into the peer's
// record, which owns the history and drops it with the peer or the connection), whether the panel is
// open, each peer's quality verdict for its tile, and its state() entry. Read-only over the peer
// table and peer health; App wires it, wasm/side_panel.hpp keeps it one at a time with the others.
#pragma once

#include "call_stats.hpp"
#include "peer_connection.hpp"
#include "peer_health.hpp"
#include "ui/views.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace moim {

// The peer's connection quality while it is `connected` (a connection that is not up has no
// current figures, only stale ones); nullopt otherwise and before any verdict.
std::optional<call_stats::Quality> peer_quality(const Peers::Peer& peer, const peer_health::Machine& health);

// state().room.peers[i].stats: {kbpsIn, kbpsOut, rttMs, lossPct, fps, width, height, codec}, the
// latest second's (a figure not known is null); null before a connection's first two polls.
nlohmann::json stats_json(const Peers::Peer& peer);

class CallStatsPanel {
 public:
  CallStatsPanel(const Peers& peers, const peer_health::Machine& health) : peers_(peers), health_(health) {}
  CallStatsPanel(const CallStatsPanel&) = delete;
  CallStatsPanel& operator=(const CallStatsPanel&) = delete;

  void set_panel_open(bool open) { open_ = open; }
  bool panel_open() const { return open_; }  // state().statsOpen

  // The panel's rows, one per peer (none while it is closed: the plots are only drawn when shown).
  // Its histories are the peer records': valid until the peer table next changes (one frame).
  ui::StatsModel model() const;

 private:
  const Peers& peers_;
  const peer_health::Machine& health_;
  bool open_ = false;  // kept across calls, like the chat and people panels'
};

}  // namespace moim
