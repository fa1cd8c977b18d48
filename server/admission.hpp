// Who may connect, and to what:
//   - address_key: the client address every per-address limit counts under (IPv6 grouped by /64).
//   - ConnectionGate: every TCP connection, counted at accept time per address and in total.
//   - HostPolicy: the Host header must name this server (--server-name, IP literals, localhost).
//   - OriginPolicy: the Origin header must be this server's own origin or one of --allow-origin.
//   - AddressLimiter: at most --max-connections-per-address WebSockets at once from one address.
// Asio-free (plain strings) so unit tests use it directly.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace moim::server {

// ---- client addresses ------------------------------------------------------------------------------

// An IPv4 or IPv6 address. IPv4 is held in its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so that both
// spellings of one IPv4 client are the same address.
struct IpAddress {
  std::array<unsigned char, 16> bytes{};
  bool is_v4() const;           // IPv4 (or IPv4-mapped IPv6)
  std::string to_string() const;  // "192.0.2.1", or IPv6 in its shortest form ("2001:db8::1")
  bool operator==(const IpAddress&) const = default;
};

// "192.0.2.1" or "2001:db8::1" (a "%zone" suffix is dropped); no brackets, no port, no spaces.
std::optional<IpAddress> parse_ip(std::string_view text);

// The key every per-address limit counts under: an IPv4 address as is; an IPv6 address as its /64
// ("2001:db8:1:2::/64"), because one subscriber usually gets a whole /64 and could otherwise take
// a fresh address for every connection; an IPv4-mapped IPv6 address as the IPv4 address. Text that
// is not an IP address is returned unchanged.
std::string address_key(const IpAddress& address);
std::string address_key(std::string_view ip);

// An address range written "10.0.0.0/8", "2001:db8::/32", or a single address (/32 or /128).
struct Cidr {
  IpAddress base;
  unsigned prefix = 0;  // bits of the 128-bit form (an IPv4 /8 is 104)
  bool contains(const IpAddress& address) const;
  std::string to_string() const;  // as the user would write it
};
// nullopt with the reason in `error` for anything else (bits set past the prefix included, so that
// "10.0.0.1/8" is not silently taken to mean 10.0.0.0/8).
std::optional<Cidr> parse_cidr(std::string_view text, std::string* error = nullptr);

// ---- Host header -------------------------------------------------------------------------------------

// Which Host headers this server answers. Without this check a DNS-rebinding page (an attacker's
// domain made to resolve to this server) would be "same origin" with it: its requests carry
// Host: attacker.example. Allowed: any IP literal (a rebinding page cannot send one), localhost, and
// the names given with --server-name (and the hosts of --allow-origin).
class HostPolicy {
 public:
  // A --server-name value in canonical form (lower case, no trailing dot), or nullopt when it is not
  // a DNS host name (labels of letters, digits and '-', separated by dots; no port, no scheme).
  static std::optional<std::string> canonical_name(std::string_view text);
  // The host of a canonical origin ("https://moim.example:8443" -> "moim.example"); nullopt for "*".
  static std::optional<std::string> host_of_origin(std::string_view origin);

  explicit HostPolicy(std::vector<std::string> names = {}) : names_(std::move(names)) {}
  // `host`: the Host header ("name", "name:port", "192.0.2.1:80", "[::1]:8080").
  bool allows(std::string_view host) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

class OriginPolicy {
 public:
  // An --allow-origin value in canonical form ("scheme://host:port", lower case, explicit port), or
  // "*"; nullopt when it is not "*" or an http(s) origin (scheme://host[:port], no path).
  static std::optional<std::string> canonical_allowed(std::string_view text);

  // `allowed` holds canonical_allowed() results; "*" among them allows every origin.
  explicit OriginPolicy(std::vector<std::string> allowed = {});

  // May a WebSocket upgrade with this Origin header (nullopt: the request has none) proceed?
  //   - No Origin header: yes. Browsers always send one on a WebSocket upgrade; what omits it is a
  //     non-browser client (tests, bench/loadgen, scripts). The check protects browser users from
  //     other web sites opening a socket to us in their name; it is not authentication, and a
  //     non-browser client could put any Origin it likes anyway.
  //   - The same origin as the request: the Origin's scheme is https when `tls` is on, else http,
  //     and its host:port equals the Host header's (default ports 443 / 80 filled in).
  //   - An --allow-origin entry, or "*".
  bool allows(const std::optional<std::string_view>& origin, std::string_view host, bool tls) const;

  bool allows_any() const { return any_; }
  const std::vector<std::string>& allowed() const { return allowed_; }

 private:
  std::vector<std::string> allowed_;
  bool any_ = false;
};

// Counts live WebSockets per client address. acquire() takes a slot, or none when the address
// already holds `limit`; a Slot gives its place back when released or destroyed. The limiter must
// outlive its slots (it lives in the ServerContext).
class AddressLimiter {
 public:
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { release(); }
    explicit operator bool() const { return owner_ != nullptr; }
    void release();

   private:
    friend class AddressLimiter;
    using Entry = std::pair<const std::string, std::size_t>;  // a node of counts_: its address never moves
    Slot(AddressLimiter* owner, Entry* entry) : owner_(owner), entry_(entry) {}
    AddressLimiter* owner_ = nullptr;
    Entry* entry_ = nullptr;
  };

  explicit AddressLimiter(std::size_t limit = kDefaultLimit) : limit_(limit) {}
  static constexpr std::size_t kDefaultLimit = 32;

  void set_limit(std::size_t limit) { limit_ = limit; }  // 0: no limit
  std::size_t limit() const { return limit_; }
  // A slot for `address`, or an empty one when it is at the limit.
  Slot acquire(const std::string& address);
  std::size_t count(const std::string& address) const;
  std::size_t addresses() const { return counts_.size(); }  // addresses with at least one slot

 private:
  void give_back(Slot::Entry* entry);
  std::size_t limit_;
  std::unordered_map<std::string, std::size_t> counts_;
};


// ---- connections at accept time ----------------------------------------------------------------------

// Counts every open TCP connection (HTTP, TLS, WebSocket alike) from the moment it is accepted until
// its socket is closed: at most `per_address` per address key and `total` in all (0: no limit). A
// connection over either limit is closed at once, before a byte is read, so a flood of idle sockets
// can neither use up the server's file descriptors nor keep other clients out. Trusted proxies
// (--trust-proxy) carry many users and are exempt from the per-address count, not from the total.
class ConnectionGate {
 public:
  enum class Refusal { None, AddressFull, ServerFull };

  // A connection's place; given back when released or destroyed. The gate must outlive its tickets.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }
    explicit operator bool() const { return gate_ != nullptr; }
    void release();

   private:
    friend class ConnectionGate;
    ConnectionGate* gate_ = nullptr;
    AddressLimiter::Slot address_slot_;  // empty for an exempt address
  };

  static constexpr std::size_t kDefaultPerAddress = 64;

  ConnectionGate(std::size_t per_address = kDefaultPerAddress, std::size_t total = 0)
      : per_address_(per_address), total_limit_(total) {}
  void set_limits(std::size_t per_address, std::size_t total) {
    per_address_.set_limit(per_address);
    total_limit_ = total;
  }
  std::size_t per_address_limit() const { return per_address_.limit(); }
  std::size_t total_limit() const { return total_limit_; }

  // A ticket for a connection from `key` (address_key), or an empty one with the reason in `why`.
  Ticket admit(const std::string& key, bool exempt_from_per_address, Refusal* why = nullptr);
  std::size_t open() const { return open_; }
  std::size_t count(const std::string& key) const { return per_address_.count(key); }

 private:
  AddressLimiter per_address_;
  std::size_t total_limit_;
  std::size_t open_ = 0;
};

}  // namespace moim::server
