// What each client address has done lately, over all its connections: the state behind the hub's
// per-address limits (costly requests, rooms created, password checks and jobs in flight, waits after
// wrong passwords), so reconnecting refills nothing. Pure state: the time is passed in. An address is
// forgotten (prune) once it has no connection and nothing recent to remember.
#pragma once

#include "protocol.hpp"
#include "token_bucket.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace moim {

class AddressBook {
 public:
  struct Limits {
    // Costly requests (hello, create-room, join, resume, rename-room, delete-room); 0 = no limit.
    double requests_per_second = 20;
    double request_burst = 100;
    // Password checks (and hashes for locked rooms) started per window, counted when they start.
    std::size_t max_checks = 5;
    std::int64_t check_window_ms = 60000;
    std::size_t max_jobs = 2;  // password jobs in flight
    // Wrong passwords for one room: this many are free, then each next try waits twice as long as the
    // one before (first_delay, 2x, 4x, ...; at most max_delay).
    std::size_t free_failures_per_room = 3;
    std::int64_t failure_first_delay_ms = 2000;
    std::int64_t failure_max_delay_ms = 300000;
  };

  explicit AddressBook(Limits limits) : limits_(limits) {}

  void connected(const std::string& address, std::int64_t now_ms);
  void disconnected(const std::string& address);

  // Spends one costly request; false (nothing spent) when the address's bucket is empty.
  bool take_request(const std::string& address, std::int64_t now_ms);

  // Whether another password check may start now (fewer than max_checks in the window), and that one did.
  bool may_start_check(const std::string& address, std::int64_t now_ms);
  void check_started(const std::string& address, std::int64_t now_ms);

  // Password jobs in flight: whether another may start, one started, one finished.
  bool may_start_job(const std::string& address, std::int64_t now_ms);
  void job_started(const std::string& address, std::int64_t now_ms);
  void job_finished(const std::string& address);

  // When the address created rooms in the last hour, oldest first; and that it created one now.
  const std::vector<std::int64_t>& rooms_created(const std::string& address, std::int64_t now_ms);
  void room_created(const std::string& address, std::int64_t now_ms);

  // How long the address must wait before trying `room`'s password again (0: it may now).
  std::int64_t retry_wait_ms(const std::string& address, proto::RoomId room, std::int64_t now_ms) const;
  void wrong_password(const std::string& address, proto::RoomId room, std::int64_t now_ms);
  void right_password(const std::string& address, proto::RoomId room);  // that room's count starts over
  void room_removed(proto::RoomId room);                                 // every address's count for it goes

  // Old entries go, and with them addresses that have nothing left to remember.
  void prune(std::int64_t now_ms);
  std::size_t size() const { return addresses_.size(); }

 private:
  struct RoomFailures {
    std::size_t count = 0;
    std::int64_t last_ms = 0;
    std::int64_t next_try_ms = 0;
  };
  struct Address {
    std::size_t conns = 0;
    TokenBucket requests;
    std::vector<std::int64_t> checks;         // password checks started (window: check_window_ms)
    std::vector<std::int64_t> rooms_created;  // this hour
    std::size_t password_jobs = 0;            // in flight
    std::unordered_map<proto::RoomId, RoomFailures> room_failures;
  };

  // The address's entry; a new one starts with a full request bucket.
  Address& entry(const std::string& address, std::int64_t now_ms);
  // Drops the times older than `window_ms`; how many are left.
  static std::size_t recent(std::vector<std::int64_t>& times, std::int64_t now_ms, std::int64_t window_ms);

  Limits limits_;
  std::unordered_map<std::string, Address> addresses_;
};

}  // namespace moim
