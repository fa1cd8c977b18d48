#include "grid_pages.hpp"
#include "shortcuts.hpp"
#include "ui/theme.hpp"
#include "ui/tile_details.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace moim::ui {

namespace {
constexpr float kNameBar = 38;
constexpr float kAspect = 16.0f / 9.0f;

void mic_icon(ImDrawList* dl, ImVec2 c, float s, ImU32 col, bool off) {
  dl->AddRectFilled(ImVec2(c.x - s * 0.22f, c.y - s * 0.5f), ImVec2(c.x + s * 0.22f, c.y + s * 0.12f), col, s * 0.22f);
  dl->PathArcTo(ImVec2(c.x, c.y - s * 0.05f), s * 0.36f, 0.0f, 3.14159f, 12);
  dl->PathStroke(col, 0, s * 0.09f);
  dl->AddLine(ImVec2(c.x, c.y + s * 0.31f), ImVec2(c.x, c.y + s * 0.5f), col, s * 0.09f);
  if (off) dl->AddLine(ImVec2(c.x - s * 0.45f, c.y - s * 0.5f), ImVec2(c.x + s * 0.45f, c.y + s * 0.5f), col, s * 0.1f);
}

void camera_icon(ImDrawList* dl, ImVec2 c, float s, ImU32 col, bool off) {
  dl->AddRectFilled(ImVec2(c.x - s * 0.5f, c.y - s * 0.3f), ImVec2(c.x + s * 0.18f, c.y + s * 0.3f), col, s * 0.08f);
  dl->AddTriangleFilled(ImVec2(c.x + s * 0.22f, c.y), ImVec2(c.x + s * 0.5f, c.y - s * 0.28f),
                        ImVec2(c.x + s * 0.5f, c.y + s * 0.28f), col);
  if (off) dl->AddLine(ImVec2(c.x - s * 0.5f, c.y - s * 0.5f), ImVec2(c.x + s * 0.5f, c.y + s * 0.5f), col, s * 0.1f);
}

std::string initials(const std::string& name) {
  // First code point of the name (UTF-8), upper-cased when ASCII.
  if (name.empty()) return "?";
  const auto c = static_cast<unsigned char>(name[0]);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
  std::string s = name.substr(0, std::min(len, name.size()));
  if (len == 1 && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

void draw_tile(FrameOut& out, const TileModel& t, ImVec2 p, float w, float h) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float video_h = h - kNameBar;
  const ImVec2 vend(p.x + w, p.y + video_h);
  const bool show_video = t.camera && t.texture && t.video_w > 0 && t.video_h > 0;
  // The panel only where the video does not cover it: software GL pays for every layer of pixels.
  if (show_video) dl->AddRectFilled(ImVec2(p.x, p.y + video_h), ImVec2(p.x + w, p.y + h), color::kPanel, 12, ImDrawFlags_RoundCornersBottom);
  else dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), color::kPanel, 12);
  if (show_video) {
    // Cover the 16:9 area, cropping the video's excess; mirror our own preview like a mirror.
    const float va = static_cast<float>(t.video_w) / static_cast<float>(t.video_h);
    const float ta = w / video_h;
    ImVec2 uv0(0, 0), uv1(1, 1);
    if (va > ta) {
      const float k = ta / va;
      uv0.x = (1 - k) * 0.5f;
      uv1.x = 1 - uv0.x;
    } else {
      const float k = va / ta;
      uv0.y = (1 - k) * 0.5f;
      uv1.y = 1 - uv0.y;
    }
    if (t.self) std::swap(uv0.x, uv1.x);
    dl->AddImageRounded(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(t.texture)), p, vend, uv0, uv1,
                        IM_COL32_WHITE, 12, ImDrawFlags_RoundCornersTop);
  } else {
    dl->AddRectFilled(p, vend, IM_COL32(30, 34, 44, 255), 12, ImDrawFlags_RoundCornersTop);
    const float r = std::min(w, video_h) * 0.18f;
    const ImVec2 c(p.x + w * 0.5f, p.y + video_h * 0.45f);
    dl->AddCircleFilled(c, r, IM_COL32(79, 140, 255, 200), 48);
    const std::string ini = initials(t.name);
    out.note_text(ini);
    ImFont* f = fonts().logo;
    const float fs = std::min(r * 1.1f, f->FontSize * ImGui::GetIO().FontGlobalScale);
    const ImVec2 ts = f->CalcTextSizeA(fs, FLT_MAX, 0, ini.c_str());
    dl->AddText(f, fs, ImVec2(c.x - ts.x * 0.5f, c.y - ts.y * 0.5f), color::kText, ini.c_str());
    const std::string label = out.tr(!t.camera ? ui_text::Id::CameraOff : (t.self ? ui_text::Id::StartingCamera : ui_text::Id::Connecting));
    const ImVec2 ls = ImGui::CalcTextSize(label.c_str());
    if (!t.unreachable) {
      out.note_text(label);
      dl->AddText(ImVec2(c.x - ls.x * 0.5f, c.y + r + 10), color::kMuted, label.c_str());
    }
  }
  // Name bar under the video.
  std::string label = t.self ? out.tr(ui_text::Id::YouSuffix, {t.name}) : t.name;
  out.note_text(label);
  const float ly = p.y + video_h + (kNameBar - ImGui::GetFontSize()) * 0.5f;
  float lx = p.x + 14;
  if (!t.mic) {
    dl->AddCircleFilled(ImVec2(lx + 9, p.y + video_h + kNameBar * 0.5f), 11, color::kDanger, 24);
    mic_icon(dl, ImVec2(lx + 9, p.y + video_h + kNameBar * 0.5f), 13, color::kText, true);
    lx += 28;
  }
  // At the right of the name bar: the route, and left of it the quality bars (tile_details.cpp).
  const float route_w = draw_route_pill(out, t, ImVec2(p.x, p.y + video_h), ImVec2(p.x + w, p.y + h));
  const float bars_w = draw_quality_bars(out, t, ImVec2(p.x, p.y + video_h), ImVec2(p.x + w - route_w, p.y + h));
  dl->PushClipRect(ImVec2(p.x, p.y + video_h), ImVec2(p.x + w - 8 - route_w - bars_w, p.y + h), true);
  dl->AddText(ImVec2(lx, ly), color::kText, label.c_str());
  dl->PopClipRect();
  // Badges at the top right of the video: camera off, connection trouble.
  float bx = p.x + w - 22;
  if (!t.camera) {
    dl->AddCircleFilled(ImVec2(bx, p.y + 22), 14, IM_COL32(0, 0, 0, 150), 24);
    camera_icon(dl, ImVec2(bx, p.y + 22), 16, color::kText, true);
    bx -= 34;
  }
  // Unreachable: the notice covers the video area (tile_details.cpp), and the badge says it in one word.
  draw_unreachable_notice(out, t, p, vend);
  const std::string badge = t.unreachable ? out.tr(ui_text::Id::ConnUnreachable) : t.connected ? std::string() : t.connection;
  if (!t.self && !badge.empty()) {
    out.note_text(badge);
    const ImVec2 ts = ImGui::CalcTextSize(badge.c_str());
    dl->AddRectFilled(ImVec2(p.x + 10, p.y + 10), ImVec2(p.x + 26 + ts.x, p.y + 16 + ts.y), IM_COL32(0, 0, 0, 160), 6);
    dl->AddText(ImVec2(p.x + 18, p.y + 13), t.unreachable ? color::kDanger : color::kWarning, badge.c_str());
  }
  if (t.speaking) dl->AddRect(ImVec2(p.x - 2, p.y - 2), ImVec2(p.x + w + 2, p.y + h + 2), IM_COL32(64, 214, 120, 255), 14, 0, 4);
}
// A screen share in `min`-`max`: the whole picture, letterboxed (a screen is read, not cropped), and
// whose it is at its bottom left.
void draw_screen(FrameOut& out, const ScreenView& s, ImVec2 min, ImVec2 max) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, max, IM_COL32(12, 14, 18, 255), 10);
  const float w = max.x - min.x, h = max.y - min.y;
  if (s.texture && s.video_w > 0 && s.video_h > 0) {
    const float k = std::min(w / static_cast<float>(s.video_w), h / static_cast<float>(s.video_h));
    const float vw = static_cast<float>(s.video_w) * k, vh = static_cast<float>(s.video_h) * k;
    const ImVec2 p(min.x + (w - vw) * 0.5f, min.y + (h - vh) * 0.5f);
    dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(s.texture)), p, ImVec2(p.x + vw, p.y + vh));
  } else {
    const std::string wait = out.tr(ui_text::Id::WaitingForScreen);
    out.note_text(wait);
    const ImVec2 ts = ImGui::CalcTextSize(wait.c_str());
    dl->AddText(ImVec2(min.x + (w - ts.x) * 0.5f, min.y + (h - ts.y) * 0.5f), color::kMuted, wait.c_str());
  }
  const std::string label = s.self ? out.tr(ui_text::Id::YourScreen) : out.tr(ui_text::Id::TheirScreen, {s.name});
  out.note_text(label);
  const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
  const ImVec2 lp(min.x + 10, max.y - ts.y - 18);
  dl->PushClipRect(min, max, true);
  dl->AddRectFilled(lp, ImVec2(lp.x + ts.x + 20, lp.y + ts.y + 10), IM_COL32(0, 0, 0, 170), 6);
  dl->AddText(ImVec2(lp.x + 10, lp.y + 5), color::kText, label.c_str());
  dl->PopClipRect();
}

// The keyboard shortcuts (shared/shortcuts.hpp's table), in a window of its own over the call.
void draw_shortcuts_help(FrameOut& out, ImVec2 display) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(display);
  ImGui::Begin("##shortcuts", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground |
                                           ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float w = std::min(520.0f, display.x - 32), row = ImGui::GetFontSize() + 16;
  const float h = 84 + row * static_cast<float>(shortcuts::table().size()) + 64;
  const ImVec2 p((display.x - w) * 0.5f, (display.y - h) * 0.5f);
  dl->AddRectFilled(ImVec2(0, 0), display, IM_COL32(0, 0, 0, 120));
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), color::kPanel, 14);
  const std::string title = out.tr(ui_text::Id::KeyboardShortcuts);
  out.note_text(title);
  dl->AddText(ImVec2(p.x + 28, p.y + 26), color::kText, title.c_str());
  float y = p.y + 72;
  for (const shortcuts::Entry& e : shortcuts::table()) {
    const std::string what = out.tr(e.what);
    out.note_text(e.key);
    out.note_text(what);
    const ImVec2 ks = ImGui::CalcTextSize(e.key.data(), e.key.data() + e.key.size());
    const float kw = std::max(ks.x + 20, 34.0f);
    dl->AddRectFilled(ImVec2(p.x + 28, y - 4), ImVec2(p.x + 28 + kw, y + ks.y + 4), IM_COL32(48, 54, 68, 255), 6);
    dl->AddText(ImVec2(p.x + 28 + (kw - ks.x) * 0.5f, y), color::kText, e.key.data(), e.key.data() + e.key.size());
    dl->AddText(ImVec2(p.x + 90, y), color::kMuted, what.c_str());
    y += row;
  }
  out.add_widget("shortcuts-help", p, ImVec2(p.x + w, p.y + h));
  ImGui::SetCursorScreenPos(ImVec2(p.x + w - 124, p.y + h - 56));
  if (button(out, "shortcuts-close", out.tr(ui_text::Id::Close), ButtonStyle::Secondary, ImVec2(96, 40))) out.intent(CloseShortcutsHelp{});
  ImGui::End();
}

std::string screen_widget(const char* prefix, const ScreenView& s) {
  return std::string(prefix) + (s.self ? std::string("self") : std::to_string(s.peer));
}

// A strip of `screens` (a click shows one large) then `tiles`, at the bottom of `min`-`max`, `strip_h`
// high; what does not fit is counted in its last place.
void draw_strip(FrameOut& out, const std::vector<const ScreenView*>& screens, const std::vector<const TileModel*>& tiles,
                ImVec2 min, ImVec2 max, float strip_h, float gap, bool people_open) {
  const float avail_w = max.x - min.x;
  const float item_w = (strip_h - kNameBar) * kAspect;
  const std::size_t items = screens.size() + tiles.size();
  if (items == 0) return;
  const std::size_t fit = std::max<std::size_t>(1, static_cast<std::size_t>((avail_w + gap) / (item_w + gap)));
  const std::size_t shown = items <= fit ? items : fit - 1;  // the last place says how many more
  const float row_w = static_cast<float>(std::min(items, fit)) * (item_w + gap) - gap;
  float x = min.x + std::max(0.0f, (avail_w - row_w) * 0.5f);
  const float y = max.y - strip_h;
  for (std::size_t i = 0; i < shown; ++i, x += item_w + gap) {
    if (i < screens.size()) {
      const ScreenView& sv = *screens[i];
      const ImVec2 a(x, y), b(x + item_w, y + strip_h);
      draw_screen(out, sv, a, b);
      const std::string id = screen_widget("show-screen:", sv);
      ImGui::SetCursorScreenPos(a);
      if (ImGui::InvisibleButton(id.c_str(), ImVec2(item_w, strip_h))) out.intent(ShowScreen{sv.peer, sv.self});
      out.add_widget(id, a, b);
      continue;
    }
    const TileModel& t = *tiles[i - screens.size()];
    draw_tile(out, t, ImVec2(x, y), item_w, strip_h);
    out.add_widget(t.self ? std::string("tile:self") : "tile:" + std::to_string(t.id), ImVec2(x, y),
                   ImVec2(x + item_w, y + strip_h - kNameBar));
  }
  if (shown < items) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(x, y), ImVec2(x + item_w, y + strip_h), color::kPanel, 12);
    const std::string more = "+" + std::to_string(items - shown);
    out.note_text(more);
    const ImVec2 ts = ImGui::CalcTextSize(more.c_str());
    dl->AddText(ImVec2(x + (item_w - ts.x) * 0.5f, y + (strip_h - ts.y) * 0.5f), color::kText, more.c_str());
    // Everyone not in the strip is in the participant panel: the "+N" opens it.
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    if (ImGui::InvisibleButton("strip-more", ImVec2(item_w, strip_h)) && !people_open) out.intent(TogglePeople{});
    out.add_widget("strip-more", ImVec2(x, y), ImVec2(x + item_w, y + strip_h));
  }
}

float strip_height(float avail_h) { return std::clamp(avail_h * 0.24f, 90.0f, 180.0f); }

// The presenter layout in `min`-`max`: the first screen large, the other screens and the camera
// tiles in the strip under it.
void draw_presenter(FrameOut& out, const CallModel& m, ImVec2 min, ImVec2 max, float gap) {
  const float strip_h = strip_height(max.y - min.y);
  const ImVec2 stage_max(max.x, max.y - strip_h - gap);
  draw_screen(out, m.screens.front(), min, stage_max);
  out.add_widget(screen_widget("screen:", m.screens.front()), min, stage_max);
  std::vector<const ScreenView*> screens;
  for (std::size_t i = 1; i < m.screens.size(); ++i) screens.push_back(&m.screens[i]);
  std::vector<const TileModel*> tiles;
  for (const TileModel& t : m.tiles) tiles.push_back(&t);
  draw_strip(out, screens, tiles, min, max, strip_h, gap, m.people.open);
}

// The speaker view in `min`-`max`: `large`'s tile as big as fits (16:9 over its name bar), the
// others in the strip.
void draw_speaker_view(FrameOut& out, const CallModel& m, const TileModel& large, ImVec2 min, ImVec2 max, float gap) {
  const float strip_h = strip_height(max.y - min.y);
  const float stage_h = max.y - min.y - strip_h - gap;
  const float w = std::min(max.x - min.x, (stage_h - kNameBar) * kAspect), h = w / kAspect + kNameBar;
  const ImVec2 p(min.x + (max.x - min.x - w) * 0.5f, min.y + (stage_h - h) * 0.5f);
  draw_tile(out, large, p, w, h);
  out.add_widget(large.self ? std::string("tile:self") : "tile:" + std::to_string(large.id), p, ImVec2(p.x + w, p.y + h - kNameBar));
  out.add_widget("speaker-stage", p, ImVec2(p.x + w, p.y + h));
  std::vector<const TileModel*> tiles;
  for (const TileModel& t : m.tiles)
    if (&t != &large) tiles.push_back(&t);
  draw_strip(out, {}, tiles, min, max, strip_h, gap, m.people.open);
}
}  // namespace

namespace {
// The grid's smallest tile: more people than fit at this width go on pages (issue 15 item 3),
// turned with the pager under the grid.
constexpr float kMinGridTileW = 192;
constexpr float kPagerH = 40;

// How many tiles of at least kMinGridTileW fit in `avail`.
int grid_capacity(float avail_w, float avail_h, float gap) {
  const float min_h = kMinGridTileW / kAspect + kNameBar;
  const int cols = std::max(1, static_cast<int>(std::floor((avail_w + gap) / (kMinGridTileW + gap))));
  const int rows = std::max(1, static_cast<int>(std::floor((avail_h + gap) / (min_h + gap))));
  return cols * rows;
}

// Under a paged grid, centred at `y`: Previous, "page / pages", Next.
void draw_pager(FrameOut& out, const grid_pages::Page& page, float center_x, float y) {
  using ui_text::Id;
  const std::string where = std::to_string(page.index + 1) + " / " + std::to_string(page.count);
  const std::string prev = out.tr(Id::GridPrevious), next = out.tr(Id::GridNext);
  const float bw = std::max(ImGui::CalcTextSize(prev.c_str()).x, ImGui::CalcTextSize(next.c_str()).x) + 36;
  const float label_w = ImGui::CalcTextSize(where.c_str()).x + 32;
  float x = center_x - (2 * bw + label_w) * 0.5f;
  ImGui::SetCursorScreenPos(ImVec2(x, y));
  if (button(out, "grid-prev", prev, ButtonStyle::Secondary, ImVec2(bw, kPagerH), page.index > 0))
    out.intent(ShowGridPage{page.index - 1});
  x += bw;
  const float ty = y + (kPagerH - ImGui::GetFontSize()) * 0.5f;
  ImGui::SetCursorScreenPos(ImVec2(x + 16, ty));
  text(out, where, color::kMuted);
  out.add_widget("grid-page", ImVec2(x, y), ImVec2(x + label_w, y + kPagerH), where);
  ImGui::SetCursorScreenPos(ImVec2(x + label_w, y));
  if (button(out, "grid-next", next, ButtonStyle::Secondary, ImVec2(bw, kPagerH), page.index + 1 < page.count))
    out.intent(ShowGridPage{page.index + 1});
}
}  // namespace

GridLayout layout_grid(int count, float avail_w, float avail_h, float gap) {
  GridLayout best;
  count = std::max(count, 1);
  for (int cols = 1; cols <= count; ++cols) {
    const int rows = (count + cols - 1) / cols;
    const float by_w = (avail_w - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    const float by_h = ((avail_h - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows) - kNameBar) * kAspect;
    const float w = std::max(0.0f, std::min(by_w, by_h));
    if (w > best.tile_w) best = {cols, rows, w, w / kAspect + kNameBar};
  }
  return best;
}

void draw_call(FrameOut& out, const CallModel& m) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // Top bar.
  const float top = 64;
  dl->AddRectFilled(ImVec2(0, 0), ImVec2(display.x, top), IM_COL32(22, 25, 32, 255));
  ImGui::SetCursorScreenPos(ImVec2(24, (top - fonts().title_px) * 0.5f));
  ImGui::PushFont(fonts().title);
  text(out, m.room.name, color::kText);
  ImGui::PopFont();
  // A narrow window (a phone): the room's name and the invite button only; the layout switch is in
  // the control bar's menu, the count in the participant panel.
  const bool narrow = display.x < 720;
  if (!narrow) {
    ImGui::SameLine(0, 16);
    ImGui::SetCursorPosY((top - ImGui::GetFontSize()) * 0.5f + 2);
    const std::string people = out.tr(m.tiles.size() == 1 ? ui_text::Id::PeopleCountOne : ui_text::Id::PeopleCountMany,
                                     {std::to_string(m.tiles.size()), std::to_string(m.room.capacity)});
    text(out, people, color::kMuted);
    // The layout: the grid, or the active speaker large (a screen shared is always large).
    ImGui::SameLine(0, 20);
    ImGui::SetCursorPosY((top - 36) * 0.5f);
    if (button(out, "layout-toggle", out.tr(m.speaker_view ? ui_text::Id::GridView : ui_text::Id::SpeakerView), ButtonStyle::Secondary, ImVec2(0, 36)))
      out.intent(ToggleLayout{});
  }
  draw_invite_button(out, m.invite, top);

  float y = top + 16;
  if (!m.status.empty()) {
    // Connection trouble: the call goes on (video is browser to browser), the banner says so.
    const ImVec2 ts = ImGui::CalcTextSize(m.status.c_str());
    const float w = ts.x + 48, h = ts.y + 20;
    const ImVec2 p((display.x - w) * 0.5f, y);
    dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), IM_COL32(70, 52, 10, 235), 8);
    out.note_text(m.status);
    dl->AddText(ImVec2(p.x + 24, p.y + 10), color::kWarning, m.status.c_str());
    out.add_widget("reconnecting-banner", p, ImVec2(p.x + w, p.y + h));
    y += h + 10;
  }
  if (!m.error.empty()) {
    const float w = std::min(760.0f, display.x - 48);
    ImGui::SetCursorScreenPos(ImVec2((display.x - w) * 0.5f, y));
    error_banner(out, m.error, w);
    y = ImGui::GetCursorScreenPos().y;
  }
  y = draw_invite_panel(out, m.invite, y);
  if (m.sound_blocked) {
    // The browser would not play sound before a gesture: one click on this turns it on.
    const std::string label = out.tr(ui_text::Id::ClickForSound);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const float w = ts.x + 64, h = ts.y + 24;
    ImGui::SetCursorScreenPos(ImVec2((display.x - w) * 0.5f, y));
    if (button(out, "enable-sound", label, ButtonStyle::Primary, ImVec2(w, h))) out.intent(EnableSound{});
    y += h + 10;
  }

  // The chat panel at the right, between the bars: beside the tiles on a wide screen, over them on a
  // narrow one.
  const float bottom = 88, gap = 14, margin = 24;
  const bool side_panel = m.chat.open || m.people.open || m.stats.open || m.devices.open;
  const float panel_w = side_panel ? (narrow ? display.x : std::min(380.0f, display.x * 0.38f)) : 0;
  const float tiles_right = narrow ? display.x : display.x - panel_w;
  // Grid of tiles between the bars; with a screen shared, the presenter layout there instead.
  const float avail_w = tiles_right - 2 * margin, avail_h = display.y - y - bottom - 8;
  // The speaker view shows the active speaker, or until anyone spoke, the first other person.
  const TileModel* speaker = nullptr;
  if (m.speaker_view && m.screens.empty() && m.tiles.size() > 1) {
    for (const TileModel& t : m.tiles)
      if (!t.self && (m.active_speaker ? t.id == *m.active_speaker : !speaker)) speaker = &t;
  }
  const ImVec2 area_min(margin, y), area_max(tiles_right - margin, y + avail_h);
  if (!m.screens.empty()) draw_presenter(out, m, area_min, area_max, gap);
  else if (speaker) draw_speaker_view(out, m, *speaker, area_min, area_max, gap);
  const int all = m.screens.empty() && !speaker ? static_cast<int>(m.tiles.size()) : 0;
  // More people than fit: pages, the pager under them, the active speaker on whichever is shown.
  const bool paged = all > grid_capacity(avail_w, avail_h, gap);
  const float grid_avail_h = paged ? avail_h - kPagerH - gap : avail_h;
  std::optional<int> speaking_tile;
  for (std::size_t i = 0; i < m.tiles.size(); ++i)
    if (!m.tiles[i].self && m.active_speaker == m.tiles[i].id) speaking_tile = static_cast<int>(i);
  const grid_pages::Page page =
      grid_pages::paginate(all, paged ? grid_capacity(avail_w, grid_avail_h, gap) : all, m.grid_page, speaking_tile);
  const int n = static_cast<int>(page.tiles.size());
  const GridLayout g = layout_grid(n, avail_w, grid_avail_h, gap);
  const float grid_h = static_cast<float>(g.rows) * g.tile_h + static_cast<float>(g.rows - 1) * gap;
  const float y0 = y + std::max(0.0f, (grid_avail_h - grid_h) * 0.5f);
  for (int i = 0; i < n; ++i) {
    const int row = i / g.columns, col = i % g.columns;
    const int in_row = std::min(g.columns, n - row * g.columns);
    const float row_w = static_cast<float>(in_row) * g.tile_w + static_cast<float>(in_row - 1) * gap;
    const float x = (tiles_right - row_w) * 0.5f + static_cast<float>(col) * (g.tile_w + gap);
    const float ty = y0 + static_cast<float>(row) * (g.tile_h + gap);
    const TileModel& t = m.tiles[static_cast<std::size_t>(page.tiles[static_cast<std::size_t>(i)])];
    draw_tile(out, t, ImVec2(x, ty), g.tile_w, g.tile_h);
    out.add_widget(t.self ? std::string("tile:self") : "tile:" + std::to_string(t.id), ImVec2(x, ty),
                   ImVec2(x + g.tile_w, ty + g.tile_h - kNameBar));
  }
  if (paged) draw_pager(out, page, tiles_right * 0.5f, y0 + grid_h + gap);

  // Transfers over the tiles' bottom left; then the side panel (one at a time: chat, people or stats).
  draw_transfer_cards(out, m.files, ImVec2(margin, display.y - bottom - 12), std::min(380.0f, tiles_right - 2 * margin), 4);
  if (m.chat.open) draw_chat_panel(out, m.chat, ImVec2(display.x - panel_w, top), ImVec2(display.x, display.y - bottom));
  else if (m.people.open)
    draw_people_panel(out, m.people, ImVec2(display.x - panel_w, top), ImVec2(display.x, display.y - bottom));
  else if (m.stats.open)
    draw_stats_panel(out, m.stats, ImVec2(display.x - panel_w, top), ImVec2(display.x, display.y - bottom));
  else if (m.devices.open)
    draw_devices_panel(out, m.devices, ImVec2(display.x - panel_w, top), ImVec2(display.x, display.y - bottom));

  draw_control_bar(out, m, display.y - bottom, /*layout_in_menu=*/narrow);

  if (m.shortcuts_help) draw_shortcuts_help(out, display);
}

}  // namespace moim::ui
