// The app: one owner for the client's state. Each frame it drains browser events, updates state,
// draws the UI (which returns intents) and then applies those intents.
#pragma once

#include "browser/events.hpp"
#include "browser/server_socket.hpp"
#include "call_media.hpp"
#include "client_state.hpp"
#include "metrics.hpp"
#include "signaling.hpp"
#include "text_fields.hpp"
#include "ui/glyph_cache.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace moim {

class App {
 public:
  App();
  // Draws one frame; `now_ms` is the page's clock (performance.now()).
  void frame(double now_ms);
  // Something visible changed outside the app's knowledge (the window was resized): draw again.
  void invalidate() { frames_to_draw_ = std::max(frames_to_draw_, 2); }
  // Handles queued browser events now (also called as soon as one arrives, between frames).
  void pump();

  // Test surface (docs/TESTING.md): JSON snapshots of what the person sees.
  std::string state_json() const;
  std::string widgets_json() const;
  std::string metrics_json() const { return metrics_.json(); }

 private:
  enum class JoinStage { None, AcquiringMedia, WaitingForServer };
  // Camera and microphone: asked for when the page opens (the lobby shows a preview, and joining
  // then waits for nothing), released on leave, asked for again by the next join.
  enum class Devices { Idle, Requesting, Settled };

  void connect();
  void send(const proto::ClientMessage& msg);
  void handle(const browser::Event& event);
  void on_socket_message(const std::string& text);
  void on_server_message(const proto::ServerMessage& msg);
  void on_server_error(const proto::Error& e);
  void request_devices();
  void on_media_result(bool ok, bool audio, bool video, const std::string& failure_name, const std::string& failure_message);
  void send_join();
  void feed_machine(const signaling::Event& event);
  void apply(const ui::Intent& intent);
  void end_call(std::string error);
  std::optional<std::string> valid_name();  // shows an error and focuses the field when invalid

  void update_fonts();
  ui::FrameOut draw();
  ui::LobbyModel lobby_model() const;
  ui::CallModel call_model() const;

  // world
  ClientState world_;
  signaling::Machine machine_;
  CallMedia media_;
  browser::ServerSocket socket_;
  // connection
  double now_ = 0;         // latest clock reading (frames and event pumps)
  double last_frame_ = 0;  // clock at the last frame, for ImGui's delta time
  bool pumping_ = false;
  // Frames are drawn only when something changed: an idle page costs the browser nothing, which
  // leaves the CPU to WebRTC. Input or events ask for a few frames so ImGui's state settles.
  int frames_to_draw_ = 2;
  double redraw_at_ = 0;  // time-driven text (the reconnect countdown)
  double reconnect_at_ = 0;
  int reconnect_attempts_ = 0;
  double next_stats_at_ = 0;
  // join flow
  JoinStage join_stage_ = JoinStage::None;
  proto::RoomId join_room_ = 0;
  Devices devices_ = Devices::Idle;
  int media_request_ = 0;
  bool media_audio_only_retry_ = false;
  std::string media_note_;  // why we send less than audio+video; shown in the call
  // UI state
  TextFields fields_;
  bool dialog_open_ = false;
  bool dialog_pending_ = false;
  std::uint32_t dialog_capacity_ = proto::kDefaultCapacity;
  std::string dialog_error_;
  std::string error_;  // banner text
  // rendering caches
  ui::GlyphCache glyphs_;
  std::vector<unsigned char> hangul_font_;
  bool hangul_requested_ = false, hangul_failed_ = false;
  float dpr_ = 0;
  std::vector<ui::WidgetRect> last_widgets_;
  Metrics metrics_;
  bool room_list_shown_ = false;
};

}  // namespace moim
