#include "transfer_text.hpp"

#include <cmath>
#include <cstdio>

namespace moim::transfer_text {

using ui_text::Id;
using ui_text::Lang;

namespace {
// "12 s", "3 min", "2 h 5 min"
std::string duration(Lang lang, double seconds) {
  if (!(seconds < 100 * 3600.0)) return std::string(text(lang, Id::DurationLong));  // a trickle (or NaN): no number worth showing
  const long long s = static_cast<long long>(std::ceil(std::max(seconds, 1.0)));
  if (s < 60) return format(lang, Id::DurationSeconds, {std::to_string(s)});
  if (s < 3600) return format(lang, Id::DurationMinutes, {std::to_string((s + 59) / 60)});
  return format(lang, Id::DurationHours, {std::to_string(s / 3600), std::to_string((s % 3600) / 60)});
}
}  // namespace

std::string byte_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", std::floor(v * 10) / 10, units[u]);  // never rounded up past the truth
  return buf;
}

std::string counterpart(Lang lang, const files::Transfer& t, std::string_view peer_name) {
  return format(lang, t.direction == files::Direction::Out ? Id::TransferTo : Id::TransferFrom, {peer_name});
}

double progress(const files::Transfer& t) {
  using files::State;
  if (t.state != State::Sending && t.state != State::Receiving && t.state != State::Confirming) return -1;
  if (t.size == 0) return 1;
  return std::min(1.0, static_cast<double>(t.bytes) / static_cast<double>(t.size));
}

bool waits_for_link(const files::Transfer& t, bool link_queued) {
  return link_queued && (t.state == files::State::Sending || t.state == files::State::Receiving) && t.bytes == 0;
}

std::string status(Lang lang, const files::Transfer& t, std::string_view peer, std::uint64_t max_bytes) {
  using files::Direction;
  using files::Fault;
  using files::State;
  const auto say = [&](Id id) { return format(lang, id, {peer}); };
  const bool out = t.direction == Direction::Out;
  switch (t.state) {
    case State::Offered: return say(out ? Id::WaitingToAccept : Id::WantsToSend);
    case State::Sending:
    case State::Receiving: {
      std::string s = std::to_string(static_cast<int>(std::floor(progress(t) * 100))) + "%";
      if (t.bytes_per_s > 0) {
        s += " \xC2\xB7 " + byte_size(static_cast<std::uint64_t>(t.bytes_per_s)) + "/s";
        const double left = static_cast<double>(t.size - std::min(t.bytes, t.size)) / t.bytes_per_s;
        s += " \xC2\xB7 " + format(lang, Id::TimeLeft, {duration(lang, left)});
      }
      return s;
    }
    case State::Confirming: return say(Id::Confirming);
    case State::Done: return say(out ? Id::SentTo : Id::ReceivedChecked);
    case State::Declined:
      if (t.fault == Fault::TooLarge)
        return out ? say(Id::PeerDeclinedTooLarge) : format(lang, Id::DeclinedOverLimit, {byte_size(max_bytes)});
      if (t.fault == Fault::TooMany) return say(out ? Id::PeerDeclinedTooMany : Id::DeclinedTooMany);
      return say(t.by_peer ? Id::PeerDeclined : Id::YouDeclined);
    case State::Cancelled: return say(t.by_peer ? Id::CancelledBy : Id::YouCancelled);
    case State::Failed:
      switch (t.fault) {
        case Fault::PeerLeft: return say(Id::FailedPeerLeft);
        case Fault::ChannelBroke: return say(Id::FailedChannel);
        case Fault::ReadFailed: return say(Id::FailedRead);
        case Fault::LinkTimeout: return say(Id::FailedLinkTimeout);
        case Fault::SizeMismatch: return say(out ? Id::FailedPeerIncomplete : Id::FailedIncomplete);
        case Fault::HashMismatch: return say(out ? Id::FailedPeerDamaged : Id::FailedDamaged);
        default: return say(Id::Failed);
      }
  }
  return "";
}

ui_text::Message refusal(files::Fault fault, std::string_view file_name, std::uint64_t size, std::uint64_t max_bytes) {
  switch (fault) {
    case files::Fault::TooLarge:
      return {Id::RefusedTooLarge, {std::string(file_name), byte_size(size), byte_size(max_bytes)}};
    case files::Fault::BadName: return {Id::RefusedBadName, {}};
    case files::Fault::TooMany: return {Id::RefusedTooMany, {}};
    default: return {Id::RefusedOther, {}};
  }
}

}  // namespace moim::transfer_text
