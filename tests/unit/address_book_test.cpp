// The hub's per-address bookkeeping (server/address_book.hpp) on its own, the clock set by hand: the
// request bucket, password checks and jobs, the growing wait after wrong passwords, rooms created this
// hour, and when an address is forgotten.
#include "address_book.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace moim {
namespace {

AddressBook::Limits limits() {
  return AddressBook::Limits{.requests_per_second = 2,
                             .request_burst = 4,
                             .max_checks = 3,
                             .check_window_ms = 60'000,
                             .max_jobs = 2,
                             .free_failures_per_room = 3,
                             .failure_first_delay_ms = 2000,
                             .failure_max_delay_ms = 10'000};
}

const std::string kA = "10.0.0.1", kB = "10.0.0.2";

TEST(AddressBook, WrongPasswordsAreFreeThreeTimesThenEachWaitDoublesUpToTheMaximum) {
  struct Row {
    int wrong;             // wrong passwords so far (one every second)
    std::int64_t wait_ms;  // the wait right after the last one
  };
  const std::vector<Row> rows = {{1, 0}, {2, 0}, {3, 2000}, {4, 4000}, {5, 8000}, {6, 10'000}, {7, 10'000}};
  AddressBook book(limits());
  book.connected(kA, 0);
  std::int64_t now = 0;
  int wrong = 0;
  for (const Row& row : rows) {
    while (wrong < row.wrong) {
      now += 1000;
      book.wrong_password(kA, 7, now);
      ++wrong;
    }
    EXPECT_EQ(book.retry_wait_ms(kA, 7, now), row.wait_ms) << row.wrong << " wrong";
    EXPECT_EQ(book.retry_wait_ms(kA, 8, now), 0) << "another room";
    EXPECT_EQ(book.retry_wait_ms(kB, 7, now), 0) << "another address";
  }
  EXPECT_EQ(book.retry_wait_ms(kA, 7, now + 9'999), 1);
  EXPECT_EQ(book.retry_wait_ms(kA, 7, now + 10'000), 0);
  book.right_password(kA, 7);
  EXPECT_EQ(book.retry_wait_ms(kA, 7, now), 0) << "the right password starts the count over";
  book.wrong_password(kA, 7, now);
  EXPECT_EQ(book.retry_wait_ms(kA, 7, now), 0) << "free again";
}

TEST(AddressBook, ARemovedRoomTakesItsWaitsWithItForEveryAddress) {
  AddressBook book(limits());
  for (int i = 0; i < 4; ++i) {
    book.wrong_password(kA, 7, 0);
    book.wrong_password(kB, 7, 0);
    book.wrong_password(kB, 9, 0);
  }
  book.room_removed(7);
  EXPECT_EQ(book.retry_wait_ms(kA, 7, 0), 0);
  EXPECT_EQ(book.retry_wait_ms(kB, 7, 0), 0);
  EXPECT_EQ(book.retry_wait_ms(kB, 9, 0), 4000) << "other rooms keep theirs";
}

TEST(AddressBook, PasswordChecksAreCountedOverTheWindowPerAddress) {
  AddressBook book(limits());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(book.may_start_check(kA, i * 1000));
    book.check_started(kA, i * 1000);
  }
  EXPECT_FALSE(book.may_start_check(kA, 3000));
  EXPECT_TRUE(book.may_start_check(kB, 3000)) << "one address never throttles another";
  EXPECT_FALSE(book.may_start_check(kA, 59'999));
  EXPECT_TRUE(book.may_start_check(kA, 60'000)) << "the first left the window";
}

TEST(AddressBook, PasswordJobsInFlightAreCappedPerAddress) {
  AddressBook book(limits());
  book.job_started(kA, 0);
  EXPECT_TRUE(book.may_start_job(kA, 0));
  book.job_started(kA, 0);
  EXPECT_FALSE(book.may_start_job(kA, 0));
  EXPECT_TRUE(book.may_start_job(kB, 0));
  book.job_finished(kA);
  EXPECT_TRUE(book.may_start_job(kA, 0));
  book.job_finished(kA);
  book.job_finished(kA);  // never below zero
  book.job_started(kA, 0);
  EXPECT_TRUE(book.may_start_job(kA, 0));
}

TEST(AddressBook, TheRequestBucketRefillsWithTimeNotWithReconnecting) {
  AddressBook book(limits());
  book.connected(kA, 0);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(book.take_request(kA, 0)) << i;
  EXPECT_FALSE(book.take_request(kA, 0)) << "the burst is spent";
  book.disconnected(kA);
  book.connected(kA, 0);
  EXPECT_FALSE(book.take_request(kA, 0)) << "a new connection from the same address starts no new bucket";
  EXPECT_TRUE(book.take_request(kA, 500)) << "2 a second: one more after half a second";
  EXPECT_FALSE(book.take_request(kA, 500));
  EXPECT_TRUE(book.take_request(kB, 500)) << "another address has its own";

  AddressBook unlimited(AddressBook::Limits{.requests_per_second = 0});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.take_request(kA, 0));
  EXPECT_EQ(unlimited.size(), 0u) << "no limit: nothing to remember";
}

TEST(AddressBook, RoomsCreatedAreThoseOfTheLastHourOldestFirst) {
  AddressBook book(limits());
  book.room_created(kA, 0);
  book.room_created(kA, 1000);
  book.room_created(kA, 2000);
  EXPECT_EQ(book.rooms_created(kA, 3000), (std::vector<std::int64_t>{0, 1000, 2000}));
  EXPECT_EQ(book.rooms_created(kA, 3'600'000), (std::vector<std::int64_t>{1000, 2000}));
  EXPECT_TRUE(book.rooms_created(kB, 3000).empty());
}

TEST(AddressBook, AnAddressIsForgottenOnlyWhenNothingAboutItIsLeft) {
  // Each row leaves one thing behind; the address is kept until it has gone.
  struct Row {
    const char* what;
    void (*leave)(AddressBook&);
    std::int64_t kept_at, gone_at;  // pruned at these times (gone_at < 0: never, while it lasts)
  };
  const std::vector<Row> rows = {
      {"a connection", [](AddressBook& b) { b.connected(kA, 0); }, 100 * 3'600'000LL, -1},
      {"a password job", [](AddressBook& b) { b.job_started(kA, 0); }, 100 * 3'600'000LL, -1},
      {"a password check", [](AddressBook& b) { b.check_started(kA, 0); }, 59'999, 60'000},
      {"a room created", [](AddressBook& b) { b.room_created(kA, 0); }, 3'599'999, 3'600'000},
      {"a wrong password", [](AddressBook& b) { b.wrong_password(kA, 7, 0); }, 3'599'999, 3'600'000},
      {"a spent request", [](AddressBook& b) { b.take_request(kA, 0); }, 400, 1000},  // refilled at 2 a second
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    AddressBook book(limits());
    row.leave(book);
    book.prune(0);
    EXPECT_EQ(book.size(), 1u);
    book.prune(row.kept_at);
    EXPECT_EQ(book.size(), 1u);
    if (row.gone_at < 0) continue;
    book.prune(row.gone_at);
    EXPECT_EQ(book.size(), 0u);
  }
  AddressBook book(limits());
  book.connected(kA, 0);
  book.job_started(kA, 0);
  book.disconnected(kA);
  book.job_finished(kA);
  book.prune(0);
  EXPECT_EQ(book.size(), 0u) << "the connection closed and the job finished";
}

}  // namespace
}  // namespace moim
