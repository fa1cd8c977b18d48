// The call's control bar at the bottom: every button in one row on a wide window; on a narrow one
// (a phone) the microphone, the camera, More and Leave, with the rest in More's menu above the bar
// (the same widgets, so a click does the same thing either way).
#include "shortcuts.hpp"
#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace moim::ui {

namespace {

struct BarButton {
  const char* id;
  std::string label;
  ButtonStyle style;
  bool enabled;
  Intent intent;
  std::string tooltip;  // empty: none
};

constexpr float kSpacing = 14, kButtonH = 48;
// Narrower than this, a row of every button cannot show their words: the menu holds most of them.
constexpr float kMinButtonW = 96;

void draw_button(FrameOut& out, const BarButton& b, ImVec2 at, ImVec2 size) {
  ImGui::SetCursorScreenPos(at);
  if (button(out, b.id, b.label, b.style, size, b.enabled)) out.intent(b.intent);
  if (!b.tooltip.empty()) hover_tooltip(out, b.tooltip);
}

}  // namespace

void draw_control_bar(FrameOut& out, const CallModel& m, float top_y, bool layout_in_menu) {
  using ui_text::Id;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float bottom = display.y - top_y;
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, top_y), display, IM_COL32(22, 25, 32, 255));

  const std::string mic = out.tr(!m.can_mic ? Id::NoMicrophone : (m.mic ? Id::Mute : Id::Unmute));
  const std::string cam = out.tr(!m.can_camera ? Id::NoCamera : (m.camera ? Id::StopVideo : Id::StartVideo));
  const std::string share = out.tr(m.share == ShareButton::Stop       ? Id::StopSharing
                                   : m.share == ShareButton::Choosing ? Id::Choosing
                                                                      : Id::ShareScreen);
  const auto toggle = [](bool on) { return on ? ButtonStyle::Primary : ButtonStyle::Toggle; };
  const BarButton mic_button{"toggle-mic", mic, m.mic ? ButtonStyle::Toggle : ButtonStyle::Danger, m.can_mic, ToggleMic{},
                             shortcuts::tooltip(out.lang, mic, shortcuts::Action::ToggleMic)};
  const BarButton cam_button{"toggle-camera", cam, m.camera ? ButtonStyle::Toggle : ButtonStyle::Danger, m.can_camera,
                             ToggleCamera{}, shortcuts::tooltip(out.lang, cam, shortcuts::Action::ToggleCamera)};
  const BarButton leave{"leave", out.tr(Id::Leave), ButtonStyle::Danger, true, LeaveCall{}, {}};
  std::vector<BarButton> rest{
      {"share-screen", share, m.share == ShareButton::Stop ? ButtonStyle::Primary : ButtonStyle::Toggle,
       m.can_share && m.share != ShareButton::Choosing, ToggleScreenShare{},
       shortcuts::tooltip(out.lang, share, shortcuts::Action::ToggleShare)},
      {"chat-toggle", chat_button_label(out.lang, m.chat), toggle(m.chat.open), true, ToggleChat{},
       shortcuts::tooltip(out.lang, out.tr(Id::Chat), shortcuts::Action::ToggleChat)},
      {"people-toggle", out.tr(Id::People), toggle(m.people.open), true, TogglePeople{}, {}},
      {"stats-toggle", out.tr(Id::Stats), toggle(m.stats.open), true, ToggleStats{}, {}},
      {"devices-toggle", out.tr(Id::Devices), toggle(m.devices.open), true, ToggleDevices{}, out.tr(Id::DevicesTip)},
      // To everyone in the call (one person: from the participant panel). Files dropped on the page too.
      {"send-file", out.tr(Id::SendFile), ButtonStyle::Toggle, m.tiles.size() > 1, PickFiles{0}, {}},
  };

  const float row_y = top_y + (bottom - kButtonH) * 0.5f;
  const auto row = [&](const std::vector<const BarButton*>& buttons) {
    const int n = static_cast<int>(buttons.size());
    const float bw = std::min(150.0f, (display.x - 32 - static_cast<float>(n - 1) * kSpacing) / static_cast<float>(n));
    float x = (display.x - (static_cast<float>(n) * bw + static_cast<float>(n - 1) * kSpacing)) * 0.5f;
    for (const BarButton* b : buttons) {
      draw_button(out, *b, ImVec2(x, row_y), ImVec2(bw, kButtonH));
      x += bw + kSpacing;
    }
  };
  std::vector<const BarButton*> all{&mic_button, &cam_button};
  for (const BarButton& b : rest) all.push_back(&b);
  all.push_back(&leave);
  const float every_w = (display.x - 32 - static_cast<float>(all.size() - 1) * kSpacing) / static_cast<float>(all.size());
  if (every_w >= kMinButtonW) {
    row(all);
    return;
  }

  // Narrow: the menu holds the rest (and the grid / speaker view switch the top bar has no room for).
  if (layout_in_menu)
    rest.push_back({"layout-toggle", out.tr(m.speaker_view ? Id::GridView : Id::SpeakerView), ButtonStyle::Toggle, true,
                    ToggleLayout{}, {}});
  const BarButton more{"more-toggle", out.tr(Id::More), toggle(m.more_open), true, ToggleMore{}, {}};
  row({&mic_button, &cam_button, &more, &leave});
  if (!m.more_open) return;
  const float item_h = 44, pad = 10, w = std::min(display.x - 32, 280.0f);
  const float h = pad * 2 + static_cast<float>(rest.size()) * item_h + static_cast<float>(rest.size() - 1) * 8;
  const ImVec2 p(display.x - 16 - w, top_y - 8 - h);
  ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + w, p.y + h), IM_COL32(30, 34, 44, 250), 10);
  out.add_widget("more-menu", p, ImVec2(p.x + w, p.y + h));
  float y = p.y + pad;
  for (const BarButton& b : rest) {
    const std::size_t before = out.intents.size();
    draw_button(out, b, ImVec2(p.x + pad, y), ImVec2(w - 2 * pad, item_h));
    if (out.intents.size() > before) out.intent(ToggleMore{});  // a choice made closes the menu
    y += item_h + 8;
  }
}

}  // namespace moim::ui
