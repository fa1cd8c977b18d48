// JS -> C++: the Module.moim* functions the glue (web/glue/*.js) calls. Each only queues an event (or, for
// a new video frame, wakes the frame loop).
#include "browser/events.hpp"

#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <nlohmann/json.hpp>

#include <optional>

namespace moim::browser {

std::vector<Event>& inbox() {
  static std::vector<Event> events;
  return events;
}

namespace {
void (*g_listener)() = nullptr;
void (*g_video_frame_listener)(VideoFrames) = nullptr;
}  // namespace

void set_listener(void (*listener)()) { g_listener = listener; }
void set_video_frame_listener(void (*listener)(VideoFrames)) { g_video_frame_listener = listener; }

void post(Event e) {
  inbox().push_back(std::move(e));
  if (g_listener) g_listener();
}

namespace {
void push(Event e) { post(std::move(e)); }

// `first_waiting`: some video's first frame waits (videoFramesWaiting() == 2 in the glue).
void on_video_frame(bool first_waiting) {
  if (g_video_frame_listener) g_video_frame_listener(first_waiting ? VideoFrames::FirstWaiting : VideoFrames::Waiting);
}

void on_media_opened(int request, int stream, bool audio, bool video, std::string camera, std::string mic) {
  push(MediaOpened{request, stream, audio, video, std::move(camera), std::move(mic)});
}
// `listing`: {"cameras": [{id, label}], "mics": [...]} as JSON text (media_devices.js); anything
// else is dropped, and an entry without string id and label is skipped.
void on_devices(std::string listing) {
  const nlohmann::json doc = nlohmann::json::parse(listing, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return;
  DevicesListed e;
  const auto read = [&](const char* key, std::vector<device_choice::Device>& out) {
    const auto it = doc.find(key);
    if (it == doc.end() || !it->is_array()) return;
    for (const auto& d : *it)
      if (d.is_object() && d.contains("id") && d["id"].is_string() && d.contains("label") && d["label"].is_string())
        out.push_back({d["id"].get<std::string>(), d["label"].get<std::string>()});
  };
  read("cameras", e.cameras);
  read("mics", e.mics);
  push(std::move(e));
}
void on_track_switched(int request, std::string kind, std::string device) {
  push(TrackSwitched{request, kind == "audio", std::move(device)});
}
void on_track_switch_failed(int request, std::string kind, std::string name, std::string message) {
  push(TrackSwitchFailed{request, kind == "audio", std::move(name), std::move(message)});
}
void on_media_failed(int request, std::string name, std::string message) { push(MediaFailed{request, std::move(name), std::move(message)}); }
void on_local_description(int pc, std::string type, std::string sdp) { push(LocalDescription{pc, std::move(type), std::move(sdp)}); }
void on_remote_description_applied(int pc) { push(RemoteDescriptionApplied{pc}); }
void on_ice_candidate(int pc, std::string candidate, std::string mid, int mline) {
  push(IceCandidate{pc, proto::IceCandidate{std::move(candidate), std::move(mid), mline}});
}
void on_connection_state(int pc, std::string state) { push(ConnectionState{pc, std::move(state)}); }
void on_peer_error(int pc, std::string what) { push(PeerError{pc, std::move(what)}); }
void on_remote_video(int pc, int video) { push(RemoteVideo{pc, video}); }
void on_remote_screen(int pc, int video) { push(RemoteScreen{pc, video}); }
void on_screen_opened(int request, int stream) { push(ScreenOpened{request, stream}); }
void on_screen_failed(int request, std::string name, std::string message) {
  push(ScreenFailed{request, std::move(name), std::move(message)});
}
void on_screen_ended(int stream) { push(ScreenEnded{stream}); }
void on_sound_blocked(bool blocked) { push(SoundBlocked{blocked}); }
// A field of the glue's counters object: a number, or nullopt when getStats did not have it.
std::optional<double> number(const emscripten::val& o, const char* key) {
  const emscripten::val v = o[key];
  return v.isNumber() ? std::optional(v.as<double>()) : std::nullopt;
}

// `counters`: {timestamp, bytesReceived, bytesSent, packetsReceived, packetsLost, framesDecoded,
// pairRtt, remoteRtt, frameWidth, frameHeight, codec} (peer_connections.js), any of them missing.
void on_stats(int pc, double frames, double screen_frames, double energy, double level, bool live, std::string local,
              std::string remote, std::string protocol, std::string relay_protocol, emscripten::val counters) {
  Stats e{pc, frames, screen_frames, energy, level, live, std::move(local), std::move(remote), std::move(protocol),
          std::move(relay_protocol), {}};
  if (counters.isNull() || counters.isUndefined()) return push(std::move(e));
  call_stats::Counters& c = e.counters;
  c.at_ms = number(counters, "timestamp");
  c.bytes_received = number(counters, "bytesReceived");
  c.bytes_sent = number(counters, "bytesSent");
  c.packets_received = number(counters, "packetsReceived");
  c.packets_lost = number(counters, "packetsLost");
  c.frames_decoded = number(counters, "framesDecoded");
  c.pair_rtt_s = number(counters, "pairRtt");
  c.remote_rtt_s = number(counters, "remoteRtt");
  const auto pixels = [&](const char* key) {  // 0: unknown (or no sane size)
    const double v = number(counters, key).value_or(0);
    return v > 0 && v < 1e5 ? static_cast<int>(v) : 0;
  };
  c.width = pixels("frameWidth");
  c.height = pixels("frameHeight");
  const emscripten::val codec = counters["codec"];
  if (codec.isString()) c.codec = codec.as<std::string>();
  push(std::move(e));
}
void on_channel_open(int pc) { push(ChannelOpened{pc}); }
void on_channel_closed(int pc) { push(ChannelClosed{pc}); }
void on_channel_message(int pc, std::string text) { push(ChannelMessage{pc, std::move(text)}); }
void on_file_picked(int request, int file, std::string name, double size) { push(FilePicked{request, file, std::move(name), size}); }
void on_file_progress(std::string id, double bytes) { push(FileProgress{std::move(id), bytes}); }
void on_file_hashed(std::string id, double bytes, std::string sha) { push(FileHashed{std::move(id), bytes, std::move(sha)}); }
void on_file_all_sent(std::string id) { push(FileAllSent{std::move(id)}); }
void on_file_arrived(std::string id, double bytes, std::string end, std::string sha) {
  push(FileArrived{std::move(id), bytes, std::move(end), std::move(sha)});
}
void on_file_broke(std::string id, bool read) { push(FileBroke{std::move(id), read}); }
void on_text_input(std::string value) { push(TextInput{std::move(value)}); }
void on_text_key(std::string key) { push(TextKey{std::move(key)}); }
void on_text_blur() { push(TextBlur{}); }
void on_font_loaded(std::string url, emscripten::val bytes) {
  FontLoaded e{std::move(url), {}};
  const auto n = bytes["length"].as<std::size_t>();
  e.bytes.resize(n);
  // Copy straight into wasm memory through a typed-array view (no per-byte conversion).
  emscripten::val(emscripten::typed_memory_view(n, e.bytes.data())).call<void>("set", bytes);
  push(std::move(e));
}
void on_font_failed(std::string url, std::string why) { push(FontFailed{std::move(url), std::move(why)}); }
void on_page_hide() { push(PageHide{}); }
void on_url_changed(std::string hash, bool above_lobby) { push(UrlChanged{std::move(hash), above_lobby}); }
void on_clipboard(int request, bool ok, std::string why) { push(ClipboardWritten{request, ok, std::move(why)}); }
}  // namespace

}  // namespace moim::browser

EMSCRIPTEN_BINDINGS(moim_browser_events) {
  using namespace moim::browser;
  emscripten::function("moimOnVideoFrame", &on_video_frame);
  emscripten::function("moimOnMediaOpened", &on_media_opened);
  emscripten::function("moimOnMediaFailed", &on_media_failed);
  emscripten::function("moimOnDevices", &on_devices);
  emscripten::function("moimOnTrackSwitched", &on_track_switched);
  emscripten::function("moimOnTrackSwitchFailed", &on_track_switch_failed);
  emscripten::function("moimOnLocalDescription", &on_local_description);
  emscripten::function("moimOnRemoteDescriptionApplied", &on_remote_description_applied);
  emscripten::function("moimOnIceCandidate", &on_ice_candidate);
  emscripten::function("moimOnConnectionState", &on_connection_state);
  emscripten::function("moimOnPeerError", &on_peer_error);
  emscripten::function("moimOnRemoteVideo", &on_remote_video);
  emscripten::function("moimOnRemoteScreen", &on_remote_screen);
  emscripten::function("moimOnScreenOpened", &on_screen_opened);
  emscripten::function("moimOnScreenFailed", &on_screen_failed);
  emscripten::function("moimOnScreenEnded", &on_screen_ended);
  emscripten::function("moimOnSoundBlocked", &on_sound_blocked);
  emscripten::function("moimOnChannelOpen", &on_channel_open);
  emscripten::function("moimOnChannelClosed", &on_channel_closed);
  emscripten::function("moimOnChannelMessage", &on_channel_message);
  emscripten::function("moimOnFilePicked", &on_file_picked);
  emscripten::function("moimOnFileProgress", &on_file_progress);
  emscripten::function("moimOnFileHashed", &on_file_hashed);
  emscripten::function("moimOnFileAllSent", &on_file_all_sent);
  emscripten::function("moimOnFileArrived", &on_file_arrived);
  emscripten::function("moimOnFileBroke", &on_file_broke);
  emscripten::function("moimOnStats", &on_stats);
  emscripten::function("moimOnTextInput", &on_text_input);
  emscripten::function("moimOnTextKey", &on_text_key);
  emscripten::function("moimOnTextBlur", &on_text_blur);
  emscripten::function("moimOnFontLoaded", &on_font_loaded);
  emscripten::function("moimOnFontFailed", &on_font_failed);
  emscripten::function("moimOnPageHide", &on_page_hide);
  emscripten::function("moimOnUrlChanged", &on_url_changed);
  emscripten::function("moimOnClipboard", &on_clipboard);
}
