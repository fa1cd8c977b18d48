// What the lobby and the call screen say, decided apart from drawing them (wasm/ui draws; App fills
// its view models from these): the connection status line with its countdown, the preview card's one
// line, the call's banner while the server is out of reach, the order of the call's tiles, and why a
// typed name was refused (the lobby's banner, the create and rename dialogs), a chat message's time,
// the stats panel's figures.
// Pure functions of what the parts report (shared/server_link, shared/join_flow, shared/peer_table),
// in the language asked for (the words are shared/ui_text's).
#pragma once

#include "call_stats.hpp"
#include "join_flow.hpp"
#include "peer_table.hpp"
#include "protocol.hpp"
#include "server_link.hpp"
#include "ui_text.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moim::view_text {

// The lobby's status line for the link's phase; while waiting, the seconds to the next try, rounded
// up (less than 10 ms over a whole second is not counted), at least 1 (`retry_at_ms` and `now_ms` on
// the page's clock).
std::string link_status(ui_text::Lang lang, server_link::Phase phase, double retry_at_ms, double now_ms);

// The preview card's one line, most important first: no secure page, then the camera's progress, then
// what is missing ("" when camera and microphone are there). `has_audio` / `has_video`: the tracks of
// the stream we hold; `camera_on`: the person left the camera on (off: the call starts with it off).
std::string preview_status(ui_text::Lang lang, bool secure, join_flow::Devices devices, bool has_audio, bool has_video,
                           bool camera_on = true);

// The call's banner: the server is out of reach while the call goes on, or a large room's media
// server is ("" otherwise; the server first: without it nothing of the media server is known).
std::string call_status(ui_text::Lang lang, bool call_reconnecting, bool media_reconnecting = false);

// Why the rule refused a name, for the person who typed it (kept as a Message: shown in whatever
// language is current): `subject` says whose name it is; `max_chars` the limit the name was checked
// against.
enum class NameSubject { Person, Room };
ui_text::Message name_fault(proto::NameFault fault, std::size_t max_chars, NameSubject subject);

// A chat message's time as the chat panel shows it, "14:05", from its hour (0-23) and minute in the
// person's time zone (the caller converts the author's clock: localtime).
std::string clock_text(int hour, int minute);

// One figure of the stats panel with its unit: "1,234 kbps", "23 ms", "0.5 %", "30 fps"; "–" when
// unknown.
std::string stats_figure(call_stats::Metric metric, std::optional<double> value);
// The stats panel's line under a peer's name, what is known of it: "640×480 · VP8 · host".
std::string stats_details(int width, int height, std::string_view codec, std::string_view route);

// The call's tiles, by peer id: ourselves first, then the others as the peer table lists them (in
// the call in join order, then those away after a server restart, who keep their tile).
template <class Browser>
std::vector<proto::PeerId> tile_order(proto::PeerId self, const PeerTable<Browser>& peers) {
  std::vector<proto::PeerId> ids{self};
  for (const auto* p : peers.in_order()) ids.push_back(p->info.id);
  return ids;
}

}  // namespace moim::view_text
