// Invite links and the browser's history (shared/invite_route.hpp): the fragment's format, and the
// router's effects event by event, as tables.
#include "invite_route.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace moim::invite {
namespace {

using Effects = std::vector<Effect>;

std::string show(const Effects& effects) {
  std::ostringstream os;
  for (const auto& e : effects) os << e << "; ";
  return os.str();
}

const Route kLobby = Route::lobby();
Route room(proto::RoomId id) { return Route::in(id); }
const ShowMessage kGone{kRoomGoneMessage};
const ShowMessage kBad{kBadLinkMessage};

TEST(InviteRoute, ParseHash) {
  struct Row {
    std::string hash;
    Route want;
  };
  const std::vector<Row> table = {
      {"", kLobby},
      {"#", kLobby},
      {"#/", kLobby},
      {"#/room/1", room(1)},
      {"#/room/42", room(42)},
      {"#/room/4294967296", room(4294967296ull)},        // past 32 bits
      {"#/room/9007199254740991", room(proto::kMaxId)},  // 2^53 - 1
      {"#/room/9007199254740992", Route::invalid()},     // 2^53
      {"#/room/99999999999999999", Route::invalid()},    // 17 digits
      {"#/room/18446744073709551617", Route::invalid()}, // would wrap a uint64
      {"#/room/0", Route::invalid()},
      {"#/room/007", Route::invalid()},  // one spelling per room
      {"#/room/", Route::invalid()},
      {"#/room/+5", Route::invalid()},
      {"#/room/-5", Route::invalid()},
      {"#/room/5/", Route::invalid()},
      {"#/room/5 ", Route::invalid()},
      {"#/room/5x", Route::invalid()},
      {"#/room/abc", Route::invalid()},
      {"#/ROOM/5", Route::invalid()},
      {"#room/5", Route::invalid()},
      {"/room/5", Route::invalid()},
      {"#/rooms/5", Route::invalid()},
      {"#/room/\xd9\xa5", Route::invalid()},  // an Arabic-Indic digit is not a digit here
      {"#/lobby", Route::invalid()},
      {"#" + std::string(200, '/'), Route::invalid()},
      {"#/room/" + std::string(kMaxHashBytes, '1'), Route::invalid()},
  };
  for (const auto& row : table) EXPECT_EQ(parse_hash(row.hash), row.want) << "'" << row.hash << "'";
}

TEST(InviteRoute, FormatHashAndLinkRoundTrip) {
  EXPECT_EQ(format_hash(kLobby), "");
  EXPECT_EQ(format_hash(Route::invalid()), "");
  EXPECT_EQ(format_hash(room(7)), "#/room/7");
  EXPECT_EQ(invite_link("https://moim.example.org/", 7), "https://moim.example.org/#/room/7");
  EXPECT_EQ(invite_link("http://localhost:8080/", proto::kMaxId), "http://localhost:8080/#/room/9007199254740991");
  for (const proto::RoomId id : {proto::RoomId{1}, proto::RoomId{10}, proto::RoomId{4294967295u}, proto::kMaxId})
    EXPECT_EQ(parse_hash(format_hash(room(id))), room(id)) << id;
}

// One step of a scenario: an event and exactly the effects it must give.
struct Step {
  Event event;
  Effects want;
};

void run(Router& r, const std::vector<Step>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Effects got = r.handle(steps[i].event);
    EXPECT_EQ(got, steps[i].want) << "step " << i << ": got " << show(got) << " want " << show(steps[i].want);
  }
}

TEST(InviteRouter, LinkInANewTabPutsTheLobbyBelowAndJoinsAfterTheWelcome) {
  Router r;
  run(r, {
             {PageOpened{room(5), false}, {ReplaceUrl{kLobby, false}, PushUrl{room(5), true}}},
             {Welcomed{}, {JoinRoom{5}}},
             {Welcomed{}, {}},  // a second welcome (a reconnect) does not join twice
             {Joined{5}, {}},   // the URL already names the room
         });
  EXPECT_EQ(r.in_call(), 5u);
  EXPECT_EQ(r.wanted(), 0u);
  EXPECT_EQ(r.url(), room(5));
}

TEST(InviteRouter, ReloadAtARoomEntryMarkedAboveTheLobbyAddsNoEntry) {
  Router r;
  run(r, {
             {PageOpened{room(5), true}, {}},
             {Welcomed{}, {JoinRoom{5}}},
             {Joined{5}, {}},
         });
}

TEST(InviteRouter, PlainPageOpenChangesNothing) {
  Router r;
  run(r, {
             {PageOpened{kLobby, false}, {}},
             {Welcomed{}, {}},
         });
  EXPECT_EQ(r.url(), kLobby);
}

TEST(InviteRouter, JoinFromTheListPushesTheRoomAndBackLeaves) {
  Router r;
  run(r, {
             {PageOpened{kLobby, false}, {}},
             {Welcomed{}, {}},
             {JoinFailed{3, JoinFailure::Refused}, {}},  // a list join the router did not ask for
             {Joined{3}, {PushUrl{room(3), true}}},
             {Navigated{kLobby, false}, {LeaveRoom{}}},   // Back
             {Navigated{kLobby, false}, {}},              // hashchange after popstate: one move
             {CallEnded{EndCause::Ended}, {}},            // the app's leave: the URL is already there
             {Navigated{room(3), true}, {JoinRoom{3}}},   // Forward
             {Navigated{room(3), true}, {}},
             {Joined{3}, {}},
         });
  EXPECT_EQ(r.in_call(), 3u);
}

TEST(InviteRouter, LeaveButtonPushesTheLobbyAndBackReturnsIntoTheRoom) {
  Router r;
  run(r, {
             {PageOpened{kLobby, false}, {}},
             {Welcomed{}, {}},
             {Joined{3}, {PushUrl{room(3), true}}},
             {CallEnded{EndCause::Ended}, {PushUrl{kLobby, false}}},
             {CallEnded{EndCause::Ended}, {}},  // not in a call any more
             {Navigated{room(3), true}, {JoinRoom{3}}},
         });
}

TEST(InviteRouter, RoomDeletedWhileInItReplacesItsEntry) {
  Router r;
  run(r, {
             {PageOpened{room(8), true}, {}},
             {Welcomed{}, {JoinRoom{8}}},
             {Joined{8}, {}},
             {CallEnded{EndCause::RoomGone}, {ReplaceUrl{kLobby, false}}},
         });
  EXPECT_EQ(r.url(), kLobby);
}

TEST(InviteRouter, LinkToARoomThatIsGone) {
  for (const auto why : {JoinFailure::RoomGone, JoinFailure::Refused, JoinFailure::Cancelled}) {
    Router r;
    Effects failed = {ReplaceUrl{kLobby, false}};
    if (why == JoinFailure::RoomGone) failed.push_back(kGone);  // other refusals carry the app's own message
    run(r, {
               {PageOpened{room(9), false}, {ReplaceUrl{kLobby, false}, PushUrl{room(9), true}}},
               {Welcomed{}, {JoinRoom{9}}},
               {JoinFailed{9, why}, failed},
               {JoinFailed{9, why}, {}},  // answered once
               {Welcomed{}, {}},          // a reconnect does not try again
           });
    EXPECT_EQ(r.url(), kLobby);
    EXPECT_EQ(r.wanted(), 0u);
  }
}

TEST(InviteRouter, FailureOfAnotherRoomIsNotTheLinks) {
  Router r;
  run(r, {
             {PageOpened{room(9), true}, {}},
             {Welcomed{}, {JoinRoom{9}}},
             {JoinFailed{4, JoinFailure::RoomGone}, {}},
             {JoinFailed{0, JoinFailure::RoomGone}, {}},
             {Joined{9}, {}},
         });
}

TEST(InviteRouter, InvalidFragments) {
  {
    Router r;  // opened at a bad link: the lobby, cleaned, with a message
    run(r, {
               {PageOpened{Route::invalid(), false}, {ReplaceUrl{kLobby, false}, kBad}},
               {Welcomed{}, {}},
           });
  }
  {
    Router r;  // typed in the address bar during a call: the call goes on and the URL names it again
    run(r, {
               {PageOpened{room(2), true}, {}},
               {Welcomed{}, {JoinRoom{2}}},
               {Joined{2}, {}},
               {Navigated{Route::invalid(), false}, {kBad, ReplaceUrl{room(2), true}}},
           });
    EXPECT_EQ(r.in_call(), 2u);
  }
  {
    Router r;  // typed while a link's join waits (its prompt is open): dropped
    run(r, {
               {PageOpened{room(2), true}, {}},
               {Welcomed{}, {JoinRoom{2}}},
               {Navigated{Route::invalid(), false}, {kBad, ReplaceUrl{kLobby, false}, CancelJoin{}}},
           });
    EXPECT_EQ(r.wanted(), 0u);
  }
}

TEST(InviteRouter, BackDuringAJoinDropsIt) {
  Router r;
  run(r, {
             {PageOpened{room(6), false}, {ReplaceUrl{kLobby, false}, PushUrl{room(6), true}}},
             {Welcomed{}, {JoinRoom{6}}},
             {Navigated{kLobby, false}, {CancelJoin{}}},
             {JoinFailed{6, JoinFailure::Cancelled}, {}},  // the app's prompt closing: already dropped
             {Joined{6}, {PushUrl{room(6), true}}},         // a join that slipped through anyway: the URL follows the call
         });
}

TEST(InviteRouter, BackBeforeTheWelcomeNeverJoins) {
  Router r;
  run(r, {
             {PageOpened{room(6), true}, {}},
             {Navigated{kLobby, false}, {}},  // nothing was asked yet: nothing to cancel
             {Welcomed{}, {}},
         });
}

TEST(InviteRouter, ALinkToAnotherRoomDuringACallLeavesThenJoins) {
  Router r;
  run(r, {
             {PageOpened{room(1), true}, {}},
             {Welcomed{}, {JoinRoom{1}}},
             {Joined{1}, {}},
             {Navigated{room(2), false}, {LeaveRoom{}, JoinRoom{2}}},
             {CallEnded{EndCause::Ended}, {}},  // the leave of room 1 as the app reports it
             {Joined{2}, {}},
         });
  EXPECT_EQ(r.in_call(), 2u);
}

TEST(InviteRouter, ALinkToAnotherRoomDuringAJoinDropsTheFirst) {
  Router r;
  run(r, {
             {PageOpened{room(1), true}, {}},
             {Welcomed{}, {JoinRoom{1}}},
             {Navigated{room(2), false}, {CancelJoin{}, JoinRoom{2}}},
             {JoinFailed{1, JoinFailure::Cancelled}, {}},
             {Joined{2}, {}},
         });
}

TEST(InviteRouter, ForwardToTheCallsOwnEntryChangesNothing) {
  Router r;
  run(r, {
             {PageOpened{kLobby, false}, {}},
             {Welcomed{}, {}},
             {Joined{4}, {PushUrl{room(4), true}}},
             {Navigated{room(4), true}, {}},
         });
  EXPECT_EQ(r.in_call(), 4u);
}

TEST(InviteRouter, JoinsWaitForTheServerAfterADrop) {
  Router r;
  run(r, {
             {PageOpened{kLobby, false}, {}},
             {Welcomed{}, {}},
             {ConnectionLost{}, {}},
             {Navigated{room(7), true}, {}},  // Forward while disconnected: waits for the welcome
             {Welcomed{}, {JoinRoom{7}}},
             {ConnectionLost{}, {}},  // the join stays asked for: the app sends it again itself
             {Welcomed{}, {}},
             {Joined{7}, {}},
         });
}

TEST(InviteRouter, AJoinedWithoutALinkWhileTheUrlNamesAnotherRoomReplacesIt) {
  Router r;
  run(r, {
             {PageOpened{room(1), true}, {}},
             {Welcomed{}, {JoinRoom{1}}},
             {Joined{2}, {ReplaceUrl{room(2), false}}},
         });
  EXPECT_EQ(r.in_call(), 2u);
  EXPECT_EQ(r.wanted(), 0u);
}

TEST(InviteRouter, JoinedOfRoomZeroIsIgnored) {
  Router r;
  run(r, {
             {PageOpened{kLobby, false}, {}},
             {Joined{0}, {}},
             {CallEnded{EndCause::Ended}, {}},
         });
  EXPECT_EQ(r.in_call(), 0u);
}

}  // namespace
}  // namespace moim::invite
