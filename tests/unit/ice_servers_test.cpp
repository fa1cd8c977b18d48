// The ICE servers a connection is told to use (server/ice_servers.*): {host} from the Host header,
// URI checks for the flags, and coturn's TURN REST credentials.
#include "ice_servers.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace moim::server {
namespace {

using proto::IceConfig;
using proto::IcePolicy;
using proto::IceServer;

// Expected values computed outside this code, with the openssl tool:
//   printf %s USERNAME | openssl dgst -sha1 -hmac SECRET -binary | base64
TEST(TurnRestCredential, MatchesHmacSha1ComputedByTheOpensslTool) {
  EXPECT_EQ(turn_rest_credential("moim-test-secret", "1800000600:42"), "EexNCYhHbJR+XBlaYu9JFPFX650=");
  EXPECT_EQ(turn_rest_credential("secret", "user"), "An2kjIxkLKTFjrmC7sgZFReed6M=");
  // RFC 2202 test case 2 (HMAC-SHA1 effcdf6a...7c79), base64.
  EXPECT_EQ(turn_rest_credential("Jefe", "what do ya want for nothing?"), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
}

TEST(UriHost, TakesTheHostOfTheHostHeaderOrRefusesIt) {
  struct Case {
    std::string header;
    std::optional<std::string> host;
  };
  const std::vector<Case> cases = {
      {"localhost:8080", "localhost"},
      {"localhost", "localhost"},
      {"LocalHost.:8080", "localhost"},          // case and a final dot do not matter
      {"192.168.1.5", "192.168.1.5"},
      {"192.168.1.5:443", "192.168.1.5"},
      {"[::1]:8080", "[::1]"},
      {"[::1]", "[::1]"},
      {"[2001:DB8:0:0::1]:443", "[2001:db8::1]"},  // canonical IPv6
      {"moim.example.org:8443", "moim.example.org"},
      {"xn--9n2bp8q.example", "xn--9n2bp8q.example"},
      {"a\"b", std::nullopt},                     // quote: never into a URI
      {"a\"b:80", std::nullopt},
      {"", std::nullopt},
      {":8080", std::nullopt},
      {std::string(254, 'a'), std::nullopt},      // longer than a DNS name
      {std::string(64, 'a') + ".example", std::nullopt},  // a label over 63
      {"\xEA\xB9\x80\xEB\xAF\xBC\xEC\xA7\x80.example", std::nullopt},  // unicode (not punycode)
      {"moim.example:0", std::nullopt},
      {"moim.example:99999", std::nullopt},
      {"moim.example:80:80", std::nullopt},
      {"moim.example:http", std::nullopt},
      {"::1", std::nullopt},                      // IPv6 without brackets
      {"[::1", std::nullopt},
      {"[fe80::1%25eth0]", std::nullopt},         // zone
      {"[1.2.3.4]", std::nullopt},
      {"1.2.3", std::nullopt},                    // looks like an IPv4 address to a URL parser
      {"1.2.3.256", std::nullopt},
      {"010.1.1.1", std::nullopt},                // octal to some parsers
      {"-moim.example", std::nullopt},
      {"moim..example", std::nullopt},
      {"moim example", std::nullopt},
      {"moim/example", std::nullopt},
      {"user@moim.example", std::nullopt},
      {"moim.example?x", std::nullopt},
      {"moim.example\r\n", std::nullopt},
  };
  for (const Case& c : cases) {
    std::string why;
    const std::optional<std::string> host = uri_host_of(c.header, &why);
    EXPECT_EQ(host, c.host) << "Host: " << c.header;
    if (!c.host) EXPECT_FALSE(why.empty()) << "no reason given for " << c.header;
  }
}

TEST(IceUri, FlagValuesAreCheckedLikeABrowserWould) {
  for (const char* good : {"turn:{host}:3478?transport=udp", "turn:{host}:3478?transport=tcp", "turn:{host}",
                           "turns:turn.example.org:5349?transport=tcp", "turn:192.0.2.7:3478", "turn:[2001:db8::7]:3478"}) {
    EXPECT_EQ(check_ice_uri(good, IceUriKind::Turn), std::nullopt) << good;
  }
  for (const char* good : {"stun:{host}:3478", "stun:stun.example.org", "stuns:stun.example.org:5349", "stun:[::1]:19302"}) {
    EXPECT_EQ(check_ice_uri(good, IceUriKind::Stun), std::nullopt) << good;
  }
  const std::vector<std::string> bad_turn = {
      "",
      "stun:{host}:3478",                    // wrong kind
      "turn:",                               // no host
      "turn://{host}:3478",                  // not a URL with an authority
      "turn:{host}:0",
      "turn:{host}:65536",
      "turn:{host}:",
      "turn:{host}:3478?transport=sctp",
      "turn:{host}:3478?foo=bar",
      "turn:{host}.example:3478",            // {host} must be the whole host
      "turn:{host}{host}:3478",
      "turn:a\"b:3478",
      "turn:user@{host}:3478",
      "turn:{host}:3478/path",
      "turn:" + std::string(300, 'a'),
      "turn:{host}:3478?transport=udp" + std::string(300, 'x'),
      "TURN:{host}:3478",
  };
  for (const std::string& bad : bad_turn) {
    const std::optional<std::string> problem = check_ice_uri(bad, IceUriKind::Turn);
    ASSERT_TRUE(problem.has_value()) << "accepted: " << bad;
    EXPECT_FALSE(problem->empty());
  }
  for (const char* bad : {"turn:{host}:3478", "stun:{host}:3478?transport=udp", "stun:", "http://stun.example.org"}) {
    EXPECT_TRUE(check_ice_uri(bad, IceUriKind::Stun).has_value()) << "accepted: " << bad;
  }
}

IceSettings full_settings() {
  IceSettings settings;
  settings.stun_uris = {"stun:stun.example.org:3478", "stun:{host}:19302"};
  settings.turn_uris = {"turn:{host}:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"};
  settings.turn_secret = "moim-test-secret";
  settings.turn_ttl_s = 600;
  settings.stun_port = 8080;
  return settings;
}

TEST(IceConfigFor, BuiltInStunFirstThenStunThenTurnWithRestCredentials) {
  const IceConfig config = ice_config_for(full_settings(), std::string("moim.example"), 42, 1'800'000'000);
  ASSERT_EQ(config.servers.size(), 3u);
  EXPECT_EQ(config.servers[0], (IceServer{.urls = {"stun:moim.example:8080"}, .username = {}, .credential = {}}));
  EXPECT_EQ(config.servers[1],
            (IceServer{.urls = {"stun:stun.example.org:3478", "stun:moim.example:19302"}, .username = {}, .credential = {}}));
  EXPECT_EQ(config.servers[2].urls,
            (std::vector<std::string>{"turn:moim.example:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"}));
  EXPECT_EQ(config.servers[2].username, "1800000600:42");
  EXPECT_EQ(config.servers[2].credential, "EexNCYhHbJR+XBlaYu9JFPFX650=");
  EXPECT_EQ(config.expires, 1'800'000'600u);
  EXPECT_EQ(config.policy, IcePolicy::All);
  // What the hub sends must pass the protocol's own bounds.
  const auto decoded = proto::decode_server(proto::encode(proto::ServerMessage{config}));
  ASSERT_TRUE(decoded.ok()) << decoded.error.message;
  EXPECT_EQ(std::get<IceConfig>(*decoded.message), config);
}

TEST(IceConfigFor, WithoutAUsableHostTheUrisNeedingItAreLeftOutAndThePolicyStays) {
  IceSettings settings = full_settings();
  settings.policy = IcePolicy::Relay;
  const IceConfig config = ice_config_for(settings, std::nullopt, 7, 1000);
  ASSERT_EQ(config.servers.size(), 2u);
  EXPECT_EQ(config.servers[0].urls, std::vector<std::string>{"stun:stun.example.org:3478"});
  EXPECT_EQ(config.servers[1].urls, std::vector<std::string>{"turns:turn.example.org:5349?transport=tcp"});
  EXPECT_EQ(config.servers[1].username, "1600:7");
  EXPECT_EQ(config.policy, IcePolicy::Relay) << "privacy mode must never fall back to all";

  // Every TURN URI needed the host: no TURN server, no expiry; still relay-only.
  settings.turn_uris = {"turn:{host}:3478"};
  const IceConfig no_turn = ice_config_for(settings, std::nullopt, 7, 1000);
  EXPECT_FALSE(no_turn.has_turn());
  EXPECT_EQ(no_turn.expires, 0u);
  EXPECT_EQ(no_turn.policy, IcePolicy::Relay);
}

TEST(IceConfigFor, NothingConfiguredIsAnEmptyListHostCandidatesOnly) {
  const IceConfig config = ice_config_for(IceSettings{}, std::string("localhost"), 1, 1000);
  EXPECT_TRUE(config.servers.empty());
  EXPECT_EQ(config.expires, 0u);
  EXPECT_EQ(proto::encode(proto::ServerMessage{config}), R"({"type":"ice","servers":[],"policy":"all"})");
  EXPECT_FALSE(IceSettings{}.uses_host());
  IceSettings stun_only;
  stun_only.stun_port = 3478;
  EXPECT_TRUE(stun_only.uses_host());
}

TEST(IceConfigFor, TheLongestHostStillFitsTheProtocolsBound) {
  IceSettings settings;
  std::string uri = "turns:{host}:65535?transport=tcp";
  ASSERT_EQ(check_ice_uri(uri, IceUriKind::Turn), std::nullopt);
  settings.turn_uris = std::vector<std::string>(proto::kMaxIceUrls, uri);
  settings.stun_uris = std::vector<std::string>(proto::kMaxIceUrls, "stuns:{host}:65535");
  settings.turn_secret = std::string(kMaxTurnSecretBytes, 's');
  settings.stun_port = 65535;
  std::string host;
  for (int i = 0; i < 4; ++i) host += std::string(62, 'a' + i) + ".";
  host.pop_back();  // 4 labels of 62 + 3 dots = 251 characters
  ASSERT_EQ(uri_host_of(host + ":443"), host);
  const IceConfig config = ice_config_for(settings, host, 9007199254740991ULL, 4'000'000'000);
  const auto decoded = proto::decode_server(proto::encode(proto::ServerMessage{config}));
  EXPECT_TRUE(decoded.ok()) << decoded.error.message;
}

}  // namespace
}  // namespace moim::server
