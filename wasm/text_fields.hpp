// The values of the app's text fields and which one has the keyboard. Typing happens in a DOM
// <input> laid over the focused field (the only way a canvas app gets IME composition, paste and
// mobile keyboards); this class keeps that overlay where the field was drawn.
#pragma once

#include "browser/glue.hpp"
#include "ui/intents.hpp"
#include "ui/widgets.hpp"

#include <map>
#include <string>

namespace moim {

class TextFields {
 public:
  const std::string& value(ui::FieldId id) const;
  void set_value(ui::FieldId id, std::string value) { values_[id] = std::move(value); }
  // The app replaces a field's value (a chat message was sent): the overlay shows it too if it is there.
  void replace(ui::FieldId id, std::string value);
  ui::FieldId focused() const { return focused_; }
  void focus(ui::FieldId id) { focused_ = id; }
  void blur() { focused_ = ui::FieldId::None; }
  // The overlay lost focus by itself (a click elsewhere) and already hid itself.
  void overlay_closed() { focused_ = shown_for_ = ui::FieldId::None; }
  // The overlay reported input for the focused field.
  void on_input(std::string value);
  // After a frame: place, show or hide the overlay to match where the focused field was drawn.
  void sync_overlay(const ui::FrameOut& frame, float font_px);

 private:
  std::map<ui::FieldId, std::string> values_;
  ui::FieldId focused_ = ui::FieldId::None;
  ui::FieldId shown_for_ = ui::FieldId::None;
  int frames_missing_ = 0;  // a field may take a frame or two to appear (a dialog opening)
  browser::TextInputPlacement shown_at_;
};

int max_chars(ui::FieldId id);
std::string placeholder(ui_text::Lang lang, ui::FieldId id);  // the empty field's hint
bool is_password(ui::FieldId id);  // masked: the overlay is an <input type=password>
bool is_read_only(ui::FieldId id);  // shown selected for copying; input is ignored

}  // namespace moim
