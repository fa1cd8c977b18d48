#include "client_state.hpp"
#include "overloaded.hpp"

#include <algorithm>

namespace moim {

namespace {
// A peer list as the server sent it, minus ourselves and repeated ids (a broken or hostile server),
// and no longer than kMaxCallPeers.
std::vector<proto::PeerInfo> clean_peers(const std::vector<proto::PeerInfo>& peers, proto::PeerId self) {
  std::vector<proto::PeerInfo> out;
  for (const auto& p : peers) {
    if (out.size() >= kMaxCallPeers) break;
    if (p.id == self || std::any_of(out.begin(), out.end(), [&](const auto& q) { return q.id == p.id; })) continue;
    out.push_back(p);
  }
  return out;
}
}  // namespace

bool ClientState::apply(const proto::ServerMessage& msg) {
  return std::visit(
      Overloaded{
          [&](const proto::Welcome& m) {
            welcomed_ = true;
            limits_ = m.limits;
            rooms_.clear();
            for (const auto& r : m.rooms) rooms_[r.id] = r;
            return true;
          },
          [&](const proto::RoomCreated& m) {
            rooms_[m.room.id] = m.room;
            return true;
          },
          [&](const proto::RoomUpdated& m) {
            rooms_[m.room.id] = m.room;
            if (call_ && call_->room.id == m.room.id) call_->room = m.room;
            return true;
          },
          [&](const proto::Joined& m) {
            call_ = CallInfo{m.room, m.self, m.token, clean_peers(m.peers, m.self.id), {}};
            rooms_[m.room.id] = m.room;
            return true;
          },
          [&](const proto::Resumed& m) {
            // Only the call we asked to resume can be resumed; anything else is nonsense.
            if (!call_ || call_->room.id != m.room.id) return false;
            std::vector<proto::PeerInfo> away;
            if (m.restored) {
              // Everyone we knew who is not back yet may still be on the way: keep them for now.
              for (const auto& p : call_->peers) {
                const bool listed = std::any_of(m.peers.begin(), m.peers.end(), [&](const auto& q) { return q.id == p.id; });
                if (!listed && p.id != m.self.id) away.push_back(p);
              }
            }
            auto peers = clean_peers(m.peers, m.self.id);
            if (peers.size() + away.size() > kMaxCallPeers) away.resize(kMaxCallPeers - peers.size());
            call_ = CallInfo{m.room, m.self, m.token, std::move(peers), std::move(away)};
            rooms_[m.room.id] = m.room;
            return true;
          },
          [&](const proto::PeerJoined& m) {
            if (!call_ || m.peer.id == call_->self.id) return false;
            auto& away = call_->away;
            away.erase(std::remove_if(away.begin(), away.end(), [&](const auto& p) { return p.id == m.peer.id; }),
                       away.end());
            for (auto& p : call_->peers) {
              if (p.id == m.peer.id) {
                p = m.peer;
                return true;
              }
            }
            if (call_->peers.size() + away.size() >= kMaxCallPeers) return false;  // more than a room holds
            call_->peers.push_back(m.peer);
            return true;
          },
          [&](const proto::PeerLeft& m) {
            if (!call_) return false;
            auto gone = [&](const auto& p) { return p.id == m.peer; };
            auto& ps = call_->peers;
            auto& away = call_->away;
            const auto before = ps.size() + away.size();
            ps.erase(std::remove_if(ps.begin(), ps.end(), gone), ps.end());
            away.erase(std::remove_if(away.begin(), away.end(), gone), away.end());
            return ps.size() + away.size() != before;
          },
          [&](const proto::PeerMedia& m) {
            if (!call_) return false;
            for (auto& p : call_->peers) {
              if (p.id == m.peer) {
                p.mic = m.mic;
                p.camera = m.camera;
                return true;
              }
            }
            return false;
          },
          [&](const proto::Left&) {
            bool had = call_.has_value();
            call_.reset();
            return had;
          },
          [&](const proto::RoomRemoved& m) { return rooms_.erase(m.room) > 0; },
          [&](const proto::RelayedSignal&) { return false; },
          [&](const proto::Error&) { return false; },
          [&](const proto::Pong&) { return false; },
          [&](const proto::SessionToken& m) {
            // The newest token is the one a resume needs; the UI shows nothing of it.
            if (call_ && !m.token.empty()) call_->token = m.token;
            return false;
          },
          [&](const proto::IceConfig& m) {
            // Kept across a dropped connection: the call's peer connections go on without the server.
            const bool changed = ice_ != m;
            ice_ = m;
            return changed;
          },
      },
      msg);
}

std::vector<proto::PeerId> ClientState::drop_away() {
  std::vector<proto::PeerId> ids;
  if (!call_) return ids;
  for (const auto& p : call_->away) ids.push_back(p.id);
  call_->away.clear();
  return ids;
}

void ClientState::disconnected() {
  welcomed_ = false;
  rooms_.clear();
  if (call_) rooms_[call_->room.id] = call_->room;
}

void ClientState::reset() {
  welcomed_ = false;
  rooms_.clear();
  call_.reset();
  ice_.reset();
}

std::vector<proto::RoomInfo> ClientState::rooms() const {
  std::vector<proto::RoomInfo> out;
  out.reserve(rooms_.size());
  for (const auto& [_, r] : rooms_) out.push_back(r);
  return out;
}

const proto::RoomInfo* ClientState::room(proto::RoomId id) const {
  auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : &it->second;
}

}  // namespace moim
