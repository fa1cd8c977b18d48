// The ICE servers one connection is told to use (server message "ice", PROTOCOL.md): the built-in
// STUN responder, the --stun-uri and --turn-uri servers with "{host}" filled in from the Host header
// the connection used, and TURN credentials of coturn's TURN REST scheme (use-auth-secret).
// No Asio and no clock: the hub passes the Host header, the peer id and the time.
#pragma once

#include "protocol.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moim::server {

// "{host}" in a configured URI: replaced per connection (uri_host_of).
inline constexpr std::string_view kIceHostPlaceholder = "{host}";
// --turn-ttl bounds, seconds. The hub refreshes credentials at half their lifetime; the lower bound
// is raised further by main.cpp so that a held session's credentials outlive its grace window.
inline constexpr std::int64_t kDefaultTurnTtlSeconds = 3600, kMinTurnTtlSeconds = 60, kMaxTurnTtlSeconds = 86400;
// A secret file larger than this is not a coturn static-auth-secret.
inline constexpr std::size_t kMaxTurnSecretBytes = 1024;

// What the server was started with (--stun-uri, --turn-uri, --turn-secret-file, --turn-ttl,
// --ice-policy, --stun-port). Every URI has passed check_ice_uri.
struct IceSettings {
  std::vector<std::string> stun_uris;  // at most proto::kMaxIceUrls
  std::vector<std::string> turn_uris;  // at most proto::kMaxIceUrls
  std::string turn_secret;             // the TURN REST shared secret; needed when turn_uris is not empty
  std::int64_t turn_ttl_s = kDefaultTurnTtlSeconds;
  proto::IcePolicy policy = proto::IcePolicy::All;
  std::uint16_t stun_port = 0;  // the built-in STUN responder's UDP port; 0 = off (not advertised)

  bool has_turn() const { return !turn_uris.empty(); }
  // Whether any server's URI depends on the connection's Host (the built-in STUN always does).
  bool uses_host() const;
};

enum class IceUriKind { Stun, Turn };

// nullopt when `uri` may be given to RTCPeerConnection as a URL of that kind; otherwise why not.
//   stun:  ("stun:" | "stuns:") host [":" port]                         (RFC 7064)
//   turn:  ("turn:" | "turns:") host [":" port] ["?transport=" udp|tcp]  (RFC 7065)
// host: "{host}" (at most once), a DNS name, an IPv4 address or a bracketed IPv6 address; port 1-65535.
// Browsers throw on malformed ICE URLs, which would leave every client without a connection.
std::optional<std::string> check_ice_uri(std::string_view uri, IceUriKind kind);

// The host of a Host header ("moim.example:8080", "192.0.2.1", "[2001:db8::1]:443") in the form that
// goes into a URI: the port removed, a DNS name in lower case without a trailing dot, an IPv4 address
// as written, an IPv6 address bracketed in its canonical form. Anything else (empty, too long, other
// characters, a name that only looks like an IPv4 address, an IPv6 zone) is nullopt, with the reason
// in `why`: never copied into a URI.
std::optional<std::string> uri_host_of(std::string_view host_header, std::string* why = nullptr);

// coturn's TURN REST scheme: base64(HMAC-SHA1(secret, username)).
std::string turn_rest_credential(std::string_view secret, std::string_view username);

// The "ice" message for one connection:
//   1. the built-in STUN responder, stun:HOST:stun_port (when stun_port != 0);
//   2. the --stun-uri URIs, as one server;
//   3. the --turn-uri URIs, as one server with username "<now + ttl>:<peer>" and its credential;
// then policy, and expires = now + ttl when there is a TURN server. `uri_host` is uri_host_of's
// result for the connection's Host header: when it is nullopt, every URI that needs it is left out
// (a server whose URIs all needed it too). The policy is sent as configured even then.
proto::IceConfig ice_config_for(const IceSettings& settings, const std::optional<std::string>& uri_host,
                                proto::PeerId peer, std::int64_t now_unix);

}  // namespace moim::server
