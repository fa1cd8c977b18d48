#include "transfer_text.hpp"

#include <cmath>
#include <cstdio>

namespace moim::transfer_text {

namespace {
std::string str(std::string_view s) { return std::string(s); }

// "12 s", "3 min", "2 h 5 min"
std::string duration(double seconds) {
  if (!(seconds < 100 * 3600.0)) return "over 100 h";  // a trickle (or NaN): no number worth showing
  const long long s = static_cast<long long>(std::ceil(std::max(seconds, 1.0)));
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string((s + 59) / 60) + " min";
  return std::to_string(s / 3600) + " h " + std::to_string((s % 3600) / 60) + " min";
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

std::string counterpart(const files::Transfer& t, std::string_view peer_name) {
  return (t.direction == files::Direction::Out ? "To " : "From ") + str(peer_name);
}

double progress(const files::Transfer& t) {
  using files::State;
  if (t.state != State::Sending && t.state != State::Receiving && t.state != State::Confirming) return -1;
  if (t.size == 0) return 1;
  return std::min(1.0, static_cast<double>(t.bytes) / static_cast<double>(t.size));
}

std::string status(const files::Transfer& t, std::string_view peer_name, std::uint64_t max_bytes) {
  using files::Direction;
  using files::Fault;
  using files::State;
  const std::string peer = str(peer_name);
  const bool out = t.direction == Direction::Out;
  switch (t.state) {
    case State::Offered: return out ? "Waiting for " + peer + " to accept" : peer + " wants to send you this file";
    case State::Sending:
    case State::Receiving: {
      std::string s = std::to_string(static_cast<int>(std::floor(progress(t) * 100))) + "%";
      if (t.bytes_per_s > 0) {
        s += " \xC2\xB7 " + byte_size(static_cast<std::uint64_t>(t.bytes_per_s)) + "/s";
        const double left = static_cast<double>(t.size - std::min(t.bytes, t.size)) / t.bytes_per_s;
        s += " \xC2\xB7 " + duration(left) + " left";
      }
      return s;
    }
    case State::Confirming: return "Sent; " + peer + " is checking it";
    case State::Done: return out ? "Sent to " + peer : "Received and checked";
    case State::Declined:
      if (t.fault == Fault::TooLarge)
        return out ? peer + " declined: too large" : "Declined: over the " + byte_size(max_bytes) + " limit";
      if (t.fault == Fault::TooMany) return out ? peer + " declined: too many files" : "Declined: too many files at once";
      return t.by_peer ? peer + " declined" : "You declined";
    case State::Cancelled: return t.by_peer ? "Cancelled by " + peer : "You cancelled";
    case State::Failed:
      switch (t.fault) {
        case Fault::PeerLeft: return "Failed: " + peer + " left";
        case Fault::ChannelBroke: return "Failed: the connection broke";
        case Fault::ReadFailed: return "Failed: the file could not be read";
        case Fault::SizeMismatch: return out ? "Failed: " + peer + " received it incomplete" : "Failed: it arrived incomplete; not saved";
        case Fault::HashMismatch:
          return out ? "Failed: " + peer + " received it damaged" : "Failed: it arrived damaged (checksum); not saved";
        default: return "Failed";
      }
  }
  return "";
}

std::string refusal(files::Fault fault, std::string_view file_name, std::uint64_t size, std::uint64_t max_bytes) {
  switch (fault) {
    case files::Fault::TooLarge: {
      std::string s = "\"";
      s.append(file_name).append("\" is ").append(byte_size(size));
      return s.append(": files can be at most ").append(byte_size(max_bytes)).append(".");
    }
    case files::Fault::BadName: return "This file's name can't be sent (control characters, or too long).";
    case files::Fault::TooMany: return "Too many transfers at once: wait for some to finish.";
    default: return "The file could not be sent.";
  }
}

}  // namespace moim::transfer_text
