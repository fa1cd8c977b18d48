#include "secret_file.hpp"

#include "ice_servers.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace moim::server {

bool is_within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

std::optional<std::string> read_secret_file(std::string_view flag, const std::filesystem::path& path,
                                            std::string_view lets, std::string_view hint, std::string& error) {
  const std::string shown = std::string(flag) + " '" + path.string() + "'";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    error = "cannot open " + shown + ": " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat info {};
  std::string secret;
  if (::fstat(fd, &info) != 0) {
    error = "cannot read " + shown + ": " + std::strerror(errno);
  } else if (!S_ISREG(info.st_mode)) {
    error = shown + " is not a regular file";
  } else if ((info.st_mode & (S_IRGRP | S_IROTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    error = shown + " is readable by group or others (mode " + mode + "): anyone who reads it can " +
            std::string(lets) + ". chmod 600 it";
  } else if (static_cast<std::size_t>(info.st_size) > kMaxTurnSecretBytes) {
    error = shown + " is " + std::to_string(info.st_size) + " bytes; a secret is one line of at most " +
            std::to_string(kMaxTurnSecretBytes) + " bytes";
  } else {
    secret.resize(kMaxTurnSecretBytes + 1);
    std::size_t got = 0;
    for (;;) {
      const ssize_t n = ::read(fd, secret.data() + got, secret.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = "cannot read " + shown + ": " + std::strerror(errno);
        break;
      }
      if (n == 0 || (got += static_cast<std::size_t>(n)) == secret.size()) break;
    }
    secret.resize(got);
    if (error.empty() && got > kMaxTurnSecretBytes) {
      error = shown + " is over " + std::to_string(kMaxTurnSecretBytes) + " bytes";
    }
  }
  ::close(fd);
  if (!error.empty()) return std::nullopt;
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) {
    error = shown + " is empty: put " + std::string(hint) + " in it";
    return std::nullopt;
  }
  for (const char c : secret) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      error = shown + " holds a control character or several lines; a secret is one line of text";
      return std::nullopt;
    }
  }
  return secret;
}

}  // namespace moim::server
