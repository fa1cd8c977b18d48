// Room administration in the client, as a machine: the create-room dialog, the owner's rename and
// delete dialogs with the owner tokens behind them, and the password prompt of a locked room.
//
//   effects = machine.handle(event, world)
//
// No browser, storage or clock inside: the app feeds the person's intents (with what the dialog's
// fields hold), the server's answers and what storage holds, and carries out the effects (send a
// message, write or remove a storage entry, focus or clear a field, start or drop the join of a
// locked room, tell the invite router a join will not happen). `world` is what the client knows
// from the server (shared/client_state.hpp): the room list and its limits, read, never changed.
//
// Rules:
//  - Create: a name under the one room-name rule and the server's limit, not already in the room
//    list (ASCII case folded), a password of at most proto::kMaxPasswordBytes, and a capacity
//    over the server's mesh_max only while it says large rooms are available (capacity_note). Refused here: the
//    reason in the dialog, its field focused, nothing sent. Sent: the dialog is pending until
//    room-created (closes it) or an error for create-room (shown in it); a second confirm while
//    pending is ignored. A lost connection ends the pending (its answer never comes), the dialog
//    stays open.
//  - Owner tokens (shared/owner_tokens.hpp, storage "moim.owner.<id>"): read at the page's start
//    and again at each welcome (other tabs save there too; entries that are not tokens are
//    removed), pruned by the welcome's room list, forgotten on room-removed (also when another tab
//    saved it). A room-created's token is kept and saved only while a create of ours is unanswered.
//  - Rename / delete: only for a room in the list whose token is held, and when no dialog is open.
//    A rename to the room's current name closes without sending. Pending until the room-updated
//    with the asked-for name (rename) or room-removed (delete); an error for them is shown in the
//    dialog, which stays open for another try. The room removed closes them.
//  - Password prompt: opened by the join of a locked room. Confirm needs a password (at most
//    proto::kMaxPasswordBytes), a room still in a current list and a valid name; then the join
//    starts with that password (StartJoin) and the prompt is pending until `joined` (Admitted) or
//    the join's error: wrong password / password required keep it open with a message (a
//    password-required join opens it), room-not-found closes it. Cancel drops a pending join.
#pragma once

#include "client_state.hpp"
#include "owner_tokens.hpp"
#include "protocol.hpp"
#include "ui_text.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::room_admin {

// The text fields the dialogs use (the app maps them to its own).
enum class Field { Name, RoomName, RoomPassword, JoinPassword, RenameName };
std::string_view to_string(Field field);

// This server's room-name limit (the protocol's before the first welcome).
std::uint32_t room_name_limit(const ClientState& world);
// What the create dialog says under the capacity: a large room (over the server's mesh_max) that
// cannot be created now (refusal: Create disabled, nothing sent) or can (a note that it is a large
// room, its media through the media server); nothing for a mesh room.
struct CapacityNote {
  ui_text::Message text;
  bool refused = false;
};
CapacityNote capacity_note(std::uint32_t capacity, const ClientState& world);

// ---- events -------------------------------------------------------------------------------------
// The person (intents), with what the dialog's fields hold:
struct OpenCreate {};
struct SetCapacity { std::uint32_t capacity = proto::kDefaultCapacity; };
struct ConfirmCreate { std::string name, password; };
struct CancelCreate {};
struct OpenPrompt { proto::RoomId room = 0; };  // the join of a locked room (the app checked name and room)
// `name_ok`: the person's name passes the name rule; `joining`: a join is already on its way.
struct ConfirmPassword { std::string password; bool name_ok = true; bool joining = false; };
struct CancelPassword {};
struct OpenRename { proto::RoomId room = 0; };
struct ConfirmRename { std::string name; };
struct CancelRename {};
struct OpenDelete { proto::RoomId room = 0; };
struct ConfirmDelete {};
struct CancelDelete {};
struct Typed { Field field = Field::Name; };  // the person typed into this field: its dialog's error goes
// Storage and the server:
struct TokensStored { std::string stored; };  // the page opened: what storage holds under the tokens' prefix
// A welcome: its room list, and what storage holds under the tokens' prefix now.
struct Welcomed { std::vector<proto::RoomInfo> rooms; std::string stored; };
struct RoomCreated { proto::RoomId room = 0; std::string token; };
struct RoomUpdated { proto::RoomId room = 0; std::string name; };
struct RoomRemoved { proto::RoomId room = 0; };
struct Admitted {};  // `joined` answered the join in progress
// An error from the server; `joining`: the room of the join in progress (for join errors). Its code
// is what the person is told (ui_text::error_text), never the server's own sentence.
struct ErrorReceived {
  std::string request;
  proto::ErrorCode code = proto::ErrorCode::Internal;
  proto::RoomId joining = 0;
};
struct ConnectionLost {};  // the socket is gone: answers to what was sent on it never come

using Event = std::variant<OpenCreate, SetCapacity, ConfirmCreate, CancelCreate, OpenPrompt, ConfirmPassword,
                           CancelPassword, OpenRename, ConfirmRename, CancelRename, OpenDelete, ConfirmDelete,
                           CancelDelete, Typed, TokensStored, Welcomed, RoomCreated, RoomUpdated, RoomRemoved, Admitted,
                           ErrorReceived, ConnectionLost>;

// ---- effects ------------------------------------------------------------------------------------
struct Send { proto::ClientMessage message; bool operator==(const Send&) const = default; };
struct SaveSetting { std::string key, value; bool operator==(const SaveSetting&) const = default; };
struct RemoveSetting { std::string key; bool operator==(const RemoveSetting&) const = default; };
struct SetField { Field field = Field::Name; std::string value; bool operator==(const SetField&) const = default; };
struct FocusField { Field field = Field::Name; bool operator==(const FocusField&) const = default; };
// The field loses the keyboard if it has it.
struct BlurField { Field field = Field::Name; bool operator==(const BlurField&) const = default; };
// Whatever field has the keyboard loses it.
struct BlurFields { bool operator==(const BlurFields&) const = default; };
// Join the locked room with this password (the join flow carries it out).
struct StartJoin { proto::RoomId room = 0; std::string password; bool operator==(const StartJoin&) const = default; };
// The join on its way is dropped (its late `joined` is answered with leave), and the password typed for it.
struct AbandonJoin { bool operator==(const AbandonJoin&) const = default; };
enum class JoinFailure { RoomGone, Cancelled };
// A join of this room will not happen (for the invite router, if it asked for it).
struct JoinFailed {
  proto::RoomId room = 0;
  JoinFailure why = JoinFailure::Cancelled;
  bool operator==(const JoinFailed&) const = default;
};
struct ShowError { ui_text::Message text; bool operator==(const ShowError&) const = default; };  // the lobby's banner
// The person's name is refused: say why in the banner and focus the name field (the app's name check,
// which focuses it: no FocusField comes with it).
struct ShowNameProblem { bool operator==(const ShowNameProblem&) const = default; };
// The error fed in is not the dialogs': the app handles it as usual.
struct PassOn { bool operator==(const PassOn&) const = default; };
struct Log { std::string text; bool operator==(const Log&) const = default; };  // a console line

using Effect = std::variant<Send, SaveSetting, RemoveSetting, SetField, FocusField, BlurField, BlurFields, StartJoin,
                            AbandonJoin, JoinFailed, ShowError, ShowNameProblem, PassOn, Log>;
using Effects = std::vector<Effect>;

std::ostream& operator<<(std::ostream& os, const Event& event);
std::ostream& operator<<(std::ostream& os, const Effect& effect);

// The part of a server message that is room administration's alone (room-created, room-updated,
// room-removed); nullopt for the others. Welcome, joined and errors need the app's part too (what
// storage holds, the join in progress): the app feeds Welcomed, Admitted and ErrorReceived itself.
std::optional<Event> to_event(const proto::ServerMessage& msg);

// ---- state (read-only, for the view models and the test surface) --------------------------------
struct CreateDialog {
  bool open = false;
  bool pending = false;  // create-room sent, unanswered
  std::uint32_t capacity = proto::kDefaultCapacity;
  ui_text::Message error;
};
struct PasswordPrompt {
  proto::RoomId room = 0;  // open for this room; 0 = closed
  bool pending = false;    // its join is on its way
  ui_text::Message error;
};
struct OwnerDialogs {
  proto::RoomId rename_room = 0, delete_room = 0;  // the dialog is open for this room; 0 = closed
  bool pending = false;
  std::string rename_sent;  // the name a pending rename asked for
  ui_text::Message error;
};

class Machine {
 public:
  Effects handle(const Event& event, const ClientState& world);

  const CreateDialog& create() const { return create_; }
  const PasswordPrompt& prompt() const { return prompt_; }
  const OwnerDialogs& owner() const { return owner_; }
  const OwnerTokens& tokens() const { return tokens_; }
  bool modal_open() const { return create_.open || prompt_.room != 0 || owner_.rename_room != 0 || owner_.delete_room != 0; }
  // The message inside the open dialog, if any (empty = none): the create dialog's, the prompt's, the owner's.
  const ui_text::Message& dialog_error() const;

 private:
  void on(const OpenCreate& e, const ClientState& world, Effects& out);
  void on(const SetCapacity& e, const ClientState& world, Effects& out);
  void on(const ConfirmCreate& e, const ClientState& world, Effects& out);
  void on(const CancelCreate& e, const ClientState& world, Effects& out);
  void on(const OpenPrompt& e, const ClientState& world, Effects& out);
  void on(const ConfirmPassword& e, const ClientState& world, Effects& out);
  void on(const CancelPassword& e, const ClientState& world, Effects& out);
  void on(const OpenRename& e, const ClientState& world, Effects& out);
  void on(const ConfirmRename& e, const ClientState& world, Effects& out);
  void on(const CancelRename& e, const ClientState& world, Effects& out);
  void on(const OpenDelete& e, const ClientState& world, Effects& out);
  void on(const ConfirmDelete& e, const ClientState& world, Effects& out);
  void on(const CancelDelete& e, const ClientState& world, Effects& out);
  void on(const Typed& e, const ClientState& world, Effects& out);
  void on(const TokensStored& e, const ClientState& world, Effects& out);
  void on(const Welcomed& e, const ClientState& world, Effects& out);
  void on(const RoomCreated& e, const ClientState& world, Effects& out);
  void on(const RoomUpdated& e, const ClientState& world, Effects& out);
  void on(const RoomRemoved& e, const ClientState& world, Effects& out);
  void on(const Admitted& e, const ClientState& world, Effects& out);
  void on(const ErrorReceived& e, const ClientState& world, Effects& out);
  void on(const ConnectionLost& e, const ClientState& world, Effects& out);

  // Takes the tokens in storage; entries that are not tokens are removed from it.
  void load_tokens(const std::string& stored, Effects& out);
  // A room name as create and rename check it; empty when it passes (`self`: the renamed room, not a clash).
  ui_text::Message name_refusal(const proto::CheckedName& checked, const ClientState& world, proto::RoomId self) const;

  CreateDialog create_;
  PasswordPrompt prompt_;
  OwnerDialogs owner_;
  OwnerTokens tokens_;
};

}  // namespace moim::room_admin
