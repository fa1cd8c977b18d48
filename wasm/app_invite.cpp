// The app's invite-link part: the router of shared/invite_route.hpp wired to the page's URL (through
// the glue), to the join flow (which asks only for what is missing: a name when none is remembered,
// then a locked room's password) and to the clipboard ("Copy invite link").
#include "app.hpp"
#include "overloaded.hpp"

#include "browser/glue.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace moim {

namespace {
constexpr double kCopiedNoteMs = 2500;  // how long "Link copied" stays
// What web/glue/clipboard.js reports when the page has no clipboard at all (not a secure page).
constexpr const char* kNoClipboardReason = "NoClipboard";
}  // namespace

void App::start_invite_routing() {
  page_address_ = browser::page_address();
  feed_invite(invite::PageOpened{invite::parse_hash(browser::location_hash()), browser::history_above_lobby()});
}

void App::feed_invite(const invite::Event& event) {
  for (const auto& effect : router_.handle(event)) {
    std::visit(Overloaded{
                   [&](const invite::JoinRoom& e) { join_from_link(e.room); },
                   [&](const invite::LeaveRoom&) { apply(ui::LeaveCall{}); },
                   [&](const invite::CancelJoin&) { cancel_link_join(); },
                   [&](const invite::PushUrl& e) { browser::set_url(true, invite::format_hash(e.route), e.above_lobby); },
                   [&](const invite::ReplaceUrl& e) {
                     browser::set_url(false, invite::format_hash(e.route), e.above_lobby);
                   },
                   [&](const invite::ShowMessage& e) { error_ = e.text; },
               },
               effect);
  }
  frames_to_draw_ = std::max(frames_to_draw_, 2);
}

bool App::name_ready() const {
  return checked_name().ok();
}

void App::join_from_link(proto::RoomId room) {
  std::printf("moim: the page's URL asks for room %llu\n", static_cast<unsigned long long>(room));
  // Whatever dialog was open gives way: the person followed a link (or Back / Forward).
  close_admin_dialogs();
  name_prompt_room_ = 0;
  if (world_.call() || join_.joining()) {
    // A join from the list is already on its way: that one goes on, the URL gives way.
    feed_invite(invite::JoinFailed{room, invite::JoinFailure::Refused});
    return;
  }
  continue_link_join(room);
}

void App::continue_link_join(proto::RoomId room) {
  if (!world_.room(room)) {
    feed_invite(invite::JoinFailed{room, invite::JoinFailure::RoomGone});
    return;
  }
  if (!name_ready()) {
    // Nothing remembered (or a name this server refuses): ask for it, and only for it.
    name_prompt_room_ = room;
    name_prompt_error_ = {};
    error_ = {};
    fields_.focus(ui::FieldId::Name);
    return;
  }
  // The list's own join: a locked room opens the password prompt, a full one says so.
  apply(ui::JoinRoom{room});
  if (!join_.joining() && admin_.prompt().room != room)
    feed_invite(invite::JoinFailed{room, invite::JoinFailure::Refused});
}

void App::cancel_link_join() {
  if (name_prompt_room_ != 0) {
    name_prompt_room_ = 0;
    name_prompt_error_ = {};
    if (fields_.focused() == ui::FieldId::Name) fields_.blur();
  }
  if (admin_.prompt().room != 0) feed_admin(room_admin::CancelPassword{});
  feed_join(join_flow::Cancel{});  // a join on its way: its late `joined` is answered with leave
}

void App::copy_invite_link() {
  const std::string link = invite_link();
  if (link.empty()) return;
  copy_state_ = CopyState::Pending;
  browser::copy_text(++copy_request_, link);
}

void App::close_invite_panel() {
  if (fields_.focused() == ui::FieldId::InviteLink) fields_.blur();
  copy_state_ = CopyState::None;
}

void App::confirm_invite_name() {
  if (name_prompt_room_ == 0) return;
  if (!valid_name()) {  // says why in error_: shown inside the prompt instead
    name_prompt_error_ = std::move(error_);
    error_ = {};
    fields_.focus(ui::FieldId::Name);
    return;
  }
  const proto::RoomId room = name_prompt_room_;
  name_prompt_room_ = 0;
  name_prompt_error_ = {};
  fields_.blur();
  continue_link_join(room);
}

void App::cancel_invite_name() {
  const proto::RoomId room = name_prompt_room_;
  if (room == 0) return;
  name_prompt_room_ = 0;
  name_prompt_error_ = {};
  if (fields_.focused() == ui::FieldId::Name) fields_.blur();
  feed_invite(invite::JoinFailed{room, invite::JoinFailure::Cancelled});
}

void App::on_clipboard(const browser::ClipboardWritten& e) {
  if (e.request != copy_request_ || copy_state_ != CopyState::Pending) return;  // an older copy
  if (e.ok) {
    copy_state_ = CopyState::Copied;
    copied_until_ = now_ + kCopiedNoteMs;
    return;
  }
  std::printf("moim: copying the invite link failed: %s\n", e.why.c_str());
  copy_state_ = CopyState::Failed;
  copy_failure_ = e.why;
  // The link, selected in a read-only field: the person copies it by hand.
  fields_.set_value(ui::FieldId::InviteLink, invite_link());
  fields_.focus(ui::FieldId::InviteLink);
}

void App::reset_invite_copy() {
  if (fields_.focused() == ui::FieldId::InviteLink) fields_.blur();
  copy_state_ = CopyState::None;
  copy_failure_.clear();
}

std::string App::invite_link() const {
  return world_.call() ? invite::invite_link(page_address_, world_.call()->room.id) : std::string();
}

ui::InviteModel App::invite_model() const {
  ui::InviteModel m;
  m.link = invite_link();
  m.copied = copy_state_ == CopyState::Copied && now_ < copied_until_;
  m.failed = copy_state_ == CopyState::Failed;
  // Why, in words: ours for what the glue names (no clipboard on this page, or no reason given),
  // the browser's own for the rest (a DOMException's message).
  m.failure = copy_failure_.empty()                  ? std::string(ui_text::text(lang_, ui_text::Id::BrowserRefused))
              : copy_failure_ == kNoClipboardReason ? std::string(ui_text::text(lang_, ui_text::Id::NoClipboard))
                                                    : copy_failure_;
  m.link_field = field_view(ui::FieldId::InviteLink, "invite-link");
  return m;
}

ui::InviteNamePromptModel App::name_prompt_model() const {
  ui::InviteNamePromptModel m;
  if (name_prompt_room_ == 0) return m;
  m.open = true;
  const proto::RoomInfo* room = world_.room(name_prompt_room_);
  m.room_name = room ? room->name : std::string();
  m.name = field_view(ui::FieldId::Name, "invite-name-input");
  m.error = ui_text::render(lang_, name_prompt_error_);
  return m;
}

void App::invite_state(nlohmann::json& s) const {
  using nlohmann::json;
  const std::string link = invite_link();
  s["inviteLink"] = link.empty() ? json(nullptr) : json(link);
  switch (copy_state_) {
    case CopyState::None: s["inviteCopy"] = nullptr; break;
    case CopyState::Pending: s["inviteCopy"] = "pending"; break;
    case CopyState::Copied: s["inviteCopy"] = "copied"; break;
    case CopyState::Failed: s["inviteCopy"] = "failed"; break;
  }
  if (name_prompt_room_ != 0) {
    s["modal"] = {{"kind", "name"}, {"room", name_prompt_room_}, {"pending", false}};
    if (!name_prompt_error_.empty()) s["error"] = ui_text::render(lang_, name_prompt_error_);
  }
}

}  // namespace moim
