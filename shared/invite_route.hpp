// Invite links and the browser's history, as a machine: what the page's URL means (which room, if
// any), when opening a page, Back or Forward means joining or leaving a room, and what the URL must
// become when a call starts or ends.
//
//   effects = router.handle(event)
//
// No browser inside: the glue reports location.hash (page opened, popstate / hashchange) and
// carries out the URL effects with history.pushState / replaceState; the app reports the call's
// progress and carries out joins and leaves through its usual join flow (which asks for a name or a
// password when one is missing).
//
// Link format: <page address>#/room/<id>, the id in decimal, 1..2^53-1, without sign or leading
// zero. The fragment never reaches the server; the lobby's URL has no fragment.
//
// History rules:
//  - In a call the current entry is the room's and, as far as this page made the history, the
//    entry below it is the lobby's: joining from the list pushes the room's entry; a page opened at
//    a room's entry that was not pushed above a lobby entry of ours (a link opened in a new tab)
//    gets a lobby entry put below it (replace, then push). So Back in a call always leaves the call
//    for the lobby. Room entries are marked "above the lobby" (history.state) so a reload does not
//    put another lobby entry below them.
//  - Back to a lobby entry leaves the call (or drops a join in progress); Forward (or any history
//    move) to a room entry joins that room again, through the usual flow; a reload opens the page
//    at the room's entry, which joins it again.
//  - Leave (or the server ending the call) pushes the lobby's entry, as Jitsi Meet's hang-up
//    navigates to its welcome page: Back then returns into the room. A room that is gone has its
//    entry replaced instead: there is nothing to return to.
//  - A room the URL asks for that does not exist (not in the room list, or join answers
//    room-not-found) replaces the entry with the lobby's and says so. Any other refusal (full, the
//    person cancelled a prompt) replaces it too, with the app's own message if any.
//  - A fragment that is not a route (hand-edited, truncated) is replaced by the lobby's (or, in a
//    call, by the call's room) and says so.
#pragma once

#include "protocol.hpp"
#include "ui_text.hpp"

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::invite {

// Longest fragment read: "#/room/" + 16 digits is 23 bytes; anything much longer is not a route.
inline constexpr std::size_t kMaxHashBytes = 64;

// What the lobby says of a link to a room that is gone, and of a link that is not a room's
// (shared/ui_text.hpp's words).
inline const ui_text::Message kRoomGoneMessage{ui_text::Id::RoomGoneLink, {}};
inline const ui_text::Message kBadLinkMessage{ui_text::Id::BadLink, {}};

enum class RouteKind { Lobby, Room, Invalid };

// What a URL fragment names.
struct Route {
  RouteKind kind = RouteKind::Lobby;
  proto::RoomId room = 0;  // Room only
  static Route lobby() { return {}; }
  static Route in(proto::RoomId id) { return {RouteKind::Room, id}; }
  static Route invalid() { return {RouteKind::Invalid, 0}; }
  bool operator==(const Route&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Route& r);

// "" / "#" / "#/" -> Lobby; "#/room/<id>" -> Room; anything else -> Invalid.
Route parse_hash(std::string_view hash);
// Lobby -> "" (no fragment); Room -> "#/room/<id>"; Invalid -> "".
std::string format_hash(const Route& route);
// The link a person shares: the page's address (origin and path, no fragment) + the room's fragment.
std::string invite_link(std::string_view page_address, proto::RoomId room);

// ---- events in ----------------------------------------------------------------------------------
// The page was (re)loaded at this URL. `above_lobby`: history.state says this entry was pushed above
// a lobby entry of ours.
struct PageOpened { Route route; bool above_lobby = false; };
// The URL changed under us: Back, Forward, or a fragment typed into the address bar.
struct Navigated { Route route; bool above_lobby = false; };
// The server's welcome arrived: the room list is known, joins can be sent.
struct Welcomed {};
// The socket to the server is gone (the room list is no longer known).
struct ConnectionLost {};
// We are in a call in this room (joined from the list, from a link, or again after a lost session).
struct Joined { proto::RoomId room = 0; };
enum class EndCause { Ended, RoomGone };  // RoomGone: deleted by its owner, or found gone
// Our call ended, for any reason other than a LeaveRoom effect (which the router already counted).
struct CallEnded { EndCause cause = EndCause::Ended; };
enum class JoinFailure { RoomGone, Refused, Cancelled };  // Refused: full, too many attempts, ...
// A join did not happen. Only joins this router asked for (JoinRoom) change anything.
struct JoinFailed { proto::RoomId room = 0; JoinFailure why = JoinFailure::Refused; };

using Event = std::variant<PageOpened, Navigated, Welcomed, ConnectionLost, Joined, CallEnded, JoinFailed>;

// ---- effects out --------------------------------------------------------------------------------
// Join this room through the usual flow (asking for a name or password when missing). The app
// answers with Joined or JoinFailed.
struct JoinRoom { proto::RoomId room = 0; bool operator==(const JoinRoom&) const = default; };
// Leave the call now (the URL has already moved away from its room).
struct LeaveRoom { bool operator==(const LeaveRoom&) const = default; };
// Drop the join in progress (close its prompts; a late `joined` is answered with leave).
struct CancelJoin { bool operator==(const CancelJoin&) const = default; };
// history.pushState / replaceState to the route's URL; `above_lobby` goes into history.state.
struct PushUrl { Route route; bool above_lobby = false; bool operator==(const PushUrl&) const = default; };
struct ReplaceUrl { Route route; bool above_lobby = false; bool operator==(const ReplaceUrl&) const = default; };
// A message for the person (the lobby's banner).
struct ShowMessage { ui_text::Message text; bool operator==(const ShowMessage&) const = default; };

using Effect = std::variant<JoinRoom, LeaveRoom, CancelJoin, PushUrl, ReplaceUrl, ShowMessage>;
std::ostream& operator<<(std::ostream& os, const Effect& e);

class Router {
 public:
  std::vector<Effect> handle(const Event& event);

  // What the URL shows now (after the effects returned so far are carried out).
  const Route& url() const { return url_; }
  proto::RoomId in_call() const { return call_; }
  // The room the URL asks to be in while we are not (yet): 0 = none.
  proto::RoomId wanted() const { return wanted_; }

 private:
  void on(const PageOpened& e, std::vector<Effect>& out);
  void on(const Navigated& e, std::vector<Effect>& out);
  void on(const Welcomed& e, std::vector<Effect>& out);
  void on(const ConnectionLost& e, std::vector<Effect>& out);
  void on(const Joined& e, std::vector<Effect>& out);
  void on(const CallEnded& e, std::vector<Effect>& out);
  void on(const JoinFailed& e, std::vector<Effect>& out);
  // The URL shows `route` now (Lobby or Room): be where it says.
  void follow(const Route& route, std::vector<Effect>& out);
  // The URL asks for `room`: leave another call, drop another join, join it once the server is there.
  void want(proto::RoomId room, std::vector<Effect>& out);
  void drop_wanted(std::vector<Effect>& out);
  void set_url(const Route& route, bool push, bool above_lobby, std::vector<Effect>& out);

  Route url_;
  bool welcomed_ = false;
  proto::RoomId call_ = 0;
  proto::RoomId wanted_ = 0;
  bool join_asked_ = false;  // JoinRoom{wanted_} was issued and not answered yet
};

}  // namespace moim::invite
