// Who may open a WebSocket, decided on the upgrade request before it reaches the hub:
//   - OriginPolicy: the Origin header must be this server's own origin or one of --allow-origin.
//   - AddressLimiter: at most --max-connections-per-address WebSockets at once from one IP.
// Asio-free (plain strings) so unit tests use it directly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace moim::server {

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

}  // namespace moim::server
