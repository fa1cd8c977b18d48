#include "ui/theme.hpp"
#include "ui/views.hpp"

#include "protocol.hpp"
#include "room_search.hpp"

#include <imgui_internal.h>  // ImHashStr

#include <algorithm>
#include <string>

namespace moim::ui {

namespace {
void header(FrameOut& out, const LobbyModel& m, float x0, float width) {
  using ui_text::Id;
  ImGui::SetCursorScreenPos(ImVec2(x0, 36));
  ImGui::PushFont(fonts().logo);
  text(out, out.tr(Id::AppName), color::kText);
  ImGui::PopFont();
  ImGui::SameLine(0, 14);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 14);
  // At the right: the language button (the other language, named in its own words), and left of it
  // the connection status; the tagline gives way to them in a narrow window.
  const float right = x0 + width;
  const std::string language = out.tr(Id::SwitchLanguage);
  ImGui::PushFont(fonts().small);
  const float lang_w = ImGui::CalcTextSize(language.c_str()).x + 24, lang_h = 30;
  const ImVec2 back = ImGui::GetCursorScreenPos();
  ImGui::SetCursorScreenPos(ImVec2(right - lang_w, 44));
  if (button(out, "language-toggle", language, ButtonStyle::Secondary, ImVec2(lang_w, lang_h))) out.intent(ToggleLanguage{});
  ImGui::PopFont();
  hover_tooltip(out, out.tr(Id::SwitchLanguageTip));
  ImGui::SetCursorScreenPos(back);
  const float status_right = right - lang_w - 16;
  const ImVec2 ts = ImGui::CalcTextSize(m.status.c_str());
  const float y = 52;
  ImGui::PushClipRect(ImVec2(x0, 0), ImVec2(status_right - ts.x - 30, 200), true);
  text(out, out.tr(Id::Tagline), color::kMuted);
  ImGui::PopClipRect();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddCircleFilled(ImVec2(status_right - ts.x - 14, y + ts.y * 0.5f), 5, m.connected ? color::kSuccess : color::kWarning);
  out.note_text(m.status);
  dl->AddText(ImVec2(status_right - ts.x, y), color::kMuted, m.status.c_str());
}
void draw_preview(FrameOut& out, const LobbyModel& m, ImVec2 p, ImVec2 size) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(p.x + size.x, p.y + size.y);
  if (m.preview_texture && m.preview_w > 0 && m.preview_h > 0) {
    // Cover the card, cropping the excess; mirrored like a mirror.
    const float va = static_cast<float>(m.preview_w) / static_cast<float>(m.preview_h), ta = size.x / size.y;
    ImVec2 uv0(0, 0), uv1(1, 1);
    if (va > ta) uv0.x = (1 - ta / va) * 0.5f, uv1.x = 1 - uv0.x;
    else uv0.y = (1 - va / ta) * 0.5f, uv1.y = 1 - uv0.y;
    std::swap(uv0.x, uv1.x);
    dl->AddImageRounded(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(m.preview_texture)), p, end, uv0, uv1,
                        IM_COL32_WHITE, 10);
  } else {
    dl->AddRectFilled(p, end, color::kPanel, 10);
    out.note_text(m.preview_status);
    const float wrap = size.x - 24;
    const ImVec2 ts = ImGui::CalcTextSize(m.preview_status.c_str(), nullptr, false, wrap);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(p.x + (size.x - ts.x) * 0.5f, p.y + (size.y - ts.y) * 0.5f),
                color::kMuted, m.preview_status.c_str(), nullptr, wrap);
  }
  dl->AddRect(p, end, color::kBorder, 10);
  out.add_widget("preview", p, end, m.preview_texture ? std::string() : m.preview_status);
}
// Microphone and camera on or off before joining (the call starts that way), and the level meter:
// `width` wide at `p`; returns the y under them.
float draw_prejoin_controls(FrameOut& out, const DevicesModel& d, ImVec2 p, float width) {
  ImGui::PushFont(fonts().small);
  const float bh = 30, bw = std::min(120.0f, (width - 6) * 0.5f);
  ImGui::SetCursorScreenPos(p);
  using ui_text::Id;
  const std::string mic = out.tr(!d.has_mic ? Id::PrejoinNoMic : d.mic_on ? Id::PrejoinMicOn : Id::PrejoinMicOff);
  if (button(out, "prejoin-mic", mic.c_str(), d.mic_on ? ButtonStyle::Toggle : ButtonStyle::Danger, ImVec2(bw, bh), d.has_mic))
    out.intent(ToggleMic{});
  hover_tooltip(out, out.tr(d.mic_on ? Id::JoinMicOff : Id::JoinMicOn));
  ImGui::SetCursorScreenPos(ImVec2(p.x + bw + 6, p.y));
  const std::string cam = out.tr(!d.has_camera ? Id::NoCamera : d.camera_on ? Id::PrejoinCameraOn : Id::CameraOff);
  if (button(out, "prejoin-camera", cam.c_str(), d.camera_on ? ButtonStyle::Toggle : ButtonStyle::Danger, ImVec2(bw, bh), d.has_camera))
    out.intent(ToggleCamera{});
  hover_tooltip(out, out.tr(d.camera_on ? Id::JoinCameraOff : Id::JoinCameraOn));
  ImGui::PopFont();
  const float my = p.y + bh + 8;
  draw_mic_meter(out, d, ImVec2(p.x, my), ImVec2(p.x + width, my + 10));
  return my + 10;
}
}  // namespace

void draw_lobby(FrameOut& out, const LobbyModel& m) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float width = std::min(760.0f, display.x - 48);
  const float x0 = std::max(24.0f, (display.x - width) * 0.5f);
  header(out, m, x0, width);

  float y = 110;
  if (!m.error.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(x0, y));
    error_banner(out, m.error, width);
    y = ImGui::GetCursorScreenPos().y;
  }

  // Name card, and beside it when there is room the pre-join card: the camera preview, microphone
  // and camera on or off, the microphone's level, and which camera and microphone (ui/devices_view).
  // In a narrow window the toggles and the meter go under the name.
  const float preview_w = 208, preview_h = 117;
  const bool side_preview = width >= 420 + 24 + preview_w;
  const float preview_top = y;
  ImGui::SetCursorScreenPos(ImVec2(x0, y));
  text(out, out.tr(ui_text::Id::YourName), color::kMuted);
  ImGui::SetCursorScreenPos(ImVec2(x0, ImGui::GetCursorScreenPos().y - 4));
  text_field(out, m.name, std::min(width, 420.0f));
  y = ImGui::GetCursorScreenPos().y + 22;
  if (side_preview) {
    const float px = x0 + width - preview_w;
    draw_preview(out, m, ImVec2(px, preview_top), ImVec2(preview_w, preview_h));
    const float below = draw_prejoin_controls(out, m.devices, ImVec2(px, preview_top + preview_h + 8), preview_w);
    ImGui::SetCursorScreenPos(ImVec2(px, below + 6));
    y = std::max(y, draw_device_pickers(out, m.devices, preview_w) + 22);
  } else {
    y = draw_prejoin_controls(out, m.devices, ImVec2(x0, y - 12), std::min(width, 420.0f)) + 16;
  }

  // Rooms header with the create button.
  ImGui::SetCursorScreenPos(ImVec2(x0, y + 6));
  ImGui::PushFont(fonts().title);
  text(out, out.tr(ui_text::Id::RoomsTitle), color::kText);
  ImGui::PopFont();
  ImGui::SetCursorScreenPos(ImVec2(x0 + width - 150, y));
  if (button(out, "create-room", out.tr(ui_text::Id::CreateRoomButton), ButtonStyle::Primary, ImVec2(150, 0), m.connected))
    out.intent(OpenCreateDialog{});
  const float header_bottom = ImGui::GetCursorScreenPos().y;
  // The filter, between them, or on a line of its own in a narrow window: a list longer than the
  // window is found by typing, not only by scrolling.
  const float beside_w = std::min(280.0f, width - 92 - 150 - 12);
  if (beside_w >= 160) {
    ImGui::SetCursorScreenPos(ImVec2(x0 + 92, y - 1));
    text_field(out, m.filter, beside_w);
    y = header_bottom + 8;
  } else {
    ImGui::SetCursorScreenPos(ImVec2(x0, header_bottom + 8));
    text_field(out, m.filter, width);
    y = ImGui::GetCursorScreenPos().y + 8;
  }

  // The list.
  ImGui::SetCursorScreenPos(ImVec2(x0, y));
  const float list_h = std::max(120.0f, display.y - y - 24);
  ImGui::BeginChild("rooms", ImVec2(width, list_h), false);
  const std::string_view filter = m.filter.value ? std::string_view(*m.filter.value) : std::string_view();
  // A new filter shows its matches from the top (kept in the list's ImGui storage, like its scroll).
  const ImGuiID filter_key = ImGui::GetID("filter");
  const int filter_hash = static_cast<int>(ImHashStr(filter.data(), filter.size()));
  if (ImGui::GetStateStorage()->GetInt(filter_key, 0) != filter_hash) {
    ImGui::GetStateStorage()->SetInt(filter_key, filter_hash);
    ImGui::SetScrollY(0);
  }
  const auto& rooms = *m.rooms;
  if (rooms.empty()) {
    ImGui::SetCursorPos(ImVec2(0, 28));
    text(out, out.tr(m.connected ? ui_text::Id::NoRoomsYet : ui_text::Id::WaitingForServer), color::kMuted);
  }
  const float row_h = 60;
  bool any_shown = false;
  for (const auto& r : rooms) {
    if (!room_name_matches(r.name, filter)) continue;
    any_shown = true;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float w = ImGui::GetContentRegionAvail().x;
    dl->AddRectFilled(p, ImVec2(p.x + w, p.y + row_h), color::kPanel, 10);
    const float ty = p.y + (row_h - ImGui::GetFontSize()) * 0.5f;
    const bool owned = std::binary_search(m.owned.begin(), m.owned.end(), r.id);
    const float owner_w = owned ? 150 : 0;  // Rename and Delete
    float name_x = p.x + 18;
    if (r.locked) {
      draw_lock(dl, ImVec2(name_x, p.y + (row_h - 18) * 0.5f), 18, color::kWarning);
      // Not interactive, but listed so tests (and pixel checks) can find the lock.
      const ImVec2 lock(name_x, p.y + (row_h - 18) * 0.5f);
      out.add_widget("lock:" + std::to_string(r.id), lock, ImVec2(lock.x + 18 * 0.8f, lock.y + 18));
      name_x += 24;
    }
    // A large room (more people than a mesh room holds) is marked with a small label left of its count.
    float label_w = 0;
    if (r.mode == proto::RoomMode::Sfu) {
      const std::string label = out.tr(ui_text::Id::LargeRoomLabel);
      ImGui::PushFont(fonts().small);
      const ImVec2 size = ImGui::CalcTextSize(label.c_str());
      label_w = size.x + 16;
      const ImVec2 min(p.x + w - 260 - owner_w - label_w, p.y + (row_h - size.y - 8) * 0.5f);
      const ImVec2 max(min.x + label_w - 6, min.y + size.y + 8);
      dl->AddRectFilled(min, max, color::kAccent, 6);
      dl->AddText(ImVec2(min.x + 5, min.y + 4), color::kText, label.c_str());
      ImGui::PopFont();
      out.note_text(label);
      out.add_widget("large:" + std::to_string(r.id), min, max, label);
    }
    out.note_text(r.name);
    dl->PushClipRect(p, ImVec2(p.x + w - 260 - owner_w - label_w, p.y + row_h), true);
    dl->AddText(ImVec2(name_x, ty), color::kText, r.name.c_str());
    dl->PopClipRect();
    if (owned) {
      const ImVec2 back = ImGui::GetCursorScreenPos();
      ImGui::PushFont(fonts().small);
      ImGui::SetCursorScreenPos(ImVec2(p.x + w - 260 - owner_w + 4, p.y + (row_h - 30) * 0.5f));
      const std::string rename_id = "rename:" + std::to_string(r.id), delete_id = "delete:" + std::to_string(r.id);
      if (button(out, rename_id.c_str(), out.tr(ui_text::Id::Rename), ButtonStyle::Secondary, ImVec2(72, 30), m.connected))
        out.intent(OpenRename{r.id});
      ImGui::SameLine(0, 6);
      if (button(out, delete_id.c_str(), out.tr(ui_text::Id::Delete), ButtonStyle::Secondary, ImVec2(64, 30), m.connected))
        out.intent(OpenDelete{r.id});
      ImGui::PopFont();
      ImGui::SetCursorScreenPos(back);
    }
    const bool full = r.participants >= r.capacity;
    const std::string count = std::to_string(r.participants) + " / " + std::to_string(r.capacity);
    // People icon: a head and shoulders.
    const float ix = p.x + w - 236, iy = p.y + row_h * 0.5f;
    dl->AddCircleFilled(ImVec2(ix, iy - 5), 5, color::kMuted);
    dl->PathArcTo(ImVec2(ix, iy + 9), 9, 3.14159f, 2 * 3.14159f);
    dl->PathFillConvex(color::kMuted);
    dl->AddText(ImVec2(ix + 16, ty), full ? color::kDanger : color::kMuted, count.c_str());
    ImGui::SetCursorScreenPos(ImVec2(p.x + w - 118, p.y + (row_h - 40) * 0.5f));
    const std::string id = "join:" + std::to_string(r.id);
    // A full room's button stays clickable: clicking it explains why joining is not possible.
    if (button(out, id.c_str(), out.tr(full ? ui_text::Id::Full : ui_text::Id::Join), full ? ButtonStyle::Secondary : ButtonStyle::Primary,
               ImVec2(100, 40), m.connected && !m.joining))
      out.intent(JoinRoom{r.id});
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + row_h + 10));
  }
  if (!rooms.empty() && !any_shown) {
    ImGui::SetCursorPos(ImVec2(0, 28));
    text(out, out.tr(ui_text::Id::NoRoomMatches, {proto::trim(filter)}), color::kMuted);
  }
  ImGui::Dummy(ImVec2(0, 4));
  ImGui::EndChild();

  draw_create_dialog(out, m.dialog);
  draw_password_prompt(out, m.prompt);
  draw_rename_dialog(out, m.rename);
  draw_delete_dialog(out, m.del);
  draw_invite_name_prompt(out, m.name_prompt);
}

void draw_lock(ImDrawList* dl, ImVec2 p, float h, ImU32 col) {
  // Shackle: an arch over the upper part; body: a rounded rectangle with a keyhole.
  const float body_h = h * 0.58f, w = h * 0.8f;
  const float body_y = p.y + h - body_h;
  const float r = w * 0.3f, cx = p.x + w * 0.5f;
  const float thick = std::max(1.5f, h * 0.11f);
  dl->PathArcTo(ImVec2(cx, p.y + r + thick * 0.5f), r, 3.14159f, 2 * 3.14159f, 12);
  dl->PathLineTo(ImVec2(cx + r, body_y));
  dl->PathStroke(col, false, thick);
  dl->PathLineTo(ImVec2(cx - r, body_y));
  dl->PathLineTo(ImVec2(cx - r, p.y + r + thick * 0.5f));
  dl->PathStroke(col, false, thick);
  dl->AddRectFilled(ImVec2(p.x, body_y), ImVec2(p.x + w, p.y + h), col, h * 0.12f);
  dl->AddCircleFilled(ImVec2(cx, body_y + body_h * 0.42f), h * 0.08f, color::kPanel);
}

}  // namespace moim::ui
