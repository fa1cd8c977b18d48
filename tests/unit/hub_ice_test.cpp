// The hub's `ice` messages (PROTOCOL.md "ice"): just before joined and resumed, fresh TURN
// credentials at half their lifetime while in a call, {host} from each connection's own Host header,
// and the configured policy. The clock is set by hand.
#include "hub.hpp"
#include "hub_frames.hpp"
#include "hub_world.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace moim {
namespace {

using namespace proto;

using test::of_type;
using test::received;

constexpr std::int64_t kTtl = 600;

class HubIce : public ::testing::Test, protected test::ClockedHub {
 protected:
  static HubConfig with_ice(IcePolicy policy = IcePolicy::All) {
    HubConfig config = test::test_config();
    config.heartbeat_timeout_ms = 3'600'000;  // the clock runs without pings here
    config.session_max_age_s = 3600;          // token refreshes out of the way of ICE ones
    config.ice.turn_uris = {"turn:{host}:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"};
    config.ice.turn_secret = "moim-test-secret";
    config.ice.turn_ttl_s = kTtl;
    config.ice.stun_port = 8080;
    config.ice.policy = policy;
    return config;
  }
  HubIce() { make_hub(with_ice()); }

  void make_hub(HubConfig config) { ASSERT_EQ(start_hub(config), ""); }
  void hello(ConnId conn, std::string_view host = "moim.example:8080") { ClockedHub::hello(conn, host); }
  HubOutput join_out(ConnId conn, RoomId room, std::string name) {
    return send(conn, Join{.room = room, .name = std::move(name), .mic = true, .camera = true, .password = {}, .client = {}});
  }
  static const IceServer* turn_of(const IceConfig& ice) {
    for (const IceServer& s : ice.servers) {
      if (!s.username.empty()) return &s;
    }
    return nullptr;
  }
  // The TURN username's expiry and peer id.
  static std::pair<std::int64_t, PeerId> username_of(const IceConfig& ice) {
    const IceServer* turn = turn_of(ice);
    if (!turn) return {0, 0};
    const std::size_t colon = turn->username.find(':');
    return {std::stoll(turn->username.substr(0, colon)), std::stoull(turn->username.substr(colon + 1))};
  }
};

TEST_F(HubIce, IceComesJustBeforeJoinedWithCredentialsForThatPeer) {
  hello(1);
  const RoomId room = create(1, "Standup");
  const auto msgs = received(join_out(1, room, "Minji"), 1);
  ASSERT_EQ(msgs.size(), 2u);
  const auto* ice = std::get_if<IceConfig>(&msgs[0]);
  ASSERT_NE(ice, nullptr) << "ice first";
  const auto* joined = std::get_if<Joined>(&msgs[1]);
  ASSERT_NE(joined, nullptr) << "then joined";
  ASSERT_EQ(ice->servers.size(), 2u);
  EXPECT_EQ(ice->servers[0].urls, std::vector<std::string>{"stun:moim.example:8080"}) << "the built-in STUN first";
  EXPECT_EQ(ice->servers[1].urls,
            (std::vector<std::string>{"turn:moim.example:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"}));
  EXPECT_EQ(username_of(*ice), std::make_pair(unix_ + kTtl, joined->self.id));
  EXPECT_EQ(ice->servers[1].credential, server::turn_rest_credential("moim-test-secret", ice->servers[1].username));
  EXPECT_EQ(ice->expires, static_cast<std::uint64_t>(unix_ + kTtl));
  EXPECT_EQ(ice->policy, IcePolicy::All);
  // Not to the others in the room, and not before a join.
  hello(2);
  const auto out = join_out(2, room, "Joon");
  EXPECT_TRUE(of_type<IceConfig>(out, 1).empty());
  EXPECT_EQ(of_type<IceConfig>(out, 2).size(), 1u);
  hello(3);
  EXPECT_TRUE(of_type<IceConfig>(send(3, Ping{}), 3).empty());
}

TEST_F(HubIce, IceComesJustBeforeResumedWithFreshCredentials) {
  hello(1), hello(2);
  const RoomId room = create(1, "Standup");
  join_out(1, room, "A");
  const Joined b = of_type<Joined>(join_out(2, room, "B"), 2).at(0);
  hub().disconnect(2, Hub::Departure::Lost);
  advance_s(15);
  hello(3, "192.168.1.5:8080");  // back through another address
  const auto msgs = received(send(3, Resume{.token = b.token, .name = "B", .mic = true, .camera = true, .client = {}}), 3);
  ASSERT_GE(msgs.size(), 2u);
  const auto* ice = std::get_if<IceConfig>(&msgs[0]);
  ASSERT_NE(ice, nullptr) << "ice first";
  ASSERT_TRUE(std::holds_alternative<Resumed>(msgs[1])) << "then resumed";
  EXPECT_EQ(username_of(*ice), std::make_pair(unix_ + kTtl, b.self.id)) << "fresh: from now, not from the join";
  EXPECT_EQ(ice->servers[0].urls, std::vector<std::string>{"stun:192.168.1.5:8080"}) << "the new connection's host";
}

TEST_F(HubIce, IceComesBeforeResumedAfterARestartToo) {
  hello(1);
  const RoomId room = create(1, "Standup");
  const Joined a = of_type<Joined>(join_out(1, room, "A"), 1).at(0);
  make_hub(config_);  // a restarted server: the same store and key
  advance_s(5);
  hello(11);
  const auto msgs = received(send(11, Resume{.token = a.token, .name = "A", .mic = true, .camera = true, .client = {}}), 11);
  ASSERT_EQ(msgs.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<IceConfig>(msgs[0]));
  ASSERT_TRUE(std::holds_alternative<Resumed>(msgs[1]));
  EXPECT_TRUE(std::get<Resumed>(msgs[1]).restored);
  EXPECT_EQ(username_of(std::get<IceConfig>(msgs[0])), std::make_pair(unix_ + kTtl, a.self.id));
}

TEST_F(HubIce, RefreshedAtHalfTheLifetimeWithANewExpiry) {
  hello(1), hello(2);
  const RoomId room = create(1, "Standup");
  const Joined a = of_type<Joined>(join_out(1, room, "A"), 1).at(0);
  advance_s(100);
  const Joined b = of_type<Joined>(join_out(2, room, "B"), 2).at(0);
  hello(3);  // in the lobby: never refreshed
  advance_s(kTtl / 2 - 101);
  HubOutput out = hub().tick();
  EXPECT_TRUE(of_type<IceConfig>(out, 1).empty()) << "one second early";
  advance_s(1);  // A's credentials are half their lifetime old
  out = hub().tick();
  auto fresh = of_type<IceConfig>(out, 1);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(username_of(fresh[0]), std::make_pair(unix_ + kTtl, a.self.id));
  EXPECT_EQ(fresh[0].expires, static_cast<std::uint64_t>(unix_ + kTtl));
  EXPECT_TRUE(of_type<IceConfig>(out, 2).empty()) << "B joined later";
  EXPECT_TRUE(received(out, 3).empty());
  EXPECT_TRUE(of_type<IceConfig>(hub().tick(), 1).empty()) << "once";
  advance_s(100);
  out = hub().tick();
  ASSERT_EQ(of_type<IceConfig>(out, 2).size(), 1u);
  EXPECT_EQ(username_of(of_type<IceConfig>(out, 2)[0]).second, b.self.id);
  // Every connected session always holds credentials valid for at least half the lifetime.
  for (int s = 0; s < 3 * kTtl; s += 7) {
    advance_s(7);
    hub().tick();
  }
  advance_s(kTtl / 2);
  EXPECT_EQ(of_type<IceConfig>(hub().tick(), 1).size(), 1u);
}

TEST_F(HubIce, AHeldSessionGetsNothingUntilItResumes) {
  hello(1), hello(2);
  const RoomId room = create(1, "Standup");
  join_out(1, room, "A");
  join_out(2, room, "B");
  hub().disconnect(2, Hub::Departure::Lost);
  advance_s(kTtl / 2);
  HubOutput out = hub().tick();
  EXPECT_EQ(of_type<IceConfig>(out, 1).size(), 1u);
  EXPECT_TRUE(of_type<IceConfig>(out, 2).empty());
}

TEST_F(HubIce, WithoutTurnNothingIsRefreshed) {
  HubConfig config = with_ice();
  config.ice.turn_uris.clear();
  config.ice.turn_secret.clear();
  make_hub(config);
  hello(1);
  const RoomId room = create(1, "Standup");
  const auto ice = of_type<IceConfig>(join_out(1, room, "A"), 1);
  ASSERT_EQ(ice.size(), 1u);
  EXPECT_EQ(ice[0].expires, 0u);
  EXPECT_FALSE(ice[0].has_turn());
  advance_s(10 * kTtl);
  EXPECT_TRUE(of_type<IceConfig>(hub().tick(), 1).empty());
}

TEST_F(HubIce, EachConnectionGetsTheHostItUsed) {
  hello(1, "localhost:8080");
  hello(2, "[::1]:8080");
  hello(3, "192.168.1.5");
  const RoomId room = create(1, "Standup");
  const auto first_url = [&](ConnId conn, const std::string& name) {
    const auto ice = of_type<IceConfig>(join_out(conn, room, name), conn);
    return ice.empty() || ice[0].servers.empty() ? std::string() : ice[0].servers[0].urls.at(0);
  };
  EXPECT_EQ(first_url(1, "A"), "stun:localhost:8080");
  EXPECT_EQ(first_url(2, "B"), "stun:[::1]:8080");
  EXPECT_EQ(first_url(3, "C"), "stun:192.168.1.5:8080");
}

TEST_F(HubIce, AHostThatCannotGoIntoAUriLeavesThoseUrisOutAndIsLoggedOnce) {
  hello(1, "a\"b");
  const RoomId room = create(1, "Standup");
  HubOutput out = join_out(1, room, "A");
  const auto ice = of_type<IceConfig>(out, 1);
  ASSERT_EQ(ice.size(), 1u);
  ASSERT_EQ(ice[0].servers.size(), 1u) << "only the TURN URI without {host}";
  EXPECT_EQ(ice[0].servers[0].urls, std::vector<std::string>{"turns:turn.example.org:5349?transport=tcp"});
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_NE(out.warnings[0].find("{host}"), std::string::npos) << out.warnings[0];
  for (const Outgoing& o : out.sends) EXPECT_EQ(o.text->find("a\\\"b"), std::string::npos) << *o.text;
  advance_s(kTtl / 2);
  out = hub().tick();
  EXPECT_EQ(of_type<IceConfig>(out, 1).size(), 1u);
  EXPECT_TRUE(out.warnings.empty()) << "said once per connection";
  // Without a Host at all (HTTP/1.0), the same.
  hello(2, "");
  out = join_out(2, room, "B");
  EXPECT_EQ(of_type<IceConfig>(out, 2).at(0).servers.size(), 1u);
  EXPECT_EQ(out.warnings.size(), 1u);
}

TEST_F(HubIce, RelayPolicyIsSentToEveryone) {
  make_hub(with_ice(IcePolicy::Relay));
  hello(1), hello(2, "bad host");
  const RoomId room = create(1, "Standup");
  for (ConnId conn : {ConnId{1}, ConnId{2}}) {
    const auto ice = of_type<IceConfig>(join_out(conn, room, "P" + std::to_string(conn)), conn);
    ASSERT_EQ(ice.size(), 1u);
    EXPECT_EQ(ice[0].policy, IcePolicy::Relay) << "conn " << conn;
    EXPECT_TRUE(ice[0].has_turn());
  }
  advance_s(kTtl / 2);
  for (const IceConfig& fresh : of_type<IceConfig>(hub().tick(), 1)) EXPECT_EQ(fresh.policy, IcePolicy::Relay);
}

TEST_F(HubIce, NothingConfiguredStillSendsAnEmptyList) {
  make_hub(test::test_config());
  hello(1);
  const RoomId room = create(1, "Standup");
  const auto msgs = received(join_out(1, room, "A"), 1);
  ASSERT_EQ(msgs.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<IceConfig>(msgs[0]));
  EXPECT_EQ(std::get<IceConfig>(msgs[0]), IceConfig{});
}

}  // namespace
}  // namespace moim
