// The app's room-administration part: the machine of shared/room_admin.hpp (create, rename and
// delete dialogs, owner tokens, the password prompt) wired to the text fields, to storage, to the
// server, to the join flow (a locked room's join) and to the invite router.
#include "app.hpp"
#include "overloaded.hpp"

#include "browser/glue.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iterator>
#include <optional>
#include <utility>

namespace moim {

namespace {

// The machine's fields and the app's: one table, read both ways.
constexpr std::pair<room_admin::Field, ui::FieldId> kFields[] = {
    {room_admin::Field::Name, ui::FieldId::Name},
    {room_admin::Field::RoomName, ui::FieldId::RoomName},
    {room_admin::Field::RoomPassword, ui::FieldId::RoomPassword},
    {room_admin::Field::JoinPassword, ui::FieldId::JoinPassword},
    {room_admin::Field::RenameName, ui::FieldId::RenameName},
};
// A field added to room_admin::Field needs its row here (RenameName is the last of the enum).
static_assert(std::size(kFields) == static_cast<std::size_t>(room_admin::Field::RenameName) + 1);
ui::FieldId field_id(room_admin::Field field) {
  for (const auto& [admin, ui_id] : kFields)
    if (admin == field) return ui_id;
  return ui::FieldId::None;
}
std::optional<room_admin::Field> admin_field(ui::FieldId id) {
  for (const auto& [admin, ui_id] : kFields)
    if (ui_id == id) return admin;
  return std::nullopt;
}

}  // namespace

bool App::feed_admin(const room_admin::Event& event) {
  bool pass_on = false;
  for (const auto& effect : admin_.handle(event, world_)) {
    std::visit(Overloaded{
                   [&](const room_admin::Send& e) { send(e.message); },
                   [&](const room_admin::SaveSetting& e) { browser::save_setting(e.key, e.value); },
                   [&](const room_admin::RemoveSetting& e) { browser::remove_setting(e.key); },
                   [&](const room_admin::SetField& e) { fields_.set_value(field_id(e.field), e.value); },
                   [&](const room_admin::FocusField& e) { fields_.focus(field_id(e.field)); },
                   [&](const room_admin::BlurField& e) {
                     if (fields_.focused() == field_id(e.field)) fields_.blur();
                   },
                   [&](const room_admin::BlurFields&) { fields_.blur(); },
                   [&](const room_admin::StartJoin& e) { start_join(e.room, e.password); },
                   [&](const room_admin::AbandonJoin&) { feed_join(join_flow::Cancel{}); },  // a late joined gets leave
                   [&](const room_admin::JoinFailed& e) {
                     feed_invite(invite::JoinFailed{e.room, e.why == room_admin::JoinFailure::RoomGone
                                                                ? invite::JoinFailure::RoomGone
                                                                : invite::JoinFailure::Cancelled});
                   },
                   [&](const room_admin::ShowError& e) { error_ = e.text; },
                   [&](const room_admin::ShowNameProblem&) { valid_name(); },  // says why, focuses the name
                   [&](const room_admin::PassOn&) { pass_on = true; },
                   [&](const room_admin::Log& e) { std::printf("moim: %s\n", e.text.c_str()); },
               },
               effect);
  }
  return pass_on;
}

void App::close_admin_dialogs() {
  if (admin_.create().open) feed_admin(room_admin::CancelCreate{});
  if (admin_.prompt().room != 0) feed_admin(room_admin::CancelPassword{});  // a join that waited for its password
  if (admin_.owner().rename_room != 0) feed_admin(room_admin::CancelRename{});
  if (admin_.owner().delete_room != 0) feed_admin(room_admin::CancelDelete{});
}

void App::admin_typed(ui::FieldId field) {
  if (const auto admin = admin_field(field)) feed_admin(room_admin::Typed{*admin});
}

void App::admin_models(ui::LobbyModel& m) const {
  const auto room_name = [&](proto::RoomId id) {
    const proto::RoomInfo* room = world_.room(id);
    return room ? room->name : std::string();
  };
  const room_admin::CreateDialog& create = admin_.create();
  if (world_.welcomed()) m.dialog.max_capacity = std::max<std::uint32_t>(proto::kMinCapacity, world_.limits().max_capacity);
  m.dialog.open = create.open;
  m.dialog.room_name = field_view(ui::FieldId::RoomName, "room-name-input");
  m.dialog.capacity = create.capacity;
  const room_admin::CapacityNote note = room_admin::capacity_note(create.capacity, world_);
  m.dialog.capacity_note = ui_text::render(lang_, note.text);
  m.dialog.capacity_refused = note.refused;
  m.dialog.error = ui_text::render(lang_, create.error);
  m.dialog.pending = create.pending;
  m.dialog.password = field_view(ui::FieldId::RoomPassword, "room-password-input");
  if (const std::size_t bytes = fields_.value(ui::FieldId::RoomPassword).size(); bytes > proto::kMaxPasswordBytes)
    m.dialog.password_note = ui_text::format(lang_, ui_text::Id::PasswordFieldTooLong,
                                             {std::to_string(proto::kMaxPasswordBytes), std::to_string(bytes)});
  if (const room_admin::PasswordPrompt& prompt = admin_.prompt(); prompt.room != 0) {
    m.prompt.open = true;
    m.prompt.room_name = room_name(prompt.room);
    m.prompt.password = field_view(ui::FieldId::JoinPassword, "password-input");
    m.prompt.error = ui_text::render(lang_, prompt.error);
    m.prompt.pending = prompt.pending;
  }
  const room_admin::OwnerDialogs& owner = admin_.owner();
  if (owner.rename_room != 0) {
    m.rename.open = true;
    m.rename.room_name = room_name(owner.rename_room);
    m.rename.name = field_view(ui::FieldId::RenameName, "rename-input");
    m.rename.error = ui_text::render(lang_, owner.error);
    m.rename.pending = owner.pending;
  }
  if (owner.delete_room != 0) {
    m.del.open = true;
    m.del.room_name = room_name(owner.delete_room);
    m.del.error = ui_text::render(lang_, owner.error);
    m.del.pending = owner.pending;
  }
  for (const auto& [id, token] : admin_.tokens().all()) m.owned.push_back(id);  // std::map: sorted
}

void App::admin_state(nlohmann::json& s) const {
  using nlohmann::json;
  const ui_text::Message& shown_error = admin_.dialog_error().empty() ? error_ : admin_.dialog_error();
  s["error"] = shown_error.empty() ? json(nullptr) : json(ui_text::render(lang_, shown_error));
  s["dialog"] = admin_.create().open;
  // The create dialog's capacity and what is said under it (a large room's note or refusal).
  if (const room_admin::CreateDialog& create = admin_.create(); create.open) {
    const room_admin::CapacityNote note = room_admin::capacity_note(create.capacity, world_);
    s["createDialog"] = {{"capacity", create.capacity},
                         {"capacityNote", note.text.empty() ? json(nullptr) : json(ui_text::render(lang_, note.text))},
                         {"createEnabled", !create.pending && !note.refused}};
  } else {
    s["createDialog"] = nullptr;
  }
  const proto::Limits& limits = world_.limits();
  s["limits"] = {{"maxCapacity", limits.max_capacity}, {"meshMax", limits.mesh_max}, {"largeRooms", limits.large_rooms}};
  // The open modal besides the create dialog: "password" | "rename" | "delete" | null, and its room.
  const room_admin::PasswordPrompt& prompt = admin_.prompt();
  const room_admin::OwnerDialogs& owner = admin_.owner();
  if (prompt.room != 0) s["modal"] = {{"kind", "password"}, {"room", prompt.room}, {"pending", prompt.pending}};
  else if (owner.rename_room != 0) s["modal"] = {{"kind", "rename"}, {"room", owner.rename_room}, {"pending", owner.pending}};
  else if (owner.delete_room != 0) s["modal"] = {{"kind", "delete"}, {"room", owner.delete_room}, {"pending", owner.pending}};
  else s["modal"] = nullptr;
}

}  // namespace moim
