#include "side_panel.hpp"

namespace moim {

void toggle_side_panel(SidePanel clicked, SidePanels panels, TextFields& fields) {
  const SidePanel open = panels.chat.panel_open()     ? SidePanel::Chat
                         : panels.people.panel_open() ? SidePanel::People
                         : panels.stats.panel_open()  ? SidePanel::Stats
                         : panels.devices.panel_open() ? SidePanel::Devices
                                                      : SidePanel::None;
  const SidePanel shown = clicked == open ? SidePanel::None : clicked;
  const bool chat_shown = shown == SidePanel::Chat;
  if (chat_shown != panels.chat.panel_open()) {
    panels.chat.set_panel_open(chat_shown);
    if (chat_shown) fields.focus(ui::FieldId::ChatInput);  // ready to type, as in every call app
    else if (fields.focused() == ui::FieldId::ChatInput) fields.blur();
  }
  panels.people.set_panel_open(shown == SidePanel::People);
  panels.stats.set_panel_open(shown == SidePanel::Stats);
  panels.devices.set_panel_open(shown == SidePanel::Devices);
}

}  // namespace moim
