#include "app.hpp"
#include "overloaded.hpp"

#include "browser/glue.hpp"
#include "browser/input.hpp"
#include "ui/renderer.hpp"
#include "ui/theme.hpp"

#include <emscripten/html5.h>
#include <imgui.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace moim {

namespace {

constexpr const char* kNameSetting = "moim.name";
constexpr const char* kHangulFontUrl = "fonts/hangul.ttf";
constexpr double kStatsIntervalMs = 1000;

// Why a name the normalizer refused was refused, in words for the person who typed it.
std::string name_problem(const std::string& raw, std::size_t max_chars, const char* subject, const char* if_empty) {
  const std::string trimmed = proto::trim(raw);
  if (trimmed.empty()) return if_empty;
  if (proto::is_valid_utf8(trimmed) && proto::utf8_length(trimmed) > max_chars)
    return std::string(subject) + " can have at most " + std::to_string(max_chars) + " characters.";
  return std::string(subject) + " cannot contain control characters.";
}
}  // namespace

App::App() {
  fields_.set_value(ui::FieldId::Name, browser::load_setting(kNameSetting));
  connect();
  // Camera and microphone are asked for once the room list is shown (see frame()): their start-up
  // must not delay the first paint or the room list.
}

// ---- connection ---------------------------------------------------------------------------------

void App::connect() {
  if (!socket_.open(browser::socket_url())) {
    error_ = "This browser cannot open a WebSocket to the server.";
  }
}

void App::send(const proto::ClientMessage& msg) {
  if (!socket_.send(proto::encode(msg))) std::printf("moim: not connected; dropped %s\n", std::string(proto::type_name(msg)).c_str());
}

// ---- events -------------------------------------------------------------------------------------

void App::handle(const browser::Event& event) {
  std::visit(
      Overloaded{
          [&](const browser::SocketOpened&) {
            reconnect_attempts_ = 0;
            send(proto::Hello{});
          },
          [&](const browser::SocketMessage& e) {
            if (e.binary) {
              std::printf("moim: ignored a binary frame from the server\n");
              return;
            }
            on_socket_message(e.text);
          },
          [&](const browser::SocketClosed& e) {
            std::printf("moim: connection closed (%d %s)\n", e.code, e.reason.c_str());
            const bool was_busy = world_.call().has_value() || join_stage_ != JoinStage::None;
            world_.reset();
            if (was_busy) end_call("Lost the connection to the server. Reconnecting\xE2\x80\xA6");
            dialog_pending_ = false;
            // Exponential backoff with jitter so a restarted server is not hit by everyone at once.
            const double base = std::min(5000.0, 500.0 * std::pow(2.0, reconnect_attempts_++));
            reconnect_at_ = now_ + base * (0.75 + 0.5 * (std::rand() / static_cast<double>(RAND_MAX)));
          },
          [&](const browser::MediaOpened& e) {
            if (e.request != media_request_ || devices_ != Devices::Requesting) {
              browser::close_media(e.stream);  // a late answer to a request we gave up on
              return;
            }
            media_.adopt_local_stream(e.stream, e.audio, e.video);
            on_media_result(true, e.audio, e.video, {}, {});
          },
          [&](const browser::MediaFailed& e) {
            if (e.request != media_request_ || devices_ != Devices::Requesting) return;
            on_media_result(false, false, false, e.name, e.message);
          },
          [&](const browser::TextInput& e) {
            fields_.on_input(e.value);
            if (fields_.focused() == ui::FieldId::Name) browser::save_setting(kNameSetting, e.value);
            if (fields_.focused() == ui::FieldId::RoomName) dialog_error_.clear();
          },
          [&](const browser::TextKey& e) {
            const auto field = fields_.focused();
            if (e.key == "Enter" && field == ui::FieldId::RoomName) apply(ui::ConfirmCreateRoom{});
            else if (e.key == "Escape" && field == ui::FieldId::RoomName) apply(ui::CancelCreateRoom{});
            else fields_.blur();
          },
          [&](const browser::TextBlur&) { fields_.overlay_closed(); },
          [&](const browser::FontLoaded& e) {
            if (e.url == kHangulFontUrl) hangul_font_ = e.bytes;
          },
          [&](const browser::FontFailed& e) {
            std::printf("moim: font %s failed: %s\n", e.url.c_str(), e.why.c_str());
            hangul_failed_ = true;
          },
          [&](const auto& other) {
            // Everything else concerns a peer connection.
            if (auto ev = media_.translate(browser::Event{other})) feed_machine(*ev);
          },
      },
      event);
}

void App::on_socket_message(const std::string& text) {
  // Server messages are untrusted input too: a bad one is logged and ignored.
  auto decoded = proto::decode_server(text);
  if (!decoded.ok()) {
    std::printf("moim: ignored a bad server message (%s): %s\n", std::string(proto::to_string(decoded.error.code)).c_str(),
                decoded.error.message.c_str());
    return;
  }
  on_server_message(*decoded.message);
}

void App::on_server_message(const proto::ServerMessage& msg) {
  if (const auto* e = std::get_if<proto::Error>(&msg)) {
    on_server_error(*e);
    return;
  }
  if (std::holds_alternative<proto::RoomCreated>(msg) && dialog_pending_) {
    dialog_pending_ = false;
    dialog_open_ = false;
    fields_.set_value(ui::FieldId::RoomName, "");
  }
  if (std::holds_alternative<proto::Joined>(msg)) {
    if (join_stage_ != JoinStage::WaitingForServer) {
      send(proto::Leave{});  // a join we no longer want
      return;
    }
    join_stage_ = JoinStage::None;
    error_ = media_note_;
    metrics_.mark(&JoinTiming::socket_joined, now_);
  }
  if (const auto* relayed = std::get_if<proto::RelayedSignal>(&msg); relayed && relayed->signal.kind == proto::SignalKind::Answer)
    metrics_.mark(&JoinTiming::answer_received, now_);
  world_.apply(msg);
  if (auto ev = signaling::to_event(msg)) feed_machine(*ev);
}

void App::on_server_error(const proto::Error& e) {
  std::printf("moim: server error %s (%s): %s\n", std::string(proto::to_string(e.code)).c_str(), e.request.c_str(),
              e.message.c_str());
  if (e.request == "create-room") {
    dialog_pending_ = false;
    dialog_error_ = e.message;
    return;
  }
  if (e.request == "join") {
    end_call(e.message);
    return;
  }
  if (proto::classify(e.code) == proto::ErrorClass::User) error_ = e.message;
}

void App::request_devices() {
  if (devices_ != Devices::Idle) return;
  devices_ = Devices::Requesting;
  media_note_.clear();
  media_audio_only_retry_ = false;
  if (browser::media_supported()) {
    media_request_ = media_.request_devices(true, true);
  } else {
    on_media_result(false, false, false, "NotSupported",
                    "camera and microphone need a secure page: https:// or http://localhost");
  }
}

void App::on_media_result(bool ok, bool audio, bool video, const std::string& name, const std::string& message) {
  if (!ok) {
    // Denied is final; a missing or busy camera may still leave a microphone.
    if (!media_audio_only_retry_ && name != "NotAllowedError" && name != "NotSupported") {
      media_audio_only_retry_ = true;
      media_request_ = media_.request_devices(true, false);
      return;
    }
    media_note_ = "Camera and microphone are unavailable (" + name + (message.empty() ? "" : ": " + message) +
                  "). You join without sending audio or video; you can still see and hear the others.";
  } else if (!video) {
    media_note_ = "No camera available. You join with audio only.";
  } else if (!audio) {
    media_note_ = "No microphone available. You join with video only.";
  }
  devices_ = Devices::Settled;
  if (join_stage_ == JoinStage::AcquiringMedia) send_join();
}

void App::send_join() {
  metrics_.mark(&JoinTiming::media_ready, now_);
  join_stage_ = JoinStage::WaitingForServer;
  const auto name = proto::normalize_display_name(fields_.value(ui::FieldId::Name));
  send(proto::Join{join_room_, name.value_or(""), media_.has_local_audio(), media_.has_local_video()});
}

void App::feed_machine(const signaling::Event& event) {
  const auto effects = machine_.handle(event);
  for (auto& signal : media_.execute(effects)) {
    if (signal.kind == proto::SignalKind::Offer) metrics_.mark(&JoinTiming::offer_sent, now_);
    send(proto::SendSignal{std::move(signal)});
  }
  if (const auto* c = std::get_if<signaling::ConnectionStateChanged>(&event); c && c->state == signaling::ConnectionState::Connected)
    metrics_.mark(&JoinTiming::ice_connected, now_);
}

void App::end_call(std::string error) {
  feed_machine(signaling::LeftRoom{});
  media_.release_all();
  devices_ = Devices::Idle;
  world_.apply(proto::Left{});
  join_stage_ = JoinStage::None;
  error_ = std::move(error);
}

std::optional<std::string> App::valid_name() {
  const std::string& raw = fields_.value(ui::FieldId::Name);
  auto name = proto::normalize_display_name(raw);
  if (!name) {
    error_ = name_problem(raw, proto::kMaxNameChars, "Your name", "Enter your name first.");
    fields_.focus(ui::FieldId::Name);
  }
  return name;
}

// ---- intents ------------------------------------------------------------------------------------

void App::apply(const ui::Intent& intent) {
  std::visit(
      Overloaded{
          [&](const ui::FocusField& i) { fields_.focus(i.field); },
          [&](const ui::OpenCreateDialog&) {
            dialog_open_ = true;
            dialog_pending_ = false;
            dialog_error_.clear();
            dialog_capacity_ = proto::kDefaultCapacity;
            fields_.set_value(ui::FieldId::RoomName, "");
            fields_.focus(ui::FieldId::RoomName);
          },
          [&](const ui::CancelCreateRoom&) {
            dialog_open_ = false;
            dialog_pending_ = false;
            fields_.blur();
          },
          [&](const ui::SetCapacity& i) { dialog_capacity_ = i.capacity; },
          [&](const ui::ConfirmCreateRoom&) {
            if (dialog_pending_) return;
            const std::string& raw = fields_.value(ui::FieldId::RoomName);
            const auto name = proto::normalize_room_name(raw);
            if (!name) {
              dialog_error_ = name_problem(raw, proto::kMaxRoomNameChars, "A room name", "Enter a room name.");
              fields_.focus(ui::FieldId::RoomName);
              return;
            }
            const auto key = proto::room_name_key(*name);
            for (const auto& r : world_.rooms()) {
              if (proto::room_name_key(r.name) == key) {
                dialog_error_ = "A room named \"" + r.name + "\" already exists. Choose another name.";
                fields_.focus(ui::FieldId::RoomName);
                return;
              }
            }
            dialog_error_.clear();
            dialog_pending_ = true;
            fields_.blur();
            send(proto::CreateRoom{*name, dialog_capacity_});
          },
          [&](const ui::JoinRoom& i) {
            if (join_stage_ != JoinStage::None || world_.call()) return;
            if (!valid_name()) return;
            const proto::RoomInfo* room = world_.room(i.room);
            if (!room) return;
            if (room->participants >= room->capacity) {
              error_ = "Room \"" + room->name + "\" is full (" + std::to_string(room->participants) + "/" +
                       std::to_string(room->capacity) + ").";
              return;
            }
            error_.clear();
            fields_.blur();
            join_room_ = i.room;
            join_stage_ = JoinStage::AcquiringMedia;
            metrics_.join_clicked(i.room, now_);
            if (devices_ == Devices::Settled) send_join();
            else request_devices();  // joins when the devices are settled
          },
          [&](const ui::LeaveCall&) {
            send(proto::Leave{});
            end_call("");
          },
          [&](const ui::ToggleMic&) {
            if (!media_.has_local_audio()) return;
            media_.set_mic(!media_.mic_on());
            send(proto::SetMedia{media_.mic_on(), media_.camera_on()});
          },
          [&](const ui::ToggleCamera&) {
            if (!media_.has_local_video()) return;
            media_.set_camera(!media_.camera_on());
            send(proto::SetMedia{media_.mic_on(), media_.camera_on()});
          },
          [&](const ui::DismissError&) { error_.clear(); },
      },
      intent);
}

// ---- frame --------------------------------------------------------------------------------------

void App::update_fonts() {
  const float dpr = static_cast<float>(emscripten_get_device_pixel_ratio());
  bool rebuild = dpr != dpr_;
  if (glyphs_.has_new()) {
    if (!glyphs_.pending_needs_fallback() || !hangul_font_.empty() || hangul_failed_) {
      rebuild = true;
    } else if (!hangul_requested_) {
      hangul_requested_ = true;  // first non-Latin text: fetch the font once, now
      browser::fetch_font(kHangulFontUrl);
    }
  }
  if (!rebuild) return;
  const bool can_commit = !glyphs_.pending_needs_fallback() || !hangul_font_.empty() || hangul_failed_;
  const auto extra = can_commit ? glyphs_.commit() : glyphs_.committed_ranges();
  ui::build_fonts(dpr, extra, hangul_font_.empty() ? nullptr : &hangul_font_);
  ui::renderer_rebuild_font_texture();
  dpr_ = dpr;
}

void App::frame(double now_ms) {
  const double dt = last_frame_ > 0 ? (now_ms - last_frame_) / 1000.0 : 1.0 / 60.0;
  last_frame_ = now_ms;
  now_ = std::max(now_, now_ms);

  pump();

  if (!socket_.is_open() && !socket_.is_connecting() && now_ >= reconnect_at_) connect();
  if (world_.call() && now_ >= next_stats_at_) {
    media_.request_stats();
    next_stats_at_ = now_ + kStatsIntervalMs;
  }
  if (browser::take_escape_pressed() && dialog_open_) {
    apply(ui::CancelCreateRoom{});
    frames_to_draw_ = std::max(frames_to_draw_, 2);
  }

  if (browser::input_pending()) frames_to_draw_ = std::max(frames_to_draw_, 3);
  const bool video = world_.call() && browser::video_frames_pending();
  if (!video && frames_to_draw_ <= 0 && now_ < redraw_at_) return;
  frames_to_draw_ = std::max(0, frames_to_draw_ - 1);
  redraw_at_ = now_ + 1000;  // at least once a second (countdowns, connection status)

  update_fonts();
  const double cost_start = emscripten_get_now();
  if (media_.upload_frames()) metrics_.mark(&JoinTiming::first_frame, now_);
  const double upload_ms = emscripten_get_now() - cost_start;

  ImGuiIO& io = ImGui::GetIO();
  io.DeltaTime = static_cast<float>(std::clamp(dt, 0.001, 0.5));
  browser::feed_imgui_input();
  ImGui::NewFrame();
  ui::FrameOut out = draw();
  ImGui::Render();
  int fb_w = 0, fb_h = 0;
  emscripten_get_canvas_element_size("#canvas", &fb_w, &fb_h);
  ui::renderer_draw(ImGui::GetDrawData(), fb_w, fb_h);
  metrics_.frame_cost(emscripten_get_now() - cost_start, upload_ms, world_.call() ? static_cast<int>(world_.call()->peers.size()) + 1 : 0);

  for (const auto& intent : out.intents) apply(intent);
  if (!out.intents.empty()) frames_to_draw_ = std::max(frames_to_draw_, 2);
  fields_.sync_overlay(out, ui::fonts().body_px);
  last_widgets_ = std::move(out.widgets);

  static bool shown = false;
  if (!shown) {
    browser::hide_loading();
    shown = true;
    metrics_.first_frame(emscripten_get_now());
  }
  if (world_.welcomed() && !world_.call() && !room_list_shown_) {
    room_list_shown_ = true;
    metrics_.room_list_shown(emscripten_get_now());
    request_devices();  // now that the lobby is complete (the camera's start-up is not free)
  }
}

void App::pump() {
  if (pumping_) return;  // an event posted while handling one is taken by the loop below
  pumping_ = true;
  now_ = std::max(now_, emscripten_get_now());
  while (!browser::inbox().empty()) {
    auto events = std::move(browser::inbox());
    browser::inbox().clear();
    for (const auto& e : events) handle(e);
    frames_to_draw_ = std::max(frames_to_draw_, 2);
  }
  pumping_ = false;
}

ui::FrameOut App::draw() {
  ui::FrameOut out;
  out.glyphs = &glyphs_;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(display);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoScrollWithMouse;
  ImGui::Begin("Moim", nullptr, flags);
  if (world_.call()) {
    ui::draw_call(out, call_model());
  } else {
    auto lobby = lobby_model();
    const auto rooms = world_.rooms();
    lobby.rooms = &rooms;
    ui::draw_lobby(out, lobby);
  }
  ImGui::End();
  return out;
}

ui::LobbyModel App::lobby_model() const {
  ui::LobbyModel m;
  m.name = {ui::FieldId::Name, "name-input", &fields_.value(ui::FieldId::Name), placeholder(ui::FieldId::Name),
            fields_.focused() == ui::FieldId::Name, max_chars(ui::FieldId::Name)};
  m.connected = socket_.is_open() && world_.welcomed();
  if (m.connected) m.status = "Connected";
  else if (socket_.is_connecting()) m.status = "Connecting\xE2\x80\xA6";
  else m.status = "Offline \xC2\xB7 retrying in " + std::to_string(std::max(1, static_cast<int>((reconnect_at_ - now_) / 1000 + 0.99))) + " s";
  m.error = error_;
  m.joining = join_stage_ != JoinStage::None;
  m.dialog.open = dialog_open_;
  m.dialog.room_name = {ui::FieldId::RoomName, "room-name-input", &fields_.value(ui::FieldId::RoomName),
                        placeholder(ui::FieldId::RoomName), fields_.focused() == ui::FieldId::RoomName,
                        max_chars(ui::FieldId::RoomName)};
  m.dialog.capacity = dialog_capacity_;
  m.dialog.error = dialog_error_;
  m.dialog.pending = dialog_pending_;
  auto& preview = const_cast<CallMedia&>(media_).preview();
  if (preview.has_frame()) {
    m.preview_texture = preview.texture();
    m.preview_w = preview.width();
    m.preview_h = preview.height();
  }
  if (devices_ == Devices::Requesting) m.preview_status = "Starting camera\xE2\x80\xA6";
  else if (devices_ == Devices::Idle) m.preview_status = "Camera off until you join";
  else if (!media_.has_local_video() && !media_.has_local_audio()) m.preview_status = "Camera and microphone unavailable: you will join without them";
  else if (!media_.has_local_video()) m.preview_status = "No camera: you will join with audio only";
  return m;
}

ui::CallModel App::call_model() const {
  const CallInfo& call = *world_.call();
  ui::CallModel m;
  m.room = call.room;
  m.mic = media_.mic_on();
  m.camera = media_.camera_on();
  m.can_mic = media_.has_local_audio();
  m.can_camera = media_.has_local_video();
  m.error = error_;
  ui::TileModel self;
  self.id = call.self.id;
  self.name = call.self.name;
  self.self = true;
  self.mic = m.mic;
  self.camera = m.camera;
  auto& preview = const_cast<CallMedia&>(media_).preview();
  self.texture = preview.has_frame() ? preview.texture() : 0;
  self.video_w = preview.width();
  self.video_h = preview.height();
  m.tiles.push_back(self);
  for (const auto& p : call.peers) {
    ui::TileModel t;
    t.id = p.id;
    t.name = p.name;
    t.mic = p.mic;
    t.camera = p.camera;
    if (const RemoteMedia* r = media_.remote(p.id)) {
      t.connection = r->connection;
      if (r->video.has_frame()) {
        t.texture = r->video.texture();
        t.video_w = r->video.width();
        t.video_h = r->video.height();
      }
    } else {
      t.connection = "new";
    }
    m.tiles.push_back(t);
  }
  return m;
}

// ---- test surface -------------------------------------------------------------------------------

std::string App::state_json() const {
  using nlohmann::json;
  json s = json::object();
  s["screen"] = world_.call() ? "call" : "lobby";
  s["name"] = fields_.value(ui::FieldId::Name);
  s["connected"] = socket_.is_open() && world_.welcomed();
  json rooms = json::array();
  for (const auto& r : world_.rooms())
    rooms.push_back({{"id", r.id}, {"name", r.name}, {"participants", r.participants}, {"capacity", r.capacity}});
  s["rooms"] = std::move(rooms);
  if (const auto& call = world_.call()) {
    json peers = json::array();
    for (const auto& p : call->peers) {
      json j = {{"id", p.id}, {"name", p.name}, {"mic", p.mic}, {"camera", p.camera}};
      if (const RemoteMedia* r = media_.remote(p.id)) {
        j["connection"] = r->connection;
        j["framesDecoded"] = r->frames_decoded;
        j["audioEnergy"] = r->audio_energy;
        j["audioLevel"] = r->audio_level;
        j["audioLive"] = r->audio_live;
        j["framesShown"] = r->video.frames_uploaded();
      } else {
        j["connection"] = "new";
        j["framesDecoded"] = 0;
      }
      peers.push_back(std::move(j));
    }
    s["room"] = {{"id", call->room.id},
                 {"name", call->room.name},
                 {"capacity", call->room.capacity},
                 {"self", {{"id", call->self.id}, {"name", call->self.name}, {"mic", media_.mic_on()}, {"camera", media_.camera_on()}}},
                 {"peers", std::move(peers)}};
  } else {
    s["room"] = nullptr;
  }
  const std::string& shown_error = (dialog_open_ && !dialog_error_.empty()) ? dialog_error_ : error_;
  s["error"] = shown_error.empty() ? json(nullptr) : json(shown_error);
  s["dialog"] = dialog_open_;
  s["capturing"] = media_.capturing();
  return s.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string App::widgets_json() const {
  using nlohmann::json;
  json list = json::array();
  for (const auto& w : last_widgets_) list.push_back({{"id", w.id}, {"x", w.x}, {"y", w.y}, {"w", w.w}, {"h", w.h}});
  return list.dump();
}

}  // namespace moim
