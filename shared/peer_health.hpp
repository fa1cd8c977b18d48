// Whether each peer connection of a call gets through, and what to do when it does not: ICE
// restarts, and the verdict "unreachable" that the tile puts into words.
//
//   effects = machine.handle(event, now_ms)
//
// No clock inside: every call says what time it is (milliseconds, any monotonic origin), so every
// timing is a native table test. The app feeds connection states and ticks, and carries out the
// effects (a restart goes to the signaling machine, which sends it from the impolite side only).
//
// Per peer, a stretch without a connection (from the connection's creation, or from leaving
// `connected`) goes through:
//   waiting     - not connected. Trouble is declared when the browser says `failed`, when it stays
//                 `disconnected` for kDisconnectedGraceMs, or when no connection came within
//                 kConnectBoundMs of the stretch's start. Measured in Chromium 156 on this
//                 machine: with candidates but no path it says `failed` after 15 s (and
//                 `disconnected` 5 s after a working path is cut); with no candidate at all (relay
//                 policy, no TURN server) it stays `new` for ever, so the bound is what ends that.
//   restarting  - an ICE restart at once, again every kRestartRetryMs. None connected within
//                 kRestartBoundMs of the first: the peer is unreachable.
//   unreachable - the tile says so; restarts go on quietly every kBackgroundRetryMs, so a path that
//                 comes back (a network change, a firewall rule lifted) is found again.
// `connected` ends the stretch, and the verdict with it.
// Restarts need the signaling server. While it is out of reach (Tick{signaling = false}) nothing
// fires, and once it is back every stretch starts its clocks again from then (an unreachable peer
// keeps its verdict and is retried at once): a server outage is not the networks' fault.
#pragma once

#include "protocol.hpp"
#include "signaling.hpp"
#include "ui_text.hpp"

#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::peer_health {

using proto::PeerId;
using signaling::ConnectionState;

inline constexpr double kDisconnectedGraceMs = 3000;
inline constexpr double kConnectBoundMs = 20000;
inline constexpr double kRestartRetryMs = 5000;
inline constexpr double kRestartBoundMs = 15000;
inline constexpr double kBackgroundRetryMs = 20000;

enum class Stage { Waiting, Restarting, Unreachable, Connected };
std::string_view to_string(Stage stage);
std::ostream& operator<<(std::ostream& os, Stage stage);

// ---- events -------------------------------------------------------------------------------------
struct ConnectionCreated { PeerId peer = 0; };  // a new RTCPeerConnection (also one replacing another)
struct ConnectionClosed { PeerId peer = 0; };   // we closed it (the peer left, the call ended)
struct StateChanged { PeerId peer = 0; ConnectionState state = ConnectionState::New; };  // connectionState
// Time passes. `signaling`: an ICE restart can be sent now (socket open, welcomed, not resuming).
struct Tick { bool signaling = true; };

using Event = std::variant<ConnectionCreated, ConnectionClosed, StateChanged, Tick>;

// ---- effects ------------------------------------------------------------------------------------
struct RestartIce { PeerId peer = 0; bool operator==(const RestartIce&) const = default; };
struct BecameUnreachable { PeerId peer = 0; bool operator==(const BecameUnreachable&) const = default; };
struct ReachableAgain { PeerId peer = 0; bool operator==(const ReachableAgain&) const = default; };

using Effect = std::variant<RestartIce, BecameUnreachable, ReachableAgain>;
using Effects = std::vector<Effect>;

std::ostream& operator<<(std::ostream& os, const Event& event);
std::ostream& operator<<(std::ostream& os, const Effect& effect);

struct PeerStatus {
  Stage stage = Stage::Waiting;
  // The connection's connectionState: the client keeps it here only (its tile and state() read it).
  ConnectionState connection = ConnectionState::New;
  double since = 0;                // this stretch without a connection began
  double disconnected_since = -1;  // `disconnected` since then; -1 = not disconnected
  double trouble_since = 0;        // the stretch's first restart (restarting, unreachable)
  double next_restart_at = 0;
  int restarts = 0;                // restarts asked for in this stretch
};

class Machine {
 public:
  Effects handle(const Event& event, double now_ms);

  const PeerStatus* peer(PeerId id) const;
  bool unreachable(PeerId id) const;
  const std::map<PeerId, PeerStatus>& peers() const { return peers_; }

 private:
  Effects on(const ConnectionCreated& e, double now);
  Effects on(const ConnectionClosed& e, double now);
  Effects on(const StateChanged& e, double now);
  Effects on(const Tick& e, double now);
  // A new stretch without a connection starts now.
  static void start_stretch(PeerStatus& p, double now);

  std::map<PeerId, PeerStatus> peers_;
  bool signaling_ = true;  // as of the last tick
};

// The words on an unreachable peer's tile. `hint` (for whoever runs the server) is empty when the
// configuration has a TURN server: then the relay did not get through either, and there is nothing
// simple to point at. In `lang` (shared/ui_text's words).
struct UnreachableNotice {
  std::string text;    // "Can't reach <name>: your networks block a direct connection."
  std::string hint;    // for the admin; "" when a TURN server is configured
  std::string trying;  // that it is not given up on
};
UnreachableNotice unreachable_notice(ui_text::Lang lang, std::string_view name, bool has_turn);

}  // namespace moim::peer_health
