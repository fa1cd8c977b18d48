// What a person asked for while a frame was drawn. Views only return these; App applies them after
// the frame (Dear ImGui's deferred-action pattern), so state never changes mid-draw.
#pragma once

#include "protocol.hpp"

#include <variant>
#include <vector>

namespace moim::ui {

// RoomPassword: the create dialog's optional password; JoinPassword: the locked-room prompt;
// RenameName: the owner's rename dialog. Password fields are masked (type=password overlay).
enum class FieldId { None, Name, RoomName, RoomPassword, JoinPassword, RenameName };

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
// Locked rooms: the password prompt opened by JoinRoom on a locked room.
struct ConfirmPassword {};
struct CancelPassword {};
// Rooms this browser created (it holds their owner token).
struct OpenRename { proto::RoomId room = 0; };
struct ConfirmRename {};
struct CancelRename {};
struct OpenDelete { proto::RoomId room = 0; };
struct ConfirmDelete {};
struct CancelDelete {};

using Intent = std::variant<FocusField, OpenCreateDialog, ConfirmCreateRoom, CancelCreateRoom, SetCapacity, JoinRoom,
                            LeaveCall, ToggleMic, ToggleCamera, DismissError, ConfirmPassword, CancelPassword,
                            OpenRename, ConfirmRename, CancelRename, OpenDelete, ConfirmDelete, CancelDelete>;

}  // namespace moim::ui
