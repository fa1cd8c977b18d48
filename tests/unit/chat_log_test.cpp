// The call's conversation (shared/chat_log.hpp): sending, receiving, merging history from several
// peers, the order, the unread count and the bounds, table-driven where the cases are many.
#include "chat_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace moim::chat {
namespace {

using p2p::Chat;
using p2p::ChatLine;
using p2p::History;

std::vector<std::string> ids(const Log& log) {
  std::vector<std::string> out;
  for (const auto& e : log.entries()) out.push_back(e.id);
  return out;
}

TEST(ChatLog, SendingChecksTheTextStoresItAsOursAndSaysWhatToSend) {
  Log log;
  log.reset(5, "Ann");
  const Sent s = log.send("  hello  ", 1000, "id1");
  ASSERT_EQ(s.fault, p2p::ChatTextFault::None);
  EXPECT_EQ(s.message, p2p::PeerMessage(Chat{ChatLine{"id1", 1000, 1, "hello"}}));
  ASSERT_EQ(log.entries().size(), 1u);
  EXPECT_EQ(log.entries()[0], (Entry{"id1", 5, "Ann", 1000, 1, "hello", true}));
  EXPECT_EQ(log.unread(), 0u);  // our own words are read

  struct Row {
    std::string typed;
    std::string id;
    p2p::ChatTextFault fault;
  };
  const std::vector<Row> refused = {
      {"", "id2", p2p::ChatTextFault::Empty},
      {"   ", "id2", p2p::ChatTextFault::Empty},
      {std::string(p2p::kMaxChatChars + 1, 'x'), "id2", p2p::ChatTextFault::TooLong},
      {"a\x1b[31m", "id2", p2p::ChatTextFault::Invalid},
      {"fine", "bad id", p2p::ChatTextFault::Invalid},
  };
  for (const Row& row : refused) {
    SCOPED_TRACE(row.typed.substr(0, 20) + " / " + row.id);
    EXPECT_EQ(log.send(row.typed, 2000, row.id).fault, row.fault);
    EXPECT_EQ(log.entries().size(), 1u);  // nothing changed
  }
  Log outside;  // not in a call: nothing goes anywhere
  EXPECT_NE(outside.send("hi", 1, "x").fault, p2p::ChatTextFault::None);
  EXPECT_TRUE(outside.entries().empty());
}

TEST(ChatLog, OurOwnClockNeverGoesBackwards) {
  Log log;
  log.reset(5, "Ann");
  log.send("one", 5000, "a");
  log.send("two", 4000, "b");  // the wall clock was set back
  log.send("three", 4500, "c");
  log.send("four", 9000, "d");
  EXPECT_EQ(ids(log), (std::vector<std::string>{"a", "b", "c", "d"}));
  std::vector<std::uint64_t> times, seqs;
  for (const auto& e : log.entries()) {
    times.push_back(e.time);
    seqs.push_back(e.seq);
  }
  EXPECT_EQ(times, (std::vector<std::uint64_t>{5000, 5000, 5000, 9000}));
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

TEST(ChatLog, OrderIsTheAuthorsClockThenTheAuthorThenTheAuthorsCount) {
  struct Row {
    const char* what;
    std::vector<Entry> arrive;  // in arrival order (from, name, time, seq; the id names them)
    std::vector<std::string> order;
  };
  auto e = [](std::string id, proto::PeerId from, std::uint64_t time, std::uint64_t seq) {
    return Entry{std::move(id), from, "P" + std::to_string(from), time, seq, "t", false};
  };
  const std::vector<Row> rows = {
      {"in order", {e("a", 2, 10, 1), e("b", 3, 20, 1), e("c", 2, 30, 2)}, {"a", "b", "c"}},
      {"late arrival sorts in", {e("c", 2, 30, 2), e("a", 2, 10, 1), e("b", 3, 20, 1)}, {"a", "b", "c"}},
      {"equal times: the smaller author first", {e("x", 9, 10, 1), e("y", 3, 10, 1)}, {"y", "x"}},
      {"equal times, one author: its own count", {e("second", 4, 10, 2), e("first", 4, 10, 1)}, {"first", "second"}},
      {"everything equal but the id", {e("q", 4, 10, 1), e("p", 4, 10, 1)}, {"p", "q"}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Log log;
    log.reset(1, "Me");
    for (const Entry& x : row.arrive)
      log.received(2, "relay", History{ChatLine{x.id, x.time, x.seq, x.text}, x.from, x.name});
    EXPECT_EQ(ids(log), row.order);
  }
}

TEST(ChatLog, HistoryFromSeveralPeersIsMergedOnceInOrder) {
  // Alice (2) and Bob (3) talked; Carol (4) joins late and both send her the conversation.
  Log alice, bob, carol;
  alice.reset(2, "Alice");
  bob.reset(3, "Bob");
  carol.reset(4, "Carol");
  const auto a1 = alice.send("hi Bob", 1000, "a1").message;
  bob.received(2, "Alice", a1);
  const auto b1 = bob.send("hi Alice", 1000, "b1").message;  // same millisecond
  alice.received(3, "Bob", b1);
  const auto a2 = alice.send("\xEC\x95\x88\xEB\x85\x95", 2000, "a2").message;
  bob.received(2, "Alice", a2);
  ASSERT_EQ(ids(alice), ids(bob));

  for (const auto& m : alice.history()) carol.received(2, "Alice", m);
  for (const auto& m : bob.history()) carol.received(3, "Bob", m);
  EXPECT_EQ(ids(carol), (std::vector<std::string>{"a1", "b1", "a2"}));
  EXPECT_EQ(carol.unread(), 3u);
  EXPECT_EQ(carol.entries()[1].name, "Bob");
  EXPECT_EQ(carol.entries()[2].from, 2u);

  // Our own messages coming back in someone's history are not doubled and stay ours.
  for (const auto& m : bob.history()) alice.received(3, "Bob", m);
  EXPECT_EQ(ids(alice), (std::vector<std::string>{"a1", "b1", "a2"}));
  EXPECT_TRUE(alice.entries()[0].own);
  EXPECT_FALSE(alice.entries()[1].own);
  // Words "by us" that we never wrote (a peer's forgery in a history) are not shown at all.
  EXPECT_FALSE(alice.received(3, "Bob", History{ChatLine{"forged", 1500, 9, "I never said this"}, 2, "Alice"}));
  EXPECT_EQ(alice.entries().size(), 3u);
}

TEST(ChatLog, AChatMessageIsByThePeerOfTheChannelWhateverItSays) {
  Log log;
  log.reset(1, "Me");
  EXPECT_TRUE(log.received(7, "Dana", Chat{ChatLine{"d1", 5, 1, "hello"}}));
  EXPECT_EQ(log.entries()[0].from, 7u);
  EXPECT_EQ(log.entries()[0].name, "Dana");
  EXPECT_FALSE(log.received(7, "Dana", Chat{ChatLine{"d1", 5, 1, "again"}}));  // the same id: the first stays
  EXPECT_EQ(log.entries()[0].text, "hello");
  EXPECT_FALSE(log.received(1, "Me", Chat{ChatLine{"x", 5, 1, "from myself?"}}));  // not a peer
  EXPECT_FALSE(log.received(0, "", Chat{ChatLine{"y", 5, 1, "nobody"}}));
  Log idle;  // outside a call
  EXPECT_FALSE(idle.received(7, "Dana", Chat{ChatLine{"d1", 5, 1, "hello"}}));
}

TEST(ChatLog, UnreadCountsOthersMessagesWhileThePanelIsClosed) {
  struct Step {
    enum Kind { Receive, Send, Open, Close } kind;
    std::size_t unread_after;
  };
  const std::vector<Step> steps = {
      {Step::Receive, 1}, {Step::Receive, 2}, {Step::Send, 2},    {Step::Open, 0},  {Step::Receive, 0},
      {Step::Send, 0},    {Step::Close, 0},   {Step::Receive, 1}, {Step::Open, 0},
  };
  Log log;
  log.reset(1, "Me");
  int n = 0;
  for (const Step& s : steps) {
    const std::string id = "m" + std::to_string(++n);
    switch (s.kind) {
      case Step::Receive: log.received(2, "P", Chat{ChatLine{id, 10, static_cast<std::uint64_t>(n), "x"}}); break;
      case Step::Send: log.send("y", 10, id); break;
      case Step::Open: log.set_panel_open(true); break;
      case Step::Close: log.set_panel_open(false); break;
    }
    EXPECT_EQ(log.unread(), s.unread_after) << "step " << n;
  }
  log.reset(3, "Me");  // a new call: empty, nothing unread, the panel as it was
  EXPECT_TRUE(log.entries().empty());
  EXPECT_EQ(log.unread(), 0u);
  EXPECT_TRUE(log.panel_open());
}

TEST(ChatLog, HistoryIsTheLastHundredAndTheLogIsBounded) {
  Log log;
  log.reset(1, "Me");
  for (std::size_t i = 1; i <= kMaxEntries + 5; ++i)
    log.received(2, "P", Chat{ChatLine{"m" + std::to_string(i), 100 + i, i, "x"}});
  EXPECT_EQ(log.entries().size(), kMaxEntries);
  EXPECT_EQ(log.entries().front().id, "m6");  // the oldest went
  const auto h = log.history();
  ASSERT_EQ(h.size(), p2p::kHistoryMessages);
  EXPECT_EQ(std::get<History>(h.front()).line.id, "m" + std::to_string(kMaxEntries + 5 - p2p::kHistoryMessages + 1));
  EXPECT_EQ(std::get<History>(h.back()).line.id, "m" + std::to_string(kMaxEntries + 5));
  EXPECT_EQ(std::get<History>(h.back()).from, 2u);
  // Something older than all that is kept does not come back in.
  EXPECT_FALSE(log.received(2, "P", Chat{ChatLine{"m1", 101, 1, "x"}}));
  EXPECT_EQ(log.entries().front().id, "m6");
  Log empty;
  empty.reset(1, "Me");
  EXPECT_TRUE(empty.history().empty());
}

// The version changes exactly when the entries do: the chat panel keeps the lines it made of them
// (formatted times) until then.
TEST(ChatLog, TheVersionChangesWhenTheEntriesDo) {
  Log log;
  std::uint64_t seen = log.version();
  const auto changed = [&] {
    const bool c = log.version() != seen;
    seen = log.version();
    return c;
  };
  log.reset(5, "Ann");
  EXPECT_TRUE(changed());  // a new call: an empty conversation
  log.send("hello", 1000, "a");
  EXPECT_TRUE(changed());
  log.send("", 2000, "b");  // refused
  EXPECT_FALSE(changed());
  EXPECT_TRUE(log.received(7, "Bo", Chat{ChatLine{"c", 1500, 1, "hi"}}));
  EXPECT_TRUE(changed());
  EXPECT_FALSE(log.received(7, "Bo", Chat{ChatLine{"c", 1500, 1, "hi"}}));  // known: merged away
  EXPECT_FALSE(changed());
  EXPECT_FALSE(log.received(8, "Cy", History{ChatLine{"z", 1, 1, "forged"}, 5, "Ann"}));  // "by us", not ours
  EXPECT_FALSE(changed());
  log.set_panel_open(true);  // reads, changes no entry
  log.set_panel_open(false);
  EXPECT_FALSE(changed());
  for (std::size_t i = 0; i < kMaxEntries; ++i) log.received(7, "Bo", Chat{ChatLine{"m" + std::to_string(i), 3000 + i, 2 + i, "x"}});
  EXPECT_TRUE(changed());
  EXPECT_FALSE(log.received(7, "Bo", Chat{ChatLine{"old", 0, 0, "x"}}));  // older than all kept: dropped
  EXPECT_FALSE(changed());
  log.reset();  // the call ended
  EXPECT_TRUE(changed());
}

// A large room: exactly one of the people already there sends a newcomer the history, the one with
// the lowest peer id; each client decides alone from who it knows is in the room.
TEST(ChatHistorySender, TheLowestPeerIdOtherThanTheNewcomerSendsIt) {
  struct Case {
    const char* label;
    proto::PeerId self;
    std::vector<proto::PeerId> others;  // as self knows them
    proto::PeerId newcomer;
    bool sends;
  };
  const std::vector<Case> cases = {
      {"lowest of the room", 3, {5, 9, 12}, 12, true},
      {"not the lowest", 5, {3, 9, 12}, 12, false},
      {"the newcomer is lower than everyone: still not the newcomer", 7, {2, 9}, 2, true},
      {"the newcomer itself never sends", 2, {7, 9}, 2, false},
      {"newcomer not yet in our list", 3, {5, 9}, 12, true},
      {"alone with the newcomer", 40, {41}, 41, true},
      {"only we and the newcomer, newcomer lower", 40, {1}, 1, true},
      {"nobody there but us", 4, {}, 9, true},
      {"not in a call", 0, {5}, 5, false},
      {"no newcomer", 3, {5}, 0, false},
      {"ids are numbers, not strings (10 < 9 as text)", 10, {9, 11}, 11, false},
  };
  for (const Case& c : cases) EXPECT_EQ(sends_history(c.self, c.others, c.newcomer), c.sends) << c.label;
  // Every member of a 50-person room asks: exactly one says yes.
  std::vector<proto::PeerId> room;
  for (proto::PeerId id = 100; id < 150; ++id) room.push_back(id * 7 % 131 + 1);
  for (const proto::PeerId newcomer : {room[0], room[17], room[49]}) {
    int senders = 0;
    for (const proto::PeerId self : room) {
      std::vector<proto::PeerId> others;
      for (const proto::PeerId p : room)
        if (p != self) others.push_back(p);
      senders += sends_history(self, others, newcomer);
    }
    EXPECT_EQ(senders, 1) << newcomer;
  }
}

}  // namespace
}  // namespace moim::chat
