// Modal dialogs of the room list besides "Create a room": the password prompt of a locked room,
// and the owner's rename dialog and delete confirmation.
#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <string>

namespace moim::ui {

namespace {
void title(FrameOut& out, const std::string& s) {
  ImGui::PushFont(fonts().title);
  text(out, s, color::kText);
  ImGui::PopFont();
  ImGui::Dummy(ImVec2(0, 2));
}
// Cancel and confirm at the right, in that order.
void buttons(FrameOut& out, float inner, const char* cancel_id, const char* confirm_id, const std::string& confirm_label,
             ButtonStyle confirm_style, bool pending, Intent on_cancel, Intent on_confirm) {
  ImGui::Dummy(ImVec2(0, 8));
  const float bw = 120;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + inner - 2 * bw - 10);
  if (button(out, cancel_id, out.tr(ui_text::Id::Cancel), ButtonStyle::Secondary, ImVec2(bw, 0))) out.intent(on_cancel);
  ImGui::SameLine(0, 10);
  if (button(out, confirm_id, pending ? std::string("\xE2\x80\xA6") : confirm_label, confirm_style, ImVec2(bw, 0), !pending))
    out.intent(on_confirm);
}
}  // namespace

void draw_password_prompt(FrameOut& out, const PasswordPromptModel& m) {
  float inner = 0;
  if (!begin_modal("##room-password", m.open, 440.0f, &inner)) return;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  draw_lock(ImGui::GetWindowDrawList(), ImVec2(at.x, at.y + 3), 20, color::kText);
  ImGui::SetCursorScreenPos(ImVec2(at.x + 26, at.y));
  title(out, out.tr(ui_text::Id::PasswordNeeded));
  text_wrapped(out, out.tr(ui_text::Id::RoomLocked, {m.room_name}), color::kMuted);
  ImGui::Dummy(ImVec2(0, 2));
  text_field(out, m.password, inner);
  if (!m.error.empty()) {
    ImGui::Dummy(ImVec2(0, 2));
    text_wrapped(out, m.error, color::kDanger);
  }
  buttons(out, inner, "password-cancel", "password-confirm", out.tr(ui_text::Id::Join), ButtonStyle::Primary, m.pending, CancelPassword{},
          ConfirmPassword{});
  end_modal();
}

void draw_rename_dialog(FrameOut& out, const RenameModel& m) {
  float inner = 0;
  if (!begin_modal("##rename-room", m.open, 460.0f, &inner)) return;
  title(out, out.tr(ui_text::Id::RenameTitle));
  text_wrapped(out, out.tr(ui_text::Id::RenameFor, {m.room_name}), color::kMuted);
  text_field(out, m.name, inner);
  if (!m.error.empty()) {
    ImGui::Dummy(ImVec2(0, 2));
    text_wrapped(out, m.error, color::kDanger);
  }
  buttons(out, inner, "rename-cancel", "rename-confirm", out.tr(ui_text::Id::Rename), ButtonStyle::Primary, m.pending, CancelRename{},
          ConfirmRename{});
  end_modal();
}

void draw_delete_dialog(FrameOut& out, const DeleteModel& m) {
  float inner = 0;
  if (!begin_modal("##delete-room", m.open, 460.0f, &inner)) return;
  title(out, out.tr(ui_text::Id::DeleteTitle));
  text_wrapped(out, out.tr(ui_text::Id::DeleteQuestion, {m.room_name}), color::kText);
  if (!m.error.empty()) {
    ImGui::Dummy(ImVec2(0, 2));
    text_wrapped(out, m.error, color::kDanger);
  }
  buttons(out, inner, "delete-cancel", "delete-confirm", out.tr(ui_text::Id::Delete), ButtonStyle::Danger, m.pending, CancelDelete{},
          ConfirmDelete{});
  end_modal();
}

}  // namespace moim::ui
