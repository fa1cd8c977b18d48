#include "text_fields.hpp"

#include "peer_protocol.hpp"
#include "protocol.hpp"

namespace moim {

int max_chars(ui::FieldId id) {
  switch (id) {
    case ui::FieldId::Name: return static_cast<int>(proto::kMaxNameChars);
    case ui::FieldId::RoomName:
    case ui::FieldId::RenameName:
    case ui::FieldId::RoomFilter: return static_cast<int>(proto::kMaxRoomNameChars);
    case ui::FieldId::RoomPassword:
    case ui::FieldId::JoinPassword: return static_cast<int>(proto::kMaxPasswordBytes);
    case ui::FieldId::ChatInput: return static_cast<int>(p2p::kMaxChatChars);
    case ui::FieldId::InviteLink: return 2048;  // read-only; a page address plus "#/room/<16 digits>"
    case ui::FieldId::None: break;
  }
  return 64;
}

std::string placeholder(ui_text::Lang lang, ui::FieldId id) {
  using ui_text::Id;
  const auto say = [&](Id text) { return std::string(ui_text::text(lang, text)); };
  switch (id) {
    case ui::FieldId::Name: return say(Id::NameHint);
    case ui::FieldId::RoomName: return say(Id::RoomNameHint);
    case ui::FieldId::RenameName: return say(Id::RenameHint);
    case ui::FieldId::RoomPassword: return say(Id::PasswordHint);
    case ui::FieldId::JoinPassword: return say(Id::JoinPasswordHint);
    case ui::FieldId::RoomFilter: return say(Id::FilterHint);
    case ui::FieldId::ChatInput: return say(Id::ChatHint);
    case ui::FieldId::InviteLink:
    case ui::FieldId::None: break;
  }
  return "";
}

bool is_password(ui::FieldId id) { return id == ui::FieldId::RoomPassword || id == ui::FieldId::JoinPassword; }
bool is_read_only(ui::FieldId id) { return id == ui::FieldId::InviteLink; }

const std::string& TextFields::value(ui::FieldId id) const {
  static const std::string empty;
  auto it = values_.find(id);
  return it == values_.end() ? empty : it->second;
}

void TextFields::replace(ui::FieldId id, std::string value) {
  if (shown_for_ == id) browser::set_text_input_value(value);
  values_[id] = std::move(value);
}

void TextFields::on_input(std::string value) {
  if (focused_ == ui::FieldId::None || is_read_only(focused_)) return;
  // The real rule (code points, trimmed) is checked on submit.
  values_[focused_] = std::move(value);
}

void TextFields::sync_overlay(const ui::FrameOut& frame, float font_px) {
  auto it = focused_ == ui::FieldId::None ? frame.field_rects.end() : frame.field_rects.find(focused_);
  if (it == frame.field_rects.end()) {
    if (focused_ != ui::FieldId::None && ++frames_missing_ <= 3) return;
    // Nothing focused, or the focused field is no longer on screen.
    frames_missing_ = 0;
    focused_ = ui::FieldId::None;
    if (shown_for_ != ui::FieldId::None) {
      browser::hide_text_input();
      shown_for_ = ui::FieldId::None;
    }
    return;
  }
  frames_missing_ = 0;
  const auto& r = it->second;
  // Room to type past the limit (in UTF-16 units, as the DOM counts), so an over-long entry gets a
  // message instead of keys that silently do nothing.
  browser::TextInputPlacement p{r.x, r.y, r.w, r.h, font_px, 2 * max_chars(focused_) + 8, placeholder(frame.lang, focused_),
                                is_password(focused_), is_read_only(focused_)};
  if (shown_for_ != focused_) {
    if (shown_for_ != ui::FieldId::None) browser::hide_text_input();
    browser::show_text_input(p, value(focused_));
    shown_for_ = focused_;
    shown_at_ = p;
  } else if (!(p == shown_at_)) {
    browser::show_text_input(p, value(focused_));  // moves it; the value stays the overlay's own
    shown_at_ = p;
  }
}

}  // namespace moim
