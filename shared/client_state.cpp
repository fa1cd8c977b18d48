#include "client_state.hpp"
#include "overloaded.hpp"

namespace moim {

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
            call_ = CallInfo{m.room, m.self, m.token};
            rooms_[m.room.id] = m.room;
            return true;
          },
          [&](const proto::Resumed& m) {
            // Only the call we asked to resume can be resumed; anything else is nonsense.
            if (!call_ || call_->room.id != m.room.id) return false;
            // Its peers: the peer table. The media server's state stays until the server says otherwise.
            call_ = CallInfo{m.room, m.self, m.token, call_->media_reconnecting};
            rooms_[m.room.id] = m.room;
            return true;
          },
          // The call's peers are the peer table's (PeerTable::apply).
          [&](const proto::PeerJoined&) { return false; },
          [&](const proto::PeerLeft&) { return false; },
          [&](const proto::PeerMedia&) { return false; },
          [&](const proto::Left&) {
            bool had = call_.has_value();
            call_.reset();
            return had;
          },
          [&](const proto::RoomRemoved& m) { return rooms_.erase(m.room) > 0; },
          [&](const proto::RelayedSignal&) { return false; },
          [&](const proto::RelayedMediaSignal&) { return false; },
          [&](const proto::RelayedPeerMessage&) { return false; },  // the chat's (wasm/server_channel.hpp)
          [&](const proto::MediaState& m) {
            // A large room's media server: out of reach from "down" until "up" or "reset".
            if (!call_) return false;
            const bool down = m.state == proto::MediaServerState::Down;
            const bool changed = call_->media_reconnecting != down;
            call_->media_reconnecting = down;
            return changed;
          },
          [&](const proto::Error&) { return false; },
          [&](const proto::Pong&) { return false; },
          [&](const proto::SessionToken& m) {
            // The newest token is the one a resume needs; the UI shows nothing of it.
            if (call_ && !m.token.empty()) call_->token = m.token;
            return false;
          },
          [&](const proto::LimitsChanged& m) {
            // Large rooms became available or not (the create dialog says so at once).
            const bool changed = limits_ != m.limits;
            limits_ = m.limits;
            return changed;
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
