// Files the server must not leak: a secret given as a file (--turn-secret-file,
// --janus-api-secret-file, --janus-admin-key-file) is read only when no one else can read it, and a
// file inside the site folder would be served to anyone.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace moim::server {

// True when `inner` is `outer` or lies under it (both absolute and normalized).
bool is_within(const std::filesystem::path& inner, const std::filesystem::path& outer);

// A regular file, not readable by group or others, holding one line of printable text of at most
// kMaxTurnSecretBytes (a final newline is dropped). `flag` names it in errors, `lets` says what a
// reader of it could do, `hint` what belongs in it. nullopt with the reason in `error` otherwise.
std::optional<std::string> read_secret_file(std::string_view flag, const std::filesystem::path& path,
                                            std::string_view lets, std::string_view hint, std::string& error);

}  // namespace moim::server
