// The Korean catalog (shared/ui_text.hpp says how to add a text). One case per Id, in the header's
// order; {0}..{9} are the arguments. Plain UTF-8 only: wasm/CMakeLists.txt cuts the start-up font
// from this file's Hangul (and the English catalog's), so a text written with escapes would draw
// empty boxes until the lazily loaded Hangul font arrives.
#include "ui_text.hpp"

namespace moim::ui_text::detail {

std::string_view korean(Id id) {
  switch (id) {
    case Id::None: return "";

    // ---- the page, before and around the app ----
    case Id::AppName: return "모임";
    case Id::Tagline: return "Moim · 누구나 함께하는 화상 모임";
    case Id::SwitchLanguage: return "English";
    case Id::SwitchLanguageTip: return "영어로 보기";
    case Id::PageLoading: return "불러오는 중…";
    case Id::PageProgramNotLoaded: return "모임 프로그램({0})을 불러오지 못했습니다. 연결을 확인하고 페이지를 새로 고치세요.";
    case Id::PageCouldNotLoad: return "모임을 불러오지 못했습니다: {0}. 연결을 확인하고 페이지를 새로 고치세요.";
    case Id::PageStopped: return "모임이 멈췄습니다: {0}. 페이지를 새로 고쳐 다시 시도하세요.";
    case Id::NoWebGl2:
      return "모임을 시작할 수 없습니다: 이 브라우저에는 WebGL2가 없습니다. 브라우저 설정에서 하드웨어 가속을 켜거나 "
             "다른 브라우저를 쓰세요.";
    case Id::ShadersFailed: return "모임을 시작할 수 없습니다: 이 브라우저에서 WebGL2 셰이더를 컴파일하지 못했습니다.";
    case Id::NoWebSocket: return "이 브라우저는 서버에 WebSocket을 열 수 없습니다.";

    // ---- the link to the server ----
    case Id::StatusConnected: return "연결됨";
    case Id::StatusConnecting: return "연결 중…";
    case Id::StatusReconnecting: return "다시 연결 중…";
    case Id::StatusRetryIn: return "다시 연결 중… ({0}초 뒤 다시 시도)";
    case Id::CallReconnecting: return "다시 연결 중… (통화는 계속됩니다)";
    case Id::MediaReconnecting: return "미디어 다시 연결 중…";

    // ---- the camera preview before joining ----
    case Id::PreviewInsecure:
      return "카메라와 마이크는 보안 페이지에서만 쓸 수 있습니다: 이 앱을 https(또는 localhost)로 여세요. 그래도 "
             "참여해서 다른 사람을 보고 들을 수 있습니다.";
    case Id::PreviewStarting: return "카메라 켜는 중…";
    case Id::PreviewIdle: return "참여할 때까지 카메라 꺼짐";
    case Id::PreviewNoDevices: return "카메라와 마이크를 쓸 수 없음: 카메라와 마이크 없이 참여합니다";
    case Id::PreviewNoCamera: return "카메라 없음: 음성으로만 참여합니다";
    case Id::PreviewCameraOff: return "카메라 꺼짐: 영상 없이 참여합니다";

    // ---- the lobby ----
    case Id::YourName: return "내 이름";
    case Id::NameHint: return "다른 사람에게 보일 이름";
    case Id::RoomsTitle: return "방 목록";
    case Id::CreateRoomButton: return "+  방 만들기";
    case Id::FilterHint: return "방 찾기";
    case Id::NoRoomsYet: return "아직 방이 없습니다. 첫 방을 만들어 보세요.";
    case Id::WaitingForServer: return "서버를 기다리는 중…";
    case Id::NoRoomMatches: return "이름에 \"{0}\"이(가) 들어간 방이 없습니다.";
    case Id::Rename: return "이름 변경";
    case Id::Delete: return "삭제";
    case Id::Join: return "참여";
    case Id::Full: return "만원";
    case Id::LargeRoomLabel: return "대규모 방";
    case Id::RoomFullCount: return "\"{0}\" 방은 가득 찼습니다 ({1}/{2}).";
    case Id::NameEmpty: return "먼저 이름을 입력하세요.";
    case Id::NameTooLong: return "이름은 {0}자까지 쓸 수 있습니다.";
    case Id::NameInvalid: return "이름에는 제어 문자를 쓸 수 없습니다.";
    case Id::RoomNameEmpty: return "방 이름을 입력하세요.";
    case Id::RoomNameTooLong: return "방 이름은 {0}자까지 쓸 수 있습니다.";
    case Id::RoomNameInvalid: return "방 이름에는 제어 문자를 쓸 수 없습니다.";
    case Id::RoomNameExists: return "\"{0}\" 방이 이미 있습니다. 다른 이름을 고르세요.";

    // ---- the create-room dialog ----
    case Id::CreateTitle: return "방 만들기";
    case Id::RoomNameLabel: return "방 이름";
    case Id::RoomNameHint: return "예: 팀 회의";
    case Id::CapacityLabel: return "정원 (명)";
    case Id::PasswordLabel: return "비밀번호 (선택)";
    case Id::PasswordHint: return "비워 두면 공개 방";
    case Id::OpenRoomNote: return "비워 두면 누구나 참여할 수 있습니다.";
    case Id::PasswordFieldTooLong: return "너무 깁니다: 비밀번호는 {0}바이트(UTF-8)까지인데 지금 {1}바이트입니다.";
    case Id::PasswordTooLongCreate: return "비밀번호가 너무 깁니다: {0}바이트까지입니다 (지금 {1}바이트).";
    case Id::Cancel: return "취소";
    case Id::Create: return "만들기";
    case Id::Creating: return "만드는 중…";
    case Id::LargeRoomsUnavailableNote: return "{0}명이 넘는 방에는 미디어 서버가 필요한데, 여기서는 실행되고 있지 않습니다.";
    case Id::LargeRoomNote:
      return "{0}명이 넘는 방은 대규모 방입니다. 모두의 영상과 소리가 미디어 서버를 거쳐 전달됩니다.";

    // ---- the password prompt, rename and delete ----
    case Id::PasswordNeeded: return "비밀번호 필요";
    case Id::RoomLocked: return "\"{0}\" 방은 잠겨 있습니다. 참여하려면 비밀번호를 입력하세요.";
    case Id::JoinPasswordHint: return "방 비밀번호";
    case Id::EnterPassword: return "방 비밀번호를 입력하세요.";
    case Id::PasswordMax: return "비밀번호는 {0}바이트까지입니다.";
    case Id::RoomGoneShort: return "그 방은 더 이상 없습니다.";
    case Id::RenameTitle: return "방 이름 바꾸기";
    case Id::RenameFor: return "\"{0}\" 방의 새 이름";
    case Id::RenameHint: return "새 방 이름";
    case Id::DeleteTitle: return "방 삭제";
    case Id::DeleteQuestion: return "\"{0}\" 방을 삭제할까요? 방에 있는 사람들은 연결이 끊깁니다.";

    // ---- invite links ----
    case Id::JoinByLinkTitle: return "“{0}” 참여";
    case Id::InvitedText: return "이 방에 초대받았습니다. 다른 사람에게 보일 이름:";
    case Id::CopyInvite: return "초대 링크 복사";
    case Id::LinkCopied: return "링크를 복사했습니다";
    case Id::CopyFailed: return "여기서는 복사가 되지 않았습니다 ({0}). 링크를 선택해서 복사하세요 (Ctrl+C):";
    case Id::BrowserRefused: return "브라우저가 거부함";
    case Id::NoClipboard: return "이 페이지는 클립보드를 쓸 수 없음: https:// 또는 localhost가 필요함";
    case Id::Close: return "닫기";
    case Id::RoomGoneLink: return "그 방은 더 이상 없습니다. 다른 방을 고르거나 새로 만드세요.";
    case Id::BadLink: return "이 링크는 여기 있는 방으로 이어지지 않습니다 (방 링크는 #/room/ 뒤에 숫자가 붙습니다).";

    // ---- the call ----
    case Id::PeopleCountOne: return "{0}명 · 최대 {1}명";
    case Id::PeopleCountMany: return "{0}명 · 최대 {1}명";
    case Id::GridView: return "바둑판 보기";
    case Id::SpeakerView: return "발언자 보기";
    case Id::GridPrevious: return "이전";
    case Id::GridNext: return "다음";
    case Id::More: return "더 보기";
    case Id::ClickForSound: return "클릭해서 소리 켜기";
    case Id::Mute: return "음소거";
    case Id::Unmute: return "음소거 해제";
    case Id::NoMicrophone: return "마이크 없음";
    case Id::StopVideo: return "비디오 끄기";
    case Id::StartVideo: return "비디오 켜기";
    case Id::NoCamera: return "카메라 없음";
    case Id::ShareScreen: return "화면 공유";
    case Id::StopSharing: return "공유 중지";
    case Id::Choosing: return "고르는 중…";
    case Id::Chat: return "채팅";
    case Id::ChatUnread: return "채팅 ({0})";
    case Id::People: return "참여자";
    case Id::Stats: return "통계";
    case Id::SendFile: return "파일 보내기";
    case Id::Leave: return "나가기";
    case Id::CameraOff: return "카메라 꺼짐";
    case Id::StartingCamera: return "카메라 켜는 중…";
    case Id::Connecting: return "연결 중…";
    case Id::YouSuffix: return "{0} (나)";
    case Id::WaitingForScreen: return "화면을 기다리는 중…";
    case Id::YourScreen: return "내 화면";
    case Id::TheirScreen: return "{0}님의 화면";
    case Id::KeyboardShortcuts: return "키보드 단축키";
    case Id::KeyMic: return "마이크 음소거 또는 해제";
    case Id::KeyCamera: return "카메라 끄기 또는 켜기";
    case Id::KeyShare: return "화면 공유 또는 공유 중지";
    case Id::KeyChat: return "채팅 열기 또는 닫기";
    case Id::KeyHelp: return "이 단축키 보기 또는 숨기기";
    case Id::WithKey: return "{0} ({1})";
    case Id::JoinedFromOtherTab: return "다른 탭에서 이 방에 참여했습니다.";
    case Id::RoomDeleted: return "방을 만든 사람이 방을 삭제했습니다.";
    case Id::ScreenUnavailable: return "화면 공유를 쓸 수 없습니다: {0}";
    case Id::NoCameraAudioOnly: return "카메라가 없습니다. 음성으로만 참여합니다.";
    case Id::NoMicVideoOnly: return "마이크가 없습니다. 영상으로만 참여합니다.";
    case Id::DevicesUnavailable:
      return "카메라와 마이크를 쓸 수 없습니다 ({0}). 소리와 영상을 보내지 않고 참여하며, 다른 사람의 영상과 소리는 "
             "보고 들을 수 있습니다.";
    case Id::NoDevicesInsecure:
      return "카메라와 마이크는 보안 페이지(https:// 또는 http://localhost)에서만 쓸 수 있습니다. 소리와 영상을 "
             "보내지 않고 참여하며, 다른 사람의 영상과 소리는 보고 들을 수 있습니다.";

    // ---- devices ----
    case Id::Devices: return "장치";
    case Id::DevicesTip: return "카메라와 마이크";
    case Id::DevicesSubtitle: return "바꿔도 통화는 계속됩니다";
    case Id::DeviceCamera: return "카메라";
    case Id::DeviceMicrophone: return "마이크";
    case Id::DeviceDefault: return "기본 장치";
    case Id::DeviceUnnamedCamera: return "카메라 {0}";
    case Id::DeviceUnnamedMic: return "마이크 {0}";
    case Id::PrejoinNoMic: return "마이크 없음";
    case Id::PrejoinMicOn: return "마이크 켜짐";
    case Id::PrejoinMicOff: return "마이크 꺼짐";
    case Id::PrejoinCameraOn: return "카메라 켜짐";
    case Id::JoinMicOff: return "마이크를 끄고 참여";
    case Id::JoinMicOn: return "마이크를 켜고 참여";
    case Id::JoinCameraOff: return "카메라를 끄고 참여";
    case Id::JoinCameraOn: return "카메라를 켜고 참여";
    case Id::MicLevel: return "마이크 음량";
    case Id::MicLevelMuted: return "마이크 음량 (음소거됨)";
    case Id::CameraUnplugged: return "카메라 “{0}” 연결이 끊겼습니다. 대신 쓸 카메라가 없습니다.";
    case Id::MicUnplugged: return "마이크 “{0}” 연결이 끊겼습니다. 대신 쓸 마이크가 없습니다.";
    case Id::CameraUnpluggedSwitched: return "카메라 “{0}” 연결이 끊겨 “{1}”(으)로 바꿨습니다.";
    case Id::MicUnpluggedSwitched: return "마이크 “{0}” 연결이 끊겨 “{1}”(으)로 바꿨습니다.";
    case Id::CameraPluggedIn: return "카메라 “{0}”이(가) 연결되었습니다. 장치에서 고를 수 있습니다.";
    case Id::MicPluggedIn: return "마이크 “{0}”이(가) 연결되었습니다. 장치에서 고를 수 있습니다.";
    case Id::DeviceSwitchFailed: return "“{0}”(으)로 바꾸지 못했습니다: {1}";

    // ---- a peer's connection, in words ----
    case Id::ConnNew: return "준비 중";
    case Id::ConnConnecting: return "연결 중";
    case Id::ConnConnected: return "연결됨";
    case Id::ConnDisconnected: return "연결 끊김";
    case Id::ConnFailed: return "실패";
    case Id::ConnClosed: return "닫힘";
    case Id::ConnUnreachable: return "연결 불가";
    case Id::ConnAway: return "자리 비움";
    case Id::UnreachableText: return "{0}님에게 연결할 수 없습니다: 네트워크가 직접 연결을 막고 있습니다.";
    case Id::UnreachableNoTurn:
      return "이런 네트워크를 우회해 통화를 중계할 TURN 서버가 설정되어 있지 않습니다 (README의 'Run it on a "
             "server' 참고).";
    case Id::UnreachableTrying: return "백그라운드에서 계속 연결을 시도하고 있습니다.";

    // ---- the chat ----
    case Id::ChatSubtitle: return "브라우저끼리 직접, 서버를 거치지 않음";
    case Id::ChatSubtitleLargeRoom: return "큰 방에서는 서버를 거쳐 전달됨";
    case Id::NoMessages: return "아직 메시지가 없습니다. 메시지는 통화 중인 모두에게 갑니다.";
    case Id::Send: return "보내기";
    case Id::ChatHint: return "모두에게 메시지";
    case Id::ChatTooLong: return "너무 깁니다: {0}자. 메시지는 {1}자까지 쓸 수 있습니다.";
    case Id::ChatControlChars: return "이 메시지에는 보낼 수 없는 제어 문자가 있습니다.";

    // ---- the people and stats panels ----
    case Id::PeopleTitle: return "참여자 ({0})";
    case Id::MicOn: return "마이크 켜짐";
    case Id::Muted: return "음소거";
    case Id::CameraOnLower: return "카메라 켜짐";
    case Id::CameraOffLower: return "카메라 꺼짐";
    case Id::StatsTitle: return "연결 상태";
    case Id::StatsSubtitle: return "사람별, 최근 60초";
    case Id::NobodyElse: return "아직 통화에 다른 사람이 없습니다.";
    case Id::MetricIn: return "수신";
    case Id::MetricOut: return "송신";
    case Id::MetricRtt: return "왕복 시간";
    case Id::MetricLoss: return "손실";
    case Id::MetricFps: return "프레임";
    case Id::QualityGood: return "좋음";
    case Id::QualityFair: return "보통";
    case Id::QualityPoor: return "나쁨";

    // ---- file transfers ----
    case Id::Accept: return "받기";
    case Id::Decline: return "거절";
    case Id::Save: return "저장";
    case Id::Dismiss: return "지우기";
    case Id::MoreCards: return "+ {0}개 더";
    case Id::NobodyCanReceive: return "아직 통화에서 파일을 받을 수 있는 사람이 없습니다.";
    case Id::CantReceiveNow: return "{0}님은 지금 파일을 받을 수 없습니다.";
    case Id::WaitingForLink: return "빈 연결을 기다리는 중 (한 번에 최대 {0}개)";
    case Id::SomeoneWhoLeft: return "나간 사람";
    case Id::TransferTo: return "받는 사람: {0}";
    case Id::TransferFrom: return "보낸 사람: {0}";
    case Id::WaitingToAccept: return "{0}님이 받기를 기다리는 중";
    case Id::WantsToSend: return "{0}님이 이 파일을 보내려고 합니다";
    case Id::TimeLeft: return "{0} 남음";
    case Id::Confirming: return "보냄 · {0}님이 확인하는 중";
    case Id::SentTo: return "{0}님에게 보냄";
    case Id::ReceivedChecked: return "받고 확인함";
    case Id::PeerDeclinedTooLarge: return "{0}님이 거절함: 너무 큼";
    case Id::DeclinedOverLimit: return "거절함: {0} 제한 초과";
    case Id::PeerDeclinedTooMany: return "{0}님이 거절함: 파일이 너무 많음";
    case Id::DeclinedTooMany: return "거절함: 한 번에 파일이 너무 많음";
    case Id::PeerDeclined: return "{0}님이 거절함";
    case Id::YouDeclined: return "내가 거절함";
    case Id::CancelledBy: return "{0}님이 취소함";
    case Id::YouCancelled: return "내가 취소함";
    case Id::FailedPeerLeft: return "실패: {0}님이 나감";
    case Id::FailedChannel: return "실패: 연결이 끊김";
    case Id::FailedRead: return "실패: 파일을 읽지 못함";
    case Id::FailedLinkTimeout: return "실패: 제시간에 {0}님과 연결하지 못함";
    case Id::FailedPeerIncomplete: return "실패: {0}님이 일부만 받음";
    case Id::FailedIncomplete: return "실패: 일부만 도착함, 저장하지 않음";
    case Id::FailedPeerDamaged: return "실패: {0}님이 손상된 파일을 받음";
    case Id::FailedDamaged: return "실패: 손상되어 도착함 (체크섬), 저장하지 않음";
    case Id::Failed: return "실패";
    case Id::RefusedTooLarge: return "\"{0}\"은(는) {1}입니다: 파일은 {2}까지 보낼 수 있습니다.";
    case Id::RefusedBadName: return "이 파일 이름은 보낼 수 없습니다 (제어 문자가 있거나 너무 김).";
    case Id::RefusedTooMany: return "한 번에 전송이 너무 많습니다: 몇 개가 끝날 때까지 기다리세요.";
    case Id::RefusedOther: return "파일을 보내지 못했습니다.";
    case Id::DurationSeconds: return "{0}초";
    case Id::DurationMinutes: return "{0}분";
    case Id::DurationHours: return "{0}시간 {1}분";
    case Id::DurationLong: return "100시간 넘게";

    // ---- the server's refusals ----
    case Id::ErrNameInvalid: return "서버가 이름을 받지 않았습니다: 비었거나, 너무 길거나, 제어 문자가 있습니다.";
    case Id::ErrRoomNameInvalid: return "서버가 그 방 이름을 받지 않았습니다: 비었거나, 너무 길거나, 제어 문자가 있습니다.";
    case Id::ErrRoomNameTaken: return "그 이름의 방이 이미 있습니다. 다른 이름을 고르세요.";
    case Id::ErrCapacityInvalid: return "이 서버에서는 그 정원을 쓸 수 없습니다.";
    case Id::ErrRoomNotFound: return "그 방은 없습니다 (삭제되었을 수 있습니다).";
    case Id::ErrRoomFull: return "그 방은 가득 찼습니다.";
    case Id::ErrAlreadyInRoom: return "이미 방에 있습니다. 다른 방에 참여하려면 먼저 나가세요.";
    case Id::ErrNotInRoom: return "방에 있지 않습니다.";
    case Id::ErrTooManyRooms: return "서버에 방이 더 들어갈 자리가 없습니다. 나중에 다시 시도하세요.";
    case Id::ErrSessionExpired: return "이전 세션이 끝났습니다. 방에 다시 참여하세요.";
    case Id::ErrPasswordRequired: return "이 방에는 비밀번호가 필요합니다.";
    case Id::ErrPasswordWrong: return "비밀번호가 틀렸습니다.";
    case Id::ErrTooManyAttempts: return "비밀번호 확인 요청이 너무 많습니다. 잠시 뒤에 다시 시도하세요.";
    case Id::ErrRoomQuota: return "방을 너무 많이 만들었습니다. 하나를 삭제하거나 나중에 다시 시도하세요.";
    case Id::ErrNotOwner: return "방을 만든 사람만 이름을 바꾸거나 삭제할 수 있습니다.";
    case Id::ErrLargeRoomsUnavailable: return "대규모 방에는 미디어 서버가 필요한데, 지금 여기서는 실행되고 있지 않습니다.";
    case Id::ErrLargeRoomMediaPending: return "대규모 방에는 아직 참여할 수 없습니다. 영상과 소리는 다음 버전부터 지원됩니다.";
    case Id::ErrProtocol: return "서버가 이 페이지의 요청을 이해하지 못했습니다. 페이지를 새로 고치세요.";
    case Id::ErrVersionMismatch: return "이 페이지가 서버보다 오래되었습니다. 페이지를 새로 고치세요.";
    case Id::ErrRateLimited: return "요청이 한꺼번에 너무 많습니다. 잠시 뒤에 다시 시도하세요.";
    case Id::ErrInternal: return "서버에서 문제가 생겼습니다. 다시 시도하세요.";
    case Id::ErrServerBusy: return "서버가 바쁩니다. 잠시 뒤에 다시 시도하세요.";

    case Id::Count: break;
  }
  return "";
}

}  // namespace moim::ui_text::detail
