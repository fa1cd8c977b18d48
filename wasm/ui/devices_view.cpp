// The camera and microphone pickers, the microphone's level meter, and the call's devices panel.
// The same pickers serve before joining (the lobby's card) and in a call (the panel): choosing
// there switches the track at once (wasm/devices/).
#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <string>

namespace moim::ui {

namespace {
// A combo of `labels` recorded as `id`, its items as "<id minus -select>-option:<i>".
void picker(FrameOut& out, const char* id, const char* option_prefix, ui_text::Id empty, const std::vector<std::string>& labels,
            int chosen, bool mic, float width) {
  const std::string preview = chosen >= 0 && chosen < static_cast<int>(labels.size()) ? labels[static_cast<std::size_t>(chosen)]
                              : labels.empty()                                        ? out.tr(empty)
                                                                                      : out.tr(ui_text::Id::DeviceDefault);
  out.note_text(preview);
  ImGui::SetNextItemWidth(width);
  ImGui::PushID(id);
  ImGui::BeginDisabled(labels.empty());
  const bool open = ImGui::BeginCombo("##combo", preview.c_str(), ImGuiComboFlags_HeightRegular);
  ImGui::EndDisabled();
  // The combo's own rectangle (recorded after BeginCombo, whose popup is another window).
  if (!open) out.record(id);
  if (open) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      out.note_text(labels[i]);
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::Selectable(labels[i].c_str(), static_cast<int>(i) == chosen)) out.intent(ChooseDevice{mic, i});
      out.record(option_prefix + std::to_string(i));
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  ImGui::PopID();
}
}  // namespace

void draw_mic_meter(FrameOut& out, const DevicesModel& m, ImVec2 min, ImVec2 max) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, max, color::kField, 4);
  // 20 segments: green, then amber near the top (too loud).
  constexpr int kSegments = 20;
  const float w = (max.x - min.x - 2) / kSegments;
  const int lit = m.has_mic && m.mic_on ? static_cast<int>(m.level * kSegments + 0.5f) : 0;
  for (int i = 0; i < lit; ++i) {
    const float x = min.x + 1 + static_cast<float>(i) * w;
    dl->AddRectFilled(ImVec2(x + 1, min.y + 3), ImVec2(x + w - 1, max.y - 3), i < 15 ? color::kSuccess : color::kWarning, 2);
  }
  dl->AddRect(min, max, color::kBorder, 4);
  out.add_widget("mic-meter", min, max);
}

float draw_device_pickers(FrameOut& out, const DevicesModel& m, float width) {
  const ImVec2 start = ImGui::GetCursorScreenPos();
  ImGui::PushFont(fonts().small);
  using ui_text::Id;
  text(out, out.tr(Id::DeviceCamera), color::kMuted);
  ImGui::SetCursorScreenPos(ImVec2(start.x, ImGui::GetCursorScreenPos().y));
  picker(out, "camera-select", "camera-option:", m.has_camera ? Id::DeviceDefault : Id::NoCamera, m.cameras, m.camera, false, width);
  ImGui::SetCursorScreenPos(ImVec2(start.x, ImGui::GetCursorScreenPos().y + 6));
  text(out, out.tr(Id::DeviceMicrophone), color::kMuted);
  ImGui::SetCursorScreenPos(ImVec2(start.x, ImGui::GetCursorScreenPos().y));
  picker(out, "mic-select", "mic-option:", m.has_mic ? Id::DeviceDefault : Id::NoMicrophone, m.mics, m.mic, true, width);
  ImGui::PopFont();
  return ImGui::GetCursorScreenPos().y;
}

void draw_devices_panel(FrameOut& out, const DevicesModel& m, ImVec2 min, ImVec2 max) {
  const SidePanelArea a = side_panel_frame(out, min, max, out.tr(ui_text::Id::Devices), out.tr(ui_text::Id::DevicesSubtitle), "devices-close",
                                           ToggleDevices{});
  ImGui::SetCursorScreenPos(ImVec2(min.x + a.pad, a.header_bottom + 16));
  const float y = draw_device_pickers(out, m, a.width);
  ImGui::SetCursorScreenPos(ImVec2(min.x + a.pad, y + 10));
  ImGui::PushFont(fonts().small);
  text(out, out.tr(m.has_mic && !m.mic_on ? ui_text::Id::MicLevelMuted : ui_text::Id::MicLevel), color::kMuted);
  ImGui::PopFont();
  const ImVec2 p(min.x + a.pad, ImGui::GetCursorScreenPos().y);
  draw_mic_meter(out, m, p, ImVec2(p.x + a.width, p.y + 14));
}

}  // namespace moim::ui
