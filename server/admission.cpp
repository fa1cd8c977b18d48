#include "admission.hpp"

#include <algorithm>
#include <utility>

namespace moim::server {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "1".."65535" without sign or spaces; leading zeros are allowed and dropped.
std::optional<unsigned> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return value;
}

unsigned default_port(std::string_view scheme) {
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "http" || scheme == "ws") return 80;
  return 0;  // unknown scheme: no default
}

struct HostPort {
  std::string host;  // lower case; an IPv6 literal keeps its brackets
  unsigned port = 0;  // 0: not given
};

// "host", "host:port", "[v6]" or "[v6]:port" (an HTTP Host header or an origin's authority).
std::optional<HostPort> parse_host_port(std::string_view text) {
  HostPort out;
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(0, close + 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else if (const std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  for (char c : host) {
    // Letters, digits and the punctuation of host names and IP literals; no user info, path or space.
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_' || c == ':' || c == '[' || c == ']' || c == '%';
    if (!ok) return std::nullopt;
  }
  if (!port.empty()) {
    const std::optional<unsigned> number = parse_port(port);
    if (!number) return std::nullopt;
    out.port = *number;
  }
  out.host = lower(host);
  return out;
}

// "scheme://host:port" with the scheme's default port filled in (kept out when it has none).
std::optional<std::string> canonical_origin(std::string_view text) {
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  const std::string scheme = lower(text.substr(0, sep));
  for (char c : scheme) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!ok) return std::nullopt;
  }
  std::optional<HostPort> authority = parse_host_port(text.substr(sep + 3));
  if (!authority) return std::nullopt;
  const unsigned port = authority->port ? authority->port : default_port(scheme);
  std::string out = scheme + "://" + authority->host;
  if (port) out += ":" + std::to_string(port);
  return out;
}

}  // namespace

// ---- OriginPolicy --------------------------------------------------------------------------------

std::optional<std::string> OriginPolicy::canonical_allowed(std::string_view text) {
  if (text == "*") return std::string("*");
  if (!text.empty() && text.back() == '/') text.remove_suffix(1);  // "https://host/" is meant as the origin
  std::optional<std::string> canonical = canonical_origin(text);
  if (!canonical) return std::nullopt;
  if (canonical->rfind("http://", 0) != 0 && canonical->rfind("https://", 0) != 0) return std::nullopt;
  return canonical;
}

OriginPolicy::OriginPolicy(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {
  any_ = std::find(allowed_.begin(), allowed_.end(), "*") != allowed_.end();
}

bool OriginPolicy::allows(const std::optional<std::string_view>& origin, std::string_view host, bool tls) const {
  if (!origin) return true;  // not a browser: see the header
  if (any_) return true;
  const std::optional<std::string> canonical = canonical_origin(*origin);
  if (!canonical) return false;  // "null" (sandboxed frames, file://) and anything malformed
  if (std::find(allowed_.begin(), allowed_.end(), *canonical) != allowed_.end()) return true;
  // Same origin: the page this server served opens the socket.
  const std::optional<HostPort> own = parse_host_port(host);
  if (!own) return false;
  const unsigned own_port = own->port ? own->port : (tls ? 443u : 80u);
  return *canonical == std::string(tls ? "https://" : "http://") + own->host + ":" + std::to_string(own_port);
}

// ---- AddressLimiter ------------------------------------------------------------------------------

AddressLimiter::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), entry_(std::exchange(other.entry_, nullptr)) {}

AddressLimiter::Slot& AddressLimiter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    entry_ = std::exchange(other.entry_, nullptr);
  }
  return *this;
}

void AddressLimiter::Slot::release() {
  if (AddressLimiter* owner = std::exchange(owner_, nullptr)) owner->give_back(std::exchange(entry_, nullptr));
}

AddressLimiter::Slot AddressLimiter::acquire(const std::string& address) {
  // References to unordered_map elements stay valid until the element is erased (rehashing too).
  Slot::Entry& entry = *counts_.try_emplace(address, 0).first;
  if (limit_ != 0 && entry.second >= limit_) return Slot();
  ++entry.second;
  return Slot(this, &entry);
}

std::size_t AddressLimiter::count(const std::string& address) const {
  const auto it = counts_.find(address);
  return it == counts_.end() ? 0 : it->second;
}

void AddressLimiter::give_back(Slot::Entry* entry) {
  if (--entry->second == 0) counts_.erase(counts_.find(entry->first));  // by iterator: the key dies with it
}

}  // namespace moim::server
