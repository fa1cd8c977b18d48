// Unguessable session tokens for the hub (handed to clients in "joined" so they can resume).
#pragma once

#include <string>

namespace moim::server {

// 128 random bits from the OS (std::random_device), as 32 lowercase hex digits.
std::string make_session_token();

}  // namespace moim::server
