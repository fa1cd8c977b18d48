// The call's chat panel: the conversation (name and time over each message, text drawn as text),
// scrolled to the newest unless the reader scrolled up, and the message field with its Send button
// and its note at the length limit.
#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <string>

namespace moim::ui {

std::string chat_button_label(ui_text::Lang lang, const ChatModel& m) {
  if (m.open || m.unread == 0) return std::string(ui_text::text(lang, ui_text::Id::Chat));
  return ui_text::format(lang, ui_text::Id::ChatUnread, {m.unread > 99 ? std::string("99+") : std::to_string(m.unread)});
}

void draw_chat_panel(FrameOut& out, const ChatModel& m, ImVec2 min, ImVec2 max) {
  const SidePanelArea a = side_panel_frame(out, min, max, out.tr(ui_text::Id::Chat), out.tr(m.through_server ? ui_text::Id::ChatSubtitleLargeRoom : ui_text::Id::ChatSubtitle),
                                           "chat-close", ToggleChat{});
  const float pad = a.pad, w = a.width;

  // The message field and Send at the bottom; the note above them.
  const float field_h = ImGui::GetFontSize() + 22;
  const float note_h = m.note.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing() * 2 + 4;
  const float bottom = max.y - pad - field_h;
  const float log_top = a.header_bottom + 12;
  const float log_h = std::max(40.0f, bottom - note_h - 10 - log_top);

  ImGui::SetCursorScreenPos(ImVec2(min.x + pad, log_top));
  ImGui::BeginChild("chat-log", ImVec2(w, log_h), false);
  // At the bottom before this frame's lines (or nothing to scroll yet): stay at the bottom.
  const bool at_bottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 2;
  if (m.lines.empty()) text_wrapped(out, out.tr(ui_text::Id::NoMessages), color::kMuted);
  for (const ChatLineView& l : m.lines) {
    text(out, l.name, l.own ? color::kAccent : color::kSuccess);
    ImGui::SameLine(0, 8);
    text(out, l.time, color::kMuted);
    if (l.text) text_wrapped(out, *l.text, color::kText);
    ImGui::Dummy(ImVec2(0, 4));
  }
  if (at_bottom) ImGui::SetScrollHereY(1.0f);
  else out.chat_scrolled_up = true;
  ImGui::EndChild();

  if (!m.note.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(min.x + pad, bottom - note_h));
    ImGui::PushTextWrapPos(min.x + pad + w);
    text_wrapped(out, m.note, m.note_is_error ? color::kDanger : color::kMuted);
    ImGui::PopTextWrapPos();
  }
  const float send_w = 84;
  ImGui::SetCursorScreenPos(ImVec2(min.x + pad, bottom));
  text_field(out, m.input, w - send_w - 8);
  ImGui::SetCursorScreenPos(ImVec2(min.x + pad + w - send_w, bottom));
  if (button(out, "chat-send", out.tr(ui_text::Id::Send), ButtonStyle::Primary, ImVec2(send_w, field_h), m.can_send)) out.intent(SendChat{});
}

}  // namespace moim::ui
