// C++ -> JS: typed wrappers over window.MoimGlue (web/glue/*.js, one file per role). Results arrive later as
// browser::Event in the inbox. Every JS function is guarded there, so nothing here throws.
#pragma once

#include "browser/events.hpp"
#include "media_plan.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace moim::browser {

// getUserMedia with `request` as its constraints (shared/media_plan.hpp decides them).
void open_media(int request, const media_plan::CaptureRequest& constraints);
void close_media(Handle stream);  // camera and microphone, or a screen capture: its tracks stop
// The cameras and microphones: answered by DevicesListed (also unasked, on every devicechange).
void list_devices();
// `stream`'s track of the kind `constraints` ask for (media_plan::switch_request) from that device
// instead; every connection's sender takes the new track (no renegotiation). Answered by
// TrackSwitched / TrackSwitchFailed with `request`.
void switch_track(Handle stream, int request, const media_plan::CaptureRequest& constraints);
// How loud `stream`'s microphone is now, 0..1 (0 without one, or while it is off).
double mic_level(Handle stream);
void mic_level_off(Handle stream);  // no meter shown now: the glue's analyser and audio context rest
// getDisplayMedia (from the person's click) with `limits`; the answer arrives as ScreenOpened /
// ScreenFailed with `request`, and the browser's own end of the capture as ScreenEnded.
void open_screen(int request, const media_plan::ScreenConstraints& limits);
void set_track_enabled(Handle stream, bool audio_kind, bool enabled);
Handle create_video_for_stream(Handle stream, bool muted);
void destroy_video(Handle video);
// Plays again, with sound, every video the browser had muted for want of a gesture (from a click).
void resume_sound();
// Frames of `video` are converted at most w x h device pixels (keeping their shape); 0 x 0 = full size.
void fit_video(Handle video, int w, int h);
// Whether `video` is drawn: one that is not (its peer's camera is off, or its tile is off screen)
// takes no frames: none converted, uploaded or drawn for it.
void set_video_drawn(Handle video, bool drawn);
double take_convert_ms();  // main-thread ms spent converting video frames since the last call
// Whether some video has a new frame to upload, and whether one of them is a video's first (one
// call into the glue for both).
VideoFrames video_frames_waiting();

// `ice`: the servers and policy for this connection (an empty IceConfig = none, host candidates only).
// `layout`: its m-lines (media_plan::sdp_layout): the sending ones get `local_stream`'s track of
// their kind at once, the others are added receive-only when an offer lacks them.
// `channel`: the data channel it carries (negotiated out of band, in the first offer), if any;
// text messages over `max_bytes` are dropped by the glue.
struct DataChannelSpec {
  std::string label;
  int id = 0;
  std::size_t max_bytes = 0;
};
// `screen`: our screen capture while we share (it goes on the connection at once), else 0.
// `feeds`: a large room's subscription, whose tracks are shown per person through create_feed.
Handle create_peer(Handle local_stream, Handle screen, const proto::IceConfig& ice,  // local_stream 0 = receive only
                   const std::vector<media_plan::MediaLine>& layout, const std::optional<DataChannelSpec>& channel,
                   bool feeds = false);
// One person's part of a subscription (web/glue/media_feeds.js): the tracks of these m-lines ("" for
// none) under a handle of its own, used as a connection's (its video arrives as RemoteVideo, its
// screen as RemoteScreen, its state, stats and audio level as a connection's); close_peer lets go of it.
Handle create_feed(Handle subscription, const std::string& audio_mid, const std::string& video_mid,
                   const std::string& screen_mid);
// Our screen capture onto the connection (`screen`), or off it (0); the caller renegotiates.
void attach_screen(Handle pc, Handle screen);
// Text on the connection's data channel; false when the channel is not open.
bool send_on_channel(Handle pc, const std::string& text);
// Newer ICE servers (fresh TURN credentials) for an existing connection: pc.setConfiguration. A
// refusal is logged by the glue; the connection keeps what it had.
void set_peer_ice(Handle pc, const proto::IceConfig& ice);
// What the connection holds now (pc.getConfiguration()), for the test surface; nullopt when the
// handle is closed.
struct RtcConfigurationView {
  struct Server {
    std::vector<std::string> urls;
    std::string username;  // credentials are not read back
  };
  std::vector<Server> servers;
  std::string policy;  // iceTransportPolicy
};
std::optional<RtcConfigurationView> peer_configuration(Handle pc);
void create_offer(Handle pc);
void create_answer(Handle pc);
void set_remote_description(Handle pc, const char* type, const std::string& sdp);
void rollback(Handle pc);
void restart_ice(Handle pc);  // a new offer with iceRestart: true
void add_ice_candidate(Handle pc, const proto::IceCandidate& candidate);
void close_peer(Handle pc);
void request_stats(Handle pc);
// Our camera's encoding on the connection (shared/mesh_encoding.hpp): a bitrate cap in bits per
// second and a resolution scale (>= 1); kept by the glue and applied again after each negotiation.
void set_camera_encoding(Handle pc, double max_bitrate_bps, double scale_down);
// The level (0..1) of each connection's received audio lately: its root mean square since the
// reading before (web/glue/peer_connections.js), one reading late.
std::vector<std::pair<Handle, double>> audio_levels();

// Files (web/glue/file_transfers.js). The picker needs the person's gesture: call from a click.
void pick_files(int request);
struct FileChannelSpec {
  std::string label;                  // the transfer's channel
  std::size_t chunk_bytes = 0;        // binary messages at most this big
  std::size_t block_bytes = 0;        // read and hashed in blocks of this many bytes (whole chunks)
  std::size_t high_water = 0, low_water = 0;  // the channel's buffer: wait above high until below low
  std::size_t window_bytes = 0;  // at most this many bytes beyond what the receiver said it took
};
void send_file(Handle pc, const std::string& id, Handle file, const FileChannelSpec& spec);
void end_file(const std::string& id, const std::string& end_text);  // the end marker, after the chunks
// `ack_bytes`: the receiver tells the sender what it took every this many bytes (flow control).
void expect_file(Handle pc, const std::string& id, const std::string& label, double size, std::size_t block_bytes,
                 std::size_t ack_bytes);
void abort_file(const std::string& id);  // its channel closed, what it received dropped
void release_picked(Handle file);
void release_received(const std::string& id);
bool save_file(const std::string& id, const std::string& name);  // a download of the received file

struct TextInputPlacement {
  float x = 0, y = 0, w = 0, h = 0;  // CSS pixels
  float font_px = 16;
  int max_length = 64;
  std::string placeholder;
  bool password = false;  // type=password: masked (and no IME, as browsers do for passwords)
  bool read_only = false;  // shown selected, for copying by hand (the invite link when the clipboard failed)
  bool operator==(const TextInputPlacement&) const = default;
};
void show_text_input(const TextInputPlacement& where, const std::string& value);
void hide_text_input();
void set_text_input_value(const std::string& value);  // the focused field's value, replaced by the app

std::string load_setting(const std::string& key);
void save_setting(const std::string& key, const std::string& value);
void remove_setting(const std::string& key);
// Every setting whose key starts with `prefix`, as a JSON object {"<rest of the key>": "<value>"}.
// The prefix is C++'s (kOwnerTokenPrefix): the glue spells no key of its own but "moim.client".
std::string load_settings_with_prefix(std::string_view prefix);
void fetch_font(const std::string& url);
std::string socket_url();
std::string client_id();  // random, kept in localStorage "moim.client" (made by the glue)
void hide_loading();
// The page's fatal-error screen: `text` in place of the loading spinner (the app does not start).
void show_fatal(const std::string& text);
// The language the browser prefers (navigator.language, e.g. "ko-KR"; "" when it says none).
std::string preferred_language();
// The page's language ("en" / "ko"): its lang attribute and the words of its own loading and fatal
// screens (web/glue/page_language.js).
void set_page_language(const std::string& tag);
bool media_supported();

// The page's URL, for invite links and Back / Forward (shared/invite_route.hpp decides; this only
// reads and writes). Moves of the URL arrive as UrlChanged events.
std::string page_address();   // location.origin + location.pathname: what a link's fragment is added to
std::string page_flag(const std::string& name);  // ?name=value in the page's address ("" when absent)
std::string location_hash();  // location.hash ("" when none)
bool history_above_lobby();   // history.state marks the current entry as pushed above a lobby entry of ours
// history.pushState (push) or replaceState to this page with `hash` as its fragment ("" = none).
void set_url(bool push, const std::string& hash, bool above_lobby);
// navigator.clipboard.writeText; the result arrives as ClipboardWritten{request}.
void copy_text(int request, const std::string& text);

}  // namespace moim::browser
