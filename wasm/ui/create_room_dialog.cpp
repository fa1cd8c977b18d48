#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <string>

namespace moim::ui {

namespace {
constexpr const char* kPopup = "##create-room";  // ImGui's id of the popup (it shows no title)
}

void draw_create_dialog(FrameOut& out, const DialogModel& m) {
  float inner = 0;
  if (!begin_modal(kPopup, m.open, 460.0f, &inner)) return;
  ImGui::PushFont(fonts().title);
  text(out, out.tr(ui_text::Id::CreateTitle), color::kText);
  ImGui::PopFont();
  ImGui::Dummy(ImVec2(0, 2));
  text(out, out.tr(ui_text::Id::RoomNameLabel), color::kMuted);
  text_field(out, m.room_name, inner);
  ImGui::Dummy(ImVec2(0, 2));
  text(out, out.tr(ui_text::Id::CapacityLabel), color::kMuted);
  int capacity = static_cast<int>(m.capacity);
  ImGui::SetNextItemWidth(inner);
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12, 10));
  if (ImGui::SliderInt("##capacity", &capacity, proto::kMinCapacity, static_cast<int>(m.max_capacity), "%d",
                       ImGuiSliderFlags_AlwaysClamp))
    out.intent(SetCapacity{static_cast<std::uint32_t>(capacity)});
  ImGui::PopStyleVar();
  out.record("room-capacity-input");
  if (!m.capacity_note.empty()) text_wrapped(out, m.capacity_note, m.capacity_refused ? color::kDanger : color::kMuted);
  ImGui::Dummy(ImVec2(0, 2));
  text(out, out.tr(ui_text::Id::PasswordLabel), color::kMuted);
  text_field(out, m.password, inner);
  if (!m.password_note.empty()) text_wrapped(out, m.password_note, color::kDanger);
  else text_wrapped(out, out.tr(ui_text::Id::OpenRoomNote), color::kMuted);
  if (!m.error.empty()) {
    ImGui::Dummy(ImVec2(0, 2));
    text_wrapped(out, m.error, color::kDanger);
  }
  ImGui::Dummy(ImVec2(0, 8));
  const float bw = 120;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + inner - 2 * bw - 10);
  if (button(out, "create-cancel", out.tr(ui_text::Id::Cancel), ButtonStyle::Secondary, ImVec2(bw, 0))) out.intent(CancelCreateRoom{});
  ImGui::SameLine(0, 10);
  if (button(out, "create-confirm", out.tr(m.pending ? ui_text::Id::Creating : ui_text::Id::Create), ButtonStyle::Primary, ImVec2(bw, 0),
             !m.pending && !m.capacity_refused))
    out.intent(ConfirmCreateRoom{});
  end_modal();
}

}  // namespace moim::ui
