// moim-server: serves the web client's static files and the /ws signaling endpoint.
// Single-threaded: one io_context, run on the main thread (the hub is not thread-safe).

#include "listener.hpp"
#include "log.hpp"
#include "server_context.hpp"
#include "tls.hpp"
#include "hub_clock.hpp"
#include "janus_rooms.hpp"
#include "password_pool.hpp"
#include "room_store.hpp"
#include "secret_file.hpp"
#include "secrets.hpp"
#include "sqlite_room_store.hpp"
#include "stun_responder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int kExitUsage = 2;

struct Options {
  unsigned short port = 8080;
  asio::ip::address address = asio::ip::address_v4::any();
  std::filesystem::path root = "web";
  bool root_given = false;
  bool help = false;
  // Transport: TLS and WebSocket admission (tls.hpp, admission.hpp).
  std::filesystem::path cert, key;           // both or neither
  std::vector<std::string> allowed_origins;  // canonical, see OriginPolicy::canonical_allowed
  std::size_t max_connections_per_address = moim::server::AddressLimiter::kDefaultLimit;
  std::size_t max_http_connections_per_address = moim::server::ConnectionGate::kDefaultPerAddress;
  std::optional<std::size_t> max_connections;  // default: from the open-file limit
  std::vector<moim::server::Cidr> trusted_proxies;
  std::vector<std::string> server_names;       // canonical, see HostPolicy::canonical_name
  unsigned http_keep_alive_seconds = 15;
  // Rooms, sessions and limits (hub.hpp's HubConfig; PROTOCOL.md).
  std::filesystem::path data_dir = "moim-data";  // "" = nothing persisted
  moim::HubConfig hub;
  unsigned password_threads = 0;  // 0 = one per core
  // ICE servers (ice_servers.hpp): the URIs and policy go into hub.ice; the secret is read in run().
  std::filesystem::path turn_secret_file;
  std::optional<unsigned short> stun_port;  // default: the HTTP port
  // The SFU (Janus VideoRoom, sfu/janus_client.hpp): where it is and the secrets that open it.
  std::optional<moim::sfu::JanusUrl> janus_url;
  std::filesystem::path janus_api_secret_file, janus_admin_key_file;
};

constexpr std::string_view kUsage =
    "Usage: moim-server [--port N] [--address A] [--root DIR] [--cert FILE --key FILE]\n"
    "                   [--server-name NAME]... [--allow-origin ORIGIN]...\n"
    "                   [--trust-proxy CIDR]... [connection limits below]\n"
    "                   [--data-dir DIR] [session and limit flags below]\n"
    "                   [--stun-port N] [--stun-uri URI]... [--turn-uri URI]...\n"
    "                   [--turn-secret-file PATH] [--turn-ttl S] [--ice-policy all|relay]\n"
    "                   [--janus-url URL [--janus-api-secret-file PATH] [--janus-admin-key-file PATH]] [--help]\n"
    "\n"
    "  --port N      TCP port to listen on, 0-65535 (default 8080; 0 picks a free port)\n"
    "  --address A   IPv4 or IPv6 address to bind (default 0.0.0.0)\n"
    "  --root DIR    folder of static files for the web client (default ./web, relative to the\n"
    "                current directory); GET / serves DIR/index.html. Files and folders whose names\n"
    "                start with '.' are never served, nor symbolic links leading out of DIR; a DIR\n"
    "                that is or contains --data-dir is refused (exit code 2)\n"
    "  --cert FILE   TLS certificate chain (PEM, server certificate first); needs --key. The port\n"
    "                then serves https and wss only (TLS 1.2 or later); a plain http request on it\n"
    "                gets a 307 redirect to https\n"
    "  --key FILE    private key (PEM) of --cert; needs --cert\n"
    "  --server-name NAME\n"
    "                a host name this server is reached by (e.g. moim.example); repeatable. Requests\n"
    "                whose Host header is not one of these names, an IP address, localhost or the\n"
    "                host of an --allow-origin get HTTP 421 (protects against DNS rebinding)\n"
    "  --allow-origin ORIGIN\n"
    "                also accept WebSocket upgrades from pages of ORIGIN, written scheme://host[:port]\n"
    "                (http or https, e.g. https://moim.example:8443); repeatable; * accepts any\n"
    "                origin. Without it only the server's own origin is accepted (the Origin's\n"
    "                host:port must be the request's Host; https with TLS, else http). Requests\n"
    "                without an Origin header (non-browser clients) are always accepted. Refused\n"
    "                upgrades get HTTP 403\n"
    "  --max-connections-per-address N\n"
    "                at most N WebSocket connections at once from one client address (default 32;\n"
    "                0 = no limit; IPv6 by /64; behind --trust-proxy, the forwarded client); more\n"
    "                get HTTP 429\n"
    "  --max-http-connections-per-address N\n"
    "                at most N TCP connections at once from one address, of any kind (HTTP, TLS,\n"
    "                WebSocket), counted when accepted (default 64; 0 = no limit); more are closed\n"
    "                at once. IPv6 addresses count by /64; --trust-proxy ranges are exempt\n"
    "  --max-connections N\n"
    "                at most N TCP connections at once in all (default: the open-file limit, which\n"
    "                the server raises to its hard limit, less 64 kept for files); more are closed\n"
    "                at once\n"
    "  --http-keep-alive S\n"
    "                an HTTP connection may wait at most S seconds for its next request (default 15;\n"
    "                0 = one request per connection); any connection serves at most 1000 requests\n"
    "                and lives at most 10 minutes (WebSockets are not affected)\n"
    "  --trust-proxy CIDR\n"
    "                a reverse proxy (an address or range, e.g. 10.0.0.5 or 2001:db8::/48);\n"
    "                repeatable. Only for connections from these addresses the client's address is\n"
    "                taken from X-Forwarded-For (else Forwarded: for=), right-most hop that is not a\n"
    "                trusted proxy, for the WebSocket and room-password limits\n"
    "  --data-dir DIR  where rooms and the server's key are kept (SQLite, default ./moim-data,\n"
    "                created if missing; one server per folder). --data-dir '' keeps nothing:\n"
    "                rooms are lost at exit and session tokens do not survive a restart\n"
    "  --heartbeat-timeout S   a connection silent this long is lost (default 8; clients ping every quarter of it)\n"
    "  --resume-grace S        a lost participant keeps its place this long to resume (default 20;\n"
    "                0 = leave at once)\n"
    "  --room-expiry-days D    rooms nobody used for D days are removed (default 30; 0 = never)\n"
    "  --max-message-bytes N   largest client message (default 65536, at most 65536)\n"
    "  --max-messages-per-second R   per connection, with bursts up to 4 R (default 50; 0 = no limit)\n"
    "  --max-requests-per-address-per-second R   hello, create-room, join, resume, rename-room and\n"
    "                delete-room from one address over all its connections, bursts up to 5 R\n"
    "                (default 20; 0 = no limit)\n"
    "  --max-rooms-per-address-per-hour N   rooms one address may create per hour (default 20; 0 = no limit)\n"
    "  --max-live-rooms-per-address N       rooms created from one address that may exist at once\n"
    "                (default 50; 0 = no limit)\n"
    "  --session-max-age S     a session token older than this is refused (default 300; at least\n"
    "                2 x (resume grace + heartbeat timeout + 1); clients in a call get a fresh one every S/2)\n"
    "  --max-rooms N           rooms on this server (default 10000)\n"
    "  --max-name-chars N      longest display name (default and most 32)\n"
    "  --max-room-name-chars N longest room name (default and most 48)\n"
    "  --max-capacity N        largest room capacity a creator may choose, 2-50 (default 50)\n"
    "  --mesh-max N            rooms up to N people are mesh rooms (browser to browser); bigger ones are\n"
    "                large rooms, through Janus (--janus-url; without it they cannot be created);\n"
    "                2 to --max-capacity and at most 8 (browsers open at most 7 peer connections;\n"
    "                default 6)\n"
    "  --max-sdp-bytes N       largest offer/answer relayed (default 32768)\n"
    "  --password-threads N    threads hashing room passwords (argon2id, 64 MiB each; default: one\n"
    "                per core)\n"
    "\n"
    "ICE servers (sent to each client in the `ice` message; docs/PROTOCOL.md):\n"
    "  --stun-port N  UDP port of the built-in STUN responder (RFC 8489 Binding requests), on\n"
    "                --address; default: the HTTP port; 0 turns it off. Advertised as stun:{host}:N\n"
    "  --stun-uri URI an external STUN server, stun:host[:port] or stuns:host[:port]; repeatable (8)\n"
    "  --turn-uri URI a TURN server (coturn), turn:host[:port][?transport=udp|tcp] or turns:...;\n"
    "                repeatable (8); needs --turn-secret-file. In both, {host} stands for the host the\n"
    "                client used to reach this server (e.g. turn:{host}:3478?transport=udp)\n"
    "  --turn-secret-file PATH\n"
    "                coturn's static-auth-secret (use-auth-secret), read once at start; the file may\n"
    "                not be readable by group or others (chmod 600); a final newline is ignored.\n"
    "                Clients get username <expiry>:<peer id>, credential base64(HMAC-SHA1(secret,\n"
    "                username)); needs --turn-uri\n"
    "  --turn-ttl S   lifetime of TURN credentials (default 3600, 60-86400 and at least twice the resume\n"
    "                grace plus the heartbeat timeout); clients in a call get fresh ones every S/2\n"
    "  --ice-policy all|relay\n"
    "                relay: browsers use only TURN relays, so no participant learns another's IP\n"
    "                addresses (needs --turn-uri); default all\n"
    "\n"
    "SFU (Janus's VideoRoom plugin; large rooms, over --mesh-max people, have a VideoRoom room each;\n"
    "their media is the next step of issue 15, so they cannot be joined yet):\n"
    "  --janus-url URL  Janus's API over WebSocket, ws://host[:port][/path] (port default 8188), e.g.\n"
    "                ws://127.0.0.1:8188 (scripts/janus.sh). The server connects at start, logs when the\n"
    "                session is ready and keeps it alive; Janus unreachable or lost is logged and tried\n"
    "                again (every 4 s at most), never fatal. Without it the server runs without an SFU\n"
    "  --janus-api-secret-file PATH\n"
    "                Janus's api_secret, sent with every request (scripts/janus.sh keeps it in\n"
    "                DIR/api-secret); chmod 600, one line, read once at start; needs --janus-url\n"
    "  --janus-admin-key-file PATH\n"
    "                the VideoRoom plugin's admin_key, needed to create rooms (DIR/admin-key); the same\n"
    "                rules; needs --janus-url\n"
    "  --help        show this text\n"
    "\n"
    "The WebSocket signaling endpoint is ws://HOST:PORT/ws (wss:// with --cert/--key).\n";

struct UsageError {
  std::string message;
};

std::optional<unsigned short> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<unsigned short>(value);
}

// A whole number in [min, max] for flag `name`, or a usage error saying so.
std::size_t number(std::string_view name, std::string_view text, std::size_t min, std::size_t max) {
  std::size_t value = 0;
  bool ok = !text.empty() && text.size() <= 9;
  for (char c : text) {
    if (c < '0' || c > '9') ok = false;
    else value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  if (!ok || value < min || value > max) {
    throw UsageError{"invalid " + std::string(name) + " '" + std::string(text) + "': expected a number from " +
                     std::to_string(min) + " to " + std::to_string(max)};
  }
  return value;
}

// Accepts "--flag value" and "--flag=value".
Options parse_options(int argc, char** argv) {
  Options options;
  bool mesh_max_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (const std::size_t eq = arg.find('='); arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    auto take_value = [&]() -> std::string_view {
      if (value) return *value;
      if (i + 1 >= argc) throw UsageError{std::string(name) + " needs a value"};
      return argv[++i];
    };

    if (name == "--help" || name == "-h") {
      if (value) throw UsageError{"--help takes no value"};
      options.help = true;
    } else if (name == "--port") {
      const std::string_view text = take_value();
      const std::optional<unsigned short> port = parse_port(text);
      if (!port) throw UsageError{"invalid --port '" + std::string(text) + "': expected a number from 0 to 65535"};
      options.port = *port;
    } else if (name == "--address") {
      const std::string text(take_value());
      boost::system::error_code ec;
      options.address = asio::ip::make_address(text, ec);
      if (ec) throw UsageError{"invalid --address '" + text + "': expected an IPv4 or IPv6 address"};
    } else if (name == "--root") {
      const std::string_view text = take_value();
      if (text.empty()) throw UsageError{"--root needs a folder"};
      options.root = std::filesystem::path(text);
      options.root_given = true;
    } else if (name == "--cert" || name == "--key") {
      const std::string_view text = take_value();
      if (text.empty()) throw UsageError{std::string(name) + " needs a file"};
      (name == "--cert" ? options.cert : options.key) = std::filesystem::path(text);
    } else if (name == "--allow-origin") {
      const std::string_view text = take_value();
      std::optional<std::string> origin = moim::server::OriginPolicy::canonical_allowed(text);
      if (!origin) {
        throw UsageError{"invalid --allow-origin '" + std::string(text) +
                         "': expected *, or scheme://host[:port] with scheme http or https and no path"};
      }
      options.allowed_origins.push_back(std::move(*origin));
    } else if (name == "--max-connections-per-address") {
      const std::string text(take_value());
      const bool digits = !text.empty() && text.size() <= 7 && text.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoul(text) > 1000000) {
        throw UsageError{"invalid --max-connections-per-address '" + text + "': expected a number from 0 to 1000000"};
      }
      options.max_connections_per_address = std::stoul(text);
    } else if (name == "--max-http-connections-per-address") {
      options.max_http_connections_per_address = number(name, take_value(), 0, 1000000);
    } else if (name == "--max-connections") {
      options.max_connections = number(name, take_value(), 1, 100000000);
    } else if (name == "--http-keep-alive") {
      options.http_keep_alive_seconds = static_cast<unsigned>(number(name, take_value(), 0, 3600));
    } else if (name == "--trust-proxy") {
      const std::string_view text = take_value();
      std::string why;
      std::optional<moim::server::Cidr> range = moim::server::parse_cidr(text, &why);
      if (!range) throw UsageError{"invalid --trust-proxy '" + std::string(text) + "': " + why};
      options.trusted_proxies.push_back(*range);
    } else if (name == "--server-name") {
      const std::string_view text = take_value();
      std::optional<std::string> host = moim::server::HostPolicy::canonical_name(text);
      if (!host) {
        throw UsageError{"invalid --server-name '" + std::string(text) +
                         "': expected a host name such as moim.example (no scheme, port or path)"};
      }
      options.server_names.push_back(std::move(*host));
    } else if (name == "--data-dir") {
      options.data_dir = std::filesystem::path(take_value());
    } else if (name == "--heartbeat-timeout") {
      options.hub.heartbeat_timeout_ms = 1000 * number(name, take_value(), 1, 3600);
    } else if (name == "--resume-grace") {
      options.hub.resume_grace_ms = 1000 * number(name, take_value(), 0, 3600);
    } else if (name == "--room-expiry-days") {
      options.hub.room_expiry_seconds = 86400 * number(name, take_value(), 0, 36500);
    } else if (name == "--max-message-bytes") {
      options.hub.max_message_bytes = number(name, take_value(), 64, moim::proto::kMaxMessageBytes);
    } else if (name == "--max-messages-per-second") {
      options.hub.messages_per_second = static_cast<double>(number(name, take_value(), 0, 1000000));
      options.hub.message_burst = 4 * options.hub.messages_per_second;
    } else if (name == "--max-requests-per-address-per-second") {
      options.hub.requests_per_address_per_second = static_cast<double>(number(name, take_value(), 0, 1000000));
      options.hub.request_burst_per_address = 5 * options.hub.requests_per_address_per_second;
    } else if (name == "--max-rooms-per-address-per-hour") {
      options.hub.max_rooms_per_address_per_hour = number(name, take_value(), 0, 1000000);
    } else if (name == "--max-live-rooms-per-address") {
      options.hub.max_live_rooms_per_address = number(name, take_value(), 0, 1000000);
    } else if (name == "--session-max-age") {
      options.hub.session_max_age_s = static_cast<std::int64_t>(number(name, take_value(), 10, 30 * 86400));
    } else if (name == "--max-rooms") {
      options.hub.registry.max_rooms = number(name, take_value(), 1, 1000000);
    } else if (name == "--max-name-chars") {
      options.hub.max_name_chars = number(name, take_value(), 1, moim::proto::kMaxNameChars);
    } else if (name == "--max-room-name-chars") {
      options.hub.max_room_name_chars = number(name, take_value(), 1, moim::proto::kMaxRoomNameChars);
    } else if (name == "--max-capacity") {
      options.hub.max_capacity = number(name, take_value(), moim::proto::kMinCapacity, moim::proto::kMaxCapacity);
    } else if (name == "--mesh-max") {
      options.hub.mesh_max = number(name, take_value(), moim::proto::kMinCapacity, moim::proto::kMaxMeshCapacity);
      mesh_max_given = true;
    } else if (name == "--max-sdp-bytes") {
      options.hub.max_sdp_bytes = number(name, take_value(), 1024, moim::proto::kMaxMessageBytes);
    } else if (name == "--password-threads") {
      options.password_threads = number(name, take_value(), 1, 64);
    } else if (name == "--stun-uri" || name == "--turn-uri") {
      const bool turn = name == "--turn-uri";
      const std::string_view text = take_value();
      const std::optional<std::string> problem =
          moim::server::check_ice_uri(text, turn ? moim::server::IceUriKind::Turn : moim::server::IceUriKind::Stun);
      if (problem) throw UsageError{"invalid " + std::string(name) + " '" + std::string(text) + "': " + *problem};
      std::vector<std::string>& uris = turn ? options.hub.ice.turn_uris : options.hub.ice.stun_uris;
      if (uris.size() == moim::proto::kMaxIceUrls) {
        throw UsageError{"at most " + std::to_string(moim::proto::kMaxIceUrls) + " " + std::string(name) + " flags"};
      }
      uris.emplace_back(text);
    } else if (name == "--turn-secret-file") {
      const std::string_view text = take_value();
      if (text.empty()) throw UsageError{"--turn-secret-file needs a file"};
      options.turn_secret_file = std::filesystem::path(text);
    } else if (name == "--turn-ttl") {
      options.hub.ice.turn_ttl_s = static_cast<std::int64_t>(
          number(name, take_value(), moim::server::kMinTurnTtlSeconds, moim::server::kMaxTurnTtlSeconds));
    } else if (name == "--stun-port") {
      const std::string_view text = take_value();
      const std::optional<unsigned short> port = parse_port(text);
      if (!port) {
        throw UsageError{"invalid --stun-port '" + std::string(text) + "': expected a number from 0 to 65535 (0: no STUN responder)"};
      }
      options.stun_port = *port;
    } else if (name == "--janus-url") {
      const std::string_view text = take_value();
      std::string why;
      options.janus_url = moim::sfu::parse_url(text, &why);
      if (!options.janus_url) throw UsageError{"invalid --janus-url '" + std::string(text) + "': " + why};
    } else if (name == "--janus-api-secret-file" || name == "--janus-admin-key-file") {
      const std::string_view text = take_value();
      if (text.empty()) throw UsageError{std::string(name) + " needs a file"};
      (name == "--janus-api-secret-file" ? options.janus_api_secret_file : options.janus_admin_key_file) =
          std::filesystem::path(text);
    } else if (name == "--ice-policy") {
      const std::string_view text = take_value();
      if (text == "all") options.hub.ice.policy = moim::proto::IcePolicy::All;
      else if (text == "relay") options.hub.ice.policy = moim::proto::IcePolicy::Relay;
      else throw UsageError{"invalid --ice-policy '" + std::string(text) + "': expected all or relay"};
    } else {
      throw UsageError{"unknown argument '" + std::string(arg) + "'"};
    }
  }
  if (options.cert.empty() != options.key.empty()) {
    throw UsageError{"--cert and --key go together: give both or neither"};
  }
  // A client's newest token may be half the maximum age old when its connection dies; then the
  // heartbeat timeout and the whole grace window pass before its resume: the token must outlive that.
  const std::int64_t needed_s = 2 * ((options.hub.resume_grace_ms + options.hub.heartbeat_timeout_ms) / 1000 + 1);
  if (options.hub.session_max_age_s < needed_s) {
    throw UsageError{"--session-max-age must be at least " + std::to_string(needed_s) +
                     " s: twice the resume grace plus the heartbeat timeout (a held session resumes with a token "
                     "up to half that old)"};
  }
  // TURN: the URIs and the secret go together; relay-only needs a relay.
  if (options.hub.ice.has_turn() && options.turn_secret_file.empty()) {
    throw UsageError{"--turn-uri needs --turn-secret-file (the TURN REST secret shared with coturn)"};
  }
  if (!options.hub.ice.has_turn() && !options.turn_secret_file.empty()) {
    throw UsageError{"--turn-secret-file needs at least one --turn-uri (the TURN servers it is the secret of)"};
  }
  if (options.hub.ice.policy == moim::proto::IcePolicy::Relay && !options.hub.ice.has_turn()) {
    throw UsageError{"--ice-policy relay needs --turn-uri: with only relayed candidates and no TURN server, "
                     "nobody could connect"};
  }
  // Not given, it follows a smaller --max-capacity (every room a mesh room); given, it must fit.
  if (!mesh_max_given) options.hub.mesh_max = std::min(options.hub.mesh_max, options.hub.max_capacity);
  if (options.hub.mesh_max > options.hub.max_capacity) {
    throw UsageError{"--mesh-max (" + std::to_string(options.hub.mesh_max) + ") must not exceed --max-capacity (" +
                     std::to_string(options.hub.max_capacity) + ")"};
  }
  options.hub.janus_configured = options.janus_url.has_value();
  if (!options.janus_url && !(options.janus_api_secret_file.empty() && options.janus_admin_key_file.empty())) {
    throw UsageError{"--janus-api-secret-file and --janus-admin-key-file need --janus-url (the Janus they open)"};
  }
  // The same rule as for tokens: credentials sent just before a connection is lost (half their
  // lifetime old) must still work when the session resumes after the heartbeat timeout and grace.
  if (options.hub.ice.turn_ttl_s < needed_s) {
    throw UsageError{"--turn-ttl must be at least " + std::to_string(needed_s) +
                     " s: twice the resume grace plus the heartbeat timeout (a held session's TURN credentials "
                     "may be half that old)"};
  }
  return options;
}

std::string display_host(const asio::ip::address& address) {
  if (address.is_unspecified() || address.is_loopback()) return "localhost";
  if (address.is_v6()) return "[" + address.to_string() + "]";
  return address.to_string();
}

// Every connection is a file descriptor: raise the soft limit to the hard one, and say what it is.
// Returns the limit now in force (0: unknown).
std::size_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    moim::server::log_warn(std::string("cannot read the open-file limit: ") + std::strerror(errno));
    return 0;
  }
  const rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      moim::server::log_warn(std::string("cannot raise the open-file limit: ") + std::strerror(errno));
      limit.rlim_cur = before;
    }
  }
  const auto shown = [](rlim_t value) { return value == RLIM_INFINITY ? std::string("unlimited") : std::to_string(value); };
  moim::server::log_info("open-file limit " + shown(limit.rlim_cur) +
                         (limit.rlim_cur != before ? " (raised from " + shown(before) + ")" : std::string()));
  return limit.rlim_cur == RLIM_INFINITY ? 0 : static_cast<std::size_t>(limit.rlim_cur);
}

// The default for --max-connections: what the open-file limit leaves after the descriptors the
// server needs besides connections (listener, stdio, SQLite, the key, the password pool): 64.
std::size_t default_max_connections(std::size_t open_file_limit) {
  constexpr std::size_t kReserved = 64;
  if (open_file_limit == 0) return 1000000;  // unlimited or unknown
  return open_file_limit > 2 * kReserved ? open_file_limit - kReserved : std::max<std::size_t>(open_file_limit / 2, 1);
}

// One line for the log: what each client will be told.
std::string describe_ice(const moim::server::IceSettings& ice) {
  std::string text = "ICE servers for clients:";
  text += ice.stun_port != 0 ? " built-in STUN stun:{host}:" + std::to_string(ice.stun_port) : " no built-in STUN";
  for (const std::string& uri : ice.stun_uris) text += ", " + uri;
  for (const std::string& uri : ice.turn_uris) text += ", " + uri;
  if (ice.has_turn()) text += " (TURN credentials valid " + std::to_string(ice.turn_ttl_s) + " s)";
  text += ", policy ";
  text += moim::proto::to_string(ice.policy);
  return text;
}

int run(const Options& options) {
  std::error_code fs_ec;
  const bool root_exists = std::filesystem::is_directory(options.root, fs_ec);
  if (!root_exists) {
    if (options.root_given) {
      std::cerr << "moim-server: --root '" << options.root.string() << "' is not a folder\n";
      return kExitUsage;
    }
    moim::server::log_warn("static folder '" + options.root.string() +
                           "' not found: HTTP requests will get 404 (use --root DIR)");
  }
  // The static folder is published whole: it must not hold the server's key and database.
  if (root_exists && !options.data_dir.empty()) {
    std::error_code root_ec, data_ec;
    const std::filesystem::path root = std::filesystem::canonical(options.root, root_ec);
    const std::filesystem::path data = std::filesystem::weakly_canonical(options.data_dir, data_ec);
    if (!root_ec && !data_ec && moim::server::is_within(data, root)) {
      std::cerr << "moim-server: --root '" << options.root.string() << "' "
                << (data == root ? "is" : "contains") << " the data folder '" << options.data_dir.string()
                << "' (--data-dir): serving it would publish the server's key and rooms. Serve the built"
                   " site folder (build/wasm/site) or move the data folder out of it\n";
      return kExitUsage;
    }
  }
  // Nor the TURN or Janus secrets (the static files are served whatever their permissions).
  for (const auto& [flag, path, what] :
       {std::tuple{"--turn-secret-file", &options.turn_secret_file, "the TURN secret"},
        std::tuple{"--janus-api-secret-file", &options.janus_api_secret_file, "Janus's API secret"},
        std::tuple{"--janus-admin-key-file", &options.janus_admin_key_file, "the VideoRoom admin key"}}) {
    if (!root_exists || path->empty()) continue;
    std::error_code root_ec, secret_ec;
    const std::filesystem::path root = std::filesystem::canonical(options.root, root_ec);
    const std::filesystem::path secret = std::filesystem::weakly_canonical(*path, secret_ec);
    if (!root_ec && !secret_ec && moim::server::is_within(secret, root)) {
      std::cerr << "moim-server: --root '" << options.root.string() << "' contains the " << flag << " '"
                << path->string() << "': serving it would publish " << what << ". Keep it "
                   "outside the site folder (in the data folder, say)\n";
      return kExitUsage;
    }
  }
  const std::size_t open_file_limit = raise_open_file_limit();
  const std::size_t max_connections = options.max_connections.value_or(default_max_connections(open_file_limit));
  if (open_file_limit != 0 && max_connections > open_file_limit) {
    moim::server::log_warn("--max-connections " + std::to_string(max_connections) + " is above the open-file limit " +
                           std::to_string(open_file_limit) + ": accepting may fail with 'Too many open files'");
  }

  // TLS: a certificate or key that cannot be used stops the server before it listens.
  std::shared_ptr<asio::ssl::context> tls;
  if (!options.cert.empty()) {
    moim::server::TlsContextResult loaded = moim::server::make_tls_context(options.cert, options.key);
    if (!loaded.context) {
      std::cerr << "moim-server: cannot use TLS: " << loaded.error << "\n";
      return kExitUsage;
    }
    tls = std::move(loaded.context);
  }

  // The TURN REST secret, read once: a file that cannot be used stops the server before it listens.
  moim::HubConfig hub_config = options.hub;
  if (!options.turn_secret_file.empty()) {
    std::string secret_error;
    std::optional<std::string> secret = moim::server::read_secret_file("--turn-secret-file", options.turn_secret_file,
                                                         "make TURN credentials", "coturn's static-auth-secret",
                                                         secret_error);
    if (!secret) {
      std::cerr << "moim-server: " << secret_error << "\n";
      return kExitUsage;
    }
    hub_config.ice.turn_secret = std::move(*secret);
  }
  // Janus's secrets, read once the same way.
  moim::sfu::Config janus_config;
  for (auto [flag, path, target, lets, hint] :
       {std::tuple{"--janus-api-secret-file", &options.janus_api_secret_file, &janus_config.api_secret,
                   "use Janus's API", "Janus's api_secret"},
        std::tuple{"--janus-admin-key-file", &options.janus_admin_key_file, &janus_config.admin_key,
                   "create VideoRoom rooms", "the VideoRoom plugin's admin_key"}}) {
    if (path->empty()) continue;
    std::string secret_error;
    std::optional<std::string> secret = moim::server::read_secret_file(flag, *path, lets, hint, secret_error);
    if (!secret) {
      std::cerr << "moim-server: " << secret_error << "\n";
      return kExitUsage;
    }
    *target = std::move(*secret);
  }

  // The context outlives the io_context: handlers destroyed with the io_context may own sessions.
  // Rooms and the key: the store first, so its folder lock also guards creating the key.
  std::unique_ptr<moim::server::RoomStore> store;
  std::string error;
  if (options.data_dir.empty()) {
    store = std::make_unique<moim::server::MemoryRoomStore>();
    moim::server::log_warn("no --data-dir: rooms are kept in memory only");
  } else {
    store = moim::server::SqliteRoomStore::open(options.data_dir, error);
    if (!store) {
      std::cerr << "moim-server: " << error << "\n";
      return 1;
    }
  }
  std::unique_ptr<moim::server::Secrets> secrets = moim::server::Secrets::open(options.data_dir, error);
  if (!secrets) {
    std::cerr << "moim-server: " << error << "\n";
    return 1;
  }
  moim::server::ServerContext ctx(std::move(hub_config), moim::HubServices{*store, *secrets}, options.root);
  if (!ctx.hub.startup_error().empty()) {
    std::cerr << "moim-server: " << ctx.hub.startup_error() << "\n";
    return 1;
  }
  if (!options.data_dir.empty()) {
    moim::server::log_info(std::to_string(ctx.hub.registry().room_count()) + " rooms loaded from '" +
                           options.data_dir.string() + "'");
  }
  for (const std::string& warning : ctx.site_warnings) moim::server::log_warn("static files: " + warning);
  if (root_exists) {
    moim::server::log_info("serving " + std::to_string(ctx.site.file_count()) + " files (" +
                           std::to_string((ctx.site.total_bytes() + 1023) / 1024) + " KiB with their .br/.gz forms) from '" +
                           options.root.string() + "', held in memory");
  }
  // Transport settings (TLS, WebSocket admission).
  ctx.tls = tls;
  ctx.origins = moim::server::OriginPolicy(options.allowed_origins);
  ctx.per_address.set_limit(options.max_connections_per_address);
  ctx.connection_gate.set_limits(options.max_http_connections_per_address, max_connections);
  ctx.proxies = moim::server::TrustedProxies(options.trusted_proxies);
  ctx.http_keep_alive = std::chrono::seconds(options.http_keep_alive_seconds);
  std::vector<std::string> host_names = options.server_names;
  for (const std::string& origin : options.allowed_origins) {  // pages of an allowed origin may load us
    if (std::optional<std::string> host = moim::server::HostPolicy::host_of_origin(origin)) host_names.push_back(*host);
  }
  ctx.hosts = moim::server::HostPolicy(std::move(host_names));
  moim::server::log_info("at most " + std::to_string(max_connections) + " connections, " +
                         (options.max_http_connections_per_address
                              ? std::to_string(options.max_http_connections_per_address) + " per address"
                              : std::string("no limit per address")));

  asio::io_context ioc{1};
  // Declared after ioc: destroyed (workers joined) first, so no result is posted to a dead context.
  moim::server::PasswordPool passwords(options.password_threads, options.hub.max_password_jobs,
                                       [&ioc, &ctx](moim::server::PasswordResult result) {
                                         moim::server::post_password_result(ioc, ctx, std::move(result));
                                       });
  ctx.connections.run_password_jobs = [&](const std::vector<moim::server::PasswordJob>& jobs) {
    moim::server::run_password_jobs(ioc, ctx, passwords, jobs);
  };
  moim::server::start_hub_clock(ioc, ctx);

  auto listener = std::make_shared<moim::server::Listener>(ioc, ctx);
  const tcp::endpoint endpoint(options.address, options.port);
  if (const auto ec = listener->listen(endpoint)) {
    std::cerr << "moim-server: cannot listen on " << options.address.to_string() << ":" << options.port << ": "
              << ec.message() << "\n";
    return 1;
  }
  // The built-in STUN responder: UDP on the same address, by default on the HTTP port's number.
  std::shared_ptr<moim::server::StunResponder> stun;
  const unsigned short stun_port = options.stun_port.value_or(listener->port());
  if (stun_port != 0) {
    std::random_device random;  // keys the rate limit's hash: nobody can aim forged sources at one bucket
    const std::uint64_t seed = (std::uint64_t{random()} << 32) | random();
    stun = std::make_shared<moim::server::StunResponder>(ioc, seed);
    if (const auto ec = stun->open(asio::ip::udp::endpoint(options.address, stun_port))) {
      std::cerr << "moim-server: cannot listen for STUN on udp " << options.address.to_string() << ":" << stun_port
                << ": " << ec.message() << " (--stun-port picks another port; --stun-port 0 turns the responder off)\n";
      return 1;
    }
    stun->start();
  }
  ctx.hub.set_stun_port(stun ? stun->port() : 0);
  moim::server::log_info(describe_ice(ctx.hub.config().ice));
  listener->start();

  // The SFU: connect now; Janus unreachable or lost is logged and tried again, never fatal.
  std::shared_ptr<moim::sfu::JanusClient> janus;
  if (options.janus_url) {
    moim::server::log_info("janus: connecting to " + moim::sfu::to_string(*options.janus_url) +
                           (janus_config.api_secret.empty() ? " (no API secret)" : "") +
                           (janus_config.admin_key.empty() ? " (no VideoRoom admin key)" : ""));
    janus = moim::server::start_janus_rooms(ioc, ctx, *options.janus_url, std::move(janus_config));
  }

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    moim::server::log_info(std::string("signal ") + std::to_string(signal_number) + ", shutting down");
    listener->stop();
    if (stun) stun->stop();
    if (janus) janus->stop();
    ioc.stop();
  });

  std::cout << "Moim server listening on " << (tls ? "https" : "http") << "://" << display_host(options.address) << ":"
            << listener->port() << std::endl;

  // A handler that throws must not take the server down: log and keep serving.
  for (;;) {
    try {
      ioc.run();
      break;
    } catch (const std::exception& e) {
      moim::server::log_error(std::string("unhandled exception in a handler: ") + e.what());
    } catch (...) {
      moim::server::log_error("unhandled non-standard exception in a handler");
    }
  }
  if (stun) {
    const moim::server::StunResponder::Counts& counts = stun->counts();
    moim::server::log_info("STUN responder: " + std::to_string(counts.answered) + " answered, " +
                           std::to_string(counts.dropped) + " dropped (not a Binding request), " +
                           std::to_string(counts.limited) + " over the rate limit, " +
                           std::to_string(counts.send_failed) + " could not be sent");
  }
  std::cout << "Moim server stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "moim-server: " << e.message << "\n" << kUsage;
    return kExitUsage;
  }
  if (options.help) {
    std::cout << kUsage;
    return 0;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a vanished peer must give EPIPE, not kill the process
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "moim-server: fatal: " << e.what() << "\n";
    return 1;
  }
}
