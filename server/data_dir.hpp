// The server's data directory (rooms database, secret key, lock file): private to the server's user.
#pragma once

#include <filesystem>
#include <string>

namespace moim::server {

// Creates `dir` (and missing parents) with mode 0700 if it does not exist; an existing directory is
// left as it is. False (and a message in `error`) if it cannot be created or is not a directory.
bool ensure_data_dir(const std::filesystem::path& dir, std::string& error);

}  // namespace moim::server
