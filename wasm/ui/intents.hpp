// What a person asked for while a frame was drawn. Views only return these; App applies them after
// the frame (Dear ImGui's deferred-action pattern), so state never changes mid-draw.
#pragma once

#include "protocol.hpp"

#include <string>
#include <variant>
#include <vector>

namespace moim::ui {

// RoomPassword: the create dialog's optional password; JoinPassword: the locked-room prompt;
// RenameName: the owner's rename dialog. Password fields are masked (type=password overlay).
// InviteLink: the call's invite link, read-only, shown for copying by hand when the clipboard failed.
// ChatInput: the call's chat message (Enter sends).
enum class FieldId { None, Name, RoomName, RoomPassword, JoinPassword, RenameName, InviteLink, RoomFilter, ChatInput };

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
// Invite links (wasm/app_invite.cpp): the call's "Copy invite link", the panel shown when copying
// failed, and the name prompt of a link opened without a remembered name.
struct CopyInviteLink {};
struct CloseInvitePanel {};
struct ConfirmInviteName {};
struct CancelInviteName {};
// The call's chat (wasm/chat/): the panel opened or closed, the typed message sent.
struct ToggleChat {};
// Screen sharing: start (the browser's picker) or stop ours; show someone's screen large (peer, or
// ours with self).
struct ToggleScreenShare {};
struct ShowScreen { proto::PeerId peer = 0; bool self = false; };
// The keyboard shortcuts' overlay (? opens it, Escape or its button closes it).
struct ToggleShortcutsHelp {};
// "Click to turn on sound": the browser played the others muted until a gesture.
struct EnableSound {};
// The grid, or the speaker view; a page of a grid too small for everyone (from 0).
struct ToggleLayout {};
struct ShowGridPage { int page = 0; };
// A narrow window's control bar: its More menu opened or closed.
struct ToggleMore {};
struct CloseShortcutsHelp {};
struct SendChat {};
// The participant panel and files (wasm/files/): the picker for one person (peer) or everyone (0), and
// the answers to a transfer.
struct TogglePeople {};
struct ToggleStats {};  // the connection stats panel (wasm/stats/)
// The camera and microphone (wasm/devices/): the call's panel, and the person's pick (the index in
// the listed devices of that kind).
struct ToggleDevices {};
struct ChooseDevice { bool mic = false; std::size_t index = 0; };
struct PickFiles { proto::PeerId peer = 0; };
struct AcceptFile { std::string id; };
struct DeclineFile { std::string id; };
struct CancelFile { std::string id; };
struct SaveFile { std::string id; };
struct DismissFile { std::string id; };  // a finished transfer's card is put away
// The lobby's language button: English <-> Korean (remembered).
struct ToggleLanguage {};

using Intent = std::variant<FocusField, OpenCreateDialog, ConfirmCreateRoom, CancelCreateRoom, SetCapacity, JoinRoom,
                            LeaveCall, ToggleMic, ToggleCamera, DismissError, ConfirmPassword, CancelPassword,
                            OpenRename, ConfirmRename, CancelRename, OpenDelete, ConfirmDelete, CancelDelete,
                            CopyInviteLink, CloseInvitePanel, ConfirmInviteName, CancelInviteName, ToggleChat, SendChat, TogglePeople, PickFiles, AcceptFile, DeclineFile,
                            CancelFile, SaveFile, DismissFile, ToggleScreenShare, ShowScreen, ToggleShortcutsHelp,
                            CloseShortcutsHelp, EnableSound, ToggleLayout, ToggleStats, ToggleLanguage, ToggleDevices,
                            ChooseDevice, ShowGridPage, ToggleMore>;

}  // namespace moim::ui
