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
  for (sfu::MediaCommand& command : media.janus) out.media.push_back(std::move(command));
  for (sfu::MediaOutput::ToPeer& to : media.to_peers) {
    to_peer(out, to.peer, std::make_shared<const std::string>(proto::encode(to.message)));
  }
  for (std::string& line : media.log) out.warnings.push_back("media: " + std::move(line));
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

void Hub::on_media_restart(HubOutput& out, ConnId conn, Conn& state) {
  if (state.peer == 0 || !media_.has(state.peer)) {
    error(out, conn, ErrorCode::NotInLargeRoom, "media-restart is for participants of a large room.", "media-restart");
    return;
  }
  apply_media(out, media_.restart(state.peer));
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
