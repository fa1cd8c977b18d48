// Small widgets shared by the views, and the per-frame output every view writes to.
#pragma once

#include "ui/intents.hpp"
#include "ui_text.hpp"

#include <imgui.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace moim::ui {

class GlyphCache;

struct WidgetRect {
  std::string id;
  float x = 0, y = 0, w = 0, h = 0;  // CSS pixels of the page
  std::string label;                 // the words on it (a button's label, an empty field's hint); "" = none
};

// Everything a frame produces besides pixels, and the one thing every view reads besides its model:
// the language to draw in.
struct FrameOut {
  ui_text::Lang lang = ui_text::Lang::En;  // set by the app before drawing
  std::vector<Intent> intents;
  std::vector<WidgetRect> widgets;               // test surface: every interactive widget drawn
  std::map<FieldId, WidgetRect> field_rects;     // where each text field was drawn (for the overlay)
  GlyphCache* glyphs = nullptr;                  // notes the characters drawn (font atlas is a render cache)
  bool chat_scrolled_up = false;                 // test surface: the chat log was drawn scrolled up from its end
  std::string tooltip;                           // test surface: the tooltip shown this frame ("" = none)
  std::vector<std::string> texts;                // test surface: every text drawn (note_text), in order (the first 512)

  void intent(Intent i) { intents.push_back(std::move(i)); }
  // The catalog's text in the frame's language (shared/ui_text.hpp), with its arguments filled in.
  std::string tr(ui_text::Id id, std::initializer_list<std::string_view> args = {}) const {
    return ui_text::format(lang, id, args);
  }
  void record(std::string id, std::string label = {});  // records the last ImGui item's rectangle under `id`
  // Records a rectangle drawn by hand. Like record(), only the part inside the current window's clip
  // rectangle counts (a row scrolled out of a list is not clickable); nothing when none is visible.
  void add_widget(std::string id, ImVec2 min, ImVec2 max, std::string label = {});
  // Every text drawn goes through here: its characters for the font atlas, and the test surface.
  void note_text(std::string_view text);
};

// A text field whose editing happens in the DOM overlay (IME, paste). Draws the frame and the text;
// clicking it asks for focus. While focused, the overlay draws the text on top.
struct FieldView {
  FieldId id = FieldId::None;
  const char* widget_id = "";
  const std::string* value = nullptr;
  std::string hint;  // shown while empty (in the frame's language)
  bool focused = false;
  int max_chars = 32;
  bool masked = false;  // a password: drawn as dots, typed into a type=password overlay
};
void text_field(FrameOut& out, const FieldView& field, float width);

enum class ButtonStyle { Primary, Secondary, Danger, Toggle };
// A button that records itself under `widget_id`; returns true when clicked.
bool button(FrameOut& out, const char* widget_id, std::string_view label, ButtonStyle style, ImVec2 size,
            bool enabled = true);

// Text helpers that note their characters for the font atlas.
void text(FrameOut& out, std::string_view s, ImU32 color);
// Wrapped at `wrap_x` (window coordinates; 0: the window's edge).
void text_wrapped(FrameOut& out, std::string_view s, ImU32 color, float wrap_x = 0.0f);

// A centred modal dialog shown while `open` (ImGui popup `popup`). Returns true when its contents
// are to be drawn now, `*inner` being their width; then call end_modal().
bool begin_modal(const char* popup, bool open, float width, float* inner);
void end_modal();

// Error banner with a dismiss button.
void error_banner(FrameOut& out, std::string_view message, float width);
// A tooltip with `text` while the last item is hovered.
void hover_tooltip(FrameOut& out, const std::string& text);

// A side panel of the call (the chat, the people) in the rectangle `min`-`max`: its background and
// left border, `title` at the top left with `subtitle` in muted text under it (none when empty), and a
// Close button recorded as `close_id` at the top right, whose click is `on_close`. Returns where the
// panel's own contents go.
struct SidePanelArea {
  float pad = 16;           // from the panel's edges
  float width = 0;          // between the paddings
  float header_bottom = 0;  // under the title (and subtitle) lines
};
SidePanelArea side_panel_frame(FrameOut& out, ImVec2 min, ImVec2 max, std::string_view title,
                               std::string_view subtitle, const char* close_id, const Intent& on_close);

}  // namespace moim::ui
