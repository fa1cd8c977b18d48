// The client's join flow, as a machine: our camera and microphone (asked for when the lobby is
// shown, released on leave), the join of a room on its way to the server, and the password of the
// room we join or are in (in memory only, for a rejoin).
//
//   effects = machine.handle(event)
//
// No browser, socket, clock or randomness inside: the app feeds the page's start, the browser's
// answers to a device request and its socket's life, the person's join (after its own checks: name,
// room full, locked), the server's welcome and joined, the end of a call; it carries out the
// effects (ask for devices, use or close the stream they gave, send join or leave, release the
// devices, show the note).
//
// Rules:
//  - Devices: idle until the lobby is shown or a join starts, then requesting (audio + video), then
//    settled with what the browser gave. Each request has a number: an answer to another number, or
//    one that comes when nothing is requested, is dropped (its stream closed). A failure other than
//    NotAllowedError (denied is final) or NotSupported is tried again once with audio only (a missing
//    or busy camera may still leave a microphone). Settled with less than audio + video, a note says
//    why; it is shown when the call starts. An insecure page cannot ask: settled at once, with none.
//  - Join: start -> acquiring media (devices settled: at once) -> waiting for the server -> joined
//    (stage none again; a joined when no join waits is answered with leave). The join goes out with
//    what the devices gave and the password given at its start.
//  - Sockets: the join notes the socket it went out on (none when no socket was open). A welcome on
//    that same socket is no reason to send it again (the server sends one before `left`: leave a
//    room, join another at once); a welcome on a newer socket is (the socket dropped before the
//    answer).
//  - Rejoin (the link's session expired): the same room again, with the kept password, at once.
//  - Cancel (a link's cancel, the password prompt's cancel or refusal): the join on its way is
//    dropped with its password; the devices stay. Nothing when no join is on its way (in a call the
//    password stays for a rejoin). A join already sent is still answered by the server (a locked
//    room's password is checked off its main thread): until that answer comes on the same socket, a
//    new join waits (held), so the answer cannot be taken for the new one's: a `joined` is answered
//    with leave, a refusal (JoinRefused) ends nothing, and then the held join goes out. A new socket
//    brings no such answer: the held join goes out with its welcome.
//  - Call ended (left, ended by the server, or the join refused): devices released (the camera light
//    goes off; the next join asks again), no join, no password.
#pragma once

#include "protocol.hpp"
#include "ui_text.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::join_flow {

enum class Stage { None, AcquiringMedia, WaitingForServer };
enum class Devices { Idle, Requesting, Settled };
std::string_view to_string(Stage stage);
std::string_view to_string(Devices devices);

// ---- events -------------------------------------------------------------------------------------
// `secure`: the page may ask for camera and microphone (a secure context).
struct PageOpened { bool secure = true; };
struct LobbyShown {};  // the lobby is complete: ask for the devices now (the preview)
struct MediaOpened { int request = 0; bool audio = false, video = false; };  // a stream with these tracks
struct MediaFailed { int request = 0; std::string name, message; };           // the browser's error name and text
// The person joins `room` (the app checked name, room and capacity); `password` for a locked room.
struct StartJoin { proto::RoomId room = 0; std::string password; };
struct SocketOpening {};  // a new socket is being opened (not open yet)
struct SocketOpened {};
struct SocketGone {};  // closed, by either side, or dropped
struct Welcomed {};    // a welcome on the current socket
struct Joined {};      // the server's joined (the app ignores one that comes while in a call)
struct JoinRefused {};  // the server refused a join (an error answering "join"): every refusal, first
struct Rejoin { proto::RoomId room = 0; };  // the session expired: join the room again as a new peer
struct Cancel {};
struct CallEnded {};

using Event = std::variant<PageOpened, LobbyShown, MediaOpened, MediaFailed, StartJoin, SocketOpening, SocketOpened,
                           SocketGone, Welcomed, Joined, JoinRefused, Rejoin, Cancel, CallEnded>;

// ---- effects ------------------------------------------------------------------------------------
// Ask the browser for these devices; its answer comes back with `request`.
struct RequestDevices {
  bool audio = true, video = true;
  int request = 0;
  bool operator==(const RequestDevices&) const = default;
};
// The opened stream is ours (preview, sending), with these tracks.
struct UseStream {
  bool audio = false, video = false;
  bool operator==(const UseStream&) const = default;
};
struct CloseStream { bool operator==(const CloseStream&) const = default; };  // a late answer: stop its tracks
struct SendJoin {
  proto::RoomId room = 0;
  std::string password;
  bool audio = false, video = false;  // what we send
  bool operator==(const SendJoin&) const = default;
};
// The join went through: the call starts; `note` is shown in it (why we send less than audio +
// video; empty: nothing to say, the banner is cleared).
struct Admitted { ui_text::Message note; bool operator==(const Admitted&) const = default; };
struct SendLeave { bool operator==(const SendLeave&) const = default; };  // a joined nobody waits for
struct ReleaseDevices { bool operator==(const ReleaseDevices&) const = default; };
struct Log { std::string text; bool operator==(const Log&) const = default; };

using Effect = std::variant<RequestDevices, UseStream, CloseStream, SendJoin, Admitted, SendLeave, ReleaseDevices, Log>;
using Effects = std::vector<Effect>;

std::ostream& operator<<(std::ostream& os, const Event& event);
std::ostream& operator<<(std::ostream& os, const Effect& effect);

class Machine {
 public:
  Effects handle(const Event& event);

  Stage stage() const { return stage_; }
  bool joining() const { return stage_ != Stage::None; }  // a join is on its way
  Devices devices() const { return devices_; }
  bool secure() const { return secure_; }
  bool audio() const { return audio_; }  // settled with a microphone
  bool video() const { return video_; }  // settled with a camera
  const ui_text::Message& note() const { return note_; }
  proto::RoomId room() const { return room_; }  // the room of the latest join
  const std::string& password() const { return password_; }
  // The next answer to a join on this socket is for a join given up on (see Cancel above).
  bool abandoned_answer_due() const { return abandoned_; }

 private:
  void on(const PageOpened& e, Effects& out);
  void on(const LobbyShown& e, Effects& out);
  void on(const MediaOpened& e, Effects& out);
  void on(const MediaFailed& e, Effects& out);
  void on(const StartJoin& e, Effects& out);
  void on(const SocketOpening& e, Effects& out);
  void on(const SocketOpened& e, Effects& out);
  void on(const SocketGone& e, Effects& out);
  void on(const Welcomed& e, Effects& out);
  void on(const Joined& e, Effects& out);
  void on(const JoinRefused& e, Effects& out);
  void on(const Rejoin& e, Effects& out);
  void on(const Cancel& e, Effects& out);
  void on(const CallEnded& e, Effects& out);

  void request_devices(Effects& out);
  void settle(bool audio, bool video, Effects& out);
  void send_join(Effects& out);
  void abandoned_answered(Effects& out);

  bool secure_ = true;
  Devices devices_ = Devices::Idle;
  int request_ = 0;             // the latest request's number (0: none yet)
  bool audio_only_retry_ = false;
  bool audio_ = false, video_ = false;
  ui_text::Message note_;       // why we send less than audio + video
  Stage stage_ = Stage::None;
  proto::RoomId room_ = 0;
  std::string password_;        // in memory only, never stored
  // Sockets opened so far; whether the latest is open; the one the pending join went out on (-1: none).
  int socket_ = 0;
  bool socket_open_ = false;
  int join_sent_on_ = -1;
  bool abandoned_ = false;  // a join sent on this socket was cancelled; its answer is still to come
  bool held_ = false;       // the join waits for that answer before it goes out
};

}  // namespace moim::join_flow
