// Argon2id password hashing and checking on worker threads: one hash costs tens of milliseconds and
// 64 MiB by design, which the single network thread must never wait for. The only multi-threaded code
// in the server (tests/tsan.sh runs its tests under ThreadSanitizer).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace moim::server {

struct PasswordJob {
  std::uint64_t id = 0;  // the caller's, echoed in the result
  enum class Kind { Hash, Verify } kind = Kind::Hash;
  std::string password;
  std::string hash;  // for Verify: the stored crypto_pwhash_str string
};

struct PasswordResult {
  std::uint64_t id = 0;
  bool ok = false;    // Hash: hashed; Verify: the password matches
  std::string hash;   // for Hash
  std::string error;  // why not ok, except for a plain wrong password (then empty)
};

// Argon2id cost. Every worker may use `memlimit` bytes at once: peak memory is threads * memlimit.
struct PasswordCost {
  unsigned long long opslimit;
  std::size_t memlimit;
  static PasswordCost interactive();  // libsodium's INTERACTIVE: 2 passes, 64 MiB (what the server uses)
  static PasswordCost minimum();      // 1 pass, 8 KiB: fast tests only, never for real passwords
};

class PasswordPool {
 public:
  // `threads` workers (0: std::thread::hardware_concurrency(), at least 1); at most `max_queued` jobs
  // waiting (not counting the ones being worked on). `on_done` is called once per accepted job, on a
  // worker thread, and must not throw; it is never called after the destructor has returned.
  PasswordPool(unsigned threads, std::size_t max_queued, std::function<void(PasswordResult)> on_done,
               PasswordCost cost = PasswordCost::interactive());
  ~PasswordPool();  // stops and joins; waiting jobs are dropped (their on_done is never called)
  PasswordPool(const PasswordPool&) = delete;
  PasswordPool& operator=(const PasswordPool&) = delete;

  bool submit(PasswordJob job);  // false when the queue is full (caller answers "server-busy") or no worker runs
  std::size_t queued() const;    // jobs waiting for a worker
  std::size_t workers() const { return workers_.size(); }

 private:
  void work();
  PasswordResult run(PasswordJob& job) const;

  const PasswordCost cost_;
  const std::size_t max_queued_;
  const std::function<void(PasswordResult)> on_done_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<PasswordJob> queue_;  // guarded by mutex_
  bool stopping_ = false;          // guarded by mutex_
  std::vector<std::thread> workers_;
};

}  // namespace moim::server
