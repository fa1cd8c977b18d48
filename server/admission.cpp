#include "admission.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
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

bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63) return false;
      if (name[i - 1] == '-' || name[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
    ++label;
  }
  return true;
}

constexpr std::array<unsigned char, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

// ---- client addresses --------------------------------------------------------------------------------

bool IpAddress::is_v4() const { return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin()); }

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_v4()) ::inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
  else ::inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  return text;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (const std::size_t zone = text.find('%'); zone != std::string_view::npos) {
    if (zone + 1 == text.size()) return std::nullopt;
    text = text.substr(0, zone);  // fe80::1%eth0: the zone says which interface, not who
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);  // inet_pton needs a NUL-terminated string
  IpAddress address;
  if (copy.find(':') == std::string::npos) {
    unsigned char v4[4];
    if (::inet_pton(AF_INET, copy.c_str(), v4) != 1) return std::nullopt;  // strict: 4 decimal parts
    std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.bytes.begin());
    std::memcpy(address.bytes.data() + 12, v4, 4);
    return address;
  }
  if (::inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) != 1) return std::nullopt;
  return address;
}

std::string address_key(const IpAddress& address) {
  if (address.is_v4()) return address.to_string();
  IpAddress network = address;
  std::fill(network.bytes.begin() + 8, network.bytes.end(), 0);
  return network.to_string() + "/64";
}

std::string address_key(std::string_view ip) {
  const std::optional<IpAddress> address = parse_ip(ip);
  return address ? address_key(*address) : std::string(ip);
}

bool Cidr::contains(const IpAddress& address) const {
  const unsigned whole = prefix / 8, rest = prefix % 8;
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + whole, address.bytes.begin())) return false;
  if (rest == 0) return true;
  const unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (base.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

std::string Cidr::to_string() const {
  return base.to_string() + "/" + std::to_string(base.is_v4() ? prefix - 96 : prefix);
}

std::optional<Cidr> parse_cidr(std::string_view text, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<Cidr> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  const std::size_t slash = text.find('/');
  const std::optional<IpAddress> base = parse_ip(text.substr(0, slash));
  if (!base || text.find('%') != std::string_view::npos) {
    return fail("expected an IPv4 or IPv6 address or range, e.g. 10.0.0.0/8 or 2001:db8::/32");
  }
  const unsigned bits = base->is_v4() ? 32 : 128;
  unsigned prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return fail("the prefix length after '/' must be a number from 0 to " + std::to_string(bits));
    }
    prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
    if (prefix > bits) return fail("the prefix length after '/' must be a number from 0 to " + std::to_string(bits));
  }
  Cidr cidr{*base, prefix + (base->is_v4() ? 96 : 0)};
  Cidr network = cidr;
  for (unsigned bit = cidr.prefix; bit < 128; ++bit) {
    network.base.bytes[bit / 8] &= static_cast<unsigned char>(~(0x80 >> (bit % 8)));
  }
  if (!(network.base == cidr.base)) {
    return fail("address bits are set past the prefix; did you mean " + network.to_string() + "?");
  }
  return cidr;
}

// ---- HostPolicy ------------------------------------------------------------------------------------

std::optional<std::string> HostPolicy::canonical_name(std::string_view text) {
  std::string name = lower(text);
  if (!name.empty() && name.back() == '.') name.pop_back();  // "example.com." is the same name
  if (!is_dns_name(name)) return std::nullopt;
  return name;
}

std::optional<std::string> HostPolicy::host_of_origin(std::string_view origin) {
  const std::size_t sep = origin.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  const std::optional<HostPort> authority = parse_host_port(origin.substr(sep + 3));
  if (!authority) return std::nullopt;
  return authority->host;
}

bool HostPolicy::allows(std::string_view host) const {
  const std::optional<HostPort> parsed = parse_host_port(host);
  if (!parsed) return false;
  std::string_view name = parsed->host;
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    return parse_ip(name.substr(1, name.size() - 2)).has_value() && name.find('%') == std::string_view::npos;
  }
  if (name.find(':') == std::string_view::npos && parse_ip(name)) return true;  // IPv4 literal
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name == "localhost") return true;
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

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

// ---- ConnectionGate ------------------------------------------------------------------------------

ConnectionGate::Ticket::Ticket(Ticket&& other) noexcept
    : gate_(std::exchange(other.gate_, nullptr)), address_slot_(std::move(other.address_slot_)) {}

ConnectionGate::Ticket& ConnectionGate::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    gate_ = std::exchange(other.gate_, nullptr);
    address_slot_ = std::move(other.address_slot_);
  }
  return *this;
}

void ConnectionGate::Ticket::release() {
  address_slot_.release();
  if (ConnectionGate* gate = std::exchange(gate_, nullptr)) --gate->open_;
}

ConnectionGate::Ticket ConnectionGate::admit(const std::string& key, bool exempt_from_per_address, Refusal* why) {
  const auto refuse = [&](Refusal reason) {
    if (why) *why = reason;
    return Ticket();
  };
  if (total_limit_ != 0 && open_ >= total_limit_) return refuse(Refusal::ServerFull);
  Ticket ticket;
  if (!exempt_from_per_address) {
    ticket.address_slot_ = per_address_.acquire(key);
    if (!ticket.address_slot_) return refuse(Refusal::AddressFull);
  }
  ticket.gate_ = this;
  ++open_;
  if (why) *why = Refusal::None;
  return ticket;
}

}  // namespace moim::server
