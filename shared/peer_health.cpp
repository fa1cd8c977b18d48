#include "peer_health.hpp"
#include "overloaded.hpp"

namespace moim::peer_health {

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::Waiting: return "waiting";
    case Stage::Restarting: return "restarting";
    case Stage::Unreachable: return "unreachable";
    case Stage::Connected: return "connected";
  }
  return "waiting";
}

std::ostream& operator<<(std::ostream& os, Stage stage) { return os << to_string(stage); }

std::ostream& operator<<(std::ostream& os, const Event& event) {
  std::visit(Overloaded{
                 [&](const ConnectionCreated& e) { os << "ConnectionCreated{" << e.peer << '}'; },
                 [&](const ConnectionClosed& e) { os << "ConnectionClosed{" << e.peer << '}'; },
                 [&](const StateChanged& e) { os << "StateChanged{" << e.peer << ", " << e.state << '}'; },
                 [&](const Tick& e) { os << "Tick{signaling=" << e.signaling << '}'; },
             },
             event);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Effect& effect) {
  std::visit(Overloaded{
                 [&](const RestartIce& e) { os << "RestartIce{" << e.peer << '}'; },
                 [&](const BecameUnreachable& e) { os << "BecameUnreachable{" << e.peer << '}'; },
                 [&](const ReachableAgain& e) { os << "ReachableAgain{" << e.peer << '}'; },
             },
             effect);
  return os;
}

Effects Machine::handle(const Event& event, double now_ms) {
  return std::visit([&](const auto& e) { return on(e, now_ms); }, event);
}

const PeerStatus* Machine::peer(PeerId id) const {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : &it->second;
}

bool Machine::unreachable(PeerId id) const {
  const PeerStatus* p = peer(id);
  return p && p->stage == Stage::Unreachable;
}

void Machine::start_stretch(PeerStatus& p, double now) {
  p.stage = Stage::Waiting;
  p.since = now;
  p.disconnected_since = p.connection == ConnectionState::Disconnected ? now : -1;
  p.trouble_since = 0;
  p.next_restart_at = 0;
  p.restarts = 0;
}

Effects Machine::on(const ConnectionCreated& e, double now) {
  PeerStatus p;
  start_stretch(p, now);
  peers_[e.peer] = p;  // a replacement starts over: the old connection's verdict was about it
  return {};
}

Effects Machine::on(const ConnectionClosed& e, double) {
  peers_.erase(e.peer);
  return {};
}

Effects Machine::on(const StateChanged& e, double now) {
  auto it = peers_.find(e.peer);
  if (it == peers_.end()) return {};  // a connection we do not track (closed meanwhile)
  PeerStatus& p = it->second;
  const ConnectionState before = p.connection;
  p.connection = e.state;
  if (e.state == ConnectionState::Connected) {
    const bool was_unreachable = p.stage == Stage::Unreachable;
    p.stage = Stage::Connected;
    p.disconnected_since = -1;
    p.restarts = 0;
    if (was_unreachable) return {ReachableAgain{e.peer}};
    return {};
  }
  if (p.stage == Stage::Connected) {
    start_stretch(p, now);  // left `connected`: a new stretch without a connection
    return {};
  }
  if (e.state == ConnectionState::Disconnected && before != ConnectionState::Disconnected) p.disconnected_since = now;
  if (e.state != ConnectionState::Disconnected) p.disconnected_since = -1;
  return {};
}

Effects Machine::on(const Tick& e, double now) {
  const bool back = e.signaling && !signaling_;
  signaling_ = e.signaling;
  Effects out;
  if (!e.signaling) return out;  // no restart can be sent, and no verdict is fair, without signaling
  for (auto& [id, p] : peers_) {
    if (p.stage == Stage::Connected) continue;
    if (back) {
      // Signaling was away: whatever was due could not be done. Start again from now.
      if (p.stage == Stage::Unreachable) p.next_restart_at = now;
      else start_stretch(p, now);
    }
    switch (p.stage) {
      case Stage::Connected: break;
      case Stage::Waiting: {
        const bool failed = p.connection == ConnectionState::Failed;
        const bool stuck = p.disconnected_since >= 0 && now - p.disconnected_since >= kDisconnectedGraceMs;
        const bool slow = now - p.since >= kConnectBoundMs;
        if (!failed && !stuck && !slow) break;
        p.stage = Stage::Restarting;
        p.trouble_since = now;
        p.next_restart_at = now + kRestartRetryMs;
        p.restarts = 1;
        out.push_back(RestartIce{id});
        break;
      }
      case Stage::Restarting:
        if (now - p.trouble_since >= kRestartBoundMs) {
          p.stage = Stage::Unreachable;
          p.next_restart_at = now + kBackgroundRetryMs;
          out.push_back(BecameUnreachable{id});
        } else if (now >= p.next_restart_at) {
          p.next_restart_at = now + kRestartRetryMs;
          ++p.restarts;
          out.push_back(RestartIce{id});
        }
        break;
      case Stage::Unreachable:
        if (now >= p.next_restart_at) {
          p.next_restart_at = now + kBackgroundRetryMs;
          ++p.restarts;
          out.push_back(RestartIce{id});
        }
        break;
    }
  }
  return out;
}

UnreachableNotice unreachable_notice(ui_text::Lang lang, std::string_view name, bool has_turn) {
  using ui_text::Id;
  UnreachableNotice n;
  n.text = ui_text::format(lang, Id::UnreachableText, {name});
  if (!has_turn) n.hint = std::string(ui_text::text(lang, Id::UnreachableNoTurn));
  n.trying = std::string(ui_text::text(lang, Id::UnreachableTrying));
  return n;
}

}  // namespace moim::peer_health
