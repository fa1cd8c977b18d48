// Room administration in the client (shared/room_admin.hpp), step by step: the create dialog and its
// checks, the owner's rename and delete dialogs and the tokens behind them, the password prompt of a
// locked room. Each step is an event and the exact effects it must give; the world (the room list,
// the server's limits) is a real ClientState fed with the server's messages.
#include "effect_script.hpp"
#include "room_admin.hpp"

#include <gtest/gtest.h>

namespace moim::room_admin {
namespace {

using proto::ErrorCode;

std::string en(const ui_text::Message& m) { return ui_text::render(ui_text::Lang::En, m); }

struct Step {
  Event event;
  Effects expected;
};

void run(Machine& m, const ClientState& world, const std::vector<Step>& script) {
  test::run_script(script, [&](const Step& s) { return m.handle(s.event, world); },
                   [](const Step&) { return std::string(); });
}

proto::RoomInfo room(proto::RoomId id, std::string name, bool locked = false) {
  proto::RoomInfo r;
  r.id = id;
  r.name = std::move(name);
  r.locked = locked;
  return r;
}

// A lobby as a welcome leaves it: these rooms, the server's room-name limit.
ClientState lobby(std::vector<proto::RoomInfo> rooms, std::uint32_t max_room_name_chars = proto::kMaxRoomNameChars) {
  ClientState world;
  proto::Welcome w;
  w.rooms = std::move(rooms);
  w.limits.max_room_name_chars = max_room_name_chars;
  w.limits.heartbeat_ms = 2000;
  w.limits.resume_grace_ms = 20000;
  world.apply(w);
  return world;
}

constexpr proto::RoomId kStandup = 7, kLocked = 3;
const std::vector<proto::RoomInfo> kRooms = {room(kLocked, "Vault", true), room(kStandup, "Standup")};
const std::string kToken = "tok-7-abcdef";
const std::string kTokenKey = "moim.owner.7";

Send send(proto::ClientMessage msg) { return Send{std::move(msg)}; }
SetField clear(Field f) { return SetField{f, ""}; }

// The page opened with the owner token of room 7 in storage.
Machine owner_of_standup(const ClientState& world) {
  Machine m;
  run(m, world, {{TokensStored{R"({"7":")" + kToken + R"("})"}, {}}});
  EXPECT_TRUE(m.tokens().contains(kStandup));
  return m;
}

// The create dialog opened, then the capacity set to 4.
const std::vector<Step> kOpenCreate = {
    {OpenCreate{}, {clear(Field::RoomName), clear(Field::RoomPassword), FocusField{Field::RoomName}}},
    {SetCapacity{4}, {}},
};

// ---- the create dialog --------------------------------------------------------------------------

TEST(RoomAdmin, CreateSendsTheTrimmedNameAndClosesOnRoomCreated) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, kOpenCreate);
  run(m, world, {
                    {ConfirmCreate{"  Retro ", "pw"}, {BlurFields{}, send(proto::CreateRoom{"Retro", 4, "pw"})}},
                    {ConfirmCreate{"Retro", "pw"}, {}},  // a second confirm while pending: nothing sent again
                });
  EXPECT_TRUE(m.create().open);
  EXPECT_TRUE(m.create().pending);
  EXPECT_EQ(m.tokens().creates_pending(), 1);
  run(m, world, {{RoomCreated{12, "tok-12"},
                  {clear(Field::RoomName), clear(Field::RoomPassword), SaveSetting{"moim.owner.12", "tok-12"}}}});
  EXPECT_FALSE(m.create().open);
  EXPECT_FALSE(m.create().pending);
  EXPECT_TRUE(m.tokens().contains(12));
  EXPECT_FALSE(m.modal_open());
}

TEST(RoomAdmin, CreateRefusedHereSaysWhyInTheDialogAndSendsNothing) {
  struct Row {
    std::string name, password;
    std::string error;
    Field focus;
  };
  const std::string long_password(proto::kMaxPasswordBytes + 1, 'p');
  const std::vector<Row> rows = {
      {"", "", "Enter a room name.", Field::RoomName},
      {"   ", "", "Enter a room name.", Field::RoomName},
      {"standup", "", "A room named \"Standup\" already exists. Choose another name.", Field::RoomName},
      {" STANDUP ", "", "A room named \"Standup\" already exists. Choose another name.", Field::RoomName},
      {"Eleven char", "", "A room name can have at most 10 characters.", Field::RoomName},  // the server's limit
      {"Bad\x07name", "", "A room name cannot contain control characters.", Field::RoomName},
      {"Retro", long_password, "The password is too long: at most 256 bytes (this one has 257).", Field::RoomPassword},
  };
  const ClientState world = lobby(kRooms, 10);
  for (const Row& row : rows) {
    SCOPED_TRACE("name '" + row.name + "'");
    Machine m;
    run(m, world, kOpenCreate);
    run(m, world, {{ConfirmCreate{row.name, row.password}, {FocusField{row.focus}}}});
    EXPECT_EQ(en(m.create().error), row.error);
    EXPECT_EQ(en(m.dialog_error()), row.error);
    EXPECT_TRUE(m.create().open);
    EXPECT_FALSE(m.create().pending);
    EXPECT_EQ(m.tokens().creates_pending(), 0);
    run(m, world, {{Typed{row.focus}, {}}});  // typing again clears it
    EXPECT_TRUE(m.create().error.empty());
  }
  // Ten characters pass that server's limit, in any script.
  Machine m;
  run(m, world, kOpenCreate);
  run(m, world, {{ConfirmCreate{"\xEB\xAA\xA8\xEC\x9E\x84 room 10", ""},
                  {BlurFields{}, send(proto::CreateRoom{"\xEB\xAA\xA8\xEC\x9E\x84 room 10", 4, ""})}}});
}

TEST(RoomAdmin, CreateRefusedByTheServerKeepsTheDialogOpenWithItsMessage) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, kOpenCreate);
  run(m, world, {
                    {ConfirmCreate{"Retro", ""}, {BlurFields{}, send(proto::CreateRoom{"Retro", 4, ""})}},
                    {ErrorReceived{"create-room", ErrorCode::RoomQuota}, {}},
                });
  EXPECT_TRUE(m.create().open);
  EXPECT_FALSE(m.create().pending);
  // The code's words from the catalog, not the server's sentence.
  EXPECT_EQ(en(m.dialog_error()), "You have created too many rooms. Delete one, or try again later.");
  EXPECT_EQ(m.tokens().creates_pending(), 0);
  // Another client's room-created after that is not ours: its token is not kept.
  run(m, world, {
                    {RoomCreated{13, "tok-13"},
                     {clear(Field::RoomPassword), Log{"ignored an owner token for room 13 that no create of ours asked for"}}},
                    {ConfirmCreate{"Retro 2", ""}, {BlurFields{}, send(proto::CreateRoom{"Retro 2", 4, ""})}},  // a new try
                });
  EXPECT_FALSE(m.tokens().contains(13));
}

TEST(RoomAdmin, AnOwnerTokenIsSavedOnlyForACreateWeSent) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, {
                    {RoomCreated{20, "planted"},
                     {clear(Field::RoomPassword), Log{"ignored an owner token for room 20 that no create of ours asked for"}}},
                });
  run(m, world, kOpenCreate);
  run(m, world, {
                    {ConfirmCreate{"Retro", ""}, {BlurFields{}, send(proto::CreateRoom{"Retro", 4, ""})}},
                    {RoomCreated{21, "tok-21"},
                     {clear(Field::RoomName), clear(Field::RoomPassword), SaveSetting{"moim.owner.21", "tok-21"}}},
                    {RoomCreated{22, "tok-22"},  // one answer per create
                     {clear(Field::RoomPassword), Log{"ignored an owner token for room 22 that no create of ours asked for"}}},
                });
  EXPECT_EQ(m.tokens().all().size(), 1u);
  EXPECT_TRUE(m.tokens().contains(21));
}

TEST(RoomAdmin, ConnectionLostWithACreatePendingEndsThePending) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, kOpenCreate);
  run(m, world, {
                    {ConfirmCreate{"Retro", ""}, {BlurFields{}, send(proto::CreateRoom{"Retro", 4, ""})}},
                    {ConnectionLost{}, {}},
                });
  EXPECT_TRUE(m.create().open);  // still there, for another try once connected again
  EXPECT_FALSE(m.create().pending);
  EXPECT_EQ(m.tokens().creates_pending(), 0);
  run(m, world, {
                    // The answer to the create sent on the lost socket never counts.
                    {RoomCreated{30, "tok-30"},
                     {clear(Field::RoomPassword), Log{"ignored an owner token for room 30 that no create of ours asked for"}}},
                    {ConfirmCreate{"Retro", ""}, {BlurFields{}, send(proto::CreateRoom{"Retro", 4, ""})}},
                });
}

TEST(RoomAdmin, ConnectionLostWithARenamePendingEndsThePending) {
  const ClientState world = lobby(kRooms);
  Machine m = owner_of_standup(world);
  run(m, world, {
                    {OpenRename{kStandup}, {SetField{Field::RenameName, "Standup"}, FocusField{Field::RenameName}}},
                    {ConfirmRename{"Retro"}, {BlurFields{}, send(proto::RenameRoom{kStandup, "Retro", kToken})}},
                    {ConnectionLost{}, {}},
                    // Open still, and not stuck: asking again goes out.
                    {ConfirmRename{"Retro"}, {BlurFields{}, send(proto::RenameRoom{kStandup, "Retro", kToken})}},
                });
  EXPECT_EQ(m.owner().rename_room, kStandup);
}

TEST(RoomAdmin, CancelAndReopenTheCreateDialog) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, kOpenCreate);
  run(m, world, {
                    {ConfirmCreate{"", ""}, {FocusField{Field::RoomName}}},
                    {CancelCreate{}, {BlurFields{}}},
                    {ConfirmCreate{"Retro", ""}, {}},  // closed: nothing to confirm
                    {OpenCreate{}, {clear(Field::RoomName), clear(Field::RoomPassword), FocusField{Field::RoomName}}},
                });
  EXPECT_TRUE(m.create().error.empty());  // a fresh dialog
  EXPECT_EQ(m.create().capacity, proto::kDefaultCapacity);
}

// ---- owner tokens in storage --------------------------------------------------------------------

TEST(RoomAdmin, TokensAreReadAtStartAndAtEachWelcomeAndPrunedByIt) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, {
                    {TokensStored{R"({"7":")" + kToken + R"(","007":"x","9":"","8":"tok-8"})"},
                     {Log{"removed moim.owner.007 from storage: not a room's owner token"}, RemoveSetting{"moim.owner.007"},
                      Log{"removed moim.owner.9 from storage: not a room's owner token"}, RemoveSetting{"moim.owner.9"}}},
                    // Another tab saved room 3's token meanwhile; room 8 no longer exists.
                    {Welcomed{kRooms, R"({"3":"tok-3","7":")" + kToken + R"("})"}, {RemoveSetting{"moim.owner.8"}}},
                });
  ASSERT_EQ(m.tokens().all().size(), 2u);
  EXPECT_TRUE(m.tokens().contains(kLocked));
  EXPECT_TRUE(m.tokens().contains(kStandup));
  run(m, world, {{RoomRemoved{kLocked}, {RemoveSetting{"moim.owner.3"}}},
                 {RoomRemoved{40}, {RemoveSetting{"moim.owner.40"}}}});  // another tab's, perhaps
  EXPECT_FALSE(m.tokens().contains(kLocked));
}

// ---- rename and delete --------------------------------------------------------------------------

TEST(RoomAdmin, RenameSendsAndClosesWhenTheListShowsTheNewName) {
  const ClientState world = lobby(kRooms);
  Machine m = owner_of_standup(world);
  run(m, world, {
                    {OpenRename{kStandup}, {SetField{Field::RenameName, "Standup"}, FocusField{Field::RenameName}}},
                    {ConfirmRename{" Retro "}, {BlurFields{}, send(proto::RenameRoom{kStandup, "Retro", kToken})}},
                    {ConfirmRename{"Retro"}, {}},  // pending
                    {RoomUpdated{kStandup, "Standup"}, {}},  // a participant count, not our rename
                });
  EXPECT_EQ(m.owner().rename_room, kStandup);
  EXPECT_TRUE(m.owner().pending);
  run(m, world, {{RoomUpdated{kStandup, "Retro"}, {}}});
  EXPECT_EQ(m.owner().rename_room, 0u);
  EXPECT_FALSE(m.owner().pending);
}

TEST(RoomAdmin, RenameToTheSameNameClosesWithoutSending) {
  const ClientState world = lobby(kRooms);
  Machine m = owner_of_standup(world);
  run(m, world, {
                    {OpenRename{kStandup}, {SetField{Field::RenameName, "Standup"}, FocusField{Field::RenameName}}},
                    {ConfirmRename{"  Standup "}, {BlurField{Field::RenameName}}},
                });
  EXPECT_FALSE(m.modal_open());
}

TEST(RoomAdmin, RenameRefusedHereOrByTheServerKeepsTheDialogOpen) {
  const ClientState world = lobby(kRooms, 10);
  Machine m = owner_of_standup(world);
  run(m, world, {
                    {OpenRename{kStandup}, {SetField{Field::RenameName, "Standup"}, FocusField{Field::RenameName}}},
                    {ConfirmRename{"vault"}, {FocusField{Field::RenameName}}},
                });
  EXPECT_EQ(en(m.dialog_error()), "A room named \"Vault\" already exists. Choose another name.");
  run(m, world, {{ConfirmRename{"Much too long"}, {FocusField{Field::RenameName}}}});
  EXPECT_EQ(en(m.dialog_error()), "A room name can have at most 10 characters.");
  run(m, world, {
                    {Typed{Field::RenameName}, {}},
                    {ConfirmRename{"Retro"}, {BlurFields{}, send(proto::RenameRoom{kStandup, "Retro", kToken})}},
                    {ErrorReceived{"rename-room", ErrorCode::RoomNameTaken}, {}},
                });
  EXPECT_EQ(m.owner().rename_room, kStandup);
  EXPECT_FALSE(m.owner().pending);
  EXPECT_EQ(en(m.dialog_error()), "A room with that name already exists. Choose another name.");
  // Another try goes out.
  run(m, world, {{ConfirmRename{"Retro 2"}, {BlurFields{}, send(proto::RenameRoom{kStandup, "Retro 2", kToken})}}});
}

TEST(RoomAdmin, OwnerDialogsOpenOnlyForAnOwnedListedRoomAndOneAtATime) {
  const ClientState world = lobby(kRooms);
  Machine m = owner_of_standup(world);
  run(m, world, {
                    {OpenRename{kLocked}, {}},  // no token
                    {OpenDelete{kLocked}, {}},
                    {OpenRename{99}, {}},  // not in the list
                    {OpenDelete{kStandup}, {BlurFields{}}},
                    {OpenRename{kStandup}, {}},  // the delete dialog is open
                    {CancelDelete{}, {}},
                    {OpenCreate{}, {clear(Field::RoomName), clear(Field::RoomPassword), FocusField{Field::RoomName}}},
                    {OpenDelete{kStandup}, {}},  // the create dialog is open
                });
  EXPECT_EQ(m.owner().delete_room, 0u);
}

TEST(RoomAdmin, DeleteSendsTheTokenAndClosesWhenTheRoomIsRemoved) {
  const ClientState world = lobby(kRooms);
  Machine m = owner_of_standup(world);
  run(m, world, {
                    {OpenDelete{kStandup}, {BlurFields{}}},
                    {ConfirmDelete{}, {send(proto::DeleteRoom{kStandup, kToken})}},
                    {ConfirmDelete{}, {}},  // pending
                    {RoomRemoved{kStandup}, {RemoveSetting{kTokenKey}, BlurField{Field::RenameName}}},
                });
  EXPECT_FALSE(m.modal_open());
  EXPECT_FALSE(m.tokens().contains(kStandup));
}

TEST(RoomAdmin, DeleteRefusedShowsTheServersMessage) {
  const ClientState world = lobby(kRooms);
  Machine m = owner_of_standup(world);
  run(m, world, {
                    {OpenDelete{kStandup}, {BlurFields{}}},
                    {ConfirmDelete{}, {send(proto::DeleteRoom{kStandup, kToken})}},
                    {ErrorReceived{"delete-room", ErrorCode::NotOwner}, {}},
                });
  EXPECT_EQ(m.owner().delete_room, kStandup);
  EXPECT_EQ(en(m.dialog_error()), "Only whoever created the room can rename or delete it.");
  // Closed, the same error is the rest of the app's.
  run(m, world, {
                    {CancelDelete{}, {}},
                    {ErrorReceived{"delete-room", ErrorCode::NotOwner}, {PassOn{}}},
                });
}

TEST(RoomAdmin, TheRoomRemovedWhileItsDialogIsOpenClosesIt) {
  const ClientState world = lobby(kRooms);
  {
    Machine m = owner_of_standup(world);
    run(m, world, {
                      {OpenRename{kStandup}, {SetField{Field::RenameName, "Standup"}, FocusField{Field::RenameName}}},
                      {RoomRemoved{kStandup}, {RemoveSetting{kTokenKey}, BlurField{Field::RenameName}}},
                      {ConfirmRename{"Retro"}, {}},
                  });
    EXPECT_FALSE(m.modal_open());
  }
  {
    Machine m = owner_of_standup(world);
    run(m, world, {
                      {OpenDelete{kStandup}, {BlurFields{}}},
                      {RoomRemoved{kStandup}, {RemoveSetting{kTokenKey}, BlurField{Field::RenameName}}},
                      {ConfirmDelete{}, {}},
                  });
    EXPECT_FALSE(m.modal_open());
  }
  {
    // Another room removed leaves the dialog alone.
    Machine m = owner_of_standup(world);
    run(m, world, {
                      {OpenRename{kStandup}, {SetField{Field::RenameName, "Standup"}, FocusField{Field::RenameName}}},
                      {RoomRemoved{kLocked}, {RemoveSetting{"moim.owner.3"}}},
                  });
    EXPECT_EQ(m.owner().rename_room, kStandup);
  }
  {
    // The token dropped while the world still lists the room (another tab's welcome pruned it):
    // confirming closes the dialog, nothing is sent.
    Machine m = owner_of_standup(world);
    run(m, world, {
                      {OpenDelete{kStandup}, {BlurFields{}}},
                      {Welcomed{{room(kLocked, "Vault", true)}, "{}"}, {RemoveSetting{kTokenKey}}},
                      {ConfirmDelete{}, {}},
                  });
    EXPECT_FALSE(m.modal_open());
  }
}

// ---- the password prompt ------------------------------------------------------------------------

const Step kOpenPrompt = {OpenPrompt{kLocked}, {clear(Field::JoinPassword), FocusField{Field::JoinPassword}}};

TEST(RoomAdmin, PromptJoinsWithThePasswordAndClosesWhenAdmitted) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, {
                    kOpenPrompt,
                    {ConfirmPassword{"sesame"}, {StartJoin{kLocked, "sesame"}}},
                    {ConfirmPassword{"sesame"}, {}},  // pending
                });
  EXPECT_TRUE(m.prompt().pending);
  run(m, world, {{Admitted{}, {clear(Field::JoinPassword)}}, {Admitted{}, {}}});
  EXPECT_FALSE(m.modal_open());
}

TEST(RoomAdmin, PromptWrongPasswordKeepsItOpenForAnotherTry) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, {
                    kOpenPrompt,
                    {ConfirmPassword{"guess"}, {StartJoin{kLocked, "guess"}}},
                    {ErrorReceived{"join", ErrorCode::PasswordWrong, kLocked},
                     {AbandonJoin{}, clear(Field::JoinPassword), FocusField{Field::JoinPassword}}},
                });
  EXPECT_EQ(m.prompt().room, kLocked);
  EXPECT_FALSE(m.prompt().pending);
  EXPECT_EQ(en(m.dialog_error()), "Wrong password.");
  run(m, world, {
                    {Typed{Field::JoinPassword}, {}},
                    {ConfirmPassword{"sesame"}, {StartJoin{kLocked, "sesame"}}},
                    // Too many tries: the server's words, in the prompt.
                    {ErrorReceived{"join", ErrorCode::TooManyAttempts, kLocked},
                     {AbandonJoin{}, clear(Field::JoinPassword), FocusField{Field::JoinPassword}}},
                });
  EXPECT_EQ(en(m.dialog_error()), "Too many password attempts from here. Wait a little, then try again.");
}

TEST(RoomAdmin, PasswordRequiredOpensThePrompt) {
  const ClientState world = lobby(kRooms);
  Machine m;
  // A join sent without one (the room was locked after the list was drawn, or from a link).
  run(m, world, {{ErrorReceived{"join", ErrorCode::PasswordRequired, kLocked},
                  {AbandonJoin{}, clear(Field::JoinPassword), FocusField{Field::JoinPassword}}}});
  EXPECT_EQ(m.prompt().room, kLocked);
  EXPECT_EQ(en(m.dialog_error()), "This room needs a password.");
  // Other join errors without a prompt are the rest of the app's.
  Machine other;
  run(other, world, {{ErrorReceived{"join", ErrorCode::RoomFull, kStandup}, {PassOn{}}},
                     {ErrorReceived{"join", ErrorCode::RoomNotFound, kStandup}, {PassOn{}}},
                     {ErrorReceived{"signal", ErrorCode::PeerNotFound}, {PassOn{}}}});
  EXPECT_FALSE(other.modal_open());
}

TEST(RoomAdmin, PromptChecksWhatItCanBeforeJoining) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, {
                    kOpenPrompt,
                    {ConfirmPassword{""}, {FocusField{Field::JoinPassword}}},
                });
  EXPECT_EQ(en(m.dialog_error()), "Enter the room's password.");
  run(m, world, {{ConfirmPassword{std::string(proto::kMaxPasswordBytes + 1, 'x')}, {}}});
  EXPECT_EQ(en(m.dialog_error()), "A password can have at most 256 bytes.");
  run(m, world, {{ConfirmPassword{"sesame", true, /*joining=*/true}, {}}});  // a join from the list is on its way
  EXPECT_FALSE(m.prompt().pending);
  // A name the server would refuse: the name field says why, the prompt gives way.
  run(m, world, {{ConfirmPassword{"sesame", /*name_ok=*/false},
                  {JoinFailed{kLocked, JoinFailure::Cancelled}, BlurField{Field::JoinPassword}, clear(Field::JoinPassword),
                   ShowNameProblem{}}}});
  EXPECT_FALSE(m.modal_open());
}

TEST(RoomAdmin, PromptWithTheRoomGone) {
  {
    // Gone from the current list: said in the prompt, nothing sent.
    const ClientState world = lobby({room(kStandup, "Standup")});
    Machine m;
    run(m, world, {kOpenPrompt, {ConfirmPassword{"sesame"}, {}}});
    EXPECT_EQ(en(m.dialog_error()), "That room does not exist any more.");
  }
  {
    // No current list (reconnecting): the join goes and waits for the next welcome.
    const ClientState world;
    Machine m;
    run(m, world, {kOpenPrompt, {ConfirmPassword{"sesame"}, {StartJoin{kLocked, "sesame"}}}});
  }
  {
    // The server says it is gone: the banner says so, the prompt closes, a link's join is told.
    const ClientState world = lobby(kRooms);
    Machine m;
    run(m, world, {
                      kOpenPrompt,
                      {ConfirmPassword{"sesame"}, {StartJoin{kLocked, "sesame"}}},
                      {ErrorReceived{"join", ErrorCode::RoomNotFound, kLocked},
                       {ShowError{{ui_text::Id::ErrRoomNotFound, {}}}, JoinFailed{kLocked, JoinFailure::RoomGone},
                        JoinFailed{kLocked, JoinFailure::Cancelled}, BlurField{Field::JoinPassword},
                        clear(Field::JoinPassword), AbandonJoin{}}},
                  });
    EXPECT_FALSE(m.modal_open());
  }
  {
    // Removed while the prompt is open.
    const ClientState world = lobby(kRooms);
    Machine m;
    run(m, world, {
                      kOpenPrompt,
                      {RoomRemoved{kLocked},
                       {RemoveSetting{"moim.owner.3"}, JoinFailed{kLocked, JoinFailure::Cancelled},
                        BlurField{Field::JoinPassword}, clear(Field::JoinPassword)}},
                  });
    EXPECT_FALSE(m.modal_open());
  }
}

TEST(RoomAdmin, CancelWhilePendingDropsTheJoin) {
  const ClientState world = lobby(kRooms);
  Machine m;
  run(m, world, {
                    kOpenPrompt,
                    {CancelPassword{},  // not sent yet: nothing to drop
                     {JoinFailed{kLocked, JoinFailure::Cancelled}, BlurField{Field::JoinPassword}, clear(Field::JoinPassword)}},
                    kOpenPrompt,
                    {ConfirmPassword{"sesame"}, {StartJoin{kLocked, "sesame"}}},
                    {CancelPassword{},
                     {JoinFailed{kLocked, JoinFailure::Cancelled}, BlurField{Field::JoinPassword}, clear(Field::JoinPassword),
                      AbandonJoin{}}},
                    {Admitted{}, {}},  // the late joined is the join flow's (answered with leave)
                    {CancelPassword{}, {BlurField{Field::JoinPassword}, clear(Field::JoinPassword)}},  // closed already
                });
  EXPECT_FALSE(m.modal_open());
}

}  // namespace
}  // namespace moim::room_admin
