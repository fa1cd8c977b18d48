#include "ice_servers.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace moim::server {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A decimal port 1-65535 without sign or leading zero.
bool is_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || text.front() == '0') return false;
  unsigned value = 0;
  for (char c : text) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

// Dotted-quad IPv4, each part 0-255 without leading zeros (browsers read "010" as octal).
bool is_ipv4(std::string_view text) {
  int parts = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = text.find('.', start);
    const std::string_view part = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) return false;
    unsigned value = 0;
    for (char c : part) {
      if (!is_digit(c)) return false;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

// Letters, digits, '-' and '_' in dot-separated labels of 1-63 characters (253 in all); the last label
// not all digits (a URL parser would take "1.2.3" for an IPv4 address). Lower case only: callers fold.
bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  bool all_digits = true;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63) return false;
      if (name[i - 1] == '-' || name[i - label] == '-') return false;
      if (i == name.size() && all_digits) return false;
      label = 0;
      all_digits = true;
      continue;
    }
    const char c = name[i];
    if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_')) return false;
    all_digits = all_digits && is_digit(c);
    ++label;
  }
  return true;
}

// "[...]" holding an IPv6 address without a zone, in canonical form; nullopt otherwise.
std::optional<std::string> canonical_ipv6(std::string_view bracketed) {
  if (bracketed.size() < 4 || bracketed.size() > 47 || bracketed.front() != '[' || bracketed.back() != ']') {
    return std::nullopt;
  }
  const std::string inner(bracketed.substr(1, bracketed.size() - 2));
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET6, inner.c_str(), bytes.data()) != 1) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  if (!::inet_ntop(AF_INET6, bytes.data(), text, sizeof text)) return std::nullopt;
  return "[" + std::string(text) + "]";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The host of a URI or a Host header in canonical form, or nullopt.
std::optional<std::string> canonical_host(std::string_view host) {
  if (host.empty()) return std::nullopt;
  if (host.front() == '[') return canonical_ipv6(host);
  if (is_ipv4(host)) return std::string(host);
  std::string name = lower(host);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (!is_dns_name(name)) return std::nullopt;
  return name;
}

// Splits "host[:port]" (host may be "[v6]"); nullopt when a port is there but not 1-65535.
struct HostAndPort {
  std::string_view host;
  std::string_view port;  // "" = none
};
std::optional<HostAndPort> split_host_port(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return HostAndPort{text, {}};
    if (rest.front() != ':' || !is_port(rest.substr(1))) return std::nullopt;
    return HostAndPort{text.substr(0, close + 1), rest.substr(1)};
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return HostAndPort{text, {}};
  if (!is_port(text.substr(colon + 1))) return std::nullopt;
  return HostAndPort{text.substr(0, colon), text.substr(colon + 1)};
}

std::string replace_host(std::string_view uri, std::string_view host) {
  std::string out(uri);
  const std::size_t at = out.find(kIceHostPlaceholder);
  if (at != std::string::npos) out.replace(at, kIceHostPlaceholder.size(), host);
  return out;
}

bool needs_host(std::string_view uri) { return uri.find(kIceHostPlaceholder) != std::string_view::npos; }

// The configured URIs with the host filled in; those needing a host that is not there are left out.
std::vector<std::string> filled(const std::vector<std::string>& uris, const std::optional<std::string>& host) {
  std::vector<std::string> out;
  for (const std::string& uri : uris) {
    if (!needs_host(uri)) out.push_back(uri);
    else if (host) out.push_back(replace_host(uri, *host));
  }
  return out;
}

}  // namespace

bool IceSettings::uses_host() const {
  if (stun_port != 0) return true;
  const auto any = [](const std::vector<std::string>& uris) { return std::any_of(uris.begin(), uris.end(), needs_host); };
  return any(stun_uris) || any(turn_uris);
}

std::optional<std::string> check_ice_uri(std::string_view uri, IceUriKind kind) {
  const bool turn = kind == IceUriKind::Turn;
  std::string_view rest;
  for (std::string_view scheme : turn ? std::array<std::string_view, 2>{"turn:", "turns:"}
                                      : std::array<std::string_view, 2>{"stun:", "stuns:"}) {
    if (uri.starts_with(scheme)) rest = uri.substr(scheme.size());
  }
  if (rest.data() == nullptr) {
    return turn ? "a TURN URI starts with turn: or turns:" : "a STUN URI starts with stun: or stuns:";
  }
  // The longest host a connection can bring (a 253-character name) must still fit the protocol's bound.
  const std::size_t longest = uri.size() + (needs_host(uri) ? 253 - kIceHostPlaceholder.size() : 0);
  if (longest > proto::kMaxIceUrlBytes) {
    return "longer than " + std::to_string(proto::kMaxIceUrlBytes) + " bytes (with {host} filled in)";
  }
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q);
    rest = rest.substr(0, q);
    if (!turn) return "a STUN URI has no ?query";
    if (query != "?transport=udp" && query != "?transport=tcp") return "the only query allowed is ?transport=udp or ?transport=tcp";
  }
  const std::optional<HostAndPort> parts = split_host_port(rest);
  if (!parts) return "expected host[:port] after the scheme, with a port from 1 to 65535";
  if (parts->host != kIceHostPlaceholder) {
    if (needs_host(uri)) return "{host} may only stand for the whole host, once";
    if (!canonical_host(parts->host)) {
      return "the host '" + std::string(parts->host) +
             "' is not {host}, a DNS name, an IPv4 address or a bracketed IPv6 address";
    }
  }
  return std::nullopt;
}

std::optional<std::string> uri_host_of(std::string_view host_header, std::string* why) {
  const auto refuse = [&](std::string reason) -> std::optional<std::string> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  if (host_header.empty()) return refuse("the request had no Host header");
  if (host_header.size() > 253 + 6) return refuse("the Host header is longer than a host name and port can be");
  const std::optional<HostAndPort> parts = split_host_port(host_header);
  if (!parts) return refuse("the Host header is not host[:port]");
  std::optional<std::string> host = canonical_host(parts->host);
  if (!host) return refuse("the Host header's host is not a DNS name, an IPv4 address or a bracketed IPv6 address");
  return host;
}

std::string turn_rest_credential(std::string_view secret, std::string_view username) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (!::HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char*>(username.data()), username.size(), mac, &mac_size)) {
    return {};
  }
  std::string out(4 * ((mac_size + 2) / 3), '\0');
  const int written = ::EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_size));
  out.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  return out;
}

proto::IceConfig ice_config_for(const IceSettings& settings, const std::optional<std::string>& uri_host,
                                proto::PeerId peer, std::int64_t now_unix) {
  proto::IceConfig config;
  config.policy = settings.policy;
  if (settings.stun_port != 0 && uri_host) {
    config.servers.push_back(proto::IceServer{
        .urls = {"stun:" + *uri_host + ":" + std::to_string(settings.stun_port)}, .username = {}, .credential = {}});
  }
  if (std::vector<std::string> stun = filled(settings.stun_uris, uri_host); !stun.empty()) {
    config.servers.push_back(proto::IceServer{.urls = std::move(stun), .username = {}, .credential = {}});
  }
  if (std::vector<std::string> turn = filled(settings.turn_uris, uri_host); !turn.empty()) {
    const std::int64_t expires = now_unix + settings.turn_ttl_s;
    std::string username = std::to_string(expires) + ":" + std::to_string(peer);
    std::string credential = turn_rest_credential(settings.turn_secret, username);
    config.servers.push_back(
        proto::IceServer{.urls = std::move(turn), .username = std::move(username), .credential = std::move(credential)});
    config.expires = static_cast<std::uint64_t>(expires);
  }
  return config;
}

}  // namespace moim::server
