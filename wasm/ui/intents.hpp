// What a person asked for while a frame was drawn. Views only return these; App applies them after
// the frame (Dear ImGui's deferred-action pattern), so state never changes mid-draw.
#pragma once

#include "protocol.hpp"

#include <variant>
#include <vector>

namespace moim::ui {

enum class FieldId { None, Name, RoomName };

struct FocusField { FieldId field = FieldId::None; };
struct OpenCreateDialog {};
struct ConfirmCreateRoom {};
struct CancelCreateRoom {};
struct SetCapacity { std::uint32_t capacity = proto::kDefaultCapacity; };
struct JoinRoom { proto::RoomId room = 0; };
struct LeaveCall {};
struct ToggleMic {};
struct ToggleCamera {};
struct DismissError {};

using Intent = std::variant<FocusField, OpenCreateDialog, ConfirmCreateRoom, CancelCreateRoom, SetCapacity, JoinRoom,
                            LeaveCall, ToggleMic, ToggleCamera, DismissError>;

}  // namespace moim::ui
