// The participant panel: everyone in the call with microphone and camera state and how they are
// connected, and a "Send file" for each other person (to that person only).
#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <string>

namespace moim::ui {

void draw_people_panel(FrameOut& out, const PeopleModel& m, ImVec2 min, ImVec2 max) {
  const std::string title = out.tr(ui_text::Id::PeopleTitle, {std::to_string(m.people.size())});
  const SidePanelArea a = side_panel_frame(out, min, max, title, "", "people-close", TogglePeople{});
  const float pad = a.pad, w = a.width;
  const float top = a.header_bottom + 16;
  ImGui::SetCursorScreenPos(ImVec2(min.x + pad, top));
  ImGui::BeginChild("people-list", ImVec2(w, max.y - pad - top), false);
  for (const PersonView& p : m.people) {
    ImGui::PushID(static_cast<int>(p.id));
    const ImVec2 row = ImGui::GetCursorScreenPos();
    const float row_h = 2 * ImGui::GetTextLineHeightWithSpacing() + 16;
    ImGui::GetWindowDrawList()->AddRectFilled(row, ImVec2(row.x + w, row.y + row_h), color::kPanelHover, 8);
    ImGui::SetCursorScreenPos(ImVec2(row.x + 12, row.y + 8));
    text(out, p.self ? out.tr(ui_text::Id::YouSuffix, {p.name}) : p.name, color::kText);
    ImGui::SetCursorScreenPos(ImVec2(row.x + 12, row.y + 8 + ImGui::GetTextLineHeightWithSpacing()));
    std::string line = out.tr(p.mic ? ui_text::Id::MicOn : ui_text::Id::Muted) + " \xC2\xB7 " +
                       out.tr(p.camera ? ui_text::Id::CameraOnLower : ui_text::Id::CameraOffLower);
    if (!p.connection.empty()) line += " \xC2\xB7 " + p.connection;
    const float bw = 96, bh = ImGui::GetFontSize() + 16;
    ImGui::PushClipRect(row, ImVec2(row.x + w - (p.self ? 10 : bw + 20), row.y + row_h), true);
    text(out, line, p.mic ? color::kMuted : color::kWarning);
    ImGui::PopClipRect();
    if (!p.self) {
      ImGui::SetCursorScreenPos(ImVec2(row.x + w - bw - 10, row.y + (row_h - bh) * 0.5f));
      const std::string id = "send-file:" + std::to_string(p.id);
      if (button(out, id.c_str(), out.tr(ui_text::Id::SendFile), ButtonStyle::Secondary, ImVec2(bw, bh), p.can_send_file))
        out.intent(PickFiles{p.id});
    }
    ImGui::SetCursorScreenPos(ImVec2(row.x, row.y + row_h + 8));
    ImGui::Dummy(ImVec2(w, 0));
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace moim::ui
