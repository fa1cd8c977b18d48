// Everything the browser reports to the app. JS callbacks and socket callbacks only append here;
// the app drains the inbox between frames (never while one is drawn: JS runs one callback at a time).
#pragma once

#include "call_stats.hpp"
#include "device_choice.hpp"
#include "protocol.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace moim::browser {

using Handle = int;  // a JS object held in a MoimGlue map; 0 = none

// `camera`, `mic`: the devices the stream's tracks come from ("" = no such track).
struct MediaOpened { int request = 0; Handle stream = 0; bool audio = false; bool video = false; std::string camera, mic; };
struct MediaFailed { int request = 0; std::string name; std::string message; };
struct LocalDescription { Handle pc = 0; std::string type; std::string sdp; };
struct RemoteDescriptionApplied { Handle pc = 0; };
struct IceCandidate { Handle pc = 0; proto::IceCandidate candidate; };
struct ConnectionState { Handle pc = 0; std::string state; };
struct PeerError { Handle pc = 0; std::string what; };
struct RemoteVideo { Handle pc = 0; Handle video = 0; };
// The peer's screen share: a video of its own (0: it shares none any more; its video was destroyed).
struct RemoteScreen { Handle pc = 0; Handle video = 0; };
// Our screen capture (getDisplayMedia): opened, refused, or ended by the browser ("Stop sharing").
struct ScreenOpened { int request = 0; Handle stream = 0; };
struct ScreenFailed { int request = 0; std::string name; std::string message; };
struct ScreenEnded { Handle stream = 0; };
// The cameras and microphones there are (enumerateDevices: after a stream opened, on devicechange).
struct DevicesListed { std::vector<device_choice::Device> cameras, mics; };
// A held stream's track of one kind switched to `device` (switch_track), or why not.
struct TrackSwitched { int request = 0; bool audio = false; std::string device; };
struct TrackSwitchFailed { int request = 0; bool audio = false; std::string name, message; };
// The browser refused to play the others' sound (autoplay without a gesture: it plays muted), or
// plays it all again.
struct SoundBlocked { bool blocked = false; };
struct Stats {
  Handle pc = 0;
  double frames_decoded = 0;  // the camera's
  double screen_frames_decoded = 0;  // the screen share's (0 while it shares none)
  double audio_energy = 0;
  double audio_level = 0;
  bool audio_live = false;
  // The selected ICE candidate pair, as getStats names it ("" = none selected yet): its local and
  // remote candidateType, the local candidate's protocol and (relay candidates) relayProtocol.
  std::string local_candidate, remote_candidate, protocol, relay_protocol;
  // The traffic counters as getStats gave them (shared/call_stats.hpp derives the rates).
  call_stats::Counters counters;
};
// The connection's data channel (shared/peer_protocol.hpp) opened, closed, or brought a text message.
struct ChannelOpened { Handle pc = 0; };
struct ChannelClosed { Handle pc = 0; };
struct ChannelMessage { Handle pc = 0; std::string text; };
// Files (web/glue/file_transfers.js): a file the person picked (`request` of pick_files) or dropped on
// the page (request 0), and what became of a transfer's bytes (by transfer id).
struct FilePicked { int request = 0; Handle file = 0; std::string name; double size = 0; };
struct FileProgress { std::string id; double bytes = 0; };
struct FileHashed { std::string id; double bytes = 0; std::string sha256; };  // sender: every chunk is out
struct FileAllSent { std::string id; };  // sender: the end marker too, and the channel's buffer drained
// Receiver: the end marker came (its text; "" when more bytes came than offered) after `bytes`, whose
// hash list digest the glue computed.
struct FileArrived { std::string id; double bytes = 0; std::string end; std::string sha256; };
struct FileBroke { std::string id; bool read = false; };  // the channel broke, or (read) the file could not be read
struct TextInput { std::string value; };
struct TextKey { std::string key; };
struct TextBlur {};
struct FontLoaded { std::string url; std::vector<unsigned char> bytes; };
struct FontFailed { std::string url; std::string why; };
struct SocketOpened {};
struct SocketMessage { std::string text; bool binary = false; };
struct SocketClosed { int code = 0; std::string reason; };
struct PageHide {};  // the tab is going away (pagehide)
// Invite links (shared/invite_route.hpp): the URL's fragment changed under us (popstate or hashchange:
// Back, Forward, an edited address); above_lobby is what history.state says of the entry.
struct UrlChanged { std::string hash; bool above_lobby = false; };
struct ClipboardWritten { int request = 0; bool ok = false; std::string why; };  // navigator.clipboard.writeText settled

using Event = std::variant<MediaOpened, MediaFailed, LocalDescription, RemoteDescriptionApplied, IceCandidate,
                           ConnectionState, PeerError, RemoteVideo, RemoteScreen, ScreenOpened, ScreenFailed,
                           ScreenEnded, DevicesListed, TrackSwitched, TrackSwitchFailed, SoundBlocked, Stats, ChannelOpened, ChannelClosed,
                           ChannelMessage, FilePicked, FileProgress, FileHashed, FileAllSent, FileArrived, FileBroke,
                           TextInput, TextKey, TextBlur, FontLoaded,
                           FontFailed, SocketOpened, SocketMessage, SocketClosed, PageHide, UrlChanged,
                           ClipboardWritten>;

// The single inbox. Appended to only through post(); drained by the app.
std::vector<Event>& inbox();
// Queues an event and wakes the app's listener, so negotiation steps are not held back until the
// next animation frame (which a busy or hidden page may deliver only a few times a second).
void post(Event event);
void set_listener(void (*listener)());
// Video frames waiting for upload: none, some, or among them a video's first (the one that replaces
// its placeholder, drawn at once).
enum class VideoFrames { None, Waiting, FirstWaiting };
// A video got a new frame; `waiting`: what waits now (Waiting or FirstWaiting), so that the listener
// has no need to ask the glue again (one call across per frame). Not an event: frames come 24 times
// a second per video and need no handling, only a frame drawn when the app can afford one.
void set_video_frame_listener(void (*listener)(VideoFrames waiting));

}  // namespace moim::browser
