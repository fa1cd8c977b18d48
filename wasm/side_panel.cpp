#include "side_panel.hpp"

namespace moim {

void toggle_side_panel(SidePanel clicked, CallChat& chat, CallPeople& people, TextFields& fields) {
  const SidePanel open = chat.panel_open() ? SidePanel::Chat : people.panel_open() ? SidePanel::People : SidePanel::None;
  const SidePanel shown = clicked == open ? SidePanel::None : clicked;
  const bool chat_shown = shown == SidePanel::Chat;
  if (chat_shown != chat.panel_open()) {
    chat.set_panel_open(chat_shown);
    if (chat_shown) fields.focus(ui::FieldId::ChatInput);  // ready to type, as in every call app
    else if (fields.focused() == ui::FieldId::ChatInput) fields.blur();
  }
  people.set_panel_open(shown == SidePanel::People);
}

}  // namespace moim
