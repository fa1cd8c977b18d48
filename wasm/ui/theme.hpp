// Look and feel: colours, spacing and the fonts (rendered at the device pixel ratio).
#pragma once

#include <imgui.h>

#include <vector>

namespace moim::ui {

namespace color {
inline constexpr ImU32 kBackground = IM_COL32(17, 19, 24, 255);
inline constexpr ImU32 kPanel = IM_COL32(27, 30, 38, 255);
inline constexpr ImU32 kPanelHover = IM_COL32(36, 40, 51, 255);
inline constexpr ImU32 kField = IM_COL32(14, 16, 21, 255);
inline constexpr ImU32 kBorder = IM_COL32(55, 61, 76, 255);
inline constexpr ImU32 kAccent = IM_COL32(79, 140, 255, 255);
inline constexpr ImU32 kAccentHover = IM_COL32(105, 158, 255, 255);
inline constexpr ImU32 kText = IM_COL32(242, 244, 248, 255);
inline constexpr ImU32 kMuted = IM_COL32(150, 158, 172, 255);
inline constexpr ImU32 kDanger = IM_COL32(229, 72, 77, 255);
inline constexpr ImU32 kDangerHover = IM_COL32(240, 96, 100, 255);
inline constexpr ImU32 kSuccess = IM_COL32(70, 200, 120, 255);
inline constexpr ImU32 kWarning = IM_COL32(240, 180, 60, 255);
}  // namespace color

struct Fonts {
  ImFont* body = nullptr;   // 17 px
  ImFont* small = nullptr;  // 14 px
  ImFont* title = nullptr;  // 22 px
  ImFont* logo = nullptr;   // 34 px
  float body_px = 17, small_px = 14, title_px = 22, logo_px = 34;
};
Fonts& fonts();

void apply_style();
// (Re)builds the font atlas at `dpr` with the base ranges, `ui` (the characters of the current
// language's words: ImGui ranges, from the embedded fonts) and `extra` (anything else drawn), which
// come from the embedded fonts where they have them and from `fallback_ttf` (the Hangul font) when it
// is loaded. The GL texture must be recreated afterwards.
void build_fonts(float dpr, const std::vector<ImWchar>& ui, const std::vector<ImWchar>& extra,
                 const std::vector<unsigned char>* fallback_ttf);

}  // namespace moim::ui
