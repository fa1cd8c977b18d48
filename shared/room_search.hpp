// Finding a room in the lobby's list by typing part of its name.
#pragma once

#include <string_view>

namespace moim {

// True when `query` (trimmed) is empty or appears in `room_name`, with the same case folding as
// room-name uniqueness (proto::room_name_key: ASCII case-insensitive, other scripts as typed).
bool room_name_matches(std::string_view room_name, std::string_view query);

}  // namespace moim
