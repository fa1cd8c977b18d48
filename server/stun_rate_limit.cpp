#include "stun_rate_limit.hpp"

#include <algorithm>

namespace moim::server {

namespace {

// splitmix64's finalizer: every input bit moves every output bit.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

StunRateLimit::StunRateLimit(Limits limits, std::uint64_t seed) : limits_(limits), seed_(seed) {
  std::size_t slots = 1;
  while (slots < std::max<std::size_t>(limits_.slots, 1)) slots *= 2;
  limits_.slots = slots;
  buckets_.resize(slots);
}

bool StunRateLimit::take(Bucket& bucket, std::int64_t now_ms, double rate, double burst) {
  if (!bucket.used) {
    bucket = Bucket{.tokens = burst, .refilled_ms = now_ms, .used = true};
  } else {
    const double elapsed_s = static_cast<double>(std::max<std::int64_t>(now_ms - bucket.refilled_ms, 0)) / 1000.0;
    bucket.tokens = std::min(burst, bucket.tokens + elapsed_s * rate);
    bucket.refilled_ms = std::max(bucket.refilled_ms, now_ms);
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

std::size_t StunRateLimit::slot_of(const stun::Address& source) const {
  // IPv4: its 4 bytes. IPv6: the /64 (one subscriber usually holds a whole /64).
  const std::size_t n = source.v6 ? 8 : 4;
  std::uint64_t h = mix(seed_ ^ (source.v6 ? 0x6ULL : 0x4ULL));
  for (std::size_t i = 0; i < n; ++i) h = mix(h ^ (static_cast<std::uint64_t>(source.ip[i]) << (8 * (i % 8))));
  return static_cast<std::size_t>(h) & (buckets_.size() - 1);
}

bool StunRateLimit::allow(const stun::Address& source, std::int64_t now_ms) {
  Bucket& bucket = buckets_[slot_of(source)];
  // Checked without spending first: a refused address must not use up the total for everyone else.
  Bucket probe = bucket;
  if (!take(probe, now_ms, limits_.per_address_per_second, limits_.per_address_burst)) {
    bucket = probe;  // (the refill is kept)
    return false;
  }
  if (!take(total_, now_ms, limits_.total_per_second, limits_.total_burst)) return false;
  bucket = probe;
  return true;
}

}  // namespace moim::server
