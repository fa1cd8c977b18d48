// What a Hub needs besides its config, for tests and fuzzers: an in-memory room store and the real
// Secrets with a fixed key. Tokens are still random (owner tokens, session-token nonces), so
// comparisons of whole frames go through without_tokens().
#pragma once

#include "hub.hpp"
#include "room_store.hpp"
#include "secrets.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>

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

// A hub on a HubWorld with a clock that tests move by hand (nothing sleeps). Fixtures derive from it
// (and from ::testing::Test) and remake the hub with another config when they need one.
class ClockedHub {
 public:
  // (Re)makes the hub on the same world, so its store and key survive as in a restart; returns the
  // startup error ("" when it started).
  std::string start_hub(HubConfig config) {
    config_ = config;
    hub_.reset();
    hub_.emplace(config, world_.services());
    hub_->set_time(now_, unix_);
    return hub_->startup_error();
  }
  Hub& hub() { return *hub_; }
  void advance(std::int64_t ms) {
    now_ += ms;
    unix_ += ms / 1000;
    hub().set_time(now_, unix_);
  }
  void advance_s(std::int64_t s) { advance(s * 1000); }
  HubOutput send(ConnId conn, const proto::ClientMessage& msg) { return hub().on_text(conn, proto::encode(msg)); }
  // Connection `conn` from 10.0.0.<conn>, with that Host header, says hello.
  void hello(ConnId conn, std::string_view host = {}) {
    hub().connect(conn, "10.0.0." + std::to_string(conn), host);
    send(conn, proto::Hello{});
  }
  // Creates a room for four without a password; its id, or 0 when the hub refused.
  proto::RoomId create(ConnId conn, std::string name) {
    const HubOutput out = send(conn, proto::CreateRoom{.name = std::move(name), .capacity = 4, .password = {}});
    for (const Outgoing& o : out.sends) {
      if (o.to != conn) continue;
      const proto::Decoded<proto::ServerMessage> decoded = proto::decode_server(*o.text);
      if (!decoded.ok()) continue;
      if (const auto* created = std::get_if<proto::RoomCreated>(&*decoded.message)) return created->room.id;
    }
    return 0;
  }

 protected:
  HubWorld world_;
  HubConfig config_;
  std::optional<Hub> hub_;
  std::int64_t now_ = 1'000'000, unix_ = 1'800'000'000;
};

// The frame with every "token" and "owner" value replaced by "*".
inline std::string without_tokens(const std::string& text) {
  static const std::regex tokens(R"re("(token|owner)":"[^"]*")re");
  return std::regex_replace(text, tokens, "\"$1\":\"*\"");
}

}  // namespace moim::test
