// Small helpers for the load generator: clock, /proc readings, percentiles, fast field scans.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace moim::loadgen {

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// utime + stime of a process, in seconds (from /proc/<pid>/stat; "self" for this process).
inline std::optional<double> cpu_seconds(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Seconds a process's main thread has spent waiting on a run queue: runnable, but another task had
// the CPU (second field of /proc/<pid>/schedstat). 0 when unavailable.
inline double runqueue_wait_seconds(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/schedstat");
  unsigned long long run = 0, wait = 0;
  if (!(in >> run >> wait)) return 0;
  return static_cast<double>(wait) / 1e9;
}

// VmRSS of a process in bytes (from /proc/<pid>/status).
inline std::optional<std::int64_t> rss_bytes(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoll(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return std::nullopt;
}

// Nearest-rank percentile (p in [0, 100]) of unsorted values; sorts in place.
template <class T>
double percentile(std::vector<T>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  return static_cast<double>(values[rank - 1]);
}

inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The unsigned integer right after `"key":` in a JSON text we know the shape of; nullopt if absent.
inline std::optional<std::uint64_t> scan_uint(std::string_view text, std::string_view quoted_key_colon,
                                              std::size_t from = 0) {
  const std::size_t at = text.find(quoted_key_colon, from);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + quoted_key_colon.size();
  if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
  std::uint64_t value = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace moim::loadgen
