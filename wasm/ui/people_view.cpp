// The participant panel: everyone in the call with microphone and camera state and how they are
// connected, and a "Send file" for each other person (to that person only).
#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <string>

namespace moim::ui {

void draw_people_panel(FrameOut& out, const PeopleModel& m, ImVec2 min, ImVec2 max) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, max, color::kPanel);
  dl->AddLine(min, ImVec2(min.x, max.y), color::kBorder);
  const float pad = 16, w = max.x - min.x - 2 * pad;
  ImGui::SetCursorScreenPos(ImVec2(min.x + pad, min.y + pad));
  text(out, "People (" + std::to_string(m.people.size()) + ")", color::kText);
  ImGui::SetCursorScreenPos(ImVec2(max.x - pad - 70, min.y + pad - 8));
  if (button(out, "people-close", "Close", ButtonStyle::Secondary, ImVec2(70, 0))) out.intent(TogglePeople{});

  const float top = min.y + pad + ImGui::GetTextLineHeightWithSpacing() + 16;
  ImGui::SetCursorScreenPos(ImVec2(min.x + pad, top));
  ImGui::BeginChild("people-list", ImVec2(w, max.y - pad - top), false);
  for (const PersonView& p : m.people) {
    ImGui::PushID(static_cast<int>(p.id));
    const ImVec2 row = ImGui::GetCursorScreenPos();
    const float row_h = 2 * ImGui::GetTextLineHeightWithSpacing() + 16;
    ImGui::GetWindowDrawList()->AddRectFilled(row, ImVec2(row.x + w, row.y + row_h), color::kPanelHover, 8);
    ImGui::SetCursorScreenPos(ImVec2(row.x + 12, row.y + 8));
    text(out, p.self ? p.name + " (you)" : p.name, color::kText);
    ImGui::SetCursorScreenPos(ImVec2(row.x + 12, row.y + 8 + ImGui::GetTextLineHeightWithSpacing()));
    std::string line = std::string(p.mic ? "mic on" : "muted") + " \xC2\xB7 " + (p.camera ? "camera on" : "camera off");
    if (!p.connection.empty()) line += " \xC2\xB7 " + p.connection;
    const float bw = 96, bh = ImGui::GetFontSize() + 16;
    ImGui::PushClipRect(row, ImVec2(row.x + w - (p.self ? 10 : bw + 20), row.y + row_h), true);
    text(out, line, p.mic ? color::kMuted : color::kWarning);
    ImGui::PopClipRect();
    if (!p.self) {
      ImGui::SetCursorScreenPos(ImVec2(row.x + w - bw - 10, row.y + (row_h - bh) * 0.5f));
      const std::string id = "send-file:" + std::to_string(p.id);
      if (button(out, id.c_str(), "Send file", ButtonStyle::Secondary, ImVec2(bw, bh), p.can_send_file))
        out.intent(PickFiles{p.id});
    }
    ImGui::SetCursorScreenPos(ImVec2(row.x, row.y + row_h + 8));
    ImGui::Dummy(ImVec2(w, 0));
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace moim::ui
