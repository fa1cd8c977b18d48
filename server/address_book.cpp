// The hub's per-address bookkeeping (see address_book.hpp).
#include "address_book.hpp"

#include <algorithm>
#include <iterator>

namespace moim {

namespace {
constexpr std::int64_t kHourMs = 3600 * 1000;
}  // namespace

AddressBook::Address& AddressBook::entry(const std::string& address, std::int64_t now_ms) {
  auto [it, added] = addresses_.try_emplace(address);
  if (added) it->second.requests = TokenBucket{.tokens = limits_.request_burst, .refilled_ms = now_ms};
  return it->second;
}

std::size_t AddressBook::recent(std::vector<std::int64_t>& times, std::int64_t now_ms, std::int64_t window_ms) {
  std::erase_if(times, [&](std::int64_t t) { return now_ms - t >= window_ms; });
  return times.size();
}

void AddressBook::connected(const std::string& address, std::int64_t now_ms) { ++entry(address, now_ms).conns; }

void AddressBook::disconnected(const std::string& address) {
  if (auto it = addresses_.find(address); it != addresses_.end() && it->second.conns > 0) --it->second.conns;
}

bool AddressBook::take_request(const std::string& address, std::int64_t now_ms) {
  if (limits_.requests_per_second <= 0) return true;
  return entry(address, now_ms).requests.take(now_ms, limits_.requests_per_second, limits_.request_burst);
}

bool AddressBook::may_start_check(const std::string& address, std::int64_t now_ms) {
  return recent(entry(address, now_ms).checks, now_ms, limits_.check_window_ms) < limits_.max_checks;
}

void AddressBook::check_started(const std::string& address, std::int64_t now_ms) {
  entry(address, now_ms).checks.push_back(now_ms);
}

bool AddressBook::may_start_job(const std::string& address, std::int64_t now_ms) {
  return entry(address, now_ms).password_jobs < limits_.max_jobs;
}

void AddressBook::job_started(const std::string& address, std::int64_t now_ms) { ++entry(address, now_ms).password_jobs; }

void AddressBook::job_finished(const std::string& address) {
  if (auto it = addresses_.find(address); it != addresses_.end() && it->second.password_jobs > 0) {
    --it->second.password_jobs;
  }
}

const std::vector<std::int64_t>& AddressBook::rooms_created(const std::string& address, std::int64_t now_ms) {
  Address& a = entry(address, now_ms);
  recent(a.rooms_created, now_ms, kHourMs);
  return a.rooms_created;
}

void AddressBook::room_created(const std::string& address, std::int64_t now_ms) {
  entry(address, now_ms).rooms_created.push_back(now_ms);
}

std::int64_t AddressBook::retry_wait_ms(const std::string& address, proto::RoomId room, std::int64_t now_ms) const {
  const auto a = addresses_.find(address);
  if (a == addresses_.end()) return 0;
  const auto failures = a->second.room_failures.find(room);
  if (failures == a->second.room_failures.end() || now_ms >= failures->second.next_try_ms) return 0;
  return failures->second.next_try_ms - now_ms;
}

void AddressBook::wrong_password(const std::string& address, proto::RoomId room, std::int64_t now_ms) {
  RoomFailures& failures = entry(address, now_ms).room_failures[room];
  ++failures.count;
  failures.last_ms = now_ms;
  if (failures.count >= limits_.free_failures_per_room) {
    std::int64_t delay = limits_.failure_first_delay_ms;
    for (std::size_t n = limits_.free_failures_per_room; n < failures.count && delay < limits_.failure_max_delay_ms; ++n) {
      delay *= 2;
    }
    failures.next_try_ms = now_ms + std::min(delay, limits_.failure_max_delay_ms);
  }
}

void AddressBook::right_password(const std::string& address, proto::RoomId room) {
  if (auto it = addresses_.find(address); it != addresses_.end()) it->second.room_failures.erase(room);
}

void AddressBook::room_removed(proto::RoomId room) {
  for (auto& [key, address] : addresses_) address.room_failures.erase(room);
}

void AddressBook::prune(std::int64_t now_ms) {
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    Address& a = it->second;
    recent(a.checks, now_ms, limits_.check_window_ms);
    recent(a.rooms_created, now_ms, kHourMs);
    // Kept an hour after the last wrong try: waiting out the longest delay does not earn free tries.
    std::erase_if(a.room_failures, [&](const auto& failures) { return now_ms - failures.second.last_ms >= kHourMs; });
    a.requests.refill(now_ms, limits_.requests_per_second, limits_.request_burst);
    const bool bucket_full = limits_.requests_per_second <= 0 || a.requests.tokens >= limits_.request_burst;
    const bool idle = a.conns == 0 && a.password_jobs == 0 && a.checks.empty() && a.rooms_created.empty() &&
                      a.room_failures.empty() && bucket_full;
    it = idle ? addresses_.erase(it) : std::next(it);
  }
}

}  // namespace moim
