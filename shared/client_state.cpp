#include "client_state.hpp"
#include "overloaded.hpp"

#include <algorithm>

namespace moim {

const proto::PeerInfo* CallInfo::find(proto::PeerId id) const {
  auto it = std::find_if(peers.begin(), peers.end(), [id](const auto& p) { return p.id == id; });
  return it == peers.end() ? nullptr : &*it;
}

bool ClientState::apply(const proto::ServerMessage& msg) {
  return std::visit(
      Overloaded{
          [&](const proto::Welcome& m) {
            welcomed_ = true;
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
            call_ = CallInfo{m.room, m.self, m.token, m.peers};
            rooms_[m.room.id] = m.room;
            return true;
          },
          [&](const proto::PeerJoined& m) {
            if (!call_ || call_->find(m.peer.id) || m.peer.id == call_->self.id) return false;
            call_->peers.push_back(m.peer);
            return true;
          },
          [&](const proto::PeerLeft& m) {
            if (!call_) return false;
            auto& ps = call_->peers;
            auto before = ps.size();
            ps.erase(std::remove_if(ps.begin(), ps.end(), [&](const auto& p) { return p.id == m.peer; }), ps.end());
            return ps.size() != before;
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
          [&](const proto::RelayedSignal&) { return false; },
          [&](const proto::Error&) { return false; },
      },
      msg);
}

void ClientState::reset() {
  welcomed_ = false;
  rooms_.clear();
  call_.reset();
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
