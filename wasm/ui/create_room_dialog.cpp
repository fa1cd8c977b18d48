#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <string>

namespace moim::ui {

namespace {
constexpr const char* kPopup = "Create a room";
}

void draw_create_dialog(FrameOut& out, const DialogModel& m) {
  const bool open_in_imgui = ImGui::IsPopupOpen(kPopup);
  if (m.open && !open_in_imgui) ImGui::OpenPopup(kPopup);
  if (!m.open && !open_in_imgui) return;

  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float w = std::min(460.0f, display.x - 32);
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.42f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(w, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(28, 24));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize;
  if (ImGui::BeginPopupModal(kPopup, nullptr, flags)) {
    if (!m.open) {
      ImGui::CloseCurrentPopup();
    } else {
      const float inner = w - 56;
      ImGui::PushFont(fonts().title);
      text(out, "Create a room", color::kText);
      ImGui::PopFont();
      ImGui::Dummy(ImVec2(0, 2));
      text(out, "Room name", color::kMuted);
      text_field(out, m.room_name, inner);
      ImGui::Dummy(ImVec2(0, 2));
      text(out, "Capacity (people)", color::kMuted);
      int capacity = static_cast<int>(m.capacity);
      ImGui::SetNextItemWidth(inner);
      ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12, 10));
      if (ImGui::SliderInt("##capacity", &capacity, proto::kMinCapacity, proto::kMaxCapacity, "%d",
                           ImGuiSliderFlags_AlwaysClamp))
        out.intent(SetCapacity{static_cast<std::uint32_t>(capacity)});
      ImGui::PopStyleVar();
      out.record("room-capacity-input");
      if (!m.error.empty()) {
        ImGui::Dummy(ImVec2(0, 2));
        text_wrapped(out, m.error, color::kDanger);
      }
      ImGui::Dummy(ImVec2(0, 8));
      const float bw = 120;
      ImGui::SetCursorPosX(ImGui::GetCursorPosX() + inner - 2 * bw - 10);
      if (button(out, "create-cancel", "Cancel", ButtonStyle::Secondary, ImVec2(bw, 0))) out.intent(CancelCreateRoom{});
      ImGui::SameLine(0, 10);
      if (button(out, "create-confirm", m.pending ? "Creating\xE2\x80\xA6" : "Create", ButtonStyle::Primary,
                 ImVec2(bw, 0), !m.pending))
        out.intent(ConfirmCreateRoom{});
    }
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar();
}

}  // namespace moim::ui
