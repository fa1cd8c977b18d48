// The hub's sessions: joining a room (the second-tab rule, peer ids), leaving it, losing the connection
// (held for the resume grace window), resuming (within the window, or restored after a restart), and
// keeping a connected session's token and TURN credentials fresh. The state is SessionTable's.
#include "hub.hpp"

#include "json_text.hpp"

#include <optional>
#include <string>
#include <utility>

namespace moim {

using json_text::in_quotes;
using proto::ErrorCode;
using proto::PeerId;
using proto::RoomId;

void Hub::on_join(HubOutput& out, ConnId conn, Conn& state, const proto::Join& join, bool password_checked) {
  constexpr std::string_view request = "join";
  if (state.peer != 0) {
    error(out, conn, ErrorCode::AlreadyInRoom, "You are already in a room. Leave it before joining another.",
          request);
    return;
  }
  const std::optional<std::string> name = proto::normalize_display_name(join.name, config_.max_name_chars);
  if (!name) {
    error(out, conn, ErrorCode::NameInvalid,
          "Your name must be 1 to " + std::to_string(config_.max_name_chars) +
              " characters, without control characters.",
          request);
    return;
  }
  const std::optional<proto::RoomInfo> info = registry_.info(join.room);
  if (!info) {
    error(out, conn, ErrorCode::RoomNotFound, "That room does not exist (it may have been removed).", request);
    return;
  }
  // A large room's media goes through the media server: without it, a call in which nobody sees
  // anybody, so it is refused plainly.
  if (info->mode == proto::RoomMode::Sfu && !large_rooms_available()) {
    error(out, conn, ErrorCode::LargeRoomsUnavailable,
          "This room's audio and video go through the media server, which is not running now; try again shortly.",
          request);
    return;
  }
  // The second-tab rule: the same browser joining the same room again replaces its older session.
  const PeerId replaced = join.client.empty() ? 0 : sessions_.of_client(join.room, join.client);
  if (info->participants >= info->capacity && replaced == 0) {
    error(out, conn, ErrorCode::RoomFull,
          "Room " + in_quotes(info->name) + " is full (" + std::to_string(info->participants) + "/" +
              std::to_string(info->capacity) + ").",
          request);
    return;
  }
  if (info->locked && !password_checked) {
    start_password_check(out, conn, state, join, *info);  // on_join again once the password is right
    return;
  }
  if (replaced != 0) {
    std::optional<ConnId> old_conn;
    if (const Session* old = sessions_.find(replaced); old && old->conn) {
      old_conn = *old->conn;
      if (auto c = conns_.find(*old_conn); c != conns_.end()) c->second.peer = 0;
    }
    end_session(out, replaced);
    if (old_conn) back_to_lobby(out, *old_conn, proto::LeftReason::Replaced);
  }
  const std::optional<PeerId> id = sessions_.next_peer_id();
  if (!id) {
    error(out, conn, services_.store.busy() ? ErrorCode::ServerBusy : ErrorCode::Internal,
          "The server could not assign you an id: " + services_.store.error(), request);
    return;
  }
  const proto::PeerInfo candidate{.id = *id, .name = *name, .mic = join.mic, .camera = join.camera};
  Result<std::vector<proto::PeerInfo>> joined = registry_.join(join.room, candidate);
  if (!joined.ok()) {
    error(out, conn, joined.error(),
          joined.error() == ErrorCode::RoomFull ? "Room " + in_quotes(info->name) + " is full." : "Could not join the room.",
          request);
    return;
  }
  sessions_.use_peer_id();
  state.peer = *id;
  sessions_.put(Session{.peer = *id, .room = join.room, .client = join.client, .conn = conn, .lost_ms = 0,
                        .token_issued = now_unix_, .ice_sent = now_unix_, .held = {}, .held_bytes = 0,
                        .overflowed = false});
  // Remembered so that a restart can bring it back; if the store fails, it simply cannot.
  services_.store.put_session(server::StoredSession{.peer = *id, .room = join.room});
  rooms_.touch(join.room, now_unix_);
  const proto::RoomInfo room = registry_.info(join.room).value_or(*info);
  send_ice(out, conn, *id);
  reply(out, conn,
        proto::Joined{.room = room,
                      .self = candidate,
                      .token = session_token(*id, room.id),
                      .peers = std::get<0>(std::move(joined.value))});
  to_room(out, room.id, *id, proto::PeerJoined{candidate, false});
  room_changed(room.id);
  if (room.mode == proto::RoomMode::Sfu) apply_media(out, media_.join(*id, room.id, *name));
}

void Hub::on_resume(HubOutput& out, ConnId conn, Conn& state, const proto::Resume& req) {
  constexpr std::string_view request = "resume";
  if (state.peer != 0) {
    error(out, conn, ErrorCode::AlreadyInRoom, "You are already in a room.", request);
    return;
  }
  const auto expired = [&] {
    error(out, conn, ErrorCode::SessionExpired, "Your earlier session has ended; join the room again.", request);
  };
  const std::optional<server::SessionClaims> claims = services_.secrets.verify_session(req.token);
  if (!claims) return expired();
  // Too old (or from the future: a clock set back by more than a minute is not trusted either).
  if (now_unix_ - claims->issued_at > config_.session_max_age_s || claims->issued_at - now_unix_ > 60) {
    return expired();
  }
  const PeerId peer = claims->peer;
  // The token names one room instance: another room that carries the same id is not it.
  const RoomRecord* record = rooms_.find(claims->room);
  if (record && record->created_at != claims->room_created) return expired();

  if (Session* session = sessions_.find(peer)) {
    // An overflowed session lost messages while held: it ends at the next tick and cannot come back.
    if (session->room != claims->room || session->overflowed) return expired();
    // Still attached to an older connection that has not been noticed dead yet: this one wins.
    if (session->conn && *session->conn != conn) {
      const ConnId old_conn = *session->conn;
      if (auto c = conns_.find(old_conn); c != conns_.end()) c->second.peer = 0;
      out.closes.push_back(old_conn);
    }
    session->conn = conn;
    session->token_issued = now_unix_;
    session->ice_sent = now_unix_;
    state.peer = peer;
    const std::optional<proto::PeerInfo> self = registry_.peer(peer);
    const std::optional<proto::RoomInfo> room = registry_.info(claims->room);
    std::vector<proto::PeerInfo> peers;
    for (const PeerId member : registry_.members(claims->room)) {
      if (member == peer) continue;
      if (std::optional<proto::PeerInfo> info = registry_.peer(member)) peers.push_back(std::move(*info));
    }
    send_ice(out, conn, peer);
    // The signals its client has not seen, sent again; some may be gone (past the bounds).
    const auto unseen = session->signals_out.after(req.seen);
    reply(out, conn,
          proto::Resumed{.room = room.value_or(proto::RoomInfo{}),
                         .self = self.value_or(proto::PeerInfo{}),
                         .token = session_token(peer, claims->room),
                         .peers = std::move(peers),
                         .restored = false,
                         .seen = session->signals_in.seen(),
                         .missed = !unseen});
    if (unseen) {
      for (const auto* text : *unseen) out.sends.push_back(Outgoing{conn, *text});
    }
    // What else happened meanwhile, in order.
    for (auto& text : session->held) out.sends.push_back(Outgoing{conn, std::move(text)});
    session->held.clear();
    session->held_bytes = 0;
    apply_media(out, media_.resumed(peer));  // a large room's pending subscription offer, again
    if (self && (self->mic != req.mic || self->camera != req.camera)) {
      registry_.set_media(peer, req.mic, req.camera);
      to_room(out, claims->room, peer, proto::PeerMedia{.peer = peer, .mic = req.mic, .camera = req.camera});
    }
    return;
  }

  // Not held here: after a restart, a token of a session that was live when the last run stopped
  // brings it back, once. A session that ended (in any run) is not stored, so its token is dead.
  const std::optional<RoomId> stored = sessions_.restorable(peer);
  if (!stored || *stored != claims->room) return expired();
  if (!record || !registry_.info(claims->room)) {
    error(out, conn, ErrorCode::RoomNotFound, "That room does not exist any more.", request);
    return;
  }
  const proto::RoomInfo info = *registry_.info(claims->room);
  const std::optional<std::string> name = proto::normalize_display_name(req.name, config_.max_name_chars);
  if (!name) {
    error(out, conn, ErrorCode::NameInvalid,
          "Your name must be 1 to " + std::to_string(config_.max_name_chars) + " characters.", request);
    return;
  }
  const proto::PeerInfo self{.id = peer, .name = *name, .mic = req.mic, .camera = req.camera};
  Result<std::vector<proto::PeerInfo>> joined = registry_.join(claims->room, self);
  if (!joined.ok()) {
    error(out, conn, joined.error(),
          joined.error() == ErrorCode::RoomFull ? "Room " + in_quotes(info.name) + " is full." : "Could not rejoin.",
          request);
    return;
  }
  sessions_.restored(peer);
  state.peer = peer;
  sessions_.put(Session{.peer = peer, .room = claims->room, .client = req.client, .conn = conn, .lost_ms = 0,
                        .token_issued = now_unix_, .ice_sent = now_unix_, .held = {}, .held_bytes = 0,
                        .overflowed = false});
  rooms_.touch(claims->room, now_unix_);
  send_ice(out, conn, peer);
  reply(out, conn,
        proto::Resumed{.room = registry_.info(claims->room).value_or(info),
                       .self = self,
                       .token = session_token(peer, claims->room),
                       .peers = std::get<0>(std::move(joined.value)),
                       .restored = true});
  to_room(out, claims->room, peer, proto::PeerJoined{self, true});
  room_changed(claims->room);
  // Restored after a restart: its media is taken over (the previous run's record, its Janus session
  // claimed back) or starts over ("reset").
  if (info.mode == proto::RoomMode::Sfu) apply_media(out, media_.rejoin(peer, claims->room, *name));
}

void Hub::on_leave(HubOutput& out, ConnId conn, Conn& state) {
  if (state.peer == 0) {
    error(out, conn, ErrorCode::NotInRoom, "You are not in a room.", "leave");
    return;
  }
  const PeerId peer = state.peer;
  state.peer = 0;
  end_session(out, peer);
  back_to_lobby(out, conn, proto::LeftReason::Requested);
}

void Hub::end_session(HubOutput& out, PeerId peer) {
  sessions_.end(peer);
  apply_media(out, media_.leave(peer));
  std::optional<RoomId> room = registry_.leave(peer);
  if (!room) return;
  rooms_.touch(*room, now_unix_);
  to_room(out, *room, peer, proto::PeerLeft{peer});
  room_changed(*room);
}

void Hub::hold_session(Conn& state) {
  const PeerId peer = state.peer;
  state.peer = 0;
  sessions_.hold(peer, now_ms_);
}

void Hub::tick_sessions(HubOutput& out) {
  for (const PeerId peer : sessions_.expired(now_ms_, config_.resume_grace_ms)) {
    if (const Session* session = sessions_.find(peer); session && session->conn) {
      // Overflowed while connected (a stuck reader): the connection goes with the session.
      out.closes.push_back(*session->conn);
      if (auto conn = conns_.find(*session->conn); conn != conns_.end()) conn->second.peer = 0;
    }
    end_session(out, peer);
  }
  // Fresh tokens before the old ones are half way to their maximum age.
  sessions_.for_each([&](Session& session) {
    if (session.conn && now_unix_ - session.token_issued >= config_.session_max_age_s / 2) {
      reply(out, *session.conn, proto::SessionToken{session_token(session.peer, session.room)});
      session.token_issued = now_unix_;
    }
  });
  // Fresh TURN credentials when half their lifetime has passed (without TURN nothing expires).
  if (config_.ice.has_turn()) {
    sessions_.for_each([&](Session& session) {
      if (session.conn && now_unix_ - session.ice_sent >= config_.ice.turn_ttl_s / 2) {
        send_ice(out, *session.conn, session.peer);
        session.ice_sent = now_unix_;
      }
    });
  }
  // The last run's sessions that can no longer come back, and failed removals from the store.
  sessions_.sweep_stored(now_unix_);
  // Large rooms' participants of the last run whose browser did not come back within the grace:
  // their media is dropped (the others' subscriptions lose them), as the clients drop their tiles.
  if (media_.away() > 0 && now_ms_ >= away_until_ms_) apply_media(out, media_.drop_away());
}

std::string Hub::session_token(PeerId peer, RoomId room) {
  const RoomRecord* record = rooms_.find(room);
  return services_.secrets.sign_session(server::SessionClaims{
      .peer = peer, .room = room, .room_created = record ? record->created_at : 0, .issued_at = now_unix_});
}

void Hub::send_ice(HubOutput& out, ConnId conn, PeerId peer) {
  auto state = conns_.find(conn);
  if (state == conns_.end()) return;
  Conn& c = state->second;
  if (!c.ice_host && !c.ice_host_reported && config_.ice.uses_host()) {
    c.ice_host_reported = true;
    out.warnings.push_back("connection " + std::to_string(conn) + ": ICE servers whose URI needs {host} are left out: " +
                           c.ice_host_problem);
  }
  reply(out, conn, server::ice_config_for(config_.ice, c.ice_host, peer, now_unix_));
}

}  // namespace moim
