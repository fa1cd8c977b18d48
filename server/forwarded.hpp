// The client address of a request that came through a reverse proxy we trust (--trust-proxy).
// Behind a proxy every TCP connection comes from the proxy, so per-address limits would lump all
// users together; the proxy says who the client is in X-Forwarded-For or Forwarded (RFC 7239). Those
// headers are only believed when the TCP peer is a trusted proxy: anyone else could write them.
// Asio-free (plain strings) so unit tests use it directly.
#pragma once

#include "admission.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace moim::server {

// The hops an X-Forwarded-For value lists, left (the original client) to right (the last proxy).
// Each entry is an address ("192.0.2.1", "2001:db8::1"), optionally bracketed and/or with a port
// ("[2001:db8::1]:443", "192.0.2.1:5678"); empty list elements are skipped. An entry that is not an
// address ("unknown", garbage) is nullopt.
std::vector<std::optional<IpAddress>> parse_x_forwarded_for(std::string_view value);

// The `for=` node of each element of a Forwarded value (RFC 7239), left to right:
// `for=192.0.2.60;proto=https, for="[2001:db8:cafe::17]:4711"`. Parameter names are case-insensitive;
// values are tokens or quoted strings (IPv6 must be quoted, in brackets). An element without a
// readable `for=` address ("unknown", an obfuscated "_id", a missing or repeated for=, bad syntax)
// is nullopt; a syntax error ends the list with one nullopt.
std::vector<std::optional<IpAddress>> parse_forwarded_for(std::string_view value);

class TrustedProxies {
 public:
  explicit TrustedProxies(std::vector<Cidr> ranges = {}) : ranges_(std::move(ranges)) {}
  bool empty() const { return ranges_.empty(); }
  bool trusts(const IpAddress& address) const;
  const std::vector<Cidr>& ranges() const { return ranges_; }

  // Who sent a request that reached us from `peer` (the TCP peer). Unless the peer is a trusted
  // proxy, the peer, whatever the headers say. From a trusted proxy: the hops of X-Forwarded-For
  // when the request has that header, else those of Forwarded (`*_header`: every field of that name
  // joined with ", "; nullopt: none), then the peer itself; walking from the right, hops that are
  // trusted proxies are passed over and the first that is not is the client. A hop that cannot be
  // read ends the walk at the trusted hop to its right, since anything further left may have been
  // written by the client. When every hop is trusted, the left-most.
  IpAddress client_address(const IpAddress& peer, std::optional<std::string_view> x_forwarded_for_header,
                           std::optional<std::string_view> forwarded_header) const;

 private:
  std::vector<Cidr> ranges_;
};

}  // namespace moim::server
