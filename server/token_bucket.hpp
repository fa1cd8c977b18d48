// A rate limit's bucket: refilled continuously at `rate` a second up to `burst`; take() spends one.
// The hub keeps one per connection (messages) and one per client address (costly requests).
#pragma once

#include <algorithm>
#include <cstdint>

namespace moim {

struct TokenBucket {
  double tokens = 0;
  std::int64_t refilled_ms = 0;
  void refill(std::int64_t now_ms, double rate, double burst) {
    const double elapsed_s = static_cast<double>(now_ms - refilled_ms) / 1000.0;
    refilled_ms = now_ms;
    tokens = std::min(burst, tokens + std::max(0.0, elapsed_s) * rate);
  }
  bool take(std::int64_t now_ms, double rate, double burst) {
    refill(now_ms, rate, burst);
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }
};

}  // namespace moim
