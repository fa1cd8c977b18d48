// How many STUN answers the built-in responder may send, per source address and in all. A STUN
// request's source address can be forged, so an unlimited responder would send its answers to
// whoever an attacker names (reflection); this bounds what anyone can make it send to one address
// and in total. The table is fixed in size: addresses share buckets by a keyed hash (a collision
// only makes two sources share one budget), so a flood of forged sources costs no memory.
// No sockets, no clock: the responder passes the time.
#pragma once

#include "stun_message.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moim::server {

class StunRateLimit {
 public:
  struct Limits {
    double per_address_per_second = 20;  // a whole home behind one NAT gathering at once stays far below
    double per_address_burst = 50;
    double total_per_second = 1000;      // 1000 answers of at most 80 bytes: 80 kB/s at most
    double total_burst = 2000;
    std::size_t slots = 4096;            // buckets shared by addresses (a power of two)
  };

  // `seed` keys the hash (random in the server), so nobody can aim forged sources at one bucket.
  StunRateLimit(Limits limits, std::uint64_t seed);
  StunRateLimit(std::uint64_t seed) : StunRateLimit(Limits{}, seed) {}

  // Whether an answer to `source` may be sent now (the port does not count; an IPv6 address counts
  // as its /64). Spends one from the address's bucket and one from the total when it may.
  bool allow(const stun::Address& source, std::int64_t now_ms);

  const Limits& limits() const { return limits_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t refilled_ms = 0;
    bool used = false;
  };
  static bool take(Bucket& bucket, std::int64_t now_ms, double rate, double burst);
  std::size_t slot_of(const stun::Address& source) const;

  Limits limits_;
  std::uint64_t seed_;
  std::vector<Bucket> buckets_;
  Bucket total_;
};

}  // namespace moim::server
