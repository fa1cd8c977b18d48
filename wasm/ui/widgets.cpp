#include "ui/widgets.hpp"

#include "ui/glyph_cache.hpp"
#include "ui/theme.hpp"

#include <imgui_internal.h>

#include <algorithm>

namespace moim::ui {

void FrameOut::record(std::string id, std::string label) {
  // A window measuring itself on its first frame is not on screen yet: its items are not clickable.
  const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
  if (window && (window->Hidden || window->HiddenFramesCannotSkipItems > 0 || window->HiddenFramesCanSkipItems > 0))
    return;
  add_widget(std::move(id), ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), std::move(label));
}

void FrameOut::add_widget(std::string id, ImVec2 min, ImVec2 max, std::string label) {
  // What a person can click is what is drawn: clip to the window (a scrolled child clips its rows).
  if (const ImGuiWindow* window = ImGui::GetCurrentWindowRead()) {
    const ImRect clip = window->ClipRect;
    min = ImVec2(std::max(min.x, clip.Min.x), std::max(min.y, clip.Min.y));
    max = ImVec2(std::min(max.x, clip.Max.x), std::min(max.y, clip.Max.y));
  }
  if (max.x - min.x < 1 || max.y - min.y < 1) return;
  widgets.push_back({std::move(id), min.x, min.y, max.x - min.x, max.y - min.y, std::move(label)});
}

void FrameOut::note_text(std::string_view text) {
  if (glyphs) glyphs->note(text);
  // Kept for the test surface; bounded, so a long chat or room list costs a frame little.
  constexpr std::size_t kMaxTexts = 512;
  if (!text.empty() && texts.size() < kMaxTexts) texts.emplace_back(text);
}

void text(FrameOut& out, std::string_view s, ImU32 color) {
  out.note_text(s);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  ImGui::PopStyleColor();
}

void text_wrapped(FrameOut& out, std::string_view s, ImU32 color, float wrap_x) {
  out.note_text(s);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::PushTextWrapPos(wrap_x);
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void text_field(FrameOut& out, const FieldView& f, float width) {
  const float height = ImGui::GetFontSize() + 2 * 11.0f;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::PushID(f.widget_id);
  const bool clicked = ImGui::InvisibleButton("##field", ImVec2(width, height));
  const bool hovered = ImGui::IsItemHovered();
  const std::size_t recorded = out.widgets.size();
  out.record(f.widget_id, f.hint);
  if (out.widgets.size() > recorded) out.field_rects[f.id] = out.widgets.back();
  ImGui::PopID();
  if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_TextInput);

  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(pos.x + width, pos.y + height);
  dl->AddRectFilled(pos, end, color::kField, 8);
  dl->AddRect(pos, end, f.focused ? color::kAccent : (hovered ? color::kMuted : color::kBorder), 8, 0,
              f.focused ? 2.0f : 1.0f);
  // While focused the DOM overlay shows the text (with the IME's composition); don't draw it twice.
  if (!f.focused && f.masked && f.value && !f.value->empty()) {
    // A password: one dot per character, never the text.
    const std::size_t n = proto::is_valid_utf8(*f.value) ? proto::utf8_length(*f.value) : f.value->size();
    const float r = 4.0f, step = 13.0f, cy = pos.y + height * 0.5f;
    dl->PushClipRect(pos, end, true);
    for (std::size_t i = 0; i < n && 14 + i * step < width; ++i)
      dl->AddCircleFilled(ImVec2(pos.x + 14 + static_cast<float>(i) * step, cy), r, color::kText);
    dl->PopClipRect();
  } else if (!f.focused) {
    const bool empty = !f.value || f.value->empty();
    const std::string_view shown = empty ? std::string_view(f.hint) : std::string_view(*f.value);
    out.note_text(shown);
    const ImVec2 text_pos(pos.x + 10, pos.y + (height - ImGui::GetFontSize()) * 0.5f);
    dl->PushClipRect(pos, end, true);
    dl->AddText(text_pos, empty ? color::kMuted : color::kText, shown.data(), shown.data() + shown.size());
    dl->PopClipRect();
  }
  if (clicked && !f.focused) out.intent(FocusField{f.id});
}

void hover_tooltip(FrameOut& out, const std::string& text) {
  if (!ImGui::IsItemHovered()) return;
  out.note_text(text);
  out.tooltip = text;
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(text.c_str());
  ImGui::EndTooltip();
}

bool button(FrameOut& out, const char* widget_id, std::string_view label, ButtonStyle style, ImVec2 size,
            bool enabled) {
  out.note_text(label);
  ImGui::PushID(widget_id);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 text_size = ImGui::CalcTextSize(label.data(), label.data() + label.size());
  if (size.x <= 0) size.x = text_size.x + 32;
  if (size.y <= 0) size.y = ImGui::GetFontSize() + 20;
  const bool pressed = ImGui::InvisibleButton("##button", size) && enabled;
  const bool hovered = ImGui::IsItemHovered() && enabled;
  const bool held = ImGui::IsItemActive() && enabled;
  out.record(widget_id, std::string(label));
  ImGui::PopID();
  if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);

  ImU32 bg = color::kPanelHover, fg = color::kText, border = 0;
  switch (style) {
    case ButtonStyle::Primary: bg = hovered ? color::kAccentHover : color::kAccent; break;
    case ButtonStyle::Danger: bg = hovered ? color::kDangerHover : color::kDanger; break;
    case ButtonStyle::Secondary:
    case ButtonStyle::Toggle:
      bg = hovered ? IM_COL32(48, 54, 68, 255) : IM_COL32(38, 43, 55, 255);
      border = color::kBorder;
      break;
  }
  if (!enabled) {
    bg = IM_COL32(38, 42, 52, 255);
    fg = color::kMuted;
  }
  if (held) bg = (bg & 0x00FFFFFF) | 0xD0000000;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(pos.x + size.x, pos.y + size.y);
  dl->AddRectFilled(pos, end, bg, 8);
  if (border) dl->AddRect(pos, end, border, 8);
  dl->AddText(ImVec2(pos.x + (size.x - text_size.x) * 0.5f, pos.y + (size.y - text_size.y) * 0.5f), fg,
              label.data(), label.data() + label.size());
  return pressed;
}

bool begin_modal(const char* popup, bool open, float width, float* inner) {
  const bool open_in_imgui = ImGui::IsPopupOpen(popup);
  if (open && !open_in_imgui) ImGui::OpenPopup(popup);
  if (!open && !open_in_imgui) return false;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float w = std::min(width, display.x - 32);
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.42f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(w, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(28, 24));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize;
  if (!ImGui::BeginPopupModal(popup, nullptr, flags)) {
    ImGui::PopStyleVar();
    return false;
  }
  if (!open) {
    ImGui::CloseCurrentPopup();
    end_modal();
    return false;
  }
  *inner = w - 56;
  return true;
}

void end_modal() {
  ImGui::EndPopup();
  ImGui::PopStyleVar();
}

void error_banner(FrameOut& out, std::string_view message, float width) {
  out.note_text(message);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float wrap = width - 80;
  const ImVec2 ts = ImGui::CalcTextSize(message.data(), message.data() + message.size(), false, wrap);
  const float h = ts.y + 24;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(pos, ImVec2(pos.x + width, pos.y + h), IM_COL32(70, 24, 28, 255), 10);
  dl->AddRect(pos, ImVec2(pos.x + width, pos.y + h), color::kDanger, 10);
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(pos.x + 16, pos.y + 12), color::kText, message.data(),
              message.data() + message.size(), wrap);
  ImGui::SetCursorScreenPos(ImVec2(pos.x + width - 44, pos.y + (h - 32) * 0.5f));
  if (button(out, "dismiss-error", "\xC3\x97", ButtonStyle::Secondary, ImVec2(32, 32))) out.intent(DismissError{});
  ImGui::SetCursorScreenPos(ImVec2(pos.x, pos.y + h + 12));
  ImGui::Dummy(ImVec2(0, 0));
}

SidePanelArea side_panel_frame(FrameOut& out, ImVec2 min, ImVec2 max, std::string_view title,
                               std::string_view subtitle, const char* close_id, const Intent& on_close) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, max, color::kPanel);
  dl->AddLine(min, ImVec2(min.x, max.y), color::kBorder);
  SidePanelArea a;
  a.width = max.x - min.x - 2 * a.pad;
  const float line_h = ImGui::GetTextLineHeightWithSpacing();
  ImGui::SetCursorScreenPos(ImVec2(min.x + a.pad, min.y + a.pad));
  text(out, title, color::kText);
  const int lines = subtitle.empty() ? 1 : 2;
  if (!subtitle.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(min.x + a.pad, min.y + a.pad + line_h));
    text(out, subtitle, color::kMuted);
  }
  ImGui::SetCursorScreenPos(ImVec2(max.x - a.pad - 70, min.y + a.pad - 8));
  if (button(out, close_id, out.tr(ui_text::Id::Close), ButtonStyle::Secondary, ImVec2(70, 0))) out.intent(on_close);
  a.header_bottom = min.y + a.pad + static_cast<float>(lines) * line_h;
  return a;
}

}  // namespace moim::ui
