// The app: one owner for the client's state. Each frame it drains browser events, updates state,
// draws the UI (which returns intents) and then applies those intents.
#pragma once

#include "browser/events.hpp"
#include "browser/server_socket.hpp"
#include "call_media.hpp"
#include "chat/call_chat.hpp"
#include "devices/call_devices.hpp"
#include "files/call_files.hpp"
#include "client_state.hpp"
#include "frame_pacing.hpp"
#include "invite_route.hpp"
#include "join_flow.hpp"
#include "metrics.hpp"
#include "peer_channels.hpp"
#include "peer_connection.hpp"
#include "peer_health.hpp"
#include "server_channel.hpp"
#include "people/call_people.hpp"
#include "room_admin.hpp"
#include "mesh/call_encodings.hpp"
#include "screen/call_screen.hpp"
#include "call_layout.hpp"
#include "speaking/call_speakers.hpp"
#include "stats/call_stats_panel.hpp"
#include "server_link.hpp"
#include "shortcuts.hpp"
#include "sfu_layers.hpp"
#include "signaling.hpp"
#include "text_fields.hpp"
#include "ui_text.hpp"
#include "ui/glyph_cache.hpp"
#include "ui/views.hpp"

#include <nlohmann/json_fwd.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace moim {

class App {
 public:
  App();
  // Draws one frame if anything needs it; `now_ms` is the page's clock (performance.now()).
  // Returns whether it drew.
  bool frame(double now_ms);
  // When the next frame is needed (page clock): at once (0), at a time (video paced, the
  // once-a-second refresh), for the frame loop that runs on demand (browser/frame_loop.hpp).
  // `video`: what waits for upload when the caller knows (a video frame's listener), else the glue is asked.
  double next_frame_at(std::optional<browser::VideoFrames> video = std::nullopt) const;
  // Something visible changed outside the app's knowledge (the window was resized): draw again.
  void invalidate() { frames_to_draw_ = std::max(frames_to_draw_, 2); }
  // Handles queued browser events now (also called as soon as one arrives, between frames).
  void pump();
  // Timers: the server link's (heartbeat, reconnect, resume grace) and peer health's (ICE restarts). Called
  // every frame and from a 500 ms interval (a hidden tab gets no animation frames, but its call and
  // heartbeat must go on).
  void tick(double now_ms);

  // Test surface (docs/TESTING.md): JSON snapshots of what the person sees.
  std::string state_json() const;
  std::string widgets_json() const;
  std::string texts_json() const;  // every text the last frame drew, in order
  std::string metrics_json() const { return metrics_.json(); }

 private:
  void send(const proto::ClientMessage& msg);
  // The server link (shared/server_link.hpp): carries out its effects. Returns true when the event was
  // a server message that the rest of the app handles too (PassOn).
  bool feed_link(const server_link::Event& event);
  // Peer health (shared/peer_health.hpp): each connection's state, ICE restarts and the unreachable verdict.
  void feed_health(const peer_health::Event& event);
  // A server message for the world and the peer table (also Left{} and the like from the app itself).
  void apply_world(const proto::ServerMessage& msg);
  // An ICE restart can be sent now: the server is there and, in a large room, the media server too
  // (a restart offered while Janus is away would reach a Janus that lost the stream, after the
  // "reset" that replaces the connection: a stale offer for the new one).
  bool can_signal() const;
  // The ICE servers for peer connections follow the latest `ice` message (none before one).
  void sync_ice();
  // This server's name limit (the protocol's before the first welcome).
  std::uint32_t max_name_chars() const;
  ui::FieldView field_view(ui::FieldId id, const char* widget) const;
  // The name field under the one name rule (proto::check_display_name) and this server's limit: every
  // join, the check before it and a link's name prompt use it.
  proto::CheckedName checked_name() const;
  void handle(const browser::Event& event);
  void on_socket_message(const std::string& text);
  void on_server_message(const proto::ServerMessage& msg);
  void on_server_error(const proto::Error& e);
  // The join flow (shared/join_flow.hpp): carries out its effects. `stream`: the browser's stream of a
  // MediaOpened event (used or closed). Returns true when the event let us into the call (Admitted).
  bool feed_join(const join_flow::Event& event, browser::Handle stream = 0);
  void start_join(proto::RoomId room, std::string password);  // the person's join (checked): to the join flow
  void feed_machine(const signaling::Event& event);
  // A large room: each person's feed follows the subscription (made, dropped; peer health follows).
  void sync_feeds();
  // A peer's data channel opened, closed or said something: to the chat or the file transfers.
  void on_peer_channel(const peer_channels::Event& event);
  // After the screen share part acted: the connections it changed renegotiate; its notice is shown.
  void after_screen(const CallScreen::Outcome& outcome);
  void apply(const ui::Intent& intent);
  // A key press: a shortcut of the call (shared/shortcuts.hpp) becomes its intent.
  void on_key(const shortcuts::KeyPress& key);
  void end_call(ui_text::Message error, invite::EndCause cause = invite::EndCause::Ended);
  std::optional<std::string> valid_name();  // shows an error and focuses the field when invalid
  void toggle_language();  // the lobby's language button: the other one, remembered

  void update_fonts();
  // The microphone's level meter is on screen: the lobby's pre-join card, or the call's devices panel.
  bool meter_shown() const { return world_.call() ? devices_.panel_open() : media_.capturing(); }
  ui::FrameOut draw();
  // After a frame: tell each video the size it was drawn at (device pixels per CSS pixel given).
  void fit_videos(float device_px);
  ui::LobbyModel lobby_model() const;
  ui::CallModel call_model() const;

  // world
  ClientState world_;  // rooms, and the call's room, self and token
  Peers peers_;        // the call's other participants: one record each, with its connection
  signaling::Machine machine_;
  CallMedia media_{peers_};
  CallDevices devices_{media_};  // which camera and microphone, the level meter (wasm/devices/)
  std::pair<std::string, std::string> opened_devices_;  // the camera's and microphone's of the stream just opened
  // The call's text chat, over the peers' data channels (a large room's: through the server).
  CallChat chat_{peers_, [this](const proto::ClientMessage& m) { send(m); }};
  CallFiles files_;        // the call's file transfers, over their own data channels
  CallScreen screen_{media_, peers_};  // our screen share, and the presenter layout of everyone's
  CallSpeakers speakers_{peers_};      // who is speaking (rings), the active speaker
  CallLayout layout_;                  // grid or speaker view, and the grid's page
  CallEncodings encodings_{peers_};    // each connection's camera encoding (a mesh that adapts)
  sfu_layers::Wishes layer_wishes_;    // a large room: the simulcast layer of each camera we receive
  browser::ServerSocket socket_;
  server_link::Machine link_;  // heartbeat, reconnect, resume, farewell, goodbye; drives socket_
  // connection
  double now_ = 0;         // latest clock reading (frames and event pumps)
  double last_frame_ = 0;  // clock at the last frame, for ImGui's delta time
  bool pumping_ = false;
  // Frames are drawn only when something changed: an idle page costs the browser nothing, which
  // leaves the CPU to WebRTC. Input or events ask for a few frames so ImGui's state settles.
  int frames_to_draw_ = 2;
  double redraw_at_ = 0;  // time-driven text (the reconnect countdown)
  frame_pacing::Pacer pacer_;  // when a frame is drawn (video frames as often as the page affords)
  peer_health::Machine health_;  // per peer: ICE restarts, unreachable
  CallPeople people_{peers_, health_};  // the participant panel
  CallStatsPanel stats_{peers_, health_};  // the connection stats panel
  double next_stats_at_ = 0;
  // Devices, the join on its way, the password of the room joined (for a rejoin), the socket it went out on.
  join_flow::Machine join_;
  // UI state
  // Every word shown is shared/ui_text's, in this language (language.hpp); what is kept for later
  // (error_, the machines' messages) is a Message, put into words only when drawn.
  ui_text::Lang lang_ = ui_text::Lang::En;
  TextFields fields_;
  bool modal_open() const { return admin_.modal_open() || name_prompt_room_ != 0; }
  ui_text::Message error_;  // the banner
  // rendering caches
  ui::GlyphCache glyphs_;
  std::optional<ui_text::Lang> fonts_lang_;  // the UI words' glyphs in the atlas are this language's
  std::vector<unsigned char> hangul_font_;
  bool hangul_requested_ = false, hangul_failed_ = false;
  float dpr_ = 0;
  std::vector<ui::WidgetRect> last_widgets_;
  std::vector<std::string> last_texts_;  // the last frame's (test surface)
  bool chat_scrolled_up_ = false;  // as the last frame drew the chat log (test surface)
  std::string tooltip_;            // the tooltip the last frame showed (test surface)
  bool shortcuts_help_ = false;    // the keyboard shortcuts' overlay
  Metrics metrics_;
  bool room_list_shown_ = false;

  // ---- room administration (wasm/app_admin.cpp) ----
  // The machine (shared/room_admin.hpp): the create, rename and delete dialogs, owner tokens, the
  // password prompt; these carry out its effects.
  room_admin::Machine admin_;
  // Carries out the machine's effects; returns true when the event was an error the dialogs leave
  // to the rest of the app (PassOn).
  bool feed_admin(const room_admin::Event& event);
  void close_admin_dialogs();                  // cancels every open dialog (Escape, a followed link)
  void admin_typed(ui::FieldId field);         // typing clears the message of that field's dialog
  void admin_models(ui::LobbyModel& m) const;  // the lobby's dialog, prompt, rename and delete parts
  void admin_state(nlohmann::json& s) const;   // "error" (a dialog's first), "dialog" and "modal"

  // ---- invite links and Back / Forward (wasm/app_invite.cpp) ----
  // The router (shared/invite_route.hpp) decides what the URL means and becomes; these carry it out.
  invite::Router router_;
  std::string page_address_;         // what a link's fragment is added to
  proto::RoomId name_prompt_room_ = 0;  // a link's join waits for a name (the prompt is open); 0 = none
  ui_text::Message name_prompt_error_;
  enum class CopyState { None, Pending, Copied, Failed };
  CopyState copy_state_ = CopyState::None;  // the last "Copy invite link" of this call
  int copy_request_ = 0;
  double copied_until_ = 0;          // "Link copied" is shown until then
  std::string copy_failure_;  // the glue's reason (web/glue/clipboard.js), put into words by invite_model()
  void start_invite_routing();        // the URL the page was opened at
  void feed_invite(const invite::Event& event);
  void join_from_link(proto::RoomId room);  // JoinRoom effect: asks only what is missing
  void continue_link_join(proto::RoomId room);  // after the name is there: the list's join flow
  void cancel_link_join();            // CancelJoin effect
  bool name_ready() const;            // the name field holds a name this server takes (remembered or typed)
  // The intents: CopyInviteLink, CloseInvitePanel, ConfirmInviteName, CancelInviteName.
  void copy_invite_link();
  void close_invite_panel();
  void confirm_invite_name();
  void cancel_invite_name();
  void on_clipboard(const browser::ClipboardWritten& e);
  void reset_invite_copy();           // a call ended: its copy state goes with it
  std::string invite_link() const;    // "" outside a call
  ui::InviteModel invite_model() const;
  ui::InviteNamePromptModel name_prompt_model() const;
  void invite_state(nlohmann::json& s) const;  // inviteLink, inviteCopy, and the name prompt as "modal"
};

}  // namespace moim
