// Minimal server log: one line per event on stderr (stdout is reserved for the "listening" line).
#pragma once

#include <iostream>
#include <string_view>

namespace moim::server {

inline void log_line(std::string_view level, std::string_view message) {
  std::cerr << "[moim " << level << "] " << message << '\n';
}

inline void log_info(std::string_view message) { log_line("info", message); }
inline void log_warn(std::string_view message) { log_line("warn", message); }
inline void log_error(std::string_view message) { log_line("error", message); }

}  // namespace moim::server
