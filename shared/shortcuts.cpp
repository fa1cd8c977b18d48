#include "shortcuts.hpp"

namespace moim::shortcuts {

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      {Action::ToggleMic, "M", ui_text::Id::KeyMic},
      {Action::ToggleCamera, "V", ui_text::Id::KeyCamera},
      {Action::ToggleShare, "S", ui_text::Id::KeyShare},
      {Action::ToggleChat, "C", ui_text::Id::KeyChat},
      {Action::ToggleHelp, "?", ui_text::Id::KeyHelp},
  };
  return entries;
}

std::optional<Action> action_for(const KeyPress& k, const Context& c) {
  if (!c.in_call || c.typing || c.modal || k.repeat) return std::nullopt;
  if (k.code == "Escape" || k.key == "Escape") return c.help_open ? std::optional(Action::CloseHelp) : std::nullopt;
  if (k.ctrl || k.alt || k.meta) return std::nullopt;  // the browser's and the system's (Ctrl+C copies)
  if (k.key == "?" || (k.code == "Slash" && k.shift)) return Action::ToggleHelp;
  if (k.shift) return std::nullopt;
  if (k.code == "KeyM") return Action::ToggleMic;
  if (k.code == "KeyV") return Action::ToggleCamera;
  if (k.code == "KeyS") return Action::ToggleShare;
  if (k.code == "KeyC" && c.has_chat) return Action::ToggleChat;
  return std::nullopt;
}

std::string tooltip(ui_text::Lang lang, std::string_view label, Action action) {
  for (const Entry& e : table())
    if (e.action == action) return ui_text::format(lang, ui_text::Id::WithKey, {label, e.key});
  return std::string(label);
}

}  // namespace moim::shortcuts
