// The screens, as functions of read-only view models. They draw and return intents; nothing else.
#pragma once

#include "call_stats.hpp"
#include "peer_health.hpp"
#include "protocol.hpp"
#include "ui/widgets.hpp"

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace moim::ui {

struct DialogModel {
  bool open = false;
  FieldView room_name;
  FieldView password;         // optional; masked
  std::string password_note;  // shown under the password field (e.g. too long); empty = none
  std::uint32_t capacity = proto::kDefaultCapacity;
  std::uint32_t max_capacity = proto::kMaxCapacity;  // the server's limit (welcome.limits)
  std::string capacity_note;      // under the capacity: a large room's note or refusal; empty = none
  bool capacity_refused = false;  // the refusal: Create is disabled
  std::string error;     // shown inside the dialog
  bool pending = false;  // waiting for the server's answer
};

// The password prompt for a locked room.
struct PasswordPromptModel {
  bool open = false;
  std::string room_name;
  FieldView password;
  std::string error;
  bool pending = false;  // the join is on its way / being checked
};

// The owner's rename dialog and delete confirmation.
struct RenameModel {
  bool open = false;
  std::string room_name;  // the current name
  FieldView name;
  std::string error;
  bool pending = false;
};
struct DeleteModel {
  bool open = false;
  std::string room_name;
  std::string error;
  bool pending = false;
};

// Invite links (wasm/ui/invite_views.cpp). The name prompt: a link was opened and no name is
// remembered; the person types one and joins (a locked room's password prompt follows).
struct InviteNamePromptModel {
  bool open = false;
  std::string room_name;
  FieldView name;
  std::string error;
};
// The call's "Copy invite link" button, its "Link copied" note, and the panel with the link to
// select and copy by hand when the clipboard refused.
struct InviteModel {
  std::string link;  // empty: no button
  bool copied = false;
  bool failed = false;
  std::string failure;  // why the clipboard refused, in words
  FieldView link_field;  // read-only
};

// The camera and microphone to use (wasm/devices/call_devices.cpp makes it, ui/devices_view.cpp
// draws it: in the lobby beside the preview, in the call as a side panel).
struct DevicesModel {
  bool open = false;  // the call's side panel
  std::vector<std::string> cameras, mics;  // labels, in the browser's order
  int camera = -1, mic = -1;               // the chosen one's index; -1: none of the list
  bool has_camera = false, has_mic = false;  // our stream has such a track
  bool camera_on = true, mic_on = true;
  float level = 0;  // the microphone's, 0..1
};

struct LobbyModel {
  FieldView name;
  const std::vector<proto::RoomInfo>* rooms = nullptr;
  FieldView filter;  // rooms whose name holds it are listed (shared/room_search.hpp)
  bool connected = false;
  std::string status;  // connection status line
  std::string error;   // banner; empty = none
  bool joining = false;
  DialogModel dialog;
  PasswordPromptModel prompt;
  RenameModel rename;
  DeleteModel del;
  InviteNamePromptModel name_prompt;
  std::vector<proto::RoomId> owned;  // rooms whose owner token this browser holds (sorted)
  // Self-preview card: the camera as others will see it, or why there is none.
  unsigned preview_texture = 0;
  int preview_w = 0, preview_h = 0;
  std::string preview_status;
  DevicesModel devices;  // before joining: mic and camera on or off, which ones, the level meter
};

struct TileModel {
  proto::PeerId id = 0;
  std::string name;
  bool self = false;
  bool mic = true;
  bool camera = true;
  unsigned texture = 0;  // 0 = no frame yet
  int video_w = 0, video_h = 0;
  std::string connection;  // RTCPeerConnection.connectionState in words; empty for self
  bool connected = false;  // that state is `connected` (no badge)
  bool speaking = false;   // a ring around the tile (shared/speaking.hpp)
  // How the peer is reached while connected: "host", "srflx", "prflx" or "relay" (ice_route.hpp);
  // empty otherwise and for self.
  std::string route;
  // The peer cannot be reached (peer_health's verdict), in words; nullopt = no such trouble.
  std::optional<peer_health::UnreachableNotice> unreachable;
  // The connection's quality while connected (shared/call_stats.hpp): signal bars in the name bar;
  // nullopt: not judged (yet), no bars.
  std::optional<call_stats::Quality> quality;
};

// The call's chat panel (wasm/chat/call_chat.cpp makes it, ui/chat_view.cpp draws it).
struct ChatLineView {
  std::string name;
  std::string time;                   // "14:05", local
  const std::string* text = nullptr;  // drawn as text, never interpreted
  bool own = false;
};
struct ChatModel {
  bool open = false;
  std::size_t unread = 0;  // on the chat button while the panel is closed
  std::span<const ChatLineView> lines;  // oldest first (wasm/chat/call_chat.hpp keeps them)
  FieldView input;
  bool can_send = false;
  bool through_server = false;  // a large room: the subtitle says the server carries it
  std::string note;  // near or over the length limit; empty = none
  bool note_is_error = false;
};

// File transfers (wasm/files/call_files.cpp makes them, ui/files_view.cpp draws them as cards).
struct TransferView {
  std::string id;
  std::string title;   // "report.pdf · 20.0 MB"
  std::string who;     // "To Bob" / "From Bob"
  std::string status;  // shared/transfer_text.hpp
  float progress = -1; // 0..1 while bytes move; negative: no bar
  bool can_accept = false, can_decline = false, can_cancel = false, can_save = false;
  bool can_dismiss = false;  // a final one: it can be put away (forgotten; a received file released)
  bool failed = false;
};
struct FilesModel {
  std::vector<TransferView> cards;  // live ones first (oldest first), then finished ones (newest first)
  std::string notice;               // why the last files were not sent; empty = none
};
// The participant panel (ui/people_view.cpp).
struct PersonView {
  proto::PeerId id = 0;
  std::string name;
  bool self = false;
  bool mic = true, camera = true;
  std::string connection;  // "connected · host", "connecting", ... in words; empty for ourselves
  bool can_send_file = false;
};
struct PeopleModel {
  bool open = false;
  std::vector<PersonView> people;  // ourselves first
};

// The connection stats panel (wasm/stats/call_stats_panel.cpp makes it, ui/stats_view.cpp draws
// it): per peer, a plot per figure over the last minute.
struct StatsPeerView {
  proto::PeerId id = 0;
  std::string name;
  std::string details;  // "640×480 · VP8 · host": what is known
  std::optional<call_stats::Quality> quality;
  const call_stats::History* history = nullptr;  // oldest first; null: no connection (nothing to plot)
  std::array<std::string, call_stats::kMetrics> figures;  // the latest, with units, in kAllMetrics' order
};
struct StatsModel {
  bool open = false;
  std::vector<StatsPeerView> peers;  // in the tiles' order
};

// A screen share in the call (wasm/screen/call_screen.cpp makes them): a peer's, or ours (self).
struct ScreenView {
  proto::PeerId peer = 0;  // whose (0 with self)
  bool self = false;
  std::string name;
  unsigned texture = 0;  // 0 = no frame yet
  int video_w = 0, video_h = 0;
};

// Our share button: off, the browser's picker open, sharing.
enum class ShareButton { Share, Choosing, Stop };

struct CallModel {
  proto::RoomInfo room;
  std::vector<TileModel> tiles;  // self first
  // Screen shares, the one shown large first; empty: the grid of tiles. With any, the presenter
  // layout: the first large, the camera tiles and the other screens in a strip.
  std::vector<ScreenView> screens;
  ShareButton share = ShareButton::Share;
  bool can_share = true;  // the browser can capture a screen
  bool shortcuts_help = false;  // the keyboard shortcuts' overlay is open
  bool sound_blocked = false;   // the browser plays the others muted until a click: say so
  // The speaker view: the active speaker's tile large, the others in a strip (with no screen shared).
  bool speaker_view = false;
  std::optional<proto::PeerId> active_speaker;
  int grid_page = 0;  // the grid's page the person turned to (clamped to those there are when drawn)
  bool more_open = false;  // a narrow window's control bar: its More menu is open
  bool mic = true, camera = true;
  bool can_mic = true, can_camera = true;  // false when the device is unavailable
  std::string error;
  std::string status;  // connection trouble ("Reconnecting…"), shown as a banner; empty = none
  InviteModel invite;
  ChatModel chat;
  PeopleModel people;
  StatsModel stats;
  DevicesModel devices;
  FilesModel files;
};

void draw_lobby(FrameOut& out, const LobbyModel& m);
void draw_create_dialog(FrameOut& out, const DialogModel& m);
void draw_password_prompt(FrameOut& out, const PasswordPromptModel& m);
void draw_rename_dialog(FrameOut& out, const RenameModel& m);
void draw_delete_dialog(FrameOut& out, const DeleteModel& m);
// A padlock drawn with primitives (the fonts have no lock glyph); `h` is its height.
void draw_lock(ImDrawList* dl, ImVec2 top_left, float h, ImU32 color);
void draw_call(FrameOut& out, const CallModel& m);
// The control bar from `top_y` to the window's bottom; on a narrow window most buttons are in its
// More menu (with the grid / speaker view switch when `layout_in_menu`).
void draw_control_bar(FrameOut& out, const CallModel& m, float top_y, bool layout_in_menu);
void draw_invite_name_prompt(FrameOut& out, const InviteNamePromptModel& m);
// In the call's top bar (right-aligned, vertically centred in `bar_h`).
void draw_invite_button(FrameOut& out, const InviteModel& m, float bar_h);
// Under the top bar when copying failed; returns the y below it (`y` when not shown).
float draw_invite_panel(FrameOut& out, const InviteModel& m, float y);

// The device pickers (a combo each) and the microphone meter, `width` wide at the cursor; returns
// the y under them.
float draw_device_pickers(FrameOut& out, const DevicesModel& m, float width);
// The microphone's level as a bar from `min` to `max` (recorded as "mic-meter").
void draw_mic_meter(FrameOut& out, const DevicesModel& m, ImVec2 min, ImVec2 max);
// The call's devices panel in the rectangle `min`-`max`.
void draw_devices_panel(FrameOut& out, const DevicesModel& m, ImVec2 min, ImVec2 max);
// The participant panel in the rectangle `min`-`max`.
void draw_people_panel(FrameOut& out, const PeopleModel& m, ImVec2 min, ImVec2 max);
// The connection stats panel in the rectangle `min`-`max` (ui/stats_view.cpp).
void draw_stats_panel(FrameOut& out, const StatsModel& m, ImVec2 min, ImVec2 max);
// The transfer cards, stacked upwards from `bottom_left`: the first `max_cards` (the first at the
// bottom), and a line saying how many more there are.
void draw_transfer_cards(FrameOut& out, const FilesModel& m, ImVec2 bottom_left, float width, int max_cards);
// The chat panel in the rectangle `min`-`max` (ui/chat_view.cpp); the chat button is the call's.
void draw_chat_panel(FrameOut& out, const ChatModel& m, ImVec2 min, ImVec2 max);
// The chat button's label: "Chat", or "Chat (3)" with unread messages.
std::string chat_button_label(ui_text::Lang lang, const ChatModel& m);

// Grid layout: columns and tile size that fit `count` 16:9 tiles (plus name strip) in `avail`.
struct GridLayout { int columns = 1, rows = 1; float tile_w = 0, tile_h = 0; };
GridLayout layout_grid(int count, float avail_w, float avail_h, float gap);

}  // namespace moim::ui
