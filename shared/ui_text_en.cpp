// The English catalog (shared/ui_text.hpp says how to add a text). One case per Id, in the header's
// order; {0}..{9} are the arguments.
#include "ui_text.hpp"

namespace moim::ui_text::detail {

std::string_view english(Id id) {
  switch (id) {
    case Id::None: return "";

    // ---- the page, before and around the app ----
    case Id::AppName: return "Moim";
    case Id::Tagline: return "모임 · video rooms for everyone";
    case Id::SwitchLanguage: return "한국어";
    case Id::SwitchLanguageTip: return "Show Moim in Korean";
    case Id::PageLoading: return "Loading…";
    case Id::PageProgramNotLoaded: return "Moim could not load its program ({0}). Check the connection and reload the page.";
    case Id::PageCouldNotLoad: return "Moim could not load: {0}. Check the connection and reload the page.";
    case Id::PageStopped: return "Moim stopped: {0}. Reload the page to try again.";
    case Id::NoWebGl2:
      return "Moim can't start: this browser has no WebGL2. Turn on hardware acceleration in the browser's settings, "
             "or use another browser.";
    case Id::ShadersFailed: return "Moim can't start: its WebGL2 shaders did not compile in this browser.";
    case Id::NoWebSocket: return "This browser cannot open a WebSocket to the server.";

    // ---- the link to the server ----
    case Id::StatusConnected: return "Connected";
    case Id::StatusConnecting: return "Connecting…";
    case Id::StatusReconnecting: return "Reconnecting…";
    case Id::StatusRetryIn: return "Reconnecting… (next try in {0} s)";
    case Id::CallReconnecting: return "Reconnecting… (the call goes on)";
    case Id::MediaReconnecting: return "Reconnecting media…";

    // ---- the camera preview before joining ----
    case Id::PreviewInsecure:
      return "Camera and microphone need a secure page: open this app over https (or on localhost). You can still "
             "join, to see and hear the others.";
    case Id::PreviewStarting: return "Starting camera…";
    case Id::PreviewIdle: return "Camera off until you join";
    case Id::PreviewNoDevices: return "Camera and microphone unavailable: you will join without them";
    case Id::PreviewNoCamera: return "No camera: you will join with audio only";
    case Id::PreviewCameraOff: return "Camera off: you will join without video";

    // ---- the lobby ----
    case Id::YourName: return "Your name";
    case Id::NameHint: return "How others will see you";
    case Id::RoomsTitle: return "Rooms";
    case Id::CreateRoomButton: return "+  Create room";
    case Id::FilterHint: return "Find a room";
    case Id::NoRoomsYet: return "No rooms yet. Create the first one.";
    case Id::WaitingForServer: return "Waiting for the server…";
    case Id::NoRoomMatches: return "No room has \"{0}\" in its name.";
    case Id::Rename: return "Rename";
    case Id::Delete: return "Delete";
    case Id::Join: return "Join";
    case Id::Full: return "Full";
    case Id::LargeRoomLabel: return "Large room";
    case Id::RoomFullCount: return "Room \"{0}\" is full ({1}/{2}).";
    case Id::NameEmpty: return "Enter your name first.";
    case Id::NameTooLong: return "Your name can have at most {0} characters.";
    case Id::NameInvalid: return "Your name cannot contain control characters.";
    case Id::RoomNameEmpty: return "Enter a room name.";
    case Id::RoomNameTooLong: return "A room name can have at most {0} characters.";
    case Id::RoomNameInvalid: return "A room name cannot contain control characters.";
    case Id::RoomNameExists: return "A room named \"{0}\" already exists. Choose another name.";

    // ---- the create-room dialog ----
    case Id::CreateTitle: return "Create a room";
    case Id::RoomNameLabel: return "Room name";
    case Id::RoomNameHint: return "e.g. Team standup";
    case Id::CapacityLabel: return "Capacity (people)";
    case Id::PasswordLabel: return "Password (optional)";
    case Id::PasswordHint: return "Leave empty for an open room";
    case Id::OpenRoomNote: return "Anyone can join when it is empty.";
    case Id::PasswordFieldTooLong: return "Too long: a password can have at most {0} bytes (UTF-8); this one has {1}.";
    case Id::PasswordTooLongCreate: return "The password is too long: at most {0} bytes (this one has {1}).";
    case Id::Cancel: return "Cancel";
    case Id::Create: return "Create";
    case Id::Creating: return "Creating…";
    case Id::LargeRoomsUnavailableNote:
      return "Rooms for more than {0} people need the media server, which is not running here.";
    case Id::LargeRoomNote:
      return "A room for more than {0} people is a large room: everyone's video and sound go through the media "
             "server.";

    // ---- the password prompt, rename and delete ----
    case Id::PasswordNeeded: return "Password needed";
    case Id::RoomLocked: return "\"{0}\" is locked. Enter its password to join.";
    case Id::JoinPasswordHint: return "Room password";
    case Id::EnterPassword: return "Enter the room's password.";
    case Id::PasswordMax: return "A password can have at most {0} bytes.";
    case Id::RoomGoneShort: return "That room does not exist any more.";
    case Id::RenameTitle: return "Rename room";
    case Id::RenameFor: return "New name for \"{0}\"";
    case Id::RenameHint: return "New room name";
    case Id::DeleteTitle: return "Delete room";
    case Id::DeleteQuestion: return "Delete room \"{0}\"? People in it will be disconnected.";

    // ---- invite links ----
    case Id::JoinByLinkTitle: return "Join “{0}”";
    case Id::InvitedText: return "You were invited to this room. Your name, as the others will see it:";
    case Id::CopyInvite: return "Copy invite link";
    case Id::LinkCopied: return "Link copied";
    case Id::CopyFailed: return "Copying did not work here ({0}). Select the link and copy it (Ctrl+C):";
    case Id::BrowserRefused: return "the browser refused";
    case Id::NoClipboard: return "this page cannot reach the clipboard: it needs https:// or localhost";
    case Id::Close: return "Close";
    case Id::RoomGoneLink: return "That room no longer exists. Pick another room, or create one.";
    case Id::BadLink: return "That link does not lead to a room here (a room's link ends in #/room/ and a number).";

    // ---- the call ----
    case Id::PeopleCountOne: return "{0} person · {1} max";
    case Id::PeopleCountMany: return "{0} people · {1} max";
    case Id::GridView: return "Grid view";
    case Id::SpeakerView: return "Speaker view";
    case Id::GridPrevious: return "Previous";
    case Id::GridNext: return "Next";
    case Id::More: return "More";
    case Id::ClickForSound: return "Click to turn on sound";
    case Id::Mute: return "Mute";
    case Id::Unmute: return "Unmute";
    case Id::NoMicrophone: return "No microphone";
    case Id::StopVideo: return "Stop video";
    case Id::StartVideo: return "Start video";
    case Id::NoCamera: return "No camera";
    case Id::ShareScreen: return "Share screen";
    case Id::StopSharing: return "Stop sharing";
    case Id::Choosing: return "Choosing…";
    case Id::Chat: return "Chat";
    case Id::ChatUnread: return "Chat ({0})";
    case Id::People: return "People";
    case Id::Stats: return "Stats";
    case Id::SendFile: return "Send file";
    case Id::Leave: return "Leave";
    case Id::CameraOff: return "Camera off";
    case Id::StartingCamera: return "Starting camera…";
    case Id::Connecting: return "Connecting…";
    case Id::YouSuffix: return "{0} (you)";
    case Id::WaitingForScreen: return "Waiting for the screen…";
    case Id::YourScreen: return "Your screen";
    case Id::TheirScreen: return "{0}'s screen";
    case Id::KeyboardShortcuts: return "Keyboard shortcuts";
    case Id::KeyMic: return "Mute or unmute the microphone";
    case Id::KeyCamera: return "Stop or start the camera";
    case Id::KeyShare: return "Share the screen, or stop sharing";
    case Id::KeyChat: return "Open or close the chat";
    case Id::KeyHelp: return "Show or hide these shortcuts";
    case Id::WithKey: return "{0} ({1})";
    case Id::JoinedFromOtherTab: return "You joined this room from another tab.";
    case Id::RoomDeleted: return "The room was deleted by its owner.";
    case Id::ScreenUnavailable: return "Screen sharing is not available: {0}";
    case Id::NoCameraAudioOnly: return "No camera available. You join with audio only.";
    case Id::NoMicVideoOnly: return "No microphone available. You join with video only.";
    case Id::DevicesUnavailable:
      return "Camera and microphone are unavailable ({0}). You join without sending audio or video; you can still see "
             "and hear the others.";
    case Id::NoDevicesInsecure:
      return "Camera and microphone need a secure page (https:// or http://localhost). You join without sending "
             "audio or video; you can still see and hear the others.";

    // ---- devices ----
    case Id::Devices: return "Devices";
    case Id::DevicesTip: return "Camera and microphone";
    case Id::DevicesSubtitle: return "Switching keeps the call going";
    case Id::DeviceCamera: return "Camera";
    case Id::DeviceMicrophone: return "Microphone";
    case Id::DeviceDefault: return "Default";
    case Id::DeviceUnnamedCamera: return "Camera {0}";
    case Id::DeviceUnnamedMic: return "Microphone {0}";
    case Id::PrejoinNoMic: return "No mic";
    case Id::PrejoinMicOn: return "Mic on";
    case Id::PrejoinMicOff: return "Mic off";
    case Id::PrejoinCameraOn: return "Camera on";
    case Id::JoinMicOff: return "Join with the microphone off";
    case Id::JoinMicOn: return "Join with the microphone on";
    case Id::JoinCameraOff: return "Join with the camera off";
    case Id::JoinCameraOn: return "Join with the camera on";
    case Id::MicLevel: return "Microphone level";
    case Id::MicLevelMuted: return "Microphone level (muted)";
    case Id::CameraUnplugged: return "Camera “{0}” was disconnected; there is no other to use.";
    case Id::MicUnplugged: return "Microphone “{0}” was disconnected; there is no other to use.";
    case Id::CameraUnpluggedSwitched: return "Camera “{0}” was disconnected; now using “{1}”.";
    case Id::MicUnpluggedSwitched: return "Microphone “{0}” was disconnected; now using “{1}”.";
    case Id::CameraPluggedIn: return "Camera “{0}” was connected; choose it under Devices.";
    case Id::MicPluggedIn: return "Microphone “{0}” was connected; choose it under Devices.";
    case Id::DeviceSwitchFailed: return "Could not switch to “{0}”: {1}";

    // ---- a peer's connection, in words ----
    case Id::ConnNew: return "new";
    case Id::ConnConnecting: return "connecting";
    case Id::ConnConnected: return "connected";
    case Id::ConnDisconnected: return "disconnected";
    case Id::ConnFailed: return "failed";
    case Id::ConnClosed: return "closed";
    case Id::ConnUnreachable: return "unreachable";
    case Id::ConnAway: return "away";
    case Id::UnreachableText: return "Can't reach {0}: your networks block a direct connection.";
    case Id::UnreachableNoTurn:
      return "The server has no TURN relay configured to carry calls around such networks (see README: Run it on a "
             "server).";
    case Id::UnreachableTrying: return "Still trying in the background.";

    // ---- the chat ----
    case Id::ChatSubtitle: return "Browser to browser, never via the server";
    case Id::ChatSubtitleLargeRoom: return "Through the server in large rooms";
    case Id::NoMessages: return "No messages yet. Messages go to everyone in the call.";
    case Id::Send: return "Send";
    case Id::ChatHint: return "Message everyone";
    case Id::ChatTooLong: return "Too long: {0} characters. A message can have at most {1}.";
    case Id::ChatControlChars: return "This message holds control characters, which can't be sent.";

    // ---- the people and stats panels ----
    case Id::PeopleTitle: return "People ({0})";
    case Id::MicOn: return "mic on";
    case Id::Muted: return "muted";
    case Id::CameraOnLower: return "camera on";
    case Id::CameraOffLower: return "camera off";
    case Id::StatsTitle: return "Connection";
    case Id::StatsSubtitle: return "Each person, the last 60 s";
    case Id::NobodyElse: return "Nobody else is in the call yet.";
    case Id::MetricIn: return "In";
    case Id::MetricOut: return "Out";
    case Id::MetricRtt: return "Round trip";
    case Id::MetricLoss: return "Loss";
    case Id::MetricFps: return "Frames";
    case Id::QualityGood: return "good";
    case Id::QualityFair: return "fair";
    case Id::QualityPoor: return "poor";

    // ---- file transfers ----
    case Id::Accept: return "Accept";
    case Id::Decline: return "Decline";
    case Id::Save: return "Save";
    case Id::Dismiss: return "Dismiss";
    case Id::MoreCards: return "+ {0} more";
    case Id::NobodyCanReceive: return "Nobody in the call can receive files yet.";
    case Id::CantReceiveNow: return "{0} can't receive files right now.";
    case Id::WaitingForLink: return "Waiting for a free connection (at most {0} at once)";
    case Id::SomeoneWhoLeft: return "someone who left";
    case Id::TransferTo: return "To {0}";
    case Id::TransferFrom: return "From {0}";
    case Id::WaitingToAccept: return "Waiting for {0} to accept";
    case Id::WantsToSend: return "{0} wants to send you this file";
    case Id::TimeLeft: return "{0} left";
    case Id::Confirming: return "Sent; {0} is checking it";
    case Id::SentTo: return "Sent to {0}";
    case Id::ReceivedChecked: return "Received and checked";
    case Id::PeerDeclinedTooLarge: return "{0} declined: too large";
    case Id::DeclinedOverLimit: return "Declined: over the {0} limit";
    case Id::PeerDeclinedTooMany: return "{0} declined: too many files";
    case Id::DeclinedTooMany: return "Declined: too many files at once";
    case Id::PeerDeclined: return "{0} declined";
    case Id::YouDeclined: return "You declined";
    case Id::CancelledBy: return "Cancelled by {0}";
    case Id::YouCancelled: return "You cancelled";
    case Id::FailedPeerLeft: return "Failed: {0} left";
    case Id::FailedChannel: return "Failed: the connection broke";
    case Id::FailedRead: return "Failed: the file could not be read";
    case Id::FailedLinkTimeout: return "Failed: could not connect to {0} in time";
    case Id::FailedPeerIncomplete: return "Failed: {0} received it incomplete";
    case Id::FailedIncomplete: return "Failed: it arrived incomplete; not saved";
    case Id::FailedPeerDamaged: return "Failed: {0} received it damaged";
    case Id::FailedDamaged: return "Failed: it arrived damaged (checksum); not saved";
    case Id::Failed: return "Failed";
    case Id::RefusedTooLarge: return "\"{0}\" is {1}: files can be at most {2}.";
    case Id::RefusedBadName: return "This file's name can't be sent (control characters, or too long).";
    case Id::RefusedTooMany: return "Too many transfers at once: wait for some to finish.";
    case Id::RefusedOther: return "The file could not be sent.";
    case Id::DurationSeconds: return "{0} s";
    case Id::DurationMinutes: return "{0} min";
    case Id::DurationHours: return "{0} h {1} min";
    case Id::DurationLong: return "over 100 h";

    // ---- the server's refusals ----
    case Id::ErrNameInvalid: return "The server did not take your name: it is empty, too long or has control characters.";
    case Id::ErrRoomNameInvalid:
      return "The server did not take that room name: it is empty, too long or has control characters.";
    case Id::ErrRoomNameTaken: return "A room with that name already exists. Choose another name.";
    case Id::ErrCapacityInvalid: return "This server does not allow that capacity.";
    case Id::ErrRoomNotFound: return "That room does not exist (it may have been removed).";
    case Id::ErrRoomFull: return "That room is full.";
    case Id::ErrAlreadyInRoom: return "You are already in a room. Leave it before joining another.";
    case Id::ErrNotInRoom: return "You are not in a room.";
    case Id::ErrTooManyRooms: return "The server has as many rooms as it can hold. Try again later.";
    case Id::ErrSessionExpired: return "Your earlier session has ended; join the room again.";
    case Id::ErrPasswordRequired: return "This room needs a password.";
    case Id::ErrPasswordWrong: return "Wrong password.";
    case Id::ErrTooManyAttempts: return "Too many password attempts from here. Wait a little, then try again.";
    case Id::ErrRoomQuota: return "You have created too many rooms. Delete one, or try again later.";
    case Id::ErrNotOwner: return "Only whoever created the room can rename or delete it.";
    case Id::ErrLargeRoomsUnavailable: return "Large rooms need the media server, which is not running here right now.";
    case Id::ErrLargeRoomMediaPending:
      return "Large rooms cannot be joined yet: their video and sound come in the next version.";
    case Id::ErrProtocol: return "The server could not understand this page. Reload the page.";
    case Id::ErrVersionMismatch: return "This page is older than the server. Reload the page.";
    case Id::ErrRateLimited: return "Too many requests at once. Wait a moment, then try again.";
    case Id::ErrInternal: return "Something went wrong on the server. Try again.";
    case Id::ErrServerBusy: return "The server is busy. Try again in a moment.";

    case Id::Count: break;
  }
  return "";
}

}  // namespace moim::ui_text::detail
