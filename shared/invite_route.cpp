#include "invite_route.hpp"

#include "overloaded.hpp"

namespace moim::invite {

namespace {
constexpr std::string_view kRoomPrefix = "#/room/";
// kMaxId (2^53 - 1) has 16 decimal digits.
constexpr std::size_t kMaxIdDigits = 16;
}  // namespace

std::ostream& operator<<(std::ostream& os, const Route& r) {
  switch (r.kind) {
    case RouteKind::Lobby: return os << "lobby";
    case RouteKind::Room: return os << "room " << r.room;
    case RouteKind::Invalid: return os << "invalid";
  }
  return os;
}

Route parse_hash(std::string_view hash) {
  if (hash.size() > kMaxHashBytes) return Route::invalid();
  if (hash.empty() || hash == "#" || hash == "#/") return Route::lobby();
  if (!hash.starts_with(kRoomPrefix)) return Route::invalid();
  const std::string_view digits = hash.substr(kRoomPrefix.size());
  // Canonical decimal only: one spelling per room (no sign, no leading zero, nothing after it).
  if (digits.empty() || digits.size() > kMaxIdDigits || digits[0] == '0') return Route::invalid();
  std::uint64_t id = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return Route::invalid();
    id = id * 10 + static_cast<std::uint64_t>(c - '0');  // at most 16 digits: no overflow
  }
  if (id > proto::kMaxId) return Route::invalid();
  return Route::in(id);
}

std::string format_hash(const Route& route) {
  if (route.kind != RouteKind::Room) return "";
  return std::string(kRoomPrefix) + std::to_string(route.room);
}

std::string invite_link(std::string_view page_address, proto::RoomId room) {
  return std::string(page_address) + format_hash(Route::in(room));
}

std::ostream& operator<<(std::ostream& os, const Effect& e) {
  std::visit(Overloaded{
                 [&](const JoinRoom& x) { os << "JoinRoom(" << x.room << ")"; },
                 [&](const LeaveRoom&) { os << "LeaveRoom"; },
                 [&](const CancelJoin&) { os << "CancelJoin"; },
                 [&](const PushUrl& x) { os << "PushUrl(" << x.route << (x.above_lobby ? ", above lobby)" : ")"); },
                 [&](const ReplaceUrl& x) {
                   os << "ReplaceUrl(" << x.route << (x.above_lobby ? ", above lobby)" : ")");
                 },
                 [&](const ShowMessage& x) { os << "ShowMessage(\"" << x.text << "\")"; },
             },
             e);
  return os;
}

std::vector<Effect> Router::handle(const Event& event) {
  std::vector<Effect> out;
  std::visit([&](const auto& e) { on(e, out); }, event);
  return out;
}

void Router::set_url(const Route& route, bool push, bool above_lobby, std::vector<Effect>& out) {
  if (push) out.push_back(PushUrl{route, above_lobby});
  else out.push_back(ReplaceUrl{route, above_lobby});
  url_ = route;
}

void Router::drop_wanted(std::vector<Effect>& out) {
  if (wanted_ != 0 && join_asked_) out.push_back(CancelJoin{});
  wanted_ = 0;
  join_asked_ = false;
}

void Router::want(proto::RoomId room, std::vector<Effect>& out) {
  if (call_ == room) {  // already there (Forward to the entry of the call we are in)
    drop_wanted(out);
    return;
  }
  if (call_ != 0) {
    out.push_back(LeaveRoom{});
    call_ = 0;  // the app leaves at once; its CallEnded then changes nothing
  }
  if (wanted_ == room) {
    if (!join_asked_ && welcomed_) {
      out.push_back(JoinRoom{room});
      join_asked_ = true;
    }
    return;
  }
  drop_wanted(out);
  wanted_ = room;
  if (welcomed_) {
    out.push_back(JoinRoom{room});
    join_asked_ = true;
  }
}

void Router::follow(const Route& route, std::vector<Effect>& out) {
  url_ = route;
  if (route.kind == RouteKind::Room) {
    want(route.room, out);
    return;
  }
  if (call_ != 0) {
    out.push_back(LeaveRoom{});
    call_ = 0;
  }
  drop_wanted(out);
}

void Router::on(const PageOpened& e, std::vector<Effect>& out) {
  switch (e.route.kind) {
    case RouteKind::Invalid:
      set_url(Route::lobby(), false, false, out);
      out.push_back(ShowMessage{kBadLinkMessage});
      follow(Route::lobby(), out);
      return;
    case RouteKind::Lobby:
      follow(e.route, out);
      return;
    case RouteKind::Room:
      if (!e.above_lobby) {
        // A link opened in a new tab: put the lobby below it, so Back leaves the call for the lobby.
        set_url(Route::lobby(), false, false, out);
        set_url(e.route, true, true, out);
      }
      follow(e.route, out);
      return;
  }
}

void Router::on(const Navigated& e, std::vector<Effect>& out) {
  if (e.route.kind == RouteKind::Invalid) {
    out.push_back(ShowMessage{kBadLinkMessage});
    if (call_ != 0) {
      set_url(Route::in(call_), false, true, out);  // the call goes on; the URL names it again
    } else {
      set_url(Route::lobby(), false, false, out);
      drop_wanted(out);
    }
    return;
  }
  if (e.route == url_) return;  // popstate and hashchange report one move twice
  follow(e.route, out);
}

void Router::on(const Welcomed&, std::vector<Effect>& out) {
  welcomed_ = true;
  if (wanted_ != 0 && !join_asked_ && call_ == 0) {
    out.push_back(JoinRoom{wanted_});
    join_asked_ = true;
  }
}

void Router::on(const ConnectionLost&, std::vector<Effect>&) {
  // A join already asked for stays with the app (it sends it again after the next welcome).
  welcomed_ = false;
}

void Router::on(const Joined& e, std::vector<Effect>& out) {
  if (e.room == 0 || call_ == e.room) return;
  call_ = e.room;
  wanted_ = 0;
  join_asked_ = false;
  const Route here = Route::in(e.room);
  if (url_ == here) return;
  // Joined from the room list: a new entry above the lobby's, so Back leaves the call.
  const bool from_lobby = url_.kind == RouteKind::Lobby;
  set_url(here, from_lobby, from_lobby, out);
}

void Router::on(const CallEnded& e, std::vector<Effect>& out) {
  if (call_ == 0) return;
  const proto::RoomId was = call_;
  call_ = 0;
  if (url_ != Route::in(was)) return;  // the URL moved first (Back): it already shows where we go
  // Leave: a new lobby entry, Back returns into the room. A room that is gone: nothing to return to.
  set_url(Route::lobby(), e.cause != EndCause::RoomGone, false, out);
}

void Router::on(const JoinFailed& e, std::vector<Effect>& out) {
  if (e.room == 0 || wanted_ != e.room || call_ != 0) return;  // not a join the URL asked for
  wanted_ = 0;
  join_asked_ = false;
  if (url_ == Route::in(e.room)) set_url(Route::lobby(), false, false, out);
  if (e.why == JoinFailure::RoomGone) out.push_back(ShowMessage{kRoomGoneMessage});
}

}  // namespace moim::invite
