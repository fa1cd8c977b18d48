#include "ui_text.hpp"
#include "utf8.hpp"

#include <set>

namespace moim::ui_text {

std::string_view tag(Lang lang) { return lang == Lang::Ko ? "ko" : "en"; }

Lang language_from_tag(std::string_view t) {
  // "ko", "ko-KR", "ko_KR", "KO": the primary subtag alone decides; anything else is English.
  if (t.size() < 2) return Lang::En;
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  if (lower(t[0]) != 'k' || lower(t[1]) != 'o') return Lang::En;
  return t.size() == 2 || t[2] == '-' || t[2] == '_' ? Lang::Ko : Lang::En;
}

std::string_view text(Lang lang, Id id) {
  if (static_cast<std::size_t>(id) >= kIds) return {};
  return lang == Lang::Ko ? detail::korean(id) : detail::english(id);
}

namespace {
template <class Args>
std::string fill(std::string_view pattern, const Args& args) {
  std::string out;
  out.reserve(pattern.size() + 16);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    // "{d}" with an argument for d: the argument; anything else as written.
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9' &&
        pattern[i + 2] == '}') {
      const auto n = static_cast<std::size_t>(pattern[i + 1] - '0');
      if (n < args.size()) {
        out.append(*(args.begin() + static_cast<std::ptrdiff_t>(n)));
        i += 2;
        continue;
      }
    }
    out.push_back(pattern[i]);
  }
  return out;
}
}  // namespace

std::string format(Lang lang, Id id, std::initializer_list<std::string_view> args) {
  return fill(text(lang, id), args);
}

std::string format(Lang lang, Id id, const std::vector<std::string>& args) { return fill(text(lang, id), args); }

std::string render(Lang lang, const Message& m) {
  std::string out = format(lang, m.id, m.args);
  for (const Message& next : m.more) {
    if (!out.empty()) out += ' ';
    out += render(lang, next);
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Message& m) { return os << render(Lang::En, m); }

Id error_text(proto::ErrorCode code) {
  using proto::ErrorCode;
  switch (code) {
    case ErrorCode::NameInvalid: return Id::ErrNameInvalid;
    case ErrorCode::RoomNameInvalid: return Id::ErrRoomNameInvalid;
    case ErrorCode::RoomNameTaken: return Id::ErrRoomNameTaken;
    case ErrorCode::CapacityInvalid: return Id::ErrCapacityInvalid;
    case ErrorCode::RoomNotFound: return Id::ErrRoomNotFound;
    case ErrorCode::RoomFull: return Id::ErrRoomFull;
    case ErrorCode::AlreadyInRoom: return Id::ErrAlreadyInRoom;
    case ErrorCode::NotInRoom: return Id::ErrNotInRoom;
    case ErrorCode::TooManyRooms: return Id::ErrTooManyRooms;
    case ErrorCode::SessionExpired: return Id::ErrSessionExpired;
    case ErrorCode::PasswordRequired: return Id::ErrPasswordRequired;
    case ErrorCode::PasswordWrong: return Id::ErrPasswordWrong;
    case ErrorCode::TooManyAttempts: return Id::ErrTooManyAttempts;
    case ErrorCode::RoomQuota: return Id::ErrRoomQuota;
    case ErrorCode::NotOwner: return Id::ErrNotOwner;
    case ErrorCode::LargeRoomsUnavailable: return Id::ErrLargeRoomsUnavailable;
    case ErrorCode::LargeRoomMediaPending: return Id::ErrLargeRoomMediaPending;
    // The page sent something the server could not take: nothing the person did, nothing to fix
    // but a reload.
    case ErrorCode::BadJson:
    case ErrorCode::BadUtf8:
    case ErrorCode::MessageTooLarge:
    case ErrorCode::BinaryNotSupported:
    case ErrorCode::MissingType:
    case ErrorCode::UnknownType:
    case ErrorCode::BadField:
    case ErrorCode::SpoofedSender:
    case ErrorCode::PeerNotFound:
    case ErrorCode::HelloRequired:
    case ErrorCode::SignalTooLarge:
    case ErrorCode::NotInLargeRoom:
    case ErrorCode::PeerMessageTooLarge: return Id::ErrProtocol;
    case ErrorCode::VersionMismatch: return Id::ErrVersionMismatch;
    case ErrorCode::RateLimited: return Id::ErrRateLimited;
    case ErrorCode::Internal: return Id::ErrInternal;
    case ErrorCode::ServerBusy: return Id::ErrServerBusy;
    case ErrorCode::MediaFailed: return Id::ErrInternal;  // the client starts its media over
  }
  return Id::ErrInternal;  // a value outside the enum (never from the codec, which maps names)
}

const std::vector<char32_t>& characters(Lang lang) {
  static const auto collect = [](Lang l) {
    std::set<char32_t> seen;
    for (std::size_t i = 0; i < kIds; ++i) {
      const std::string_view s = text(l, static_cast<Id>(i));
      // The catalog is UTF-8 we wrote ourselves (tests/unit/ui_text_test.cpp checks it).
      utf8::for_each_codepoint(s, [&](unsigned cp) {
        if (cp > 0x7E) seen.insert(static_cast<char32_t>(cp));
      });
    }
    return std::vector<char32_t>(seen.begin(), seen.end());
  };
  static const std::vector<char32_t> en = collect(Lang::En), ko = collect(Lang::Ko);
  return lang == Lang::Ko ? ko : en;
}

}  // namespace moim::ui_text
