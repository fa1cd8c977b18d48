// The call's keyboard shortcuts: which key does what, in one table (the help overlay and the
// buttons' tooltips read it too), and when a key press is a shortcut at all. Keys are matched by
// their physical position (KeyboardEvent.code), so they work whatever the keyboard layout or input
// method (a Korean layout types "ㅡ" on the M key); "?" by the character it types.
#pragma once

#include "ui_text.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moim::shortcuts {

enum class Action { ToggleMic, ToggleCamera, ToggleShare, ToggleChat, ToggleHelp, CloseHelp };

// One key press as the browser reported it (keydown).
struct KeyPress {
  std::string key;   // KeyboardEvent.key ("m", "?", "Escape", "ㅡ")
  std::string code;  // KeyboardEvent.code ("KeyM", "Slash", "Escape")
  bool ctrl = false, alt = false, meta = false, shift = false;
  bool repeat = false;  // held down: only the first press counts
};

// Where the press happened.
struct Context {
  bool in_call = false;
  bool typing = false;     // a text field has the keyboard: keys are text, never shortcuts
  bool modal = false;      // a dialog is open: it owns the keyboard
  bool help_open = false;  // the shortcuts overlay is shown
  bool has_chat = true;
};

// The action of a key press, or nullopt when it is none here.
std::optional<Action> action_for(const KeyPress& key, const Context& context);

// The table: the key as a person reads it, and what it does (the overlay lists these, in order).
struct Entry {
  Action action;
  std::string_view key;  // "M" (the same in every language: the key's place on the keyboard)
  ui_text::Id what;      // "Mute or unmute the microphone"
};
const std::vector<Entry>& table();
// "Mute (M)": a button's label (in `lang`) with its shortcut, for its tooltip.
std::string tooltip(ui_text::Lang lang, std::string_view label, Action action);

}  // namespace moim::shortcuts
