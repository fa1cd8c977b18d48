#include "room_admin.hpp"

#include "overloaded.hpp"
#include "view_text.hpp"

namespace moim::room_admin {

namespace {
const ui_text::Message kNoError;
}  // namespace

std::string_view to_string(Field field) {
  switch (field) {
    case Field::Name: return "Name";
    case Field::RoomName: return "RoomName";
    case Field::RoomPassword: return "RoomPassword";
    case Field::JoinPassword: return "JoinPassword";
    case Field::RenameName: return "RenameName";
  }
  return "?";
}

std::uint32_t room_name_limit(const ClientState& world) {
  return world.welcomed() ? world.limits().max_room_name_chars : static_cast<std::uint32_t>(proto::kMaxRoomNameChars);
}

std::ostream& operator<<(std::ostream& os, const Event& event) {
  std::visit(Overloaded{
                 [&](const OpenCreate&) { os << "OpenCreate"; },
                 [&](const SetCapacity& e) { os << "SetCapacity{" << e.capacity << '}'; },
                 [&](const ConfirmCreate& e) { os << "ConfirmCreate{\"" << e.name << "\", " << e.password.size() << " bytes}"; },
                 [&](const CancelCreate&) { os << "CancelCreate"; },
                 [&](const OpenPrompt& e) { os << "OpenPrompt{room " << e.room << '}'; },
                 [&](const ConfirmPassword& e) {
                   os << "ConfirmPassword{" << e.password.size() << " bytes, name_ok=" << e.name_ok
                      << ", joining=" << e.joining << '}';
                 },
                 [&](const CancelPassword&) { os << "CancelPassword"; },
                 [&](const OpenRename& e) { os << "OpenRename{room " << e.room << '}'; },
                 [&](const ConfirmRename& e) { os << "ConfirmRename{\"" << e.name << "\"}"; },
                 [&](const CancelRename&) { os << "CancelRename"; },
                 [&](const OpenDelete& e) { os << "OpenDelete{room " << e.room << '}'; },
                 [&](const ConfirmDelete&) { os << "ConfirmDelete"; },
                 [&](const CancelDelete&) { os << "CancelDelete"; },
                 [&](const Typed& e) { os << "Typed{" << to_string(e.field) << '}'; },
                 [&](const TokensStored& e) { os << "TokensStored{" << e.stored << '}'; },
                 [&](const Welcomed& e) { os << "Welcomed{" << e.rooms.size() << " rooms, " << e.stored << '}'; },
                 [&](const RoomCreated& e) { os << "RoomCreated{room " << e.room << ", \"" << e.token << "\"}"; },
                 [&](const RoomUpdated& e) { os << "RoomUpdated{room " << e.room << ", \"" << e.name << "\"}"; },
                 [&](const RoomRemoved& e) { os << "RoomRemoved{room " << e.room << '}'; },
                 [&](const Admitted&) { os << "Admitted"; },
                 [&](const ErrorReceived& e) {
                   os << "ErrorReceived{" << e.request << ", " << e.code << ", joining " << e.joining << '}';
                 },
                 [&](const ConnectionLost&) { os << "ConnectionLost"; },
             },
             event);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Effect& effect) {
  std::visit(Overloaded{
                 [&](const Send& e) { os << "Send" << proto::encode(e.message); },
                 [&](const SaveSetting& e) { os << "SaveSetting{" << e.key << " = \"" << e.value << "\"}"; },
                 [&](const RemoveSetting& e) { os << "RemoveSetting{" << e.key << '}'; },
                 [&](const SetField& e) { os << "SetField{" << to_string(e.field) << " = \"" << e.value << "\"}"; },
                 [&](const FocusField& e) { os << "FocusField{" << to_string(e.field) << '}'; },
                 [&](const BlurField& e) { os << "BlurField{" << to_string(e.field) << '}'; },
                 [&](const BlurFields&) { os << "BlurFields"; },
                 [&](const StartJoin& e) { os << "StartJoin{room " << e.room << ", " << e.password.size() << " bytes}"; },
                 [&](const AbandonJoin&) { os << "AbandonJoin"; },
                 [&](const JoinFailed& e) {
                   os << "JoinFailed{room " << e.room << ", "
                      << (e.why == JoinFailure::RoomGone ? "RoomGone" : "Cancelled") << '}';
                 },
                 [&](const ShowError& e) { os << "ShowError{\"" << e.text << "\"}"; },
                 [&](const ShowNameProblem&) { os << "ShowNameProblem"; },
                 [&](const PassOn&) { os << "PassOn"; },
                 [&](const Log& e) { os << "Log{\"" << e.text << "\"}"; },
             },
             effect);
  return os;
}

std::optional<Event> to_event(const proto::ServerMessage& msg) {
  if (const auto* m = std::get_if<proto::RoomCreated>(&msg)) return RoomCreated{m->room.id, m->owner};
  if (const auto* m = std::get_if<proto::RoomUpdated>(&msg)) return RoomUpdated{m->room.id, m->room.name};
  if (const auto* m = std::get_if<proto::RoomRemoved>(&msg)) return RoomRemoved{m->room};
  return std::nullopt;
}

Effects Machine::handle(const Event& event, const ClientState& world) {
  Effects out;
  std::visit([&](const auto& e) { on(e, world, out); }, event);
  return out;
}

const ui_text::Message& Machine::dialog_error() const {
  if (create_.open && !create_.error.empty()) return create_.error;
  if (prompt_.room != 0 && !prompt_.error.empty()) return prompt_.error;
  if ((owner_.rename_room != 0 || owner_.delete_room != 0) && !owner_.error.empty()) return owner_.error;
  return kNoError;
}

ui_text::Message Machine::name_refusal(const proto::CheckedName& checked, const ClientState& world, proto::RoomId self) const {
  if (!checked.ok()) return view_text::name_fault(checked.fault, room_name_limit(world), view_text::NameSubject::Room);
  const auto key = proto::room_name_key(checked.name);
  for (const auto& r : world.rooms())
    if (r.id != self && proto::room_name_key(r.name) == key) return {ui_text::Id::RoomNameExists, {r.name}};
  return {};
}

void Machine::load_tokens(const std::string& stored, Effects& out) {
  for (std::string& key : tokens_.load(stored)) {
    out.push_back(Log{"removed " + key + " from storage: not a room's owner token"});
    out.push_back(RemoveSetting{std::move(key)});
  }
}

// ---- the create dialog --------------------------------------------------------------------------

CapacityNote capacity_note(std::uint32_t capacity, const ClientState& world) {
  const proto::Limits& limits = world.limits();
  if (proto::room_mode_for(capacity, limits.mesh_max) == proto::RoomMode::Mesh) return {};
  const std::string mesh_max = std::to_string(limits.mesh_max);
  if (!limits.large_rooms) return {{ui_text::Id::LargeRoomsUnavailableNote, {mesh_max}}, true};
  return {{ui_text::Id::LargeRoomNote, {mesh_max}}, false};
}

void Machine::on(const OpenCreate&, const ClientState&, Effects& out) {
  create_ = CreateDialog{};
  create_.open = true;
  out.push_back(SetField{Field::RoomName, ""});
  out.push_back(SetField{Field::RoomPassword, ""});
  out.push_back(FocusField{Field::RoomName});
}

void Machine::on(const SetCapacity& e, const ClientState&, Effects&) { create_.capacity = e.capacity; }

void Machine::on(const ConfirmCreate& e, const ClientState& world, Effects& out) {
  if (!create_.open || create_.pending) return;
  const proto::CheckedName checked = proto::check_room_name(e.name, room_name_limit(world));
  if (ui_text::Message refusal = name_refusal(checked, world, 0); !refusal.empty()) {
    create_.error = std::move(refusal);
    out.push_back(FocusField{Field::RoomName});
    return;
  }
  if (e.password.size() > proto::kMaxPasswordBytes) {
    create_.error = {ui_text::Id::PasswordTooLongCreate,
                     {std::to_string(proto::kMaxPasswordBytes), std::to_string(e.password.size())}};
    out.push_back(FocusField{Field::RoomPassword});
    return;
  }
  if (capacity_note(create_.capacity, world).refused) return;  // said under the capacity; Create is disabled
  create_.error = {};
  create_.pending = true;  // until room-created or an error (a password adds ~0.2 s of hashing)
  out.push_back(BlurFields{});
  out.push_back(Send{proto::CreateRoom{checked.name, create_.capacity, e.password}});
  tokens_.create_sent();
}

void Machine::on(const CancelCreate&, const ClientState&, Effects& out) {
  create_.open = false;
  create_.pending = false;
  out.push_back(BlurFields{});
}

// ---- the password prompt ------------------------------------------------------------------------

void Machine::on(const OpenPrompt& e, const ClientState&, Effects& out) {
  prompt_ = PasswordPrompt{e.room, false, {}};
  out.push_back(SetField{Field::JoinPassword, ""});
  out.push_back(FocusField{Field::JoinPassword});
}

void Machine::on(const ConfirmPassword& e, const ClientState& world, Effects& out) {
  if (prompt_.room == 0 || prompt_.pending || e.joining || world.call()) return;
  if (e.password.empty()) {
    prompt_.error = {ui_text::Id::EnterPassword, {}};
    out.push_back(FocusField{Field::JoinPassword});
    return;
  }
  if (e.password.size() > proto::kMaxPasswordBytes) {
    prompt_.error = {ui_text::Id::PasswordMax, {std::to_string(proto::kMaxPasswordBytes)}};
    return;
  }
  // Only a current room list can say the room is gone; while reconnecting, the join waits for the
  // next welcome and the server answers room-not-found if it really is.
  if (world.welcomed() && !world.room(prompt_.room)) {
    prompt_.error = {ui_text::Id::RoomGoneShort, {}};
    return;
  }
  if (!e.name_ok) {  // the prompt gives way to the name field, which says why (and has the keyboard)
    on(CancelPassword{}, world, out);
    out.push_back(ShowNameProblem{});
    return;
  }
  prompt_.pending = true;
  prompt_.error = {};
  out.push_back(StartJoin{prompt_.room, e.password});
}

void Machine::on(const CancelPassword&, const ClientState&, Effects& out) {
  if (prompt_.room != 0) out.push_back(JoinFailed{prompt_.room, JoinFailure::Cancelled});
  out.push_back(BlurField{Field::JoinPassword});
  out.push_back(SetField{Field::JoinPassword, ""});
  if (prompt_.pending) out.push_back(AbandonJoin{});  // a late joined is answered with leave
  prompt_ = PasswordPrompt{};
}

void Machine::on(const Admitted&, const ClientState&, Effects& out) {
  if (prompt_.room == 0) return;
  // Admitted: the prompt's work is done (the join flow keeps the password for a rejoin).
  prompt_.room = 0;
  prompt_.pending = false;
  out.push_back(SetField{Field::JoinPassword, ""});
}

// ---- the owner's dialogs ------------------------------------------------------------------------

void Machine::on(const OpenRename& e, const ClientState& world, Effects& out) {
  const proto::RoomInfo* room = world.room(e.room);
  if (!room || !tokens_.contains(e.room) || modal_open()) return;
  owner_.rename_room = e.room;
  owner_.pending = false;
  owner_.error = {};
  out.push_back(SetField{Field::RenameName, room->name});
  out.push_back(FocusField{Field::RenameName});
}

void Machine::on(const ConfirmRename& e, const ClientState& world, Effects& out) {
  if (owner_.rename_room == 0 || owner_.pending) return;
  const proto::CheckedName checked = proto::check_room_name(e.name, room_name_limit(world));
  if (ui_text::Message refusal = name_refusal(checked, world, owner_.rename_room); !refusal.empty()) {
    owner_.error = std::move(refusal);
    out.push_back(FocusField{Field::RenameName});
    return;
  }
  const proto::RoomInfo* room = world.room(owner_.rename_room);
  const std::string* token = tokens_.find(owner_.rename_room);
  // Nothing to change, or the token dropped meanwhile (the room is gone): the dialog closes.
  if ((room && room->name == checked.name) || !token) {
    on(CancelRename{}, world, out);
    return;
  }
  owner_.error = {};
  owner_.pending = true;
  owner_.rename_sent = checked.name;
  out.push_back(BlurFields{});
  out.push_back(Send{proto::RenameRoom{owner_.rename_room, checked.name, *token}});
}

void Machine::on(const CancelRename&, const ClientState&, Effects& out) {
  out.push_back(BlurField{Field::RenameName});
  owner_.rename_room = 0;
  owner_.pending = false;
  owner_.error = {};
}

void Machine::on(const OpenDelete& e, const ClientState& world, Effects& out) {
  if (!world.room(e.room) || !tokens_.contains(e.room) || modal_open()) return;
  out.push_back(BlurFields{});
  owner_.delete_room = e.room;
  owner_.pending = false;
  owner_.error = {};
}

void Machine::on(const ConfirmDelete&, const ClientState& world, Effects& out) {
  if (owner_.delete_room == 0 || owner_.pending) return;
  const std::string* token = tokens_.find(owner_.delete_room);
  if (!token) {  // dropped meanwhile (the room is gone)
    on(CancelDelete{}, world, out);
    return;
  }
  owner_.pending = true;
  owner_.error = {};
  out.push_back(Send{proto::DeleteRoom{owner_.delete_room, *token}});
}

void Machine::on(const CancelDelete&, const ClientState&, Effects&) {
  owner_.delete_room = 0;
  owner_.pending = false;
  owner_.error = {};
}

void Machine::on(const Typed& e, const ClientState&, Effects&) {
  switch (e.field) {
    case Field::RoomName:
    case Field::RoomPassword: create_.error = {}; break;
    case Field::JoinPassword: prompt_.error = {}; break;
    case Field::RenameName: owner_.error = {}; break;
    case Field::Name: break;
  }
}

// ---- storage and the server ---------------------------------------------------------------------

void Machine::on(const TokensStored& e, const ClientState&, Effects& out) { load_tokens(e.stored, out); }

void Machine::on(const Welcomed& e, const ClientState&, Effects& out) {
  // Tokens of rooms this server no longer has are of no use, whichever tab saved them (in a call
  // too: a welcome lists every room).
  load_tokens(e.stored, out);
  for (const proto::RoomId id : tokens_.prune(e.rooms)) out.push_back(RemoveSetting{owner_token_key(id)});
}

void Machine::on(const RoomCreated& e, const ClientState&, Effects& out) {
  if (create_.pending) {  // ours (the list shows the room)
    create_.pending = false;
    create_.open = false;
    out.push_back(SetField{Field::RoomName, ""});
  }
  out.push_back(SetField{Field::RoomPassword, ""});
  if (tokens_.created(e.room, e.token))
    out.push_back(SaveSetting{owner_token_key(e.room), e.token});
  else
    out.push_back(Log{"ignored an owner token for room " + std::to_string(e.room) + " that no create of ours asked for"});
}

void Machine::on(const RoomUpdated& e, const ClientState&, Effects&) {
  if (owner_.pending && e.room == owner_.rename_room && e.name == owner_.rename_sent) {
    owner_.rename_room = 0;  // renamed: the room list shows the new name
    owner_.pending = false;
  }
}

void Machine::on(const RoomRemoved& e, const ClientState& world, Effects& out) {
  tokens_.forget(e.room);
  out.push_back(RemoveSetting{owner_token_key(e.room)});  // also when another tab saved it
  if (owner_.rename_room == e.room || owner_.delete_room == e.room) {
    out.push_back(BlurField{Field::RenameName});
    owner_.rename_room = owner_.delete_room = 0;
    owner_.pending = false;
  }
  if (prompt_.room == e.room) on(CancelPassword{}, world, out);
}

void Machine::on(const ErrorReceived& e, const ClientState& world, Effects& out) {
  if (e.request == "create-room") {
    tokens_.create_refused();
    create_.pending = false;
    create_.error = {ui_text::error_text(e.code), {}};
    return;
  }
  if (e.request == "join" && e.code == proto::ErrorCode::RoomNotFound && prompt_.room != 0) {
    // Gone while its password was asked for: nothing left to type a password for.
    out.push_back(ShowError{{ui_text::error_text(e.code), {}}});
    out.push_back(JoinFailed{e.joining, JoinFailure::RoomGone});
    on(CancelPassword{}, world, out);
    return;
  }
  if (e.request == "join" && (prompt_.room != 0 || e.code == proto::ErrorCode::PasswordRequired)) {
    // Shown inside the password prompt, which stays open for another try; the camera stays on.
    out.push_back(AbandonJoin{});
    if (prompt_.room == 0) prompt_.room = e.joining;
    out.push_back(SetField{Field::JoinPassword, ""});
    prompt_.pending = false;
    prompt_.error = {ui_text::error_text(e.code), {}};
    out.push_back(FocusField{Field::JoinPassword});
    return;
  }
  if (e.request == "rename-room" || e.request == "delete-room") {
    owner_.pending = false;
    if (owner_.rename_room != 0 || owner_.delete_room != 0) {
      owner_.error = {ui_text::error_text(e.code), {}};
      return;
    }
  }
  out.push_back(PassOn{});
}

// Answers to what went out on the lost socket never come: nothing stays pending for them. The
// dialogs stay open for another try (a rename the server did apply shows in the next welcome's list).
void Machine::on(const ConnectionLost&, const ClientState&, Effects&) {
  tokens_.connection_lost();
  create_.pending = false;
  owner_.pending = false;
}

}  // namespace moim::room_admin
