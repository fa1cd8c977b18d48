#include "people/call_people.hpp"

#include "ice_route.hpp"
#include "peer_link.hpp"
#include "signaling.hpp"

#include <string>
#include <utility>

namespace moim {

ui::PeopleModel CallPeople::model(ui_text::Lang lang, const std::optional<CallInfo>& call, bool mic, bool camera) const {
  ui::PeopleModel m;
  m.open = open_;
  if (!call) return m;
  m.people.push_back(ui::PersonView{call->self.id, call->self.name, true, mic, camera, "", false});
  for (const Peers::Peer* p : peers_.in_order()) {
    ui::PersonView v{p->info.id, p->info.name, false, p->info.mic, p->info.camera, "", false};
    v.connection = p->away ? std::string(ui_text::text(lang, ui_text::Id::ConnAway))
                           : connection_words(lang, connection_state(*p, health_));
    if (const auto pair = connected_pair(*p, health_)) v.connection += " \xC2\xB7 " + std::string(ice::to_string(ice::route(*pair)));
    // A large room's files need no channel of theirs: the messages go through the server, the bytes
    // over a data link opened for the transfer (wasm/files/file_links.hpp).
    const bool large_room = call->room.mode == proto::RoomMode::Sfu;
    v.can_send_file = !p->away && (large_room || (p->connection && p->connection->browser.channel_open()));
    m.people.push_back(std::move(v));
  }
  return m;
}

}  // namespace moim
