#include "browser/glue.hpp"
#include "browser/rtc_configuration.hpp"

#include <emscripten/val.h>

namespace moim::browser {

namespace {
using emscripten::val;
val glue() { return val::global("MoimGlue"); }

val ideal(int value) {
  val v = val::object();
  v.set("ideal", value);
  return v;
}

// getUserMedia's MediaStreamConstraints, spelled out here so the glue passes them on untouched.
val media_stream_constraints(const media_plan::CaptureRequest& r) {
  // {deviceId: {ideal | exact: id}}
  const auto device = [&](const std::string& id) {
    val which = val::object();
    which.set(r.exact_devices ? "exact" : "ideal", id);
    return which;
  };
  val constraints = val::object();
  if (r.audio && !r.mic_device.empty()) {
    val audio = val::object();
    audio.set("deviceId", device(r.mic_device));
    constraints.set("audio", audio);
  } else {
    constraints.set("audio", r.audio);
  }
  if (r.camera) {
    val video = val::object();
    if (!r.camera_device.empty()) video.set("deviceId", device(r.camera_device));
    video.set("width", ideal(r.camera->width));
    video.set("height", ideal(r.camera->height));
    video.set("frameRate", ideal(r.camera->frame_rate));
    constraints.set("video", video);
  } else {
    constraints.set("video", false);
  }
  return constraints;
}

// [{kind: "audio" | "video", direction: "sendrecv" | "recvonly"}, ...] in m-line order.
val media_lines(const std::vector<media_plan::MediaLine>& layout) {
  val lines = val::array();
  for (const media_plan::MediaLine& l : layout) {
    val line = val::object();
    line.set("kind", std::string(media_plan::to_string(l.kind)));
    line.set("direction", std::string(media_plan::to_string(l.direction)));
    val encodings = val::array();
    for (const media_plan::Encoding& e : l.encodings) {
      val encoding = val::object();
      encoding.set("rid", e.rid);
      encoding.set("scaleResolutionDownBy", e.scale_down);
      encoding.set("maxBitrate", e.max_bitrate_bps);
      encodings.call<void>("push", encoding);
    }
    line.set("encodings", encodings);
    lines.call<void>("push", line);
  }
  return lines;
}
}  // namespace

void open_media(int request, const media_plan::CaptureRequest& constraints) {
  glue().call<void>("openMedia", request, media_stream_constraints(constraints));
}
void close_media(Handle stream) { glue().call<void>("closeMedia", stream); }
void list_devices() { glue().call<void>("listDevices"); }
void switch_track(Handle stream, int request, const media_plan::CaptureRequest& constraints) {
  glue().call<void>("switchTrack", stream, request, std::string(constraints.audio ? "audio" : "video"),
                    media_stream_constraints(constraints));
}
double mic_level(Handle stream) { return glue().call<double>("micLevel", stream); }
void mic_level_off(Handle stream) { glue().call<void>("micLevelOff", stream); }
void open_screen(int request, const media_plan::ScreenConstraints& limits) {
  const auto at_most = [](int v) {
    val c = val::object();
    c.set("max", v);
    return c;
  };
  val video = val::object();
  video.set("width", at_most(limits.max_width));
  video.set("height", at_most(limits.max_height));
  video.set("frameRate", at_most(limits.max_frame_rate));
  val constraints = val::object();
  constraints.set("video", video);
  constraints.set("audio", false);
  glue().call<void>("openScreen", request, constraints);
}
void set_track_enabled(Handle stream, bool audio_kind, bool enabled) {
  glue().call<void>("setTrackEnabled", stream, std::string(audio_kind ? "audio" : "video"), enabled);
}
Handle create_video_for_stream(Handle stream, bool muted) { return glue().call<int>("createVideoForStream", stream, muted); }
void destroy_video(Handle video) { glue().call<void>("destroyVideo", video); }
void resume_sound() { glue().call<void>("resumeSound"); }
void fit_video(Handle video, int w, int h) { glue().call<void>("fitVideo", video, w, h); }
void set_video_drawn(Handle video, bool drawn) { glue().call<void>("setVideoDrawn", video, drawn); }
double take_convert_ms() { return glue().call<double>("takeConvertMs"); }
VideoFrames video_frames_waiting() {
  const int waiting = glue().call<int>("videoFramesWaiting");
  return waiting >= 2 ? VideoFrames::FirstWaiting : waiting == 1 ? VideoFrames::Waiting : VideoFrames::None;
}

Handle create_peer(Handle local_stream, Handle screen, const proto::IceConfig& ice,
                   const std::vector<media_plan::MediaLine>& layout, const std::optional<DataChannelSpec>& channel,
                   bool feeds) {
  emscripten::val spec = emscripten::val::null();
  if (channel) {
    spec = emscripten::val::object();
    spec.set("label", channel->label);
    spec.set("id", channel->id);
    spec.set("maxBytes", static_cast<double>(channel->max_bytes));
  }
  return glue().call<int>("createPeer", local_stream, screen, rtc_configuration(ice), media_lines(layout), spec, feeds);
}
Handle create_feed(Handle subscription, const std::string& audio_mid, const std::string& video_mid,
                   const std::string& screen_mid) {
  return glue().call<int>("createFeed", subscription, audio_mid, video_mid, screen_mid);
}
void attach_screen(Handle pc, Handle screen) { glue().call<void>("attachScreen", pc, screen); }
bool send_on_channel(Handle pc, const std::string& text) { return glue().call<bool>("sendOnChannel", pc, text); }
void set_peer_ice(Handle pc, const proto::IceConfig& ice) { glue().call<void>("setPeerConfiguration", pc, rtc_configuration(ice)); }
std::optional<RtcConfigurationView> peer_configuration(Handle pc) {
  return read_rtc_configuration(glue().call<emscripten::val>("peerConfiguration", pc));
}
void create_offer(Handle pc) { glue().call<void>("createOffer", pc); }
void create_answer(Handle pc) { glue().call<void>("createAnswer", pc); }
void set_remote_description(Handle pc, const char* type, const std::string& sdp) {
  glue().call<void>("setRemoteDescription", pc, std::string(type), sdp);
}
void restart_ice(Handle pc) { glue().call<void>("restartIce", pc); }
void rollback(Handle pc) { glue().call<void>("rollback", pc); }
void add_ice_candidate(Handle pc, const proto::IceCandidate& c) {
  glue().call<void>("addIceCandidate", pc, c.candidate, c.sdp_mid, c.sdp_mline_index);
}
void close_peer(Handle pc) { glue().call<void>("closePeer", pc); }
void request_stats(Handle pc) { glue().call<void>("requestStats", pc); }
void set_camera_encoding(Handle pc, double max_bitrate_bps, double scale_down) {
  glue().call<void>("setCameraEncoding", pc, max_bitrate_bps, scale_down);
}
std::vector<std::pair<Handle, double>> audio_levels() {
  const val flat = glue().call<val>("audioLevels");
  std::vector<std::pair<Handle, double>> out;
  const auto n = flat["length"].as<unsigned>();
  for (unsigned i = 0; i + 1 < n; i += 2) out.emplace_back(flat[i].as<int>(), flat[i + 1].as<double>());
  return out;
}

void pick_files(int request) { glue().call<void>("pickFiles", request); }
void send_file(Handle pc, const std::string& id, Handle file, const FileChannelSpec& spec) {
  emscripten::val s = emscripten::val::object();
  s.set("label", spec.label);
  s.set("chunkBytes", static_cast<double>(spec.chunk_bytes));
  s.set("blockBytes", static_cast<double>(spec.block_bytes));
  s.set("highWater", static_cast<double>(spec.high_water));
  s.set("lowWater", static_cast<double>(spec.low_water));
  s.set("windowBytes", static_cast<double>(spec.window_bytes));
  glue().call<void>("sendFile", pc, id, file, s);
}
void end_file(const std::string& id, const std::string& end_text) { glue().call<void>("endFile", id, end_text); }
void expect_file(Handle pc, const std::string& id, const std::string& label, double size, std::size_t block_bytes,
                 std::size_t ack_bytes) {
  glue().call<void>("expectFile", pc, id, label, size, static_cast<double>(block_bytes), static_cast<double>(ack_bytes));
}
void abort_file(const std::string& id) { glue().call<void>("abortFile", id); }
void release_picked(Handle file) { glue().call<void>("releasePicked", file); }
void release_received(const std::string& id) { glue().call<void>("releaseReceived", id); }
bool save_file(const std::string& id, const std::string& name) { return glue().call<bool>("saveFile", id, name); }

void show_text_input(const TextInputPlacement& p, const std::string& value) {
  glue().call<void>("showTextInput", p.x, p.y, p.w, p.h, value, p.max_length, p.font_px, p.placeholder,
                        p.password, p.read_only);
}
void hide_text_input() { glue().call<void>("hideTextInput"); }
void set_text_input_value(const std::string& value) { glue().call<void>("setTextInputValue", value); }

std::string load_setting(const std::string& key) { return glue().call<std::string>("loadSetting", key); }
void save_setting(const std::string& key, const std::string& value) { glue().call<void>("saveSetting", key, value); }
void remove_setting(const std::string& key) { glue().call<void>("removeSetting", key); }
std::string load_settings_with_prefix(std::string_view prefix) {
  return glue().call<std::string>("settingsWithPrefix", std::string(prefix));
}
void fetch_font(const std::string& url) { glue().call<void>("fetchFont", url); }
std::string client_id() { return glue().call<std::string>("clientId"); }
std::string socket_url() { return glue().call<std::string>("socketUrl"); }
void hide_loading() { glue().call<void>("hideLoading"); }
void show_fatal(const std::string& text) { glue().call<void>("showFatal", text); }
std::string preferred_language() { return glue().call<std::string>("preferredLanguage"); }
void set_page_language(const std::string& tag) { glue().call<void>("setPageLanguage", tag); }
bool media_supported() { return glue().call<bool>("mediaSupported"); }

std::string page_address() { return glue().call<std::string>("pageAddress"); }
std::string page_flag(const std::string& name) { return glue().call<std::string>("pageFlag", name); }
std::string location_hash() { return glue().call<std::string>("locationHash"); }
bool history_above_lobby() { return glue().call<bool>("historyAboveLobby"); }
void set_url(bool push, const std::string& hash, bool above_lobby) {
  glue().call<void>("setUrl", push, hash, above_lobby);
}
void copy_text(int request, const std::string& text) { glue().call<void>("copyText", request, text); }

}  // namespace moim::browser
