#include "password_pool.hpp"

#include "secrets.hpp"  // sodium_ready

#include <sodium.h>

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <exception>
#include <new>

namespace moim::server {
namespace {

// Overwrites every byte the string's buffer holds, not just its current length: a moved-from short
// string can keep the old characters in its inline buffer.
void wipe(std::string& secret) {
  secret.resize(secret.capacity());
  sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

}  // namespace

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

PasswordPool::PasswordPool(unsigned threads, std::size_t max_queued, std::function<void(PasswordResult)> on_done,
                           PasswordCost cost)
    : cost_(cost), max_queued_(max_queued), on_done_(std::move(on_done)) {
  if (!sodium_ready()) return;  // no workers: submit() refuses everything
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Workers start with SIGINT/SIGTERM/SIGHUP blocked (a thread inherits its creator's mask), so those
  // signals always reach the thread that runs the io_context. Under ThreadSanitizer a signal sent to
  // a worker waiting on its condition variable was never handled, and the server did not stop.
  sigset_t blocked, previous;
  sigemptyset(&blocked);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&blocked, signal);
  const bool masked = ::pthread_sigmask(SIG_BLOCK, &blocked, &previous) == 0;
  try {
    workers_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  } catch (const std::exception&) {
    // Out of threads or memory: run with the workers that did start (none: submit() refuses).
  }
  if (masked) ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

PasswordPool::~PasswordPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& job : queue_) wipe(job.password);
    queue_.clear();
  }
  wake_.notify_all();
  // A worker in the middle of a hash finishes it (Argon2 cannot be interrupted): at most one hash
  // per worker, tens of milliseconds.
  for (auto& worker : workers_) worker.join();
}

bool PasswordPool::submit(PasswordJob job) {
  bool accepted = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && !workers_.empty() && queue_.size() < max_queued_) {
      try {
        queue_.push_back(std::move(job));
        accepted = true;
      } catch (const std::bad_alloc&) {
      }
    }
  }
  wipe(job.password);  // moved from or refused: either way, no copy of the password stays here
  if (accepted) wake_.notify_one();
  return accepted;
}

std::size_t PasswordPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void PasswordPool::work() {
  for (;;) {
    PasswordJob job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      wipe(queue_.front().password);
      queue_.pop_front();
    }
    PasswordResult result = run(job);
    wipe(job.password);
    {
      // Best effort: a result that completes once the destructor has started is dropped, as documented.
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    try {
      on_done_(std::move(result));
    } catch (...) {
      // on_done must not throw; if it does anyway, the worker survives and the result is lost.
    }
  }
}

PasswordResult PasswordPool::run(PasswordJob& job) const {
  PasswordResult result;
  result.id = job.id;
  try {
    if (job.kind == PasswordJob::Kind::Hash) {
      char hash[crypto_pwhash_STRBYTES];
      if (crypto_pwhash_str(hash, job.password.data(), job.password.size(), cost_.opslimit, cost_.memlimit) == 0) {
        result.ok = true;
        result.hash = hash;
      } else {
        result.error = "crypto_pwhash_str failed (out of memory?)";
      }
    } else {
      // crypto_pwhash_str_verify reads a NUL-terminated string of at most crypto_pwhash_STRBYTES bytes.
      if (job.hash.size() >= crypto_pwhash_STRBYTES || job.hash.find('\0') != std::string::npos ||
          !job.hash.starts_with("$argon2")) {
        result.error = "stored password hash is not an argon2 string";
      } else {
        // Constant time in the password by construction; -1 means mismatch (or a damaged hash).
        result.ok = crypto_pwhash_str_verify(job.hash.c_str(), job.password.data(), job.password.size()) == 0;
      }
    }
  } catch (const std::bad_alloc&) {
    result.ok = false;
    result.error = "out of memory";
  }
  return result;
}

}  // namespace moim::server
