#include "password_pool.hpp"
#include "secrets.hpp"  // sodium_ready

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>

namespace moim::server {
namespace {

using namespace std::chrono_literals;

// Collects results from the worker threads; the test thread waits and asserts (gtest assertions stay
// on the test thread).
class Results {
 public:
  void add(PasswordResult result) {
    std::lock_guard lock(mutex_);
    results_.push_back(std::move(result));
    changed_.notify_all();
  }
  // Waits until at least n results have arrived; true unless the timeout passes first.
  bool wait_for(std::size_t n, std::chrono::seconds timeout = 60s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return results_.size() >= n; });
  }
  std::vector<PasswordResult> take() {
    std::lock_guard lock(mutex_);
    return std::move(results_);
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return results_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<PasswordResult> results_;
};

PasswordJob hash_job(std::uint64_t id, std::string password) {
  return {id, PasswordJob::Kind::Hash, std::move(password), {}};
}
PasswordJob verify_job(std::uint64_t id, std::string password, std::string hash) {
  return {id, PasswordJob::Kind::Verify, std::move(password), std::move(hash)};
}

TEST(PasswordPool, HashThenVerifyRightAndWrong) {
  Results results;
  PasswordPool pool(2, 16, [&](PasswordResult r) { results.add(std::move(r)); }, PasswordCost::minimum());
  ASSERT_TRUE(pool.submit(hash_job(1, "correct horse 배터리")));
  ASSERT_TRUE(results.wait_for(1));
  const PasswordResult hashed = results.take().at(0);
  ASSERT_TRUE(hashed.ok) << hashed.error;
  EXPECT_EQ(hashed.id, 1u);
  EXPECT_TRUE(hashed.hash.starts_with("$argon2id$")) << hashed.hash;

  ASSERT_TRUE(pool.submit(verify_job(2, "correct horse 배터리", hashed.hash)));
  ASSERT_TRUE(pool.submit(verify_job(3, "correct horse", hashed.hash)));
  ASSERT_TRUE(pool.submit(verify_job(4, "", hashed.hash)));
  ASSERT_TRUE(pool.submit(verify_job(5, "x", "not a hash")));
  ASSERT_TRUE(pool.submit(verify_job(6, "x", "")));
  ASSERT_TRUE(pool.submit(verify_job(7, "x", std::string(4096, '$'))));
  ASSERT_TRUE(results.wait_for(6));
  std::map<std::uint64_t, PasswordResult> by_id;
  for (auto& r : results.take()) by_id[r.id] = r;
  EXPECT_TRUE(by_id[2].ok);
  EXPECT_TRUE(by_id[2].error.empty());
  EXPECT_FALSE(by_id[3].ok);
  EXPECT_TRUE(by_id[3].error.empty()) << "a wrong password is not an error";
  EXPECT_FALSE(by_id[4].ok);
  for (std::uint64_t id : {5, 6, 7}) {
    EXPECT_FALSE(by_id[id].ok);
    EXPECT_FALSE(by_id[id].error.empty()) << id;
  }
}

TEST(PasswordPool, FullQueueRefusesJobs) {
  Results results;
  std::mutex gate_mutex;
  std::condition_variable gate_changed;
  bool open = false;
  std::atomic<int> started{0};
  // The first result blocks the only worker inside on_done until the test opens the gate.
  PasswordPool pool(
      1, 2,
      [&](PasswordResult r) {
        ++started;
        std::unique_lock lock(gate_mutex);
        gate_changed.wait(lock, [&] { return open; });
        lock.unlock();
        results.add(std::move(r));
      },
      PasswordCost::minimum());
  ASSERT_TRUE(pool.submit(hash_job(1, "a")));
  while (started.load() == 0) std::this_thread::sleep_for(1ms);  // the worker is now busy
  EXPECT_TRUE(pool.submit(hash_job(2, "b")));
  EXPECT_TRUE(pool.submit(hash_job(3, "c")));
  EXPECT_EQ(pool.queued(), 2u);
  EXPECT_FALSE(pool.submit(hash_job(4, "d"))) << "queue full";
  EXPECT_EQ(pool.queued(), 2u);
  {
    std::lock_guard lock(gate_mutex);
    open = true;
  }
  gate_changed.notify_all();
  ASSERT_TRUE(results.wait_for(3));
  EXPECT_EQ(pool.queued(), 0u);
  EXPECT_TRUE(pool.submit(hash_job(5, "e"))) << "room again";
  ASSERT_TRUE(results.wait_for(4));
}

TEST(PasswordPool, DestructorWithPendingJobsReturnsPromptly) {
  Results results;
  std::size_t accepted = 0;
  const auto start = std::chrono::steady_clock::now();
  {
    // Real cost: each worker is mid-hash when the pool is destroyed.
    PasswordPool pool(2, 1000, [&](PasswordResult r) { results.add(std::move(r)); });
    for (std::uint64_t id = 0; id < 1000; ++id) accepted += pool.submit(hash_job(id, "pending")) ? 1 : 0;
    std::this_thread::sleep_for(10ms);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(accepted, 1000u);
  EXPECT_LT(results.size(), 10u) << "waiting jobs are dropped";
  EXPECT_LT(elapsed, 5s);
  std::this_thread::sleep_for(20ms);
  EXPECT_LT(results.size(), 10u) << "nothing arrives after the destructor";
}

TEST(PasswordPool, ManyConcurrentJobsCompleteExactlyOnce) {
  Results results;
  constexpr std::uint64_t kJobs = 400;
  ASSERT_TRUE(sodium_ready());
  std::string known_hash;
  {
    char hash[crypto_pwhash_STRBYTES];
    ASSERT_EQ(crypto_pwhash_str(hash, "pw", 2, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN), 0);
    known_hash = hash;
  }
  PasswordPool pool(4, kJobs, [&](PasswordResult r) { results.add(std::move(r)); }, PasswordCost::minimum());
  // Two threads submit at once, as well as the workers taking jobs.
  auto submitter = [&](std::uint64_t first) {
    for (std::uint64_t id = first; id < kJobs; id += 2) {
      const bool accepted = id % 3 == 0 ? pool.submit(hash_job(id, "pw" + std::to_string(id)))
                                        : pool.submit(verify_job(id, id % 3 == 1 ? "pw" : "nope", known_hash));
      if (!accepted) std::abort();  // the queue holds all of them
    }
  };
  std::thread even(submitter, 0), odd(submitter, 1);
  even.join();
  odd.join();
  ASSERT_TRUE(results.wait_for(kJobs));
  std::this_thread::sleep_for(20ms);  // any duplicate would show up now
  const auto all = results.take();
  ASSERT_EQ(all.size(), kJobs);
  std::vector<int> seen(kJobs, 0);
  for (const auto& r : all) {
    ASSERT_LT(r.id, kJobs);
    ++seen[r.id];
    EXPECT_EQ(r.ok, r.id % 3 != 2) << r.id << " " << r.error;
  }
  for (std::uint64_t id = 0; id < kJobs; ++id) EXPECT_EQ(seen[id], 1) << id;
}

TEST(PasswordPool, ZeroThreadsMeansOnePerCore) {
  PasswordPool pool(0, 1, [](PasswordResult) {}, PasswordCost::minimum());
  EXPECT_GE(pool.workers(), 1u);
}

// Not a benchmark: the figure the server pays per create/join with a password (INTERACTIVE cost).
TEST(PasswordPool, InteractiveCostTiming) {
  Results results;
  PasswordPool pool(1, 4, [&](PasswordResult r) { results.add(std::move(r)); });
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(pool.submit(hash_job(1, "a reasonable passphrase")));
  ASSERT_TRUE(results.wait_for(1));
  const double hash_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const PasswordResult hashed = results.take().at(0);
  ASSERT_TRUE(hashed.ok) << hashed.error;
  EXPECT_NE(hashed.hash.find("m=65536,t=2,p=1"), std::string::npos) << hashed.hash;
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(pool.submit(verify_job(2, "a reasonable passphrase", hashed.hash)));
  ASSERT_TRUE(results.wait_for(1));
  const double verify_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(results.take().at(0).ok);
  std::cout << "[ timing   ] argon2id INTERACTIVE (64 MiB, 2 passes): hash " << hash_ms << " ms, verify " << verify_ms
            << " ms (through the pool, one worker)\n";
  RecordProperty("argon2id_hash_ms", std::to_string(hash_ms));
  RecordProperty("argon2id_verify_ms", std::to_string(verify_ms));
}

}  // namespace
}  // namespace moim::server
