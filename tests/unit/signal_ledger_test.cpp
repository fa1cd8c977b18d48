// The rules that let signals survive a dropped connection (shared/signal_ledger.hpp): what a sender
// keeps and sends again, what a receiver drops, and when a gap cannot be filled.
#include "signal_ledger.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace moim::ledger {
namespace {

std::vector<std::string> texts(const std::optional<std::vector<const std::string*>>& items) {
  std::vector<std::string> out;
  if (items)
    for (const std::string* s : *items) out.push_back(*s);
  return out;
}

TEST(SignalLedger, NumbersFromOneAndKeepsWhatIsNotSeen) {
  Outbox<std::string> box;
  EXPECT_EQ(box.next_seq(), 1u);
  EXPECT_EQ(box.push("a", 1), 1u);
  EXPECT_EQ(box.push("b", 1), 2u);
  EXPECT_EQ(box.push("c", 1), 3u);
  EXPECT_EQ(texts(box.after(0)), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(texts(box.after(1)), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(box.size(), 2u) << "after(1) forgets what was seen";
  box.seen(3);
  EXPECT_EQ(box.size(), 0u);
  EXPECT_EQ(box.bytes(), 0u);
  EXPECT_EQ(texts(box.after(3)), std::vector<std::string>{});
  ASSERT_TRUE(box.after(3)) << "nothing to send again is not a gap";
}

TEST(SignalLedger, ANumberNeverSentCountsAsTheLastSent) {
  Outbox<std::string> box;
  box.push("a", 1);
  box.seen(99);
  EXPECT_EQ(box.size(), 0u);
  EXPECT_EQ(box.push("b", 1), 2u) << "the numbering is ours, whatever the other side says";
  ASSERT_TRUE(box.after(1));
  EXPECT_EQ(texts(box.after(1)), std::vector<std::string>{"b"});
}

TEST(SignalLedger, PastTheBoundsTheOldestGoAndAReplayFromBeforeThemIsAGap) {
  struct Row {
    const char* name;
    Outbox<std::string>::Bounds bounds;
    int pushes;
    std::size_t bytes_each;
    std::size_t kept;
  };
  for (const Row& row : {Row{"by count", {.max_items = 3, .max_bytes = 1000}, 5, 10, 3},
                         Row{"by bytes", {.max_items = 100, .max_bytes = 25}, 5, 10, 2},
                         Row{"one over the byte bound is kept", {.max_items = 100, .max_bytes = 5}, 1, 10, 1}}) {
    SCOPED_TRACE(row.name);
    Outbox<std::string> box(row.bounds);
    for (int i = 1; i <= row.pushes; ++i) box.push(std::to_string(i), row.bytes_each);
    EXPECT_EQ(box.size(), row.kept);
    const std::uint64_t first_kept = row.pushes - row.kept + 1;
    EXPECT_TRUE(box.after(first_kept - 1)) << "from just before the oldest kept: fine";
    if (first_kept > 1) EXPECT_FALSE(box.after(first_kept - 2)) << "one dropped unseen: a gap";
  }
}

TEST(SignalLedger, ResetStartsANewSessionAtOne) {
  Outbox<std::string> box;
  box.push("a", 1);
  box.push("b", 1);
  box.reset();
  EXPECT_EQ(box.size(), 0u);
  EXPECT_EQ(box.push("c", 1), 1u);
  EXPECT_EQ(texts(box.after(0)), std::vector<std::string>{"c"});
}

TEST(SignalLedger, TheReceiverDropsDuplicatesAndNoticesGaps) {
  using A = Inbox::Arrival;
  struct Row {
    std::uint64_t seq;
    A arrival;
    std::uint64_t seen_after;
  };
  Inbox in;
  for (const Row& row : {Row{1, A::Fresh, 1}, Row{2, A::Fresh, 2}, Row{2, A::Duplicate, 2}, Row{1, A::Duplicate, 2},
                         Row{0, A::Fresh, 2}, Row{5, A::AfterGap, 5}, Row{4, A::Duplicate, 5}, Row{6, A::Fresh, 6}}) {
    EXPECT_EQ(in.receive(row.seq), row.arrival) << "seq " << row.seq;
    EXPECT_EQ(in.seen(), row.seen_after) << "seq " << row.seq;
  }
  in.reset();
  EXPECT_EQ(in.receive(1), A::Fresh);
}

}  // namespace
}  // namespace moim::ledger
