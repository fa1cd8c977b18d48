// The call's side panel: the chat or the people, one at a time, or neither. Each part keeps whether
// its own panel is open (opening the chat reads its messages: shared/chat_log.hpp); this keeps the two
// apart and moves the keyboard: to the chat field when the chat opens, away from it when it closes.
#pragma once

#include "chat/call_chat.hpp"
#include "people/call_people.hpp"
#include "text_fields.hpp"

namespace moim {

enum class SidePanel { None, Chat, People };

// `clicked`'s button was pressed (ui::ToggleChat, ui::TogglePeople): it opens, closing the other
// one, or closes if it was open.
void toggle_side_panel(SidePanel clicked, CallChat& chat, CallPeople& people, TextFields& fields);

}  // namespace moim
