// Invite links on screen: the call's "Copy invite link" button with its "Link copied" note, the
// panel that shows the link to copy by hand when the clipboard refused, and the name prompt of a
// link opened in a browser that remembers no name.
#include "ui/theme.hpp"
#include "ui/views.hpp"

#include <algorithm>
#include <string>

namespace moim::ui {

void draw_invite_button(FrameOut& out, const InviteModel& m, float bar_h) {
  if (m.link.empty()) return;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const std::string label = out.tr(ui_text::Id::CopyInvite);
  const float bw = ImGui::CalcTextSize(label.c_str()).x + 32, bh = 40;
  const float x = display.x - 24 - bw;
  ImGui::SetCursorScreenPos(ImVec2(x, (bar_h - bh) * 0.5f));
  if (button(out, "copy-invite", label, ButtonStyle::Secondary, ImVec2(bw, bh))) out.intent(CopyInviteLink{});
  if (m.copied) {
    const std::string note = out.tr(ui_text::Id::LinkCopied);
    out.note_text(note);
    const ImVec2 ts = ImGui::CalcTextSize(note.c_str());
    ImGui::GetWindowDrawList()->AddText(ImVec2(x - 14 - ts.x, (bar_h - ts.y) * 0.5f), color::kSuccess, note.c_str());
  }
}

float draw_invite_panel(FrameOut& out, const InviteModel& m, float y) {
  if (!m.failed || m.link.empty()) return y;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float w = std::min(760.0f, display.x - 48), x = (display.x - w) * 0.5f, pad = 16;
  const std::string why = out.tr(ui_text::Id::CopyFailed, {m.failure});
  out.note_text(why);
  const float wrap = w - 2 * pad;
  const float text_h = ImGui::CalcTextSize(why.c_str(), nullptr, false, wrap).y;
  const float field_h = ImGui::GetFontSize() + 22, close_w = 90;
  const float h = pad + text_h + 10 + field_h + pad;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + h), color::kPanel, 10);
  dl->AddRect(ImVec2(x, y), ImVec2(x + w, y + h), color::kWarning, 10);
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(x + pad, y + pad), color::kText, why.c_str(), nullptr,
              wrap);
  const float fy = y + pad + text_h + 10;
  ImGui::SetCursorScreenPos(ImVec2(x + pad, fy));
  text_field(out, m.link_field, wrap - close_w - 10);
  ImGui::SetCursorScreenPos(ImVec2(x + w - pad - close_w, fy));
  if (button(out, "invite-link-close", out.tr(ui_text::Id::Close), ButtonStyle::Secondary, ImVec2(close_w, field_h)))
    out.intent(CloseInvitePanel{});
  return y + h + 12;
}

void draw_invite_name_prompt(FrameOut& out, const InviteNamePromptModel& m) {
  float inner = 0;
  if (!begin_modal("##join-by-link", m.open, 460.0f, &inner)) return;
  ImGui::PushFont(fonts().title);
  text(out, out.tr(ui_text::Id::JoinByLinkTitle, {m.room_name}), color::kText);
  ImGui::PopFont();
  ImGui::Dummy(ImVec2(0, 2));
  text_wrapped(out, out.tr(ui_text::Id::InvitedText), color::kMuted);
  ImGui::Dummy(ImVec2(0, 2));
  text_field(out, m.name, inner);
  if (!m.error.empty()) {
    ImGui::Dummy(ImVec2(0, 2));
    text_wrapped(out, m.error, color::kDanger);
  }
  ImGui::Dummy(ImVec2(0, 8));
  const float bw = 120;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + inner - 2 * bw - 10);
  if (button(out, "invite-cancel", out.tr(ui_text::Id::Cancel), ButtonStyle::Secondary, ImVec2(bw, 0))) out.intent(CancelInviteName{});
  ImGui::SameLine(0, 10);
  if (button(out, "invite-join", out.tr(ui_text::Id::Join), ButtonStyle::Primary, ImVec2(bw, 0))) out.intent(ConfirmInviteName{});
  end_modal();
}

}  // namespace moim::ui
