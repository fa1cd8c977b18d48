// The hub's side of large rooms' media (issue 15): a browser in a large room talks only to its own
// two Janus handles (publish, subscribe), through media-signal, media-restart and media-layers; the server says
// who it is (the participant of this connection, never a field of the message) and sfu::MediaSessions
// does the rest. Sessions are made on join, kept while a session is held for a resume (the browser's
// peer connections outlive a dropped signaling connection), and torn down whenever a session ends
// (leave, tab closed, replaced, grace expired, room removed: hub_sessions.cpp, hub_rooms.cpp).
#include "hub.hpp"

#include <string>
#include <utility>

namespace moim {

using proto::ErrorCode;

void Hub::apply_media(HubOutput& out, sfu::MediaOutput media) {
  for (sfu::MediaCommand& command : media.janus) {
    // VideoRoom's "kick" needs the room's secret, which only the hub holds (sfu::LargeRooms).
    if (command.kind == sfu::MediaCommand::Kind::Message && command.body.is_object() &&
        command.body.value("request", "") == "kick") {
      const std::string* secret = large_rooms_.secret(command.body.value("room", sfu::MoimRoomId{0}));
      if (secret != nullptr) command.body["secret"] = *secret;
    }
    out.media.push_back(std::move(command));
  }
  for (sfu::MediaOutput::ToPeer& to : media.to_peers) {
    to_peer(out, to.peer, std::make_shared<const std::string>(proto::encode(to.message)));
  }
  for (std::string& line : media.log) out.warnings.push_back("media: " + std::move(line));
  store_media(out);
}

// Each participant's record, written beside its session whenever it changes, so that a restarted
// server takes its media over (MediaSessions::restore). Best effort: a failed write is logged and
// tried again at the next change; that participant then starts over after a restart.
void Hub::store_media(HubOutput& out) {
  for (const proto::PeerId peer : media_.changed()) {
    const nlohmann::json record = media_.record(peer);
    if (record.is_null()) {
      // Gone: its session ended (its row with it), or it was dropped while its session may still come
      // back (then as a newcomer to the media, not with stale handles).
      if (media_stored_.erase(peer) > 0 && !services_.store.put_session_media(peer, "")) {
        out.warnings.push_back("media: peer " + std::to_string(peer) + ": its old record could not be cleared (" +
                               services_.store.error() + ")");
      }
      continue;
    }
    std::string text = record.dump();
    const auto stored = media_stored_.find(peer);
    if (stored != media_stored_.end() && stored->second == text) continue;
    if (services_.store.put_session_media(peer, text)) {
      media_stored_[peer] = std::move(text);
    } else {
      media_stored_.erase(peer);
      out.warnings.push_back("media: peer " + std::to_string(peer) + ": its record could not be stored (" +
                             services_.store.error() + "); a restart would start its media over");
    }
  }
}

void Hub::restore_media(const std::vector<server::StoredSession>& restorable) {
  if (!config_.janus_configured) return;
  (void)media_.link_down();  // nobody there yet: nothing to tell; up once the link says so
  earlier_janus_ = services_.store.load_janus_session();
  for (const server::StoredSession& session : restorable) {
    if (session.media.empty()) continue;
    const std::optional<proto::RoomInfo> info = registry_.info(session.room);
    if (!info || info->mode != proto::RoomMode::Sfu) continue;
    const nlohmann::json record = nlohmann::json::parse(session.media, nullptr, /*allow_exceptions=*/false);
    // A record refused (unreadable, or not ours) leaves that participant to start over when it resumes.
    if (media_.restore(session.peer, session.room, record)) media_stored_[session.peer] = session.media;
  }
  (void)media_.changed();
}

void Hub::on_media_signal(HubOutput& out, ConnId conn, Conn& state, const proto::SendMediaSignal& send) {
  constexpr std::string_view request = "media-signal";
  if (state.peer == 0 || !media_.has(state.peer)) {
    error(out, conn, ErrorCode::NotInLargeRoom, "media-signal is for participants of a large room.", request);
    return;
  }
  const proto::MediaSignal& signal = send.signal;
  if (!proto::client_may_send(signal.link, signal.kind)) {
    error(out, conn, ErrorCode::BadField,
          "On the " + std::string(proto::to_string(signal.link)) + " link you send " +
              (signal.link == proto::MediaLink::Publish ? "offers and candidates" : "answers and candidates") +
              ", not an " + std::string(proto::to_string(signal.kind)) + ".",
          request);
    return;
  }
  if (refuse_oversized(out, conn, signal.kind, signal.sdp, signal.candidate, request)) return;
  apply_media(out, media_.signal(state.peer, signal));
}

void Hub::on_media_restart(HubOutput& out, ConnId conn, Conn& state, const proto::RestartMedia& restart) {
  if (state.peer == 0 || !media_.has(state.peer)) {
    error(out, conn, ErrorCode::NotInLargeRoom, "media-restart is for participants of a large room.", "media-restart");
    return;
  }
  apply_media(out, restart.fresh ? media_.start_over(state.peer) : media_.restart(state.peer));
}

void Hub::on_media_layers(HubOutput& out, ConnId conn, Conn& state, const proto::SetMediaLayers& layers) {
  if (state.peer == 0 || !media_.has(state.peer)) {
    error(out, conn, ErrorCode::NotInLargeRoom, "media-layers is for participants of a large room.", "media-layers");
    return;
  }
  apply_media(out, media_.layers(state.peer, layers.layers));
}

HubOutput Hub::on_media_answer(sfu::RequestId id, const sfu::MediaAnswer& answer) {
  HubOutput out;
  apply_media(out, media_.answer(id, answer));
  return out;
}

HubOutput Hub::on_media_event(const sfu::HandleEvent& event) {
  HubOutput out;
  apply_media(out, media_.event(event));
  return out;
}

}  // namespace moim
