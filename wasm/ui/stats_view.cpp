// The connection stats panel: per peer, its name, quality and what is known of its video and route,
// then a plot per figure (bitrate in and out, round trip, loss, frames per second) over the last
// minute, drawn with lines on the draw list: the newest second at the right edge, a gap where no
// figure was known or no poll came.
#include "ui/theme.hpp"
#include "ui/views.hpp"
#include "view_text.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace moim::ui {

namespace {

using call_stats::Metric;

constexpr double kWindowMs = 60000;  // the plots' width: the history's minute
// Two points further apart than this are not joined: a poll was missed or the counters restarted.
constexpr double kJoinMs = 2500;

struct Look {
  ui_text::Id label;
  ImU32 color;
  double min_top;  // the scale's top at least (a quiet line stays near the bottom, not full height)
};
Look look(Metric m) {
  switch (m) {
    case Metric::KbpsIn: return {ui_text::Id::MetricIn, color::kAccent, 100};
    case Metric::KbpsOut: return {ui_text::Id::MetricOut, color::kSuccess, 100};
    case Metric::RttMs: return {ui_text::Id::MetricRtt, color::kWarning, 100};
    case Metric::LossPct: return {ui_text::Id::MetricLoss, color::kDanger, 5};
    case Metric::Fps: return {ui_text::Id::MetricFps, IM_COL32(190, 140, 255, 255), 30};
  }
  return {ui_text::Id::None, color::kText, 1};
}

// The smallest of 1, 2, 3, 5 times a power of ten at or above `v`: a scale a person reads at a glance.
double nice_top(double v) {
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (const double k : {1.0, 2.0, 3.0, 5.0, 10.0})
    if (k * p >= v) return k * p;
  return 10 * p;
}

ImU32 quality_color(call_stats::Quality q) {
  return q == call_stats::Quality::Good ? color::kSuccess : q == call_stats::Quality::Fair ? color::kWarning : color::kDanger;
}

// Small text on the draw list, noted for the font atlas.
void small_text(FrameOut& out, ImDrawList* dl, ImVec2 at, ImU32 col, const std::string& s) {
  out.note_text(s);
  ImFont* f = fonts().small;
  dl->AddText(f, f->FontSize * ImGui::GetIO().FontGlobalScale, at, col, s.c_str());
}
float small_width(const std::string& s) {
  ImFont* f = fonts().small;
  return f->CalcTextSizeA(f->FontSize * ImGui::GetIO().FontGlobalScale, FLT_MAX, 0, s.c_str()).x;
}

void draw_plot(FrameOut& out, const StatsPeerView& p, std::size_t index, ImVec2 a, ImVec2 b) {
  const Metric metric = call_stats::kAllMetrics[index];
  const Look l = look(metric);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(a, b, color::kField, 6);
  const float small_px = fonts().small->FontSize * ImGui::GetIO().FontGlobalScale;
  small_text(out, dl, ImVec2(a.x + 8, a.y + 5), l.color, out.tr(l.label));
  const std::string& now = p.figures[index];
  small_text(out, dl, ImVec2(b.x - 8 - small_width(now), a.y + 5), color::kText, now);
  out.add_widget("stats-plot:" + std::to_string(p.id) + ":" + std::string(call_stats::key(metric)), a, b);

  const float left = a.x + 8, right = b.x - 8, top = a.y + small_px + 12, bottom = b.y - 6;
  const call_stats::History* h = p.history;
  if (!h || h->empty()) {
    const char* wait = "\xE2\x80\xA6";
    small_text(out, dl, ImVec2(left, top), color::kMuted, wait);
    return;
  }
  const double latest = h->back().at_ms;
  double highest = l.min_top;
  for (std::size_t i = 0; i < h->size(); ++i)
    if (const auto v = (*h)[i].value(metric); v && latest - (*h)[i].at_ms <= kWindowMs) highest = std::max(highest, *v);
  const double scale_top = nice_top(highest);
  // The scale: its top as a faint line with its figure, and the zero line.
  dl->AddLine(ImVec2(left, top), ImVec2(right, top), IM_COL32(255, 255, 255, 20));
  dl->AddLine(ImVec2(left, bottom), ImVec2(right, bottom), IM_COL32(255, 255, 255, 40));
  small_text(out, dl, ImVec2(left + 2, top + 1), IM_COL32(150, 158, 172, 150), view_text::stats_figure(metric, scale_top));
  const auto x_of = [&](double at) { return right - static_cast<float>((latest - at) / kWindowMs) * (right - left); };
  const auto y_of = [&](double v) {
    return bottom - static_cast<float>(std::clamp(v / scale_top, 0.0, 1.0)) * (bottom - top);
  };
  const ImU32 fill = (l.color & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 50);
  dl->PushClipRect(ImVec2(left, top - 2), ImVec2(right + 3, bottom + 1), true);
  for (std::size_t i = 1; i < h->size(); ++i) {
    const call_stats::Point &p0 = (*h)[i - 1], &p1 = (*h)[i];
    const auto v0 = p0.value(metric), v1 = p1.value(metric);
    if (!v0 || !v1 || p1.at_ms - p0.at_ms > kJoinMs || latest - p0.at_ms > kWindowMs) continue;
    const ImVec2 q0(x_of(p0.at_ms), y_of(*v0)), q1(x_of(p1.at_ms), y_of(*v1));
    dl->AddQuadFilled(q0, q1, ImVec2(q1.x, bottom), ImVec2(q0.x, bottom), fill);
    dl->AddLine(q0, q1, l.color, 2);
  }
  if (const auto v = h->back().value(metric)) dl->AddCircleFilled(ImVec2(right, y_of(*v)), 3, l.color, 12);
  dl->PopClipRect();
}

}  // namespace

void draw_stats_panel(FrameOut& out, const StatsModel& m, ImVec2 min, ImVec2 max) {
  out.add_widget("stats-panel", min, max);
  const SidePanelArea a = side_panel_frame(out, min, max, out.tr(ui_text::Id::StatsTitle), out.tr(ui_text::Id::StatsSubtitle),
                                           "stats-close", ToggleStats{});
  const float pad = a.pad, top = a.header_bottom + 12;
  ImGui::SetCursorScreenPos(ImVec2(min.x + pad, top));
  ImGui::BeginChild("stats-list", ImVec2(a.width, max.y - pad - top), false);
  const float w = ImGui::GetContentRegionAvail().x;  // less the scroll bar when there is one
  if (m.peers.empty()) text(out, out.tr(ui_text::Id::NobodyElse), color::kMuted);
  const float gap = 8, plot_w = (w - gap) * 0.5f, plot_h = 58;
  for (const StatsPeerView& p : m.peers) {
    ImGui::PushID(static_cast<int>(p.id));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 row = ImGui::GetCursorScreenPos();
    // The name, the verdict in a word at the right, what is known under it.
    const auto quality_word = [&](call_stats::Quality q) {
      return out.tr(q == call_stats::Quality::Good ? ui_text::Id::QualityGood
                    : q == call_stats::Quality::Fair ? ui_text::Id::QualityFair
                                                     : ui_text::Id::QualityPoor);
    };
    const std::string verdict = p.quality ? quality_word(*p.quality) : std::string();
    const float verdict_w = verdict.empty() ? 0 : small_width(verdict) + 8;
    ImGui::PushClipRect(row, ImVec2(row.x + w - verdict_w, row.y + 200), true);
    text(out, p.name, color::kText);
    ImGui::PopClipRect();
    if (p.quality) small_text(out, dl, ImVec2(row.x + w - verdict_w + 8, row.y + 3), quality_color(*p.quality), verdict);
    float y = row.y + ImGui::GetTextLineHeightWithSpacing();
    if (!p.details.empty()) {
      small_text(out, dl, ImVec2(row.x, y), color::kMuted, p.details);
      y += fonts().small->FontSize * ImGui::GetIO().FontGlobalScale + 8;
    }
    y += 4;
    for (std::size_t i = 0; i < call_stats::kMetrics; ++i) {
      const float x = row.x + static_cast<float>(i % 2) * (plot_w + gap);
      const float py = y + static_cast<float>(i / 2) * (plot_h + gap);
      const bool alone = i + 1 == call_stats::kMetrics && i % 2 == 0;  // the last of an odd count: the full width
      draw_plot(out, p, i, ImVec2(x, py), ImVec2(alone ? row.x + w : x + plot_w, py + plot_h));
    }
    const float rows = static_cast<float>((call_stats::kMetrics + 1) / 2);
    ImGui::SetCursorScreenPos(ImVec2(row.x, y + rows * (plot_h + gap) + 14));
    ImGui::Dummy(ImVec2(w, 0));
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace moim::ui
