// What a Hub needs besides its config, for tests and fuzzers: an in-memory room store and the real
// Secrets with a fixed key. Tokens are still random (owner tokens, session-token nonces), so
// comparisons of whole frames go through without_tokens().
#pragma once

#include "hub.hpp"
#include "room_store.hpp"
#include "secrets.hpp"

#include <array>
#include <memory>
#include <regex>
#include <string>

namespace moim::test {

struct HubWorld {
  server::MemoryRoomStore store;
  std::unique_ptr<server::Secrets> secrets = [] {
    std::array<unsigned char, server::Secrets::kKeyBytes> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
    return server::Secrets::with_key(key);
  }();
  HubServices services() { return HubServices{store, *secrets}; }
};

// Test configs: no rate limits or per-address quotas unless a test sets them (the clock stands still
// in most tests, and most connections share one address), and no signal size limit below the message
// limit (the fuzzer's model relays every signal that decodes; hub_sessions_test sets the limits it checks).
inline HubConfig test_config(HubConfig config = {}) {
  config.messages_per_second = 0;
  config.requests_per_address_per_second = 0;
  config.rehello_interval_ms = 0;
  config.max_rooms_per_address_per_hour = 0;
  config.max_live_rooms_per_address = 0;
  config.max_sdp_bytes = proto::kMaxMessageBytes;
  config.max_candidate_bytes = proto::kMaxMessageBytes;
  return config;
}

// The frame with every "token" and "owner" value replaced by "*".
inline std::string without_tokens(const std::string& text) {
  static const std::regex tokens(R"re("(token|owner)":"[^"]*")re");
  return std::regex_replace(text, tokens, "\"$1\":\"*\"");
}

}  // namespace moim::test
