#include "ui/tile_details.hpp"
#include "ui/theme.hpp"

#include <algorithm>
#include <string>

namespace moim::ui {

float draw_route_pill(FrameOut& out, const TileModel& t, ImVec2 bar_min, ImVec2 bar_max) {
  if (t.route.empty()) return 0;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* font = fonts().small;
  const float px = font->FontSize * ImGui::GetIO().FontGlobalScale;
  const ImVec2 ts = font->CalcTextSizeA(px, FLT_MAX, 0, t.route.c_str());
  const float pad = 7, h = ts.y + 6, w = ts.x + 2 * pad;
  const ImVec2 p1(bar_max.x - 10, (bar_min.y + bar_max.y + h) * 0.5f);
  const ImVec2 p0(p1.x - w, p1.y - h);
  // A relayed call is fine but costs the server bandwidth: it stands out a little.
  const ImU32 fg = t.route == "relay" ? color::kWarning : color::kMuted;
  dl->AddRectFilled(p0, p1, IM_COL32(255, 255, 255, 18), h * 0.5f);
  dl->AddText(font, px, ImVec2(p0.x + pad, p0.y + 3), fg, t.route.c_str());
  out.add_widget("route:" + std::to_string(t.id), p0, ImVec2(p0.x + w, p0.y + h));
  return w + 10;
}

float draw_quality_bars(FrameOut& out, const TileModel& t, ImVec2 bar_min, ImVec2 bar_max) {
  if (!t.quality) return 0;
  const int lit = *t.quality == call_stats::Quality::Good ? 3 : *t.quality == call_stats::Quality::Fair ? 2 : 1;
  const ImU32 on = lit == 3 ? color::kSuccess : lit == 2 ? color::kWarning : color::kDanger;
  constexpr float kBar = 4, kGap = 2, kHeight = 14;
  const float w = 3 * kBar + 2 * kGap;
  const ImVec2 p1(bar_max.x - 10, (bar_min.y + bar_max.y + kHeight) * 0.5f);  // bottom right
  const ImVec2 p0(p1.x - w, p1.y - kHeight);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int i = 0; i < 3; ++i) {
    const float x = p0.x + static_cast<float>(i) * (kBar + kGap);
    const float h = kHeight * static_cast<float>(i + 2) / 4;  // rising: a half, three quarters, all
    dl->AddRectFilled(ImVec2(x, p1.y - h), ImVec2(x + kBar, p1.y), i < lit ? on : IM_COL32(255, 255, 255, 40), 1);
  }
  out.add_widget("quality:" + std::to_string(t.id), p0, p1);
  return w + 10;
}

void draw_unreachable_notice(FrameOut& out, const TileModel& t, ImVec2 min, ImVec2 max) {
  if (!t.unreachable) return;
  const auto& n = *t.unreachable;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, max, IM_COL32(38, 20, 24, 235), 12, ImDrawFlags_RoundCornersTop);
  const float margin = 18, wrap = std::max(40.0f, max.x - min.x - 2 * margin);
  ImFont* body = ImGui::GetFont();
  ImFont* small = fonts().small;
  const float body_px = ImGui::GetFontSize(), small_px = small->FontSize * ImGui::GetIO().FontGlobalScale;
  struct Line { const std::string* text; ImFont* font; float px; ImU32 color; };
  const Line lines[] = {{&n.text, body, body_px, color::kText},
                        {&n.hint, small, small_px, color::kMuted},
                        {&n.trying, small, small_px, color::kMuted}};
  // Centred as a block; a tile too small for all of it shows what fits from the top.
  float total = 0;
  for (const auto& l : lines) {
    if (l.text->empty()) continue;
    out.note_text(*l.text);
    total += l.font->CalcTextSizeA(l.px, FLT_MAX, wrap, l.text->c_str()).y + 8;
  }
  float y = std::max(min.y + margin * 0.5f, (min.y + max.y - total) * 0.5f);
  dl->PushClipRect(min, max, true);
  for (const auto& l : lines) {
    if (l.text->empty()) continue;
    dl->AddText(l.font, l.px, ImVec2(min.x + margin, y), l.color, l.text->c_str(), nullptr, wrap);
    y += l.font->CalcTextSizeA(l.px, FLT_MAX, wrap, l.text->c_str()).y + 8;
  }
  dl->PopClipRect();
  out.add_widget("unreachable:" + std::to_string(t.id), min, max);
}

}  // namespace moim::ui
