// The call's side panel: the chat, the people, the connection stats or the devices, one at a time, or none. Each
// part keeps whether its own panel is open (opening the chat reads its messages: shared/chat_log.hpp);
// this keeps them apart and moves the keyboard: to the chat field when the chat opens, away from it
// when it closes.
#pragma once

#include "chat/call_chat.hpp"
#include "devices/call_devices.hpp"
#include "people/call_people.hpp"
#include "stats/call_stats_panel.hpp"
#include "text_fields.hpp"

namespace moim {

enum class SidePanel { None, Chat, People, Stats, Devices };

// The call's side panels, each kept by its part.
struct SidePanels {
  CallChat& chat;
  CallPeople& people;
  CallStatsPanel& stats;
  CallDevices& devices;
};

// `clicked`'s button was pressed (ui::ToggleChat, ui::TogglePeople, ui::ToggleStats, ui::ToggleDevices): it opens,
// closing the open one, or closes if it was open.
void toggle_side_panel(SidePanel clicked, SidePanels panels, TextFields& fields);

}  // namespace moim
