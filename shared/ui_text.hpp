// Every word a person sees, in one catalog: English (shared/ui_text_en.cpp) and Korean
// (shared/ui_text_ko.cpp). The UI, the machines in shared/ and the page's loading screen name a text
// by its Id; the language is chosen only where it is shown (a Message is kept language-free, so a
// switch of language changes every string at the next frame).
//
// Adding a text: an Id here (in its group), then one `case` in each language file. The compiler
// warns about a switch that misses it (-Wswitch) and tests/unit/ui_text_test.cpp fails until both
// languages have it with the same placeholders. Placeholders are {0} to {9}; a person's or a room's
// name goes in as an argument, never into the catalog. Write Korean as plain UTF-8 in
// ui_text_ko.cpp, never as escapes: the start-up font is cut from that file's Hangul
// (wasm/CMakeLists.txt), so the UI's own Hangul never waits for the lazily loaded font.
#pragma once

#include "protocol.hpp"

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace moim::ui_text {

enum class Lang { En, Ko };
inline constexpr Lang kAllLangs[] = {Lang::En, Lang::Ko};

// "en" / "ko": the test surface's and storage's spelling.
std::string_view tag(Lang lang);
// A browser's language tag (navigator.language, "ko-KR", "ko", "en-US") or a stored "ko" / "en":
// Korean for "ko" and its regions (case-insensitive), English for anything else (also garbage).
Lang language_from_tag(std::string_view tag);
// The storage key under which the person's choice is kept (web/glue/storage.js).
inline constexpr const char* kLanguageSetting = "moim.language";

enum class Id : std::uint16_t {
  None,  // no text (an empty Message); "" in every language

  // ---- the page, before and around the app ----
  AppName,            // the logo
  Tagline,            // under the logo
  SwitchLanguage,     // the lobby's language button: the other language, in its own words
  SwitchLanguageTip,  // its tooltip
  PageLoading,
  PageProgramNotLoaded,  // {0}: the script's file name
  PageCouldNotLoad,      // {0}: the browser's reason
  PageStopped,           // {0}: the browser's reason
  NoWebGl2,
  ShadersFailed,
  NoWebSocket,

  // ---- the link to the server ----
  StatusConnected,
  StatusConnecting,
  StatusReconnecting,
  StatusRetryIn,  // {0}: seconds
  CallReconnecting,
  MediaReconnecting,

  // ---- the camera preview before joining ----
  PreviewInsecure,
  PreviewStarting,
  PreviewIdle,
  PreviewNoDevices,
  PreviewNoCamera,
  PreviewCameraOff,

  // ---- the lobby ----
  YourName,
  NameHint,
  RoomsTitle,
  CreateRoomButton,
  FilterHint,
  NoRoomsYet,
  WaitingForServer,
  NoRoomMatches,  // {0}: what was typed
  Rename,
  Delete,
  Join,
  Full,
  LargeRoomLabel,  // the room list's mark of a large room (more people than a mesh room holds)
  RoomFullCount,  // {0}: room, {1}: people in it, {2}: capacity
  NameEmpty,
  NameTooLong,  // {0}: characters
  NameInvalid,
  RoomNameEmpty,
  RoomNameTooLong,  // {0}: characters
  RoomNameInvalid,
  RoomNameExists,  // {0}: room

  // ---- the create-room dialog ----
  CreateTitle,
  RoomNameLabel,
  RoomNameHint,
  CapacityLabel,
  PasswordLabel,
  PasswordHint,
  OpenRoomNote,
  PasswordFieldTooLong,   // {0}: the limit in bytes, {1}: bytes typed
  PasswordTooLongCreate,  // {0}: the limit in bytes, {1}: bytes typed
  Cancel,
  Create,
  Creating,
  LargeRoomsUnavailableNote,  // {0}: the most people in a mesh room; under the capacity, Create disabled
  LargeRoomNote,              // {0}: the same; under the capacity when a large room can be created

  // ---- the password prompt, rename and delete ----
  PasswordNeeded,
  RoomLocked,  // {0}: room
  JoinPasswordHint,
  EnterPassword,
  PasswordMax,  // {0}: the limit in bytes
  RoomGoneShort,
  RenameTitle,
  RenameFor,  // {0}: room
  RenameHint,
  DeleteTitle,
  DeleteQuestion,  // {0}: room

  // ---- invite links ----
  JoinByLinkTitle,  // {0}: room
  InvitedText,
  CopyInvite,
  LinkCopied,
  CopyFailed,  // {0}: why
  BrowserRefused,
  NoClipboard,
  Close,
  RoomGoneLink,
  BadLink,

  // ---- the call ----
  PeopleCountOne,   // {0}: people, {1}: capacity
  PeopleCountMany,  // {0}: people, {1}: capacity
  GridView,
  SpeakerView,
  GridPrevious,  // a grid too small for everyone: the page before
  GridNext,      // the page after
  More,          // a narrow window's control bar: the menu of the buttons it has no room for
  ClickForSound,
  Mute,
  Unmute,
  NoMicrophone,
  StopVideo,
  StartVideo,
  NoCamera,
  ShareScreen,
  StopSharing,
  Choosing,
  Chat,
  ChatUnread,  // {0}: count
  People,
  Stats,
  SendFile,
  Leave,
  CameraOff,
  StartingCamera,
  Connecting,
  YouSuffix,  // {0}: our name
  WaitingForScreen,
  YourScreen,
  TheirScreen,  // {0}: whose
  KeyboardShortcuts,
  KeyMic,
  KeyCamera,
  KeyShare,
  KeyChat,
  KeyHelp,
  WithKey,  // {0}: a button's label, {1}: its key
  JoinedFromOtherTab,
  RoomDeleted,
  ScreenUnavailable,  // {0}: the browser's reason
  NoCameraAudioOnly,
  NoMicVideoOnly,
  DevicesUnavailable,  // {0}: the browser's reason
  NoDevicesInsecure,

  // ---- devices: the pickers, the pre-join buttons, the meter, the devices panel, notices ----
  Devices,
  DevicesTip,
  DevicesSubtitle,
  DeviceCamera,
  DeviceMicrophone,
  DeviceDefault,
  DeviceUnnamedCamera,  // {0}: its place in the list (a device the browser gives no label)
  DeviceUnnamedMic,     // {0}: likewise
  PrejoinNoMic,
  PrejoinMicOn,
  PrejoinMicOff,
  PrejoinCameraOn,
  JoinMicOff,
  JoinMicOn,
  JoinCameraOff,
  JoinCameraOn,
  MicLevel,
  MicLevelMuted,
  CameraUnplugged,          // {0}: the camera's label
  MicUnplugged,             // {0}: the microphone's label
  CameraUnpluggedSwitched,  // {0}: the one gone, {1}: the one used instead
  MicUnpluggedSwitched,     // {0}, {1}: likewise
  CameraPluggedIn,          // {0}: the new camera's label
  MicPluggedIn,             // {0}: likewise
  DeviceSwitchFailed,       // {0}: the device's label, {1}: the browser's reason

  // ---- a peer's connection, in words ----
  ConnNew,
  ConnConnecting,
  ConnConnected,
  ConnDisconnected,
  ConnFailed,
  ConnClosed,
  ConnUnreachable,
  ConnAway,
  UnreachableText,  // {0}: name
  UnreachableNoTurn,
  UnreachableTrying,

  // ---- the chat ----
  ChatSubtitle,
  ChatSubtitleLargeRoom,  // a large room's chat goes through the server (no data channels there)
  NoMessages,
  Send,
  ChatHint,
  ChatTooLong,  // {0}: characters, {1}: the limit
  ChatControlChars,

  // ---- the people and stats panels ----
  PeopleTitle,  // {0}: count
  MicOn,
  Muted,
  CameraOnLower,
  CameraOffLower,
  StatsTitle,
  StatsSubtitle,
  NobodyElse,
  MetricIn,
  MetricOut,
  MetricRtt,
  MetricLoss,
  MetricFps,
  QualityGood,
  QualityFair,
  QualityPoor,

  // ---- file transfers ----
  Accept,
  Decline,
  Save,
  Dismiss,
  MoreCards,  // {0}: count
  NobodyCanReceive,
  CantReceiveNow,  // {0}: name
  WaitingForLink,  // {0}: the most data links at once (a large room's transfer waits for one: shared/data_links.hpp)
  SomeoneWhoLeft,
  TransferTo,            // {0}: name
  TransferFrom,          // {0}: name
  WaitingToAccept,       // {0}: name
  WantsToSend,           // {0}: name
  TimeLeft,              // {0}: a duration
  Confirming,            // {0}: name
  SentTo,                // {0}: name
  ReceivedChecked,
  PeerDeclinedTooLarge,  // {0}: name
  DeclinedOverLimit,     // {0}: a size
  PeerDeclinedTooMany,   // {0}: name
  DeclinedTooMany,
  PeerDeclined,  // {0}: name
  YouDeclined,
  CancelledBy,  // {0}: name
  YouCancelled,
  FailedPeerLeft,  // {0}: name
  FailedChannel,
  FailedRead,
  FailedLinkTimeout,  // {0}: name (a large room's data link was not up in time)
  FailedPeerIncomplete,  // {0}: name
  FailedIncomplete,
  FailedPeerDamaged,  // {0}: name
  FailedDamaged,
  Failed,
  RefusedTooLarge,  // {0}: file name, {1}: its size, {2}: the limit
  RefusedBadName,
  RefusedTooMany,
  RefusedOther,
  DurationSeconds,  // {0}
  DurationMinutes,  // {0}
  DurationHours,    // {0}: hours, {1}: minutes
  DurationLong,

  // ---- the server's refusals (error_text maps every proto::ErrorCode here) ----
  ErrNameInvalid,
  ErrRoomNameInvalid,
  ErrRoomNameTaken,
  ErrCapacityInvalid,
  ErrRoomNotFound,
  ErrRoomFull,
  ErrAlreadyInRoom,
  ErrNotInRoom,
  ErrTooManyRooms,
  ErrSessionExpired,
  ErrPasswordRequired,
  ErrPasswordWrong,
  ErrTooManyAttempts,
  ErrRoomQuota,
  ErrNotOwner,
  ErrLargeRoomsUnavailable,
  ErrLargeRoomMediaPending,
  ErrProtocol,  // the page and the server do not understand each other (bad JSON, unknown type, ...)
  ErrVersionMismatch,
  ErrRateLimited,
  ErrInternal,
  ErrServerBusy,

  Count  // not a text: the number of Ids
};
inline constexpr std::size_t kIds = static_cast<std::size_t>(Id::Count);

// The text as written in the catalog, placeholders and all ("" for None and out-of-range values).
std::string_view text(Lang lang, Id id);
// The text with {0}..{9} replaced by `args` (a placeholder without an argument stays as written).
std::string format(Lang lang, Id id, std::initializer_list<std::string_view> args = {});
std::string format(Lang lang, Id id, const std::vector<std::string>& args);

// A text to show later, in whatever language is current then: what machines keep (a dialog's
// error, the call's note). Empty when id is None.
struct Message {
  Message() = default;
  Message(Id text, std::vector<std::string> arguments = {}) : id(text), args(std::move(arguments)) {}
  Id id = Id::None;
  std::vector<std::string> args;
  std::vector<Message> more;  // shown after this one, a space between (two notices from one event)
  bool empty() const { return id == Id::None; }
  bool operator==(const Message&) const = default;
};
std::string render(Lang lang, const Message& message);
// In English (logs and the machines' printed effects).
std::ostream& operator<<(std::ostream& os, const Message& message);

// What the person is told for a refusal from the server: the code's entry, never the server's
// own English sentence.
Id error_text(proto::ErrorCode code);

// Every character (Unicode code point) of a language's catalog above U+007E, sorted and once each:
// what the start-up font must hold for that language (wasm/ui/glyph_cache.cpp).
const std::vector<char32_t>& characters(Lang lang);

namespace detail {
// The two catalogs, one switch each (ui_text_en.cpp, ui_text_ko.cpp); "" for an Id without a text.
std::string_view english(Id id);
std::string_view korean(Id id);
}  // namespace detail

}  // namespace moim::ui_text
