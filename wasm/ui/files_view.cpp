// The call's file transfers as cards stacked over the bottom left of the tiles (those that need the
// person first: the model's order), each with name and size, to or
// from whom, a progress bar with speed and time left while bytes move, and the buttons that fit the
// transfer's state (accept / decline an offer, cancel while live, save once received and checked).
#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <string>

namespace moim::ui {

namespace {
float draw_card(FrameOut& out, const TransferView& t, ImVec2 bottom_left, float w) {
  const float line = ImGui::GetTextLineHeightWithSpacing(), pad = 12, bh = ImGui::GetFontSize() + 14;
  const bool buttons = t.can_accept || t.can_decline || t.can_cancel || t.can_save || t.can_dismiss;
  const float h = pad * 2 + line * 3 + (t.progress >= 0 ? 12 : 0) + (buttons ? bh + 8 : 0);
  const ImVec2 p(bottom_left.x, bottom_left.y - h);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), IM_COL32(27, 30, 38, 245), 10);
  dl->AddRect(p, ImVec2(p.x + w, p.y + h), t.failed ? color::kDanger : color::kBorder, 10);
  dl->PushClipRect(p, ImVec2(p.x + w, p.y + h), true);
  ImGui::SetCursorScreenPos(ImVec2(p.x + pad, p.y + pad));
  text(out, t.title, color::kText);
  ImGui::SetCursorScreenPos(ImVec2(p.x + pad, p.y + pad + line));
  text(out, t.who, color::kMuted);
  ImGui::SetCursorScreenPos(ImVec2(p.x + pad, p.y + pad + 2 * line));
  text(out, t.status, t.failed ? color::kDanger : color::kMuted);
  float y = p.y + pad + 3 * line;
  if (t.progress >= 0) {
    const float bw = w - 2 * pad;
    dl->AddRectFilled(ImVec2(p.x + pad, y + 2), ImVec2(p.x + pad + bw, y + 8), color::kField, 3);
    dl->AddRectFilled(ImVec2(p.x + pad, y + 2), ImVec2(p.x + pad + bw * std::clamp(t.progress, 0.0f, 1.0f), y + 8),
                      color::kAccent, 3);
    y += 12;
  }
  dl->PopClipRect();
  if (buttons) {
    float x = p.x + pad;
    const auto add = [&](const char* prefix, ui_text::Id text, ButtonStyle style, Intent intent) {
      const std::string id = std::string(prefix) + t.id, label = out.tr(text);
      const float bw = ImGui::CalcTextSize(label.c_str()).x + 28;
      ImGui::SetCursorScreenPos(ImVec2(x, y + 8));
      if (button(out, id.c_str(), label, style, ImVec2(bw, bh))) out.intent(std::move(intent));
      x += bw + 8;
    };
    if (t.can_accept) add("file-accept:", ui_text::Id::Accept, ButtonStyle::Primary, AcceptFile{t.id});
    if (t.can_decline) add("file-decline:", ui_text::Id::Decline, ButtonStyle::Secondary, DeclineFile{t.id});
    if (t.can_save) add("file-save:", ui_text::Id::Save, ButtonStyle::Primary, SaveFile{t.id});
    if (t.can_cancel) add("file-cancel:", ui_text::Id::Cancel, ButtonStyle::Danger, CancelFile{t.id});
    if (t.can_dismiss) add("file-dismiss:", ui_text::Id::Dismiss, ButtonStyle::Secondary, DismissFile{t.id});
  }
  return h;
}
}  // namespace

void draw_transfer_cards(FrameOut& out, const FilesModel& m, ImVec2 bottom_left, float width, int max_cards) {
  float y = bottom_left.y;
  if (!m.notice.empty()) {
    const ImVec2 ts = ImGui::CalcTextSize(m.notice.c_str(), nullptr, false, width - 24);
    const float h = ts.y + 20;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(bottom_left.x, y - h), ImVec2(bottom_left.x + width, y), IM_COL32(70, 52, 10, 235), 10);
    ImGui::SetCursorScreenPos(ImVec2(bottom_left.x + 12, y - h + 10));
    // At the card's edge (text_wrapped's own default, the window's edge, ran past it).
    text_wrapped(out, m.notice, color::kWarning, bottom_left.x + width - 12);
    y -= h + 8;
  }
  const int n = static_cast<int>(m.cards.size()), shown = std::min(n, max_cards);
  for (int i = 0; i < shown; ++i)
    y -= draw_card(out, m.cards[static_cast<std::size_t>(i)], ImVec2(bottom_left.x, y), width) + 8;
  if (n > shown) {
    const std::string more = out.tr(ui_text::Id::MoreCards, {std::to_string(n - shown)});
    ImGui::SetCursorScreenPos(ImVec2(bottom_left.x + 4, y - ImGui::GetTextLineHeightWithSpacing()));
    text(out, more, color::kMuted);
  }
}

}  // namespace moim::ui
