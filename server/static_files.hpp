// Static file lookup for the HTTP side of the server: request target -> file under the web root,
// and the Content-Type to serve it with. No Asio here, so it is unit-testable.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace moim::server {

// Decodes %XX escapes. Returns nullopt for a malformed escape or a decoded NUL byte.
std::optional<std::string> percent_decode(std::string_view text);

// The path part of a request target, query string and fragment removed, percent-decoded, checked:
// it must start with '/', contain no backslash and no ".." segment. Returns nullopt otherwise.
// "/" and paths ending in '/' get "index.html" appended. The result never starts with '/'.
std::optional<std::string> target_to_relative_path(std::string_view target);

struct StaticLookup {
  enum class Status { Found, BadRequest, NotFound };
  Status status = Status::NotFound;
  std::filesystem::path file;  // set when Found: a regular file under the root
};

// Maps a request target to a regular file under `root`. A directory target without a trailing
// slash is served its index.html. Never throws.
StaticLookup lookup_static_file(const std::filesystem::path& root, std::string_view target);

// Content-Type for a file name, by extension (case-insensitive); application/octet-stream otherwise.
std::string_view mime_type(std::string_view path);

}  // namespace moim::server
