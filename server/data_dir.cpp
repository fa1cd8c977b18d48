#include "data_dir.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace moim::server {

bool ensure_data_dir(const std::filesystem::path& dir, std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return true;
  if (fs::exists(dir, ec)) {
    error = "data directory " + dir.string() + " exists but is not a directory";
    return false;
  }
  // Parents get the default mode; the directory itself holds the secret key, so only its owner may
  // list or enter it. mkdir's mode is masked by the umask, which can only remove bits: 0700 stays <= 0700.
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    error = "cannot create data directory " + dir.string() + ": " + std::strerror(errno);
    return false;
  }
  if (!fs::is_directory(dir, ec)) {
    error = "data directory " + dir.string() + " exists but is not a directory";
    return false;
  }
  return true;
}

}  // namespace moim::server
